//! Report → Annex A workbook: "1) Budget Table" (outcomes, outputs, activities and the additional
//! costs, one amount column per recipient, with a summary block) and "2) By Category" (the seven
//! UN budget categories). Subtotals and totals are live formulas; each formula also carries its
//! result, computed here from the same cents the PDF prints, for readers that do not recalculate.

use rust_xlsxwriter::utility::row_col_to_cell;
use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Formula, Workbook,
    Worksheet, XlsxError,
};

use super::document::typography;
use crate::check::consistency::indirect;
use crate::i18n::Catalog;
use crate::model::{Activity, Report, Usd};

const MONEY: &str = "#,##0.00";
const NUMBER_WIDTH: f64 = 16.0;
const FORMULATION_WIDTH: f64 = 48.0;
const NOTES_WIDTH: f64 = 30.0;
const PERCENT: &str = "0.00%";

/// The workbook for `report` in the catalog's language, as bytes.
pub fn render(report: &Report, catalog: &Catalog) -> Result<Vec<u8>, XlsxError> {
    let labels = Labels { catalog };
    let mut workbook = Workbook::new();
    workbook.set_properties(&properties(report, &labels)?);
    let styles = Styles::new();
    let budget = workbook.add_worksheet();
    BudgetSheet::new(report, &labels, &styles).write(budget)?;
    let categories = workbook.add_worksheet();
    write_categories(report, &labels, &styles, categories)?;
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

    fn text<const L: usize>(&self, text: &crate::model::Text<L>) -> String {
        typography(&self.catalog.lang, text.get(&self.catalog.lang).trim())
    }
}

struct Styles {
    title: Format,
    header: Format,
    text: Format,
    strong: Format,
    money: Format,
    percent: Format,
    total_money: Format,
    total_percent: Format,
    band: Format,
    warning: Format,
}

impl Styles {
    fn new() -> Self {
        let base = Format::new()
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::Top);
        let total = base
            .clone()
            .set_bold()
            .set_background_color(Color::RGB(0xE8E8E8));
        Styles {
            title: Format::new().set_bold().set_font_size(13),
            header: base
                .clone()
                .set_bold()
                .set_text_wrap()
                .set_background_color(Color::RGB(0xD9E1F2)),
            text: base.clone().set_text_wrap(),
            strong: total.clone().set_text_wrap(),
            money: base.clone().set_num_format(MONEY),
            percent: base.clone().set_num_format(PERCENT),
            total_money: total.clone().set_num_format(MONEY),
            total_percent: total.clone().set_num_format(PERCENT),
            band: base
                .set_bold()
                .set_text_wrap()
                .set_background_color(Color::RGB(0xF2F2F2)),
            warning: Format::new()
                .set_bold()
                .set_font_color(Color::RGB(0xC00000)),
        }
    }
}

/// Figures of one row of the Budget Table, in cents, for cached formula results.
#[derive(Clone, Default)]
struct Figures {
    by_recipient: Vec<Usd>,
    gender: Usd,
    spent: Usd,
}

impl Figures {
    fn of(line: &Activity, ids: &[&str]) -> Figures {
        Figures {
            by_recipient: ids
                .iter()
                .map(|id| line.budget.get(*id).copied().unwrap_or_default())
                .collect(),
            gender: line.gender,
            spent: line.spent,
        }
    }

    fn total(&self) -> Usd {
        self.by_recipient.iter().copied().sum()
    }

    fn add(&mut self, other: &Figures) {
        self.by_recipient.resize(other.by_recipient.len(), Usd(0));
        for (a, b) in self.by_recipient.iter_mut().zip(&other.by_recipient) {
            *a = *a + *b;
        }
        self.gender = self.gender + other.gender;
        self.spent = self.spent + other.spent;
    }
}

/// The columns of the Budget Table: A number, B formulation, one per recipient, then these.
struct Columns {
    recipients: u16,
}

