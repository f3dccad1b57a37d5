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

fn check(dir: &Path) -> Run {
    Run::new(&["i18n", "check", "--dir", dir.to_str().unwrap()])
}

#[test]
fn the_repository_catalogs_pass() {
    Run::new(&["i18n", "check"])
        .stderr_is("checked 2 catalogs: 0 problems, 0 warnings\n")
        .status(0)
        .run();
}

#[test]
fn a_changed_english_text_shows_what_changed() {
    let (_dir, i18n) = catalogs();
    edit(
        &i18n.join("en.yaml"),
        "cover.country: \"COUNTRY:\"",
        "cover.country: \"COUNTRY NAME:\"",
    );
    let out = check(&i18n).status(1).run();
    let fr = i18n.join("fr.yaml");
    let line = std::fs::read_to_string(&fr)
        .unwrap()
        .lines()
        .position(|l| l.starts_with("cover.country:"))
        .unwrap()
        + 1;
    let expected = format!(
        "error: `cover.country` is stale: the English text changed since it was translated\n  \
         --> {}:{line}:1\n   |\n{line} | cover.country: \"PAYS:\"\n   | ^\n   \
         = English then: \"COUNTRY:\"\n   = English now:  \"COUNTRY NAME:\"\n   \
         = once the translation matches it, write above the entry:  # en: \"COUNTRY NAME:\"\n",
        fr.display()
    );
    assert!(out.stderr.starts_with(&expected), "{}", out.stderr);
    assert!(
        out.stderr
            .ends_with("checked 2 catalogs: 1 problem, 0 warnings\n"),
        "{}",
        out.stderr
    );

    // The translator updates the text and the record above it: clean again.
    edit(
        &fr,
        "# en: \"COUNTRY:\"\ncover.country: \"PAYS:\"",
        "# en: \"COUNTRY NAME:\"\ncover.country: \"NOM DU PAYS:\"",
    );
    check(&i18n).status(0).run();
}

#[test]
fn each_rule_is_reported_with_file_line_and_key() {
    let long = format!("doc.title: \"{}\"", "R".repeat(4_001));
    let marks = format!("doc.title: \"R{}\"", "\u{301}".repeat(31));
    let tall = format!("doc.title: \"{}\"", "x\\n".repeat(21));
    let cases: [(&str, &str, &str, &str); 16] = [
        (
            "fr",
            "# en: \"Unofficial translation\"\ndoc.unofficial: \"Traduction non officielle\"",
            "",
            "error: `doc.unofficial` is missing",
        ),
        (
            "fr",
            "doc.title:",
            "# en: \"x\"\ndoc.subtitle: \"Sous-titre\"\ndoc.title:",
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
            "# en: \"PBF PROJECT PROGRESS REPORT\"\n",
            "",
            "error: `doc.title` is stale: no `# en: \"…\"` line above it says which English text it translates",
        ),
        (
            "en",
            "doc.title: \"PBF PROJECT PROGRESS REPORT\"",
            "doc.title: [\"PBF\", \"REPORT\"]",
            "error: each line holds one entry: key: \"text\"",
        ),
        (
            "fr",
            "doc.title: \"RAPPORT DE PROGRES DE PROJET PBF\"",
            "doc.title: \"RAPPORT{% if false %} SECRET{% endif %}\"",
            "error: `doc.title`: `{%` at character 8 is template syntax; a text may hold only {{ name }} placeholders",
        ),
        (
            "fr",
            "doc.title: \"RAPPORT DE PROGRES DE PROJET PBF\"",
            "doc.title: \"RAPPORT {# caché #}\"",
            "error: `doc.title`: `{#` at character 9 is template syntax",
        ),
        (
            "en",
            "Page {{ page }} of {{ total }}",
            "Page {{ page }} of {{ total * 2 }}",
            "error: `doc.page`: `{{ total * 2 }}` at character 20 is an expression; a placeholder is a plain name, e.g. {{ n }}",
        ),
        // What a build could not print is refused here, before any build.
        (
            "fr",
            "doc.title: \"RAPPORT DE PROGRES DE PROJET PBF\"",
            "doc.title: \"\\eRAPPORT\"",
            "error: `doc.title`: the control character U+001B cannot be printed; delete it",
        ),
        (
            "fr",
            "doc.title: \"RAPPORT DE PROGRES DE PROJET PBF\"",
            &long,
            "error: `doc.title`: 4001 characters, more than the 4000 a catalog text may hold",
        ),
        (
            "fr",
            "doc.title: \"RAPPORT DE PROGRES DE PROJET PBF\"",
            &marks,
            "error: `doc.title`: more than 30 combining marks stacked on one character",
        ),
        (
            "fr",
            "doc.title: \"RAPPORT DE PROGRES DE PROJET PBF\"",
            &tall,
            "error: `doc.title`: 21 lines, more than the 20 a catalog text may hold",
        ),
        (
            "fr",
            "annex.sheet_budget: \"",
            "annex.sheet_budget: \"'",
            "error: `annex.sheet_budget`: a sheet name cannot start or end with an apostrophe",
        ),
        (
            "en",
            "doc.title: \"PBF PROJECT PROGRESS REPORT\"",
            "\"doc.title\\nok       forged\": \"PBF PROJECT PROGRESS REPORT\"",
            "error: `doc.title\\nok       forged`: a key is made of letters, digits, `.`, `_` and `-`",
        ),
    ];
    for (lang, from, to, expected) in cases {
        let (_dir, i18n) = catalogs();
        edit(&i18n.join(format!("{lang}.yaml")), from, to);
        let out = check(&i18n)
            .status(1)
            .stderr_has(&format!("{lang}.yaml"))
            .run();
        assert!(
            out.stderr.starts_with(expected),
            "expected {expected}\n got {}",
            out.stderr
        );
    }
}

