//! `cargo bench`: how long checking and building the shipped example takes, as medians of
//! repeated runs. In-process figures share the fonts loaded once; whole-process figures run the
//! release binary as a report writer does.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use pbf_report::check;
use pbf_report::i18n::Catalog;
use pbf_report::render::{annex_a, document, pdf};

const EXAMPLE: &str = "data/pbf-irf-217/2019-11-12-final.yaml";

fn measure(name: &str, runs: usize, mut f: impl FnMut()) {
    f(); // warm-up: fonts, caches, page cache
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{name:<44} median {:>8.2} ms   min {:>8.2} ms   max {:>8.2} ms   ({runs} runs)",
        ms(times[runs / 2]),
        ms(times[0]),
        ms(times[runs - 1])
    );
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::env::set_current_dir(root).unwrap();
    let source = root.join(EXAMPLE);
    let report = check::check_file(&source)
        .report
        .expect("the example is valid");

    measure("check the example (in process)", 50, || {
        assert!(!check::check_file(&source).has_errors());
    });
    for lang in ["fr", "en"] {
        let catalog = Catalog::load(lang).unwrap();
        measure(&format!("render the {lang} PDF (in process)"), 20, || {
            pdf::render(
                &report,
                &source,
                "2019-11-12-final",
                &catalog,
                document::Options::default(),
            )
            .unwrap();
        });
    }

    let bin = env!("CARGO_BIN_EXE_pbf-report");
    let out = tempfile::tempdir().unwrap();
    measure("`pbf-report check` (whole process)", 20, || {
        assert!(
            Command::new(bin)
                .args(["check", EXAMPLE])
                .output()
                .unwrap()
                .status
                .success()
        );
    });
    measure("`pbf-report build` fr+en, PDFs and workbooks (whole process)", 10, || {
        let status = Command::new(bin)
            .args(["build", "--out", out.path().to_str().unwrap(), EXAMPLE])
            .output()
            .unwrap()
            .status;
        assert!(status.success());
    });
    let bad: Vec<_> = std::fs::read_dir(root.join("tests/bad"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    measure(
        &format!("`pbf-report check` on {} bad sources, each", bad.len()),
        5,
        || {
            for path in &bad {
                Command::new(bin)
                    .args(["check", path.to_str().unwrap()])
                    .output()
                    .unwrap();
            }
        },
    );

    if let Ok(typst) = which("typst") {
        let emit = tempfile::tempdir().unwrap();
        let status = Command::new(bin)
            .args([
                "build",
                "--out",
                out.path().to_str().unwrap(),
                "--emit-typst",
                emit.path().to_str().unwrap(),
                EXAMPLE,
            ])
            .output()
            .unwrap()
            .status;
        assert!(status.success());
        let dir = emit.path().join("pbf-irf-217/2019-11-12-final/fr");
        measure("stock `typst compile` of the fr PDF", 10, || {
            let status = Command::new(&typst)
                .current_dir(&dir)
                .args([
                    "compile",
                    "--ignore-system-fonts",
                    "--font-path",
                    "fonts",
                    "report.typ",
                    "report.pdf",
                ])
                .output()
                .unwrap()
                .status;
            assert!(status.success());
        });
    } else {
        println!("stock typst CLI: not installed, not measured");
    }
}

fn which(program: &str) -> Result<std::path::PathBuf, ()> {
    std::env::var_os("PATH")
        .and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|p| p.join(program))
                .find(|p| p.is_file())
        })
        .ok_or(())
}
