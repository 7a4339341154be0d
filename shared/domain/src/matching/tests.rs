use chrono::{TimeZone, Utc};

use super::{fit::ExchangeRates, *};
use crate::model::{Exhibit, ExhibitDetails, IntentStatus, Moq, PriceRange, Quantity};

fn exhibit(id: &str, name: &str, name_en: Option<&str>) -> Exhibit {
    let details = ExhibitDetails {
        name: name.into(),
        name_en: name_en.map(Into::into),
        category_id: "tools".into(),
        moq: Some(Moq {
            quantity: 100,
            unit: "个".into(),
        }),
        price: Some(PriceRange {
            min: 35.0,
            max: 63.0,
            currency: "CNY".into(),
        }),
        certifications: vec!["CE认证".into(), "ROHS".into()],
        markets: vec!["EU".into(), "US".into()],
        ..Default::default()
    };
    let at = Utc.with_ymd_and_hms(2026, 4, 15, 0, 0, 0).unwrap();
    Exhibit {
        id: id.into(),
        exhibitor_id: format!("exh-{id}"),
        completeness: details.completeness(),
        details,
        rep_ids: vec![],
        recommended_at: Some(at),
        matched_intents: 0,
        pushed_buyers: 0,
        created_at: at,
        updated_at: at,
    }
}

fn intent(name: &str, amount: u64, unit: &str) -> Intent {
    let at = Utc.with_ymd_and_hms(2026, 4, 15, 0, 0, 0).unwrap();
    Intent {
        id: "int".into(),
        buyer_id: "buyer".into(),
        product_name: name.into(),
        category_id: "tools".into(),
        description: None,
        keywords: vec![],
        quantity: Quantity {
            amount,
            unit: unit.into(),
        },
        target_price: Some(PriceRange {
            min: 5.0,
            max: 10.0,
            currency: "USD".into(),
        }),
        destination_country: "DE".into(),
        certifications: vec!["ce".into(), "RoHS".into()],
        valid_until: at,
        exhibitor_id: None,
        exhibit_id: None,
        status: IntentStatus::Open,
        created_at: at,
        closed_at: None,
    }
}

fn rates() -> ExchangeRates {
    ExchangeRates([("CNY".to_string(), 0.14)].into())
}

/// A unit vector with cosine `cos` to axis `base`, leaning towards axis `lean` (a stand-in
/// for the model in unit tests: the cosine of two such vectors with the same base and
/// different leans is `cos²`).
fn towards(base: usize, lean: usize, cos: f32) -> Vec<f32> {
    let mut v = vec![0.0f32; crate::ports::EMBEDDING_DIM];
    v[base] = cos;
    v[lean] = (1.0 - cos * cos).max(0.0).sqrt();
    v
}

fn axis(i: usize) -> Vec<f32> {
    let mut v = vec![0.0f32; crate::ports::EMBEDDING_DIM];
    v[i] = 1.0;
    v
}

fn vectors(text: Vec<f32>) -> ExhibitVectors {
    ExhibitVectors { text, name: None }
}

fn query_vectors(text: Vec<f32>) -> Option<IntentVectors> {
    Some(IntentVectors { text, name: None })
}

/// The fitted scoring, recording every candidate (for tests of the order).
const ALL_RECORDED: Scoring = Scoring {
    record_level: 0.0,
    ..Scoring::FITTED
};

fn rank(query: &IntentQuery, candidates: &[PackedCandidate]) -> Ranking {
    query.rank(candidates, 30, &[], &ALL_RECORDED)
}