#[test]
fn a_binary_catalog_is_reported_and_the_others_still_checked() {
    let (_dir, i18n) = catalogs();
    std::fs::write(i18n.join("xx.yaml"), b"\xff\xfe\x00binary").unwrap();
    edit(
        &i18n.join("fr.yaml"),
        "\"Traduction non officielle\"",
        "\"\"",
    );
    check(&i18n)
        .status(1)
        .stderr_has(
            "error: this is not UTF-8 text (byte 0xFF on line 1); a catalog is YAML text in UTF-8\n",
        )
        .stderr_has("xx.yaml")
        .stderr_has("error: `doc.unofficial` is empty")
        .run();
}

#[test]
fn status_counts_each_kind_of_entry() {
    let (_dir, i18n) = catalogs();
    std::fs::write(
        i18n.join("es.yaml"),
        "# en: \"PBF PROJECT PROGRESS REPORT\"\ndoc.title: \"INFORME DE PROGRESO DEL PROYECTO PBF\"\n\
         # en: \"OLD ENGLISH\"\ndoc.template: \"MODELO\"\n\
         doc.fund: \"SECRETARY-GENERAL’S PEACEBUILDING FUND\"  # untranslated\n\
         doc.nothing: \"nada\"\n",
    )
    .unwrap();
    let total = pbf_report::i18n::Catalog::load("en").unwrap().entries.len();
    Run::new(&["i18n", "status", "--dir", i18n.to_str().unwrap()])
        .status(0)
        .stdout_is(&format!(
            "language   translated untranslated  stale  missing  extra\n\
             en                {total:>3}            0      0        0      0 (reference)\n\
             es                  1            1      1      {:>3}      1\n\
             fr                {total:>3}            0      0        0      0\n",
            total - 3
        ))
        .run();
}

/// A workspace with the example and the repository's templates, for the release binary alone.
/// The code block that follows `after` in the translators' guide (docs/translating.md).
fn guide_block(after: &str) -> String {
    let guide = std::fs::read_to_string(root().join("docs/translating.md")).unwrap();
    let rest = &guide[guide.find(after).expect("the guide says it") + after.len()..];
    let open = rest.find("```").unwrap();
    let body = &rest[open..];
    let body = &body[body.find('\n').unwrap() + 1..];
    body[..body.find("```").unwrap()].to_string()
}

fn translator_workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let copy = |from: &str| {
        let target = dir.path().join(from);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(root().join(from), target).unwrap();
    };
    copy("data/pbf-irf-217/2019-11-12-final.yaml");
    for file in ["i18n/en.yaml", "i18n/fr.yaml", "pbf-2019/report.typ"] {
        copy(&format!("templates/{file}"));
    }
    dir
}

#[test]
fn a_template_that_draws_nothing_or_stops_short_is_refused_and_the_good_build_stays() {
    let dir = translator_workspace();
    let template = dir.path().join("templates/pbf-2019/report.typ");
    let full = std::fs::read_to_string(&template).unwrap();
    let end = "#metadata(none) <end-of-form>\n";
    assert!(full.ends_with(end), "the shipped form ends with its end");
    let build = |text: &str| {
        std::fs::write(&template, text).unwrap();
        Run::new(&["build"]).cwd(dir.path())
    };
    let blank = "error: the template drew no text: the report would be blank pages\n  --> templates/pbf-2019/report.typ";
    for drawn in [
        "",
        "// cut here\n",
        "#set page(paper: \"a4\")\n#pagebreak()\n",
    ] {
        build(&format!("{drawn}{end}"))
            .status(3)
            .stderr_has(blank)
            .run();
        let folder = dir.path().join("out/pbf-irf-217/2019-11-12-final");
        assert!(!folder.exists(), "no version folder may be written");
    }
    build(&full).status(0).run();
    let pdf = dir
        .path()
        .join("out/pbf-irf-217/2019-11-12-final/pbf-irf-217-2019-11-12-final.fr.pdf");
    let good = std::fs::read(&pdf).unwrap();
    // Up to the footer's words: a template cut after its page style still draws the footers.
    let footer = full.find("<footer>\n").expect("the footer's words") + "<footer>\n".len();
    let lines: Vec<&str> = full.lines().collect();
    for cut in [
        "".to_string(),
        full[..footer].to_string(),
        // The end moved first, or drawn by another element, or hidden in a comment.
        format!("{end}{}", lines[..100].join("\n")),
        full.replace(end, "#text(\"\") <end-of-form>\n"),
        full.replace(end, &format!("/*\n{end}")),
        full.replace(end, &format!("{end}#text(\"after the end\")\n")),
    ] {
        let out = build(&cut).status(3).run();
        let said = "error: the template stops before its end: its last line is not the form's end\n  --> templates/pbf-2019/report.typ";
        assert!(
            out.stderr.contains(said) || out.stderr.contains("unclosed"),
            "{}",
            out.stderr
        );
        assert_eq!(std::fs::read(&pdf).unwrap(), good, "the good build is kept");
    }
    // Given with --templates, the template is named where it is, not where a workspace has it.
    let elsewhere = dir.path().join("elsewhere/pbf-2019");
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::fs::write(elsewhere.join("report.typ"), "#pagebreak()\n").unwrap();
    Run::new(&["build", "--templates", "elsewhere"])
        .cwd(dir.path())
        .status(3)
        .stderr_has("  --> elsewhere/pbf-2019/report.typ\n")
        .run();
    // And so is a catalog.
    let fr = std::fs::read_to_string(dir.path().join("templates/i18n/fr.yaml")).unwrap();
    let fr = fr.replace("{{ page }} sur", "{{ pagina }} sur");
    std::fs::create_dir_all(dir.path().join("elsewhere/i18n")).unwrap();
    std::fs::write(dir.path().join("elsewhere/i18n/fr.yaml"), fr).unwrap();
    Run::new(&["build", "--templates", "elsewhere"])
        .cwd(dir.path())
        .status(1)
        .stderr_has("error: elsewhere/i18n/fr.yaml (line")
        .run();
}

