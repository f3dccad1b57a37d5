//! `import` of past reports: the reference report's text (and LibreOffice's Word document and
//! PDF of it) into a source, compared field by field with the shipped example; hostile inputs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::{EXAMPLE, Run, root, soffice, squash};

const REFERENCE: &str = "tests/reference/seed-pbf-irf-217-final-report-fr.txt";
const WRITTEN: &str = "data/pbf-irf-217/2019-11-12-final.yaml";

/// What a report's text cannot hold: the dropdowns' choices and Annex A's figures; and the
/// languages, the example having an English translation besides.
const NOT_IN_TEXT: [&str; 5] = [
    "rating",
    "activities",
    "annex_a",
    "languages",
    "unofficial_translations",
];

fn yaml(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap();
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A text given per language, as its French; anything else as it is.
fn french(value: &Value) -> &Value {
    match value {
        Value::Object(m) if m.contains_key("fr") && m.keys().all(|k| k.len() == 2) => &m["fr"],
        other => other,
    }
}

/// Every difference between the example's French and the imported source, field by field,
/// beside what a text cannot hold; and how many fields were compared.
fn differences(
    path: &str,
    example: &Value,
    imported: Option<&Value>,
    out: &mut Vec<String>,
) -> usize {
    let last = path.rsplit(['.', '[']).next().unwrap_or(path);
    if NOT_IN_TEXT.contains(&last) {
        return 0;
    }
    let imported = imported.map(french);
    match french(example) {
        Value::Object(fields) => fields
            .iter()
            .map(|(k, v)| {
                let next = imported.and_then(|i| i.get(k));
                differences(&format!("{path}.{k}"), v, next, out)
            })
            .sum(),
        Value::Array(items) => {
            let found = imported.and_then(Value::as_array).map_or(0, Vec::len);
            if found != items.len() {
                out.push(format!("{path}: {} items, imported {found}", items.len()));
            }
            items
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    let next = imported.and_then(|x| x.get(i));
                    differences(&format!("{path}[{}]", i + 1), v, next, out)
                })
                .sum()
        }
        leaf => {
            if imported != Some(leaf) {
                out.push(format!("{path}: example {leaf}, imported {imported:?}"));
            }
            1
        }
    }
}

/// The fields of `imported` the example does not have.
fn extra(path: &str, imported: &Value, example: Option<&Value>, out: &mut Vec<String>) {
    match (imported, example.map(french)) {
        (Value::Object(fields), Some(e)) => {
            for (k, v) in fields {
                extra(&format!("{path}.{k}"), v, e.get(k), out);
            }
        }
        (Value::Array(items), Some(e)) => {
            for (i, v) in items.iter().enumerate() {
                extra(&format!("{path}[{}]", i + 1), v, e.get(i), out);
            }
        }
        (_, None) => out.push(path.to_string()),
        _ => {}
    }
}

