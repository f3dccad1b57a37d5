//! Layout that cannot break, read back from the PDFs with `pdftotext`: a question is on the page
//! where its answer starts, a draft's over-limit note is on the page of its frame, and text at
//! every limit — with runs of characters no line can hold — stays inside its cell and its page.

use std::path::{Path, PathBuf};

use crate::common::{Run, answers_of, built_example, pdf_text, root, squash, text_at, tool};

/// The pages of a PDF, each squashed (no whitespace, quotes alike).
fn pages(pdf: &Path) -> Vec<String> {
    pdf_text(pdf).split('\u{c}').map(squash).collect()
}

/// The first `n` characters of a squashed text.
fn head(text: &str, n: usize) -> String {
    text.chars().take(n).collect()
}

fn tail(text: &str, n: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    chars[chars.len().saturating_sub(n)..].iter().collect()
}

/// Fails unless the page where `answer` starts also shows the end of `question` before it.
fn assert_on_answer_page(pages: &[String], question: &str, answer: &str, what: &str) {
    let answer = head(&squash(answer), 30);
    let question = tail(&squash(question), 30);
    let page = pages
        .iter()
        .position(|p| p.contains(&answer))
        .unwrap_or_else(|| panic!("{what}: the answer {answer:?} is not in the PDF"));
    let at = pages[page].find(&answer).unwrap();
    assert!(
        pages[page][..at].contains(&question),
        "{what}: the question ending {question:?} is not on page {} where its answer starts",
        page + 1
    );
}

/// The questions of Parts 1.1, 1.2 and 2 of a report's `answers` in `lang`, with the start of
/// each answer.
fn questions(answers: &serde_json::Value, lang: &str) -> Vec<(String, String, String)> {
    let catalog = pbf_report::i18n::Catalog::load(lang).unwrap();
    let mut list: Vec<(&str, String)> = [
        "progress.status",
        "progress.relevance",
        "progress.unique",
        "progress.peacebuilding_results",
        "progress.human_impact",
        "finance.tranches_and_expenditure",
        "progress.challenges_on_track",
        "progress.off_track",
    ]
    .into_iter()
    .filter_map(|path| Some((path, text_at(answers, path, lang)?)))
    .collect();
    let outcomes = answers["outcomes"].as_array().unwrap();
    for (i, outcome) in outcomes.iter().enumerate() {
        let key = if i == 0 {
            "outcome.summary"
        } else {
            "outcome.summary_short"
        };
        list.push((key, text_at(outcome, "summary", lang).unwrap()));
    }
    list.into_iter()
        .filter(|(_, answer)| squash(answer).chars().count() >= 10)
        .map(|(key, answer)| (key.to_string(), catalog.get(key), answer))
        .collect()
}

#[test]
fn in_the_example_every_question_is_on_the_page_where_its_answer_starts() {
    let example = root().join(crate::common::EXAMPLE);
    let report = answers_of(&example, &std::fs::read(&example).unwrap());
    for lang in ["fr", "en"] {
        let pdf = built_example().join(format!("pbf-irf-217-2019-11-12-final.{lang}.pdf"));
        let pages = pages(&pdf);
        let questions = questions(&report, lang);
        assert!(
            questions.len() >= 9,
            "{lang}: {} questions",
            questions.len()
        );
        for (key, question, answer) in questions {
            assert_on_answer_page(&pages, &question, &answer, &format!("{lang} {key}"));
        }
    }
}

/// Builds `text` as a source named `name` in a folder of its own; the PDF's path.
fn build(dir: &Path, name: &str, text: &str, extra: &[&str]) -> PathBuf {
    let source = dir.join(format!("{name}.yaml"));
    std::fs::write(&source, text).unwrap();
    let out = dir.join("out");
    let mut args = vec![
        "build",
        "--out",
        out.to_str().unwrap(),
        source.to_str().unwrap(),
    ];
    args.extend(extra);
    let run = Run::new(&args).output();
    assert_eq!(run.status, 0, "{name}: {}", run.stderr);
    out.join(format!("pbf-irf-999/{name}/pbf-irf-999-{name}.fr.pdf"))
}

/// Words of `n` characters in all, separated by spaces.
fn words(n: usize, seed: usize) -> String {
    let vocabulary = [
        "paix",
        "comités",
        "communautés",
        "dialogue",
        "femmes",
        "jeunes",
        "conflits",
    ];
    let mut out = String::new();
    let mut i = seed;
    while out.chars().count() < n {
        out.push_str(vocabulary[i % vocabulary.len()]);
        out.push(' ');
        i += 1;
    }
    out.chars().take(n - 1).collect::<String>() + "."
}

