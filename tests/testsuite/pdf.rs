//! The PDFs, read back as their readers will: text with `pdftotext`, structure with `qpdf`,
//! fonts with `pdffonts`, metadata with `pdfinfo`.

use std::path::{Path, PathBuf};

use crate::common::{EXAMPLE, Run, built_example, footers, pdf_body, pdf_text, root, squash, tool};

fn example_pdf(lang: &str) -> PathBuf {
    built_example().join(format!("pbf-irf-217-2019-11-12-final.{lang}.pdf"))
}

/// Every text of the example in `lang`, except the Annex A lines the PDF does not show (the
/// Word copy shows the same), its bullet lines without their `- `.
pub fn answers(lang: &str) -> Vec<(String, String)> {
    let example = root().join(EXAMPLE);
    let report = crate::common::answers_of(&example, &std::fs::read(&example).unwrap());
    let mut out = Vec::new();
    collect(&report, String::new(), lang, &mut out);
    let skip = [
        "activities",
        "annex_a",
        "template",
        "project_id",
        "languages",
        "unofficial",
        ".id",
        ".type",
        "rating",
        "report_date",
        "start_date",
        "modality",
        // Amounts, printed with the language's separators.
        ".budget",
        "gender_planned",
        "gender_allocated",
    ];
    // "- " starts a bullet item: the documents draw a bullet instead.
    let unbulleted = |text: String| -> String {
        text.lines()
            .map(|l| l.trim_start().strip_prefix("- ").unwrap_or(l))
            .collect()
    };
    out.into_iter()
        .filter(|(p, _)| !skip.iter().any(|s| p.contains(s)))
        .map(|(p, text)| (p, unbulleted(text)))
        .collect()
}

fn collect(v: &serde_json::Value, path: String, lang: &str, out: &mut Vec<(String, String)>) {
    use serde_json::Value as J;
    match v {
        J::String(s) => out.push((path, s.clone())),
        J::Array(items) => items
            .iter()
            .enumerate()
            .for_each(|(i, x)| collect(x, format!("{path}[{i}]"), lang, out)),
        J::Object(map) if map.keys().all(|k| k == "fr" || k == "en") && !map.is_empty() => {
            if let Some(s) = map.get(lang).and_then(J::as_str) {
                out.push((path, s.to_string()));
            }
        }
        J::Object(map) => map
            .iter()
            .for_each(|(k, x)| collect(x, format!("{path}.{k}"), lang, out)),
        _ => {}
    }
}

#[test]
fn the_example_builds_in_french_and_english() {
    assert!(example_pdf("fr").is_file());
    assert!(example_pdf("en").is_file());
    let mut names: Vec<_> = std::fs::read_dir(built_example())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().into_string().unwrap())
        .collect();
    names.sort();
    let expected = [
        "2019-11-12-final.yaml",
        "annex-a.en.xlsx",
        "annex-a.fr.xlsx",
        "manifest.json",
        "pbf-irf-217-2019-11-12-final.en.pdf",
        "pbf-irf-217-2019-11-12-final.fr.pdf",
    ];
    assert_eq!(names, expected);
}

#[test]
fn the_french_pdf_prints_every_text_of_the_reference_form() {
    let fixture = std::fs::read_to_string(root().join("tests/reference/fr-form-text.txt")).unwrap();
    let seed = squash(
        &std::fs::read_to_string(
            root().join("tests/reference/seed-pbf-irf-217-final-report-fr.txt"),
        )
        .unwrap(),
    )
    .to_lowercase();
    let pdf = squash(&pdf_body(&example_pdf("fr"))).to_lowercase();
    let lines: Vec<&str> = fixture
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .collect();
    assert!(lines.len() > 80);
    for line in lines {
        let line = squash(line).to_lowercase();
        assert!(seed.contains(&line), "not in the reference: {line}");
        assert!(pdf.contains(&line), "not in the French PDF: {line}");
    }
}

