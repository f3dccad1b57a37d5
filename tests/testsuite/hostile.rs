//! Sources from the real world and from attackers (`tests/hostile/*.yaml`): each is built for
//! real, and its exit status and messages are pinned in `tests/hostile/<name>.out`. None may
//! panic or hang; every one either builds, with its text in the PDF, or is refused clearly.

use std::time::{Duration, Instant};

use crate::common::{Run, assert_golden, corpora, corpus_names, root};

#[test]
fn every_hostile_source_is_built_or_refused_clearly() {
    let dir = root().join("tests/hostile");
    let names = corpus_names("tests/hostile");
    assert!(names.len() >= 60, "the corpus has {} sources", names.len());
    let out = tempfile::tempdir().unwrap();
    for name in names {
        let path = format!("tests/hostile/{name}.yaml");
        let start = Instant::now();
        let result = Run::new(&["build", "--out", out.path().to_str().unwrap(), &path])
            .cwd(corpora())
            .output();
        let took = start.elapsed();
        assert!(took < Duration::from_secs(2), "{path} took {took:?}");
        assert!(
            matches!(result.status, 0 | 1),
            "{path} exited {}:\n{}",
            result.status,
            result.stderr
        );
        assert!(
            !result.stderr.contains("panicked") && !result.stderr.contains("internal error"),
            "{path}: {}",
            result.stderr
        );
        // No text of a source begins a line of the program's own.
        assert!(
            !result.stderr.lines().any(|l| l.starts_with("ok ")),
            "{path}: {}",
            result.stderr
        );
        // A message quotes a bounded part of a value, never a whole one.
        let longest = result.stderr.lines().map(|l| l.chars().count()).max();
        assert!(
            longest.unwrap_or(0) <= 1_000,
            "{path}: a line of {longest:?}"
        );
        let golden = dir.join(format!("{name}.out"));
        assert_golden(
            &golden,
            &format!("exit {}\n{}", result.status, result.stderr),
        );
    }
}

#[test]
fn hostile_text_that_builds_prints_as_typed() {
    let out = tempfile::tempdir().unwrap();
    let cases = [
        (
            "typst-markup",
            r"#set page(width: 1cm) *gras* _it_ $x^2$ @ref <lab> \ ] #",
        ),
        (
            "typst-code",
            r#"#read("/etc/passwd") #import "@preview/cetz:0.3.0": *"#,
        ),
        (
            "minijinja",
            "{{ 7 * 7 }} {% for x in range(9) %}x{% endfor %} {# c #}",
        ),
        ("html", "<script>alert(1)</script><b>gras</b>"),
        ("emoji", "Paix 😀 🕊️ 🌍 👍🏽"),
        // Right-to-left text builds too (rtl-arabic, rtl-hebrew), but pdftotext returns it in
        // visual order, so it cannot be compared as typed here.
    ];
    for (name, typed) in cases {
        let result = Run::new(&[
            "build",
            "--out",
            out.path().to_str().unwrap(),
            &format!("tests/hostile/{name}.yaml"),
        ])
        .cwd(corpora())
        .output();
        assert_eq!(result.status, 0, "{name}: {}", result.stderr);
        let pdf = out
            .path()
            .join(format!("pbf-irf-999/{name}/pbf-irf-999-{name}.fr.pdf"));
        let text = crate::common::squash(&crate::common::pdf_text(&pdf));
        // French typography may add narrow spaces and guillemets; squash removes both.
        assert!(
            text.contains(&crate::common::squash(typed)),
            "{name}: {typed} not in the PDF:\n{text}"
        );
    }
}

/// `a: ` and 100,000 `[` then as many `]`: one error, whose quoted value is cut, not a flood.
#[test]
fn a_huge_value_is_quoted_cut_to_a_line() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("brackets.yaml");
    let text = format!("a: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
    std::fs::write(&source, text).unwrap();
    let out = Run::new(&["check", source.to_str().unwrap()])
        .status(1)
        .stderr_has("help: put the text in quotes: a: \"[[[")
        .run();
    assert!(out.stderr.len() < 3_500, "{} bytes", out.stderr.len());
    assert!(out.stderr.contains("[…\""), "{}", out.stderr);
}