#[test]
fn fit_is_judged_across_units_currencies_certifications_and_regions() {
    let drill = PackedCandidate::of(
        &exhibit("x1", "锂电钻", Some("Cordless drills")),
        &vectors(axis(0)),
    );
    let query = IntentQuery::of(
        &intent("cordless drill", 2_000, "pieces"),
        query_vectors(towards(0, 1, 0.95)),
        &rates(),
    );
    let ranking = rank(&query, &[drill]);
    let scored = ranking.best.first().expect("recorded");
    let texts = scored.explained(Language::EN).0;
    for want in [
        "MOQ 100 pcs, within your 2,000",
        "Price 35.00–63.00 CNY, within your target",
        "CE and RoHS held",
        "Ships to Germany (EU)",
    ] {
        assert!(texts.iter().any(|t| t == want), "{want} in {texts:?}");
    }
    assert!(
        texts
            .iter()
            .any(|t| t.starts_with("Matches your words: ") && t.contains("drill")),
        "{texts:?}"
    );
    assert!(
        !texts.iter().any(|t| t.contains("omplete")),
        "completeness is no reason: {texts:?}"
    );
    let codes = scored.explained(Language::EN).1;
    assert!(
        codes.contains(&"moq_fits".to_string()) && codes.contains(&"similar_product".to_string()),
        "{codes:?}"
    );
}

#[test]
fn an_unrelated_exhibit_is_not_recorded_even_sharing_a_word() {
    let grinder = PackedCandidate::of(
        &exhibit("x2", "锂电角磨机", Some("Cordless angle grinder")),
        &vectors(axis(5)),
    );
    let query = IntentQuery::of(
        &intent("cordless drill", 2_000, "pcs"),
        query_vectors(towards(0, 1, 0.7)),
        &rates(),
    );
    let ranking = query.rank(&[grinder], 30, &[], &Scoring::FITTED);
    assert_eq!(ranking.matched, 0, "{ranking:?}");
    assert!(ranking.feedback.is_none(), "nothing like it: no feedback");
}

#[test]
fn meaning_carries_across_languages_where_no_word_is_shared() {
    let compressor = PackedCandidate::of(&exhibit("x3", "螺杆空压机", None), &vectors(axis(7)));
    let other = PackedCandidate::of(&exhibit("x4", "活塞空压机", None), &vectors(axis(9)));
    let query = IntentQuery::of(
        &intent("Compresor de aire de tornillo", 5, "unidades"),
        query_vectors(towards(7, 8, 0.9)),
        &rates(),
    );
    let ranking = query.rank(&[compressor, other], 30, &[], &Scoring::FITTED);
    assert_eq!(ranking.best.len(), 1, "{ranking:?}");
    assert_eq!(ranking.best[0].exhibit_id, "x3");
}

/// Same product as the anchor (cosine 0.96 with it), and the intent's words.
fn tshirt_category() -> Vec<(Exhibit, Vec<f32>)> {
    let mut tshirt = exhibit("tee", "纯棉T恤 180克", Some("Cotton T-shirt 180g"));
    tshirt.details.markets = vec![];
    tshirt.details.price = Some(PriceRange {
        min: 20.0,
        max: 30.0,
        currency: "USD".into(),
    });
    let mut tshirt2 = tshirt.clone();
    tshirt2.id = "tee2".into();
    tshirt2.exhibitor_id = "exh-tee2".into();
    // The neighbour: a little further in meaning, but it shares the number 100, ships to
    // the buyer's country and its price fits.
    let mut overalls = exhibit(
        "overalls",
        "工装裤 100件起订",
        Some("Work overalls 100 pcs"),
    );
    overalls.details.markets = vec!["DE".into()];
    vec![
        (tshirt, towards(0, 1, 0.86)),
        (tshirt2, towards(0, 2, 0.855)),
        (overalls, towards(0, 3, 0.85)),
    ]
}

#[test]
fn a_shared_number_or_the_buyers_market_does_not_pick_the_feedback() {
    let packed: Vec<PackedCandidate> = tshirt_category()
        .iter()
        .map(|(x, v)| PackedCandidate::of(x, &vectors(v.clone())))
        .collect();
    let mut asked = intent("Cotton T-shirts, 100 pieces", 2_000, "pcs");
    asked.target_price = None;
    asked.certifications = vec![];
    let query = IntentQuery::of(&asked, query_vectors(axis(0)), &rates());
    let ranking = rank(&query, &packed);
    let feedback = ranking.feedback.expect("a first pass");
    // The anchor is a T-shirt, not the overalls that share "100" and ship to Germany.
    let anchor_cos = |v: &[f32]| {
        feedback
            .anchor
            .iter()
            .zip(v)
            .map(|(a, b)| a * b)
            .sum::<f32>()
    };
    assert!(anchor_cos(&towards(0, 1, 0.86)) > 0.999, "{feedback:?}");
    let order: Vec<&str> = ranking.best.iter().map(|s| s.exhibit_id.as_str()).collect();
    assert_eq!(order.last(), Some(&"overalls"), "{order:?}");
    for scored in &ranking.best {
        for reason in &scored.reasons {
            if let Reason::Keywords { words } = reason {
                assert!(
                    !words.iter().any(|w| w.chars().all(|c| c.is_ascii_digit())),
                    "a number is no matched word: {words:?}"
                );
            }
        }
    }
}