/// Asserts that the summary counts the TODO comments the written source holds; their number.
fn todos_counted(dir: &Path, stderr: &str) -> usize {
    let text = std::fs::read_to_string(dir.join(WRITTEN)).unwrap();
    let in_file = text
        .lines()
        .filter(|l| l.trim_start().starts_with("# TODO"))
        .count();
    let said: usize = stderr
        .split(" TODO comment")
        .next()
        .and_then(|s| s.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count of TODO comments: {stderr}"));
    assert_eq!(said, in_file, "{stderr}");
    in_file
}

/// A fresh folder, and the run that imports `file` into it.
fn import(file: &Path) -> (tempfile::TempDir, Run) {
    let dir = tempfile::tempdir().unwrap();
    let run = Run::new(&["import", file.to_str().unwrap()]).cwd(dir.path());
    (dir, run)
}

#[test]
fn the_reference_report_imports_to_the_shipped_example_field_by_field() {
    let reference = root().join(REFERENCE);
    let (dir, run) = import(&reference);
    let out = run
        .status(0)
        .stderr_has("49 of the form's 49 questions found")
        .run();
    todos_counted(dir.path(), &out.stderr);
    let written = dir.path().join(WRITTEN);
    let text = std::fs::read_to_string(&written).unwrap();
    let sha = {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(std::fs::read(&reference).unwrap());
        digest
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    assert_eq!(
        text.lines().next().unwrap(),
        format!("# Imported from seed-pbf-irf-217-final-report-fr.txt (SHA-256 {sha}).")
    );
    // The table: each field, whether found, and its line in the input.
    assert!(
        out.stdout.lines().any(
            |l| l.split_whitespace().collect::<Vec<_>>() == ["cover.report_date", "found", "7"]
        ),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("progress.rating"), "{}", out.stdout);

    let example = yaml(&root().join(EXAMPLE));
    let mut imported = yaml(&written);
    let mut diffs = Vec::new();
    let compared = differences("", &example, Some(&imported), &mut diffs);
    assert!(
        diffs.is_empty(),
        "{} differences:\n{}",
        diffs.len(),
        diffs.join("\n")
    );
    // Every answer, indicator cell, cover field and amount: a test that compares nothing fails.
    assert!(compared >= 138, "only {compared} fields compared");
    let mut more = Vec::new();
    extra("", &imported, Some(&example), &mut more);
    more.retain(|p| p != ".languages[1]");
    assert!(
        more.is_empty(),
        "fields the example does not have: {more:?}"
    );

    // What the text cannot hold is a TODO, with what the report has there.
    for todo in [
        "# TODO rating: one of off_track, on_track, on_track_with_results; the report has, on line 108: \"FORMDROPDOWN\"",
        "# TODO annex_a:",
        "# TODO activities:",
    ] {
        assert!(text.contains(todo), "{todo}\n{text}");
    }

    // Filled with what only the example has, the source passes `check`.
    fill(&mut imported, &example);
    std::fs::write(&written, serde_json::to_string_pretty(&imported).unwrap()).unwrap();
    Run::new(&["check", written.to_str().unwrap()])
        .status(0)
        .run();

    // A source is never replaced: a second import leaves it as it was.
    let before = std::fs::read(&written).unwrap();
    Run::new(&["import", reference.to_str().unwrap()])
        .cwd(dir.path())
        .status(1)
        .stderr_has("exists already")
        .run();
    assert_eq!(std::fs::read(&written).unwrap(), before);
}

/// `value` with every text given per language as its French alone.
fn only_french(value: &Value) -> Value {
    match french(value) {
        Value::Object(m) => {
            Value::Object(m.iter().map(|(k, v)| (k.clone(), only_french(v))).collect())
        }
        Value::Array(a) => Value::Array(a.iter().map(only_french).collect()),
        other => other.clone(),
    }
}

/// Copies into `imported` the ratings, activities and Annex A of `example`, in French.
fn fill(imported: &mut Value, example: &Value) {
    let example = &only_french(example);
    imported["progress"]["rating"] = example["progress"]["rating"].clone();
    imported["finance"]["rating"] = example["finance"]["rating"].clone();
    imported["annex_a"] = example["annex_a"].clone();
    for (o, outcome) in example["outcomes"].as_array().unwrap().iter().enumerate() {
        imported["outcomes"][o]["rating"] = outcome["rating"].clone();
        for (p, output) in outcome["outputs"].as_array().unwrap().iter().enumerate() {
            imported["outcomes"][o]["outputs"][p]["activities"] = output["activities"].clone();
        }
    }
}

/// The reference converted by LibreOffice (`soffice --convert-to`) into `ext`.
fn converted(ext: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("reference.txt");
    std::fs::copy(root().join(REFERENCE), &input).unwrap();
    soffice(
        &[
            "--infilter=Text (encoded):UTF8",
            "--convert-to",
            ext,
            "--outdir",
            dir.path().to_str().unwrap(),
            input.to_str().unwrap(),
        ],
        None,
    );
    let output = dir.path().join(format!("reference.{ext}"));
    assert!(output.exists(), "LibreOffice wrote no {ext}");
    (dir, output)
}

#[test]
fn a_word_document_written_by_libreoffice_imports_as_its_text_does() {
    let (_keep, docx) = converted("docx");
    let (text_dir, run) = import(&root().join(REFERENCE));
    let out = run.status(0).run();
    todos_counted(text_dir.path(), &out.stderr);
    let (docx_dir, run) = import(&docx);
    let out = run.status(0).run();
    todos_counted(docx_dir.path(), &out.stderr);
    let body = |dir: &Path| {
        let text = std::fs::read_to_string(dir.join(WRITTEN)).unwrap();
        text.split_once('\n').unwrap().1.to_string()
    };
    assert_eq!(body(docx_dir.path()), body(text_dir.path()));
}

/// What an import found for one kind of field: right, left as a TODO, or wrong (by path).
#[derive(Default, Debug)]
struct Tally {
    right: usize,
    todo: usize,
    wrong: Vec<String>,
}

/// The kind of the field at `path` (`outcomes[0].indicators[1].target`) holding `value`.
fn kind_of(path: &str, value: &Value) -> &'static str {
    let key = path.rsplit('.').next().unwrap_or("");
    let key = key.split('[').next().unwrap_or(key);
    const AMOUNTS: [&str; 5] = [
        "budget",
        "budget_total",
        "tranches_received",
        "gender_planned",
        "gender_allocated",
    ];
    if path.contains("indicators[") {
        "indicator cell"
    } else if key == "rating" {
        "rating"
    } else if AMOUNTS.contains(&key) {
        "amount"
    } else if path.ends_with(']') {
        "list item"
    } else if path.starts_with("cover.") && !value.is_object() {
        "cover line"
    } else if value.is_object() {
        "narrative"
    } else {
        "statement"
    }
}

/// Counts, per kind, the fields of `example` that `imported` has right, lacks, or has wrong;
/// what a report's text cannot hold (Annex A, activities, the form's settings) is left aside.
fn tally(
    path: &str,
    example: &Value,
    imported: Option<&Value>,
    out: &mut BTreeMap<&'static str, Tally>,
) {
    const SETTINGS: [&str; 9] = [
        "template",
        "languages",
        "previous",
        "word_copy",
        "annex_a",
        "activities",
        "id",
        "lead",
        "short_name",
    ];
    let per_language = |v: &Value| v.as_object().is_some_and(|m| m.contains_key("fr"));
    match example {
        Value::Object(m) if !per_language(example) => {
            for (k, v) in m {
                let setting = SETTINGS.contains(&k.as_str());
                // A recipient's type is the form's choice, not the report's text.
                if !(setting || k == "type" && path.contains("recipients")) {
                    let here = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    tally(&here, v, imported.and_then(|i| i.get(k)), out);
                }
            }
        }
        Value::Array(a) if a.iter().any(|v| v.is_object()) => {
            for (i, v) in a.iter().enumerate() {
                tally(
                    &format!("{path}[{i}]"),
                    v,
                    imported.and_then(|g| g.get(i)),
                    out,
                );
            }
        }
        Value::Array(a) => {
            for (i, v) in a.iter().enumerate() {
                let got = imported.and_then(|g| g.get(i));
                count(&format!("{path}[{i}]"), v, got, out);
            }
        }
        _ => count(path, example, imported, out),
    }
}

fn count(path: &str, want: &Value, got: Option<&Value>, out: &mut BTreeMap<&'static str, Tally>) {
    let t = out.entry(kind_of(path, want)).or_default();
    let text = |v: &Value| match french(v) {
        Value::String(s) => s.trim().to_string(),
        other => other.to_string(),
    };
    match got.filter(|g| !g.is_null()) {
        None => t.todo += 1,
        Some(g) if text(g) == text(want) => t.right += 1,
        Some(g) => t.wrong.push(format!("{path}: {:?}", text(g))),
    }
}

#[test]
fn every_kind_of_field_is_right_or_a_todo_from_text_word_and_pdf() {
    let example = yaml(&root().join(EXAMPLE));
    let (_docx_dir, docx) = converted("docx");
    let (_pdf_dir, pdf) = converted("pdf");
    let mut tables = Vec::new();
    for input in [root().join(REFERENCE), docx, pdf] {
        let (dir, run) = import(&input);
        let out = run.status(0).run();
        todos_counted(dir.path(), &out.stderr);
        let imported = yaml(&dir.path().join(WRITTEN));
        let mut kinds = BTreeMap::new();
        tally("", &example, Some(&imported), &mut kinds);
        let name = input.extension().unwrap().to_string_lossy().to_string();
        let table: Vec<String> = kinds
            .iter()
            .map(|(k, t)| format!("{k}: {}/{}/{}", t.right, t.todo, t.wrong.len()))
            .collect();
        eprintln!("{name}: {}", table.join(", "));
        for (kind, t) in &kinds {
            assert!(
                t.wrong.is_empty(),
                "{name}: {kind} found wrong:\n{}",
                t.wrong.join("\n")
            );
        }
        // Every narrative, every indicator cell, every cover line and amount is found: a PDF's
        // paragraphs, bullets and table cells come back as the text's.
        for kind in [
            "narrative",
            "indicator cell",
            "cover line",
            "amount",
            "statement",
        ] {
            let t = &kinds[kind];
            assert!(t.right > 0 && t.todo == 0, "{name}: {kind}: {t:?}");
        }
        tables.push(table);
    }
    assert!(tables.windows(2).all(|w| w[0] == w[1]), "{tables:?}");
}

#[test]
fn a_text_with_a_terminal_escape_is_written_as_an_escape() {
    let dir = tempfile::tempdir().unwrap();
    // An escape sequence, DEL, a C1 control and a line separator: none may reach the file raw.
    let text = std::fs::read_to_string(root().join(REFERENCE))
        .unwrap()
        .replace("PAYS: Mali", "PAYS: Mali\u{1b}[2J")
        .replace("payer: N/a", "payer: N/a \u{7f}\u{85}\u{2028} fin");
    let file = dir.path().join("report.txt");
    std::fs::write(&file, text).unwrap();
    Run::new(&["import", file.to_str().unwrap(), "-o", "out.yaml"])
        .cwd(dir.path())
        .status(0)
        .run();
    let written = std::fs::read_to_string(dir.path().join("out.yaml")).unwrap();
    assert!(!written.contains('\u{1b}'));
    assert!(written.contains("country: \"Mali\\u001b[2J\""), "{written}");
    assert!(
        written.contains("\"N/a \\u007f\\u0085\\u2028 fin\""),
        "{written}"
    );
    for c in ['\u{7f}', '\u{85}', '\u{2028}'] {
        assert!(!written.contains(c), "{c:?} written raw");
    }
    let value = yaml(&dir.path().join("out.yaml"));
    assert_eq!(
        value["finance"]["next_tranche"],
        "N/a \u{7f}\u{85}\u{2028} fin"
    );
}

#[test]
fn what_is_not_a_report_is_refused_clearly_and_fast() {
    let dir = tempfile::tempdir().unwrap();
    let reference = std::fs::read_to_string(root().join(REFERENCE)).unwrap();
    let partial: String = reference.lines().take(75).collect::<Vec<_>>().join("\n");
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "lorem.txt",
            "Lorem ipsum dolor sit amet, consectetur adipiscing elit.\n"
                .repeat(5_000)
                .into_bytes(),
            "none of the form's 49 questions",
        ),
        (
            "partial.txt",
            partial.into_bytes(),
            "only 21 of the form's 49 questions",
        ),
        (
            "big.txt",
            vec![b'a'; 50 << 20],
            "more than any report's text",
        ),
        (
            "no-number.txt",
            // A project number without its digits names no project: the file must be named.
            reference
                .replace("Gateway: PBF IRF-217", "Gateway: PBF IRF-")
                .into_bytes(),
            "name it with --output",
        ),
        ("binary.bin", vec![0u8, 1, 2, 3, 0, 5], "a binary file"),
        (
            "questions.txt",
            // Every line a question of the form, and nothing else: far more hits than a report.
            {
                let questions: String = reference
                    .lines()
                    .filter(|l| l.contains("(limite de 1500"))
                    .map(|l| format!("{l}\n"))
                    .collect();
                questions.repeat(4_000_000 / questions.len()).into_bytes()
            },
            "of the form's 49 questions",
        ),
        ("scan.pdf", minimal_pdf(1), "no text that can be read"),
        (
            "glyphs.pdf",
            // Millions of glyphs, each line a hundred, drawn again on every page.
            drawn_pdf(
                300,
                Some(&format!(
                    "BT /F1 10 Tf 50 800 Td {} ET",
                    format!("({}) Tj 0 -1 Td ", "x".repeat(100)).repeat(500)
                )),
            ),
            "none of the form's 49 questions",
        ),
        (
            "gaps.pdf",
            // Glyphs far apart on two baselines, page after page: a row of countless cells.
            drawn_pdf(
                300,
                Some(&format!(
                    "BT /F1 10 Tf 50 100 Td [{}] TJ 0 -1 Td [{}] TJ ET",
                    "(x) -1500 ".repeat(1_000),
                    "(y) -1500 ".repeat(1_000)
                )),
            ),
            "none of the form's 49 questions",
        ),
        (
            "states.pdf",
            // A million graphics states a page, on thirty pages: a few bytes each, and each
            // would cost some hundred bytes parsed.
            drawn_pdf(
                30,
                Some(&format!("{}BT /F1 10 Tf (x) Tj ET", "q ".repeat(1_000_000))),
            ),
            "no text that can be read",
        ),
        (
            "nested.pdf",
            // Graphics states saved without end, and a text matrix that grows without bound.
            drawn_pdf(
                2,
                Some(&format!(
                    "{} BT /F1 10 Tf {} (x) Tj ET",
                    "q ".repeat(100_000),
                    "2 0 0 2 0 0 Tm ".repeat(10_000)
                )),
            ),
            "none of the form's 49 questions",
        ),
        (
            "pages.pdf",
            minimal_pdf(3_000),
            "more than any report (300)",
        ),
        (
            "lines.txt",
            "a\n".repeat(2_000_000).into_bytes(),
            "more than any report (50000)",
        ),
    ];
    refused_fast(dir.path(), cases);
}