impl Columns {
    fn recipient(&self, i: usize) -> u16 {
        2 + i as u16
    }
    fn total(&self) -> u16 {
        2 + self.recipients
    }
    fn gender(&self) -> u16 {
        self.total() + 1
    }
    fn gender_pct(&self) -> u16 {
        self.total() + 2
    }
    fn spent(&self) -> u16 {
        self.total() + 3
    }
    fn delivery(&self) -> u16 {
        self.total() + 4
    }
    fn notes(&self) -> u16 {
        self.total() + 5
    }
    /// The width of a heading band, which spans from the formulation to the notes.
    fn band_width(&self) -> f64 {
        FORMULATION_WIDTH
            + 15.0 * f64::from(self.recipients)
            + 16.0 * 3.0
            + 13.0
            + 11.0
            + NOTES_WIDTH
    }

    /// Every column that holds an amount summed down the table.
    fn summed(&self) -> Vec<u16> {
        let mut cols: Vec<u16> = (0..self.recipients as usize)
            .map(|i| self.recipient(i))
            .collect();
        cols.extend([self.total(), self.gender(), self.spent()]);
        cols
    }
}

fn cell(row: u32, col: u16) -> String {
    row_col_to_cell(row, col)
}

fn money_result(usd: Usd) -> String {
    format!("{}.{:02}", usd.0 / 100, usd.0 % 100)
}

fn ratio(part: Usd, whole: Usd) -> f64 {
    if whole.0 == 0 {
        0.0
    } else {
        part.0 as f64 / whole.0 as f64
    }
}

struct BudgetSheet<'a> {
    report: &'a Report,
    labels: &'a Labels<'a>,
    styles: &'a Styles,
    cols: Columns,
    ids: Vec<&'a str>,
    row: u32,
}

impl<'a> BudgetSheet<'a> {
    fn new(report: &'a Report, labels: &'a Labels<'a>, styles: &'a Styles) -> Self {
        let ids: Vec<&str> = report
            .cover
            .recipients
            .iter()
            .map(|r| r.id.as_str())
            .collect();
        BudgetSheet {
            report,
            labels,
            styles,
            cols: Columns {
                recipients: ids.len() as u16,
            },
            ids,
            row: 0,
        }
    }

    fn write(mut self, ws: &mut Worksheet) -> Result<(), XlsxError> {
        ws.set_name(self.labels.get("annex.sheet_budget"))?;
        self.header(ws)?;
        let mut outcome_rows = Vec::new();
        let mut subtotal = Figures::default();
        for (o, outcome) in self.report.outcomes.iter().enumerate() {
            let n = (o + 1).to_string();
            self.band(
                ws,
                &self.labels.numbered("annex.outcome", &n),
                &self.labels.text(&outcome.statement),
            )?;
            let mut output_rows = Vec::new();
            let mut outcome_figures = Figures::default();
            for (p, output) in outcome.outputs.iter().enumerate() {
                let number = format!("{n}.{}", p + 1);
                self.band(
                    ws,
                    &self.labels.numbered("annex.output", &number),
                    &self.labels.text(&output.statement),
                )?;
                let first = self.row;
                let mut output_figures = Figures::default();
                for (a, activity) in output.activities.iter().enumerate() {
                    let label = self
                        .labels
                        .numbered("annex.activity", &format!("{number}.{}", a + 1));
                    output_figures.add(&self.line(ws, &label, activity)?);
                }
                let rows: Vec<u32> = (first..self.row).collect();
                let label = self.labels.numbered("annex.output_total", &number);
                output_rows.push(self.row);
                self.total_row(ws, &label, &rows, &output_figures)?;
                outcome_figures.add(&output_figures);
            }
            outcome_rows.push(self.row);
            self.total_row(
                ws,
                &self.labels.numbered("annex.outcome_total", &n),
                &output_rows,
                &outcome_figures,
            )?;
            subtotal.add(&outcome_figures);
        }
        let additional: Vec<_> = self.report.annex_a.additional_costs.lines().collect();
        if !additional.is_empty() {
            self.band(ws, &self.labels.get("annex.additional"), "")?;
            let first = self.row;
            let mut figures = Figures::default();
            for (key, line) in additional {
                figures.add(&self.line(
                    ws,
                    &self.labels.get(&format!("annex.additional.{key}")),
                    line,
                )?);
            }
            let rows: Vec<u32> = (first..self.row).collect();
            outcome_rows.push(self.row);
            self.total_row(
                ws,
                &self.labels.get("annex.additional_total"),
                &rows,
                &figures,
            )?;
            subtotal.add(&figures);
        }
        self.row += 1;
        let sub_row = self.row;
        self.total_row(
            ws,
            &self.labels.get("annex.subtotal"),
            &outcome_rows,
            &subtotal,
        )?;
        let indirect_figures = self.indirect_row(ws, sub_row, &subtotal)?;
        let mut grand = subtotal.clone();
        grand.add(&indirect_figures);
        let grand_row = self.row;
        self.total_row(
            ws,
            &self.labels.get("annex.grand_total"),
            &[sub_row, sub_row + 1],
            &grand,
        )?;
        self.summary(ws, grand_row, &grand)?;
        self.layout(ws)
    }

