use std::collections::{BTreeMap, BTreeSet};

use fluent_syntax::ast::{Entry, Expression, InlineExpression, Pattern, PatternElement};

use super::*;

/// Each message of a catalogue with the variables it uses.
fn messages(tag: &str, source: &'static str) -> BTreeMap<String, BTreeSet<String>> {
    let resource = fluent_syntax::parser::parse(source)
        .unwrap_or_else(|(_, errors)| panic!("{tag}.ftl does not parse: {errors:?}"));
    let mut out = BTreeMap::new();
    for entry in resource.body {
        match entry {
            Entry::Message(message) => {
                let mut variables = BTreeSet::new();
                if let Some(pattern) = &message.value {
                    pattern_variables(pattern, &mut variables);
                }
                for attribute in &message.attributes {
                    pattern_variables(&attribute.value, &mut variables);
                }
                let id = message.id.name.to_string();
                assert!(
                    out.insert(id.clone(), variables).is_none(),
                    "{tag}.ftl holds {id} twice"
                );
            }
            Entry::Junk { content } => panic!("{tag}.ftl has text Fluent cannot read: {content}"),
            _ => {}
        }
    }
    out
}

fn pattern_variables(pattern: &Pattern<&str>, out: &mut BTreeSet<String>) {
    for element in &pattern.elements {
        if let PatternElement::Placeable { expression } = element {
            expression_variables(expression, out);
        }
    }
}

fn expression_variables(expression: &Expression<&str>, out: &mut BTreeSet<String>) {
    match expression {
        Expression::Select { selector, variants } => {
            inline_variables(selector, out);
            for variant in variants {
                pattern_variables(&variant.value, out);
            }
        }
        Expression::Inline(inline) => inline_variables(inline, out),
    }
}

fn inline_variables(inline: &InlineExpression<&str>, out: &mut BTreeSet<String>) {
    match inline {
        InlineExpression::VariableReference { id } => {
            out.insert(id.name.to_string());
        }
        InlineExpression::FunctionReference { arguments, .. } => {
            for argument in &arguments.positional {
                inline_variables(argument, out);
            }
            for argument in &arguments.named {
                inline_variables(&argument.value, out);
            }
        }
        InlineExpression::Placeable { expression } => expression_variables(expression, out),
        _ => {}
    }
}

fn english() -> BTreeMap<String, BTreeSet<String>> {
    let source = CATALOGUES
        .iter()
        .find(|(tag, _)| *tag == FALLBACK)
        .expect("an English catalogue")
        .1;
    messages(FALLBACK, source)
}

#[test]
fn every_catalogue_holds_every_message_with_the_same_variables() {
    let english = english();
    assert!(english.len() > 40, "the English catalogue holds every text");
    let mut problems = Vec::new();
    for (tag, source) in CATALOGUES {
        let catalogue = messages(tag, source);
        for (id, variables) in &english {
            match catalogue.get(id) {
                None => problems.push(format!("{tag}: {id} is missing")),
                Some(own) if own != variables => problems.push(format!(
                    "{tag}: {id} uses {own:?} where English uses {variables:?}"
                )),
                Some(_) => {}
            }
        }
        for id in catalogue.keys().filter(|id| !english.contains_key(*id)) {
            problems.push(format!("{tag}: {id} is not an English message"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_seven_default_languages_have_catalogues() {
    for tag in ["en", "zh", "es", "fr", "ru", "ar", "pt"] {
        assert_eq!(catalogue_for(tag), tag);
    }
    assert_eq!(catalogue_for("pt-BR"), "pt");
    assert_eq!(catalogue_for("zh-Hans-CN"), "zh");
    assert_eq!(catalogue_for("de"), "en", "no German catalogue: English");
}

#[test]
fn every_message_formats_in_every_catalogue_without_errors() {
    let english = english();
    for (tag, _) in CATALOGUES {
        let bundle = bundle(tag);
        for (id, variables) in &english {
            let args: Vec<(&str, Value)> = variables
                .iter()
                .map(|name| (name.as_str(), Value::from(2)))
                .collect();
            let mut fluent_args = FluentArgs::new();
            for (name, value) in args {
                fluent_args.set(name, value);
            }
            let pattern = bundle.get_message(id).and_then(|m| m.value()).unwrap();
            let mut errors = Vec::new();
            let text = bundle.format_pattern(pattern, Some(&fluent_args), &mut errors);
            assert!(errors.is_empty(), "{tag} {id}: {errors:?}");
            assert!(!text.trim().is_empty(), "{tag} {id} is empty");
        }
    }
}

#[test]
fn a_message_a_catalogue_lacks_falls_back_to_english_and_plurals_follow_the_language() {
    let german = Texts::of("de");
    assert_eq!(german.say("welcome-title", &[]), "Welcome to fairlink");
    let english = Texts::of("en");
    assert_eq!(english.say("unit-pieces", &[("count", 1.into())]), "pc");
    assert_eq!(english.say("unit-pieces", &[("count", 500.into())]), "pcs");
    assert_eq!(english.say("no-such-message", &[]), "no-such-message");
    let (title, body) =
        Texts::of("es").title_and_body("card-received", &[("sender", "Ana".into())]);
    assert_eq!(title, "Tarjeta de presentación recibida");
    assert!(body.starts_with("Ana "), "{body}");
}

#[test]
fn dates_numbers_and_lists_follow_the_language() {
    let at = Moment {
        year: 2026,
        month: 4,
        day: 15,
        hour: 15,
        minute: 5,
    };
    assert_eq!(Texts::of("en").date_time(&at), "Apr 15, 2026, 3:05 PM");
    assert_eq!(Texts::of("zh").date_time(&at), "2026年4月15日 15:05");
    assert_eq!(Texts::of("en").time(&at), "3:05 PM");
    assert_eq!(Texts::of("fr").time(&at), "15:05");
    assert!(Texts::of("ru").date_time(&at).contains("апр"));
    assert!(Texts::of("es").date_time(&at).contains("abr"));
    assert_eq!(Texts::of("en").integer(2000), "2,000");
    assert_eq!(Texts::of("es").integer(20000), "20.000");
    assert_eq!(Texts::of("en").decimal(12.5, 2), "12.50");
    assert_eq!(Texts::of("fr").decimal(0.8251, 2), "0,83");
    assert_eq!(
        Texts::of("en").and_list(&["CE", "RoHS", "FCC"]),
        "CE, RoHS, and FCC"
    );
    assert_eq!(Texts::of("en").and_list(&["CE"]), "CE");
    assert_eq!(Texts::of("ar").direction(), Direction::RightToLeft);
    assert_eq!(Texts::of("en").direction(), Direction::LeftToRight);
}
