//! Amounts at any size: generated reports (1–5 recipients, 1–4 outcomes, cents, amounts up to a
//! billion, zero categories, 0–100 % spent) pass `check`, and their workbooks, read back by
//! LibreOffice, recalculate to the results stored in them; both sheets and the PDF agree to the
//! cent with totals computed here independently.

use std::collections::BTreeMap;
use std::path::Path;

use pbf_report::check;
use proptest::prelude::*;

use crate::annex_a::{convert, row};
use crate::common::{Run, pdf_text, squash};

/// A small deterministic generator (xorshift), so that a failing seed can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    /// A number in `low..=high`.
    fn in_range(&mut self, low: i64, high: i64) -> i64 {
        low + (self.next() % (high - low + 1) as u64) as i64
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// Indirect support costs as the fund states them: 7 %, rounded half up to the cent.
fn seven(cents: i64) -> i64 {
    (cents * 7 + 50) / 100
}

/// One generated report and the figures it must show.
pub struct Generated {
    pub yaml: String,
    /// Per recipient, in cents: approved budget (7 % included), expenditure by category.
    pub budgets: Vec<i64>,
    pub spent: Vec<i64>,
    pub gender: i64,
}

/// `cents` written as a person would: `1500`, `1500.5`, `1500.50` or `1500.05`.
fn written(cents: i64, rng: &mut Rng) -> String {
    match cents % 100 {
        0 if rng.chance(50) => (cents / 100).to_string(),
        c if c % 10 == 0 && rng.chance(50) => format!("{}.{}", cents / 100, c / 10),
        c => format!("{}.{c:02}", cents / 100),
    }
}

/// `total` cut into `parts` amounts (some of them zero) that add up to it.
fn split(total: i64, parts: usize, rng: &mut Rng) -> Vec<i64> {
    let mut cuts: Vec<i64> = (1..parts).map(|_| rng.in_range(0, total)).collect();
    cuts.push(0);
    cuts.push(total);
    cuts.sort_unstable();
    cuts.windows(2).map(|w| w[1] - w[0]).collect()
}

/// The budget categories' keys, as a source writes them.
const CATEGORIES: [&str; 7] = pbf_report::model::Categories::KEYS;

pub fn generate(seed: u64, project: &str, recipients: usize, largest: i64) -> Generated {
    // Seeds that differ in a few bits start far apart (splitmix64's finaliser).
    let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    let mut rng = Rng((z ^ (z >> 31)).max(1));
    let ids: Vec<String> = (1..=recipients).map(|i| format!("r{i}")).collect();
    let outcomes = rng.in_range(1, 4) as usize;
    let spent_percent = match rng.in_range(0, 3) {
        0 => 0,
        1 => 100,
        _ => rng.in_range(0, 100),
    };
    // Budget and expenditure per recipient and category, zero categories left out or written 0.
    let mut categories = Vec::new();
    for _ in &ids {
        let lines: Vec<(i64, i64)> = (0..7)
            .map(|k| {
                let budget = if k > 0 && rng.chance(25) {
                    0
                } else {
                    rng.in_range(1, largest)
                };
                (budget, budget * spent_percent / 100)
            })
            .collect();
        categories.push(lines);
    }
    let direct: Vec<i64> = categories
        .iter()
        .map(|c| c.iter().map(|l| l.0).sum())
        .collect();
    let spent: Vec<i64> = categories
        .iter()
        .map(|c| c.iter().map(|l| l.1).sum())
        .collect();
    let budgets: Vec<i64> = direct.iter().map(|d| d + seven(*d)).collect();

    // Budget lines: the activities of every output, then the monitoring line.
    let shape: Vec<Vec<usize>> = (0..outcomes)
        .map(|_| {
            (0..rng.in_range(1, 2))
                .map(|_| rng.in_range(1, 3) as usize)
                .collect()
        })
        .collect();
    let lines = shape.iter().flatten().sum::<usize>() + 1;
    let by_line: Vec<Vec<i64>> = direct.iter().map(|d| split(*d, lines, &mut rng)).collect();
    let totals: Vec<i64> = (0..lines)
        .map(|l| by_line.iter().map(|r| r[l]).sum())
        .collect();
    let all: i64 = totals.iter().sum();
    let all_spent: i64 = spent.iter().sum();
    let mut line_spent: Vec<i64> = totals
        .iter()
        .map(|t| (i128::from(all_spent) * i128::from(*t) / i128::from(all.max(1))) as i64)
        .collect();
    let mut left = all_spent - line_spent.iter().sum::<i64>();
    while left > 0 {
        for (s, t) in line_spent.iter_mut().zip(&totals) {
            if left > 0 && *s < *t {
                *s += 1;
                left -= 1;
            }
        }
    }
    let gender: Vec<i64> = totals.iter().map(|t| t / 5).collect();
    let gender_total: i64 = gender.iter().sum();

    let mut line = 0;
    let mut budget_line = |indent: &str, rng: &mut Rng| {
        let amounts: Vec<String> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| format!("{id}: {}", written(by_line[i][line], rng)))
            .collect();
        let text = format!(
            "{indent}budget: {{{}}}\n{indent}gender: {}\n{indent}spent: {}\n",
            amounts.join(", "),
            written(gender[line], rng),
            written(line_spent[line], rng)
        );
        line += 1;
        text
    };
    let mut outcomes_yaml = String::new();
    for (o, outputs) in shape.iter().enumerate() {
        outcomes_yaml += &format!(
            "  - statement: Outcome {o}\n    rating: on_track\n    summary: Progress.\n    \
             indicators:\n      - {{indicator: Count, baseline: 0, target: 10, progress: 4}}\n    outputs:\n"
        );
        for (p, activities) in outputs.iter().enumerate() {
            outcomes_yaml += &format!(
                "      - statement: Output {o}.{p}\n        indicators:\n          - {{indicator: People, target: 100, progress: 50}}\n        activities:\n"
            );
            for a in 0..*activities {
                outcomes_yaml += &format!("          - formulation: Activity {o}.{p}.{a}\n");
                outcomes_yaml += &budget_line("            ", &mut rng);
            }
        }
    }
    let monitoring = budget_line("      ", &mut rng);

    let mut recipients_yaml = String::new();
    for (i, id) in ids.iter().enumerate() {
        recipients_yaml += &format!(
            "    - id: {id}\n      name: Recipient number {i} with a long name\n      type: un\n{}      budget: {}\n",
            if i == 0 { "      lead: true\n" } else { "" },
            written(budgets[i], &mut rng)
        );
    }
    let mut categories_yaml = String::new();
    let mut received = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        categories_yaml += &format!("    {id}:\n");
        for (k, (budget, spent)) in categories[i].iter().enumerate() {
            if *budget == 0 && rng.chance(50) {
                continue; // a zero category may be left out
            }
            categories_yaml += &format!(
                "      {}: {{budget: {}, spent: {}}}\n",
                CATEGORIES[k],
                written(*budget, &mut rng),
                written(*spent, &mut rng)
            );
        }
        let funds = rng.in_range(0, budgets[i]);
        received.push(format!("{id}: {}", written(funds, &mut rng)));
    }
    let number = project.trim_start_matches("pbf-irf-");
    let yaml = format!(
        "template: pbf-2019\nproject_id: {project}\nlanguages: [fr, en]\nunofficial_translations: [en]\n\n\
         cover:\n  country: Niger\n  report_type: annual\n  report_date: 2020-11-15\n  title: Generated report\n  \
         gateway_number: PBF IRF-{number}\n  modality: irf\n  recipients:\n{recipients_yaml}  start_date: 2019-07\n  \
         duration_months: 18\n  budget_total: {}\n  tranches_received: 1\n  prepared_by: A. Writer\n  approved_by: Board\n\n\
         progress:\n  status: Done.\n  relevance: Relevant.\n  unique: Unique.\n  rating: on_track\n  \
         peacebuilding_results: Results.\n  human_impact: Impact.\n  challenges_on_track: None.\n\n\
         outcomes:\n{outcomes_yaml}\n\
         cross_cutting:\n  national_ownership: Yes.\n  monitoring: Yes.\n  evaluation: Yes.\n  catalytic_financial: No.\n  \
         catalytic_non_financial: No.\n  exit_strategy: Yes.\n  risk_taking: Yes.\n  gender_equality: Yes.\n\n\
         finance:\n  rating: on_track\n  tranches_and_expenditure: One tranche.\n  gender_planned: {}\n  gender_allocated: {}\n\n\
         annex_a:\n  additional_costs:\n    monitoring:\n      formulation: Monitoring\n{monitoring}  \
         funds_received: {{{}}}\n  by_category:\n{categories_yaml}",
        written(budgets.iter().sum(), &mut rng),
        written(gender_total, &mut rng),
        written(gender_total / 2, &mut rng),
        received.join(", "),
    );
    Generated {
        yaml,
        budgets,
        spent,
        gender: gender_total,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// `check` reads every amount as the decimal typed: none of these valid reports is refused,
    /// whatever the size of its amounts.
    #[test]
    fn check_accepts_every_valid_generated_report(
        seed in any::<u64>(),
        recipients in 1usize..=5,
        digits in 3u32..=11,
    ) {
        let generated = generate(seed, "pbf-irf-901", recipients, 10i64.pow(digits));
        let checked = check::check_bytes(Path::new("generated.yaml"), generated.yaml.as_bytes());
        let problems: Vec<String> = checked.diagnostics.iter().map(|d| d.render(None)).collect();
        prop_assert!(problems.is_empty(), "{}\n{}", problems.join("\n"), generated.yaml);
    }
}

