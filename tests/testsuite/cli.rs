//! `pbf-report schema` and `pbf-report new`, run as a report writer would.

use crate::common::{Run, root};

#[test]
fn the_committed_schema_is_the_tool_schema() {
    let out = Run::new(&["schema"]).output();
    assert_eq!(out.status, 0);
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
    let limit = |def: &str| schema["$defs"][def]["anyOf"][0]["maxLength"].as_u64();
    assert_eq!(limit("Text1500"), Some(1500));
    assert_eq!(limit("Text3000"), Some(3000));
    assert_eq!(limit("Text300"), Some(300));
    assert_eq!(limit("Text500"), Some(500));
    let progress = &schema["$defs"]["Progress"]["properties"];
    assert_eq!(progress["status"]["$ref"], "#/$defs/Text1500");
    assert_eq!(schema["$defs"]["Cover"]["additionalProperties"], false);
    assert_eq!(schema["properties"]["outcomes"]["maxItems"], 4);
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
    let out = Run::new(&["new", "pbf-irf-300", "--version", VERSION, "--lang", lang])
        .cwd(dir.path())
        .output();
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(
        out.stderr,
        format!("wrote {SKELETON}\nwrote data/schema.json\n")
    );
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
    let out = Run::new(&["check"]).cwd(dir.path()).output();
    assert_eq!(out.status, 1);
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

    let filled = text
        .replace("start_date: \"\"", "start_date: 2019-07")
        .replace("duration_months: 0", "duration_months: 18")
        .replace("\"\"", "\"x\"");
    std::fs::write(&path, &filled).unwrap();
    let out = Run::new(&["check", "--deny-warnings"])
        .cwd(dir.path())
        .output();
    assert_eq!(out.stderr, "checked 1 source: 0 errors, 0 warnings\n");
    assert_eq!(out.status, 0);

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
    let out = Run::new(&["check"]).cwd(dir.path()).output();
    assert_eq!(out.status, 0, "{}\n{uncommented}", out.stderr);
}

#[test]
fn new_takes_the_modality_from_the_id_and_the_date_from_the_version() {
    let dir = tempfile::tempdir().unwrap();
    let out = Run::new(&["new", "pbf-prf-12", "--version", "2021-11-30-annual"])
        .env("PBF_REPORT_LANG", "en")
        .cwd(dir.path())
        .output();
    assert_eq!(out.status, 0, "{}", out.stderr);
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
    let out = Run::new(&["new", "pbf-prf-13", "--version", "2021-final"])
        .env_remove("PBF_REPORT_LANG")
        .cwd(dir.path())
        .output();
    assert_eq!(out.status, 2);
    assert!(out.stderr.contains("--lang <LANG>"), "{}", out.stderr);
    let out = Run::new(&["new", "pbf-prf-13", "--lang", "fr"])
        .cwd(dir.path())
        .output();
    assert_eq!(out.status, 2);
    assert!(out.stderr.contains("--version <VERSION>"), "{}", out.stderr);
    let out = Run::new(&[
        "new",
        "pbf-prf-13",
        "--lang",
        "fr",
        "--version",
        "Juin 2020",
    ])
    .cwd(dir.path())
    .output();
    assert_eq!(out.status, 2);
    assert!(
        out.stderr.contains("cannot name a version"),
        "{}",
        out.stderr
    );
}

#[test]
fn new_never_overwrites_and_refuses_bad_input() {
    let (dir, text) = skeleton("fr");
    let out = Run::new(&["new", "pbf-irf-300", "--version", VERSION, "--lang", "fr"])
        .cwd(dir.path())
        .output();
    assert_eq!(out.status, 1);
    assert_eq!(
        out.stderr,
        format!("error: {SKELETON} exists already; it was left as it is\n")
    );
    let after = std::fs::read_to_string(dir.path().join(SKELETON)).unwrap();
    assert_eq!(after, text);

    let out = Run::new(&["new", "../escape", "--version", VERSION, "--lang", "fr"])
        .cwd(dir.path())
        .output();
    assert_eq!(out.status, 2);
    assert!(out.stderr.contains("cannot name a project"));
    let out = Run::new(&["new", "pbf-irf-301", "--version", VERSION, "--lang", "xx"])
        .cwd(dir.path())
        .output();
    assert_eq!(out.status, 2);
    assert_eq!(
        out.stderr,
        "error: no catalog for language `xx`; the catalogs are en, fr\n"
    );
}