#[test]
fn an_unsure_first_pass_moves_the_query_to_neither_alone() {
    // Two different products the first pass cannot tell apart (the same meaning and fit).
    let a = exhibit("a", "茶具套装", Some("Tea set"));
    let mut b = exhibit("b", "餐具套装", Some("Dinnerware set"));
    b.exhibitor_id = "exh-b".into();
    let packed = [
        PackedCandidate::of(&a, &vectors(towards(0, 1, 0.85))),
        PackedCandidate::of(&b, &vectors(towards(0, 2, 0.85))),
    ];
    let mut asked = intent("Juego de té", 100, "pcs");
    asked.target_price = None;
    asked.certifications = vec![];
    let query = IntentQuery::of(&asked, query_vectors(axis(0)), &rates());
    let feedback = rank(&query, &packed).feedback.expect("a first pass");
    let cos = |v: &[f32]| {
        feedback
            .direction
            .iter()
            .zip(v)
            .map(|(a, b)| a * b)
            .sum::<f32>()
    };
    let (to_a, to_b) = (cos(&towards(0, 1, 0.85)), cos(&towards(0, 2, 0.85)));
    assert!((to_a - to_b).abs() < 1e-3, "{to_a} {to_b}");

    // With a clear winner, the direction is the winner's.
    let packed = [
        PackedCandidate::of(&a, &vectors(towards(0, 1, 0.9))),
        PackedCandidate::of(&b, &vectors(towards(0, 2, 0.8))),
    ];
    let feedback = rank(&query, &packed).feedback.expect("a first pass");
    let to_a: f32 = feedback
        .direction
        .iter()
        .zip(towards(0, 1, 0.9))
        .map(|(a, b)| a * b)
        .sum();
    assert!(to_a > 0.999, "{to_a}");
}

#[test]
fn only_product_words_count_and_are_listed() {
    let mut grinder = exhibit("g", "角磨机 100mm", Some("Angle grinder 100mm 7.5 m cable"));
    grinder.details.keywords = vec!["for".into(), "the".into()];
    let drill = exhibit("d", "电钻", Some("Electric drill"));
    let v = axis(0);
    let candidates: Vec<PackedCandidate> = [grinder, drill]
        .iter()
        .map(|x| PackedCandidate::of(x, &vectors(v.clone())))
        .collect();
    let query = IntentQuery::of(
        &intent(
            "Electric drill for the workshop, 100 pieces, 7 m",
            500,
            "pcs",
        ),
        query_vectors(v.clone()),
        &rates(),
    );
    let views: Vec<CandidateView> = candidates
        .iter()
        .filter_map(PackedCandidate::view)
        .collect();
    let prepared = prepare_views(&views);
    let stats = query.stats(&prepared);
    let (parts, _) = query.evaluate(&prepared, &stats, &Scoring::FITTED);
    assert_eq!(parts[0].words, 0.0, "100, 7, for, the: {:?}", parts[0]);
    assert!(parts[1].words > 0.3, "{:?}", parts[1]);
    assert!(
        parts[0].bm25 > 0.0,
        "BM25, the baseline, still counts every term"
    );
    let ranking = rank(&query, &candidates);
    for scored in &ranking.best {
        for reason in &scored.reasons {
            if let Reason::Keywords { words } = reason {
                for word in words {
                    assert!(
                        text::is_product_word(&word.to_lowercase())
                            && !text::is_function_word(word),
                        "{word}"
                    );
                }
            }
        }
    }
}

