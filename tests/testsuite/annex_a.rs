//! The Annex A workbooks, read back by LibreOffice: once recalculating every formula, once
//! trusting the results stored in the file. Both must give the same figures, and those figures
//! must be the cover's and the PDF's, to the cent.

use std::collections::BTreeMap;
use std::path::Path;

use crate::common::{EXAMPLE, Run, built_example, pdf_text, squash};

/// Every sheet of `book` as CSV rows, by sheet name, as LibreOffice reads it.
fn sheets(book: &Path, recalc: bool, out: &Path) -> BTreeMap<String, Vec<Vec<String>>> {
    let stem = book.file_stem().unwrap().to_str().unwrap();
    convert(&[book], recalc, out)
        .into_iter()
        .filter_map(|(name, rows)| {
            Some((name.strip_prefix(&format!("{stem}-"))?.to_string(), rows))
        })
        .collect()
}

/// Every sheet of every workbook in `books`, converted in one LibreOffice run, by
/// `<file stem>-<sheet name>`.
pub fn convert(books: &[&Path], recalc: bool, out: &Path) -> BTreeMap<String, Vec<Vec<String>>> {
    let filter = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1";
    let mut args = vec!["--convert-to", filter, "--outdir", out.to_str().unwrap()];
    args.extend(books.iter().map(|b| b.to_str().unwrap()));
    crate::common::soffice(&args, Some(recalc));
    let mut sheets = BTreeMap::new();
    for entry in std::fs::read_dir(out).unwrap().flatten() {
        let name = entry.file_name().into_string().unwrap();
        if let Some(sheet) = name.strip_suffix(".csv") {
            let text = std::fs::read_to_string(entry.path()).unwrap();
            sheets.insert(
                sheet.to_string(),
                text.lines().map(parse_csv_line).collect(),
            );
        }
    }
    sheets
}

fn parse_csv_line(line: &str) -> Vec<String> {
    let (mut cells, mut cell, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => cells.push(std::mem::take(&mut cell)),
            _ => cell.push(c),
        }
    }
    cells.push(cell);
    cells
}

/// The row whose second cell is `label`.
pub fn row<'a>(sheet: &'a [Vec<String>], label: &str) -> &'a [String] {
    sheet
        .iter()
        .find(|r| r.get(1).is_some_and(|c| c == label))
        .unwrap_or_else(|| panic!("no row {label}"))
}

#[test]
fn libreoffice_recalculates_the_figures_of_the_pdf_to_the_cent() {
    let work = tempfile::tempdir().unwrap();
    let names = [
        (
            "en",
            "1) Budget Table",
            "2) By Category",
            "Total",
            "Indirect support costs (7%)",
            "Sub-total project costs",
        ),
        (
            "fr",
            "1) Tableau budgétaire",
            "2) Par catégorie",
            "Total",
            "Coûts indirects d'appui (7 %)",
            "Sous-total des coûts du projet",
        ),
    ];
    for (lang, budget_sheet, category_sheet, total, indirect, category_subtotal) in names {
        let book = built_example().join(format!("annex-a.{lang}.xlsx"));
        let computed = sheets(&book, true, &work.path().join(format!("recalc-{lang}")));
        let stored = sheets(&book, false, &work.path().join(format!("cached-{lang}")));
        assert_eq!(
            computed.keys().collect::<Vec<_>>(),
            [budget_sheet, category_sheet]
        );
        assert_eq!(
            computed, stored,
            "{lang}: the results stored in the file differ from LibreOffice's"
        );

        let budget = &computed[budget_sheet];
        // Columns: number, formulation, WFP, FAO, UNHCR, total, gender, gender %, spent, rate, notes.
        let totals = row(budget, total);
        assert_eq!(
            &totals[2..6],
            ["855000", "820000", "825000", "2500000"],
            "{lang}"
        );
        assert_eq!(
            totals[6], "635133",
            "{lang}: gender total is Part 2's amount"
        );
        let seven = row(budget, indirect);
        assert_eq!(
            &seven[2..5],
            ["55934.58", "53644.86", "53971.96"],
            "{lang}: 7% to the cent"
        );

        let categories = &computed[category_sheet];
        let sub = row(categories, category_subtotal);
        assert_eq!(
            &sub[2..6],
            ["799065.42", "766355.14", "771028.04", "2336448.6"],
            "{lang}"
        );
        let category_totals = categories
            .iter()
            .rev()
            .find(|r| r.get(1).is_some_and(|c| c == total))
            .unwrap();
        assert_eq!(
            &category_totals[2..6],
            ["855000", "820000", "825000", "2500000"],
            "{lang}"
        );

        // The same figures as the PDF prints them.
        let pdf = squash(&pdf_text(
            &built_example().join(format!("pbf-irf-217-2019-11-12-final.{lang}.pdf")),
        ));
        let printed: &[&str] = if lang == "fr" {
            &[
                "855 000 USD",
                "820 000 USD",
                "825 000 USD",
                "2 500 000 USD",
                "Prévu : 635 133 USD ; alloué à ce jour : 635 133 USD",
            ]
        } else {
            &[
                "USD 855,000",
                "USD 820,000",
                "USD 825,000",
                "USD 2,500,000",
                "Planned: USD 635,133; allocated to date: USD 635,133",
            ]
        };
        for figure in printed {
            assert!(
                pdf.contains(&squash(figure)),
                "{lang}: the PDF lacks {figure}"
            );
        }
    }
}