#[test]
fn usage_errors_exit_with_2() {
    assert_eq!(Run::new(&["check", "--no-such-flag"]).output().status, 2);
    assert_eq!(Run::new(&[]).output().status, 2);
}

/// On Linux with glibc 2.36 or later, the program's relative relocations are packed (DT_RELR):
/// its loader then reads a few KB of them at each start, not megabytes.
#[test]
fn the_program_packs_its_relocations_where_glibc_can_load_it() {
    let glibc = std::process::Command::new("getconf")
        .arg("GNU_LIBC_VERSION")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    let Some(version) = glibc.strip_prefix("glibc ") else {
        return; // not glibc: nothing is promised
    };
    let mut numbers = version.split('.').map(|n| n.parse::<u32>().unwrap_or(0));
    if (numbers.next().unwrap_or(0), numbers.next().unwrap_or(0)) < (2, 36) {
        return;
    }
    let dynamic = std::process::Command::new("readelf")
        .args(["--dynamic", env!("CARGO_BIN_EXE_pbf-report")])
        .output()
        .expect("readelf (binutils) runs");
    let dynamic = String::from_utf8_lossy(&dynamic.stdout);
    assert!(dynamic.contains("(RELR)"), "{dynamic}");
    assert!(!dynamic.contains("(RELACOUNT)"), "{dynamic}");
}

/// With glibc, the program fixes malloc's mmap threshold at start (see `main.rs`): it calls
/// `mallopt`, which it would not import otherwise.
#[test]
fn the_program_sets_the_malloc_threshold_with_glibc() {
    let is_glibc = std::process::Command::new("getconf")
        .arg("GNU_LIBC_VERSION")
        .output()
        .is_ok_and(|o| o.status.success() && o.stdout.starts_with(b"glibc "));
    if !is_glibc {
        return;
    }
    let symbols = std::process::Command::new("readelf")
        .args(["--dyn-syms", "--wide", env!("CARGO_BIN_EXE_pbf-report")])
        .output()
        .expect("readelf (binutils) runs");
    let symbols = String::from_utf8_lossy(&symbols.stdout);
    assert!(
        symbols
            .lines()
            .any(|l| l.contains(" UND ") && l.contains(" mallopt")),
        "the program does not import mallopt"
    );
}

