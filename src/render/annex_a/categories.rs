//! "2) By Category": the seven UN budget categories per recipient, budget and expenditure side
//! by side, with the sub-total, the indirect support costs and the total as formulas.

use rust_xlsxwriter::{Formula, Worksheet, XlsxError};

use super::Labels;
use super::style::{Styles, cell, indirect_formula, money_result};
use crate::model::{Report, Usd, indirect};

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

    let first = names + 1;
    debug_assert_eq!(first + 8, INDIRECT_ROW);
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
    // Sub-total, indirect costs and total rows, for the budget columns and the expenditure columns alike.
    let (sub, ind, tot) = (first + 7, INDIRECT_ROW, first + 9);
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