fn scored(i: usize, exhibitor: &str, confidence: f64) -> Scored {
    Scored {
        exhibit_id: format!("x{i:02}"),
        exhibitor_id: exhibitor.into(),
        score: 0.9,
        confidence,
        reasons: vec![],
    }
}

#[test]
fn pushes_follow_the_confidence_within_the_budget() {
    let scoring = Scoring::FITTED;
    let sure = scoring.push_level + 0.05;
    // Confident all the way: the budget and the per-exhibitor cap decide.
    let ranked: Vec<Scored> = (0..30)
        .map(|i| scored(i, if i < 5 { "big" } else { "other" }, sure))
        .chain((30..50).map(|i| scored(i, &format!("e{i}"), sure)))
        .collect();
    let plan = push_plan(&ranked, &scoring, &Pushed::default(), |_| false);
    assert_eq!(plan.len(), scoring.max_pushes);
    assert_eq!(plan.iter().filter(|s| s.exhibitor_id == "big").count(), 2);
    assert_eq!(plan.iter().filter(|s| s.exhibitor_id == "other").count(), 2);

    // The evidence fades after two: two pushes, none after the first unsure one.
    let fading: Vec<Scored> = [sure, sure, scoring.push_level - 0.1, sure]
        .iter()
        .enumerate()
        .map(|(i, c)| scored(i, &format!("e{i}"), *c))
        .collect();
    assert_eq!(
        push_plan(&fading, &scoring, &Pushed::default(), |_| false).len(),
        2
    );
    // The best alone goes out at the lower first level; under it, nothing.
    let lone = [scored(0, "e", scoring.first_push_level + 0.01)];
    assert_eq!(
        push_plan(&lone, &scoring, &Pushed::default(), |_| false).len(),
        1
    );
    let unsure = [scored(0, "e", scoring.first_push_level - 0.01)];
    assert!(push_plan(&unsure, &scoring, &Pushed::default(), |_| false).is_empty());
    // What was pushed before spends the budget; skipped exhibits do not.
    let pushed = Pushed {
        count: scoring.max_pushes - 1,
        per_exhibitor: Default::default(),
    };
    let plan = push_plan(&ranked[30..], &scoring, &pushed, |s| s.exhibit_id == "x30");
    assert_eq!(plan.len(), 1);
    assert_eq!(plan[0].exhibit_id, "x31");
    assert!(push_plan(&ranked[..0], &scoring, &Pushed::default(), |_| false).is_empty());
}

#[test]
fn a_dismissed_exhibit_pushes_its_near_duplicates_down() {
    let packed: Vec<PackedCandidate> = [
        ("a", towards(0, 1, 0.9)),
        ("a2", towards(0, 1, 0.89)),
        ("b", towards(0, 2, 0.88)),
    ]
    .iter()
    .map(|(id, v)| {
        let mut x = exhibit(id, "产品", None);
        x.details.markets = vec![];
        PackedCandidate::of(&x, &vectors(v.clone()))
    })
    .collect();
    let mut asked = intent("product", 100, "pcs");
    asked.certifications = vec![];
    let query = IntentQuery::of(&asked, query_vectors(axis(0)), &rates());
    let before = rank(&query, &packed);
    let order =
        |r: &Ranking| -> Vec<String> { r.best.iter().map(|s| s.exhibit_id.clone()).collect() };
    assert_eq!(order(&before), ["a", "a2", "b"]);
    let judged = query
        .clone()
        .with_feedback(before.feedback.clone())
        .with_verdicts(Verdicts {
            relevant: vec![],
            dismissed: vec![towards(0, 1, 0.9)],
        });
    let after = judged.rank(&packed, 30, &["a"], &ALL_RECORDED);
    assert_eq!(order(&after), ["b", "a2"], "{after:?}");
}