#[test]
fn a_workspace_searched_from_its_root_finds_its_sources_only() {
    let dir = translator_workspace();
    Run::new(&["build"]).cwd(dir.path()).status(0).run();
    // out/ holds a copy of the source beside its manifest, templates/ holds YAML catalogs, a
    // hidden folder may hold anything: none of them is a source.
    std::fs::create_dir(dir.path().join(".trash")).unwrap();
    let source = "data/pbf-irf-217/2019-11-12-final.yaml";
    std::fs::copy(dir.path().join(source), dir.path().join(".trash/old.yaml")).unwrap();
    let build = Run::new(&["build", "."]).cwd(dir.path()).status(0).run();
    assert!(
        build.stderr.ends_with(&format!(
            "up to date: ./{source} (nothing rendered)\nbuilt 0 of 1 source, 1 up to date\n"
        )),
        "{}",
        build.stderr
    );
    Run::new(&["check", "."])
        .cwd(dir.path())
        .status(0)
        .stderr_has("checked 1 source: 0 errors")
        .run();
}

#[test]
fn i18n_commands_read_the_catalogs_of_the_templates_given() {
    let dir = translator_workspace();
    std::fs::rename(dir.path().join("templates"), dir.path().join("elsewhere")).unwrap();
    Run::new(&["i18n", "check", "--templates", "elsewhere"])
        .cwd(dir.path())
        .status(0)
        .stderr_has("checked 2 catalogs")
        .run();
    Run::new(&["i18n", "init", "es", "--templates", "elsewhere"])
        .cwd(dir.path())
        .status(0)
        .run();
    assert!(dir.path().join("elsewhere/i18n/es.yaml").is_file());
    Run::new(&["i18n", "status", "--templates", "elsewhere"])
        .cwd(dir.path())
        .status(0)
        .stdout_has("\nes ")
        .run();
}

#[test]
fn a_new_language_is_started_translated_and_built_without_a_new_program() {
    let dir = translator_workspace();
    Run::new(&["i18n", "init", "es"])
        .cwd(dir.path())
        .status(0)
        .run();
    // init never overwrites.
    Run::new(&["i18n", "init", "es"])
        .cwd(dir.path())
        .status(1)
        .run();
    let es = dir.path().join("templates/i18n/es.yaml");
    for (english, spanish) in [
        (
            "cover.country: \"COUNTRY:\"  # untranslated",
            "cover.country: \"PAÍS:\"",
        ),
        (
            "doc.title: \"PBF PROJECT PROGRESS REPORT\"  # untranslated",
            "doc.title: \"INFORME DE PROGRESO DEL PROYECTO PBF\"",
        ),
        (
            "doc.page: \"Page {{ page }} of {{ total }}\"  # untranslated",
            "doc.page: \"Página {{ page }} de {{ total }}\"",
        ),
    ] {
        edit(&es, english, spanish);
    }
    // Untranslated entries only warn.
    Run::new(&["i18n", "check"])
        .cwd(dir.path())
        .status(0)
        .stderr_has("warning: ")
        .run();
    // The table is the one the translators' guide shows.
    Run::new(&["i18n", "status"])
        .cwd(dir.path())
        .stdout_is(&guide_block("untranslated, stale, missing and extra:"))
        .run();

    // A report written in Spanish alone, in place of the example.
    let minimal = std::fs::read_to_string(root().join("tests/good/minimal.yaml")).unwrap();
    let spanish = minimal.replacen("languages: [fr]", "languages: [es]", 1);
    assert_ne!(spanish, minimal);
    std::fs::remove_file(dir.path().join("data/pbf-irf-217/2019-11-12-final.yaml")).unwrap();
    std::fs::write(dir.path().join("data/pbf-irf-217/2020-01-es.yaml"), spanish).unwrap();
    Run::new(&["build"]).cwd(dir.path()).status(0).run();
    let pdf = dir
        .path()
        .join("out/pbf-irf-999/2020-01-es/pbf-irf-999-2020-01-es.es.pdf");
    let text = crate::common::pdf_text(&pdf);
    for label in [
        "PAÍS: Niger",
        "INFORME DE PROGRESO DEL PROYECTO PBF",
        "Página 1 de",
    ] {
        assert!(text.contains(label), "{label} not in:\n{text}");
    }
    // Untranslated entries print in English.
    assert!(text.contains("Project Title:"), "{text}");
}