#[test]
fn each_pdf_prints_every_answer_in_its_language() {
    for lang in ["fr", "en"] {
        let pdf = squash(&pdf_body(&example_pdf(lang)));
        let answers = answers(lang);
        assert!(answers.len() > 100, "{lang}: {} answers", answers.len());
        for (path, text) in answers {
            assert!(
                pdf.contains(&squash(&text)),
                "{lang}: {path} is not in the PDF:\n{text}"
            );
        }
    }
}

#[test]
fn the_english_pdf_prints_the_english_catalog() {
    let catalog = pbf_report::i18n::Catalog::load("en").unwrap();
    let pdf = squash(&pdf_text(&example_pdf("en")));
    let not_printed = [
        "rating.",
        "finance_rating.",
        "report_type.",
        "organisation.",
        "answer.",
        "format.",
        "months",
        "draft.",
        "doc.page",
        "limit",
        "annex.",
        "category.",
    ];
    let mut checked = 0;
    for (key, text) in &catalog.entries {
        if text.contains("{{") || not_printed.iter().any(|p| key.starts_with(p)) {
            continue;
        }
        assert!(
            pdf.contains(&squash(text)),
            "English label {key} is not in the PDF: {text}"
        );
        checked += 1;
    }
    assert!(checked > 80, "{checked} labels checked");
    for printed in [
        "Outcome 1:",
        "Output 2.3",
        "Indicator 1.2.2",
        "(1500 character limit)",
        "(300 characters max per entry)",
        "USD 2,500,000",
        "12 November 2019",
        "January 2018",
        "Unofficial translation",
        "Page 1 of",
    ] {
        assert!(pdf.contains(&squash(printed)), "{printed}");
    }
    let fr = squash(&pdf_text(&example_pdf("fr")));
    for printed in [
        "Résultat 2:",
        "Produit 1.3",
        "Indicateur 2.2.2",
        "2 500 000 USD",
        "855 000 USD",
        "12 novembre 2019",
        "Janvier 2018",
        "Page 1 sur",
    ] {
        assert!(fr.contains(&squash(printed)), "{printed}");
    }
    assert!(!fr.contains("Traductionnonofficielle"));
}

#[test]
fn french_typography_is_applied_and_english_is_left_alone() {
    let raw = tool(
        "pdftotext",
        &["-enc", "UTF-8", example_pdf("fr").to_str().unwrap(), "-"],
    );
    // pdftotext writes the narrow no-break space as a space: the colon no longer touches the word.
    assert!(
        raw.contains("PAYS : Mali") || raw.contains("PAYS\u{202F}: Mali"),
        "{}",
        &raw[..300]
    );
    assert!(
        raw.contains("« La résolution du problème d'eau"),
        "guillemets"
    );
    let en = tool(
        "pdftotext",
        &["-enc", "UTF-8", example_pdf("en").to_str().unwrap(), "-"],
    );
    assert!(en.contains("COUNTRY: Mali"));
}

#[test]
fn the_pdfs_are_valid_with_every_font_embedded() {
    for lang in ["fr", "en"] {
        let path = example_pdf(lang);
        let path = path.to_str().unwrap();
        let check = tool("qpdf", &["--check", path]);
        assert!(
            check.contains("No syntax or stream encoding errors"),
            "{check}"
        );
        let fonts = tool("pdffonts", &[path]);
        let rows: Vec<&str> = fonts.lines().skip(2).collect();
        assert!(rows.len() >= 3, "{fonts}");
        for row in rows {
            let cols: Vec<&str> = row.split_whitespace().collect();
            assert_eq!(cols[cols.len() - 5], "yes", "not embedded: {row}");
        }
        let info = tool("pdfinfo", &[path]);
        assert!(info.contains("Tagged:          yes"), "{info}");
        assert!(
            info.contains("Page size:       595.276 x 841.89 pts (A4)"),
            "{info}"
        );
        assert!(
            info.contains("CreationDate:") && info.contains("Nov 12") && info.contains("2019"),
            "{info}"
        );
        assert!(
            info.contains("Title:           ") && info.contains("PBF IRF-217"),
            "{info}"
        );
    }
}

