//! Floors under the matching quality the `matching_quality` benchmark measures on the
//! labelled set (under its figures, so that only a real regression fails), and the truth of
//! the reasons over every graded pair: the matcher's ranked matches above BM25 and the
//! cosine alone, in every language; its pushes mostly relevant; no unrelated pair called a
//! similar product; no number or function word listed as a matched word.

use fairlink_domain::matching::{
    CategoryStats, PackedCandidate, Reason, Scoring,
    text::{is_function_word, is_product_word},
};
use fairlink_tests::quality::{
    Evaluated, EvaluatedIntent, LabelledSet, System, evaluate, figures, languages,
};

/// Both checks on one embedding of the set (a thousand texts through the model).
#[tokio::test]
async fn the_matcher_holds_its_quality_and_tells_the_truth_on_the_labelled_set() {
    let set = LabelledSet::load();
    assert!(set.exhibits.len() >= 300 && set.intents.len() >= 200);
    let embedder = fairlink_tests::test_embedder();
    let evaluated = evaluate(&set, embedder.as_ref(), &Scoring::FITTED).await;
    quality_holds(&evaluated);
    reasons_are_true(&evaluated);
}

fn quality_holds(evaluated: &Evaluated) {
    let scoring = Scoring::FITTED;
    let hybrid = figures(&evaluated.intents, System::Hybrid(scoring));
    let bm25 = figures(&evaluated.intents, System::Bm25);
    let cosine = figures(&evaluated.intents, System::Cosine);
    assert!(hybrid.ndcg10 >= 0.82, "nDCG@10 {hybrid:?}");
    assert!(
        hybrid.ndcg10 > bm25.ndcg10 + 0.15 && hybrid.ndcg10 > cosine.ndcg10 + 0.05,
        "{hybrid:?} against BM25 {bm25:?} and the cosine {cosine:?}"
    );
    assert!(hybrid.no_push <= 0.05, "intents without a push: {hybrid:?}");
    assert!(hybrid.irrelevant <= 0.15, "irrelevant pushes: {hybrid:?}");
    for lang in languages(evaluated) {
        let group: Vec<&EvaluatedIntent> = evaluated
            .intents
            .iter()
            .filter(|i| i.lang == lang)
            .collect();
        let f = figures(group.iter().copied(), System::Hybrid(scoring));
        let c = figures(group, System::Cosine);
        assert!(f.ndcg10 >= 0.7, "{lang}: {f:?}");
        assert!(
            f.ndcg10 > c.ndcg10,
            "{lang}: {f:?} against the cosine {c:?}"
        );
    }
}

/// Every pair of the set, scored as an exhibit recommended after the intent's run is (with
/// the feedback of that run): the reasons of a grade-0 pair never claim a similar product,
/// and no reason lists a number or a function word as a matched word.
fn reasons_are_true(evaluated: &Evaluated) {
    let scoring = Scoring {
        record_level: 0.0,
        ..Scoring::FITTED
    };
    let (mut pairs, mut similar, mut words) = (0, 0, 0);
    for intent in &evaluated.intents {
        let views: Vec<_> = intent
            .packed
            .iter()
            .filter_map(PackedCandidate::view)
            .collect();
        let category = CategoryStats::of(&views);
        let stats = intent.query.stats_from(&category);
        for view in &views {
            let scored = intent
                .query
                .score(view, &stats, &category, &scoring)
                .expect("every candidate scored at record level 0");
            let grade = intent
                .candidates
                .iter()
                .find(|c| c.exhibit_id == view.exhibit_id)
                .map_or(0, |c| c.grade);
            pairs += 1;
            for reason in &scored.reasons {
                match reason {
                    Reason::SimilarProduct => {
                        similar += 1;
                        assert!(
                            grade > 0,
                            "{} and {} are unrelated, yet called similar",
                            intent.id,
                            view.exhibit_id
                        );
                    }
                    Reason::Keywords { words: listed } => {
                        for word in listed {
                            words += 1;
                            assert!(
                                is_product_word(&word.to_lowercase()) && !is_function_word(word),
                                "{}: {word:?} listed as a matched word",
                                intent.id
                            );
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    assert!(pairs > 5_000, "{pairs} pairs");
    assert!(
        similar > 50,
        "the similar-product reason is still given: {similar}"
    );
    assert!(words > 100, "matched words are still listed: {words}");
}

/// The organizer's export (`GET /v1/fair/matching-feedback`) reads as a labelled set the fit
/// can take beside `tests/matching_set` (`FAIRLINK_FEEDBACK`).
#[test]
fn exported_judgments_read_as_a_labelled_set() {
    let line = |xid: &str, verdict: &str, reason: Option<&str>, grade: u8| {
        serde_json::json!({
            "intent": {"id": "int_1", "categoryId": "speakers", "productName": "Altavoces bluetooth",
                "description": null, "keywords": [], "quantity": {"amount": 500, "unit": "unidades"},
                "targetPrice": null, "destinationCountry": "ES", "certifications": []},
            "exhibit": {"id": xid, "categoryId": "speakers", "name": "蓝牙音箱", "nameEn": null,
                "description": null, "keywords": ["bluetooth"], "specs": {}, "moq": null, "price": null,
                "certifications": [], "markets": []},
            "verdict": verdict, "reason": reason, "grade": grade, "at": "2027-04-15T08:00:00.000Z"
        })
        .to_string()
    };
    let export = [
        line("exb_1", "relevant", None, 3),
        line("exb_2", "not_relevant", Some("wrong_product"), 0),
    ]
    .join("\n");
    let set = LabelledSet::from_export(&export).unwrap();
    assert_eq!(set.intents.len(), 1);
    assert_eq!(set.intents[0].0.lang, "export");
    assert_eq!(set.exhibits.len(), 2);
    assert_eq!(set.grades["int_1"]["exb_1"], 3);
    assert_eq!(set.grades["int_1"]["exb_2"], 0);
    assert!(LabelledSet::from_export("{not json}").is_err());
}