/// `cents` as the plain figure LibreOffice writes in CSV: `2500000`, `55934.58`, `2336448.6`.
fn csv_figure(cents: i64) -> String {
    match cents % 100 {
        0 => (cents / 100).to_string(),
        c if c % 10 == 0 => format!("{}.{}", cents / 100, c / 10),
        c => format!("{}.{c:02}", cents / 100),
    }
}

/// French print of an amount: `2 500 000 USD` (spacing squashed by the caller).
fn french(cents: i64) -> String {
    let units = pbf_report::model::group_thousands((cents / 100) as u64, " ");
    match cents % 100 {
        0 => format!("{units} USD"),
        c => format!("{units},{c:02} USD"),
    }
}

/// Row, column (both from 0) and stored result of every formula cell of sheet `n` of `book`.
fn cached_results(book: &Path, n: usize) -> Vec<(usize, usize, String)> {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::fs::File::open(book).unwrap()).unwrap();
    let mut xml = String::new();
    archive
        .by_name(&format!("xl/worksheets/sheet{n}.xml"))
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    let cell =
        regex::Regex::new(r#"<c r="([A-Z]+)([0-9]+)"[^>]*><f>[^<]*</f><v>([^<]*)</v>"#).unwrap();
    cell.captures_iter(&xml)
        .map(|c| {
            let col = c[1]
                .bytes()
                .fold(0, |n, b| n * 26 + usize::from(b - b'A' + 1))
                - 1;
            (c[2].parse::<usize>().unwrap() - 1, col, c[3].to_string())
        })
        .collect()
}

