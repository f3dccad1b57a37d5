//! The translators' workflow: `i18n check` on the repository and on catalogs broken one rule at
//! a time, `i18n status`, a new language from a new file, and the French and English documents
//! asking the same questions in the same order.

use std::path::{Path, PathBuf};

use crate::common::{Run, root};

/// A copy of the repository's catalogs, for breaking.
fn catalogs() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let i18n = dir.path().join("i18n");
    std::fs::create_dir(&i18n).unwrap();
    for lang in ["en", "fr"] {
        std::fs::copy(
            root().join(format!("templates/i18n/{lang}.yaml")),
            i18n.join(format!("{lang}.yaml")),
        )
        .unwrap();
    }
    (dir, i18n)
}

fn edit(file: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(file).unwrap();
    assert!(text.contains(from), "{from}");
    std::fs::write(file, text.replacen(from, to, 1)).unwrap();
}

fn check(dir: &Path) -> crate::common::Output {
    Run::new(&["i18n", "check", "--dir", dir.to_str().unwrap()]).output()
}

#[test]
fn the_repository_catalogs_pass() {
    let out = Run::new(&["i18n", "check"]).output();
    assert_eq!(out.stderr, "checked 2 catalogs: 0 problems\n");
    assert_eq!(out.status, 0);
}

