//! Consistency: rules that tie fields together. The tool's own fields (languages, project id)
//! for every form; durations and dates by the roles a form's description gives its fields; and
//! budgets that must add up and Annex A totals that must equal the cover, on the typed report
//! of a form shaped as the 2019 one.

use std::collections::BTreeMap;
use std::path::Path;

use crate::diagnostic::{Diagnostic, Pos};
use crate::model::{
    Activity, Envelope, Filled, GENDER_MIN_PERCENT, INDIRECT_PERCENT, Report, Usd,
    below_gender_minimum, indirect,
};
use crate::source::{Node, Value};
use serde_json::Value as Json;

/// The rules on the tool's own fields, for a source of any form: its languages have catalogs,
/// and its project id can name an output folder.
pub fn envelope(
    envelope: &Envelope,
    root: &Node,
    file: &Path,
    catalogs: &[String],
) -> Vec<Diagnostic> {
    let mut c = Rules {
        root,
        file,
        out: Vec::new(),
        form: None,
    };
    c.languages(envelope, catalogs);
    c.project_id(envelope);
    c.out
}

/// The rules that read fields by the roles a form's description gives them, each with the
/// roles it needs: a form that lacks one skips the rule.
pub const BY_ROLE: &[(&str, &[&str])] = &[
    ("the project's duration", &["duration_months"]),
    (
        "the report's date within the project",
        &["report_date", "project_start", "duration_months"],
    ),
    (
        "an off-track project's reasons",
        &["progress_rating", "off_track_reasons"],
    ),
];

/// The rules by role, for a source of any form.
pub fn by_role(filled: &Filled, root: &Node, file: &Path) -> Vec<Diagnostic> {
    let mut c = Rules {
        root,
        file,
        out: Vec::new(),
        form: None,
    };
    c.duration(filled);
    c.dates(filled);
    c.off_track(filled);
    c.out
}

/// The rules a form skips, in words, with the roles it lacks: those by role, and those that
/// read the 2019 form's fields, when it does not declare Annex A's figures.
pub fn skipped(form: &crate::form::Form) -> Vec<String> {
    let mut out: Vec<String> = BY_ROLE
        .iter()
        .filter_map(|(rule, roles)| {
            let lacking: Vec<String> = roles
                .iter()
                .filter(|r| form.path_of_role(r).is_none())
                .map(|r| format!("`{r}`"))
                .collect();
            (!lacking.is_empty())
                .then(|| format!("{rule}: it gives no field the role {}", lacking.join(", ")))
        })
        .collect();
    if !form.reads_as_typed() {
        out.push(
            "the budgets, the 7% and 15% shares, the recipients and Annex A: it gives no field \
             the role `annex_a`"
                .into(),
        );
    }
    out
}

/// The rules that span the fields of a form shaped as the 2019 one.
pub fn check(
    report: &Report,
    form: &crate::form::Form,
    root: &Node,
    file: &Path,
) -> Vec<Diagnostic> {
    let mut c = Rules {
        root,
        file,
        out: Vec::new(),
        form: Some(form),
    };
    c.identity(report);
    c.cover(report);
    c.annex_a(report);
    c.out
}

struct Rules<'a> {
    root: &'a Node,
    file: &'a Path,
    out: Vec<Diagnostic>,
    /// For the rules that read the typed report: the form whose fields its places are.
    form: Option<&'a crate::form::Form>,
}