/// The first answer grows a few words at a time, so that every later question and the
/// over-limit note of a draft fall, in one of the builds, where a page ends; each must still be on
/// the page where its answer starts.
#[test]
fn a_question_and_a_drafts_note_stay_with_their_answer_wherever_the_page_ends() {
    let dir = tempfile::tempdir().unwrap();
    let minimal = std::fs::read_to_string(root().join("tests/good/minimal.yaml")).unwrap();
    let over = format!("Témoignages {}", words(1528, 3));
    for step in 0..14 {
        let status = format!("Étapes {}", words(900 + step * 90, step));
        let text = minimal
            .replace(
                "  status: Les activités préparatoires sont achevées.",
                &format!("  status: {status}"),
            )
            .replace(
                "  human_impact: \"« Nous nous parlons de nouveau », dit une participante.\"",
                &format!("  human_impact: {over}"),
            )
            .replace(
                "  challenges_on_track:",
                "  off_track: Sans objet, le projet est sur la bonne voie.\n  challenges_on_track:",
            );
        let name = format!("2020-06-15-step-{step}");
        let pdf = build(dir.path(), &name, &text, &["--draft"]);
        let pages = pages(&pdf);
        let report = answers_of(Path::new("x.yaml"), text.as_bytes());
        for (key, question, answer) in questions(&report, "fr") {
            assert_on_answer_page(&pages, &question, &answer, &format!("step {step}: {key}"));
        }
        assert_on_answer_page(
            &pages,
            "1540caractères",
            &over,
            &format!("step {step}: the note"),
        );
    }
}

/// A word as `pdftotext -bbox` boxes it, with its page's size.
struct Word {
    page: usize,
    landscape: bool,
    page_width: f64,
    x: (f64, f64),
    text: String,
}

fn boxed_words(pdf: &Path) -> Vec<Word> {
    let html = tool("pdftotext", &["-bbox", pdf.to_str().unwrap(), "-"]);
    let number = |s: &str, key: &str| -> f64 {
        let from = s.find(&format!("{key}=\"")).unwrap() + key.len() + 2;
        s[from..from + s[from..].find('"').unwrap()]
            .parse()
            .unwrap()
    };
    let mut words = Vec::new();
    for (page, chunk) in html.split("<page ").skip(1).enumerate() {
        let (width, height) = (number(chunk, "width"), number(chunk, "height"));
        for w in chunk.split("<word ").skip(1) {
            let text = &w[w.find('>').unwrap() + 1..w.find("</word>").unwrap()];
            words.push(Word {
                page: page + 1,
                landscape: width > height,
                page_width: width,
                x: (number(w, "xMin"), number(w, "xMax")),
                text: text.to_string(),
            });
        }
    }
    words
}

/// A text of exactly `n` characters whose middle is a run of `run` characters `c`.
fn with_run(n: usize, c: char, run: usize, seed: usize) -> String {
    let before = (n - run) / 2;
    let after = n - run - before;
    format!(
        "{} {} {}",
        words(before.max(2) - 1, seed),
        c.to_string().repeat(run),
        words(after.max(2) - 1, seed + 1)
    )
    .chars()
    .take(n)
    .collect()
}