/// Imports each file of `cases` (name, bytes, what the message says) in `dir`: each must end in
/// under 2 seconds with exit 1, its message, and nothing written.
pub fn refused_fast(dir: &Path, cases: Vec<(&str, Vec<u8>, &str)>) {
    for (name, bytes, expected) in cases {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        let start = std::time::Instant::now();
        Run::new(&["import", path.to_str().unwrap()])
            .cwd(dir)
            .status(1)
            .stderr_has(expected)
            .run();
        // A guard against hangs, bombs and slow matching, not a speed test.
        assert!(
            start.elapsed() < std::time::Duration::from_secs(2),
            "{name} took {:?}",
            start.elapsed()
        );
        assert!(!dir.join("data").exists(), "{name} wrote a source");
    }
}

/// A PDF of blank pages: what a scanned report without text looks like to a text reader.
fn minimal_pdf(pages: usize) -> Vec<u8> {
    drawn_pdf(pages, None)
}

/// A PDF of `pages` pages, each drawing `content` (one stream, shared) in Helvetica.
fn drawn_pdf(pages: usize, content: Option<&str>) -> Vec<u8> {
    let kids: Vec<String> = (0..pages).map(|i| format!("{} 0 R", i + 5)).collect();
    let content = content.unwrap_or("");
    let mut objects = vec![
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        format!(
            "<< /Type /Pages /Kids [{}] /Count {pages} >>",
            kids.join(" ")
        ),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
        format!(
            "<< /Length {} >>\nstream\n{content}\nendstream",
            content.len() + 1
        ),
    ];
    let page = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] \
                /Resources << /Font << /F1 3 0 R >> >> /Contents 4 0 R >>";
    objects.extend((0..pages).map(|_| page.to_string()));
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend(format!("{} 0 obj\n{body}\nendobj\n", i + 1).bytes());
    }
    let xref = pdf.len();
    pdf.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).bytes());
    for o in offsets {
        pdf.extend(format!("{o:010} 00000 n \n").bytes());
    }
    pdf.extend(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .bytes(),
    );
    pdf
}

