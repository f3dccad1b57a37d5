//! `cargo bench --bench diff`: how long `pbf-report diff` takes, whole process, as medians of
//! repeated runs: the example against a semi-annual version of it; the largest report the 2019
//! form holds (8 recipients, 4 outcomes, 36 indicators, every narrative near its limit) against
//! a version with every answer reworded; and a 15,000-character answer against a rewritten one.
//! With `PBF_BENCH_KEEP=DIR`, the generated sources are left in DIR to time with other tools.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

#[path = "shared/measure.rs"]
mod measure;
use measure::measure;

const EXAMPLE: &str = "data/pbf-irf-217/2019-11-12-final.yaml";

/// `pbf-report diff ARGS…` from `dir`: the versions differ, so it exits 1.
fn diff(dir: &Path, args: &[&str]) {
    let out = Command::new(env!("CARGO_BIN_EXE_pbf-report"))
        .arg("diff")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Words of a generated answer: `n` of them, the `round`-th wording.
fn words(seed: usize, n: usize, round: usize) -> String {
    const VOCABULARY: [&str; 12] = [
        "communautés",
        "dialogue",
        "femmes",
        "jeunes",
        "comités",
        "paix",
        "formation",
        "conflits",
        "autorités",
        "villages",
        "gestion",
        "ressources",
    ];
    (0..n)
        .map(|i| {
            let k = seed * 31 + i * 7 + if i % 5 == 0 { round } else { 0 };
            VOCABULARY[k % VOCABULARY.len()]
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The fields of the form's `part` that ask for a narrative, as the form's description names
/// them; but the reasons a project is off track, which an on-track report leaves out.
fn narratives(part: &str) -> Vec<String> {
    let form = pbf_report::form::Form::pbf_2019();
    form.part(part)
        .iter()
        .filter(|q| q.kind == pbf_report::form::Kind::Narrative)
        .filter(|q| q.role.as_deref() != Some("off_track_reasons"))
        .map(|q| q.path.rsplit('.').next().unwrap_or(&q.path).to_string())
        .collect()
}

/// The largest report the 2019 form holds, in French: 8 recipients, 4 outcomes of 3 outputs,
/// 3 outcome and 2 output indicators each (36), one activity per output; `round` rewords every
/// fifth word of every text and moves the spending, keeping the budget rules.
fn largest(round: usize) -> String {
    let recipients = 8;
    let spent = 50_000 + 1_000 * round;
    let mut y = String::new();
    let _ = writeln!(
        y,
        "template: pbf-2019\nproject_id: pbf-irf-950\nlanguages: [fr]\n\ncover:\n  country: Niger\n  \
         report_type: semi_annual\n  report_date: 2020-0{}-15\n  title: Projet d'essai\n  \
         gateway_number: PBF IRF-950\n  modality: irf\n  recipients:",
        6 + round
    );
    for r in 1..=recipients {
        let lead = if r == 1 { "\n      lead: true" } else { "" };
        let _ = writeln!(
            y,
            "    - id: a{r}\n      name: Agence {r}\n      type: un{lead}\n      budget: 128400"
        );
    }
    let _ = writeln!(
        y,
        "  start_date: 2019-07\n  duration_months: 18\n  budget_total: {}\n  tranches_received: 1\n  \
         prepared_by: Awa Traoré\n  approved_by: Agence 1\n",
        128_400 * recipients
    );
    let text = |seed: usize, n: usize| format!("\"{}\"", words(seed, n, round));
    let _ = writeln!(y, "progress:");
    for (k, field) in narratives("progress").iter().enumerate() {
        let _ = writeln!(y, "  {field}: {}", text(k, 140));
    }
    let _ = writeln!(y, "  rating: on_track\n\noutcomes:");
    let budget: String = (1..=recipients)
        .map(|r| format!("a{r}: 10000"))
        .collect::<Vec<_>>()
        .join(", ");
    for o in 0..4 {
        let _ = writeln!(
            y,
            "  - statement: {}\n    rating: on_track\n    summary: {}\n    indicators:",
            text(100 + o, 8),
            text(200 + o, 300)
        );
        for i in 0..3 {
            let _ = writeln!(
                y,
                "      - indicator: {}\n        baseline: {}\n        target: {}\n        progress: {}",
                text(300 + o * 10 + i, 30),
                text(400 + o * 10 + i, 20),
                text(500 + o * 10 + i, 10),
                text(600 + o * 10 + i, 30)
            );
        }
        let _ = writeln!(y, "    outputs:");
        for p in 0..3 {
            let _ = writeln!(
                y,
                "      - statement: {}\n        indicators:",
                text(700 + o * 10 + p, 8)
            );
            for i in 0..2 {
                let _ = writeln!(
                    y,
                    "          - indicator: {}\n            target: {}\n            progress: {}",
                    text(800 + o * 100 + p * 10 + i, 30),
                    text(900 + o * 100 + p * 10 + i, 10),
                    text(1000 + o * 100 + p * 10 + i, 30)
                );
            }
            let _ = writeln!(
                y,
                "        activities:\n          - formulation: {}\n            budget: {{{budget}}}\n            \
                 gender: 20000\n            spent: {spent}",
                text(1100 + o * 10 + p, 8)
            );
        }
    }
    let _ = writeln!(y, "\ncross_cutting:");
    for (k, field) in narratives("cross_cutting").iter().enumerate() {
        let _ = writeln!(y, "  {field}: {}", text(1200 + k, 140));
    }
    let _ = writeln!(
        y,
        "\nfinance:\n  rating: on_track\n  tranches_and_expenditure: {}\n  gender_planned: 240000\n  \
         gender_allocated: 100000\n\nannex_a:\n  by_category:",
        text(1300, 20)
    );
    // Twelve activities of 10,000 a recipient, spending `spent` each.
    let staff_spent = 12 * spent / recipients;
    for r in 1..=recipients {
        let _ = writeln!(
            y,
            "    a{r}:\n      staff: {{budget: 120000, spent: {staff_spent}}}"
        );
    }
    y
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let work = tempfile::tempdir().unwrap();
    let dir = match std::env::var_os("PBF_BENCH_KEEP") {
        Some(keep) => std::path::PathBuf::from(keep),
        None => work.path().to_path_buf(),
    };
    let folder = dir.join("data/pbf-irf-217");
    std::fs::create_dir_all(&folder).unwrap();
    let text = std::fs::read_to_string(root.join(EXAMPLE)).unwrap();
    std::fs::write(dir.join(EXAMPLE), &text).unwrap();
    let semi = text
        .replacen("report_type: final", "report_type: semi_annual", 1)
        .replacen("report_date: 2019-11-12", "report_date: 2019-06-15", 1)
        .replacen("L'évaluation a demontré", "L'étude a demontré", 1);
    let semi_path = "data/pbf-irf-217/2019-06-15-semi-annual.yaml";
    std::fs::write(dir.join(semi_path), semi).unwrap();
    measure("`diff` of two versions of the example", 20, || {
        diff(&dir, &[semi_path, EXAMPLE])
    });
    measure("`diff --pdf` of two versions of the example", 10, || {
        diff(&dir, &["--pdf", "changes.pdf", semi_path, EXAMPLE])
    });

    std::fs::create_dir_all(dir.join("data/pbf-irf-950")).unwrap();
    let (a, b) = (
        "data/pbf-irf-950/2020-06-15-semi-annual.yaml",
        "data/pbf-irf-950/2020-07-15-semi-annual.yaml",
    );
    std::fs::write(dir.join(a), largest(0)).unwrap();
    std::fs::write(dir.join(b), largest(1)).unwrap();
    measure(
        "`diff` of two largest reports (8 recipients, 36 indicators)",
        10,
        || diff(&dir, &[a, b]),
    );
    measure("`diff --json` of the same", 10, || {
        diff(&dir, &["--json", a, b])
    });

    // A 15,000-character answer (the most a text may hold) against its words reordered.
    let old: Vec<String> = (0..2_000).map(|i| format!("mot{i}")).collect();
    let new: Vec<String> = (0..2_000)
        .map(|i| format!("mot{}", i * 7 % 2_000))
        .collect();
    let with = |answer: &str| {
        let start = text.find("\n  status:\n").unwrap() + 1;
        let end = text.find("\n  relevance:").unwrap() + 1;
        format!("{}  status: \"{answer}\"\n{}", &text[..start], &text[end..])
    };
    let (x, z) = (
        "data/pbf-irf-217/2019-06-16-semi-annual.yaml",
        "data/pbf-irf-217/2019-06-17-semi-annual.yaml",
    );
    std::fs::write(dir.join(x), with(&old.join(" "))).unwrap();
    std::fs::write(dir.join(z), with(&new.join(" "))).unwrap();
    measure("`diff` of a 15,000-character answer rewritten", 10, || {
        diff(&dir, &[x, z])
    });
}