#[test]
fn a_catalog_edit_rebuilds_and_the_pdf_keeps_its_words() {
    let dir = translator_workspace();
    Run::new(&["build"]).cwd(dir.path()).status(0).run();
    let fr = dir.path().join("templates/i18n/fr.yaml");
    edit(
        &fr,
        "cover.country: \"PAYS:\"",
        "cover.country: \"PAYS CONCERNÉ:\"",
    );
    Run::new(&["build"])
        .cwd(dir.path())
        .status(0)
        .stderr_has("built data/pbf-irf-217/2019-11-12-final.yaml (6 files)")
        .run();
    let folder = "out/pbf-irf-217/2019-11-12-final";
    let pdf = dir
        .path()
        .join(folder)
        .join("pbf-irf-217-2019-11-12-final.fr.pdf");
    assert!(crate::common::pdf_text(&pdf).contains("PAYS CONCERNÉ"));
    let manifest = std::fs::read_to_string(dir.path().join(folder).join("manifest.json")).unwrap();
    assert!(manifest.contains("\"i18n/fr.yaml\""), "{manifest}");
    assert!(!manifest.contains("\"i18n/es.yaml\""), "{manifest}");

    // The PDF carries its catalog and template: it verifies whatever the catalogs on disk say.
    edit(
        &fr,
        "cover.country: \"PAYS CONCERNÉ:\"",
        "cover.country: \"ÉTAT:\"",
    );
    // Its catalog is no longer the workspace's: it runs only when trusted.
    let pdf_arg = pdf.to_str().unwrap();
    Run::new(&["verify", pdf_arg])
        .cwd(dir.path())
        .status(1)
        .stderr_has("templates/i18n/fr.yaml: carried by the PDF, but neither built into")
        .run();
    Run::new(&["verify", "--trust-carried", pdf_arg])
        .cwd(dir.path())
        .status(0)
        .run();
    Run::new(&["verify", "--trust-carried", folder])
        .cwd(dir.path())
        .status(0)
        .run();
    let out = dir.path().join("extracted");
    Run::new(&["extract", pdf_arg, "--out", out.to_str().unwrap()])
        .cwd(dir.path())
        .status(0)
        .run();
    let carried = std::fs::read_to_string(out.join("i18n.fr.yaml")).unwrap();
    assert!(carried.contains("cover.country: \"PAYS CONCERNÉ:\""));
    assert!(out.join("pbf-2019.report.typ").is_file());

    // Archived, the version is kept as it was archived, and the build says what differs.
    Run::new(&["archive", folder])
        .cwd(dir.path())
        .status(0)
        .run();
    let before = crate::common::files(&dir.path().join(folder));
    Run::new(&["build"])
        .cwd(dir.path())
        .status(0)
        .stderr_has("kept as archived: ")
        .stderr_has("catalog files changed: i18n/fr.yaml")
        .run();
    assert_eq!(crate::common::files(&dir.path().join(folder)), before);
}

#[test]
fn a_preview_shows_each_key_beside_its_text() {
    let dir = translator_workspace();
    Run::new(&["i18n", "init", "es"])
        .cwd(dir.path())
        .status(0)
        .run();
    edit(
        &dir.path().join("templates/i18n/es.yaml"),
        "cover.country: \"COUNTRY:\"  # untranslated",
        "cover.country: \"PAÍS:\"",
    );
    Run::new(&["i18n", "preview", "es"])
        .cwd(dir.path())
        .status(0)
        .run();
    let text = crate::common::pdf_text(&dir.path().join("out/preview/preview.es.pdf"));
    assert!(text.contains("PAÍS: ⟨cover.country⟩"), "{text}");
    assert!(text.contains("✗ Project Title: ⟨cover.title⟩"), "{text}");
}

