//! `pbf-report schema` and `pbf-report new`, run as a report writer would.

use crate::common::{Run, root};

#[test]
fn the_committed_schema_is_the_tool_schema() {
    let out = Run::new(&["schema"]).status(0).run();
    let committed = std::fs::read_to_string(root().join("data/schema.json")).unwrap();
    assert_eq!(
        out.stdout, committed,
        "data/schema.json is stale: run `cargo run -- schema > data/schema.json`"
    );
}

#[test]
fn the_schema_carries_the_form_limits() {
    let schema: serde_json::Value =
        serde_json::from_str(&Run::new(&["schema"]).output().stdout).unwrap();
    let limit = |def: &str| schema["$defs"][def]["x-limit"].as_u64();
    assert_eq!(limit("Text1500"), Some(1500));
    assert_eq!(limit("Text3000"), Some(3000));
    assert_eq!(limit("Text300"), Some(300));
    assert_eq!(limit("Text500"), Some(500));
    let fields = &schema["properties"];
    let progress = &fields["progress"]["properties"];
    assert_eq!(progress["status"]["$ref"], "#/$defs/Text1500");
    assert_eq!(fields["cover"]["additionalProperties"], false);
    assert_eq!(fields["outcomes"]["maxItems"], 4);
    // What a field holds shows in editors, from the form's description.
    assert_eq!(
        progress["off_track"]["description"],
        "Reasons, impact and measures, when progress is off track."
    );
}

#[test]
fn the_example_names_the_schema_for_editors() {
    let example =
        std::fs::read_to_string(root().join("data/pbf-irf-217/2019-11-12-final.yaml")).unwrap();
    assert!(example.starts_with("# yaml-language-server: $schema=../schema.json\n"));
}

const VERSION: &str = "2020-06-15-semi-annual";
const SKELETON: &str = "data/pbf-irf-300/2020-06-15-semi-annual.yaml";

fn skeleton(lang: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    Run::new(&["new", "pbf-irf-300", "--version", VERSION, "--lang", lang])
        .cwd(dir.path())
        .status(0)
        .stderr_is(&format!("wrote {SKELETON}\nwrote data/schema.json\n"))
        .run();
    // The schema the skeleton names for editors is the tool's.
    let schema = std::fs::read_to_string(dir.path().join("data/schema.json")).unwrap();
    assert_eq!(schema, Run::new(&["schema"]).output().stdout);
    let text = std::fs::read_to_string(dir.path().join(SKELETON)).unwrap();
    (dir, text)
}

#[test]
fn a_new_skeleton_asks_every_question_in_its_language() {
    let (_dir, text) = skeleton("fr");
    assert!(text.contains("project_id: pbf-irf-300\nlanguages: [fr]\n"));
    assert!(text.contains(
        "  # Expliquer brièvement l'état global de mise en oeuvre du projet en termes de cycle de mise en œuvre, \
         y compris si toutes les activités préliminaires / préparatoires ont été achevées (limite de 1500 caractères)\n  status: \"\"\n"
    ));
    assert!(text.contains("(limite de 3000 caractères)\n    summary: \"\"\n"));
    assert!(text.contains("(limite de 500 caractères)\n  # delay_explanation: \"\"\n"));
    let (_dir, text) = skeleton("en");
    assert!(text.contains(
        "  # Briefly explain the status of the project in terms of its implementation cycle"
    ));
    assert!(text.contains("(1500 character limit)\n  status: \"\"\n"));
}

#[test]
fn a_new_skeleton_passes_check_once_filled() {
    let (dir, text) = skeleton("fr");
    let path = dir.path().join(SKELETON);
    let out = Run::new(&["check"]).cwd(dir.path()).status(1).run();
    let errors: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| l.starts_with("error"))
        .collect();
    assert!(errors.len() > 20, "{}", out.stderr);
    assert!(
        errors.iter().all(
            |l| l.ends_with("this required field is empty") || l.contains("duration in months")
        ),
        "{}",
        out.stderr
    );

    // Every rating is left to choose, with its options beside it.
    assert!(text.contains("  rating:    # choose: on_track | off_track | on_track_with_results\n"));
    assert!(text.ends_with('\n'));
    let filled = text
        .replace("start_date: \"\"", "start_date: 2019-07")
        .replace("duration_months: 0", "duration_months: 18")
        .replace(
            "rating:    # choose: on_track",
            "rating: on_track    # choose: on_track",
        )
        .replace("\"\"", "\"x\"");
    std::fs::write(&path, &filled).unwrap();
    Run::new(&["check", "--deny-warnings"])
        .cwd(dir.path())
        .stderr_is("checked 1 source: 0 errors, 0 warnings\n")
        .status(0)
        .run();

    // Every optional field is there as a commented example, which passes once uncommented
    // (but `supersedes`, which needs an archived version).
    let uncommented: String = filled
        .lines()
        .map(|line| {
            let body = line.trim_start();
            let indent = &line[..line.len() - body.len()];
            let example = body.strip_prefix("# ").filter(|rest| {
                let key = rest
                    .trim_start()
                    .trim_start_matches("- ")
                    .split(':')
                    .next()
                    .unwrap_or("");
                (rest.contains(": ") || rest.ends_with(':'))
                    && !key.is_empty()
                    && key.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                    && key != "supersedes"
            });
            match example {
                Some(rest) => format!("{indent}{}\n", rest.replace("\"\"", "\"x\"")),
                None => format!("{line}\n"),
            }
        })
        .collect();
    for field in [
        "unofficial_translations:",
        "trust_fund:",
        "other_partners:",
        "short_name:",
        "secretariat_comments:",
        "evaluation:",
        "off_track:",
        "framework_statement:",
        "variance_reason:",
        "notes:",
        "personnel:",
        "funds_received:",
        "general_operating:",
        "next_tranche:",
        "delay_explanation:",
        "other:",
    ] {
        assert!(
            uncommented
                .lines()
                .any(|l| l.trim_start().starts_with(field)),
            "no example of {field}"
        );
    }
    std::fs::write(&path, &uncommented).unwrap();
    Run::new(&["check"]).cwd(dir.path()).status(0).run();
}