#[test]
fn vectors_survive_packing_and_separators_in_text_do_no_harm() {
    let mut odd = exhibit("x1", "Speaker|x;y", Some("a:b c"));
    odd.details.certifications = vec!["CE|X;Y".into()];
    odd.details.moq = Some(Moq {
        quantity: 5,
        unit: "big;box|x".into(),
    });
    let v = towards(3, 4, 0.9);
    let name = towards(5, 6, 0.8);
    let packed = PackedCandidate::of(
        &odd,
        &ExhibitVectors {
            text: v.clone(),
            name: Some(name.clone()),
        },
    );
    let view = packed.view().unwrap();
    assert_eq!(view.exhibit_id, "x1");
    assert_eq!(view.completeness, odd.completeness);
    let back = view.vector().unwrap();
    let cos: f32 = back.iter().zip(&v).map(|(a, b)| a * b).sum();
    assert!(cos > 0.999, "{cos}");
    assert!((f64::from(view.quantized().unwrap().cosine(&v)) - f64::from(cos)).abs() < 1e-5);
    assert!(view.quantized_name().unwrap().cosine(&name) > 0.999);
    assert!(decode_vector("not base64!").is_none());
    // A candidate packed before names were embedded reads without one.
    let earlier = PackedCandidate(packed.0.rsplit_once('|').unwrap().0.to_string());
    let view = earlier.view().expect("the earlier packing");
    assert!(view.quantized().is_some() && view.quantized_name().is_none());
}

#[test]
fn the_texts_embedded_hold_names_keywords_specs_and_description() {
    let mut x = exhibit("x1", "螺杆空压机", Some("Screw air compressor"));
    x.details.keywords = vec!["37kW".into(), "永磁变频".into()];
    x.details.specs = [("功率".to_string(), "37kW".to_string())].into();
    x.details.description = Some("节能".into());
    assert_eq!(
        exhibit_text(&x),
        "螺杆空压机. Screw air compressor. 37kW, 永磁变频. 功率: 37kW. 节能"
    );
    assert_eq!(exhibit_name_text(&x), "螺杆空压机. Screw air compressor");
    let mut i = intent("Compresor", 5, "unidades");
    i.keywords = vec!["tornillo".into()];
    assert_eq!(intent_text(&i), "Compresor. tornillo");
    assert_eq!(intent_name_text(&i), "Compresor");
}

#[test]
fn terms_hashed_in_one_pass_are_the_terms_as_parsed() {
    let mut x = exhibit(
        "x1",
        "无线蓝牙音箱 便携",
        Some("Portable wireless speakers"),
    );
    x.details.keywords = vec!["防水".into(), "IPX7".into()];
    let packed = PackedCandidate::of(&x, &vectors(towards(1, 2, 0.9)));
    // And a hand-written one with malformed pairs, which both readings skip.
    let odd = PackedCandidate(format!(
        "x2|e|声音:1 bad ok:12 :3 x:y z:4a last:2|9|||||0|{}",
        encode_vector(&axis(0))
    ));
    for candidate in [&packed, &odd] {
        let view = candidate.view().expect("a packed candidate");
        let parsed: Vec<(u64, &str, u32)> = view
            .terms()
            .filter(|(stem, _)| !stem.is_empty())
            .map(|(stem, weight)| (candidate::term_hash(stem), stem, weight))
            .collect();
        let hashed: Vec<(u64, &str, u32)> = view
            .hashed_terms()
            .into_iter()
            .map(|t| (t.hash, t.stem, t.weight))
            .collect();
        assert!(!hashed.is_empty());
        assert_eq!(hashed, parsed);
    }
    let odd_terms: Vec<&str> = odd
        .view()
        .unwrap()
        .hashed_terms()
        .iter()
        .map(|t| t.stem)
        .collect();
    assert_eq!(odd_terms, ["声音", "ok", "last"]);
}

#[test]
fn two_cosines_in_one_pass_are_the_two_cosines() {
    let packed = PackedCandidate::of(&exhibit("x", "产品", None), &vectors(towards(1, 2, 0.6)));
    let v = packed.view().unwrap().quantized().unwrap();
    let (a, b) = (towards(1, 3, 0.8), towards(2, 4, 0.5));
    let (ca, cb) = v.cosines(&a, &b);
    assert!((ca - v.cosine(&a)).abs() < 1e-5 && (cb - v.cosine(&b)).abs() < 1e-5);
}