#[test]
fn checking_twenty_thousand_entries_takes_time_in_proportion() {
    let dir = tempfile::tempdir().unwrap();
    let mut en = String::new();
    let mut xx = String::new();
    for i in 0..20_000 {
        en.push_str(&format!("key.{i}: \"Text {i}\"\n"));
        xx.push_str(&format!("key.{i}: \"Texte {i}\"\n")); // no record: every entry is stale
    }
    std::fs::write(dir.path().join("en.yaml"), en).unwrap();
    std::fs::write(dir.path().join("xx.yaml"), xx).unwrap();
    let out = check(dir.path()).status(1).run();
    assert!(
        out.stderr.ends_with(
            "… and 19950 more problems in xx.yaml\n\nchecked 2 catalogs: 20000 problems, 0 warnings\n"
        ) || out.stderr.contains("/xx.yaml\n\nchecked 2 catalogs: 20000 problems, 0 warnings\n"),
        "{}",
        &out.stderr[out.stderr.len().saturating_sub(300)..]
    );
    assert_eq!(
        out.stderr.matches("error: ").count(),
        50,
        "a screenful, then a count"
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
    // The framed answers: 2 on the cover, 7 in 1.1, a summary per outcome (2), 9 cross-cutting,
    // 3 in Part 2, and 6 cells per indicator (15).
    assert_eq!(
        fr.iter().filter(|k| *k == "framed=true").count(),
        23 + 6 * 15,
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
                    ("framed", J::Bool(framed)) => out.push(format!("framed={framed}")),
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
    // Names the layout finds the form's answers by: parts, fields, tables and kinds.
    let form = pbf_report::form::Form::pbf_2019();
    let mut names: Vec<String> = ["rating", "list", "amount", "indicators"]
        .map(String::from)
        .to_vec();
    let mut questions: Vec<&pbf_report::form::Question> =
        form.parts.iter().flat_map(|p| &p.questions).collect();
    questions.extend(form.tables.values().flatten());
    names.extend(form.parts.iter().map(|p| p.name.clone()));
    while let Some(q) = questions.pop() {
        names.push(q.path.rsplit('.').next().unwrap().to_string());
        questions.extend(&q.each);
    }
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
        ", ",
        r"\u{200B}",
        "",
        "[",
        "]",
        "[{][{] *[a-z_]+ *[}][}]",
        "[{][{] *([a-z_]+) *[}][}]",
        ".",
        "text",
    ];
    let mut literals = 0;
    for (_, part) in template.split('"').enumerate().filter(|(i, _)| i % 2 == 1) {
        if part.contains('\n') {
            continue; // not a literal: the text between two literals on different lines
        }
        literals += 1;
        assert!(
            catalog.entries.contains_key(part)
                || settings.contains(&part)
                || names.iter().any(|n| n == part),
            "wording in report.typ: \"{part}\""
        );
    }
    assert!(literals > 30, "{literals} literals");
}

#[test]
fn a_catalog_that_would_break_the_outputs_is_refused_by_check_and_build() {
    let dir = translator_workspace();
    let fr = dir.path().join("templates/i18n/fr.yaml");
    for (from, to, message) in [
        (
            "doc.page: \"Page {{ page }} sur {{ total }}\"",
            "doc.page: \"Page {{ pagina }} sur {{ total }}\"",
            "`doc.page` has the placeholders",
        ),
        (
            "months: \"janvier février",
            "months: \"février",
            "`months` holds 11 names",
        ),
        (
            "annex.sheet_budget: \"1) Tableau budgétaire\"",
            "annex.sheet_budget: \"Budget: tableau\"",
            "a sheet name cannot hold `:`",
        ),
    ] {
        let original = std::fs::read_to_string(&fr).unwrap();
        edit(&fr, from, to);
        Run::new(&["i18n", "check"])
            .cwd(dir.path())
            .status(1)
            .stderr_has(message)
            .run();
        Run::new(&["build"])
            .cwd(dir.path())
            .status(1)
            .stderr_has("templates/i18n/fr.yaml (line")
            .stderr_has(message)
            .run();
        std::fs::write(&fr, original).unwrap();
    }
    std::fs::rename(&fr, dir.path().join("templates/i18n/FR.yaml")).unwrap();
    Run::new(&["i18n", "check"])
        .cwd(dir.path())
        .stderr_has("rename it fr.yaml")
        .run();
    // A name that no language code is, lower case or not, is named without a wrong suggestion.
    for name in ["fr_FR", "123", "x"] {
        let odd = dir.path().join(format!("templates/i18n/{name}.yaml"));
        std::fs::write(&odd, "doc.title: \"x\"\n").unwrap();
        let said = "error: a catalog's name is its language code, 2 to 8 lower-case letters";
        let at = format!("--> templates/i18n/{name}.yaml");
        Run::new(&["i18n", "check"])
            .cwd(dir.path())
            .status(1)
            .stderr_has(&format!(
                "{said} or hyphens, e.g. fr.yaml or pt-br.yaml\n  {at}"
            ))
            .run();
        std::fs::remove_file(&odd).unwrap();
    }
    // A name no file of a templates folder has is refused as such, by name.
    let odd = dir.path().join("templates/i18n/zz .yaml");
    std::fs::write(&odd, "doc.title: \"x\"\n").unwrap();
    Run::new(&["i18n", "check"])
        .cwd(dir.path())
        .status(1)
        .stderr_has("templates/i18n/zz .yaml")
        .stderr_has("a name with other characters than letters, digits")
        .run();
}

#[test]
fn untranslated_entries_print_todays_english_or_their_keys() {
    let dir = translator_workspace();
    Run::new(&["i18n", "init", "es"])
        .cwd(dir.path())
        .status(0)
        .run();
    edit(
        &dir.path().join("templates/i18n/en.yaml"),
        "cover.title: \"Project Title:\"",
        "cover.title: \"Title of the project:\"",
    );
    let minimal = std::fs::read_to_string(root().join("tests/good/minimal.yaml")).unwrap();
    std::fs::remove_file(dir.path().join("data/pbf-irf-217/2019-11-12-final.yaml")).unwrap();
    let source = dir.path().join("data/pbf-irf-217/2020-01-es.yaml");
    std::fs::write(
        &source,
        minimal.replacen("languages: [fr]", "languages: [es]", 1),
    )
    .unwrap();
    Run::new(&["build"]).cwd(dir.path()).status(0).run();
    let pdf = dir
        .path()
        .join("out/pbf-irf-999/2020-01-es/pbf-irf-999-2020-01-es.es.pdf");
    assert!(crate::common::pdf_text(&pdf).contains("Title of the project:"));
    let es = dir.path().join("templates/i18n/es.yaml");
    edit(&es, "_untranslated: \"english\"", "_untranslated: \"key\"");
    Run::new(&["build"]).cwd(dir.path()).status(0).run();
    let text = crate::common::pdf_text(&pdf);
    assert!(text.contains("[cover.title]"), "{text}");
}

/// A workspace that translates one language keeps only that catalog; the `i18n` commands check
/// it against the built-in English, as a build lays it over the built-in catalogs.
#[test]
fn a_workspace_with_one_catalog_is_checked_against_the_built_in_english() {
    let dir = tempfile::tempdir().unwrap();
    let fr = dir.path().join("templates/i18n/fr.yaml");
    std::fs::create_dir_all(fr.parent().unwrap()).unwrap();
    std::fs::copy(root().join("templates/i18n/fr.yaml"), &fr).unwrap();

    Run::new(&["i18n", "check"])
        .cwd(dir.path())
        .status(0)
        .stderr_has("checked 2 catalogs: 0 problems")
        .run();
    let status = Run::new(&["i18n", "status"])
        .cwd(dir.path())
        .status(0)
        .run();
    assert!(status.stdout.contains("(reference)") || status.stderr.contains("(reference)"));

    edit(
        &fr,
        "Page {{ page }} sur {{ total }}",
        "Page {{ page }} sur {{ totale }}",
    );
    Run::new(&["i18n", "check"])
        .cwd(dir.path())
        .status(1)
        .stderr_has("templates/i18n/fr.yaml")
        .stderr_has("`doc.page` has the placeholders")
        .run();
}

/// A catalog linked into the workspace's templates is read through its link; a FIFO there is
/// refused by name, and the last good build stays, as does a link that loops.
#[test]
fn a_linked_catalog_is_read_and_a_fifo_in_the_templates_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path();
    let source = ws.join("data/pbf-irf-217/2019-11-12-final.yaml");
    std::fs::create_dir_all(source.parent().unwrap()).unwrap();
    std::fs::copy(
        root().join("data/pbf-irf-217/2019-11-12-final.yaml"),
        &source,
    )
    .unwrap();
    let kept = ws.join("translations/fr.yaml");
    std::fs::create_dir_all(kept.parent().unwrap()).unwrap();
    let text = std::fs::read_to_string(root().join("templates/i18n/fr.yaml")).unwrap();
    std::fs::write(
        &kept,
        text.replacen("cover.country: \"PAYS:\"", "cover.country: \"ÉTAT:\"", 1),
    )
    .unwrap();
    std::fs::create_dir_all(ws.join("templates/i18n")).unwrap();
    std::os::unix::fs::symlink(
        "../../translations/fr.yaml",
        ws.join("templates/i18n/fr.yaml"),
    )
    .unwrap();

    Run::new(&["build"]).cwd(ws).status(0).run();
    let folder = ws.join("out/pbf-irf-217/2019-11-12-final");
    let pdf = folder.join("pbf-irf-217-2019-11-12-final.fr.pdf");
    assert!(crate::common::squash(&crate::common::pdf_text(&pdf)).contains("ÉTAT:Mali"));
    let good = crate::common::files(&folder);

    crate::common::tool(
        "mkfifo",
        &[ws.join("templates/i18n/es.yaml").to_str().unwrap()],
    );
    std::fs::write(&source, std::fs::read_to_string(&source).unwrap() + "\n").unwrap();
    let refused = Run::new(&["build"]).cwd(ws).status(1).run();
    assert!(
        refused.stderr.starts_with(
            "error: templates/i18n/es.yaml is a FIFO, a socket or a device; this command takes \
             regular files and folders in a templates folder\n"
        ),
        "{}",
        refused.stderr
    );
    std::fs::remove_file(ws.join("templates/i18n/es.yaml")).unwrap();
    std::os::unix::fs::symlink("..", ws.join("templates/i18n/up")).unwrap();
    Run::new(&["build"])
        .cwd(ws)
        .status(1)
        .stderr_has("(a link that loops?)")
        .run();
    assert_eq!(crate::common::files(&folder), good);
}

