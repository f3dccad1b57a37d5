//! `cargo bench`: how long checking and building takes, as medians of repeated runs. In-process
//! figures share the fonts loaded once; whole-process figures run the release binary as a report
//! writer does. Peak memory comes from GNU time (`/usr/bin/time`) when the machine has it. The
//! whole build is compared with PyPI's `typst` (the same compiler) compiling the emitted French
//! document alone, installed with pip when the machine has it.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use pbf_report::check;
use pbf_report::i18n::Catalog;
use pbf_report::render::{annex_a, document, pdf};

#[path = "shared/measure.rs"]
mod measure;
use measure::measure;

// The tests' corpora: the bad sources are patches of a base, applied there.
#[path = "../tests/testsuite/common.rs"]
#[allow(dead_code)]
mod common;

const EXAMPLE: &str = "data/pbf-irf-217/2019-11-12-final.yaml";
const BATCH: usize = 50;

/// Runs the binary with `args` from `dir`, asserting success.
fn run(dir: &Path, args: &[&str]) {
    let out = Command::new(env!("CARGO_BIN_EXE_pbf-report"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Peak resident memory of one run of the binary, in MiB, if GNU time is there.
fn peak_memory(dir: &Path, args: &[&str]) -> Option<f64> {
    let out = Command::new("/usr/bin/time")
        .args(["-f", "%M"])
        .arg(env!("CARGO_BIN_EXE_pbf-report"))
        .args(args)
        .current_dir(dir)
        .output()
        .ok()?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    let kib: f64 = stderr.lines().last()?.trim().parse().ok()?;
    Some(kib / 1024.0)
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let source = root.join(EXAMPLE);
    let report = check::check_file(&source)
        .report
        .expect("the example is valid");

    measure("check the example (in process)", 50, || {
        assert!(!check::check_file(&source).has_errors());
    });
    let templates = pbf_report::templates::Templates::builtin();
    for lang in ["fr", "en"] {
        let catalog = Catalog::load(lang).unwrap();
        measure(&format!("render the {lang} PDF (in process)"), 20, || {
            let options = document::Options::default();
            pdf::render(
                &templates,
                &report,
                &source,
                "2019-11-12-final",
                &catalog,
                options,
                &[],
            )
            .unwrap();
        });
        measure(
            &format!("write the {lang} Annex A workbook (in process)"),
            50,
            || {
                annex_a::render(report.typed.as_ref().unwrap(), &catalog).unwrap();
            },
        );
    }

    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    std::fs::create_dir_all(dir.join("data/pbf-irf-217")).unwrap();
    std::fs::copy(&source, dir.join(EXAMPLE)).unwrap();
    measure("`pbf-report check` (whole process)", 20, || {
        run(dir, &["check", EXAMPLE])
    });
    std::fs::copy(root.join("spelling.txt"), dir.join("spelling.txt")).unwrap();
    measure("`pbf-report check --spelling` (whole process)", 20, || {
        run(dir, &["check", "--spelling", EXAMPLE])
    });
    let one = measure(
        "`pbf-report build` from scratch: 2 PDFs, 2 workbooks",
        10,
        || {
            let _ = std::fs::remove_dir_all(dir.join("out"));
            run(dir, &["build", EXAMPLE]);
        },
    );
    measure(
        "`pbf-report build` again, nothing changed (no-op)",
        20,
        || run(dir, &["build", EXAMPLE]),
    );

    // A batch of generated sources: the example as 50 projects, each with its own project id,
    // number (printed on every page) and country.
    let text = std::fs::read_to_string(&source).unwrap();
    for i in 0..BATCH {
        let n = 300 + i;
        let folder = dir.join("batch").join(format!("pbf-irf-{n}"));
        std::fs::create_dir_all(&folder).unwrap();
        let own = text
            .replace("irf-217", &format!("irf-{n}"))
            .replace("IRF-217", &format!("IRF-{n}"))
            .replacen("country: Mali", &format!("country: Mali {n}"), 1);
        std::fs::write(folder.join("2019-11-12-final.yaml"), own).unwrap();
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let batch = measure(
        &format!("`pbf-report build` of {BATCH} sources on {cores} cores, from scratch"),
        3,
        || {
            let _ = std::fs::remove_dir_all(dir.join("out"));
            run(dir, &["build", "--quiet", "batch"]);
        },
    );
    println!(
        "{BATCH} sources take {:.1} times one source",
        batch.as_secs_f64() / one.as_secs_f64()
    );
    let _ = std::fs::remove_dir_all(dir.join("out"));
    match peak_memory(dir, &["build", "--quiet", "batch"]) {
        Some(mib) => println!("peak memory of the {BATCH}-source build: {mib:.1} MiB"),
        None => println!("peak memory: /usr/bin/time not available"),
    }
    let _ = std::fs::remove_dir_all(dir.join("out"));
    if let Some(mib) = peak_memory(dir, &["build", "--quiet", EXAMPLE]) {
        println!("peak memory of building the example: {mib:.1} MiB");
    }

    let bad = common::corpora().join("tests/bad");
    let bad: Vec<_> = common::corpus_names("tests/bad")
        .iter()
        .map(|name| bad.join(format!("{name}.yaml")))
        .collect();
    measure(
        &format!(
            "`pbf-report check` of all {} bad sources, one process each",
            bad.len()
        ),
        5,
        || {
            for path in &bad {
                Command::new(env!("CARGO_BIN_EXE_pbf-report"))
                    .args(["check", path.to_str().unwrap()])
                    .output()
                    .unwrap();
            }
        },
    );

    against_peer(dir);
    pathological(dir, &source, 14_000);
    pathological(dir, &source, 16);
}

/// The Python interpreter itself (not a shell shim in front of it) with PyPI's `typst` module,
/// installed here with pip when the machine has pip and the module is missing.
fn python_with_typst() -> Option<std::path::PathBuf> {
    let has_typst = |python: &Path| {
        Command::new(python)
            .args(["-c", "import typst"])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    let out = Command::new("python3")
        .args(["-c", "import sys; print(sys.executable)"])
        .output()
        .ok()?;
    let python = std::path::PathBuf::from(String::from_utf8(out.stdout).ok()?.trim());
    if !has_typst(&python) {
        println!(
            "installing PyPI typst for the comparison (python3 -m pip install 'typst>=0.15,<0.16')"
        );
        let _ = Command::new(&python)
            .args(["-m", "pip", "install", "--quiet", "typst>=0.15,<0.16"])
            .status();
    }
    has_typst(&python).then_some(python)
}

/// Our whole build of the example against the same compiler, from PyPI, compiling the emitted
/// French document alone: whole processes, in turn, the ratio taken pair by pair.
fn against_peer(dir: &Path) {
    let Some(python) = python_with_typst() else {
        println!("PyPI typst: python3 with pip not available, not compared");
        return;
    };
    let _ = std::fs::remove_dir_all(dir.join("emit"));
    run(dir, &["build", "--emit-typst", "emit", EXAMPLE]);
    let emitted = dir.join("emit/pbf-irf-217/2019-11-12-final/fr");
    let peer = || {
        let start = Instant::now();
        let status = Command::new(&python)
            .current_dir(&emitted)
            .args([
                "-c",
                "import typst; typst.compile('report.typ', output='report.pdf', font_paths=['fonts'], \
                 ignore_system_fonts=True, pdf_standards=['a-3b'])",
            ])
            .status()
            .unwrap();
        assert!(status.success());
        start.elapsed()
    };
    let ours = || {
        let _ = std::fs::remove_dir_all(dir.join("out"));
        let start = Instant::now();
        run(dir, &["build", EXAMPLE]);
        start.elapsed()
    };
    ours();
    peer();
    let pairs: Vec<(Duration, Duration)> = (0..15).map(|_| (ours(), peer())).collect();
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let ms = |d: &Duration| d.as_secs_f64() * 1000.0;
    println!(
        "whole build of the example (2 PDFs, 2 workbooks)               median {:>9.2} ms",
        median(pairs.iter().map(|p| ms(&p.0)).collect())
    );
    println!(
        "PyPI typst compiling the emitted fr document alone               median {:>9.2} ms",
        median(pairs.iter().map(|p| ms(&p.1)).collect())
    );
    println!(
        "ratio, our whole build / one peer compile (15 pairs)             median {:>9.3}",
        median(pairs.iter().map(|p| ms(&p.0) / ms(&p.1)).collect())
    );
}

/// Peak memory of building a source whose title is one letter and `marks` combining accents.
fn pathological(dir: &Path, source: &Path, marks: usize) {
    let text = std::fs::read_to_string(source).unwrap();
    let title = format!("a{}", "\u{301}".repeat(marks));
    let folder = dir.join("marks/pbf-irf-217");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(
        folder.join("2019-11-12-final.yaml"),
        text.replace(
            "title: \"Peers for Peace Building Social Cohesion in Mopti and Segou Regions\"",
            &format!("title: \"{title}\""),
        ),
    )
    .unwrap();
    let _ = std::fs::remove_dir_all(dir.join("out-marks"));
    let checked = Command::new(env!("CARGO_BIN_EXE_pbf-report"))
        .args(["check", "marks"])
        .current_dir(dir)
        .output()
        .unwrap();
    let verdict = if checked.status.success() {
        "built"
    } else {
        "refused by check"
    };
    if let Some(mib) = peak_memory(dir, &["build", "--quiet", "--out", "out-marks", "marks"]) {
        println!(
            "peak memory, a title of one letter and {marks} combining marks ({verdict}): {mib:.1} MiB"
        );
    }
}
