//! `diff` between two versions of a report, and `new --from`: two versions of the example made
//! by editing a cover date, a rating, an answer, an indicator's progress and spending; every
//! change found, in the terminal and in JSON, and nothing else; inputs that cannot be compared
//! refused with status 2.

use std::collections::BTreeSet;

use crate::common::{Run, root};

const FINAL: &str = "data/pbf-irf-217/2019-11-12-final.yaml";
const SEMI: &str = "data/pbf-irf-217/2019-06-15-semi-annual.yaml";

/// A workspace with the example (the final report) and a semi-annual version made from it.
fn two_versions() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join(FINAL)).unwrap();
    let mut semi = text.clone();
    for (from, to) in [
        ("report_type: final", "report_type: semi_annual"),
        ("report_date: 2019-11-12", "report_date: 2019-06-15"),
        (
            "\n    rating: on_track\n    summary:",
            "\n    rating: on_track_with_results\n    summary:",
        ),
        ("L'évaluation a demontré", "L'étude a demontré"),
        (
            "100%; les 20 villages d'intervention",
            "50%; les 10 villages d'intervention",
        ),
        ("spent: 188333", "spent: 100000"),
        (
            "staff: {budget: 143831, spent: 139753}",
            "staff: {budget: 143831, spent: 51420}",
        ),
    ] {
        assert!(semi.contains(from), "{from}");
        semi = semi.replacen(from, to, 1);
    }
    let folder = dir.path().join("data/pbf-irf-217");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(dir.path().join(FINAL), text).unwrap();
    std::fs::write(dir.path().join(SEMI), semi).unwrap();
    dir
}

/// The paths the edits above change, in French: the rest of the report is the same.
const CHANGED: [&str; 6] = [
    "cover.report_type",
    "cover.report_date",
    "progress.unique",
    "outcomes[1].rating",
    "outcomes[1].indicators[1].progress",
    "outcomes[1].outputs[1].activities[1].spent",
];

/// Every change of a diff's JSON, part after part.
fn changes(json: &serde_json::Value) -> impl Iterator<Item = &serde_json::Value> {
    let parts = json["parts"].as_array().unwrap();
    parts.iter().flat_map(|p| p["changes"].as_array().unwrap())
}

/// The change at `path` of a diff's JSON.
fn change_at<'a>(json: &'a serde_json::Value, path: &str) -> &'a serde_json::Value {
    changes(json).find(|c| c["path"] == path).unwrap()
}