/// A workspace `templates` that is not a folder is refused, not passed over for the built-in
/// copy.
#[test]
fn a_templates_that_is_not_a_folder_is_refused() {
    let dir = translator_workspace();
    std::fs::remove_dir_all(dir.path().join("templates")).unwrap();
    std::fs::write(dir.path().join("templates"), "x").unwrap();
    let out = Run::new(&["build"]).cwd(dir.path()).status(1).run();
    assert!(
        out.stderr.starts_with("error: templates is not a folder"),
        "{}",
        out.stderr
    );
    assert!(!dir.path().join("out").exists());
}

/// A catalog that is a FIFO, in a folder given with `--dir`, is named with its problem, never
/// read to show a line of it.
#[test]
fn a_fifo_catalog_is_named_not_waited_on() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fr.yaml");
    crate::common::tool("mkfifo", &[fifo.to_str().unwrap()]);
    let catalogs = dir.path().to_str().unwrap();
    let (status, stderr) =
        crate::common::run_bounded(dir.path(), &["i18n", "check", "--dir", catalogs]);
    assert_eq!(status, Some(1), "{stderr}");
    assert!(
        stderr.contains("fr.yaml") && stderr.contains("FIFO"),
        "{stderr}"
    );
}

/// `i18n status` names a catalog it cannot read, which has no line in its table, and does not
/// call the count a success.
#[test]
fn status_names_a_catalog_it_cannot_read() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        root().join("templates/i18n/fr.yaml"),
        dir.path().join("fr.yaml"),
    )
    .unwrap();
    std::fs::write(dir.path().join("es.yaml"), b"doc.title: \"\xff\"\n").unwrap();
    Run::new(&["i18n", "status", "--dir", dir.path().to_str().unwrap()])
        .status(1)
        .stderr_has("es.yaml: this is not UTF-8 text")
        .stdout_has("\nfr ")
        .stdout_lacks("\nes ")
        .run();
}

/// A broken link or a file over 8 MiB in the workspace's templates is refused by name, not
/// skipped.
#[test]
fn a_broken_link_or_a_huge_file_in_the_templates_is_refused() {
    let dir = translator_workspace();
    let broken = dir.path().join("templates/i18n/es.yaml");
    std::os::unix::fs::symlink("nowhere.yaml", &broken).unwrap();
    let out = Run::new(&["build"]).cwd(dir.path()).status(1).run();
    assert!(
        out.stderr
            .starts_with("error: templates/i18n/es.yaml: no such file or folder"),
        "{}",
        out.stderr
    );
    std::fs::remove_file(&broken).unwrap();
    let huge = std::fs::File::create(dir.path().join("templates/pbf-2019/logo.png")).unwrap();
    huge.set_len(9 << 20).unwrap();
    let out = Run::new(&["build"]).cwd(dir.path()).status(1).run();
    assert!(
        out.stderr
            .starts_with("error: templates/pbf-2019/logo.png is a file over 8 MiB"),
        "{}",
        out.stderr
    );
}

