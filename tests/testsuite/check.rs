//! `pbf-report check` on real files: the shipped example, a corpus of good sources and a corpus
//! of bad ones, each with the exact message a report writer sees (`tests/bad/*.stderr`).

use std::time::{Duration, Instant};

use crate::common::{Run, assert_golden, corpora, corpus_names, root};

#[test]
fn the_shipped_example_passes() {
    let out = Run::new(&["check"]).output();
    assert_eq!(out.stderr, "checked 1 source: 0 errors, 0 warnings\n");
    assert_eq!(out.status, 0);
}

#[test]
fn good_sources_pass() {
    let names = corpus_names("tests/good");
    assert!(names.len() >= 5);
    for name in names {
        let path = format!("tests/good/{name}.yaml");
        Run::new(&["check", "--deny-warnings", &path])
            .cwd(corpora())
            .status(0)
            .run();
    }
}

#[test]
fn bad_sources_fail_with_their_expected_message() {
    let names = corpus_names("tests/bad");
    assert!(names.len() >= 30, "the corpus has {} sources", names.len());
    for name in names {
        let path = format!("tests/bad/{name}.yaml");
        let start = Instant::now();
        let out = Run::new(&["check", &path]).cwd(corpora()).output();
        // A guard against hangs, not a speed test: `just bench` measures speed.
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{path} took {:?}",
            start.elapsed()
        );
        assert_eq!(out.status, 1, "{path} should fail:\n{}", out.stderr);
        assert!(!out.stderr.contains("panicked"), "{path} panicked");
        let golden = root().join(format!("tests/bad/{name}.stderr"));
        assert_golden(&golden, &out.stderr);
    }
}

