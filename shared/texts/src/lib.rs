//! What fairlink tells people, in their own language.
//!
//! Every text a person receives comes from one Fluent catalogue per language
//! (`catalogues/<BCP 47 tag>.ftl`, embedded at build time), with English where a catalogue
//! lacks a message. Dates, times, numbers and lists are formatted by ICU4X for the same
//! language, from its compiled data. A catalogue is parsed the first time a text in its
//! language is asked for, so a cold start pays for none of them.

use std::{
    collections::HashMap,
    sync::{LazyLock, OnceLock},
};

use fluent_bundle::{FluentArgs, FluentResource, concurrent::FluentBundle};
use icu_calendar::Gregorian;
use icu_datetime::{
    FixedCalendarDateTimeFormatter, fieldsets,
    input::{Date, DateTime, Time},
};
use icu_decimal::{DecimalFormatter, input::Decimal};
use icu_list::{ListFormatter, options::ListFormatterOptions};
use icu_locale::{Locale, LocaleDirectionality};

pub use fluent_bundle::FluentValue as Value;

mod catalogues {
    include!(concat!(env!("OUT_DIR"), "/catalogues.rs"));
}
pub use catalogues::CATALOGUES;

#[cfg(test)]
mod tests;

/// The language every other one falls back to; its catalogue holds every message.
pub const FALLBACK: &str = "en";

type Bundle = FluentBundle<FluentResource>;

/// Each catalogue's bundle, parsed on first use.
static BUNDLES: LazyLock<HashMap<&'static str, OnceLock<Bundle>>> = LazyLock::new(|| {
    CATALOGUES
        .iter()
        .map(|(tag, _)| (*tag, OnceLock::new()))
        .collect()
});

fn bundle(tag: &'static str) -> &'static Bundle {
    BUNDLES[tag].get_or_init(|| {
        let source = CATALOGUES
            .iter()
            .find(|(t, _)| *t == tag)
            .map_or("", |(_, source)| *source);
        let resource =
            FluentResource::try_new(source.to_string()).unwrap_or_else(|(partial, errors)| {
                tracing::error!(catalogue = tag, ?errors, "a catalogue has syntax errors");
                partial
            });
        let language = tag.parse().unwrap_or_default();
        let mut bundle = FluentBundle::new_concurrent(vec![language]);
        // Texts go to email, SMS and notifications as plain text: no bidi isolation marks
        // around the variables (they would cost SMS characters and force UCS-2).
        bundle.set_use_isolating(false);
        if let Err(errors) = bundle.add_resource(resource) {
            tracing::error!(catalogue = tag, ?errors, "a catalogue repeats messages");
        }
        bundle
    })
}

/// The catalogue that serves a language: its own (`pt-BR`), else its language's (`pt`), else
/// English.
pub fn catalogue_for(tag: &str) -> &'static str {
    let find = |wanted: &str| {
        CATALOGUES
            .iter()
            .map(|(t, _)| *t)
            .find(|t| t.eq_ignore_ascii_case(wanted))
    };
    find(tag)
        .or_else(|| tag.split('-').next().and_then(find))
        .unwrap_or(FALLBACK)
}

/// Which way a language's text runs (for an email's `dir` attribute).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    LeftToRight,
    RightToLeft,
}

impl Direction {
    /// The HTML `dir` value.
    pub fn html(self) -> &'static str {
        match self {
            Direction::LeftToRight => "ltr",
            Direction::RightToLeft => "rtl",
        }
    }
}

/// Texts in one language. Cheap to make: the catalogues and ICU data are shared.
pub struct Texts {
    tag: String,
    locale: Locale,
    own: &'static Bundle,
    fallback: &'static Bundle,
}

impl Texts {
    /// The texts for a BCP 47 tag; a tag ICU cannot read is formatted as English.
    pub fn of(tag: &str) -> Self {
        let locale = tag
            .parse::<Locale>()
            .unwrap_or_else(|_| FALLBACK.parse().expect("en is a locale"));
        Self {
            tag: tag.to_string(),
            locale,
            own: bundle(catalogue_for(tag)),
            fallback: bundle(FALLBACK),
        }
    }

    pub fn tag(&self) -> &str {
        &self.tag
    }