    fn header(&mut self, ws: &mut Worksheet) -> Result<(), XlsxError> {
        let s = self.styles;
        ws.write_string_with_format(0, 0, self.labels.get("annex.title_budget"), &s.title)?;
        ws.write_string(
            1,
            0,
            format!(
                "{} – {}",
                self.report.cover.gateway_number,
                self.labels.text(&self.report.cover.title)
            ),
        )?;
        let (top, names) = (3, 4);
        let c = &self.cols;
        ws.merge_range(
            top,
            c.recipient(0),
            top,
            c.total(),
            &self.labels.get("annex.recipient_budget"),
            &s.header,
        )?;
        for (col, key) in [(0, "annex.number"), (1, "annex.formulation")] {
            ws.merge_range(top, col, names, col, &self.labels.get(key), &s.header)?;
        }
        for (i, recipient) in self.report.cover.recipients.iter().enumerate() {
            let name = recipient.short_name.as_ref().unwrap_or(&recipient.name);
            ws.write_string_with_format(names, c.recipient(i), self.labels.text(name), &s.header)?;
        }
        ws.write_string_with_format(names, c.total(), self.labels.get("annex.total"), &s.header)?;
        for (col, key) in [
            (c.gender(), "annex.gender_amount"),
            (c.gender_pct(), "annex.gender_pct"),
            (c.spent(), "annex.spent"),
            (c.delivery(), "annex.delivery"),
            (c.notes(), "annex.notes"),
        ] {
            ws.merge_range(top, col, names, col, &self.labels.get(key), &s.header)?;
        }
        self.row = names + 1;
        Ok(())
    }

    /// A heading row for an outcome, an output or a block.
    fn band(&mut self, ws: &mut Worksheet, number: &str, text: &str) -> Result<(), XlsxError> {
        ws.write_string_with_format(self.row, 0, number, &self.styles.band)?;
        ws.merge_range(
            self.row,
            1,
            self.row,
            self.cols.notes(),
            text,
            &self.styles.band,
        )?;
        fit_row(
            ws,
            self.row,
            &[(NUMBER_WIDTH, number), (self.cols.band_width(), text)],
        )?;
        self.row += 1;
        Ok(())
    }