/// A catalog line of a hundred thousand placeholders is read in one pass: it is named at once,
/// where reading each placeholder with the rest of the line took minutes.
#[test]
fn a_line_of_many_placeholders_is_checked_in_one_pass() {
    let dir = translator_workspace();
    let fr = dir.path().join("templates/i18n/fr.yaml");
    let line = "a }}{{ b".repeat(50_000);
    edit(
        &fr,
        "doc.title: \"RAPPORT DE PROGRES DE PROJET PBF\"",
        &format!("doc.title: \"{line}\""),
    );
    let (status, stderr) = crate::common::run_bounded(dir.path(), &["i18n", "check"]);
    assert_eq!(status, Some(1), "{stderr}");
    assert!(
        stderr.contains("`doc.title`: `{{` at character 399997 is never closed"),
        "{}",
        &stderr[..stderr.len().min(600)]
    );
}

/// English is the reference: `i18n init en` would write it marked untranslated, after which
/// every new catalog started from it is broken. It is refused, and nothing is written.
#[test]
fn the_reference_catalog_is_never_started_as_a_translation() {
    let dir = tempfile::tempdir().unwrap();
    let out = Run::new(&["i18n", "init", "en"])
        .cwd(dir.path())
        .status(2)
        .run();
    assert!(
        out.stderr.contains("en is the reference catalog"),
        "{}",
        out.stderr
    );
    assert!(!dir.path().join("templates").exists());
}

/// The built-in languages are always checked and counted, and a command writes their catalogs
/// into a workspace to edit: as built in, byte for byte, never over a file. A French catalog
/// written so builds the French PDF the built-in one does.
#[test]
fn the_built_in_catalogs_are_one_command_away() {
    let empty = tempfile::tempdir().unwrap();
    Run::new(&["i18n", "status"])
        .cwd(empty.path())
        .status(0)
        .stdout_has("\nen                171            0      0        0      0 (reference)\n")
        .stdout_has("\nfr                171            0      0        0      0\n")
        .run();
    Run::new(&["i18n", "check"])
        .cwd(empty.path())
        .status(0)
        .stderr_is("checked 2 catalogs: 0 problems, 0 warnings\n")
        .run();
    for (command, lang) in [("export", "fr"), ("export", "en"), ("init", "fr")] {
        let dir = tempfile::tempdir().unwrap();
        Run::new(&["i18n", command, lang])
            .cwd(dir.path())
            .status(0)
            .stderr_has(&format!("the built-in `{lang}` catalog, to edit"))
            .run();
        let written = dir.path().join(format!("templates/i18n/{lang}.yaml"));
        assert_eq!(
            std::fs::read(&written).unwrap(),
            std::fs::read(root().join(format!("templates/i18n/{lang}.yaml"))).unwrap()
        );
        Run::new(&["i18n", command, lang])
            .cwd(dir.path())
            .status(1)
            .stderr_has("exists already; it was left as it is")
            .run();
    }
    Run::new(&["i18n", "init", "en"])
        .cwd(empty.path())
        .status(2)
        .stderr_has("`pbf-report i18n export en` writes it into the workspace")
        .run();

    // `i18n init fr`, then a build: the French PDF of the built-in catalog, byte for byte.
    let pdf = |init: bool| {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("data/pbf-irf-217/2019-11-12-final.yaml");
        std::fs::create_dir_all(source.parent().unwrap()).unwrap();
        std::fs::copy(
            root().join("data/pbf-irf-217/2019-11-12-final.yaml"),
            &source,
        )
        .unwrap();
        if init {
            Run::new(&["i18n", "init", "fr"])
                .cwd(dir.path())
                .status(0)
                .run();
        }
        Run::new(&["build"]).cwd(dir.path()).status(0).run();
        std::fs::read(
            dir.path()
                .join("out/pbf-irf-217/2019-11-12-final/pbf-irf-217-2019-11-12-final.fr.pdf"),
        )
        .unwrap()
    };
    assert!(pdf(true) == pdf(false), "the French PDFs differ");
}

/// A translator who typed the translation and left its mark: the translation prints, counts as
/// translated, and `check` says the mark should go; `check --fix` removes it.
#[test]
fn a_translated_entry_still_marked_prints_and_its_mark_goes() {
    let dir = translator_workspace();
    Run::new(&["i18n", "init", "es"])
        .cwd(dir.path())
        .status(0)
        .run();
    let es = dir.path().join("templates/i18n/es.yaml");
    edit(
        &es,
        "cover.country: \"COUNTRY:\"  # untranslated",
        "cover.country: \"PAÍS:\"  # untranslated",
    );
    Run::new(&["i18n", "check"])
        .cwd(dir.path())
        .status(0)
        .stderr_has(
            "1 entry is translated but still marked # untranslated, the first `cover.country`",
        )
        .stderr_has("`pbf-report i18n check --fix` removes the mark of every such entry")
        .run();
    Run::new(&["i18n", "status"])
        .cwd(dir.path())
        .status(0)
        .stdout_has("\nes                  1          170      0        0      0\n")
        .run();
    Run::new(&["i18n", "preview", "es"])
        .cwd(dir.path())
        .status(0)
        .run();
    let text = crate::common::pdf_text(&dir.path().join("out/preview/preview.es.pdf"));
    assert!(text.contains("PAÍS: ⟨cover.country⟩"), "{text}");
    Run::new(&["i18n", "check", "--fix"])
        .cwd(dir.path())
        .status(0)
        .stderr_has(
            "removed the # untranslated mark of 1 translated entry in templates/i18n/es.yaml",
        )
        .stderr_lacks("still marked")
        .run();
    let text = std::fs::read_to_string(&es).unwrap();
    assert!(text.contains("\ncover.country: \"PAÍS:\"\n"), "{text}");

    // A read-only catalog keeps its marks, and its mode.
    use std::os::unix::fs::PermissionsExt;
    edit(
        &es,
        "cover.title: \"Project Title:\"  # untranslated",
        "cover.title: \"Título:\"  # untranslated",
    );
    std::fs::set_permissions(&es, std::fs::Permissions::from_mode(0o444)).unwrap();
    let before = std::fs::read(&es).unwrap();
    Run::new(&["i18n", "check", "--fix"])
        .cwd(dir.path())
        .stderr_has("is read-only: its marks were left")
        .run();
    assert_eq!(std::fs::read(&es).unwrap(), before);
    let mode = std::fs::metadata(&es).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o444);
}