impl Rules<'_> {
    /// A place of the typed report said as the source's path of its field.
    fn source_path(&self, field: &str) -> String {
        match self.form {
            Some(form) => crate::model::roles::source_path(form, field),
            None => field.to_string(),
        }
    }

    fn error(&mut self, field: &str, message: impl Into<String>) -> &mut Diagnostic {
        let field = &self.source_path(field);
        let d = Diagnostic::error(self.file, message)
            .field(field)
            .at(locate(self.root, field));
        self.out.push(d);
        self.out.last_mut().expect("just pushed")
    }

    fn warning(&mut self, field: &str, message: impl Into<String>) -> &mut Diagnostic {
        let field = &self.source_path(field);
        let d = Diagnostic::warning(self.file, message)
            .field(field)
            .at(locate(self.root, field));
        self.out.push(d);
        self.out.last_mut().expect("just pushed")
    }

    fn languages(&mut self, r: &Envelope, catalogs: &[String]) {
        if r.languages.is_empty() {
            self.error("languages", "name at least one language, e.g. [fr]");
        }
        for (i, lang) in r.languages.iter().enumerate() {
            let field = format!("languages[{}]", i + 1);
            if !catalogs.contains(lang) {
                let known = catalogs.join(", ");
                self.error(
                    &field,
                    format!("no catalog for language `{lang}`; the catalogs are {known}"),
                );
            }
            if r.languages[..i].contains(lang) {
                self.error(&field, format!("`{lang}` is listed twice"));
            }
        }
        for (i, lang) in r.unofficial_translations.iter().enumerate() {
            let field = format!("unofficial_translations[{}]", i + 1);
            if !r.languages.contains(lang) {
                self.error(
                    &field,
                    format!("`{lang}` is not one of the report's languages"),
                );
            } else if r.languages.first() == Some(lang) {
                self.error(
                    &field,
                    format!("`{lang}` is the report's official language"),
                );
            }
        }
    }

    fn project_id(&mut self, r: &Envelope) {
        let id = &r.project_id;
        if !crate::model::is_valid_project_id(id) {
            self.error(
                "project_id",
                format!("\"{id}\" cannot name an output folder: use lower-case letters, digits and dashes"),
            );
        }
    }

    fn identity(&mut self, r: &Report) {
        let mut seen: Vec<&str> = Vec::new();
        for (i, recipient) in r.cover.recipients.iter().enumerate() {
            if seen.contains(&recipient.id.as_str()) {
                self.error(
                    &format!("cover.recipients[{}].id", i + 1),
                    format!("recipient id `{}` is used twice", recipient.id),
                );
            }
            seen.push(&recipient.id);
        }
    }

    fn cover(&mut self, r: &Report) {
        let cover = &r.cover;
        let sum: Usd = cover.recipients.iter().map(|x| x.budget).sum();
        if sum != cover.budget_total {
            self.error(
                "cover.budget_total",
                format!(
                    "the recipients' budgets add up to {sum} USD but the stated total is {} USD",
                    cover.budget_total
                ),
            );
        }
        match cover.recipients.iter().position(|x| x.lead) {
            None => {
                self.warning(
                    "cover.recipients",
                    "no recipient is marked `lead: true` (the convening agency)",
                );
            }
            Some(i) if i > 0 => {
                self.warning(
                    &format!("cover.recipients[{}].lead", i + 1),
                    "the form lists the convening (lead) agency first",
                );
            }
            _ => {}
        }
        if cover.recipients.iter().filter(|x| x.lead).count() > 1 {
            self.error(
                "cover.recipients",
                "only one recipient can be the convening (lead) agency",
            );
        }
    }

    /// A project lasts some months, at most as many as its modality allows.
    fn duration(&mut self, f: &Filled) {
        let (Some(field), Some(months)) = (
            f.form.path_of_role("duration_months"),
            f.role("duration_months").and_then(Json::as_u64),
        ) else {
            return;
        };
        let modality = f.role("modality").and_then(Json::as_str);
        let (max, name) = match modality {
            Some("irf") => (Some(18), "an IRF"),
            Some("prf") => (Some(36), "a PRF"),
            _ => (None, ""),
        };
        if months == 0 {
            let most = max.map(|m| format!(" (at most {m})")).unwrap_or_default();
            self.error(
                field,
                format!("give the project's duration in months{most}"),
            );
        } else if let Some(max) = max.filter(|max| months > *max) {
            self.error(
                field,
                format!("{months} months is longer than {name} project may last ({max} months)"),
            );
        }
    }

    /// The report is dated within the project: not before it starts; a progress report not after
    /// its last month; a final report within a year of it (it is due some months after the end).
    fn dates(&mut self, f: &Filled) {
        let text = |role: &str| f.role(role).and_then(Json::as_str).unwrap_or_default();
        let (report_date, start_date) = (text("report_date"), text("project_start"));
        let duration = f
            .role("duration_months")
            .and_then(Json::as_u64)
            .unwrap_or(0);
        let duration_path = f.form.path_of_role("duration_months").unwrap_or_default();
        let duration_name = duration_path.rsplit('.').next().unwrap_or_default();
        let (Some(date_field), Some(start_field)) = (
            f.form.path_of_role("report_date"),
            f.form.path_of_role("project_start"),
        ) else {
            return;
        };
        let (Some((y, m, d)), Some((sy, sm))) = (
            crate::model::parse_date(report_date),
            crate::model::parse_month(start_date),
        ) else {
            return;
        };
        // A date out of the years a report can speak of, or no duration, is refused already.
        if ![y, sy].iter().all(|y| (1900..=2200).contains(y)) || duration == 0 {
            return;
        }
        let start_day = start_date.get(8..).and_then(|d| d.parse::<u8>().ok());
        if (y, m, d) < (sy, sm, start_day.unwrap_or(1)) {
            self.error(
                start_field,
                format!(
                    "the project starts ({start_date}) after the report's date ({report_date})"
                ),
            )
            .notes
            .push(
                "help: check both dates: a report is written once its project has started".into(),
            );
            return;
        }
        // Months are counted like the form's duration: a project of 18 months that starts in
        // January 2018 runs to June 2019 included.
        let months = |y: u16, m: u8| i64::from(y) * 12 + i64::from(m) - 1;
        let last = months(sy, sm) + duration as i64 - 1;
        let after = months(y, m) - last;
        let (end_y, end_m) = (last.div_euclid(12), last.rem_euclid(12) + 1);
        let end = format!("{end_y}-{end_m:02}");
        let final_report = text("report_type") == "final";
        if !final_report && after > 0 {
            self.warning(
                date_field,
                format!(
                    "a progress report dated {report_date} is after the project's last month ({end}: {duration} months from {start_date})"
                ),
            )
            .notes
            .push(format!("if the project was extended, give its new duration in `{duration_name}`"));
        } else if final_report && after > 12 {
            self.warning(
                date_field,
                format!(
                    "the final report is dated {report_date}, more than a year after the project's last month ({end})"
                ),
            );
        }
    }

    /// A project rated off track says why, in every language of the report.
    fn off_track(&mut self, f: &Filled) {
        let Some(field) = f.form.path_of_role("off_track_reasons") else {
            return;
        };
        if f.role("progress_rating").and_then(Json::as_str) != Some("off_track") {
            return;
        }
        let said = |text: &str| {
            let text = text.trim().to_lowercase();
            !text.is_empty() && text != "n/a" && text != "na"
        };
        let answered = match f.role("off_track_reasons") {
            Some(Json::String(text)) => said(text),
            Some(Json::Object(texts)) => f
                .envelope
                .languages
                .iter()
                .all(|l| texts.get(l).and_then(Json::as_str).is_some_and(said)),
            _ => false,
        };
        if !answered {
            self.warning(
                field,
                "the project is rated off track, but the question for off-track projects has no answer",
            );
        }
    }

    fn annex_a(&mut self, r: &Report) {
        let ids: Vec<&str> = r.cover.recipients.iter().map(|x| x.id.as_str()).collect();
        let mut direct: BTreeMap<&str, Usd> = ids.iter().map(|id| (*id, Usd(0))).collect();
        let mut spent = Usd(0);
        let mut gender = Usd(0);
        for (path, line) in budget_lines(r) {
            for (id, amount) in &line.budget {
                match direct.get_mut(id.as_str()) {
                    Some(total) => *total = *total + *amount,
                    None => self.unknown_recipient(&format!("{path}.budget.{id}"), id, &ids),
                }
            }
            let total: Usd = line.budget.values().copied().sum();
            if line.gender > total {
                self.error(
                    &format!("{path}.gender"),
                    format!(
                        "the gender amount {} USD is more than the line's budget, {total} USD",
                        line.gender
                    ),
                );
            }
            if line.spent > total {
                self.warning(
                    &format!("{path}.spent"),
                    format!(
                        "expenditure {} USD is above the line's budget, {total} USD",
                        line.spent
                    ),
                );
            }
            spent = spent + line.spent;
            gender = gender + line.gender;
        }

        let mut category_spent = Usd(0);
        for (id, categories) in &r.annex_a.by_category {
            let field = format!("annex_a.by_category.{id}");
            let Some(&activities) = direct.get(id.as_str()) else {
                self.unknown_recipient(&field, id, &ids);
                continue;
            };
            let mut sum = Usd(0);
            for (key, line) in categories.lines() {
                sum = sum + line.budget;
                category_spent = category_spent + line.spent;
                if line.spent > line.budget {
                    self.error(
                        &format!("{field}.{key}.spent"),
                        format!(
                            "expenditure {} USD is above the category's budget, {} USD",
                            line.spent, line.budget
                        ),
                    );
                }
            }
            if sum != activities {
                self.error(
                    &field,
                    format!(
                        "the categories add up to {sum} USD of direct costs for `{id}`, the activities to {activities} USD"
                    ),
                );
            }
            let cover = r
                .cover
                .recipients
                .iter()
                .find(|x| &x.id == id)
                .map(|x| x.budget);
            let with_indirect = sum + indirect(sum);
            if let Some(cover) = cover.filter(|c| *c != with_indirect) {
                self.error(
                    &field,
                    format!(
                        "direct costs {sum} USD plus {INDIRECT_PERCENT}% indirect costs {} USD make {with_indirect} USD, \
                         but the cover approves {cover} USD for `{id}`",
                        indirect(sum)
                    ),
                );
            }
        }
        for (id, received) in &r.annex_a.funds_received {
            let field = format!("annex_a.funds_received.{id}");
            match r.cover.recipients.iter().find(|x| &x.id == id) {
                None => self.unknown_recipient(&field, id, &ids),
                Some(x) if *received > x.budget => {
                    self.error(
                        &field,
                        format!(
                            "{received} USD received is more than the approved {} USD",
                            x.budget
                        ),
                    );
                }
                Some(_) => {}
            }
        }
        for id in &ids {
            if !r.annex_a.by_category.contains_key(*id) {
                self.error(
                    "annex_a.by_category",
                    format!("no budget by category for recipient `{id}`"),
                );
            }
        }
        if spent != category_spent {
            self.error(
                "annex_a.by_category",
                format!(
                    "expenditure by category adds up to {category_spent} USD, by activity to {spent} USD"
                ),
            );
        }
        if gender != r.finance.gender_planned {
            self.warning(
                "finance.gender_planned",
                format!(
                    "the activities' gender amounts add up to {gender} USD, Part 2 states {} USD",
                    r.finance.gender_planned
                ),
            );
        }
        let budget: Usd = direct.values().map(|d| *d + indirect(*d)).sum();
        if budget.0 > 0 && below_gender_minimum(gender, budget) {
            let share = gender.0 as f64 * 100.0 / budget.0 as f64;
            self.warning(
                "finance.gender_planned",
                format!(
                    "gender equality and women's empowerment get {share:.1}% of the budget; \
                     PBF expects at least {GENDER_MIN_PERCENT}%"
                ),
            );
        }
    }

    fn unknown_recipient(&mut self, field: &str, id: &str, ids: &[&str]) {
        let known = ids
            .iter()
            .map(|i| format!("`{i}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let d = self.error(
            field,
            format!("`{id}` is not a recipient id; the recipients are {known}"),
        );
        if let Some(near) = super::structure::closest(id, ids.iter().copied()) {
            d.notes.push(format!("did you mean `{near}`?"));
        }
    }
}

