//! Matching quality on the labelled set of `tests/matching_set`, the ranking and the pushes
//! measured apart, overall, per group (the seven fitted languages; the eight no fit has
//! seen) and per language, for fairlink's matcher beside BM25 and the cosine alone in the
//! same run: nDCG@10 of the matches list; pushes per intent, the share of pushes irrelevant,
//! the share of intents with a relevant exhibit and no push; then a simulated buyer who
//! marks every irrelevant push not relevant (the replacements' irrelevant share, nDCG@10 of
//! the list ranked again).
//!
//! Run: `cargo bench -p fairlink-tests --bench matching_quality`. With `FAIRLINK_FIT=1` it
//! also fits (`fit` below) on the fitted languages, first leaving each of them out in turn
//! (its held-out figures printed beside the in-sample ones), then on all seven: the values
//! `Scoring::FITTED` holds are that last fit's. `FAIRLINK_FEEDBACK=<file>` adds judgments
//! exported by `GET /v1/fair/matching-feedback` (JSON lines) to what the fit learns from.

use std::time::Instant;

use fairlink_domain::matching::{FEATURES, Logistic, Scoring, Weights};
use fairlink_tests::quality::{
    AfterVerdicts, Evaluated, EvaluatedIntent, Figures, LabelledSet, System, evaluate, figures,
    group_of, languages, matches, simulated_buyer,
};

fn row(label: &str, f: &Figures) -> String {
    format!(
        "{label:<30} {:>4}  {:>7.3}  {:>6.2}  {:>10.1}%  {:>7.1}%  {:>5.2}",
        f.intents,
        f.ndcg10,
        f.pushes_per_intent,
        f.irrelevant * 100.0,
        f.no_push * 100.0,
        f.p1
    )
}

fn groups(evaluated: &Evaluated) -> Vec<(String, Vec<&EvaluatedIntent>)> {
    let mut out = vec![("all".to_string(), evaluated.intents.iter().collect())];
    for group in ["fitted", "unseen"] {
        out.push((
            format!("{group} languages"),
            evaluated
                .intents
                .iter()
                .filter(|i| group_of(&i.lang) == group)
                .collect(),
        ));
    }
    for lang in languages(evaluated) {
        out.push((
            format!("  {lang} ({})", group_of(&lang)),
            evaluated
                .intents
                .iter()
                .filter(|i| i.lang == lang)
                .collect(),
        ));
    }
    out
}

fn print_table(evaluated: &Evaluated, scoring: Scoring) {
    println!(
        "{:<30} {:>4}  {:>7}  {:>6}  {:>11}  {:>8}  {:>5}",
        "system / group", "n", "nDCG@10", "pushes", "irrelevant", "no push", "P@1"
    );
    for (name, system) in [
        ("fairlink", System::Hybrid(scoring)),
        ("BM25 (best 6 pushed)", System::Bm25),
        ("cosine alone (best 6 pushed)", System::Cosine),
    ] {
        println!("{name}");
        for (label, intents) in groups(evaluated) {
            println!("{}", row(&label, &figures(intents, system)));
        }
    }
}

fn print_buyer(label: &str, after: &AfterVerdicts) {
    println!(
        "{label:<30} dismissed {:>3}, replaced {:>3} ({:.1}% of the replacements irrelevant); nDCG@10 {:.3} -> {:.3}",
        after.dismissed,
        after.replacements,
        after.replacements_irrelevant * 100.0,
        after.ndcg_before,
        after.ndcg_after
    );
}

/// Logistic regression by gradient descent on standardized features (`intercept: false`
/// for the pairwise fit, whose samples are differences).
fn logistic<const N: usize>(
    xs: &[[f64; N]],
    ys: &[bool],
    sample_weights: &[f64],
    intercept: bool,
) -> Logistic<N> {
    let n = xs.len().max(1) as f64;
    let mean: [f64; N] = std::array::from_fn(|j| {
        if intercept {
            xs.iter().map(|x| x[j]).sum::<f64>() / n
        } else {
            0.0
        }
    });
    let scale: [f64; N] = std::array::from_fn(|j| {
        let var = xs.iter().map(|x| (x[j] - mean[j]).powi(2)).sum::<f64>() / n;
        var.sqrt().max(1e-9)
    });
    let total_weight: f64 = sample_weights.iter().sum::<f64>().max(1e-9);
    let mut w = [0.0; N];
    let mut b = 0.0;
    let (rate, l2) = (0.5, 1e-3);
    for _ in 0..1_500 {
        let mut grad = [0.0; N];
        let mut grad_b = 0.0;
        for ((x, y), sw) in xs.iter().zip(ys).zip(sample_weights) {
            let z: f64 = (0..N)
                .map(|j| w[j] * (x[j] - mean[j]) / scale[j])
                .sum::<f64>()
                + b;
            let p = 1.0 / (1.0 + (-z).exp());
            let err = (p - f64::from(u8::from(*y))) * sw / total_weight;
            for j in 0..N {
                grad[j] += err * (x[j] - mean[j]) / scale[j];
            }
            grad_b += err;
        }
        for j in 0..N {
            w[j] -= rate * (grad[j] + l2 * w[j]);
        }
        if intercept {
            b -= rate * grad_b;
        }
    }
    // Back to the features' own units.
    let coefficients: [f64; N] = std::array::from_fn(|j| w[j] / scale[j]);
    let intercept = b - (0..N).map(|j| coefficients[j] * mean[j]).sum::<f64>();
    Logistic {
        coefficients,
        intercept,
    }
}