#[test]
fn the_same_build_twice_gives_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    Run::new(&["build", "--out", dir.path().to_str().unwrap(), EXAMPLE])
        .status(0)
        .run();
    for lang in ["fr", "en"] {
        let again = std::fs::read(dir.path().join(format!(
            "pbf-irf-217/2019-11-12-final/pbf-irf-217-2019-11-12-final.{lang}.pdf"
        )))
        .unwrap();
        assert!(
            again == std::fs::read(example_pdf(lang)).unwrap(),
            "{lang} differs between two builds"
        );
    }
}

/// A copy of `tests/good/minimal.yaml` whose first 1.1 answer is `status`, in a temp folder, and
/// the run that builds it there.
fn build_minimal(status: &str, extra: &[&str]) -> (tempfile::TempDir, Run) {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join("tests/good/minimal.yaml")).unwrap();
    let text = text.replace(
        "  status: Les activités préparatoires sont achevées.",
        &format!("  status: {status}"),
    );
    let source = dir.path().join("2020-06-15-semi-annual.yaml");
    std::fs::write(&source, text).unwrap();
    let out_dir = dir.path().join("out");
    let mut args = vec![
        "build",
        "--out",
        out_dir.to_str().unwrap(),
        source.to_str().unwrap(),
    ];
    args.extend(extra);
    let build = Run::new(&args);
    (dir, build)
}

fn minimal_pdf(dir: &Path) -> PathBuf {
    dir.join("out/pbf-irf-999/2020-06-15-semi-annual/pbf-irf-999-2020-06-15-semi-annual.fr.pdf")
}

#[test]
fn user_text_prints_literally_and_is_never_markup() {
    let hostile = r"#set page(width: 1cm) *x* _y_ $z$ @ref <l> \ ] # 😀 = titre";
    let (dir, build) = build_minimal(&format!("'{hostile}'"), &[]);
    build.status(0).run();
    let pdf = minimal_pdf(dir.path());
    assert!(
        squash(&pdf_text(&pdf)).contains(&squash(hostile)),
        "{}",
        pdf_text(&pdf)
    );
    let info = tool("pdfinfo", &["-f", "1", "-l", "20", pdf.to_str().unwrap()]);
    let sizes: Vec<&str> = info
        .lines()
        .filter(|l| l.starts_with("Page") && l.contains("size:"))
        .collect();
    assert!(
        sizes.len() >= 3 && sizes.iter().all(|l| l.contains("(A4)")),
        "{info}"
    );
}

#[test]
fn a_report_in_one_language_renders_in_that_language_only() {
    let (dir, build) = build_minimal("Achevé.", &[]);
    build.status(0).run();
    let folder = dir.path().join("out/pbf-irf-999/2020-06-15-semi-annual");
    let mut names: Vec<_> = std::fs::read_dir(folder)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "2020-06-15-semi-annual.yaml",
            "annex-a.fr.xlsx",
            "manifest.json",
            "pbf-irf-999-2020-06-15-semi-annual.fr.pdf"
        ]
    );
}

#[test]
fn text_over_its_limit_fails_the_build_as_it_fails_check() {
    let long = "mot ".repeat(400);
    let (dir, build) = build_minimal(&long, &[]);
    let out = build
        .status(1)
        .stderr_has("error: progress.status: 1599 characters, 99 over the limit of 1500")
        .run();
    assert!(
        out.stderr.ends_with("built 0 of 1 source\n"),
        "{}",
        out.stderr
    );
    assert!(!dir.path().join("out").exists(), "nothing may be written");
}