/// Every Annex A budget line with its field path: the activities of each output, then the
/// additional costs.
pub fn budget_lines(r: &Report) -> Vec<(String, &Activity)> {
    let mut lines = Vec::new();
    for (o, outcome) in r.outcomes.iter().enumerate() {
        for (p, output) in outcome.outputs.iter().enumerate() {
            for (a, activity) in output.activities.iter().enumerate() {
                let path = format!(
                    "outcomes[{}].outputs[{}].activities[{}]",
                    o + 1,
                    p + 1,
                    a + 1
                );
                lines.push((path, activity));
            }
        }
    }
    for (key, line) in r.annex_a.additional_costs.lines() {
        lines.push((format!("annex_a.additional_costs.{key}"), line));
    }
    lines
}

/// Where the field at a path such as `cover.recipients[2].budget` stands: a value's own position,
/// or for a mapping or list the line of its key. A path that does not exist gives the nearest
/// field above it.
pub fn locate(root: &Node, path: &str) -> Pos {
    let (mut node, mut key_pos) = (root, root.pos);
    for segment in path.split('.') {
        let (key, index) = match segment.split_once('[') {
            Some((key, rest)) => (key, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (segment, None),
        };
        let Value::Map(entries) = &node.value else {
            break;
        };
        let Some(entry) = entries.iter().find(|e| e.key == key) else {
            break;
        };
        (node, key_pos) = (&entry.value, entry.key_pos);
        if let (Some(i), Value::Seq(items)) = (index, &node.value) {
            match items.get(i.wrapping_sub(1)) {
                Some(item) => (node, key_pos) = (item, item.pos),
                None => break,
            }
        }
    }
    match node.value {
        Value::Map(_) | Value::Seq(_) => key_pos,
        _ => node.pos,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indirect_costs_round_half_up_to_the_cent() {
        assert_eq!(indirect(Usd(100)), Usd(7));
        assert_eq!(indirect(Usd(79_906_542)), Usd(5_593_458));
        // 0.5 cent rounds up.
        assert_eq!(indirect(Usd(50)), Usd(4));
        // Near the largest amounts, no overflow.
        assert_eq!(indirect(Usd(i64::MAX)), Usd(645_636_042_579_834_306));
        assert_eq!(Usd(i64::MAX) + Usd(1), Usd(i64::MAX));
    }
}
