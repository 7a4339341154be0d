//! A floor under the matching quality the `matching_quality` benchmark measures on the
//! labelled set (well under its figures, so that only a real regression fails): the matcher
//! must stay above BM25, in every language.

use fairlink_domain::matching::Scoring;
use fairlink_tests::quality::{EvaluatedIntent, LabelledSet, System, evaluate, figures, languages};

#[tokio::test]
async fn the_matcher_holds_its_quality_on_the_labelled_set() {
    let set = LabelledSet::load();
    assert!(set.exhibits.len() >= 300 && set.intents.len() >= 120);
    let embedder = fairlink_tests::test_embedder();
    let evaluated = evaluate(&set, embedder.as_ref()).await;
    let hybrid = figures(&evaluated.intents, System::Hybrid(Scoring::FITTED));
    let bm25 = figures(&evaluated.intents, System::Bm25);
    assert!(hybrid.ndcg10 >= 0.7, "nDCG@10 {hybrid:?}");
    assert!(
        hybrid.ndcg10 > bm25.ndcg10 + 0.15,
        "{hybrid:?} against BM25 {bm25:?}"
    );
    assert!(
        hybrid.irrelevant < bm25.irrelevant,
        "{hybrid:?} against BM25 {bm25:?}"
    );
    assert!(hybrid.no_push <= 0.05, "intents without a push: {hybrid:?}");
    assert!(hybrid.irrelevant <= 0.3, "irrelevant pushes: {hybrid:?}");
    for lang in languages(&evaluated) {
        let group: Vec<&EvaluatedIntent> = evaluated
            .intents
            .iter()
            .filter(|i| i.lang == lang)
            .collect();
        let f = figures(group, System::Hybrid(Scoring::FITTED));
        assert!(f.ndcg10 >= 0.65, "{lang}: {f:?}");
    }
}