#[test]
fn the_same_build_twice_gives_the_same_workbook_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let out = Run::new(&["build", "--out", dir.path().to_str().unwrap(), EXAMPLE]).output();
    assert_eq!(out.status, 0, "{}", out.stderr);
    for lang in ["fr", "en"] {
        let name = format!("annex-a.{lang}.xlsx");
        let again =
            std::fs::read(dir.path().join("pbf-irf-217/2019-11-12-final").join(&name)).unwrap();
        assert!(
            again == std::fs::read(built_example().join(&name)).unwrap(),
            "{name} differs"
        );
    }
}

/// Every word `pdftotext -bbox` finds on each page of `pdf`: its text and box.
fn words_by_page(pdf: &Path) -> Vec<Vec<(String, [f64; 4])>> {
    let html = crate::common::tool("pdftotext", &["-bbox", pdf.to_str().unwrap(), "-"]);
    let word = regex::Regex::new(
        r#"<word xMin="([0-9.]+)" yMin="([0-9.]+)" xMax="([0-9.]+)" yMax="([0-9.]+)">([^<]*)</word>"#,
    )
    .unwrap();
    html.split("<page ")
        .skip(1)
        .map(|page| {
            word.captures_iter(page)
                .map(|c| {
                    let n = |i: usize| c[i].parse::<f64>().unwrap();
                    (
                        c[5].replace("&amp;", "&").replace("&apos;", "'"),
                        [n(1), n(2), n(3), n(4)],
                    )
                })
                .collect()
        })
        .collect()
}

