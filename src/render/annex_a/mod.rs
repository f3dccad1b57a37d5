//! Report → Annex A workbook: "1) Budget Table" (outcomes, outputs, activities and the additional
//! costs, one amount column per recipient, with a summary block) and "2) By Category" (the seven
//! UN budget categories). Subtotals and totals are live formulas; each formula also carries its
//! result, computed here from the same cents the PDF prints, for readers that do not recalculate.
//!
//! `style` holds the formats and the column layout, `figures` the sums behind each formula's
//! cached result, `budget` and `categories` the two sheets.

mod budget;
mod categories;
mod figures;
mod layout;
mod style;

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Workbook, XlsxError};

use super::document::typography;
use crate::i18n::Catalog;
use crate::model::Report;

/// The workbook for `report` in the catalog's language, as bytes.
pub fn render(report: &Report, catalog: &Catalog) -> Result<Vec<u8>, XlsxError> {
    let labels = Labels { catalog };
    let mut workbook = Workbook::new();
    workbook.set_properties(&properties(report, &labels)?);
    let styles = style::Styles::new();
    let budget = workbook.add_worksheet();
    budget::BudgetSheet::new(report, &labels, &styles).write(budget)?;
    let categories = workbook.add_worksheet();
    categories::write(report, &labels, &styles, categories)?;
    workbook.save_to_buffer()
}

/// The document properties, dated with the report date so that the bytes never change.
fn properties(report: &Report, labels: &Labels) -> Result<DocProperties, XlsxError> {
    let date = match report.cover.report_date.ymd() {
        Some((y, m, d)) => ExcelDateTime::from_ymd(y, m, d)?,
        None => ExcelDateTime::from_ymd(2000, 1, 1)?,
    };
    Ok(DocProperties::new()
        .set_title(format!(
            "{} – {}",
            labels.get("annex.file_title"),
            report.cover.gateway_number
        ))
        .set_subject(report.cover.title.get(&labels.catalog.lang))
        .set_company(labels.get("doc.fund"))
        .set_creation_datetime(&date))
}

/// The catalog's words, with the language's typography.
struct Labels<'a> {
    catalog: &'a Catalog,
}

impl Labels<'_> {
    fn get(&self, key: &str) -> String {
        typography(&self.catalog.lang, &self.catalog.get(key))
    }

    fn numbered(&self, key: &str, n: &str) -> String {
        typography(
            &self.catalog.lang,
            &self.catalog.render(key, minijinja::context! { n => n }),
        )
    }

    /// The page footer, centred: "Page 2 of 3" with the reader's page fields. A `&` of the
    /// catalog's own is doubled, as page set-up codes require.
    fn footer(&self) -> String {
        let marked = self.catalog.render(
            "annex.page",
            minijinja::context! { page => "\u{1}P", pages => "\u{1}N" },
        );
        format!("&C{}", marked.replace('&', "&&").replace('\u{1}', "&"))
    }

    fn text<const L: usize, const M: usize>(&self, text: &crate::model::Text<L, M>) -> String {
        typography(&self.catalog.lang, text.get(&self.catalog.lang).trim())
    }
}