#[test]
fn a_draft_renders_text_over_its_limit_marked_with_its_count() {
    let long = "mot ".repeat(400);
    let (dir, build) = build_minimal(&long, &["--draft"]);
    // The text over its limit is still said, as a warning since the draft builds, and the line
    // of a built source says it is a draft.
    build
        .status(0)
        .stderr_has("warning: progress.status: 1599 characters, 99 over the limit of 1500")
        .stderr_lacks("error")
        .stderr_has("a draft draws it with its count; a build without --draft refuses it")
        .stderr_has(" files, a draft)\n")
        .run();
    let text = squash(&pdf_text(&minimal_pdf(dir.path())));
    assert!(
        text.contains(&squash("1599 caractères, limite 1500 : 99 de trop")),
        "{text}"
    );
    assert!(text.contains("BROUILLON"));
    // Built again, the draft is up to date, and its texts are still over their limit: said again.
    Run::new(&[
        "build",
        "--draft",
        "--out",
        "out",
        "2020-06-15-semi-annual.yaml",
    ])
    .cwd(dir.path())
    .status(0)
    .stderr_has("warning: progress.status: 1599 characters")
    .stderr_has("up to date: 2020-06-15-semi-annual.yaml")
    .run();
}

#[test]
fn a_draft_with_another_error_fails_on_it_and_still_calls_the_long_text_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join("tests/good/minimal.yaml")).unwrap();
    let long = "mot ".repeat(400);
    let text = text
        .replace("  report_date: 2020-06-15", "  report_date: 2020-13-45")
        .replace(
            "  status: Les activités préparatoires sont achevées.",
            &format!("  status: {long}"),
        );
    std::fs::write(dir.path().join("2020-06-15-semi-annual.yaml"), text).unwrap();
    Run::new(&["build", "--draft", "2020-06-15-semi-annual.yaml"])
        .cwd(dir.path())
        .status(1)
        .stderr_has("error: cover.report_date: 2020-13-45 is not a day of the calendar")
        .stderr_has("warning: progress.status: 1599 characters, 99 over the limit of 1500")
        .run();
    assert!(
        !dir.path()
            .join("out/pbf-irf-999")
            .join("2020-06-15-semi-annual")
            .exists()
    );
}