    /// An activity or additional-cost line: typed amounts, formulas for its total and rates.
    fn line(
        &mut self,
        ws: &mut Worksheet,
        number: &str,
        line: &Activity,
    ) -> Result<Figures, XlsxError> {
        let (s, c, r) = (self.styles, &self.cols, self.row);
        let figures = Figures::of(line, &self.ids);
        ws.write_string_with_format(r, 0, number, &s.text)?;
        ws.write_string_with_format(r, 1, self.labels.text(&line.formulation), &s.text)?;
        for (i, amount) in figures.by_recipient.iter().enumerate() {
            ws.write_number_with_format(r, c.recipient(i), f64::from(*amount), &s.money)?;
        }
        ws.write_number_with_format(r, c.gender(), f64::from(line.gender), &s.money)?;
        ws.write_number_with_format(r, c.spent(), f64::from(line.spent), &s.money)?;
        self.rates(ws, r, &figures, &s.money, &s.percent)?;
        let notes = line
            .notes
            .as_ref()
            .map(|n| self.labels.text(n))
            .unwrap_or_default();
        ws.write_string_with_format(r, c.notes(), &notes, &s.text)?;
        let formulation = self.labels.text(&line.formulation);
        fit_row(
            ws,
            r,
            &[
                (NUMBER_WIDTH, number),
                (FORMULATION_WIDTH, &formulation),
                (NOTES_WIDTH, &notes),
            ],
        )?;
        self.row += 1;
        Ok(figures)
    }

    /// The row's total and its two rates, as formulas over the row.
    fn rates(
        &self,
        ws: &mut Worksheet,
        r: u32,
        f: &Figures,
        money: &Format,
        percent: &Format,
    ) -> Result<(), XlsxError> {
        let c = &self.cols;
        let total = format!(
            "=SUM({}:{})",
            cell(r, c.recipient(0)),
            cell(r, c.recipient(self.ids.len() - 1))
        );
        ws.write_formula_with_format(
            r,
            c.total(),
            Formula::new(total).set_result(money_result(f.total())),
            money,
        )?;
        let (t, g, sp) = (cell(r, c.total()), cell(r, c.gender()), cell(r, c.spent()));
        let pct = Formula::new(format!("=IF({t}=0,0,{g}/{t})"))
            .set_result(ratio(f.gender, f.total()).to_string());
        ws.write_formula_with_format(r, c.gender_pct(), pct, percent)?;
        let rate = Formula::new(format!("=IF({t}=0,0,{sp}/{t})"))
            .set_result(ratio(f.spent, f.total()).to_string());
        ws.write_formula_with_format(r, c.delivery(), rate, percent)?;
        Ok(())
    }

    /// A total row: each amount column is the sum of `rows`.
    fn total_row(
        &mut self,
        ws: &mut Worksheet,
        label: &str,
        rows: &[u32],
        f: &Figures,
    ) -> Result<(), XlsxError> {
        let (s, r) = (self.styles, self.row);
        ws.write_string_with_format(r, 0, "", &s.strong)?;
        ws.write_string_with_format(r, 1, label, &s.strong)?;
        fit_row(ws, r, &[(FORMULATION_WIDTH, label)])?;
        let results: Vec<Usd> = f
            .by_recipient
            .iter()
            .copied()
            .chain([f.total(), f.gender, f.spent])
            .collect();
        for (col, result) in self.cols.summed().into_iter().zip(results) {
            if col == self.cols.total() {
                continue; // the row's own total, written by `rates`
            }
            let formula = sum_of(rows, col);
            ws.write_formula_with_format(
                r,
                col,
                Formula::new(formula).set_result(money_result(result)),
                &s.total_money,
            )?;
        }
        self.rates(ws, r, f, &s.total_money, &s.total_percent)?;
        ws.write_string_with_format(r, self.cols.notes(), "", &s.strong)?;
        self.row += 1;
        Ok(())
    }