/// The weights: a pairwise logistic regression over every two candidates of an intent
/// graded apart, each pair weighted by the gain between their grades (2^g - 1).
fn fit_weights(intents: &[&EvaluatedIntent]) -> Weights {
    let (mut xs, mut ys, mut ws) = (vec![], vec![], vec![]);
    for intent in intents {
        for a in &intent.candidates {
            for b in &intent.candidates {
                if a.grade > b.grade {
                    let (fa, fb) = (a.parts.features(), b.parts.features());
                    xs.push(std::array::from_fn::<f64, FEATURES, _>(|j| fa[j] - fb[j]));
                    ys.push(true);
                    ws.push(2f64.powi(i32::from(a.grade)) - 2f64.powi(i32::from(b.grade)));
                }
            }
        }
    }
    Weights::from_array(logistic(&xs, &ys, &ws, false).coefficients)
}

/// The weights, then the calibrations on the ranking they give: the score shown (graded 1
/// or more, over each intent's recorded 30) and the push confidence (over its best six);
/// the level from which a match is said to be a similar product (above every unrelated
/// pair's expanded cosine).
fn fit(intents: &[&EvaluatedIntent], base: Scoring) -> Scoring {
    let weights = fit_weights(intents);
    let mut scoring = Scoring {
        weights,
        record_level: 0.0,
        ..base
    };
    let (mut shown_x, mut shown_y, mut conf_x, mut conf_y) = (vec![], vec![], vec![], vec![]);
    let mut similar: f64 = 0.0;
    for intent in intents {
        let mut ranked: Vec<(f64, &fairlink_tests::quality::GradedCandidate)> = intent
            .candidates
            .iter()
            .map(|c| (scoring.raw(&c.parts), c))
            .collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
        let best = ranked.first().map_or(0.0, |r| r.0);
        for (i, (raw, c)) in ranked.iter().enumerate().take(30) {
            shown_x.push([*raw]);
            shown_y.push(c.grade >= 1);
            if i < 6 {
                conf_x.push([best - raw, c.parts.anchor, *raw]);
                conf_y.push(c.grade >= 1);
            }
        }
        for c in &intent.candidates {
            if c.grade == 0 {
                similar = similar.max(c.parts.expanded);
            }
        }
    }
    scoring.relevance = logistic(&shown_x, &shown_y, &vec![1.0; shown_x.len()], true);
    scoring.confidence = logistic(&conf_x, &conf_y, &vec![1.0; conf_x.len()], true);
    // Above every unrelated pair of the fit, with a margin for those it never saw.
    scoring.similar_level = ((similar + 0.005) * 200.0).ceil() / 200.0;
    scoring.record_level = base.record_level;
    scoring
}

/// Fits leaving each fitted language out in turn: its held-out figures beside the in-sample
/// ones of the fit on all of them.
fn held_out(evaluated: &Evaluated, base: Scoring, all: &Scoring) {
    println!("\nheld out (fitted without the language) / in sample (fitted on all seven):");
    let fitted: Vec<&EvaluatedIntent> = evaluated.intents.iter().filter(|i| i.fitted()).collect();
    let mut langs: Vec<&str> = fitted.iter().map(|i| i.lang.as_str()).collect();
    langs.sort_unstable();
    langs.dedup();
    for lang in langs {
        let rest: Vec<&EvaluatedIntent> =
            fitted.iter().copied().filter(|i| i.lang != lang).collect();
        let out: Vec<&EvaluatedIntent> =
            fitted.iter().copied().filter(|i| i.lang == lang).collect();
        let scoring = fit(&rest, base);
        let h = figures(out.iter().copied(), System::Hybrid(scoring));
        let s = figures(out.iter().copied(), System::Hybrid(*all));
        println!(
            "  {lang}: nDCG@10 {:.3} / {:.3}, irrelevant {:.1}% / {:.1}%, pushes {:.2} / {:.2}, no push {:.1}% / {:.1}%",
            h.ndcg10,
            s.ndcg10,
            h.irrelevant * 100.0,
            s.irrelevant * 100.0,
            h.pushes_per_intent,
            s.pushes_per_intent,
            h.no_push * 100.0,
            s.no_push * 100.0
        );
    }
}