#[test]
fn all_sources_of_a_run_are_checked_and_summed_up() {
    let out = Run::new(&[
        "check",
        "tests/bad/irf-24-months.yaml",
        "tests/good/minimal.yaml",
        "tests/bad/empty-file.yaml",
    ])
    .cwd(corpora())
    .status(1)
    .run();
    assert!(
        out.stderr
            .ends_with("checked 3 sources: 2 errors, 0 warnings\n"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_ten_megabyte_source_is_refused_at_once() {
    let line = format!("status: {}\n", "x".repeat(1000));
    Run::new(&["check", "huge.yaml"])
        .file("huge.yaml", line.repeat(10 * 1024))
        .status(1)
        .stderr_has("the file is larger than 1024 KiB, the most a report source may be")
        .run();
}

#[test]
fn warnings_fail_only_when_denied() {
    let (_dir, path) = minimal_with(&[(
        "  rating: on_track\n  peacebuilding",
        "  rating: off_track\n  peacebuilding",
    )]);
    let stderr = warns_unless_denied(&path);
    assert!(
        stderr.contains("warning: progress.off_track: the project is rated off track"),
        "{stderr}"
    );
}

/// The minimal good source with `edits` made, in a temporary folder.
fn minimal_with(edits: &[(&str, &str)]) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("edited.yaml");
    let mut text = std::fs::read_to_string(root().join("tests/good/minimal.yaml")).unwrap();
    for (from, to) in edits {
        assert!(text.contains(from), "{from}");
        text = text.replace(from, to);
    }
    std::fs::write(&path, text).unwrap();
    let path = path.to_str().unwrap().to_string();
    (dir, path)
}

/// Checks `path`: it must pass with warnings, and fail with `--deny-warnings`. Returns what the
/// check printed.
fn warns_unless_denied(path: &str) -> String {
    let out = Run::new(&["check", path]).output();
    assert_eq!(out.status, 0, "{}", out.stderr);
    let denied = Run::new(&["check", "--deny-warnings", path]).output();
    assert_eq!(denied.status, 1, "{}", denied.stderr);
    out.stderr
}

#[test]
fn a_missing_path_is_an_error() {
    let out = Run::new(&["check", "data/no-such-report.yaml"]).output();
    assert_eq!(out.status, 1);
    assert!(
        out.stderr.starts_with(
            "error: data/no-such-report.yaml: no such file or folder; check the path\n"
        )
    );
}

#[test]
fn a_gender_share_under_15_percent_is_warned_about() {
    let (_dir, path) = minimal_with(&[
        ("      gender: 25000\n", "      gender: 20000\n"),
        ("gender_planned: 25000\n", "gender_planned: 20000\n"),
    ]);
    let stderr = warns_unless_denied(&path);
    assert!(
        stderr.starts_with(
            "warning: finance.gender_planned: gender equality and women's empowerment get 12.5% \
             of the budget; PBF expects at least 15%\n"
        ),
        "{stderr}"
    );
}

#[test]
fn counts_list_every_limited_text_with_what_is_left() {
    let out = Run::new(&[
        "check",
        "--counts",
        "tests/good/limit-exactly-1500.yaml",
        "tests/bad/limit-note-501.yaml",
    ])
    .cwd(corpora())
    .status(1)
    .run();
    let rows: Vec<Vec<&str>> = out
        .stdout
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    let row = |field: &str| {
        rows.iter()
            .find(|r| r.first() == Some(&field))
            .unwrap_or_else(|| panic!("no row for {field}:\n{}", out.stdout))
            .clone()
    };
    // A text exactly at its limit has nothing left; one over it has a negative rest, marked.
    assert_eq!(row("progress.status")[1..], ["1500", "1500", "0"]);
    assert_eq!(
        row("finance.delay_explanation")[1..],
        ["501", "500", "-1", "over"]
    );
    assert_eq!(row("outcomes[1].summary")[2], "3000");
    assert_eq!(row("outcomes[1].indicators[1].baseline")[2], "300");
    // Fields the form sets no limit on are not listed.
    assert!(!out.stdout.contains("cover.title"), "{}", out.stdout);
    assert!(
        out.stdout.contains("1 over the limit, 0 within 5% of it"),
        "{}",
        out.stdout
    );
    // The diagnostics still go to standard error.
    assert!(out.stderr.contains("501 characters"), "{}", out.stderr);
}

#[test]
fn a_report_is_dated_within_its_project() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join("tests/good/minimal.yaml")).unwrap();
    let late = dir.path().join("late.yaml");
    std::fs::write(
        &late,
        text.replace("report_date: 2020-06-15", "report_date: 2021-06-15"),
    )
    .unwrap();
    let out = Run::new(&["check", late.to_str().unwrap()]).output();
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("a progress report dated 2021-06-15 is after the project's last month (2020-12: 18 months from 2019-07)"),
        "{}",
        out.stderr
    );
    let final_text = text.replace("report_type: semi_annual", "report_type: final");
    for (date, warned) in [("2021-12-15", false), ("2022-01-15", true)] {
        let path = dir.path().join(format!("final-{date}.yaml"));
        std::fs::write(
            &path,
            final_text.replace("report_date: 2020-06-15", &format!("report_date: {date}")),
        )
        .unwrap();
        let out = Run::new(&["check", path.to_str().unwrap()]).output();
        assert_eq!(
            out.stderr
                .contains("more than a year after the project's last month (2020-12)"),
            warned,
            "{date}: {}",
            out.stderr
        );
    }
    let last = dir.path().join("last.yaml");
    std::fs::write(
        &last,
        text.replace("report_date: 2020-06-15", "report_date: 2020-12-31"),
    )
    .unwrap();
    let out = Run::new(&["check", "--deny-warnings", last.to_str().unwrap()]).output();
    assert_eq!(out.status, 0, "{}", out.stderr);
}