/// A language in progress is reproducible: its PDF records and carries the English its
/// untranslated entries print, so an edit of the workspace's English renders again, `verify`
/// passes right after each build, and an archived version keeps the words it was made with.
/// Dates print as the language writes them.
#[test]
fn a_language_in_progress_is_reproducible_and_writes_its_dates() {
    let dir = translator_workspace();
    Run::new(&["i18n", "init", "es"])
        .cwd(dir.path())
        .status(0)
        .run();
    let es = dir.path().join("templates/i18n/es.yaml");
    // The entry the translators' guide shows is the one `init` writes.
    let started = std::fs::read_to_string(&es).unwrap();
    let sample = guide_block("each one in English and marked as not yet translated:");
    assert!(started.contains(&sample), "{sample}");
    for (english, spanish) in [
        ("cover.country: \"COUNTRY:\"", "cover.country: \"PAÍS:\""),
        (
            "doc.title: \"PBF PROJECT PROGRESS REPORT\"",
            "doc.title: \"INFORME DE PROGRESO DEL PROYECTO PBF\"",
        ),
        (
            "doc.page: \"Page {{ page }} of {{ total }}\"",
            "doc.page: \"Página {{ page }} de {{ total }}\"",
        ),
        (
            "format.date: \"{{ day }} {{ month }} {{ year }}\"",
            "format.date: \"{{ day }} de {{ month }} de {{ year }}\"",
        ),
        (
            "format.month: \"{{ month }} {{ year }}\"",
            "format.month: \"{{ month }} de {{ year }}\"",
        ),
        (
            "months: \"January February March April May June July August September October November December\"",
            "months: \"enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre\"",
        ),
        (
            "format.money: \"USD {{ amount }}\"",
            "format.money: \"{{ amount }} USD\"",
        ),
        ("format.thousands: \",\"", "format.thousands: \".\""),
        ("format.decimal: \".\"", "format.decimal: \",\""),
        (
            "doc.unofficial: \"Unofficial translation\"",
            "doc.unofficial: \"Traducción no oficial\"",
        ),
    ] {
        edit(&es, &format!("{english}  # untranslated"), spanish);
    }
    let minimal = std::fs::read_to_string(root().join("tests/good/minimal.yaml")).unwrap();
    let spanish = minimal.replacen("languages: [fr]", "languages: [es]", 1);
    std::fs::remove_file(dir.path().join("data/pbf-irf-217/2019-11-12-final.yaml")).unwrap();
    // Where the workspace keeps the source of an archived version: an archive vouches for the
    // words its version was made with only beside it.
    let source = dir.path().join("data/pbf-irf-999/2020-01-es.yaml");
    std::fs::create_dir_all(source.parent().unwrap()).unwrap();
    std::fs::write(&source, spanish).unwrap();
    let folder = dir.path().join("out/pbf-irf-999/2020-01-es");
    let pdf = folder.join("pbf-irf-999-2020-01-es.es.pdf");
    let verify = |path: &Path| {
        Run::new(&["verify", path.to_str().unwrap()])
            .cwd(dir.path())
            .status(0)
            .run()
    };
    Run::new(&["build"]).cwd(dir.path()).status(0).run();
    let text = crate::common::pdf_text(&pdf);
    assert!(text.contains("15 de junio de 2020"), "{text}");
    assert!(text.contains("Julio de 2019"), "{text}");
    assert!(text.contains("Project Title:"), "{text}");
    assert!(crate::common::attached_names(&pdf).contains(&"i18n.en.yaml".to_string()));
    verify(&folder);

    // The workspace's English changes: the Spanish PDF is made again and shows it.
    let en = dir.path().join("templates/i18n/en.yaml");
    edit(
        &en,
        "cover.title: \"Project Title:\"",
        "cover.title: \"Project Name:\"",
    );
    Run::new(&["build"])
        .cwd(dir.path())
        .status(0)
        .stderr_lacks("up to date")
        .run();
    assert!(crate::common::pdf_text(&pdf).contains("Project Name:"));
    verify(&folder);
    Run::new(&["archive", folder.to_str().unwrap()])
        .cwd(dir.path())
        .status(0)
        .run();
    // Another edit of the English: the archived version still verifies with its own words.
    edit(
        &en,
        "cover.title: \"Project Name:\"",
        "cover.title: \"Title:\"",
    );
    verify(&folder);
    verify(&pdf);
}
