//! The workbook's look: number formats, cell styles, the Budget Table's columns, and the
//! helpers that write formulas and fit row heights.

use rust_xlsxwriter::utility::row_col_to_cell;
use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder};

use crate::model::{Report, Usd};

pub const MONEY: &str = "#,##0.00";
pub const NUMBER_WIDTH: f64 = 16.0;
pub const FORMULATION_WIDTH: f64 = 48.0;
pub const NOTES_WIDTH: f64 = 30.0;
pub const PERCENT: &str = "0.00%";

pub struct Styles {
    pub title: Format,
    pub header: Format,
    pub text: Format,
    pub strong: Format,
    pub money: Format,
    pub percent: Format,
    pub total_money: Format,
    pub total_percent: Format,
    pub band: Format,
    pub warning: Format,
}

impl Styles {
    pub fn new() -> Self {
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

/// The columns of the Budget Table: A number, B formulation, one per recipient, then these.
#[derive(Clone, Copy)]
pub struct Columns {
    pub recipients: u16,
}

impl Columns {
    pub fn recipient(&self, i: usize) -> u16 {
        2 + i as u16
    }
    pub fn total(&self) -> u16 {
        2 + self.recipients
    }
    pub fn gender(&self) -> u16 {
        self.total() + 1
    }
    pub fn gender_pct(&self) -> u16 {
        self.total() + 2
    }
    pub fn spent(&self) -> u16 {
        self.total() + 3
    }
    pub fn delivery(&self) -> u16 {
        self.total() + 4
    }
    pub fn notes(&self) -> u16 {
        self.total() + 5
    }
    /// Every column that holds an amount summed down the table.
    pub fn summed(&self) -> Vec<u16> {
        let mut cols: Vec<u16> = (0..self.recipients as usize)
            .map(|i| self.recipient(i))
            .collect();
        cols.extend([self.total(), self.gender(), self.spent()]);
        cols
    }
}

pub fn cell(row: u32, col: u16) -> String {
    row_col_to_cell(row, col)
}

/// The formula of indirect support costs on the amount in `cell`, rounded to the cent as
/// `model::indirect` rounds it.
pub fn indirect_formula(cell: &str) -> String {
    let rate = crate::model::INDIRECT_PERCENT as f64 / 100.0;
    format!("=ROUND({cell}*{rate},2)")
}

/// A cached formula result: the amount in plain digits.
pub fn money_result(usd: Usd) -> String {
    format!("{}.{:02}", usd.0 / 100, usd.0 % 100)
}

/// The width of a column that shows any amount of `report` in bold with the money format:
/// the largest of its totals, with room for a minus sign.
pub fn money_width(report: &Report) -> f64 {
    let a = &report.annex_a;
    let lines = crate::check::consistency::budget_lines(report);
    let with_indirect = |direct: Usd| direct + crate::model::indirect(direct);
    let largest = [
        report.cover.budget_total,
        report.cover.recipients.iter().map(|r| r.budget).sum(),
        a.funds_received.values().copied().sum(),
        with_indirect(
            lines
                .iter()
                .map(|(_, l)| l.budget.values().copied().sum())
                .sum(),
        ),
        with_indirect(lines.iter().map(|(_, l)| l.spent).sum()),
    ]
    .into_iter()
    .max()
    .unwrap_or_default();
    let shown = format!("-{}", largest); // `Usd`'s display is the money format's
    super::layout::width_of(&shown, true).max(12.0)
}

/// `=SUM(C7:C9)` for a run of rows, `=C7+C12+C20` for rows apart, `=0` for none.
pub fn sum_of(rows: &[u32], col: u16) -> String {
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