/// A source whose every limited field is at its limit and whose texts hold runs of characters
/// wider than their box. JSON is YAML: the source is written as JSON.
fn at_every_limit() -> String {
    use serde_json::json;
    let narrative = |seed| with_run(1500, 'm', 120, seed);
    let cell = |seed: usize| match seed % 3 {
        0 => with_run(300, 'm', 290, seed),
        1 => with_run(300, '_', 80, seed),
        _ => words(300, seed),
    };
    let indicator = |seed: usize| {
        json!({
            "indicator": cell(seed), "baseline": cell(seed + 1), "target": cell(seed + 2),
            "progress": cell(seed + 3), "variance_reason": cell(seed + 4),
            "target_adjustment": cell(seed + 5),
        })
    };
    let statement = |seed| with_run(1000, 'm', 150, seed);
    let outcomes: Vec<_> = (0..4)
        .map(|o| {
            let outputs: Vec<_> = (0..3)
                .map(|i| {
                    let seed = o * 10 + i;
                    let mut output = json!({
                        "statement": statement(seed),
                        "indicators": [indicator(seed), indicator(seed + 7)],
                    });
                    if seed == 0 {
                        output["activities"] = json!([{
                            "formulation": statement(seed + 1),
                            "budget": {"undp": 100000, "unicef": 50000},
                            "gender": 30000, "spent": 1000,
                            "notes": statement(seed + 2),
                        }]);
                    }
                    output
                })
                .collect();
            json!({
                "statement": statement(o),
                "framework_statement": statement(o + 1),
                "rating": "on_track",
                "summary": with_run(3000, 'm', 200, o),
                "indicators": [indicator(o), indicator(o + 1), indicator(o + 2)],
                "outputs": outputs,
            })
        })
        .collect();
    let cross: serde_json::Map<String, serde_json::Value> = [
        "national_ownership",
        "monitoring",
        "evaluation",
        "catalytic_financial",
        "catalytic_non_financial",
        "exit_strategy",
        "risk_taking",
        "gender_equality",
        "other",
    ]
    .iter()
    .enumerate()
    .map(|(i, k)| (k.to_string(), json!(narrative(i))))
    .collect();
    let name = with_run(300, 'm', 60, 3);
    let partner = with_run(300, 'm', 40, 4);
    let free = with_run(1500, 'm', 100, 5);
    let source = json!({
        "template": "pbf-2019",
        "project_id": "pbf-irf-999",
        "languages": ["fr"],
        "cover": {
            "country": with_run(300, 'm', 100, 1),
            "report_type": "semi_annual",
            "report_date": "2020-06-15",
            "title": with_run(300, 'W', 120, 2),
            "gateway_number": "G".repeat(60),
            "modality": "irf",
            "recipients": [
                {"id": "undp", "name": name, "type": "un", "lead": true, "budget": 107000,
                 "implementing_partners": [partner, partner]},
                {"id": "unicef", "name": "UNICEF", "type": "un", "budget": 53500},
            ],
            "other_partners": [partner],
            "start_date": "2019-07",
            "duration_months": 18,
            "budget_total": 160500,
            "tranches_received": 1,
            "prepared_by": name,
            "approved_by": name,
            "evaluation": free,
        },
        "progress": {
            "status": narrative(10), "relevance": narrative(11), "unique": narrative(12),
            "rating": "on_track",
            "peacebuilding_results": narrative(13), "human_impact": narrative(14),
            "challenges_on_track": narrative(15), "off_track": narrative(16),
            "attachments": [name, name],
        },
        "outcomes": outcomes,
        "cross_cutting": cross,
        "finance": {
            "rating": "delayed",
            "tranches_and_expenditure": free,
            "next_tranche": free,
            "delay_explanation": with_run(500, '_', 80, 6),
            "gender_planned": 30000,
            "gender_allocated": 10000,
        },
        "annex_a": {
            "by_category": {
                "undp": {"staff": {"budget": 100000, "spent": 1000}},
                "unicef": {"staff": {"budget": 50000, "spent": 0}},
            },
        },
    });
    serde_json::to_string_pretty(&source).unwrap()
}

