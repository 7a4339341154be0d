//! Matching quality (issue 13) on the labelled set of `tests/matching_set`: nDCG@10, P@10,
//! the share of intents without a push (of those with a relevant exhibit) and the share of
//! pushes graded irrelevant, overall and per language, for fairlink's matcher beside BM25
//! over the same candidates (and the sentence vectors' cosine alone), in the same run.
//!
//! Run: `cargo bench -p fairlink-tests --bench matching_quality`. With `FAIRLINK_FIT=1` it
//! also fits the weights (a ridge regression of the grades on the parts), then the floor and
//! the number of pushes on a grid (the objective: the best nDCG@10 with at most
//! `FAIRLINK_FIT_IRRELEVANT` irrelevant pushes, 21% unless set, and 1% of intents left without
//! a push): leaving each category out in turn and scoring it with what the others gave, then
//! on all of them: the values `Scoring::FITTED` holds are that last line's, rounded. `FAIRLINK_DIAG=1` prints each intent's
//! best six with their grades and numbers.

use std::time::Instant;

use fairlink_domain::matching::{Parts, Scoring};
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
        .unwrap_or(0.21);
    if f.irrelevant > cap {
        value -= (f.irrelevant - cap) * 5.0;
    }
    if f.no_push > 0.01 {
        value -= (f.no_push - 0.01) * 5.0;
    }
    value
}

/// The parts a score weighs, as the fitted ranges map them: semantic, feedback, lexical
/// relevance to the feedback terms, lexical, fit.
fn features(p: &Parts) -> [f64; 5] {
    let ranges = Scoring::FITTED;
    [
        ranges.semantic(p.similarity),
        ranges.feedback(p),
        p.feedback_lexical.unwrap_or(p.lexical),
        p.lexical,
        p.fit,
    ]
}

/// A ridge regression (λ = 1) of the grade on the features and an intercept, over every
/// candidate of `intents`; the weights scaled to sum to 1 (the intercept only moves the floor).
fn regress(intents: &[&EvaluatedIntent]) -> [f64; 5] {
    const N: usize = 6;
    let mut normal = [[0.0; N + 1]; N];
    for c in intents.iter().flat_map(|i| &i.candidates) {
        let f = features(&c.parts);
        let row = [f[0], f[1], f[2], f[3], f[4], 1.0];
        for i in 0..N {
            for j in 0..N {
                normal[i][j] += row[i] * row[j];
            }
            normal[i][N] += row[i] * f64::from(c.grade);
        }
    }
    for (i, line) in normal.iter_mut().enumerate() {
        line[i] += 1.0;
    }
    // Gauss-Jordan elimination with partial pivoting on the augmented system.
    for col in 0..N {
        let pivot = (col..N)
            .max_by(|a, b| normal[*a][col].abs().total_cmp(&normal[*b][col].abs()))
            .unwrap_or(col);
        normal.swap(col, pivot);
        let pivot_row = normal[col];
        for (row, line) in normal.iter_mut().enumerate() {
            if row != col {
                let factor = line[col] / pivot_row[col];
                for (value, pivot) in line.iter_mut().zip(pivot_row).skip(col) {
                    *value -= factor * pivot;
                }
            }
        }
    }
    let weights: Vec<f64> = (0..5).map(|i| normal[i][N] / normal[i][i]).collect();
    let sum: f64 = weights.iter().sum();
    std::array::from_fn(|i| weights[i] / sum)
}

/// The regression's weights, then the floor and the number of pushes the objective prefers.
fn fit(intents: &[&EvaluatedIntent]) -> (Scoring, Figures) {
    let w = regress(intents);
    let mut best = (Scoring::FITTED, Figures::default(), f64::NEG_INFINITY);
    for max_pushes in [4, 5, 6, 8, 10] {
        for f in 0..=40 {
            let scoring = Scoring {
                semantic_weight: w[0],
                feedback_weight: w[1],
                feedback_lexical_weight: w[2],
                lexical_weight: w[3],
                fit_weight: w[4],
                completeness_weight: 0.0,
                floor: 0.1 + f as f64 * 0.01,
                max_pushes,
                ..Scoring::FITTED
            };
            let figures = figures(intents.iter().copied(), System::Hybrid(scoring));
            let value = objective(&figures);
            if value > best.2 {
                best = (scoring, figures, value);
            }
        }
    }
    (best.0, best.1)
}

/// Fits without each category in turn and scores that category's intents with the result:
/// the figures of buyers in a category the fit never saw.
fn leave_one_category_out(evaluated: &Evaluated) {
    let mut categories: Vec<&str> = evaluated
        .intents
        .iter()
        .map(|i| i.category.as_str())
        .collect();
    categories.sort_unstable();
    categories.dedup();
    let (mut intents, mut ndcg, mut pushes, mut irrelevant, mut no_push) =
        (0.0, 0.0, 0.0, 0.0, 0.0);
    for category in categories {
        let (held_out, rest): (Vec<&EvaluatedIntent>, Vec<&EvaluatedIntent>) = evaluated
            .intents
            .iter()
            .partition(|i| i.category == category);
        let (scoring, _) = fit(&rest);
        let f = figures(held_out.iter().copied(), System::Hybrid(scoring));
        let n = f.intents as f64;
        intents += n;
        ndcg += f.ndcg10 * n;
        pushes += f.pushes_per_intent * n;
        irrelevant += f.irrelevant * f.pushes_per_intent * n;
        no_push += f.no_push * n;
    }
    println!(
        "\nleft out one category at a time ({intents} intents): nDCG@10 {:.3}, irrelevant {:.1}%, no push {:.1}%, {:.1} pushes",
        ndcg / intents,
        irrelevant / pushes.max(1.0) * 100.0,
        no_push / intents * 100.0,
        pushes / intents
    );
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
        leave_one_category_out(&evaluated);
        let all: Vec<&EvaluatedIntent> = evaluated.intents.iter().collect();
        let (scoring, f) = fit(&all);
        println!("\nfitted on all intents: {scoring:?}");
        println!("{}", row("  all", &f));
    }
}
