//! "2) By Category": the seven UN budget categories per recipient, budget and expenditure side
//! by side, with the sub-total, the indirect support costs and the total as formulas.

use rust_xlsxwriter::{Formula, Worksheet, XlsxError};

use super::Labels;
use super::layout::{LINE, Print, Rows, lines_in, widest_word};
use super::style::{Styles, cell, indirect_formula, money_result, money_width};
use crate::model::{Categories, Report, Usd, indirect};

/// The width of the categories' labels, which wrap.
const LABEL_WIDTH: f64 = 46.0;

/// The row of indirect support costs, under the header and the seven categories.
const INDIRECT_ROW: u32 = 5 + 7 + 1;

/// The cell, as another sheet refers to it, that holds the indirect support costs on the
/// expenditure of all `recipients` together.
pub fn indirect_spent_cell(sheet: &str, recipients: u16) -> String {
    let col = 3 + 2 * recipients;
    format!(
        "'{}'!{}",
        sheet.replace('\'', "''"),
        cell(INDIRECT_ROW, col)
    )
}

/// Writes the sheet.
pub fn write(
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

    // Widths from the widest amount and name; rows as tall as their wrapped labels.
    let money = money_width(report);
    let mut widths = vec![5.0, LABEL_WIDTH];
    let mut name_lines = lines_in(money, &labels.get("annex.total"), true);
    for _ in [0, 1] {
        for r in recipients {
            let name = labels.text(r.short_name.as_ref().unwrap_or(&r.name));
            let width = money.max(widest_word(&name, true));
            name_lines = name_lines.max(lines_in(width, &name, true));
            widths.push(width);
        }
        widths.push(money);
    }
    let mut rows = Rows::default();
    rows.set(ws, names, LINE * name_lines as f64)?;

    let first = names + 1;
    debug_assert_eq!(first + 8, INDIRECT_ROW);
    let keys = Categories::KEYS;
    // [category][recipient] = (budget, spent); a recipient without categories has zeros.
    let figures: Vec<Vec<(Usd, Usd)>> = (0..keys.len())
        .map(|k| {
            recipients
                .iter()
                .map(|r| {
                    let line = report
                        .annex_a
                        .by_category
                        .get(&r.id)
                        .map(|c| *c.lines()[k].1);
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
        let label = labels.get(&format!("category.{key}"));
        ws.write_number_with_format(r, 0, (k + 1) as f64, &s.text)?;
        ws.write_string_with_format(r, 1, &label, &s.text)?;
        rows.fit(ws, r, &[(LABEL_WIDTH, &label, false)])?;
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
    // Sub-total, indirect costs and total rows, for the budget columns and the expenditure columns alike.
    let (sub, ind, tot) = (first + 7, INDIRECT_ROW, first + 9);
    for (r, key) in [
        (sub, "annex.category_subtotal"),
        (ind, "annex.category_indirect"),
        (tot, "annex.grand_total"),
    ] {
        let label = labels.get(key);
        ws.write_string_with_format(r, 0, "", &s.strong)?;
        ws.write_string_with_format(r, 1, &label, &s.strong)?;
        rows.fit(ws, r, &[(LABEL_WIDTH, &label, true)])?;
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
                indirect_formula(&cell(sub, col))
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
    for (col, width) in widths.iter().enumerate() {
        ws.set_column_width(col as u16, *width)?;
    }
    ws.set_freeze_panes(5, 2)?;
    let table = first..tot + 1;
    Print {
        widths: &widths,
        rows: &rows,
        header: top..=names,
        blocks: std::slice::from_ref(&table),
        column_breaks: &[spent_col(0)],
        last_row: tot,
    }
    .apply(ws, &labels.footer())?;
    Ok(())
}
