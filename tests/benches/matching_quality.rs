//! Matching quality (issue 13) on the labelled set of `tests/matching_set`: nDCG@10, P@10,
//! the share of intents without a push (of those with a relevant exhibit) and the share of
//! pushes graded irrelevant, overall and per language, for fairlink's matcher beside BM25
//! over the same candidates (and the sentence vectors' cosine alone), in the same run.
//!
//! Run: `cargo bench -p fairlink-tests --bench matching_quality`. With `FAIRLINK_FIT=1` it
//! also searches the weights, the floor and the number of pushes on a grid (the objective:
//! the best nDCG@10 with at most `FAIRLINK_FIT_IRRELEVANT` irrelevant pushes, 25% unless set,
//! and 1% of intents left without a push), fitting on one half
//! of the intents and reporting the other half, then on all of them: the values
//! `Scoring::FITTED` holds come from that last line. `FAIRLINK_DIAG=1` prints each intent's
//! best six with their grades and numbers.

use std::time::Instant;

use fairlink_domain::matching::Scoring;
use fairlink_tests::quality::{
    Evaluated, EvaluatedIntent, Figures, LabelledSet, System, figures, languages,
};

fn row(label: &str, f: &Figures) -> String {
    format!(
        "{label:<28} {:>5}  {:>7.3}  {:>6.3}  {:>8.1}%  {:>10.1}%  {:>6.1}  {:>5.2}",
        f.intents,
        f.ndcg10,
        f.p10,
        f.no_push * 100.0,
        f.irrelevant * 100.0,
        f.pushes_per_intent,
        f.p1
    )
}

fn print_table(evaluated: &Evaluated, scoring: Scoring) {
    println!(
        "{:<28} {:>5}  {:>7}  {:>6}  {:>9}  {:>11}  {:>6}  {:>5}",
        "system / language", "n", "nDCG@10", "P@10", "no push", "irrelevant", "pushes", "P@1"
    );
    for (name, system) in [
        ("fairlink (hybrid)", System::Hybrid(scoring)),
        ("BM25", System::Bm25),
        ("cosine alone", System::Cosine),
    ] {
        println!("{}", row(name, &figures(&evaluated.intents, system)));
        for lang in languages(evaluated) {
            let group: Vec<&EvaluatedIntent> = evaluated
                .intents
                .iter()
                .filter(|i| i.lang == lang)
                .collect();
            println!("{}", row(&format!("  {lang}"), &figures(group, system)));
        }
    }
}

fn objective(f: &Figures) -> f64 {
    let mut value = f.ndcg10;
    let cap: f64 = std::env::var("FAIRLINK_FIT_IRRELEVANT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.25);
    if f.irrelevant > cap {
        value -= (f.irrelevant - cap) * 5.0;
    }
    if f.no_push > 0.01 {
        value -= (f.no_push - 0.01) * 5.0;
    }
    value
}

fn grid() -> Vec<Scoring> {
    let mut out = Vec::new();
    for semantic_weight in [0.2, 0.3, 0.4] {
        for feedback_weight in [0.3, 0.4, 0.5] {
            for lexical_weight in [0.1, 0.2] {
                for fit_weight in [0.05, 0.1] {
                    for feedback_lexical_weight in [0.2, 0.3] {
                        for max_pushes in [4, 5, 6, 7, 8, 10] {
                            for f in 0..=12 {
                                out.push(Scoring {
                                    semantic_weight,
                                    feedback_weight,
                                    lexical_weight,
                                    fit_weight,
                                    feedback_lexical_weight,
                                    max_pushes,
                                    floor: 0.2 + f as f64 * 0.05,
                                    ..Scoring::FITTED
                                });
                            }
                        }
                    }
                }
            }
        }
    }
    out
}

fn fit(intents: &[&EvaluatedIntent]) -> (Scoring, Figures) {
    let mut best = (Scoring::FITTED, Figures::default(), f64::NEG_INFINITY);
    for scoring in grid() {
        let f = figures(intents.iter().copied(), System::Hybrid(scoring));
        let value = objective(&f);
        if value > best.2 {
            best = (scoring, f, value);
        }
    }
    (best.0, best.1)
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
    let evaluated = fairlink_tests::quality::evaluate(&set, embedder.as_ref()).await;
    let texts = set.exhibits.len() + set.intents.len();
    let secs = t.elapsed().as_secs_f64();
    println!(
        "labelled set: {} exhibits, {} intents, {} graded pairs; {texts} texts embedded in {secs:.1} s ({:.1} ms a text)",
        set.exhibits.len(),
        set.intents.len(),
        set.grades.values().map(|g| g.len()).sum::<usize>(),
        secs * 1000.0 / texts as f64
    );
    println!("\nScoring::FITTED = {:?}\n", Scoring::FITTED);
    print_table(&evaluated, Scoring::FITTED);

    if std::env::var("FAIRLINK_DIAG").is_ok() {
        for intent in &evaluated.intents {
            let mut c: Vec<_> = intent.candidates.iter().collect();
            c.sort_by(|a, b| {
                Scoring::FITTED
                    .score(&b.parts)
                    .total_cmp(&Scoring::FITTED.score(&a.parts))
            });
            let top: Vec<String> = c
                .iter()
                .take(6)
                .map(|c| {
                    let (x, g, p) = (&c.exhibit_id, c.grade, &c.parts);
                    format!(
                        "{x}:g{g} s{:.2} c{:.3} f{:.3} l{:.2} fit{:.2}",
                        Scoring::FITTED.score(p),
                        p.similarity,
                        p.feedback.unwrap_or(0.0),
                        p.lexical,
                        p.fit
                    )
                })
                .collect();
            println!("DIAG {} {} | {}", intent.id, intent.lang, top.join(" | "));
        }
    }
    println!();
    for k in [3, 4, 5, 6] {
        let f = figures(&evaluated.intents, System::HybridTop(Scoring::FITTED, k));
        println!("{}", row(&format!("hybrid, best {k}, no floor"), &f));
    }
    if std::env::var("FAIRLINK_FIT").is_ok_and(|v| v == "1") {
        let half = |parity: usize| -> Vec<&EvaluatedIntent> {
            evaluated
                .intents
                .iter()
                .enumerate()
                .filter(|(i, _)| i % 2 == parity)
                .map(|(_, intent)| intent)
                .collect()
        };
        let (odd, even) = (half(1), half(0));
        for (fit_on, report_on, name) in [(&odd, &even, "odd → even"), (&even, &odd, "even → odd")]
        {
            let (scoring, on_fit) = fit(fit_on);
            let held_out = figures(report_on.iter().copied(), System::Hybrid(scoring));
            println!("\nfitted on {name}: {scoring:?}");
            println!("{}", row("  on the fitting half", &on_fit));
            println!("{}", row("  on the held-out half", &held_out));
        }
        let all: Vec<&EvaluatedIntent> = evaluated.intents.iter().collect();
        let (scoring, f) = fit(&all);
        println!("\nfitted on all intents: {scoring:?}");
        println!("{}", row("  all", &f));
    }
}