#[test]
fn emit_typst_writes_what_the_stock_compiler_needs() {
    let dir = tempfile::tempdir().unwrap();
    let emit = dir.path().join("emit");
    Run::new(&[
        "build",
        "--out",
        dir.path().join("out").to_str().unwrap(),
        "--emit-typst",
        emit.to_str().unwrap(),
        EXAMPLE,
    ])
    .status(0)
    .run();
    let base = emit.join("pbf-irf-217/2019-11-12-final/en");
    for file in ["report.typ", "data.json", "fonts/Carlito-Regular.ttf"] {
        assert!(base.join(file).is_file(), "{file} missing");
    }
    let data: serde_json::Value =
        serde_json::from_slice(&std::fs::read(base.join("data.json")).unwrap()).unwrap();
    assert_eq!(data["lang"], "en");
    let cover = data["parts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "cover");
    let questions = cover.unwrap()["questions"].as_array().unwrap();
    let total = questions
        .iter()
        .find(|q| q["name"] == "budget_total")
        .unwrap();
    assert_eq!(total["answer"]["text"], "USD 2,500,000");
}

#[test]
fn a_character_no_font_can_draw_is_a_warning_naming_its_field() {
    let (dir, build) = build_minimal("Paix 漢字", &[]);
    build
        .status(0)
        .stderr_has("warning: progress.status: no font can draw '漢' (U+6F22); it prints as □")
        .run();
    assert!(squash(&pdf_text(&minimal_pdf(dir.path()))).contains("Paix□□"));
}

/// `lang`'s footer of page `n` of `total`, after `left` (the gateway number and the title).
fn footer(lang: &str, left: &str, n: usize, total: usize) -> String {
    match lang {
        "fr" => format!("{left} Page {n} sur {total}"),
        _ => format!("{left} – Unofficial translation Page {n} of {total}"),
    }
}

#[test]
fn every_page_ends_with_its_footer_page_number_and_count() {
    for (lang, title, pages) in [
        ("fr", "RAPPORT DE PROGRES DE PROJET PBF", 13),
        ("en", "PBF PROJECT PROGRESS REPORT", 12),
    ] {
        let left = format!("PBF IRF-217 – {title}");
        let expected: Vec<String> = (1..=pages).map(|n| footer(lang, &left, n, pages)).collect();
        assert_eq!(footers(&example_pdf(lang)), expected, "{lang}");
    }
}

/// Reports built in one run share typst's memoized layout: each must still print its own data,
/// down to the footer of its last page.
#[test]
fn sources_built_in_one_run_each_print_their_own_project() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join(EXAMPLE)).unwrap();
    let projects = [217, 218, 219, 220];
    for n in projects {
        let source = dir
            .path()
            .join(format!("data/pbf-irf-{n}/2019-11-12-final.yaml"));
        std::fs::create_dir_all(source.parent().unwrap()).unwrap();
        let own = text
            .replace("IRF-217", &format!("IRF-{n}"))
            .replace("irf-217", &format!("irf-{n}"))
            .replacen("country: Mali", &format!("country: Mali {n}"), 1);
        std::fs::write(source, own).unwrap();
    }
    Run::new(&["build", "--quiet", "data"])
        .cwd(dir.path())
        .status(0)
        .run();
    for n in projects {
        let folder = dir.path().join(format!("out/pbf-irf-{n}/2019-11-12-final"));
        let pdf = folder.join(format!("pbf-irf-{n}-2019-11-12-final.fr.pdf"));
        let left = format!("PBF IRF-{n} – RAPPORT DE PROGRES DE PROJET PBF");
        let expected: Vec<String> = (1..=13).map(|p| footer("fr", &left, p, 13)).collect();
        assert_eq!(footers(&pdf), expected, "project {n}");
        let body = pdf_text(&pdf);
        assert!(body.contains(&format!("Mali {n}")), "project {n}");
        for other in projects.iter().filter(|&&o| o != n) {
            assert!(!body.contains(&format!("IRF-{other}")), "{other} in {n}");
        }
    }
}

/// A text with ` #` in it (a hashtag, `answer #6`, `8 #of 12`) is refused rather than cut at the
/// `#`; the fix each error gives, applied as written, builds a PDF that holds every whole text.
#[test]
fn text_after_a_hash_is_refused_and_its_fix_prints_it_whole() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("2020-06-15-semi-annual.yaml");
    let bad = crate::common::patched(&root().join("tests/bad/comment-after-text.diff"));
    std::fs::write(&source, &bad).unwrap();
    let out_dir = dir.path().join("out");
    let args = [
        "build",
        "--out",
        out_dir.to_str().unwrap(),
        source.to_str().unwrap(),
    ];
    let refused = Run::new(&args).status(1).run();
    assert!(!out_dir.exists(), "a refused build wrote out/");
    let fixes: Vec<String> = refused
        .stderr
        .lines()
        .filter_map(|l| l.strip_prefix("   = help: put the whole text in quotes, \""))
        .map(|l| l.split_once("\", or write").unwrap().0.to_string())
        .collect();
    assert_eq!(fixes.len(), 3, "{}", refused.stderr);
    let mut text = String::from_utf8(bad).unwrap();
    for fix in &fixes {
        assert!(text.contains(fix.as_str()), "{fix}");
        text = text.replacen(fix.as_str(), &format!("\"{fix}\""), 1);
    }
    std::fs::write(&source, text).unwrap();
    Run::new(&args).status(0).run();
    let printed = squash(&pdf_text(&minimal_pdf(dir.path())));
    for fix in &fixes {
        assert!(printed.contains(&squash(fix)), "{fix} not in the PDF");
    }
}