/// The push levels' curve on the fitted languages (and, for reading only, the others).
fn push_curve(evaluated: &Evaluated, scoring: Scoring) {
    println!("\npush level: pushes per intent, irrelevant, no push (fitted | unseen)");
    for level in [0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95] {
        let s = Scoring {
            push_level: level,
            ..scoring
        };
        let fitted = figures(
            evaluated.intents.iter().filter(|i| i.fitted()),
            System::Hybrid(s),
        );
        let unseen = figures(
            evaluated.intents.iter().filter(|i| !i.fitted()),
            System::Hybrid(s),
        );
        println!(
            "  {level:.2}: {:.2} {:>5.1}% {:>4.1}% | {:.2} {:>5.1}% {:>4.1}%",
            fitted.pushes_per_intent,
            fitted.irrelevant * 100.0,
            fitted.no_push * 100.0,
            unseen.pushes_per_intent,
            unseen.irrelevant * 100.0,
            unseen.no_push * 100.0
        );
    }
}

#[tokio::main]
async fn main() {
    let set = LabelledSet::load();
    let t = Instant::now();
    let embedder = fairlink_tests::test_embedder();
    println!(
        "model loaded in {:.0} ms",
        t.elapsed().as_secs_f64() * 1000.0
    );
    let t = Instant::now();
    let scoring = Scoring::FITTED;
    let mut evaluated = evaluate(&set, embedder.as_ref(), &scoring).await;
    let texts = 2 * (set.exhibits.len() + set.intents.len());
    let secs = t.elapsed().as_secs_f64();
    println!(
        "labelled set: {} exhibits, {} intents, {} graded pairs; {texts} texts (whole and names) embedded in {secs:.1} s ({:.1} ms a text)",
        set.exhibits.len(),
        set.intents.len(),
        set.grades.values().map(|g| g.len()).sum::<usize>(),
        secs * 1000.0 / texts as f64
    );
    println!("\nScoring::FITTED = {scoring:?}\n");
    print_table(&evaluated, scoring);

    println!("\nfairlink's order with a fixed cut (every intent gets its best k):");
    for k in [1, 3, 6] {
        let f = figures(&evaluated.intents, System::HybridTop(scoring, k));
        println!("{}", row(&format!("  best {k}"), &f));
    }

    println!("\na buyer who marks every irrelevant push not relevant:");
    for (label, intents) in groups(&evaluated).into_iter().take(3) {
        print_buyer(&label, &simulated_buyer(intents, &scoring));
    }

    if std::env::var("FAIRLINK_DIAG").is_ok() {
        for intent in &evaluated.intents {
            let listed = matches(intent, System::Hybrid(scoring));
            let top: Vec<String> = listed
                .iter()
                .take(6)
                .map(|s| {
                    let c = intent
                        .candidates
                        .iter()
                        .find(|c| c.exhibit_id == s.exhibit_id)
                        .expect("a candidate");
                    format!(
                        "{}:g{} s{:.2} c{:.2} e{:.3} a{:.3}",
                        s.exhibit_id,
                        c.grade,
                        s.score,
                        s.confidence,
                        c.parts.expanded,
                        c.parts.anchor
                    )
                })
                .collect();
            println!("DIAG {} {} | {}", intent.id, intent.lang, top.join(" | "));
        }
    }

    if std::env::var("FAIRLINK_FIT").is_ok_and(|v| v == "1") {
        if let Ok(path) = std::env::var("FAIRLINK_FEEDBACK") {
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
            let export = LabelledSet::from_export(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
            let extra = evaluate(&export, embedder.as_ref(), &scoring).await;
            println!(
                "\n{} judged intents from {path} join the fit",
                extra.intents.len()
            );
            evaluated.intents.extend(extra.intents);
        }
        let fitted: Vec<&EvaluatedIntent> =
            evaluated.intents.iter().filter(|i| i.fitted()).collect();
        let all = fit(&fitted, scoring);
        held_out(&evaluated, scoring, &all);
        println!("\nfitted on all seven: {all:?}");
        print_table(&evaluated, all);
        push_curve(&evaluated, all);
        for weight in [0.0, 0.25, 0.5, 1.0, 2.0] {
            let s = Scoring {
                verdict_weight: weight,
                ..all
            };
            let fitted: Vec<&EvaluatedIntent> =
                evaluated.intents.iter().filter(|i| i.fitted()).collect();
            print_buyer(
                &format!("verdict weight {weight}"),
                &simulated_buyer(fitted, &s),
            );
        }
    }
}