/// The release program has the functions a build runs laid out together (`build.rs`,
/// `scripts/link-order.txt`): the list names this build's functions, and the linker followed it.
/// Checked on the release program beside the tests' own, which `.ci/run` builds first: the
/// debug program's functions have other names.
#[test]
fn the_release_program_keeps_the_functions_a_build_runs_together() {
    if !cfg!(all(
        target_arch = "x86_64",
        target_os = "linux",
        target_env = "gnu"
    )) {
        return;
    }
    let ours = std::path::Path::new(env!("CARGO_BIN_EXE_pbf-report"));
    let release = ours
        .parent()
        .unwrap()
        .with_file_name("release")
        .join("pbf-report");
    if !release.is_file() {
        eprintln!(
            "no {}: `cargo build --release` to check it",
            release.display()
        );
        return;
    }
    let list = include_str!("../../scripts/link-order.txt");
    let comment = std::process::Command::new("readelf")
        .args(["-p", ".comment"])
        .arg(&release)
        .output()
        .expect("readelf (binutils) runs");
    let comment = String::from_utf8_lossy(&comment.stdout);
    // build.rs gives the list only to a linker that takes it: LLD, Rust's own.
    if !comment.contains("Linker: LLD") {
        eprintln!(
            "{} was not linked with LLD: its functions are not ordered",
            release.display()
        );
        return;
    }
    let compiler = |text: &str| {
        let start = text.find("rustc version ")?;
        Some(text[start..].split(')').next()?.to_string() + ")")
    };
    assert_eq!(
        compiler(list),
        compiler(&comment),
        "scripts/link-order.txt was made from a program of another Rust compiler, whose functions \
         have other names: run scripts/link-order"
    );
    let listed: Vec<&str> = list
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    assert!(
        listed.len() > 1000,
        "scripts/link-order.txt lists too few functions"
    );
    let functions = functions_of(&release);
    // Names ending in `.llvm.<n>` take a hash of their module, which may differ from one
    // machine to another (the dependencies' source paths): they do not count as missing.
    let missing = listed
        .iter()
        .filter(|n| !n.contains(".llvm.") && !functions.contains_key(**n))
        .count();
    assert!(
        missing * 10 <= listed.len(),
        "{missing} of the {} functions scripts/link-order.txt names are not in {}: build it again \
         (cargo build --release) if it is older than this checkout; if not, the list is stale: \
         run scripts/link-order",
        listed.len(),
        release.display()
    );
    let found: Vec<(u64, u64)> = listed
        .iter()
        .filter_map(|n| functions.get(*n))
        .copied()
        .collect();
    let start = found.iter().map(|f| f.0).min().unwrap();
    let end = found.iter().map(|f| f.0 + f.1).max().unwrap();
    let size: u64 = found.iter().map(|f| f.1).sum();
    assert!(
        end - start < size * 3 / 2,
        "the listed functions, {size} bytes of code, are spread over {} bytes: the linker did not \
         follow scripts/link-order.txt (does build.rs still give it?)",
        end - start
    );
}

/// The functions `program` defines: name → (address, size).
fn functions_of(program: &std::path::Path) -> std::collections::HashMap<String, (u64, u64)> {
    let nm = std::process::Command::new("nm")
        .args(["--defined-only", "--print-size"])
        .arg(program)
        .output()
        .expect("nm (binutils) runs");
    String::from_utf8_lossy(&nm.stdout)
        .lines()
        .filter_map(
            |line| match line.split_whitespace().collect::<Vec<_>>()[..] {
                [address, size, "t" | "T" | "w" | "W", name] => Some((
                    name.to_string(),
                    (
                        u64::from_str_radix(address, 16).ok()?,
                        u64::from_str_radix(size, 16).ok()?,
                    ),
                )),
                _ => None,
            },
        )
        .collect()
}

/// The tests' dependencies turn on no feature of a crate the program uses that the program does
/// not ask for itself (Cargo.toml, `bitflags`): `cargo bench` then builds the very program of
/// `cargo build --release`, whose function names `scripts/link-order.txt` lists.
#[test]
fn the_tests_dependencies_change_no_feature_of_the_programs() {
    let features = |edges: &str| {
        let out = std::process::Command::new(std::env::var("CARGO").unwrap_or("cargo".into()))
            .args([
                "tree",
                "--offline",
                "--prefix",
                "none",
                "-f",
                "{p} {f}",
                "-e",
                edges,
            ])
            .current_dir(root())
            .output()
            .expect("cargo runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| l.trim_end_matches(" (*)").to_string())
            .collect::<std::collections::BTreeSet<_>>()
    };
    let program = features("normal,build");
    let with_tests = features("normal,build,dev");
    // A crate of the program whose features the tests' dependencies change is listed with other
    // features beside them. (A crate only they use, or one built for the compiler, is not.)
    let changed: Vec<_> = program.difference(&with_tests).collect();
    assert!(
        changed.is_empty(),
        "the tests' dependencies change the features of {changed:?}: ask for them in Cargo.toml"
    );
}