/// A case that differs from another source in a few lines is a patch of it (`tests/*/NAME.diff`),
/// never a whole copy: a change of the model then edits one base, not every case.
#[test]
fn no_test_source_is_a_near_copy_of_another() {
    let mut sources: Vec<(String, std::collections::HashMap<String, usize>)> = Vec::new();
    for folder in [
        "tests/good",
        "tests/bad",
        "tests/hostile",
        "data/pbf-irf-217",
    ] {
        for entry in std::fs::read_dir(root().join(folder)).unwrap().flatten() {
            let name = entry.file_name().into_string().unwrap();
            if !name.ends_with(".yaml") {
                continue;
            }
            let bytes = std::fs::read(entry.path()).unwrap();
            let mut lines = std::collections::HashMap::new();
            for line in String::from_utf8_lossy(&bytes).split(['\n', '\r']) {
                if !line.trim().is_empty() {
                    *lines.entry(line.to_string()).or_insert(0) += 1;
                }
            }
            sources.push((format!("{folder}/{name}"), lines));
        }
    }
    assert!(sources.len() > 10, "{} sources", sources.len());
    let size = |lines: &std::collections::HashMap<String, usize>| lines.values().sum::<usize>();
    let mut copies = Vec::new();
    for (i, (a, a_lines)) in sources.iter().enumerate() {
        for (b, b_lines) in &sources[i + 1..] {
            let shared: usize = a_lines
                .iter()
                .map(|(line, n)| (*n).min(b_lines.get(line).copied().unwrap_or(0)))
                .sum();
            // Most of the larger is the smaller: a source that only adds much to a base (ten
            // thousand keys) is no copy.
            let larger = size(a_lines).max(size(b_lines));
            if larger >= 20 && shared * 10 >= larger * 8 {
                copies.push(format!("{a} and {b} share {shared} of {larger} lines"));
            }
        }
    }
    assert!(
        copies.is_empty(),
        "make these patches of a base (diff -u BASE CASE > CASE.diff):\n{}",
        copies.join("\n")
    );
}

/// `check` refuses what `build` would for its length: every narrative answer within its limit,
/// written one character a line, makes a PDF of some 300 pages, and the error names the texts
/// that make it so, before anything is laid out.
#[test]
fn a_source_too_long_to_lay_out_is_refused_by_check() {
    // The form's narrative answers, by their field's name: the description says which.
    let form = pbf_report::form::Form::pbf_2019();
    let narratives: Vec<String> = form
        .fields()
        .iter()
        .filter(|f| f.question.kind == pbf_report::form::Kind::Narrative)
        .map(|f| f.path.rsplit('.').next().unwrap().to_string())
        .collect();
    fn lengthen(value: &mut serde_json::Value, key: &str, narratives: &[String]) {
        match value {
            serde_json::Value::Object(map) => {
                for (k, v) in map.iter_mut() {
                    // A text per language is its field's.
                    let key = if k == "fr" || k == "en" { key } else { k };
                    lengthen(v, key, narratives);
                }
            }
            serde_json::Value::Array(items) => {
                items.iter_mut().for_each(|v| lengthen(v, key, narratives))
            }
            serde_json::Value::String(text) if narratives.iter().any(|n| n == key) => {
                let most = if key == "summary" { 3000 } else { 1500 };
                *text = "x\n".repeat(most / 2).trim().to_string();
            }
            _ => {}
        }
    }
    let text = std::fs::read_to_string(root().join("tests/good/minimal.yaml")).unwrap();
    let mut answers: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
    for part in ["progress", "cross_cutting", "outcomes"] {
        lengthen(&mut answers[part], part, &narratives);
    }
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("2020-06-15-long.yaml");
    std::fs::write(&source, serde_json::to_string_pretty(&answers).unwrap()).unwrap();
    let out = Run::new(&["check", source.to_str().unwrap()])
        .status(1)
        .run();
    assert!(
        out.stderr.contains("its texts would make the fr PDF about")
            && out
                .stderr
                .contains("too close to the 200 a report may have"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("the next longest:"), "{}", out.stderr);
    // The same texts in prose are well within it.
    let prose = std::fs::read_to_string(&source)
        .unwrap()
        .replace("x\\n", "x ");
    std::fs::write(&source, prose).unwrap();
    Run::new(&["check", source.to_str().unwrap()])
        .status(0)
        .run();
}