    /// Indirect support costs: 7% of each sub-total, rounded to the cent like `check` does.
    fn indirect_row(
        &mut self,
        ws: &mut Worksheet,
        sub_row: u32,
        sub: &Figures,
    ) -> Result<Figures, XlsxError> {
        let (s, c, r) = (self.styles, &self.cols, self.row);
        let figures = Figures {
            by_recipient: sub.by_recipient.iter().map(|x| indirect(*x)).collect(),
            gender: Usd(0),
            spent: indirect(sub.spent),
        };
        ws.write_string_with_format(r, 0, "", &s.strong)?;
        ws.write_string_with_format(r, 1, self.labels.get("annex.indirect"), &s.strong)?;
        let seven = |col: u16, result: Usd| {
            Formula::new(format!("=ROUND({}*0.07,2)", cell(sub_row, col)))
                .set_result(money_result(result))
        };
        for (i, x) in figures.by_recipient.iter().enumerate() {
            ws.write_formula_with_format(
                r,
                c.recipient(i),
                seven(c.recipient(i), *x),
                &s.total_money,
            )?;
        }
        ws.write_number_with_format(r, c.gender(), 0.0, &s.total_money)?;
        ws.write_formula_with_format(
            r,
            c.spent(),
            seven(c.spent(), figures.spent),
            &s.total_money,
        )?;
        self.rates(ws, r, &figures, &s.total_money, &s.total_percent)?;
        ws.write_string_with_format(r, c.notes(), "", &s.strong)?;
        self.row += 1;
        Ok(figures)
    }

    /// Approved budget against the cover, funds received, delivery, gender and M&E shares.
    fn summary(
        &mut self,
        ws: &mut Worksheet,
        grand_row: u32,
        grand: &Figures,
    ) -> Result<(), XlsxError> {
        let (s, c) = (self.styles, &self.cols);
        let mut r = self.row + 2;
        ws.write_string_with_format(r, 1, self.labels.get("annex.summary"), &s.title)?;
        r += 1;
        let approved_row = r;
        self.label_row(ws, r, "annex.approved")?;
        let approved: Vec<Usd> = self
            .report
            .cover
            .recipients
            .iter()
            .map(|x| x.budget)
            .collect();
        for (i, amount) in approved.iter().enumerate() {
            ws.write_number_with_format(r, c.recipient(i), f64::from(*amount), &s.money)?;
        }
        let approved_total: Usd = approved.iter().copied().sum();
        let row_sum = |r: u32| {
            format!(
                "=SUM({}:{})",
                cell(r, c.recipient(0)),
                cell(r, c.recipient(self.ids.len() - 1))
            )
        };
        ws.write_formula_with_format(
            r,
            c.total(),
            Formula::new(row_sum(r)).set_result(money_result(approved_total)),
            &s.total_money,
        )?;
        r += 1;
        self.label_row(ws, r, "annex.difference")?;
        for (i, col) in (0..self.ids.len())
            .map(|i| c.recipient(i))
            .chain([c.total()])
            .enumerate()
        {
            let diff = grand
                .by_recipient
                .get(i)
                .copied()
                .unwrap_or(grand.total())
                .0
                - approved.get(i).copied().unwrap_or(approved_total).0;
            let formula = format!("={}-{}", cell(grand_row, col), cell(approved_row, col));
            ws.write_formula_with_format(
                r,
                col,
                Formula::new(formula).set_result(money_result(Usd(diff))),
                &s.money,
            )?;
        }
        r += 1;
        let received_row = r;
        let received: Vec<Usd> = self
            .ids
            .iter()
            .map(|id| {
                self.report
                    .annex_a
                    .funds_received
                    .get(*id)
                    .copied()
                    .unwrap_or_default()
            })
            .collect();
        let received_total: Usd = received.iter().copied().sum();
        self.label_row(ws, r, "annex.received")?;
        for (i, amount) in received.iter().enumerate() {
            ws.write_number_with_format(r, c.recipient(i), f64::from(*amount), &s.money)?;
        }
        ws.write_formula_with_format(
            r,
            c.total(),
            Formula::new(row_sum(r)).set_result(money_result(received_total)),
            &s.total_money,
        )?;
        r += 1;
        self.label_row(ws, r, "annex.tranches")?;
        ws.write_number_with_format(
            r,
            c.total(),
            self.report.cover.tranches_received as f64,
            &s.text,
        )?;
        r += 1;
        let (gt, gs, gg) = (
            cell(grand_row, c.total()),
            cell(grand_row, c.spent()),
            cell(grand_row, c.gender()),
        );
        let rows: [(&str, String, String, &Format); 4] = [
            (
                "annex.spent_total",
                format!("={gs}"),
                money_result(grand.spent),
                &s.total_money,
            ),
            (
                "annex.spent_vs_budget",
                format!("=IF({gt}=0,0,{gs}/{gt})"),
                ratio(grand.spent, grand.total()).to_string(),
                &s.total_percent,
            ),
            (
                "annex.spent_vs_received",
                format!("=IF({0}=0,0,{gs}/{0})", cell(received_row, c.total())),
                ratio(grand.spent, received_total).to_string(),
                &s.total_percent,
            ),
            (
                "annex.gender_total",
                format!("={gg}"),
                money_result(grand.gender),
                &s.total_money,
            ),
        ];
        for (key, formula, result, format) in rows {
            self.label_row(ws, r, key)?;
            ws.write_formula_with_format(
                r,
                c.total(),
                Formula::new(formula).set_result(result),
                format,
            )?;
            r += 1;
        }
        let gender_share = ratio(grand.gender, grand.total());
        self.label_row(ws, r, "annex.gender_share")?;
        let share =
            Formula::new(format!("=IF({gt}=0,0,{gg}/{gt})")).set_result(gender_share.to_string());
        ws.write_formula_with_format(r, c.total(), share, &s.total_percent)?;
        if gender_share < 0.15 {
            ws.write_string_with_format(
                r,
                c.gender(),
                self.labels.get("annex.gender_low"),
                &s.warning,
            )?;
        }
        r += 1;
        let me: Vec<(&str, &Activity)> = self
            .report
            .annex_a
            .additional_costs
            .lines()
            .filter(|(k, _)| matches!(*k, "monitoring" | "evaluation"))
            .collect();
        let me_total: Usd = me
            .iter()
            .map(|(_, l)| l.budget.values().copied().sum::<Usd>())
            .sum();
        self.label_row(ws, r, "annex.me_total")?;
        ws.write_number_with_format(r, c.total(), f64::from(me_total), &s.total_money)?;
        r += 1;
        self.label_row(ws, r, "annex.me_share")?;
        let me_share = Formula::new(format!("=IF({gt}=0,0,{}/{gt})", cell(r - 1, c.total())))
            .set_result(ratio(me_total, grand.total()).to_string());
        ws.write_formula_with_format(r, c.total(), me_share, &s.total_percent)?;
        self.row = r + 1;
        Ok(())
    }

