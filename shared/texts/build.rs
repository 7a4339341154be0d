//! Embeds every catalogue under `catalogues/` (`<BCP 47 tag>.ftl`): adding a language is adding
//! its file, with no code to change.

use std::{env, fs, path::PathBuf};

fn main() {
    let dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap()).join("catalogues");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<(String, PathBuf)> = fs::read_dir(&dir)
        .expect("the catalogues folder")
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            let tag = path
                .file_name()?
                .to_str()?
                .strip_suffix(".ftl")?
                .to_string();
            Some((tag, path))
        })
        .collect();
    files.sort();
    let mut out = String::from("/// Every catalogue: its language tag and its Fluent source.\n");
    out.push_str("pub static CATALOGUES: &[(&str, &str)] = &[\n");
    for (tag, path) in &files {
        println!("cargo:rerun-if-changed={}", path.display());
        out.push_str(&format!(
            "    ({tag:?}, include_str!({:?})),\n",
            path.display().to_string()
        ));
    }
    out.push_str("];\n");
    let target = PathBuf::from(env::var("OUT_DIR").unwrap()).join("catalogues.rs");
    fs::write(target, out).expect("write catalogues.rs");
}