#[test]
fn text_at_every_limit_with_unbreakable_runs_stays_in_its_cell_and_page() {
    let dir = tempfile::tempdir().unwrap();
    let source = at_every_limit();
    // Every limited field is at its limit: `check --counts` shows nothing left anywhere.
    let path = dir.path().join("2020-06-15-limits.yaml");
    std::fs::write(&path, &source).unwrap();
    let counts = Run::new(&["check", "--counts", path.to_str().unwrap()]).output();
    assert_eq!(counts.status, 0, "{}", counts.stderr);
    let rows: Vec<&str> = counts
        .stdout
        .lines()
        .skip(2)
        .filter(|l| l.contains('[') || l.contains('.'))
        .collect();
    assert!(rows.len() > 230, "{}", counts.stdout);
    for row in &rows {
        if let Some(left) = row.split_whitespace().nth(3) {
            assert_eq!(left, "0", "{row}");
        }
    }
    assert!(
        counts.stderr.contains("will be broken between letters"),
        "{}",
        counts.stderr
    );

    let pdf = build(dir.path(), "2020-06-15-limits", &source, &[]);
    let words = boxed_words(&pdf);
    assert!(words.len() > 3000, "{} words", words.len());
    const MARGIN: f64 = 56.69;
    // The indicator table's column edges, as the template draws them.
    let fractions = pbf_report::fit::TABLE_COLUMNS;
    let per = (841.89 - 2.0 * MARGIN) / f64::from(fractions.iter().sum::<f32>());
    let mut edges = vec![MARGIN];
    for f in fractions {
        edges.push(edges.last().unwrap() + per * f64::from(f));
    }
    let mut runs = 0;
    for w in &words {
        let place = format!("page {}, {:?}: {:.40}", w.page, w.x, w.text);
        assert!(
            w.x.0 >= MARGIN - 1.0 && w.x.1 <= w.page_width - MARGIN + 1.0,
            "off the page: {place}"
        );
        let is_run = ["mmmm", "____", "WWWW"].iter().any(|r| w.text.contains(r));
        if !is_run {
            continue;
        }
        runs += 1;
        // In the table, a run stays in the column it starts in; on the cover, the title's run
        // stays in the left column.
        if w.landscape {
            let column = edges.iter().rposition(|e| *e <= w.x.0 + 0.5).unwrap();
            assert!(
                w.x.1 <= edges[column + 1] + 0.5,
                "over its cell's edge {:.1}: {place}",
                edges[column + 1]
            );
        } else if w.text.contains("WWWW") && w.page == 1 {
            assert!(
                w.x.1 <= 595.28 / 2.0 + 0.5,
                "over the cover's middle: {place}"
            );
        }
    }
    assert!(runs > 200, "{runs} pieces of runs");
}

/// The French PDF spaces every colon, the template's own included; both languages print the
/// ratings as the form's options and say which gender amount is which.
#[test]
fn every_label_is_spaced_and_worded_as_the_form() {
    let text = |lang: &str| {
        pdf_text(&built_example().join(format!("pbf-irf-217-2019-11-12-final.{lang}.pdf")))
    };
    let (fr, en) = (text("fr"), text("en"));
    for expected in [
        "WFP : CAEB, AMASSA AFRIQUE VERTE",
        "Date de début du projet1 : Janvier 2018",
        "Durée du projet en mois2 : 18",
        "\nSur la bonne voie\n",
        "Prévu : 635 133 USD ; alloué à ce jour : 635 133 USD",
    ] {
        assert!(fr.contains(expected), "fr: no {expected:?}");
    }
    for expected in [
        "WFP: CAEB, AMASSA AFRIQUE VERTE",
        "Project commencement date1: January 2018",
        "\nOn track\n",
        "Planned: USD 635,133; allocated to date: USD 635,133",
    ] {
        assert!(en.contains(expected), "en: no {expected:?}");
    }
    assert!(!fr.contains("\nsur la bonne voie\n") && !en.contains("\non track\n"));
}

/// Numbers typed in text fields print as typed.
#[test]
fn numbers_in_text_fields_print_as_typed() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join("tests/good/numbers-as-text.yaml")).unwrap();
    let pdf = pdf_text(&build(dir.path(), "2020-06-15-numbers", &text, &[]));
    for typed in ["0.50", "017", "\n42\n"] {
        assert!(pdf.contains(typed), "no {typed:?} in\n{pdf}");
    }
}

/// A text taller than a page — an answer of 299 short lines, an indicator cell of 75 — breaks
/// across pages instead of losing its end: every line is in the PDF.
#[test]
fn an_answer_taller_than_a_page_is_printed_whole() {
    let dir = tempfile::tempdir().unwrap();
    let minimal = std::fs::read_to_string(root().join("tests/good/minimal.yaml")).unwrap();
    let answer: Vec<String> = (1..=299).map(|i| format!("m{i:03}")).collect();
    let cell: Vec<String> = (1..=75).map(|i| format!("c{i:02}")).collect();
    let text = minimal
        .replace(
            "  monitoring: Un suivi trimestriel est en place.",
            &format!(
                "  monitoring: {}",
                serde_json::to_string(&answer.join("\n")).unwrap()
            ),
        )
        .replace(
            "        baseline: \"0\"",
            &format!(
                "        baseline: {}",
                serde_json::to_string(&cell.join("\n")).unwrap()
            ),
        );
    let pdf = pdf_text(&build(dir.path(), "2020-06-15-tall", &text, &[]));
    let printed: std::collections::HashSet<&str> = pdf.split_whitespace().collect();
    for line in answer.iter().chain(&cell) {
        assert!(printed.contains(line.as_str()), "{line} is not in the PDF");
    }
}