    /// A summary label in column B, its row as tall as its wrapped text.
    fn label_row(&self, ws: &mut Worksheet, r: u32, key: &str) -> Result<(), XlsxError> {
        let label = self.labels.get(key);
        ws.write_string_with_format(r, 1, &label, &self.styles.text)?;
        fit_row(ws, r, &[(FORMULATION_WIDTH, &label)])
    }

    fn layout(&self, ws: &mut Worksheet) -> Result<(), XlsxError> {
        let c = &self.cols;
        ws.set_column_width(0, NUMBER_WIDTH)?;
        ws.set_column_width(1, FORMULATION_WIDTH)?;
        for i in 0..self.ids.len() {
            ws.set_column_width(c.recipient(i), 15)?;
        }
        for col in [c.total(), c.gender(), c.spent()] {
            ws.set_column_width(col, 16)?;
        }
        ws.set_column_width(c.gender_pct(), 13)?;
        ws.set_column_width(c.delivery(), 11)?;
        ws.set_column_width(c.notes(), NOTES_WIDTH)?;
        ws.set_row_height(4, 75)?;
        ws.set_freeze_panes(5, 2)?;
        ws.set_landscape()
            .set_paper_size(9)
            .set_print_fit_to_pages(1, 0);
        ws.set_repeat_rows(3, 4)?;
        Ok(())
    }
}