    /// The message `id` with its variables, from this language's catalogue or else the
    /// English one. A message no catalogue holds reads as its id (and is logged): the
    /// catalogue test keeps that from shipping.
    pub fn say(&self, id: &str, args: &[(&str, Value)]) -> String {
        let mut fluent_args = FluentArgs::with_capacity(args.len());
        for (name, value) in args {
            fluent_args.set(*name, value.clone());
        }
        for bundle in [self.own, self.fallback] {
            let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
                continue;
            };
            let mut errors = Vec::new();
            let text = bundle.format_pattern(pattern, Some(&fluent_args), &mut errors);
            if !errors.is_empty() {
                tracing::warn!(message = id, language = %self.tag, ?errors, "a text is missing variables");
            }
            return text.into_owned();
        }
        tracing::error!(message = id, language = %self.tag, "no catalogue holds this message");
        id.to_string()
    }

    /// A notification's title and body: the messages `<id>-title` and `<id>-body`, each with
    /// the variables it uses.
    pub fn title_and_body(&self, id: &str, args: &[(&str, Value)]) -> (String, String) {
        (
            self.say(&format!("{id}-title"), args),
            self.say(&format!("{id}-body"), args),
        )
    }

    /// A date and time as this language writes it, to the minute: `Apr 15, 2026, 9:00 AM`,
    /// `2026年4月15日 09:00`, `15 abr 2026, 9:00`.
    pub fn date_time(&self, at: &Moment) -> String {
        match FixedCalendarDateTimeFormatter::<Gregorian, _>::try_new(
            self.locale.clone().into(),
            fieldsets::YMDT::medium()
                .with_time_precision(icu_datetime::options::TimePrecision::Minute),
        ) {
            Ok(formatter) => match at.icu() {
                Some(value) => plain_spaces(formatter.format(&value).to_string()),
                None => at.iso(),
            },
            Err(_) => at.iso(),
        }
    }

    /// A time of day as this language writes it: `9:00 AM`, `09:00`.
    pub fn time(&self, at: &Moment) -> String {
        match FixedCalendarDateTimeFormatter::<Gregorian, _>::try_new(
            self.locale.clone().into(),
            fieldsets::T::hm(),
        ) {
            Ok(formatter) => match at.icu() {
                Some(value) => plain_spaces(formatter.format(&value).to_string()),
                None => at.iso(),
            },
            Err(_) => format!("{:02}:{:02}", at.hour, at.minute),
        }
    }

    /// A whole number with the language's grouping: `2,000`, `2.000`, `2 000`.
    pub fn integer(&self, n: u64) -> String {
        self.decimal_of(Decimal::from(n))
    }

    /// A number with exactly `fraction_digits` digits after the language's decimal sign.
    pub fn decimal(&self, x: f64, fraction_digits: i16) -> String {
        let digits = fraction_digits.clamp(0, 6);
        let scaled = (x * 10f64.powi(i32::from(digits))).round();
        if !scaled.is_finite() || scaled.abs() > 9.0e15 {
            return format!("{x:.*}", digits as usize);
        }
        let mut value = Decimal::from(scaled as i64);
        value.multiply_pow10(-digits);
        value.absolute.pad_end(-digits);
        self.decimal_of(value)
    }

    fn decimal_of(&self, value: Decimal) -> String {
        match DecimalFormatter::try_new(self.locale.clone().into(), Default::default()) {
            Ok(formatter) => plain_spaces(formatter.format(&value).to_string()),
            Err(_) => value.to_string(),
        }
    }

    /// Items joined as this language lists them: `CE, RoHS and FCC`, `CE、RoHS 和 FCC`.
    pub fn and_list<S: AsRef<str>>(&self, items: &[S]) -> String {
        match ListFormatter::try_new_and(
            self.locale.clone().into(),
            ListFormatterOptions::default(),
        ) {
            Ok(formatter) => formatter
                .format(items.iter().map(|s| s.as_ref()))
                .to_string(),
            Err(_) => items
                .iter()
                .map(|s| s.as_ref())
                .collect::<Vec<_>>()
                .join(", "),
        }
    }

    /// Which way this language's text runs.
    pub fn direction(&self) -> Direction {
        match LocaleDirectionality::new_common().get(&self.locale.id) {
            Some(icu_locale::Direction::RightToLeft) => Direction::RightToLeft,
            _ => Direction::LeftToRight,
        }
    }
}

/// CLDR puts no-break spaces in times (`9:05\u{202f}PM`) and numbers (`2\u{202f}000`); an
/// SMS would need UCS-2 for them (and twice the segments), so texts use plain spaces.
fn plain_spaces(text: String) -> String {
    if text.contains(['\u{202f}', '\u{a0}']) {
        text.replace(['\u{202f}', '\u{a0}'], " ")
    } else {
        text
    }
}

/// A wall-clock date and time (already in the reader's zone), as the formatters take it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Moment {
    pub year: i32,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
}

impl Moment {
    fn icu(&self) -> Option<DateTime<Gregorian>> {
        Some(DateTime {
            date: Date::try_new_gregorian(self.year, self.month, self.day).ok()?,
            time: Time::try_new(self.hour, self.minute, 0, 0).ok()?,
        })
    }

    fn iso(&self) -> String {
        format!(
            "{:04}-{:02}-{:02} {:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute
        )
    }
}
