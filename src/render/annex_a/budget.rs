//! "1) Budget Table": a row per outcome, output and activity, one amount column per recipient,
//! subtotals, the additional costs, indirect support costs and the grand total as formulas, and
//! a summary block below.

use rust_xlsxwriter::{Format, Formula, Worksheet, XlsxError};

use super::Labels;
use super::categories;
use super::figures::{Figures, ratio};
use super::layout::{Print, Rows, lines_in, widest_word, width_of};
use super::style::{
    Columns, FORMULATION_WIDTH, NOTES_WIDTH, NUMBER_WIDTH, Styles, cell, indirect_formula,
    money_result, money_width, sum_of,
};
use crate::model::{Activity, Report, Usd, below_gender_minimum, indirect};

pub struct BudgetSheet<'a> {
    report: &'a Report,
    labels: &'a Labels<'a>,
    styles: &'a Styles,
    cols: Columns,
    ids: Vec<&'a str>,
    row: u32,
    /// Column widths, from the widest value and word each column holds.
    widths: Vec<f64>,
    rows: Rows,
    /// Runs of rows to print on one page: each outcome, the additional costs, the totals, the
    /// summary.
    blocks: Vec<std::ops::Range<u32>>,
}

impl<'a> BudgetSheet<'a> {
    pub fn new(report: &'a Report, labels: &'a Labels<'a>, styles: &'a Styles) -> Self {
        let ids: Vec<&str> = report
            .cover
            .recipients
            .iter()
            .map(|r| r.id.as_str())
            .collect();
        let cols = Columns {
            recipients: ids.len() as u16,
        };
        let widths = widths(report, labels, &cols);
        BudgetSheet {
            report,
            labels,
            styles,
            cols,
            ids,
            row: 0,
            widths,
            rows: Rows::default(),
            blocks: Vec::new(),
        }
    }

    /// The width of columns `from..=to` together.
    fn span(&self, from: u16, to: u16) -> f64 {
        self.widths[from as usize..=to as usize].iter().sum()
    }