/// Height for a row whose wrapped texts are `(column width, text)`: readers do not fit row
/// heights to wrapped text themselves. About 1.1 characters fit per unit of column width.
fn fit_row(ws: &mut Worksheet, row: u32, texts: &[(f64, &str)]) -> Result<(), XlsxError> {
    let lines = texts
        .iter()
        .map(|(width, text)| {
            let per_line = (width * 1.1).max(1.0);
            text.lines()
                .map(|l| (l.chars().count() as f64 / per_line).ceil().max(1.0))
                .sum::<f64>()
        })
        .fold(1.0, f64::max);
    if lines > 1.0 {
        ws.set_row_height(row, 15.0 * lines)?;
    }
    Ok(())
}

/// `=SUM(C7:C9)` for a run of rows, `=C7+C12+C20` for rows apart, `=0` for none.
fn sum_of(rows: &[u32], col: u16) -> String {
    match rows {
        [] => "=0".into(),
        [first, .., last] if rows.windows(2).all(|w| w[1] == w[0] + 1) => {
            format!("=SUM({}:{})", cell(*first, col), cell(*last, col))
        }
        [only] => format!("={}", cell(*only, col)),
        _ => format!(
            "={}",
            rows.iter()
                .map(|r| cell(*r, col))
                .collect::<Vec<_>>()
                .join("+")
        ),
    }
}