/// The narrative answers of Parts 1.1 and 1.3 in `lang` that `imported` does not hold, spacing
/// aside, of how many.
fn narratives_missing(imported: &Value, lang: &str) -> (Vec<String>, usize) {
    let example = yaml(&root().join(EXAMPLE));
    let mut missing = Vec::new();
    let mut compared = 0;
    for part in ["progress", "cross_cutting"] {
        for (k, v) in example[part].as_object().unwrap() {
            let text = match v {
                Value::Object(m) => m.get(lang).and_then(Value::as_str),
                other => other.as_str().filter(|_| k != "rating"),
            };
            let Some(text) = text else { continue };
            compared += 1;
            let got = imported[part].get(k).and_then(Value::as_str);
            if got.map(squash) != Some(squash(text)) {
                missing.push(format!("{part}.{k}: {got:?}"));
            }
        }
    }
    (missing, compared)
}

#[test]
fn an_english_pdf_is_read_by_the_english_wording_and_its_source_is_pointed_to() {
    let pdf = crate::common::built_example().join("pbf-irf-217-2019-11-12-final.en.pdf");
    let (dir, run) = import(&pdf);
    let out = run
        .status(0)
        .stderr_has("49 of the form's 49 questions found")
        .stderr_has("`pbf-report extract`")
        .run();
    todos_counted(dir.path(), &out.stderr);
    let imported = yaml(&dir.path().join(WRITTEN));
    assert_eq!(imported["languages"], serde_json::json!(["en"]));
    assert_eq!(imported["progress"]["rating"], "on_track");
    let (missing, compared) = narratives_missing(&imported, "en");
    assert!(compared >= 14, "{compared}");
    assert!(missing.is_empty(), "{}", missing.join("\n"));
    // The indicator tables' cells stand side by side: each lands in its column, by where the
    // page draws it.
    let example = yaml(&root().join(EXAMPLE));
    let (mut wrong, mut right) = (Vec::new(), 0);
    for (o, outcome) in example["outcomes"].as_array().unwrap().iter().enumerate() {
        let mut tables = vec![(outcome, &imported["outcomes"][o])];
        for (p, output) in outcome["outputs"].as_array().unwrap().iter().enumerate() {
            tables.push((output, &imported["outcomes"][o]["outputs"][p]));
        }
        for (want, got) in tables {
            for (i, row) in want["indicators"].as_array().unwrap().iter().enumerate() {
                for (cell, value) in got["indicators"][i].as_object().into_iter().flatten() {
                    let wanted = row[cell].get("en").unwrap_or(&row[cell]);
                    match value.as_str().map(str::trim) == wanted.as_str().map(str::trim) {
                        true => right += 1,
                        false => wrong.push(format!("outcomes[{o}] {cell}: {value}")),
                    }
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert_eq!(right, 60, "indicator cells found right");
}

/// A Word document of the reference's lines, as Word would hold a form: tick boxes as a check
/// box control and a legacy form field, dropdowns with their chosen entry.
fn word_form() -> Vec<u8> {
    const DROPDOWN: &str = "<w:r><w:fldChar w:fldCharType=\"begin\"><w:ffData><w:ddList>\
        <w:result w:val=\"2\"/><w:listEntry w:val=\"En retard\"/>\
        <w:listEntry w:val=\"Sur la bonne voie avec des résultats significatifs de consolidation de la paix\"/>\
        <w:listEntry w:val=\"Sur la bonne voie\"/></w:ddList></w:ffData></w:fldChar></w:r>\
        <w:r><w:instrText>FORMDROPDOWN</w:instrText></w:r><w:r><w:fldChar w:fldCharType=\"end\"/></w:r>";
    use std::io::Write;
    let reference = std::fs::read_to_string(root().join(REFERENCE)).unwrap();
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let mut body = String::new();
    for line in reference.lines() {
        let run = |t: &str| format!("<w:r><w:t xml:space=\"preserve\">{}</w:t></w:r>", escape(t));
        let paragraph = match line.trim() {
            "IRF" => format!(
                "{}<w:sdt><w:sdtPr><w14:checkbox><w14:checked w14:val=\"1\"/></w14:checkbox></w:sdtPr>\
                 <w:sdtContent>{}</w:sdtContent></w:sdt>",
                run("IRF "),
                run("☒")
            ),
            "Initiative de promotion de la jeunesse" => format!(
                "<w:r><w:fldChar w:fldCharType=\"begin\"><w:ffData><w:checkBox><w:sizeAuto/>\
                 <w:default w:val=\"0\"/><w:checked/></w:checkBox></w:ffData></w:fldChar></w:r>\
                 <w:r><w:instrText>FORMCHECKBOX</w:instrText></w:r>\
                 <w:r><w:fldChar w:fldCharType=\"end\"/></w:r>{}",
                run(" Initiative de promotion de la jeunesse")
            ),
            _ => line
                .split("FORMDROPDOWN")
                .map(|text| {
                    text.split('\t')
                        .map(&run)
                        .collect::<Vec<_>>()
                        .join("<w:r><w:tab/></w:r>")
                })
                .collect::<Vec<_>>()
                .join(DROPDOWN),
        };
        body.push_str(&format!("<w:p>{paragraph}</w:p>"));
    }
    let document = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document \
         xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" \
         xmlns:w14=\"http://schemas.microsoft.com/office/word/2010/wordml\"><w:body>{body}</w:body></w:document>"
    );
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file(
        "word/document.xml",
        zip::write::SimpleFileOptions::default(),
    )
    .unwrap();
    zip.write_all(document.as_bytes()).unwrap();
    zip.finish().unwrap().into_inner()
}

#[test]
fn a_word_form_gives_its_tick_boxes_and_dropdown_choices() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rapport.docx");
    std::fs::write(&file, word_form()).unwrap();
    let (out_dir, run) = import(&file);
    let out = run.status(0).run();
    todos_counted(out_dir.path(), &out.stderr);
    let imported = yaml(&out_dir.path().join(WRITTEN));
    assert_eq!(imported["cover"]["modality"], "irf");
    assert_eq!(
        imported["cover"]["priority_windows"],
        serde_json::json!(["youth"])
    );
    assert!(imported["cover"].get("trust_fund").is_none());
    // Every dropdown of the form chose "Sur la bonne voie".
    assert_eq!(imported["progress"]["rating"], "on_track");
    assert_eq!(imported["outcomes"][0]["rating"], "on_track");
    assert_eq!(imported["finance"]["rating"], "on_track");
    let row = |field: &str| {
        out.stdout
            .lines()
            .find(|l| l.split_whitespace().next() == Some(field))
            .unwrap_or_else(|| panic!("{field}: {}", out.stdout))
            .to_string()
    };
    assert!(row("cover.modality").contains("found"), "{}", out.stdout);
    let (missing, _) = narratives_missing(&imported, "fr");
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

/// A text wrapped at 80 columns (as `pdftotext` or a mail program leaves it): questions over
/// many lines are still found, and no answer is lost.
#[test]
fn a_text_wrapped_at_80_columns_keeps_every_answer() {
    // Tabs expanded to spaces too, as a mail program or an editor may leave them.
    let reference = std::fs::read_to_string(root().join(REFERENCE))
        .unwrap()
        .replace('\t', "        ");
    let mut wrapped = String::new();
    for line in reference.lines() {
        let mut current = String::new();
        for word in line.split(' ') {
            if !current.is_empty() && current.chars().count() + word.chars().count() >= 80 {
                wrapped.push_str(current.trim_end());
                wrapped.push('\n');
                current.clear();
            }
            current.push_str(word);
            current.push(' ');
        }
        wrapped.push_str(current.trim_end());
        wrapped.push('\n');
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("wrapped.txt");
    std::fs::write(&file, wrapped).unwrap();
    let (out_dir, run) = import(&file);
    let out = run
        .status(0)
        .stderr_has("49 of the form's 49 questions found")
        .run();
    todos_counted(out_dir.path(), &out.stderr);
    let imported = yaml(&out_dir.path().join(WRITTEN));
    let (missing, compared) = narratives_missing(&imported, "fr");
    assert!(compared >= 14, "{compared}");
    assert!(missing.is_empty(), "{}", missing.join("\n"));
    let example = yaml(&root().join(EXAMPLE));
    // The table's cells, led by spaces now, are still told apart.
    let cell = |v: &Value, field: &str| v["outcomes"][0]["indicators"][0][field].clone();
    for field in ["indicator", "baseline", "target", "progress"] {
        let (got, want) = (cell(&imported, field), cell(&example, field));
        assert_eq!(
            got.as_str().map(squash),
            french(&want).as_str().map(squash),
            "{field}"
        );
    }
    for o in 0..2 {
        let summary =
            |v: &Value| squash(french(&v["outcomes"][o]["summary"]).as_str().unwrap_or(""));
        assert_eq!(summary(&imported), summary(&example), "outcome {}", o + 1);
    }
}

/// The first page of the reference alone (its cover) is refused as a report, with a word on
/// --partial; with it, the cover, the recipients and the budget on that page are imported, and
/// everything else is a TODO. A text that is no report is still refused.
#[test]
fn a_cover_page_alone_is_imported_in_part_when_asked() {
    let (keep, pdf) = converted("pdf");
    let first = keep.path().join("first.pdf");
    crate::common::tool(
        "qpdf",
        &[
            "--empty",
            "--pages",
            pdf.to_str().unwrap(),
            "1",
            "--",
            first.to_str().unwrap(),
        ],
    );
    let (_refused, run) = import(&first);
    run.status(1)
        .stderr_has("a filled report has at least half of them")
        .stderr_has("with --partial")
        .run();
    let dir = tempfile::tempdir().unwrap();
    let out = Run::new(&["import", first.to_str().unwrap(), "--partial"])
        .cwd(dir.path())
        .status(0)
        .stderr_has("parts of the form found: cover; not found, written as TODOs: progress")
        .run();
    let todos = todos_counted(dir.path(), &out.stderr);
    assert!(todos > 20, "{todos}");
    let imported = yaml(&dir.path().join(WRITTEN));
    let cover = &imported["cover"];
    assert_eq!(cover["country"], "Mali");
    assert_eq!(cover["report_date"], "2019-11-12");
    assert_eq!(cover["gateway_number"], "PBF IRF-217");
    assert_eq!(cover["duration_months"], 18);
    let names: Vec<&str> = cover["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["WFP", "FAO", "UNHCR"]);
    // The page holds the first recipient's budget only: the others' are TODOs, not guesses.
    assert_eq!(cover["recipients"][0]["budget"], 855000);
    assert!(cover["recipients"][1].get("budget").is_none());
    assert!(imported["progress"].get("status").is_none());

    let lorem = dir.path().join("lorem.txt");
    let line = "Lorem ipsum dolor sit amet, consectetur adipiscing elit.\n";
    std::fs::write(&lorem, line.repeat(5000)).unwrap();
    Run::new(&["import", lorem.to_str().unwrap(), "--partial"])
        .cwd(dir.path())
        .status(1)
        .stderr_has("none of the form's 49 questions")
        .run();
}

/// The indicator tables of the reference's lines (from its column headings to Part 2) as one
/// table of a word processor: a row an indicator, its outcome or output in a first cell merged
/// over its rows, each cell's text its paragraphs.
fn indicator_table(lines: &[&str], escape: impl Fn(&str) -> String) -> String {
    let blank = |t: &str| t.replace('\u{2002}', "").trim().is_empty();
    let cell = |text: &str, rows: usize| {
        let paragraphs: String = text
            .split('\n')
            .map(|p| format!("<text:p>{}</text:p>", escape(p)))
            .collect();
        let span = format!(" table:number-rows-spanned=\"{rows}\"");
        let span = if rows > 1 { span.as_str() } else { "" };
        format!(
            "<table:table-cell office:value-type=\"string\"{span}>{paragraphs}</table:table-cell>"
        )
    };
    let headings: Vec<&str> = lines[..6].iter().map(|l| l.trim()).collect();
    // Each outcome or output with its statement, and its rows: the indicator's label and
    // wording, then its five cells.
    let mut groups: Vec<(String, Vec<Vec<String>>)> = Vec::new();
    let mut at = 6;
    let label = |l: &str| {
        ["\tRésultat ", "\tProduit ", "\tIndicateur "]
            .iter()
            .any(|p| l.starts_with(p))
    };
    while at < lines.len() {
        let line = lines[at];
        at += 1;
        if !label(line) {
            continue;
        }
        while at < lines.len() && lines[at].is_empty() {
            at += 1;
        }
        let text = lines
            .get(at)
            .map_or("", |t| if blank(t) { "" } else { t.trim() });
        at += 1;
        if !line.starts_with("\tIndicateur ") {
            groups.push((format!("{}\n{text}", line.trim()), Vec::new()));
            continue;
        }
        let mut cells = vec![format!("{}\n{text}", line.trim())];
        while at < lines.len() {
            let l = lines[at];
            if l == "\t" || label(l) || !(l.is_empty() || l.starts_with('\t')) {
                break;
            }
            if !l.is_empty() {
                cells.push(if blank(l) {
                    String::new()
                } else {
                    l.trim().to_string()
                });
            }
            at += 1;
        }
        cells.resize(6, String::new());
        if let Some(group) = groups.last_mut() {
            group.1.push(cells);
        }
    }
    let mut table = String::from("<table:table table:name=\"T1\">");
    table.push_str(&"<table:table-column/>".repeat(7));
    table.push_str("<table:table-row>");
    table.push_str(&cell("", 1));
    headings.iter().for_each(|h| table.push_str(&cell(h, 1)));
    table.push_str("</table:table-row>");
    for (statement, rows) in &groups {
        let rows = if rows.is_empty() {
            vec![vec![String::new(); 6]]
        } else {
            rows.clone()
        };
        for (r, row) in rows.iter().enumerate() {
            table.push_str("<table:table-row>");
            match r {
                0 => table.push_str(&cell(statement, rows.len())),
                _ => table.push_str("<table:covered-table-cell/>"),
            }
            row.iter().for_each(|c| table.push_str(&cell(c, 1)));
            table.push_str("</table:table-row>");
        }
    }
    table.push_str("</table:table>");
    table
}

/// The reference as a word processor's document (flat ODF): every line a paragraph in a
/// proportional font, its `- ` lines a bulleted list with a hanging indent, a running header,
/// a footer numbering the pages, and footnotes called in the middle of answers; with `tables`,
/// its indicator tables a table in a smaller font.
fn word_processor_document(tables: bool) -> String {
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let note = |n: usize| {
        format!(
            "<text:note text:id=\"n{n}\" text:note-class=\"footnote\"><text:note-citation>{n}\
             </text:note-citation><text:note-body><text:p>Note {n} : source, rapport \
             d'évaluation finale, juillet 2019.</text:p></text:note-body></text:note>"
        )
    };
    let reference = std::fs::read_to_string(root().join(REFERENCE)).unwrap();
    let mut lines: Vec<&str> = reference.lines().collect();
    let mut table = String::new();
    if tables {
        let start = lines.iter().position(|l| *l == "\tIndicateurs").unwrap();
        let end = lines
            .iter()
            .position(|l| l.starts_with("2.1 Commentaires"))
            .unwrap();
        table = indicator_table(&lines[start..end], escape);
        lines.splice(start..end, ["@table"]);
    }
    let mut body = String::new();
    let (mut listed, mut notes) = (false, 0);
    for line in lines {
        if line == "@table" {
            body.push_str(&table);
            continue;
        }
        let item = line.strip_prefix("- ");
        match (item.is_some(), listed) {
            (true, false) => body.push_str("<text:list text:style-name=\"L1\">"),
            (false, true) => body.push_str("</text:list>"),
            _ => {}
        }
        listed = item.is_some();
        let mut text = String::new();
        let content = item.unwrap_or(line);
        let lead = content.len() - content.trim_start_matches(' ').len();
        if lead > 0 {
            text.push_str(&format!("<text:s text:c=\"{lead}\"/>"));
        }
        text.push_str(&escape(&content[lead..]).replace('\t', "<text:tab/>"));
        // A footnote called in the middle of each long answer's first sentence.
        if content.len() > 600 && notes < 8 {
            notes += 1;
            if let Some(at) = text.find(". ") {
                text.insert_str(at, &note(notes));
            }
        }
        let paragraph = format!("<text:p>{text}</text:p>");
        match item {
            Some(_) => body.push_str(&format!("<text:list-item>{paragraph}</text:list-item>")),
            None => body.push_str(&paragraph),
        }
    }
    if listed {
        body.push_str("</text:list>");
    }
    assert!(notes >= 5, "{notes} footnotes");
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.text">
<office:styles>
<style:default-style style:family="paragraph"><style:text-properties style:font-name="Liberation Serif" fo:font-family="'Liberation Serif'" fo:font-size="11pt"/></style:default-style>
</office:styles>
<office:automatic-styles>
<style:page-layout style:name="pm1"><style:page-layout-properties fo:page-width="21cm" fo:page-height="29.7cm" fo:margin-top="1.5cm" fo:margin-bottom="1.5cm" fo:margin-left="2cm" fo:margin-right="2cm"/></style:page-layout>
<text:list-style style:name="L1"><text:list-level-style-bullet text:level="1" text:bullet-char="•"><style:list-level-properties text:list-level-position-and-space-mode="label-alignment"><style:list-level-label-alignment text:label-followed-by="listtab" text:list-tab-stop-position="1.27cm" fo:text-indent="-0.635cm" fo:margin-left="1.27cm"/></style:list-level-properties></text:list-level-style-bullet></text:list-style>
</office:automatic-styles>
<office:master-styles>
<style:master-page style:name="Standard" style:page-layout-name="pm1">
<style:header><text:p>Rapport de progrès PBF – Mali, PBF IRF-217</text:p></style:header>
<style:footer><text:p>Page <text:page-number text:select-page="current">1</text:page-number> sur <text:page-count>1</text:page-count></text:p></style:footer>
</style:master-page>
</office:master-styles>
<office:body><office:text>{body}</office:text></office:body>
</office:document>
"#
    )
}

/// The PDF LibreOffice prints of `word_processor_document(tables)`, in a folder of its own.
fn printed_by_word_processor(tables: bool) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let document = dir.path().join("rapport.fodt");
    std::fs::write(&document, word_processor_document(tables)).unwrap();
    let out = dir.path().to_str().unwrap();
    soffice(
        &[
            "--convert-to",
            "pdf",
            "--outdir",
            out,
            document.to_str().unwrap(),
        ],
        None,
    );
    let pdf = dir.path().join("rapport.pdf");
    assert!(pdf.exists(), "LibreOffice wrote no PDF");
    (dir, pdf)
}

#[test]
fn a_word_processors_pdf_reads_as_its_text_across_headers_page_numbers_footnotes_and_bullets() {
    let (_dir, pdf) = printed_by_word_processor(false);
    // The page's furniture is there to be set aside: a header, numbered pages, footnotes.
    let printed = crate::common::pdf_text(&pdf);
    for furniture in [
        "Rapport de progrès PBF – Mali",
        "Page 2 sur",
        "Note 3 : source",
    ] {
        assert!(printed.contains(furniture), "{furniture}");
    }

    let (text_dir, run) = import(&root().join(REFERENCE));
    run.status(0).run();
    let (pdf_dir, run) = import(&pdf);
    let out = run.status(0).run();
    todos_counted(pdf_dir.path(), &out.stderr);
    let body = |dir: &Path| {
        let text = std::fs::read_to_string(dir.join(WRITTEN)).unwrap();
        text.split_once('\n').unwrap().1.to_string()
    };
    let (from_text, from_pdf) = (body(text_dir.path()), body(pdf_dir.path()));
    for furniture in [
        "Rapport de progrès PBF",
        "Page ",
        "Note 1",
        "source, rapport",
    ] {
        assert!(!from_pdf.contains(furniture), "{furniture} in\n{from_pdf}");
    }
    // Field by field, the PDF's source is the text's: every answer, its paragraphs and bullets,
    // every indicator cell. Only the lines the TODO comments point to differ, and two spaces in
    // a row where a line was wrapped, which a page does not draw.
    let fields = |yaml: &str| -> Vec<String> {
        yaml.lines()
            .filter(|l| !l.trim_start().starts_with("# TODO"))
            .map(|l| {
                let indent = l.len() - l.trim_start().len();
                let words: Vec<&str> = l[indent..].split(' ').filter(|w| !w.is_empty()).collect();
                format!("{}{}", &l[..indent], words.join(" "))
            })
            .collect()
    };
    let (a, b) = (fields(&from_text), fields(&from_pdf));
    let differ: Vec<String> = a
        .iter()
        .zip(&b)
        .filter(|(a, b)| a != b)
        .map(|(a, b)| format!("text: {a}\npdf:  {b}"))
        .collect();
    assert!(
        differ.is_empty() && a.len() == b.len(),
        "{}",
        differ.join("\n")
    );
}

#[test]
fn a_word_processors_table_gives_each_cell_in_its_column_or_a_todo() {
    let (_dir, pdf) = printed_by_word_processor(true);
    // A table, in several pages: its rows are cut where a page ends.
    let printed = crate::common::pdf_text(&pdf);
    assert!(printed.contains("Indicateur 1.3"), "{printed}");
    let (pdf_dir, run) = import(&pdf);
    let out = run.status(0).run();
    todos_counted(pdf_dir.path(), &out.stderr);
    let example = yaml(&root().join(EXAMPLE));
    let imported = yaml(&pdf_dir.path().join(WRITTEN));
    let mut kinds = BTreeMap::new();
    tally("", &example, Some(&imported), &mut kinds);
    // A cell's lines are the cell's width: its text is compared without its spacing.
    let cells = &kinds["indicator cell"];
    let wrong: Vec<&String> = cells
        .wrong
        .iter()
        .filter(|w| {
            let path = w.split_once(": ").unwrap().0;
            squash(&text_at_path(&imported, path)) != squash(&text_at_path(&example, path))
        })
        .collect();
    assert!(wrong.is_empty(), "indicator cells found wrong: {wrong:#?}");
    assert!(cells.right + cells.wrong.len() >= 54, "{cells:?}");
}

/// The French text of the field at `path` (`outcomes[0].indicators[1].target`) of a source.
fn text_at_path(source: &Value, path: &str) -> String {
    let mut node = source;
    for part in path.split('.') {
        let (key, index) = match part.split_once('[') {
            Some((k, i)) => (k, i.trim_end_matches(']').parse::<usize>().ok()),
            None => (part, None),
        };
        node = &node[key];
        if let Some(i) = index {
            node = &node[i];
        }
    }
    french(node).as_str().unwrap_or("").to_string()
}