/// Whether LibreOffice's `shown` (`2336448.6`, `82.875816993464%`) is the stored `cached`
/// (`2336448.60`, `0.828758169934641`): amounts to the cent, rates but for the last bits of a
/// double (a sum of doubles in one, of exact cents in the other).
fn same_figure(shown: &str, cached: &str) -> bool {
    let Ok(cached) = cached.parse::<f64>() else {
        return false;
    };
    match shown.strip_suffix('%') {
        Some(rate) => rate
            .parse::<f64>()
            .is_ok_and(|r| (r / 100.0 - cached).abs() <= 1e-12 * cached.abs().max(1.0)),
        None => shown
            .parse::<f64>()
            .is_ok_and(|v| (v * 100.0).round() == (cached * 100.0).round()),
    }
}

#[test]
fn generated_workbooks_recalculate_and_agree_with_each_other_and_the_pdf() {
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("data");
    // A five-recipient billion-dollar report, and smaller ones of every shape.
    let cases: Vec<(u64, usize, i64)> = vec![
        (0x5eed_0001, 5, 20_000_000_000),
        (0x5eed_0002, 1, 1_000),
        (0x5eed_0003, 2, 99_999_999),
        (0x5eed_0004, 3, 1_234_567_891),
        (0x5eed_0005, 4, 7_777_777),
        (0x5eed_0006, 5, 10_000_000_000),
    ];
    let mut expected = BTreeMap::new();
    for (n, (seed, recipients, largest)) in cases.iter().enumerate() {
        let project = format!("pbf-irf-{}", 910 + n);
        let generated = generate(*seed, &project, *recipients, *largest);
        let folder = data.join(&project);
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(folder.join("2020-11-15-annual.yaml"), &generated.yaml).unwrap();
        expected.insert(project, generated);
    }
    // Proof that the cases can tell the rules apart: somewhere 7 % of the total expenditure is
    // not the sum of each recipient's 7 %.
    assert!(
        expected.values().any(|g| {
            seven(g.spent.iter().sum()) != g.spent.iter().map(|s| seven(*s)).sum::<i64>()
        }),
        "no case where rounding per recipient and on the total differ"
    );
    let out = work.path().join("out");
    let run = Run::new(&[
        "build",
        "--out",
        out.to_str().unwrap(),
        data.to_str().unwrap(),
    ])
    .output();
    assert_eq!(run.status, 0, "{}", run.stderr);

    // Every workbook side by side under one name each, converted in one LibreOffice run.
    let books = work.path().join("books");
    std::fs::create_dir_all(&books).unwrap();
    let mut paths = Vec::new();
    for project in expected.keys() {
        for lang in ["fr", "en"] {
            let path = books.join(format!("{project}-{lang}.xlsx"));
            std::fs::copy(
                out.join(project)
                    .join("2020-11-15-annual")
                    .join(format!("annex-a.{lang}.xlsx")),
                &path,
            )
            .unwrap();
            paths.push(path);
        }
    }
    let paths: Vec<&Path> = paths.iter().map(|p| p.as_path()).collect();
    let computed = convert(&paths, true, &work.path().join("recalc"));
    // The result stored with every formula, read from the file itself (LibreOffice recalculates
    // some formulas on load even when told not to), against LibreOffice's recalculation.
    let mut differences = Vec::new();
    for path in &paths {
        let stem = path.file_stem().unwrap().to_str().unwrap();
        let names: Vec<&String> = computed
            .keys()
            .filter(|k| k.starts_with(&format!("{stem}-")))
            .collect();
        for (index, name) in names.iter().enumerate() {
            for (row, col, cached) in cached_results(path, index + 1) {
                let shown = computed[*name]
                    .get(row)
                    .and_then(|r| r.get(col))
                    .map_or("", String::as_str);
                if !same_figure(shown, &cached) {
                    differences.push(format!(
                        "{name} row {} col {col}: {shown} recalculated, {cached} stored",
                        row + 1
                    ));
                }
            }
        }
    }
    assert!(
        differences.is_empty(),
        "LibreOffice's results differ from those stored:\n{}",
        differences.join("\n")
    );

    for (project, g) in &expected {
        let n = g.budgets.len();
        let spent_with_indirect: Vec<i64> = g.spent.iter().map(|s| s + seven(*s)).collect();
        let total = g.budgets.iter().sum::<i64>();
        let spent_total = spent_with_indirect.iter().sum::<i64>();
        let sheet = |name: &str| &computed[&format!("{project}-en-{name}")];
        let budget = sheet("1) Budget Table");
        let grand = row(budget, "Total");
        let want: Vec<String> = g
            .budgets
            .iter()
            .chain([&total])
            .map(|c| csv_figure(*c))
            .collect();
        assert_eq!(&grand[2..3 + n], want, "{project}: Budget Table totals");
        assert_eq!(
            grand[n + 5],
            csv_figure(spent_total),
            "{project}: expenditure incl. 7 %"
        );
        let categories = sheet("2) By Category");
        let totals = categories
            .iter()
            .rev()
            .find(|r| r.get(1).is_some_and(|c| c == "Total"))
            .unwrap();
        assert_eq!(
            &totals[2..3 + n],
            want,
            "{project}: By Category budget totals"
        );
        let spent_want: Vec<String> = spent_with_indirect
            .iter()
            .chain([&spent_total])
            .map(|c| csv_figure(*c))
            .collect();
        assert_eq!(
            &totals[3 + n..4 + 2 * n],
            spent_want,
            "{project}: expenditure by recipient"
        );
        // A fully spent project delivers exactly 100 %.
        if g.spent
            .iter()
            .zip(&g.budgets)
            .all(|(s, b)| s + seven(*s) == *b)
        {
            assert_eq!(
                grand[n + 6],
                "100%",
                "{project}: delivery of a fully spent project"
            );
        }

        let pdf = squash(&pdf_text(
            &out.join(project)
                .join("2020-11-15-annual")
                .join(format!("{project}-2020-11-15-annual.fr.pdf")),
        ));
        for cents in g.budgets.iter().chain([&total, &g.gender]) {
            assert!(
                pdf.contains(&squash(&french(*cents))),
                "{project}: the PDF lacks {}",
                french(*cents)
            );
        }
    }
}