/// "2) By Category": the seven UN categories per recipient, budget and expenditure side by side.
fn write_categories(
    report: &Report,
    labels: &Labels,
    s: &Styles,
    ws: &mut Worksheet,
) -> Result<(), XlsxError> {
    ws.set_name(labels.get("annex.sheet_category"))?;
    ws.write_string_with_format(0, 0, labels.get("annex.title_category"), &s.title)?;
    ws.write_string(
        1,
        0,
        format!(
            "{} – {}",
            report.cover.gateway_number,
            labels.text(&report.cover.title)
        ),
    )?;
    let recipients = &report.cover.recipients;
    let n = recipients.len() as u16;
    // Columns: A number, B category, budget per recipient + total, expenditure per recipient + total.
    let budget_col = |i: u16| 2 + i;
    let spent_col = |i: u16| 3 + n + i;
    let (top, names) = (3, 4);
    ws.merge_range(top, 0, names, 0, "", &s.header)?;
    ws.merge_range(top, 1, names, 1, &labels.get("annex.categories"), &s.header)?;
    ws.merge_range(
        top,
        budget_col(0),
        top,
        budget_col(n),
        &labels.get("annex.budget"),
        &s.header,
    )?;
    ws.merge_range(
        top,
        spent_col(0),
        top,
        spent_col(n),
        &labels.get("annex.expenditure"),
        &s.header,
    )?;
    for (i, recipient) in recipients.iter().enumerate() {
        let name = labels.text(recipient.short_name.as_ref().unwrap_or(&recipient.name));
        ws.write_string_with_format(names, budget_col(i as u16), &name, &s.header)?;
        ws.write_string_with_format(names, spent_col(i as u16), &name, &s.header)?;
    }
    ws.write_string_with_format(names, budget_col(n), labels.get("annex.total"), &s.header)?;
    ws.write_string_with_format(names, spent_col(n), labels.get("annex.total"), &s.header)?;

    let first = names + 1;
    let keys = [
        "staff",
        "supplies",
        "equipment",
        "contractual",
        "travel",
        "transfers",
        "general_operating",
    ];
    // [category][recipient] = (budget, spent)
    let figures: Vec<Vec<(Usd, Usd)>> = keys
        .iter()
        .map(|key| {
            recipients
                .iter()
                .map(|r| {
                    let line = report.annex_a.by_category.get(&r.id).and_then(|c| {
                        c.lines()
                            .into_iter()
                            .find(|(k, _)| k == key)
                            .map(|(_, l)| *l)
                    });
                    line.map_or((Usd(0), Usd(0)), |l| (l.budget, l.spent))
                })
                .collect()
        })
        .collect();
    let sum_right = |row: u32, from: u16, values: &[Usd]| {
        let formula = format!("=SUM({}:{})", cell(row, from), cell(row, from + n - 1));
        Formula::new(formula).set_result(money_result(values.iter().copied().sum()))
    };
    for (k, key) in keys.iter().enumerate() {
        let r = first + k as u32;
        ws.write_number_with_format(r, 0, (k + 1) as f64, &s.text)?;
        ws.write_string_with_format(r, 1, labels.get(&format!("category.{key}")), &s.text)?;
        let (budgets, spent): (Vec<Usd>, Vec<Usd>) = figures[k].iter().copied().unzip();
        for i in 0..n {
            ws.write_number_with_format(
                r,
                budget_col(i),
                f64::from(budgets[i as usize]),
                &s.money,
            )?;
            ws.write_number_with_format(r, spent_col(i), f64::from(spent[i as usize]), &s.money)?;
        }
        ws.write_formula_with_format(
            r,
            budget_col(n),
            sum_right(r, budget_col(0), &budgets),
            &s.total_money,
        )?;
        ws.write_formula_with_format(
            r,
            spent_col(n),
            sum_right(r, spent_col(0), &spent),
            &s.total_money,
        )?;
    }
    // Sub-total, 7% and total rows, for the budget columns and the expenditure columns alike.
    let (sub, ind, tot) = (first + 7, first + 8, first + 9);
    for (r, key) in [
        (sub, "annex.category_subtotal"),
        (ind, "annex.category_indirect"),
        (tot, "annex.grand_total"),
    ] {
        ws.write_string_with_format(r, 0, "", &s.strong)?;
        ws.write_string_with_format(r, 1, labels.get(key), &s.strong)?;
    }
    for i in 0..=n {
        for (col, pick) in [(budget_col(i), 0), (spent_col(i), 1)] {
            let column_values: Vec<Usd> = figures
                .iter()
                .map(|row| match i {
                    i if i < n => {
                        if pick == 0 {
                            row[i as usize].0
                        } else {
                            row[i as usize].1
                        }
                    }
                    _ => row.iter().map(|x| if pick == 0 { x.0 } else { x.1 }).sum(),
                })
                .collect();
            let subtotal: Usd = column_values.iter().copied().sum();
            // The total column's indirect costs are the sum of the recipients', as in the table.
            let indirect_total = if i < n {
                indirect(subtotal)
            } else {
                (0..n as usize)
                    .map(|j| {
                        indirect(
                            figures
                                .iter()
                                .map(|row| if pick == 0 { row[j].0 } else { row[j].1 })
                                .sum(),
                        )
                    })
                    .sum()
            };
            let sub_formula = format!("=SUM({}:{})", cell(first, col), cell(first + 6, col));
            ws.write_formula_with_format(
                sub,
                col,
                Formula::new(sub_formula).set_result(money_result(subtotal)),
                &s.total_money,
            )?;
            let ind_formula = if i < n {
                format!("=ROUND({}*0.07,2)", cell(sub, col))
            } else {
                let from = if pick == 0 {
                    budget_col(0)
                } else {
                    spent_col(0)
                };
                format!("=SUM({}:{})", cell(ind, from), cell(ind, from + n - 1))
            };
            ws.write_formula_with_format(
                ind,
                col,
                Formula::new(ind_formula).set_result(money_result(indirect_total)),
                &s.total_money,
            )?;
            let tot_formula = format!("={}+{}", cell(sub, col), cell(ind, col));
            ws.write_formula_with_format(
                tot,
                col,
                Formula::new(tot_formula).set_result(money_result(subtotal + indirect_total)),
                &s.total_money,
            )?;
        }
    }
    ws.set_column_width(0, 5)?;
    ws.set_column_width(1, 46)?;
    for col in budget_col(0)..=spent_col(n) {
        ws.set_column_width(col, 15)?;
    }
    ws.set_freeze_panes(5, 2)?;
    ws.set_landscape()
        .set_paper_size(9)
        .set_print_fit_to_pages(1, 0);
    Ok(())
}