    pub fn write(mut self, ws: &mut Worksheet) -> Result<(), XlsxError> {
        ws.set_name(self.labels.get("annex.sheet_budget"))?;
        self.header(ws)?;
        let mut outcome_rows = Vec::new();
        let mut subtotal = Figures::default();
        for (o, outcome) in self.report.outcomes.iter().enumerate() {
            let n = (o + 1).to_string();
            let block = self.row;
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
            self.blocks.push(block..self.row);
            subtotal.add(&outcome_figures);
        }
        let additional: Vec<_> = self.report.annex_a.additional_costs.lines().collect();
        if !additional.is_empty() {
            let block = self.row;
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
            self.blocks.push(block..self.row);
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
        self.blocks.push(sub_row..self.row);
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
        let c = self.cols;
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
        self.header_heights(ws, top, names)?;
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

    /// Heights of the two header rows: the second fits the recipients' names, and both
    /// together fit the headers that span them.
    fn header_heights(
        &mut self,
        ws: &mut Worksheet,
        top: u32,
        names: u32,
    ) -> Result<(), XlsxError> {
        let c = &self.cols;
        let lines = |col: u16, text: &str| lines_in(self.widths[col as usize], text, true);
        let mut name_lines = lines(c.total(), &self.labels.get("annex.total"));
        for (i, r) in self.report.cover.recipients.iter().enumerate() {
            let name = self.labels.text(r.short_name.as_ref().unwrap_or(&r.name));
            name_lines = name_lines.max(lines(c.recipient(i), &name));
        }
        let top_lines = lines_in(
            self.span(c.recipient(0), c.total()),
            &self.labels.get("annex.recipient_budget"),
            true,
        );
        let spanning = [
            (0, "annex.number"),
            (1, "annex.formulation"),
            (c.gender(), "annex.gender_amount"),
            (c.gender_pct(), "annex.gender_pct"),
            (c.spent(), "annex.spent"),
            (c.delivery(), "annex.delivery"),
            (c.notes(), "annex.notes"),
        ]
        .iter()
        .map(|(col, key)| lines(*col, &self.labels.get(key)))
        .max()
        .unwrap_or(1);
        let name_lines = name_lines.max(spanning.saturating_sub(top_lines));
        self.rows
            .set(ws, top, super::layout::LINE * top_lines as f64)?;
        self.rows
            .set(ws, names, super::layout::LINE * name_lines as f64)
    }

    /// A heading row for an outcome, an output or a block.
    fn band(&mut self, ws: &mut Worksheet, number: &str, text: &str) -> Result<(), XlsxError> {
        ws.write_string_with_format(self.row, 0, number, &self.styles.band)?;
        // The text spans the budget columns only: a sheet printed over two pages across breaks
        // before the gender column, and a merged cell must not straddle a page.
        let c = self.cols;
        ws.merge_range(self.row, 1, self.row, c.total(), text, &self.styles.band)?;
        for col in c.gender()..=c.notes() {
            ws.write_blank(self.row, col, &self.styles.band)?;
        }
        let band = self.span(1, c.total());
        self.rows.fit(
            ws,
            self.row,
            &[(self.widths[0], number, true), (band, text, true)],
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
        let formulation = self.labels.text(&line.formulation);
        ws.write_string_with_format(r, 1, &formulation, &s.text)?;
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
        let notes_width = self.widths[c.notes() as usize];
        self.rows.fit(
            ws,
            r,
            &[
                (self.widths[0], number, false),
                (FORMULATION_WIDTH, &formulation, false),
                (notes_width, &notes, false),
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
        self.rows.fit(ws, r, &[(FORMULATION_WIDTH, label, true)])?;
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

    /// Indirect support costs: `INDIRECT_PERCENT` of each sub-total, rounded to the cent like `check` does.
    fn indirect_row(
        &mut self,
        ws: &mut Worksheet,
        sub_row: u32,
        sub: &Figures,
    ) -> Result<Figures, XlsxError> {
        let (s, c, r) = (self.styles, &self.cols, self.row);
        let report = self.report;
        let figures = Figures {
            by_recipient: sub.by_recipient.iter().map(|x| indirect(*x)).collect(),
            gender: Usd(0),
            spent: report.annex_a.indirect_on_spent(&report.cover.recipients),
        };
        ws.write_string_with_format(r, 0, "", &s.strong)?;
        ws.write_string_with_format(r, 1, self.labels.get("annex.indirect"), &s.strong)?;
        let seven = |col: u16, result: Usd| {
            Formula::new(indirect_formula(&cell(sub_row, col))).set_result(money_result(result))
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
        // Expenditure is known per recipient only by category: the other sheet takes each
        // recipient's share, and this cell is their sum.
        let on_spent = format!(
            "={}",
            categories::indirect_spent_cell(
                &self.labels.get("annex.sheet_category"),
                self.ids.len() as u16
            )
        );
        ws.write_formula_with_format(
            r,
            c.spent(),
            Formula::new(on_spent).set_result(money_result(figures.spent)),
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
        let (s, c) = (self.styles, self.cols);
        let mut r = self.row + 2;
        let block = r;
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
        let last = c.recipient(self.ids.len() - 1);
        let row_sum = move |r: u32| format!("=SUM({}:{})", cell(r, c.recipient(0)), cell(r, last));
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
        if below_gender_minimum(grand.gender, grand.total()) {
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
        self.blocks.push(block..self.row);
        Ok(())
    }

    /// A summary label in column B, its row as tall as its wrapped text.
    fn label_row(&mut self, ws: &mut Worksheet, r: u32, key: &str) -> Result<(), XlsxError> {
        let label = self.labels.get(key);
        ws.write_string_with_format(r, 1, &label, &self.styles.text)?;
        self.rows.fit(ws, r, &[(FORMULATION_WIDTH, &label, false)])
    }

    fn layout(&self, ws: &mut Worksheet) -> Result<(), XlsxError> {
        for (col, width) in self.widths.iter().enumerate() {
            ws.set_column_width(col as u16, *width)?;
        }
        ws.set_freeze_panes(5, 2)?;
        Print {
            widths: &self.widths,
            rows: &self.rows,
            header: 3..=4,
            blocks: &self.blocks,
            column_breaks: &[self.cols.gender()],
            last_row: self.row - 1,
        }
        .apply(ws, &self.labels.footer())
    }
}

/// Each column as wide as its widest amount and the longest word of its header, so that no
/// figure shows as `###` and no header breaks inside a word.
fn widths(report: &Report, labels: &Labels, c: &Columns) -> Vec<f64> {
    let money = money_width(report);
    let header = |key: &str| widest_word(&labels.get(key), true);
    let mut widths = vec![0.0; c.notes() as usize + 1];
    widths[0] = NUMBER_WIDTH
        .max(header("annex.number"))
        .max(widest_word(&labels.get("annex.additional"), true))
        .max(width_of(&labels.numbered("annex.activity", "9.9.9"), false));
    widths[1] = FORMULATION_WIDTH;
    for (i, r) in report.cover.recipients.iter().enumerate() {
        let name = labels.text(r.short_name.as_ref().unwrap_or(&r.name));
        widths[c.recipient(i) as usize] = money.max(widest_word(&name, true));
    }
    widths[c.total() as usize] = money.max(header("annex.total"));
    widths[c.gender() as usize] = money.max(header("annex.gender_amount"));
    widths[c.spent() as usize] = money.max(header("annex.spent"));
    let percent = width_of("1000.00%", true);
    widths[c.gender_pct() as usize] = percent.max(header("annex.gender_pct"));
    widths[c.delivery() as usize] = percent.max(header("annex.delivery"));
    widths[c.notes() as usize] = NOTES_WIDTH.max(header("annex.notes"));
    widths
}