#[test]
fn new_takes_the_modality_from_the_id_and_the_date_from_the_version() {
    let dir = tempfile::tempdir().unwrap();
    Run::new(&["new", "pbf-prf-12", "--version", "2021-11-30-annual"])
        .env("PBF_REPORT_LANG", "en")
        .cwd(dir.path())
        .status(0)
        .run();
    let text =
        std::fs::read_to_string(dir.path().join("data/pbf-prf-12/2021-11-30-annual.yaml")).unwrap();
    for expected in [
        "languages: [en]\n",
        "  modality: prf   # irf | prf, from the project id\n",
        "  report_type: annual   #",
        "  report_date: 2021-11-30   #",
    ] {
        assert!(text.contains(expected), "{expected}\n{text}");
    }
    // Without a language, and without a version, `new` says what it needs.
    Run::new(&["new", "pbf-prf-13", "--version", "2021-final"])
        .env_remove("PBF_REPORT_LANG")
        .cwd(dir.path())
        .status(2)
        .stderr_has("--lang <LANG>")
        .run();
    Run::new(&["new", "pbf-prf-13", "--lang", "fr"])
        .cwd(dir.path())
        .status(2)
        .stderr_has("--version <VERSION>")
        .run();
    Run::new(&[
        "new",
        "pbf-prf-13",
        "--lang",
        "fr",
        "--version",
        "Juin 2020",
    ])
    .cwd(dir.path())
    .status(2)
    .stderr_has("cannot name a version")
    .run();
}

#[test]
fn new_never_overwrites_and_refuses_bad_input() {
    let (dir, text) = skeleton("fr");
    Run::new(&["new", "pbf-irf-300", "--version", VERSION, "--lang", "fr"])
        .cwd(dir.path())
        .status(1)
        .stderr_is(&format!(
            "error: {SKELETON} exists already; it was left as it is\n"
        ))
        .run();
    let after = std::fs::read_to_string(dir.path().join(SKELETON)).unwrap();
    assert_eq!(after, text);

    Run::new(&["new", "../escape", "--version", VERSION, "--lang", "fr"])
        .cwd(dir.path())
        .status(2)
        .stderr_has("cannot name a project")
        .run();
    Run::new(&["new", "pbf-irf-301", "--version", VERSION, "--lang", "xx"])
        .cwd(dir.path())
        .status(2)
        .stderr_is("error: no catalog for language `xx`; the catalogs are en, fr\n")
        .run();
}

#[test]
fn usage_errors_exit_with_2() {
    Run::new(&["check", "--no-such-flag"]).status(2).run();
    Run::new(&[]).status(2).run();
}

/// The printed schema agrees with `check`, read by a standard validator (Python's
/// `jsonschema`, Draft 2020-12, formats asserted, the sources read as YAML 1.2 reads them): the
/// example and every good source validate, and what `check` refuses for its form it refuses.
#[test]
fn a_standard_validator_reads_the_schema_as_check_does() {
    let dir = tempfile::tempdir().unwrap();
    let schema = dir.path().join("schema.json");
    std::fs::write(&schema, Run::new(&["schema"]).status(0).run().stdout).unwrap();
    let example = std::fs::read_to_string(root().join(crate::common::EXAMPLE)).unwrap();
    let mut sources = vec![root().join(crate::common::EXAMPLE)];
    for (name, bytes) in crate::common::corpus("tests/good") {
        let path = dir.path().join(format!("{name}.yaml"));
        std::fs::write(&path, bytes).unwrap();
        sources.push(path);
    }
    let refused = [
        ("project_id: pbf-irf-217", "project_id: PBF IRF 217"),
        ("report_date: 2019-11-12", "report_date: next week"),
        ("duration_months: 18", "duration_months: dix-huit"),
    ];
    for (i, (from, to)) in refused.iter().enumerate() {
        assert!(example.contains(from), "{from}");
        let path = dir.path().join(format!("refused-{i}.yaml"));
        std::fs::write(&path, example.replacen(from, to, 1)).unwrap();
        sources.push(path);
    }
    let script = r#"
import json, sys, yaml, jsonschema
class Loader(yaml.SafeLoader): pass
Loader.yaml_implicit_resolvers = {k: [r for r in v if r[0] != 'tag:yaml.org,2002:timestamp']
                                  for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}
schema = json.load(open(sys.argv[1]))
cls = jsonschema.validators.validator_for(schema)
check = cls(schema, format_checker=cls.FORMAT_CHECKER)
for path in sys.argv[2:]:
    errors = list(check.iter_errors(yaml.load(open(path), Loader=Loader)))
    print(path.rsplit('/', 1)[-1], len(errors))
"#;
    let mut args = vec!["-c", script, schema.to_str().unwrap()];
    args.extend(sources.iter().map(|p| p.to_str().unwrap()));
    let counts = crate::common::tool("python3", &args);
    for line in counts.lines() {
        let (name, errors) = line.rsplit_once(' ').unwrap();
        match name.starts_with("refused-") {
            true => assert_ne!(errors, "0", "{name} validates:\n{counts}"),
            false => assert_eq!(errors, "0", "{name} does not validate:\n{counts}"),
        }
    }
    assert_eq!(counts.lines().count(), sources.len(), "{counts}");
}
