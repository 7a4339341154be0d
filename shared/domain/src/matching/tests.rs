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

/// A vector pointing mostly along axis `i` (a stand-in for the model in unit tests).
fn axis(i: usize, lean: f32) -> Vec<f32> {
    let mut v = vec![0.0f32; crate::ports::EMBEDDING_DIM];
    v[i] = 1.0;
    let next = (i + 1) % v.len();
    v[next] = lean;
    let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    v.iter().map(|x| x / n).collect()
}

#[test]
fn fit_is_judged_across_units_currencies_certifications_and_regions() {
    let drill = PackedCandidate::of(
        &exhibit("x1", "锂电钻", Some("Cordless drills")),
        &axis(0, 0.0),
    );
    let query = IntentQuery::of(
        &intent("cordless drill", 2_000, "pieces"),
        Some(axis(0, 0.1)),
        &rates(),
    );
    let views = [drill.view().unwrap()];
    let stats = query.stats(&prepare_views(&views));
    let scored = query
        .score(&views[0], &stats, &Scoring::FITTED)
        .expect("above the floor");
    let texts = scored.explained(Language::En).0;
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
    let codes = scored.explained(Language::En).1;
    assert!(
        codes.contains(&"moq_fits".to_string()) && codes.contains(&"similar_product".to_string()),
        "{codes:?}"
    );
}

#[test]
fn an_unrelated_exhibit_stays_under_the_floor_even_sharing_a_word() {
    let grinder = PackedCandidate::of(
        &exhibit("x2", "锂电角磨机", Some("Cordless angle grinder")),
        &axis(5, 0.0),
    );
    let query = IntentQuery::of(
        &intent("cordless drill", 2_000, "pcs"),
        Some(axis(0, 0.0)),
        &rates(),
    );
    let ranking = query.rank(&[grinder], 10, &Scoring::FITTED);
    assert_eq!(ranking.matched, 0, "{ranking:?}");
}

#[test]
fn meaning_carries_across_languages_where_no_word_is_shared() {
    let compressor = PackedCandidate::of(&exhibit("x3", "螺杆空压机", None), &axis(7, 0.0));
    let other = PackedCandidate::of(&exhibit("x4", "活塞空压机", None), &axis(9, 0.0));
    let query = IntentQuery::of(
        &intent("Compresor de aire de tornillo", 5, "unidades"),
        Some(axis(7, 0.2)),
        &rates(),
    );
    let ranking = query.rank(&[compressor, other], 10, &Scoring::FITTED);
    assert_eq!(ranking.best.len(), 1);
    assert_eq!(ranking.best[0].exhibit_id, "x3");
}

#[test]
fn bm25_prefers_the_rarer_word_and_names_over_descriptions() {
    let mut in_description = exhibit("a", "电钻", None);
    in_description.details.description = Some("impact".into());
    let in_name = exhibit("b", "Impact drill", None);
    let plain = exhibit("c", "Drill", None);
    let v = axis(0, 0.0);
    let candidates: Vec<PackedCandidate> = [in_description, in_name, plain]
        .iter()
        .map(|x| PackedCandidate::of(x, &v))
        .collect();
    let query = IntentQuery::of(
        &intent("impact drill", 500, "pcs"),
        Some(v.clone()),
        &rates(),
    );
    let views: Vec<CandidateView> = candidates
        .iter()
        .filter_map(PackedCandidate::view)
        .collect();
    let stats = query.stats(&prepare_views(&views));
    let lexical: Vec<f64> = views
        .iter()
        .map(|c| query.parts(c, &stats).lexical)
        .collect();
    assert!(lexical[1] > lexical[0] && lexical[0] > 0.0, "{lexical:?}");
    assert!(lexical[1] > lexical[2], "{lexical:?}");
    assert!(lexical[1] <= 1.0);
}

#[test]
fn the_push_plan_caps_per_exhibitor_and_in_all() {
    let scored = |i: usize, exhibitor: &str| Scored {
        exhibit_id: format!("x{i:02}"),
        exhibitor_id: exhibitor.into(),
        score: 1.0 - i as f64 / 100.0,
        reasons: vec![],
    };
    let ranked: Vec<Scored> = (0..30)
        .map(|i| scored(i, if i < 5 { "big" } else { "other" }))
        .collect();
    let mut ranked2 = ranked.clone();
    ranked2.extend((30..50).map(|i| scored(i, &format!("e{i}"))));
    let plan = push_plan(&ranked2);
    assert_eq!(plan.len(), MAX_PUSHES_PER_INTENT);
    assert_eq!(plan.iter().filter(|s| s.exhibitor_id == "big").count(), 2);
    assert_eq!(plan.iter().filter(|s| s.exhibitor_id == "other").count(), 2);
    assert!(push_plan(&ranked[..0]).is_empty());
}

#[test]
fn vectors_survive_packing_and_separators_in_text_do_no_harm() {
    let mut odd = exhibit("x1", "Speaker|x;y", Some("a:b c"));
    odd.details.certifications = vec!["CE|X;Y".into()];
    odd.details.moq = Some(Moq {
        quantity: 5,
        unit: "big;box|x".into(),
    });
    let v = axis(3, 0.5);
    let packed = PackedCandidate::of(&odd, &v);
    let view = packed.view().unwrap();
    assert_eq!(view.exhibit_id, "x1");
    assert_eq!(view.completeness, odd.completeness);
    let back = view.vector().unwrap();
    let cos: f32 = back.iter().zip(&v).map(|(a, b)| a * b).sum();
    assert!(cos > 0.999, "{cos}");
    assert!((f64::from(view.quantized().unwrap().cosine(&v)) - f64::from(cos)).abs() < 1e-5);
    assert!(decode_vector("not base64!").is_none());
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
    let mut i = intent("Compresor", 5, "unidades");
    i.keywords = vec!["tornillo".into()];
    assert_eq!(intent_text(&i), "Compresor. tornillo");
}

#[test]
fn terms_hashed_in_one_pass_are_the_terms_as_parsed() {
    let mut x = exhibit(
        "x1",
        "无线蓝牙音箱 便携",
        Some("Portable wireless speakers"),
    );
    x.details.keywords = vec!["防水".into(), "IPX7".into()];
    let packed = PackedCandidate::of(&x, &axis(1, 0.2));
    // And a hand-written one with malformed pairs, which both readings skip.
    let odd = PackedCandidate(format!(
        "x2|e|声音:1 bad ok:12 :3 x:y z:4a last:2|9|||||0|{}",
        encode_vector(&axis(0, 0.0))
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