#[test]
fn workbooks_print_legibly_in_both_languages_at_any_size() {
    use pbf_report::i18n::Catalog;
    use pbf_report::render::document::typography;
    assert!(
        crate::common::tool("fc-list", &[]).contains("Carlito"),
        "the Carlito font is missing: install the Debian package fonts-crosextra-carlito (scripts/test does it as root)"
    );
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("data/pbf-irf-910");
    std::fs::create_dir_all(&data).unwrap();
    // Five recipients with long names, totals in the billions.
    let big = crate::amounts::generate(0x5eed_0001, "pbf-irf-910", 5, 20_000_000_000);
    std::fs::write(data.join("2020-11-15-annual.yaml"), &big.yaml).unwrap();
    let out = work.path().join("out");
    let run = Run::new(&[
        "build",
        "--out",
        out.to_str().unwrap(),
        work.path().join("data").to_str().unwrap(),
    ])
    .output();
    assert_eq!(run.status, 0, "{}", run.stderr);
    let books = work.path().join("books");
    std::fs::create_dir_all(&books).unwrap();
    for lang in ["fr", "en"] {
        let name = format!("annex-a.{lang}.xlsx");
        std::fs::copy(
            built_example().join(&name),
            books.join(format!("example-{lang}.xlsx")),
        )
        .unwrap();
        std::fs::copy(
            out.join("pbf-irf-910/2020-11-15-annual").join(&name),
            books.join(format!("big-{lang}.xlsx")),
        )
        .unwrap();
    }
    let mut args = vec!["--convert-to", "pdf", "--outdir", books.to_str().unwrap()];
    let paths: Vec<String> = ["example-fr", "example-en", "big-fr", "big-en"]
        .iter()
        .map(|s| {
            books
                .join(format!("{s}.xlsx"))
                .to_str()
                .unwrap()
                .to_string()
        })
        .collect();
    args.extend(paths.iter().map(String::as_str));
    crate::common::soffice(&args, Some(true));

    let figure = regex::Regex::new(r"^-?[0-9][0-9,]*\.[0-9]{2}$").unwrap();
    for stem in ["example-fr", "example-en", "big-fr", "big-en"] {
        let lang = &stem[stem.len() - 2..];
        let catalog = Catalog::load(lang).unwrap();
        let label = |key: &str| typography(lang, &catalog.get(key));
        let pages = words_by_page(&books.join(format!("{stem}.pdf")));
        let all: Vec<&String> = pages.iter().flatten().map(|(w, _)| w).collect();
        assert!(
            !all.iter().any(|w| w.contains('#')),
            "{stem}: a figure shows as ###"
        );
        // No text drawn over another: no two words' boxes overlap.
        for (p, words) in pages.iter().enumerate() {
            for (i, (a, ba)) in words.iter().enumerate() {
                for (b, bb) in &words[i + 1..] {
                    let overlap_x = ba[2].min(bb[2]) - ba[0].max(bb[0]);
                    let overlap_y = ba[3].min(bb[3]) - ba[1].max(bb[1]);
                    // Lines of one cell touch (a glyph box is taller than the line step).
                    let height = (ba[3] - ba[1]).min(bb[3] - bb[1]);
                    assert!(
                        overlap_x <= 0.5 || overlap_y <= 0.3 * height,
                        "{stem} page {}: \"{a}\" is drawn over \"{b}\"",
                        p + 1
                    );
                }
            }
        }
        // Headers and labels wrap between words: each of their words prints whole.
        let keys = [
            "annex.gender_amount",
            "annex.gender_pct",
            "annex.spent",
            "annex.recipient_budget",
            "category.equipment",
            "category.general_operating",
            "annex.gender_share",
            "annex.me_share",
        ];
        for key in keys {
            for word in label(key)
                .split_whitespace()
                .filter(|w| w.chars().count() > 3)
            {
                assert!(
                    all.iter().any(|w| *w == word),
                    "{stem}: \"{word}\" of {key} is cut"
                );
            }
        }
        // Legible: no word prints smaller than 5 pt (11 pt text at the smallest scale, 50%);
        // pdftotext's box of a word is about 1.3 times its font size tall.
        for (p, words) in pages.iter().enumerate() {
            for (word, b) in words {
                assert!(
                    b[3] - b[1] >= 5.0 * 1.3,
                    "{stem} page {}: \"{word}\" prints too small",
                    p + 1
                );
            }
        }
        // The example prints one page wide; a wider sheet prints its label columns again on
        // every page across, so that no figure is without its row's label.
        let has = |words: &[(String, [f64; 4])], key: &str| {
            let first = label(key).split_whitespace().next().unwrap().to_string();
            words.iter().any(|(w, _)| *w == first)
        };
        for (p, words) in pages.iter().enumerate() {
            let figures = words.iter().any(|(w, _)| figure.is_match(w));
            assert!(
                !figures || has(words, "annex.number") || has(words, "annex.categories"),
                "{stem} page {}: figures printed without the label columns",
                p + 1
            );
            for (first, last) in [
                ("annex.number", "annex.notes"),
                ("annex.categories", "annex.expenditure"),
            ] {
                assert!(
                    !stem.starts_with("example") || !has(words, first) || has(words, last),
                    "{stem} page {}: the columns run over the page's width",
                    p + 1
                );
            }
        }
        // The summary block prints on one page.
        let page_of = |key: &str| {
            let first = label(key).split_whitespace().next().unwrap().to_string();
            let last = label(key).split_whitespace().last().unwrap().to_string();
            pages
                .iter()
                .position(|words| {
                    words.windows(2).any(|w| w[0].0 == first && w[1].0 != first)
                        && words.iter().any(|(w, _)| *w == last)
                })
                .unwrap_or_else(|| panic!("{stem}: {key} not printed"))
        };
        assert_eq!(
            page_of("annex.summary"),
            page_of("annex.me_share"),
            "{stem}: the summary is split"
        );
    }
    // The billion-dollar total prints in full.
    let total: i64 = big.budgets.iter().sum();
    let shown = format!(
        "{}.{:02}",
        pbf_report::model::group_thousands((total / 100) as u64, ","),
        total % 100
    );
    let pages = words_by_page(&books.join("big-en.pdf"));
    assert!(
        pages.iter().flatten().any(|(w, _)| *w == shown),
        "the total {shown} is not printed"
    );
}