fn json_changes(json: &serde_json::Value) -> BTreeSet<String> {
    changes(json)
        .map(|c| c["path"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn every_change_made_is_shown_and_nothing_else() {
    let dir = two_versions();
    let out = Run::new(&["diff", SEMI, FINAL])
        .cwd(dir.path())
        .status(1)
        .stdout_has("--- 2019-06-15-semi-annual (data/pbf-irf-217/2019-06-15-semi-annual.yaml)\n")
        .stdout_has("+++ 2019-11-12-final (data/pbf-irf-217/2019-11-12-final.yaml)\n")
        .stdout_has("[cover.report_date] changed\n      - 15 juin 2019\n      + 12 novembre 2019\n")
        .stdout_has(
            "      count: 1457 → 1462 of 1500\n      [-L'étude-]{+L'évaluation+} a demontré",
        )
        .stdout_has("[-50%;-]{+100%;+} les [-10-]{+20+} villages")
        .stdout_has("      - 100\u{202f}000 USD\n      + 188\u{202f}333 USD\n")
        .stdout_has(
            "  ~ Produit 1.1: 174\u{202f}788 USD (64,4\u{202f}%) → 263\u{202f}121 USD (97,0\u{202f}%)\n",
        )
        // A pasted answer is listed as such.
        .stdout_has("  = unchanged since 2019-06-15-semi-annual:\n")
        .stdout_has("[progress.status]\n")
        .stdout_has("\n11 changes\n")
        .stdout_lacks("\u{1b}[")
        .run();
    for path in CHANGED {
        assert!(out.stdout.contains(&format!("[{path}]")), "{path}");
    }
    let out = Run::new(&["diff", "--json", SEMI, FINAL])
        .cwd(dir.path())
        .status(1)
        .run();
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let expected: BTreeSet<String> = CHANGED.iter().map(|p| p.to_string()).collect();
    assert_eq!(json_changes(&json), expected);
    let groups: Vec<&str> = json["spending"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["group"].as_str().unwrap())
        .collect();
    assert_eq!(
        groups,
        ["recipient", "outcome", "output", "category", "total"]
    );
    let unique = change_at(&json, "progress.unique");
    assert_eq!(unique["words"][0]["mark"], "deleted");
    assert_eq!(unique["words"][0]["text"], "L'étude");
    assert_eq!(unique["words"][1]["mark"], "inserted");
    assert_eq!(unique["words"][1]["text"], "L'évaluation");
    assert_eq!(unique["count"]["limit"], 1500);
    // In English the two French-only edits are not changes: the rest are.
    let out = Run::new(&["diff", "--json", "--lang", "en", SEMI, FINAL])
        .cwd(dir.path())
        .status(1)
        .run();
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let english: BTreeSet<String> = CHANGED
        .iter()
        .filter(|p| !p.contains("unique") && !p.contains("indicators"))
        .map(|p| p.to_string())
        .collect();
    assert_eq!(json_changes(&json), english);
    assert!(
        out.stdout.contains("\"old_share\": \"64.4%\""),
        "{}",
        out.stdout
    );
    Run::new(&["diff", FINAL, FINAL])
        .cwd(dir.path())
        .status(0)
        .stdout_has("\nno differences\n")
        .run();
}

#[test]
fn the_redline_pdf_marks_the_words_inserted_and_deleted_and_rebuilds_the_same() {
    let dir = two_versions();
    let out = Run::new(&["diff", "--pdf", "changes.pdf", SEMI, FINAL])
        .cwd(dir.path())
        .status(1)
        .stderr_has("wrote changes.pdf\n")
        .run();
    assert!(out.stdout.contains("\n11 changes\n"));
    let first = std::fs::read(dir.path().join("changes.pdf")).unwrap();
    let text = crate::common::pdf_text(&dir.path().join("changes.pdf"));
    for words in [
        "pbf-irf-217: 2019-06-15-semi-annual → 2019-11-12-final",
        "L'étude",
        "L'évaluation a demontré",
        "50%;",
        "100%;",
        "FINAL",
        "SEMESTRIEL",
        "1457 → 1462 / 1500",
        "outcomes[1].outputs[1].activities[1].spent",
        "Produit 1.1",
    ] {
        assert!(text.contains(words), "{words} not in:\n{text}");
    }
    // Nothing else: an answer left as it was is named, not shown.
    assert!(!text.contains("Les activités du projet PBF IRF 217 ont été finalisées"));
    Run::new(&["diff", "--pdf", "changes.pdf", SEMI, FINAL])
        .cwd(dir.path())
        .status(1)
        .run();
    assert!(std::fs::read(dir.path().join("changes.pdf")).unwrap() == first);
}

#[test]
fn a_folder_and_a_pdf_are_compared_by_the_source_they_hold() {
    let dir = two_versions();
    Run::new(&["build", FINAL]).cwd(dir.path()).status(0).run();
    let folder = "out/pbf-irf-217/2019-11-12-final";
    let pdf = format!("{folder}/pbf-irf-217-2019-11-12-final.fr.pdf");
    for new in [folder, pdf.as_str()] {
        let out = Run::new(&["diff", "--json", SEMI, new])
            .cwd(dir.path())
            .status(1)
            .stderr_lacks("warning")
            .run();
        let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        assert_eq!(json_changes(&json).len(), CHANGED.len(), "{new}");
    }
    // A folder damaged after it was built: said, and still compared from its source.
    let workbook = dir.path().join(folder).join("annex-a.fr.xlsx");
    let mut bytes = std::fs::read(&workbook).unwrap();
    bytes.push(0);
    std::fs::write(&workbook, bytes).unwrap();
    Run::new(&["diff", SEMI, folder])
        .cwd(dir.path())
        .status(1)
        .stderr_has("does not match its manifest")
        .stdout_has("\n11 changes\n")
        .run();
}

#[test]
fn inputs_that_cannot_be_compared_are_status_2() {
    let dir = two_versions();
    Run::new(&["diff", SEMI, "data/nowhere.yaml"])
        .cwd(dir.path())
        .status(2)
        .stderr_has("data/nowhere.yaml")
        .run();
    // Another project: said, unless --force.
    let other = std::fs::read_to_string(dir.path().join(SEMI))
        .unwrap()
        .replacen("project_id: pbf-irf-217", "project_id: pbf-irf-218", 1);
    std::fs::create_dir_all(dir.path().join("data/pbf-irf-218")).unwrap();
    let other_path = "data/pbf-irf-218/2019-06-15-semi-annual.yaml";
    std::fs::write(dir.path().join(other_path), other).unwrap();
    Run::new(&["diff", other_path, FINAL])
        .cwd(dir.path())
        .status(2)
        .stderr_has("the two reports are of different projects (`pbf-irf-218` and `pbf-irf-217`); `--force` compares them field by field")
        .run();
    Run::new(&["diff", "--force", other_path, FINAL])
        .cwd(dir.path())
        .status(1)
        .run();
    // A source that does not check, a language neither has, a FIFO.
    let broken = std::fs::read_to_string(dir.path().join(SEMI))
        .unwrap()
        .replacen("report_date: 2019-06-15", "report_date: 2019-02-30", 1);
    std::fs::write(dir.path().join(SEMI), broken).unwrap();
    Run::new(&["diff", SEMI, FINAL])
        .cwd(dir.path())
        .status(2)
        .stderr_has("a report with 1 error: `pbf-report check` lists them")
        .run();
    Run::new(&["diff", "--lang", "es", FINAL, FINAL])
        .cwd(dir.path())
        .status(2)
        .stderr_has("the two versions are not both written in `es`; they share: fr, en")
        .run();
    let fifo = dir.path().join("data/fifo.yaml");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    Run::new(&["diff", "data/fifo.yaml", FINAL])
        .cwd(dir.path())
        .status(2)
        .run();
}

/// `text` with its status answer replaced by `answer`, on one line.
fn with_status(text: &str, answer: &str) -> String {
    let start = text.find("\n  status:\n").unwrap() + 1;
    let end = text.find("\n  relevance:").unwrap() + 1;
    format!("{}  status: \"{answer}\"\n{}", &text[..start], &text[end..])
}

#[test]
fn a_huge_answer_is_compared_as_a_draft_with_its_count() {
    let dir = two_versions();
    let old: Vec<String> = (0..2_000).map(|i| format!("mot{i}")).collect();
    let new: Vec<String> = (0..2_000).rev().map(|i| format!("mot{i}")).collect();
    for (path, words) in [(SEMI, &old), (FINAL, &new)] {
        let text = std::fs::read_to_string(dir.path().join(path)).unwrap();
        std::fs::write(dir.path().join(path), with_status(&text, &words.join(" "))).unwrap();
    }
    let out = Run::new(&["diff", "--json", SEMI, FINAL])
        .cwd(dir.path())
        .status(1)
        .run();
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let status = change_at(&json, "progress.status");
    assert_eq!(status["count"]["old"], 14_889);
    assert_eq!(status["count"]["limit"], 1500);
    assert!(status["words"].as_array().unwrap().len() > 100);
}

#[test]
fn a_terminal_escape_in_a_file_name_is_shown_escaped() {
    let dir = two_versions();
    // A source cannot hold a control character (`check` refuses it); a file name can.
    let evil = "data/pbf-irf-217/x\u{1b}]0;owned\u{7}.yaml";
    std::fs::copy(dir.path().join(FINAL), dir.path().join(evil)).unwrap();
    let out = Run::new(&["diff", SEMI, evil])
        .cwd(dir.path())
        .status(1)
        .stdout_has("+++ x\\u{1b}]0;owned\\u{7} (data/pbf-irf-217/x\\u{1b}]0;owned\\u{7}.yaml)\n")
        .run();
    assert!(!out.stdout.contains('\u{1b}'), "{}", out.stdout);
}

/// `new --from` the final report, for the semi-annual report of June 2020.
fn next_from_final(dir: &std::path::Path) -> Run {
    let args = [
        "new",
        "pbf-irf-217",
        "--version",
        "2020-06-15-semi-annual",
        "--from",
        FINAL,
    ];
    Run::new(&args).cwd(dir)
}

#[test]
fn the_next_version_starts_from_the_last_and_check_says_what_is_still_the_last() {
    let dir = two_versions();
    let next = "data/pbf-irf-217/2020-06-15-semi-annual.yaml";
    next_from_final(dir.path())
        .status(0)
        .stderr_is(&format!(
            "wrote {next} from 2019-11-12-final: 27 answers of the period to update\n"
        ))
        .run();
    let text = std::fs::read_to_string(dir.path().join(next)).unwrap();
    assert!(text.contains("\nprevious: 2019-11-12-final\n"));
    assert!(text.contains("  report_type: semi_annual\n  report_date: 2020-06-15\n"));
    assert!(
        text.contains(
            "  # TODO: update for this period; it is still 2019-11-12-final's\n  status:"
        )
    );
    let out = Run::new(&["check", next]).cwd(dir.path()).status(0).run();
    let still = "still the answer of 2019-11-12-final: it is given anew for each period";
    assert_eq!(out.stderr.matches(still).count(), 27, "{}", out.stderr);
    // `build` says them too, and builds.
    let out = Run::new(&["build", next]).cwd(dir.path()).status(0).run();
    assert_eq!(out.stderr.matches(still).count(), 27, "{}", out.stderr);
    assert!(out.stderr.contains(&format!(
        "warning: progress.status: {still}\n  --> {next}:61:5\n"
    )));
    // Updated answers are no longer said; the one-argument diff compares with `previous:`.
    let updated = text
        .replacen(
            "Les activités du projet PBF IRF 217 ont été finalisées",
            "Au premier semestre 2020, les activités du projet PBF IRF 217 ont été finalisées",
            1,
        )
        .replacen("spent: 188333", "spent: 190000", 1)
        .replacen(
            "staff: {budget: 143831, spent: 139753}",
            "staff: {budget: 143831, spent: 141420}",
            1,
        );
    assert_ne!(updated.len(), text.len());
    std::fs::write(dir.path().join(next), &updated).unwrap();
    let out = Run::new(&["check", next]).cwd(dir.path()).run();
    // The status's English text is still the last one's: said for that language alone.
    assert_eq!(out.stderr.matches(still).count(), 25, "{}", out.stderr);
    assert!(!out.stderr.contains("warning: progress.status: still"));
    assert!(
        out.stderr
            .contains("warning: progress.status.en: its `en` text is still")
    );
    Run::new(&["diff", next])
        .cwd(dir.path())
        .status(1)
        .stdout_has("+++ 2020-06-15-semi-annual")
        .stdout_has("[progress.status] changed")
        .stdout_has("[outcomes[1].outputs[1].activities[1].spent] changed")
        .run();
    // Never over a file, and only from a report of the same project.
    next_from_final(dir.path())
        .status(1)
        .stderr_has("exists already")
        .run();
    Run::new(&[
        "new",
        "pbf-irf-300",
        "--version",
        "2020-06-15-semi-annual",
        "--from",
        FINAL,
    ])
    .cwd(dir.path())
    .status(2)
    .stderr_has("is a report of `pbf-irf-217`, not of `pbf-irf-300`")
    .run();
}

/// `text` without its second outcome indicator of outcome 1 and its first attachment.
fn with_rows_removed(text: &str) -> String {
    let table = text.find("    indicators:\n").unwrap();
    let first = table + text[table..].find("      - indicator:").unwrap();
    let second = first + 5 + text[first + 5..].find("      - indicator:").unwrap();
    let third = second + 5 + text[second + 5..].find("      - indicator:").unwrap();
    let text = format!("{}{}", &text[..second], &text[third..]);
    let list = text.find("  attachments:\n    -\n").unwrap() + "  attachments:\n".len();
    let next = list + 3 + text[list + 3..].find("    -\n").unwrap();
    format!("{}{}", &text[..list], &text[next..])
}

#[test]
fn a_row_removed_is_named_and_the_rows_after_it_are_still_themselves() {
    let dir = two_versions();
    let text = std::fs::read_to_string(dir.path().join(FINAL)).unwrap();
    let next = "data/pbf-irf-217/2020-06-15-semi-annual.yaml";
    next_from_final(dir.path()).status(0).run();
    let written = std::fs::read_to_string(dir.path().join(next)).unwrap();
    std::fs::write(dir.path().join(next), with_rows_removed(&written)).unwrap();
    let out = Run::new(&["diff", "--json", FINAL, next])
        .cwd(dir.path())
        .status(1)
        .run();
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let changes: Vec<(String, String)> = changes(&json)
        .filter(|c| !c["path"].as_str().unwrap().starts_with("cover."))
        .map(|c| {
            (
                c["path"].as_str().unwrap().into(),
                c["what"].as_str().unwrap().into(),
            )
        })
        .collect();
    let expected: Vec<(String, String)> = [
        ("progress.attachments[1]", "removed"),
        ("outcomes[1].indicators[2]", "removed"),
    ]
    .iter()
    .map(|(p, w)| (p.to_string(), w.to_string()))
    .collect();
    assert_eq!(changes, expected, "{}", out.stdout);
    let removed = change_at(&json, "outcomes[1].indicators[2]");
    assert!(
        removed["old"].as_str().unwrap().starts_with("% de ménages"),
        "{removed}"
    );
    // The third indicator, now second, still holds the last report's progress: still said.
    let out = Run::new(&["check", next]).cwd(dir.path()).status(0).run();
    assert!(
        out.stderr.contains(
            "warning: outcomes[1].indicators[2].progress: still the answer of 2019-11-12-final"
        ),
        "{}",
        out.stderr
    );
    assert!(text.contains("% de ménages"));
}

#[test]
fn a_text_updated_in_one_language_only_is_said_for_the_other() {
    let dir = two_versions();
    let next = "data/pbf-irf-217/2020-06-15-semi-annual.yaml";
    next_from_final(dir.path()).status(0).run();
    let text = std::fs::read_to_string(dir.path().join(next)).unwrap();
    let text = text.replacen(
        "Les activités du projet PBF IRF 217 ont été finalisées",
        "Au premier semestre 2020, les activités du projet PBF IRF 217 ont été finalisées",
        1,
    );
    std::fs::write(dir.path().join(next), &text).unwrap();
    let out = Run::new(&["check", next]).cwd(dir.path()).status(0).run();
    assert!(
        out.stderr.contains(
            "warning: progress.status.en: its `en` text is still the answer of 2019-11-12-final"
        ),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("progress.status.fr:"));
    // The version after it starts with this one's marks only.
    Run::new(&[
        "new",
        "pbf-irf-217",
        "--version",
        "2020-12-31-annual",
        "--from",
        next,
    ])
    .cwd(dir.path())
    .status(0)
    .stderr_has("27 answers of the period to update")
    .run();
    let after = std::fs::read_to_string(dir.path().join("data/pbf-irf-217/2020-12-31-annual.yaml"))
        .unwrap();
    assert_eq!(after.matches("# TODO: update for this period").count(), 27);
    assert!(!after.contains("still 2019-11-12-final's"));
    assert!(after.contains("\nprevious: 2020-06-15-semi-annual\n"));
}

#[test]
fn a_version_started_from_a_pdf_finds_the_last_in_its_folder() {
    let dir = two_versions();
    Run::new(&["build", FINAL]).cwd(dir.path()).status(0).run();
    std::fs::remove_file(dir.path().join(FINAL)).unwrap();
    let pdf = "out/pbf-irf-217/2019-11-12-final/pbf-irf-217-2019-11-12-final.fr.pdf";
    let next = "data/pbf-irf-217/2020-06-15-semi-annual.yaml";
    Run::new(&[
        "new",
        "pbf-irf-217",
        "--version",
        "2020-06-15-semi-annual",
        "--from",
        pdf,
    ])
    .cwd(dir.path())
    .status(0)
    .run();
    let out = Run::new(&["check", next]).cwd(dir.path()).status(0).run();
    assert_eq!(
        out.stderr
            .matches("still the answer of 2019-11-12-final")
            .count(),
        27
    );
    Run::new(&["diff", next])
        .cwd(dir.path())
        .status(1)
        .stdout_has("--- 2019-11-12-final (out/pbf-irf-217/2019-11-12-final)\n")
        .run();
    // A source that names itself as the version it follows.
    let text = std::fs::read_to_string(dir.path().join(next)).unwrap();
    let own = text.replacen(
        "previous: 2019-11-12-final",
        "previous: 2020-06-15-semi-annual",
        1,
    );
    std::fs::write(dir.path().join(next), own).unwrap();
    Run::new(&["check", next])
        .cwd(dir.path())
        .status(0)
        .stderr_has("warning: previous: it names this very version as the one it follows")
        .run();
    Run::new(&["diff", next])
        .cwd(dir.path())
        .status(2)
        .stderr_has("names itself as its previous version")
        .run();
}

#[test]
fn colour_only_on_a_terminal_and_never_with_no_color() {
    // `script` gives the command a terminal of its own (util-linux, on every Debian).
    let dir = two_versions();
    let on_a_terminal = |no_color: Option<&str>| {
        let mut command = std::process::Command::new("script");
        command
            .args(["-qec"])
            .arg(format!(
                "{} diff {SEMI} {FINAL}",
                env!("CARGO_BIN_EXE_pbf-report")
            ))
            .arg("/dev/null")
            .current_dir(dir.path())
            .env_remove("NO_COLOR");
        if let Some(value) = no_color {
            command.env("NO_COLOR", value);
        }
        let out = command.output().expect("script (util-linux) runs");
        assert_eq!(out.status.code(), Some(1));
        String::from_utf8(out.stdout).unwrap()
    };
    let coloured = on_a_terminal(None);
    assert!(
        coloured.contains("\u{1b}[31m[-L'étude-]\u{1b}[0m"),
        "{coloured}"
    );
    assert!(
        coloured.contains("\u{1b}[32m{+L'évaluation+}\u{1b}[0m"),
        "{coloured}"
    );
    let plain = on_a_terminal(Some("1"));
    assert!(plain.contains("[-L'étude-]{+L'évaluation+}"), "{plain}");
    assert!(!plain.contains('\u{1b}'), "{plain}");
}

/// A third version of the example in the workspace of `two_versions`, made by `edit` from the
/// final report; its path.
fn third(dir: &std::path::Path, edit: impl Fn(String) -> String) -> &'static str {
    let path = "data/pbf-irf-217/2020-06-15-semi-annual.yaml";
    let text = std::fs::read_to_string(dir.join(FINAL)).unwrap();
    std::fs::write(dir.join(path), edit(text)).unwrap();
    path
}

#[test]
fn rows_swapped_are_themselves_and_a_change_in_either_language_counts() {
    let dir = two_versions();
    // The first two outcome indicators swapped, the moved one's progress edited; the funds
    // received moved; the English status reworded.
    let next = third(dir.path(), |text| {
        let table = text.find("    indicators:\n").unwrap();
        let first = table + text[table..].find("      - indicator:").unwrap();
        let second = first + 5 + text[first + 5..].find("      - indicator:").unwrap();
        let third = second + 5 + text[second + 5..].find("      - indicator:").unwrap();
        let swapped = format!(
            "{}{}{}{}",
            &text[..first],
            &text[second..third],
            &text[first..second],
            &text[third..]
        );
        swapped
            .replacen("100%; les 20 villages", "90%; les 18 villages", 1)
            .replacen("wfp: 855000", "wfp: 500000", 1)
    });
    let out = Run::new(&["diff", "--json", FINAL, next])
        .cwd(dir.path())
        .status(1)
        .run();
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let outcomes: BTreeSet<String> = json_changes(&json)
        .into_iter()
        .filter(|p| p.starts_with("outcomes"))
        .collect();
    // The edited indicator, now second: its progress, nothing added or removed.
    let expected: BTreeSet<String> = ["outcomes[1].indicators[2].progress".to_string()].into();
    assert_eq!(outcomes, expected, "{}", out.stdout);
    let received: Vec<&serde_json::Value> = json["spending"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["group"] == "received")
        .collect();
    assert_eq!(received.len(), 1, "{}", out.stdout);
    assert_eq!(received[0]["old"], "855\u{202f}000 USD");
    assert_eq!(received[0]["new"], "500\u{202f}000 USD");
    assert_eq!(received[0]["old_cents"], 85_500_000);
    assert_eq!(received[0]["new_cents"], 50_000_000);
    // Only the English text changed: French shows nothing more, but says English differs.
    let english = third(dir.path(), |text| {
        text.replacen(
            "Final evaluation report of the project",
            "Final evaluation report",
            1,
        )
    });
    Run::new(&["diff", FINAL, english])
        .cwd(dir.path())
        .status(1)
        .stdout_has("\nno differences\n")
        .stderr_is("note: in `en`, 1 change: `--lang en` shows it\n")
        .run();
}

#[test]
fn the_redline_is_never_written_over_a_source_a_device_or_a_version_folder() {
    let dir = two_versions();
    let before = std::fs::read(dir.path().join(FINAL)).unwrap();
    for target in [FINAL, SEMI, "-", "data"] {
        Run::new(&["diff", "--pdf", target, SEMI, FINAL])
            .cwd(dir.path())
            .status(2)
            .stderr_has("the redline is written as a new file, or over an earlier PDF")
            .run();
    }
    assert_eq!(std::fs::read(dir.path().join(FINAL)).unwrap(), before);
    let fifo = dir.path().join("fifo.pdf");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    Run::new(&["diff", "--pdf", "fifo.pdf", SEMI, FINAL])
        .cwd(dir.path())
        .status(2)
        .stderr_has("fifo.pdf is not a regular file")
        .run();
    Run::new(&["build", FINAL]).cwd(dir.path()).status(0).run();
    let inside = "out/pbf-irf-217/2019-11-12-final/changes.pdf";
    Run::new(&["diff", "--pdf", inside, SEMI, FINAL])
        .cwd(dir.path())
        .status(2)
        .stderr_has("is in a version folder, which only `build` writes")
        .run();
    assert!(!dir.path().join(inside).exists());
}

#[test]
fn the_version_followed_is_the_archived_one_when_there_is_one() {
    let dir = two_versions();
    Run::new(&["build", FINAL]).cwd(dir.path()).status(0).run();
    Run::new(&["archive", "out/pbf-irf-217/2019-11-12-final"])
        .cwd(dir.path())
        .status(0)
        .run();
    next_from_final(dir.path()).status(0).run();
    // The submitted source edited afterwards: the archived version is the one followed.
    let text = std::fs::read_to_string(dir.path().join(FINAL)).unwrap();
    let edited = text.replacen("100%; les 20 villages", "90%; les 18 villages", 1);
    std::fs::write(dir.path().join(FINAL), edited).unwrap();
    Run::new(&["diff", "data/pbf-irf-217/2020-06-15-semi-annual.yaml"])
        .cwd(dir.path())
        .status(1)
        .stdout_has("--- 2019-11-12-final (out/pbf-irf-217/2019-11-12-final)\n")
        .stdout_lacks("[outcomes[1].indicators[1].progress] changed")
        .run();
}