#[test]
fn a_changed_english_text_makes_its_translation_stale() {
    let (_dir, i18n) = catalogs();
    edit(
        &i18n.join("en.yaml"),
        "cover.country: \"COUNTRY:\"",
        "cover.country: \"COUNTRY NAME:\"",
    );
    let out = check(&i18n);
    assert_eq!(out.status, 1);
    let fr = i18n.join("fr.yaml");
    let line = std::fs::read_to_string(&fr)
        .unwrap()
        .lines()
        .position(|l| l.starts_with("cover.country:"))
        .unwrap()
        + 1;
    let expected =
        "error: `cover.country` is stale: the English text changed since it was translated (en:"
            .to_string();
    assert!(out.stderr.contains(&expected), "{}", out.stderr);
    assert!(
        out.stderr
            .contains(&format!("  --> {}:{line}:1", fr.display())),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("   = English now: \"COUNTRY NAME:\""));
    let hash = &pbf_report::hash::sha256(b"COUNTRY NAME:")[..8];
    assert!(
        out.stderr
            .contains(&format!("end the line with  # en:{hash}")),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.ends_with("checked 2 catalogs: 1 problem\n"),
        "{}",
        out.stderr
    );

    // The translator updates the text and the mark: clean again.
    edit(
        &fr,
        "cover.country: \"PAYS:\"",
        "cover.country: \"NOM DU PAYS:\"",
    );
    let text = std::fs::read_to_string(&fr).unwrap();
    let fixed: String = text
        .lines()
        .map(|l| {
            if l.starts_with("cover.country:") {
                format!("cover.country: \"NOM DU PAYS:\"  # en:{hash}\n")
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    std::fs::write(&fr, fixed).unwrap();
    assert_eq!(check(&i18n).status, 0);
}

#[test]
fn each_rule_is_reported_with_file_line_and_key() {
    let cases: [(&str, &str, &str, &str); 7] = [
        (
            "fr",
            "doc.unofficial: \"Traduction non officielle\"",
            "",
            "error: `doc.unofficial` is missing",
        ),
        (
            "fr",
            "doc.title:",
            "doc.subtitle: \"Sous-titre\"  # en:00000000\ndoc.title:",
            "error: `doc.subtitle` is not in the English catalog",
        ),
        (
            "fr",
            "Page {{ page }} sur {{ total }}",
            "Page {{ page }} sur {{ totale }}",
            "error: `doc.page` has the placeholders {\"page\", \"totale\"}, English has {\"page\", \"total\"}",
        ),
        (
            "fr",
            "\"Traduction non officielle\"",
            "\"\"",
            "error: `doc.unofficial` is empty",
        ),
        (
            "fr",
            "Prise de risques\\u202F: Décrivez",
            "Prise de risques : Décrivez",
            "error: `cross_cutting.risk_taking`: a space before `:`; French wants a narrow no-break space (U+202F) there",
        ),
        (
            "fr",
            "doc.title: \"RAPPORT DE PROGRES DE PROJET PBF\"  # en:a6b815a1",
            "doc.title: \"RAPPORT DE PROGRES DE PROJET PBF\"",
            "error: `doc.title` is stale: it does not say which English text it translates",
        ),
        (
            "en",
            "doc.title: \"PBF PROJECT PROGRESS REPORT\"",
            "doc.title: [\"PBF\", \"REPORT\"]",
            "error: each line holds one entry: key: \"text\"",
        ),
    ];
    for (lang, from, to, expected) in cases {
        let (_dir, i18n) = catalogs();
        edit(&i18n.join(format!("{lang}.yaml")), from, to);
        let out = check(&i18n);
        assert_eq!(out.status, 1, "{expected}");
        assert!(
            out.stderr.starts_with(expected),
            "expected {expected}\n got {}",
            out.stderr
        );
        assert!(
            out.stderr.contains(&format!("{lang}.yaml")),
            "{}",
            out.stderr
        );
    }
}

#[test]
fn status_counts_translated_missing_and_stale_entries() {
    let (_dir, i18n) = catalogs();
    std::fs::write(
        i18n.join("es.yaml"),
        "doc.title: \"INFORME DE PROGRESO DEL PROYECTO PBF\"  # en:a6b815a1\ndoc.fund: \"FONDO\"\n",
    )
    .unwrap();
    let out = Run::new(&["i18n", "status", "--dir", i18n.to_str().unwrap()]).output();
    assert_eq!(out.status, 0);
    let total = pbf_report::i18n::Catalog::load("en").unwrap().entries.len();
    assert_eq!(
        out.stdout,
        format!(
            "language   translated  missing  stale  extra\n\
             en                {total:>3}        0      0      0 (reference)\n\
             es                  1      {:>3}      1      0\n\
             fr                {total:>3}        0      0      0\n",
            total - 2
        )
    );
}

#[test]
fn a_new_language_is_a_new_catalog_file() {
    // A small Spanish catalog: the English one with a few entries translated.
    let english = std::fs::read_to_string(root().join("templates/i18n/en.yaml")).unwrap();
    let spanish = english
        .replace("\"COUNTRY:\"", "\"PAÍS:\"")
        .replace(
            "\"PBF PROJECT PROGRESS REPORT\"",
            "\"INFORME DE PROGRESO DEL PROYECTO PBF\"",
        )
        .replace(
            "\"Page {{ page }} of {{ total }}\"",
            "\"Página {{ page }} de {{ total }}\"",
        );
    let (entries, problems) = pbf_report::i18n::parse(Path::new("es.yaml"), &spanish);
    assert!(problems.is_empty());
    let catalog = pbf_report::i18n::Catalog::from_entries("es", &entries);

    let source = root().join("tests/good/minimal.yaml");
    let mut report = pbf_report::check::check_file(&source).report.unwrap();
    report.languages = vec!["es".into()];
    let options = pbf_report::render::document::Options::default();
    let pdf =
        pbf_report::render::pdf::render(&report, &source, "v1", &catalog, options, &[]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("es.pdf");
    std::fs::write(&path, pdf.bytes).unwrap();
    let text = crate::common::pdf_text(&path);
    for label in [
        "PAÍS: Niger",
        "INFORME DE PROGRESO DEL PROYECTO PBF",
        "Página 1 de",
    ] {
        assert!(text.contains(label), "{label} not in:\n{text}");
    }
    let info = crate::common::tool("pdfinfo", &[path.to_str().unwrap()]);
    assert!(
        info.contains("INFORME DE PROGRESO DEL PROYECTO PBF"),
        "{info}"
    );
}

#[test]
fn french_and_english_ask_the_same_questions_in_the_same_order() {
    let source = root().join("data/pbf-irf-217/2019-11-12-final.yaml");
    let report = pbf_report::check::check_file(&source).report.unwrap();
    let shape = |lang: &str| {
        let catalog = pbf_report::i18n::Catalog::load(lang).unwrap();
        let data = pbf_report::render::document::data(&report, "v", &catalog, Default::default());
        let mut keys = Vec::new();
        shape_of(&data, &mut keys);
        keys
    };
    let (fr, en) = (shape("fr"), shape("en"));
    // 7 questions in 1.1, a summary per outcome (2), 9 cross-cutting, 3 in Part 2.
    assert_eq!(
        fr.iter().filter(|k| k.starts_with("key=")).count(),
        21,
        "{fr:?}"
    );
    assert_eq!(fr, en);
}

/// The document's structure without its wording: every field name, list length and question key.
fn shape_of(value: &serde_json::Value, out: &mut Vec<String>) {
    use serde_json::Value as J;
    match value {
        J::Object(map) => {
            for (k, v) in map {
                if k == "t" || k == "lang" {
                    continue; // the catalog itself, and the language code
                }
                match (k.as_str(), v) {
                    ("key", J::String(key)) => out.push(format!("key={key}")),
                    _ => out.push(k.clone()),
                }
                shape_of(v, out);
            }
        }
        J::Array(items) => {
            out.push(format!("[{}]", items.len()));
            items.iter().for_each(|i| shape_of(i, out));
        }
        _ => {}
    }
}

#[test]
fn no_wording_hides_in_the_template() {
    let template = std::fs::read_to_string(root().join("templates/pbf-2019/report.typ")).unwrap();
    let template: String = template
        .lines()
        .map(|l| l.split("// ").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let catalog = pbf_report::i18n::Catalog::load("en").unwrap();
    // Strings the template may hold: catalog keys, typst settings and typographic marks.
    let settings = [
        "data.json",
        "Carlito",
        "DejaVu Sans",
        "Symbola",
        "bold",
        "italic",
        "item",
        "a4",
        "{page}",
        "{total}",
        "☒",
        "☐",
        " – ",
        "⚠ ",
        ":",
        ", ",
        ": ",
        "",
        "[",
        "]",
    ];
    let mut literals = 0;
    for (_, part) in template.split('"').enumerate().filter(|(i, _)| i % 2 == 1) {
        if part.contains('\n') {
            continue; // not a literal: the text between two literals on different lines
        }
        literals += 1;
        assert!(
            catalog.entries.contains_key(part) || settings.contains(&part),
            "wording in report.typ: \"{part}\""
        );
    }
    assert!(literals > 30, "{literals} literals");
}
