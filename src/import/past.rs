//! A past report (its text, from a plain text, a PDF or a Word document) into a source: each
//! answer found by its question (`form`), parsed the way people write values (`$ 855,000`,
//! `12 NOVEMBRE 2019`, `IRF ☒`), placed by the form's numbering; what is not found or cannot be
//! parsed is a `# TODO` with the report's own text.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::form::{self, Form, Hit};
use super::wrong;
use super::yaml::Y;
use crate::error::Result;
use crate::form::Question;

/// What the text of a past report gives.
pub struct Past {
    /// The source, as it is to be written.
    pub text: String,
    pub project: Option<String>,
    pub version: Option<String>,
    /// Each field: found (with the line of the input it starts on), empty, or to do.
    pub rows: Vec<Row>,
    /// The form's questions found, of how many.
    pub found: usize,
    pub asked: usize,
    /// Words for the reader about the input (a PDF that carries its own source, how a text
    /// was decoded).
    pub notes: Vec<String>,
}

pub struct Row {
    pub field: String,
    pub state: &'static str,
    pub line: Option<usize>,
}

/// The questions whose answers a source holds, as the form's description asks them: how much of
/// the form a text is measured by. Those asked once per report, and of each item of its lists
/// (an outcome, a recipient); a table by its rows' wording; a part without questions of its own
/// (the indicator table) by its heading; never what only the workbook shows.
fn questions() -> Vec<String> {
    use crate::form::{Drawn, Kind};
    let form = crate::form::Form::pbf_2019();
    let mut keys: Vec<String> = Vec::new();
    let mut add = |key: &str| {
        if !keys.iter().any(|k| k == key) {
            keys.push(key.to_string());
        }
    };
    for part in &form.parts {
        if part.questions.is_empty()
            && let Some(title) = &part.title
        {
            add(title);
        }
        for q in part.questions.iter().filter(|q| q.drawn != Drawn::Workbook) {
            add(&q.key);
            let asked = q.each.iter().filter(|item| {
                item.kind == Kind::Table || !matches!(item.drawn, Drawn::Workbook | Drawn::Column)
            });
            asked.for_each(|item| add(&item.key));
        }
    }
    keys
}

/// The fewest of the form's questions a text imported in part must hold: a cover page has a
/// dozen; a text that is no report, none or one by chance.
const FEWEST_PARTIAL: usize = 3;

/// The most lines a report's text is read from: a filled form is a few thousand.
const MAX_LINES: usize = 50_000;

/// Reads the report in `text` (the file at `path`).
pub fn read(path: &Path, text: &str, partial: bool) -> Result<Past> {
    let lines = text.lines().count();
    if lines > MAX_LINES {
        return Err(wrong(
            path,
            format!("a text of {lines} lines, more than any report ({MAX_LINES})"),
        ));
    }
    let described = crate::form::Form::pbf_2019();
    let form = Form::load(described);
    let hits = form::hits(&form, text);
    let keys: BTreeSet<&str> = hits.iter().map(|h| h.key.as_str()).collect();
    let questions = questions();
    let found = questions
        .iter()
        .filter(|q| keys.contains(q.as_str()))
        .count();
    let asked = questions.len();
    if found == 0 {
        let examples: Vec<String> = form
            .languages
            .iter()
            .enumerate()
            .map(|(i, _)| crate::i18n::quoted(&form.catalog(i).get(&questions[0])))
            .collect();
        return Err(wrong(
            path,
            format!(
                "a file with none of the form's {asked} questions in it (looked for in the \
                 wording of the {} catalogs, such as {})",
                form.languages.join(" and "),
                examples.join(", ")
            ),
        ));
    }
    if found * 2 < asked && !(partial && found >= FEWEST_PARTIAL) {
        let some: Vec<&str> = questions
            .iter()
            .filter(|q| keys.contains(q.as_str()))
            .take(8)
            .map(String::as_str)
            .collect();
        return Err(wrong(
            path,
            format!(
                "a file with only {found} of the form's {asked} questions ({}{}); a filled \
                 report has at least half of them{}",
                some.join(", "),
                if found > some.len() { ", …" } else { "" },
                match found >= FEWEST_PARTIAL {
                    true =>
                        " (a cover page, or a report on another version of the form, is \
                             imported in part with --partial)",
                    false => "",
                }
            ),
        ));
    }
    let mut votes = vec![0usize; form.languages.len()];
    for hit in &hits {
        votes[hit.lang] += 1;
    }
    let lang = (0..votes.len()).max_by_key(|i| votes[*i]).unwrap_or(0);
    let mut reader = Reader {
        form: &form,
        described,
        first: form::first_of(&hits),
        hits: &hits,
        rows: Vec::new(),
        months: crate::check::help::months_of(form.catalogs()),
    };
    let cover = reader.cover();
    let project = match &cover.gateway {
        // A number without its digits (`PBF IRF-`) names no project: two would share a folder.
        Some(g) => Some(form::id_of(g)).filter(|id| {
            crate::model::is_valid_project_id(id) && id.contains(|c: char| c.is_ascii_digit())
        }),
        None => None,
    };
    let version = match (&cover.date, &cover.kind) {
        (Some(date), Some(kind)) => Some(format!("{date}-{}", kind.replace('_', "-"))),
        _ => None,
    };
    let mut top = vec![
        ("template".to_string(), Y::raw(&described.form)),
        (
            "project_id".to_string(),
            match &project {
                Some(id) => Y::raw(id),
                None => Y::Todo("the project's id (its MPTF Gateway number was not found)".into()),
            },
        ),
        (
            "languages".to_string(),
            Y::raw(format!("[{}]", form.languages[lang])),
        ),
        ("cover".to_string(), Y::Map(cover.entries)),
    ];
    // The other parts in the form's order: the fields under one name (`progress.status`) as
    // one map, a numbered list by its items.
    for q in described.parts.iter().flat_map(|p| &p.questions) {
        let (name, field) = q.path.split_once('.').unwrap_or((&q.path, ""));
        if top.iter().any(|(k, _)| k == name) {
            continue;
        }
        let value = match (field.is_empty(), q.role.as_deref()) {
            (false, _) => Y::Map(reader.described(name)),
            (true, Some("annex_a")) => Y::Todo(
                "Annex A's figures are not in a report's text: copy them from the project's \
                 Annex A workbook (funds_received, by_category for each recipient, \
                 additional_costs), as `pbf-report new` shows"
                    .into(),
            ),
            (true, _) if !q.each.is_empty() => Y::List(reader.numbered(q)),
            (true, _) => continue,
        };
        top.push((name.to_string(), value));
    }
    let mut text = String::from(
        "# yaml-language-server: $schema=../schema.json\n\
         # Imported from a past report by the form's wording: each TODO is what its text did not\n\
         # give (a ticked box, a dropdown's choice, Annex A); `pbf-report check` lists what remains.\n",
    );
    text.push_str(&super::yaml::render(&top));
    Ok(Past {
        text,
        project,
        version,
        rows: reader.rows,
        found,
        asked,
        notes: parts_found(described, &keys).into_iter().collect(),
    })
}

/// Which parts of the form the text holds, when it lacks some: what a partial import brought.
fn parts_found(form: &crate::form::Form, keys: &BTreeSet<&str>) -> Option<String> {
    let asked = questions();
    fn keys_of(part: &crate::form::Part) -> impl Iterator<Item = String> + '_ {
        let title = part.title.clone().into_iter();
        title.chain(part.questions.iter().map(|q| q.key.clone()))
    }
    // The parts a text can hold: not those only the workbook shows.
    let (found, missing): (Vec<&crate::form::Part>, Vec<&crate::form::Part>) = form
        .parts
        .iter()
        .filter(|part| keys_of(part).any(|key| asked.contains(&key)))
        .partition(|part| keys_of(part).any(|key| keys.contains(key.as_str())));
    let names = |parts: Vec<&crate::form::Part>| {
        let names: Vec<&str> = parts.iter().map(|p| p.name.as_str()).collect();
        names.join(", ")
    };
    (!missing.is_empty()).then(|| {
        format!(
            "parts of the form found: {}; not found, written as TODOs: {}",
            names(found),
            names(missing)
        )
    })
}

/// The column of a row whose cells could not be told apart.
const UNSPLIT: &str = "unsplit";

/// A table row's cells (column, text) and the line the row starts on.
type Cells = (Vec<(String, String)>, usize);

/// What the cover gives besides its fields: what names the source's file.
struct CoverFound {
    entries: Vec<(String, Y)>,
    gateway: Option<String>,
    date: Option<String>,
    kind: Option<String>,
}

struct Reader<'a> {
    form: &'a Form,
    described: &'static crate::form::Form,
    hits: &'a [Hit],
    first: BTreeMap<&'a str, usize>,
    rows: Vec<Row>,
    months: Vec<Vec<String>>,
}

/// How a field is to be read from its answer, and what to say when it cannot be.
enum Kind {
    Text,
    Count,
    Amount,
    Choice(&'static str),
}

impl Reader<'_> {
    /// The answer to the question `key` (its first occurrence) and its line.
    fn answer(&self, key: &str) -> Option<(String, usize)> {
        let hit = &self.hits[*self.first.get(key)?];
        Some((form::clean(&hit.lines), hit.line))
    }

    fn row(&mut self, field: &str, state: &'static str, line: Option<usize>) {
        self.rows.push(Row {
            field: field.to_string(),
            state,
            line,
        });
    }

    /// Reads `key`'s answer as `kind` into `entries` under `name` (`path` in the table); a
    /// required field not found or not read is a TODO, an optional one is left out.
    fn field(
        &mut self,
        entries: &mut Vec<(String, Y)>,
        path: &str,
        key: &str,
        kind: Kind,
        required: bool,
    ) -> Option<String> {
        let name = path.rsplit('.').next().unwrap_or(path).to_string();
        let Some((text, line)) = self.answer(key) else {
            self.row(path, "not found", None);
            if required {
                entries.push((name, Y::Todo("not found in the report".into())));
            }
            return None;
        };
        if text.is_empty() {
            self.row(path, "empty", Some(line));
            if required {
                entries.push((name, Y::Todo("left empty in the report".into())));
            }
            return None;
        }
        let (value, expected) = match kind {
            Kind::Text => (Some(Y::text(&text)), String::new()),
            Kind::Count => (
                form::count(&text).map(|n| Y::raw(n.to_string())),
                "a whole number".to_string(),
            ),
            Kind::Amount => (
                form::amount(&text).map(Y::raw),
                "an amount in USD".to_string(),
            ),
            Kind::Choice(prefix) => {
                let choices = self.form.choices(prefix);
                let keys: BTreeSet<&str> = choices.iter().map(|(k, _)| k.as_str()).collect();
                (
                    form::choice(&text, &choices).map(Y::raw),
                    format!("one of {}", keys.into_iter().collect::<Vec<_>>().join(", ")),
                )
            }
        };
        let raw = match &value {
            Some(Y::Raw(r) | Y::Text(r)) => Some(r.clone()),
            _ => None,
        };
        match value {
            Some(value) => {
                let reworded = self.first.get(key).is_some_and(|i| self.hits[*i].fuzzy);
                let state = if reworded {
                    "found, question reworded"
                } else {
                    "found"
                };
                self.row(path, state, Some(line));
                entries.push((name, value));
            }
            None => {
                self.row(path, "TODO", Some(line));
                entries.push((name, todo(&expected, &text, line)));
            }
        }
        raw
    }

    /// The cover, read as the description asks it; what names the source's file is kept from
    /// the fields that play `project_number`, `report_date` and `report_type`.
    fn cover(&mut self) -> CoverFound {
        let entries = self.described("cover");
        let form = self.described;
        let played = |role: &str| {
            let path = form.path_of_role(role)?;
            let name = path.rsplit('.').next()?;
            match entries.iter().find(|(k, _)| k == name) {
                Some((_, Y::Raw(r) | Y::Text(r))) => Some(r.clone()),
                _ => None,
            }
        };
        CoverFound {
            gateway: played("project_number"),
            date: played("report_date"),
            kind: played("report_type"),
            entries,
        }
    }

    /// A date (`12 NOVEMBRE 2019`, `12/11/2019`), or with `month` a month (`Janvier 2018`).
    fn date(
        &mut self,
        e: &mut Vec<(String, Y)>,
        path: &str,
        key: &str,
        month: bool,
    ) -> Option<String> {
        let name = path.rsplit('.').next().unwrap_or(path).to_string();
        let (text, line) = self.answer(key).unwrap_or_default();
        // `le 1er novembre 2019`: the day's ordinal and the article are not the date.
        static ORDINAL: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
            regex::Regex::new(r"(?i)\b(?:le|the)\s+|\b(\d{1,2})(?:er|re|e|st|nd|rd|th)\b")
                .expect("the pattern compiles")
        });
        let plain = ORDINAL.replace_all(&text, "$1");
        let iso = crate::check::help::iso_date(&plain, &self.months, month)
            .or_else(|| crate::check::help::iso_date(&plain, &self.months, false))
            .map(|d| {
                d.chars()
                    .take(if month { 7 } else { 10 })
                    .collect::<String>()
            });
        match (&iso, text.is_empty()) {
            (Some(d), _) => {
                self.row(path, "found", Some(line));
                e.push((name, Y::raw(d)));
            }
            (None, true) => {
                self.row(path, "not found", None);
                e.push((name, Y::Todo("not found in the report".into())));
            }
            (None, false) => {
                self.row(path, "TODO", Some(line));
                let form = if month { "YYYY-MM" } else { "YYYY-MM-DD" };
                e.push((name, todo(&format!("a date as {form}"), &text, line)));
            }
        }
        iso
    }

    /// The options of `prefix` ticked in `key`'s answer: one (`many` false) or a list. A text
    /// that lost its tick boxes cannot tell: a TODO says so.
    fn ticks(&mut self, e: &mut Vec<(String, Y)>, path: &str, key: &str, prefix: &str, many: bool) {
        let name = path.rsplit('.').next().unwrap_or(path).to_string();
        let Some((text, line)) = self.answer(key) else {
            self.row(path, "not found", None);
            return;
        };
        let ticked = form::ticked(&text, &self.form.choices(prefix));
        if !form::has_boxes(&text) {
            self.row(path, "TODO", Some(line));
            e.push((
                name,
                Y::Todo(format!(
                    "the report's text (line {line}) has no tick boxes: give the ticked {}, if any",
                    if many { "ones as a list" } else { "one" }
                )),
            ));
            return;
        }
        let mut ticked = ticked;
        ticked.dedup();
        match (many, ticked.as_slice()) {
            (false, [_, _, ..]) => {
                // Two boxes ticked where the form takes one: not for the import to choose.
                self.row(path, "TODO", Some(line));
                e.push((name, todo("one box ticked, if any", &text, line)));
            }
            (_, []) => self.row(path, "found", Some(line)),
            (true, _) => {
                self.row(path, "found", Some(line));
                e.push((name, Y::raw(format!("[{}]", ticked.join(", ")))));
            }
            (false, [one]) => {
                self.row(path, "found", Some(line));
                e.push((name, Y::raw(one)));
            }
        }
    }

    /// IRF or PRF: ticked, written, or else told by the project's number (`PBF IRF-217`).
    fn modality(&mut self, e: &mut Vec<(String, Y)>, q: &Question, gateway: Option<&str>) {
        let (path, name) = (
            q.path.as_str(),
            q.path.rsplit('.').next().unwrap_or_default(),
        );
        let choices = self.form.choices(q.options.as_deref().unwrap_or_default());
        let answer = self.answer(&q.key);
        let line = answer.as_ref().map(|(_, l)| *l);
        let text = answer.map(|(t, _)| t).unwrap_or_default();
        if form::has_boxes(&text) {
            match form::choice(&text, &choices) {
                Some(one) => {
                    self.row(path, "found", line);
                    e.push((name.into(), Y::raw(one)));
                }
                None => {
                    self.row(path, "TODO", line);
                    let expected = "irf or prf: one box ticked";
                    e.push((name.into(), todo(expected, &text, line.unwrap_or(0))));
                }
            }
            return;
        }
        let words: Vec<String> = gateway
            .map(|g| form::fold(g).0.split(' ').map(String::from).collect())
            .unwrap_or_default();
        let named: BTreeSet<&String> = choices
            .iter()
            .map(|(k, _)| k)
            .filter(|k| words.contains(k))
            .collect();
        let named: Vec<&String> = named.into_iter().collect();
        match named.as_slice() {
            [one] => {
                self.row(path, "from the project number", line);
                e.push((name.into(), Y::raw(*one)));
            }
            _ => {
                self.row(path, "TODO", line);
                e.push((
                    name.into(),
                    Y::Todo("irf or prf: the report's text has no tick box for it".into()),
                ));
            }
        }
    }

    /// The recipients, from their list, the budget lines (`PAM : $ 855,000`) and the partner
    /// lines (`FAO : AMAPROS ET GRAT`), paired by name: a UN agency's English and French names
    /// (WFP and PAM) are one.
    /// The partners not attached to one recipient come back, for the question that lists them.
    fn recipients(&mut self, e: &mut Vec<(String, Y)>, q: &Question) -> Vec<String> {
        // The list's own wording, and its items' budget and partners, as the form asks them.
        let asked = |role: Option<&str>, kind| {
            let item = q
                .each
                .iter()
                .find(|i| i.role.as_deref() == role && i.kind == kind);
            item.map_or("", |i| i.key.as_str())
        };
        let listed = self.answer(&q.key);
        let budget = self.answer(asked(Some("recipient_budget"), crate::form::Kind::Amount));
        let partners = self.answer(asked(None, crate::form::Kind::List));
        let mut names: Vec<(String, Option<String>)> = Vec::new();
        for item in form::items(&listed.clone().unwrap_or_default().0) {
            // `UNDP (ONU)`: the type in brackets.
            let (name, kind) = match item.split_once('(') {
                Some((n, k)) => (
                    n.trim().to_string(),
                    Some(k.trim_end_matches(')').to_string()),
                ),
                None => (item.clone(), None),
            };
            names.push((name, kind));
        }
        let lines: Vec<(String, String)> = budget
            .iter()
            .flat_map(|(t, _)| t.lines())
            // `PAM : $ 855,000`, or a table's two cells.
            .filter_map(|l| l.split_once(':').or_else(|| l.split_once('\t')))
            .map(|(n, a)| (n.trim().to_string(), a.trim().to_string()))
            .filter(|(n, a)| !n.is_empty() && a.contains(|c: char| c.is_ascii_digit()))
            .collect();
        if names.is_empty() {
            names = lines.iter().map(|(n, _)| (n.clone(), None)).collect();
        }
        let (mut own, mut other) = (BTreeMap::<usize, Vec<String>>::new(), Vec::new());
        for line in partners.iter().flat_map(|(t, _)| t.lines()) {
            let owner = line.split_once(':').and_then(|(who, list)| {
                names
                    .iter()
                    .position(|(n, _)| form::same_agency(n, who))
                    .map(|i| (i, list))
            });
            match owner {
                Some((i, list)) => own.entry(i).or_default().extend(form::items(list)),
                None => other.extend(form::items(line)),
            }
        }
        let typed = q.each.iter().find(|i| i.kind == crate::form::Kind::Choice);
        let organisations = self
            .form
            .choices(typed.and_then(|i| i.options.as_deref()).unwrap_or_default());
        // Each item's fields, named as the description names the fields that play their parts.
        let field = |role: &str| {
            let item = q.each.iter().find(|i| i.role.as_deref() == Some(role));
            item.map(|i| i.path.clone())
        };
        let (id, name_field, short) = (
            field("recipient_id"),
            field("recipient_name"),
            field("recipient_short_name"),
        );
        let (lead, budget_field) = (field("lead"), field("recipient_budget"));
        let type_field = typed.map(|i| i.path.clone());
        let partners_field = q.each.iter().find(|i| i.kind == crate::form::Kind::List);
        let partners_field = partners_field.map(|i| i.path.clone());
        let list_path = q.path.as_str();
        let list_name = list_path.rsplit('.').next().unwrap_or_default();
        let mut list = Vec::new();
        for (i, (name, kind)) in names.iter().enumerate() {
            let path = format!("{list_path}[{}]", i + 1);
            let mut r = Vec::new();
            if let Some(id) = &id {
                r.push((id.clone(), Y::raw(form::id_of(name))));
            }
            if let Some(field) = &name_field {
                r.push((field.clone(), Y::text(name)));
            }
            let in_budget = lines.iter().find(|(n, _)| form::same_agency(n, name));
            if let (Some((written, _)), Some(field)) =
                (in_budget.filter(|(n, _)| n != name), &short)
            {
                r.push((field.clone(), Y::text(written)));
            }
            let typed = kind
                .as_deref()
                .and_then(|k| form::choice(k, &organisations))
                .or_else(|| form::is_un(name).then(|| "un".to_string()));
            if let Some(field) = &type_field {
                let options: BTreeSet<&str> =
                    organisations.iter().map(|(k, _)| k.as_str()).collect();
                let options: Vec<&str> = options.into_iter().collect();
                r.push((
                    field.clone(),
                    match typed {
                        Some(t) => Y::raw(t),
                        None => Y::Todo(format!("one of {}", options.join(", "))),
                    },
                ));
            }
            if let Some(field) = lead.as_ref().filter(|_| i == 0) {
                // The form lists the convening (lead) agency first.
                r.push((field.clone(), Y::raw("true")));
            }
            let line = budget.as_ref().map(|(_, l)| *l);
            if let Some(field) = &budget_field {
                match in_budget.and_then(|(_, a)| form::amount(a)) {
                    Some(amount) => {
                        self.row(&format!("{path}.{field}"), "found", line);
                        r.push((field.clone(), Y::raw(amount)));
                    }
                    None => {
                        self.row(&format!("{path}.{field}"), "TODO", line);
                        let written = in_budget.map(|(n, a)| format!("{n}: {a}"));
                        let (text, at) = match written {
                            Some(w) => (w, line.unwrap_or(0)),
                            None => budget.clone().unwrap_or_default(),
                        };
                        r.push((field.clone(), todo("its budget in USD", &text, at)));
                    }
                }
            }
            if let (Some(partners), Some(field)) = (own.remove(&i), &partners_field) {
                r.push((
                    field.clone(),
                    Y::List(partners.into_iter().map(Y::Text).collect()),
                ));
            }
            self.row(&path, "found", listed.as_ref().map(|(_, l)| *l));
            list.push(Y::Map(r));
        }
        if list.is_empty() {
            self.row(list_path, "not found", None);
            e.push((list_name.into(), Y::Todo("not found in the report".into())));
        } else {
            e.push((list_name.into(), Y::List(list)));
        }
        other
    }

    /// The answers of the part `part` of the form, each read as its description's kind says: a
    /// text, a choice among its options, a list a line an item, or amounts asked by one question
    /// (the gender amounts, planned then allocated) in the order the form asks them.
    fn described(&mut self, name: &str) -> Vec<(String, Y)> {
        use crate::form::Kind as Asked;
        let described = self.described;
        let all = described.parts.iter().flat_map(|p| &p.questions);
        let under = |q: &&Question| q.path.split_once('.').is_some_and(|(n, _)| n == name);
        let questions: Vec<&Question> = all.filter(under).collect();
        let mut e = Vec::new();
        let mut at = 0;
        // The wording a list's items were read with (the recipients' partners), which a later
        // question sharing it (the other partners) is read with.
        let mut read_with: Vec<&str> = Vec::new();
        let mut others = Vec::new();
        // The project's number as read, which may tell the modality.
        let mut number = None;
        while let Some(q) = questions.get(at) {
            let name = q.path.rsplit('.').next().unwrap_or(&q.path);
            at += 1;
            let (path, key) = (q.path.as_str(), q.key.as_str());
            match (q.kind, q.role.as_deref()) {
                (Asked::List, _) if read_with.contains(&key) => {
                    let items = std::mem::take(&mut others).into_iter().map(Y::Text);
                    if items.len() > 0 {
                        e.push((name.into(), Y::List(items.collect())));
                    }
                }
                _ if read_with.contains(&key) => {}
                (Asked::List, Some("recipients")) => {
                    read_with.extend(q.each.iter().map(|item| item.key.as_str()));
                    others = self.recipients(&mut e, q);
                }
                (_, Some("modality")) => self.modality(&mut e, q, number.as_deref()),
                (Asked::Date | Asked::Month, _) => {
                    self.date(&mut e, path, key, q.kind == Asked::Month);
                }
                (Asked::Ticks, _) => {
                    let options = q.options.as_deref().unwrap_or_default();
                    self.ticks(&mut e, path, key, options, q.most.is_some());
                }
                (Asked::Count, _) => {
                    self.field(&mut e, path, key, Kind::Count, q.required);
                }
                (Asked::YesNo, _) => {
                    self.field(&mut e, path, key, Kind::Choice("answer"), q.required);
                    if let Some((_, Y::Raw(yes))) = e.last_mut().filter(|(k, _)| k == name) {
                        *yes = (yes == "yes").to_string();
                    }
                }
                (Asked::Amount, _) => {
                    let more = questions[at..].iter();
                    let shared: Vec<&str> = more
                        .take_while(|o| o.key == q.key && o.kind == Asked::Amount)
                        .map(|o| o.path.as_str())
                        .collect();
                    at += shared.len();
                    if shared.is_empty() {
                        self.field(&mut e, path, key, Kind::Amount, q.required);
                        continue;
                    }
                    let paths: Vec<&str> = std::iter::once(path).chain(shared).collect();
                    self.amounts(&mut e, key, &paths);
                }
                (Asked::Id, Some("project_number")) => {
                    number = self.field(&mut e, path, key, Kind::Text, q.required);
                }
                (Asked::List, _) => {
                    if let Some((text, line)) = self.answer(&q.key) {
                        let items: Vec<Y> = text
                            .lines()
                            .map(|l| l.trim().trim_start_matches(['-', '•', '*', '–']).trim())
                            .filter(|l| !l.is_empty())
                            .map(Y::text)
                            .collect();
                        self.row(&q.path, "found", Some(line));
                        if !items.is_empty() {
                            e.push((name.into(), Y::List(items)));
                        }
                    }
                }
                (Asked::Rating | Asked::Choice, _) => {
                    let options = q.options.as_deref().unwrap_or_default();
                    self.field(&mut e, &q.path, &q.key, Kind::Choice(options), q.required);
                }
                _ => {
                    self.field(&mut e, &q.path, &q.key, Kind::Text, q.required);
                }
            }
        }
        e
    }

    /// Amounts asked by one question (`key`), for the fields at `paths` in order.
    fn amounts(&mut self, e: &mut Vec<(String, Y)>, key: &str, paths: &[&str]) {
        let (text, line) = self.answer(key).unwrap_or_default();
        let amounts = form::amounts(&text).unwrap_or_default();
        for (i, path) in paths.iter().enumerate() {
            let name = path.rsplit('.').next().unwrap_or(path);
            match amounts.get(i).filter(|_| amounts.len() == paths.len()) {
                Some(a) => {
                    self.row(path, "found", Some(line));
                    e.push((name.into(), Y::raw(a)));
                }
                None => {
                    self.row(path, "TODO", Some(line).filter(|_| !text.is_empty()));
                    let names: Vec<&str> = paths
                        .iter()
                        .map(|p| p.rsplit('.').next().unwrap_or(p))
                        .collect();
                    let expected = format!("its amounts, in order: {}", names.join(", then "));
                    e.push((name.into(), todo(&expected, &text, line)));
                }
            }
        }
    }

    /// A list whose items the form numbers (the outcomes), read by the description of its
    /// items: a field asked under the item's numbered label (a rating, a summary) belongs to the
    /// item last labelled; a column's statement, a list's item or a table's row, by its number
    /// (`1.2` the second output of the first outcome, `1.2.1` that output's first indicator).
    /// An item the report leaves empty (the form has room for more) is left out.
    fn numbered(&mut self, list: &Question) -> Vec<Y> {
        let mut places = Vec::new();
        places_of(list, &mut Vec::new(), &mut places);
        let mut found: BTreeMap<u32, Found> = BTreeMap::new();
        let mut current = None;
        for hit in self.hits {
            for place in places.iter().filter(|p| p.key == hit.key) {
                let Some(item) = place.item(list, &hit.number, current, &mut found) else {
                    continue;
                };
                if place.starts_item {
                    current = hit.number.first().copied();
                }
                let name = place.question.path.clone();
                if place.question.kind == crate::form::Kind::Table {
                    let row = self.row_of(place.question, &hit.lines);
                    let at = *hit.number.last().unwrap_or(&0);
                    item.rows
                        .entry(name)
                        .or_default()
                        .insert(at, (row, hit.line));
                } else if place.question.kind.is_choice() {
                    item.choices
                        .insert(name, (form::clean(&hit.lines), hit.line));
                } else {
                    let text = match place.question.drawn == crate::form::Drawn::Column {
                        true => form::cells(&hit.lines).0,
                        false => form::clean(&hit.lines),
                    };
                    item.texts.insert(name, (text, hit.line));
                }
            }
        }
        let kept = found.into_values().filter(Found::filled);
        let path = &list.path;
        kept.enumerate()
            .map(|(i, item)| self.item(list, &format!("{path}[{}]", i + 1), item))
            .collect()
    }

    /// A table's row: its cells by the columns the form gives the table. Without a tab to start
    /// each cell, a row's cells run together: all blank after a wording of several lines, two in
    /// one line (a PDF's cells side by side), or cells with no wording before them (a wording
    /// drawn indented like a cell). They are not told apart by guess: the row is written whole
    /// as a TODO.
    fn row_of(&self, table: &Question, lines: &[String]) -> Vec<(String, String)> {
        let columns = self.described.table(table.table.as_deref().unwrap_or(""));
        let headings = self.hits.iter().filter(|h| h.number.is_empty());
        let headings: Vec<&str> = headings.map(|h| h.key.as_str()).collect();
        let columns = form::columns(columns, &headings);
        let (wording, cells) = form::cells(lines);
        let filled = cells.iter().filter(|c| !c.trim().is_empty()).count();
        let together = cells.iter().any(|c| c.contains('\t'));
        let unworded = filled > 0 && wording.trim().is_empty();
        if (filled == 0 && wording.lines().count() > 1) || together || unworded {
            return vec![(UNSPLIT.to_string(), form::clean(lines))];
        }
        let first = columns.first().map_or("", |c| c.path.as_str());
        let mut row = vec![(first.to_string(), wording)];
        let rest = columns.iter().skip(1).map(|c| c.path.clone());
        row.extend(rest.zip(cells));
        row
    }

    /// The entries of one item of `list`, at `path`, in the description's order.
    fn item(&mut self, list: &Question, path: &str, mut found: Found) -> Y {
        use crate::form::{Drawn, Kind as Asked};
        let mut e = Vec::new();
        for q in &list.each {
            let name = q.path.as_str();
            match q.kind {
                // What only the workbook shows is not in a report's text.
                Asked::Table | Asked::List if q.drawn == Drawn::Workbook => {
                    let what = q.about.as_deref().unwrap_or(&q.path);
                    let columns = self.described.table(q.table.as_deref().unwrap_or(""));
                    let columns: Vec<&str> = columns.iter().map(|c| c.path.as_str()).collect();
                    let todo = match columns.is_empty() {
                        true => format!("{what} Not in a report's text."),
                        false => format!(
                            "{what} Not in a report's text: give each one's {}.",
                            columns.join(", ")
                        ),
                    };
                    e.push((name.into(), Y::Todo(todo)));
                }
                Asked::Table => {
                    let rows = found.rows.remove(name).unwrap_or_default();
                    let columns = self.described.table(q.table.as_deref().unwrap_or(""));
                    let rows = self.rows(&format!("{path}.{name}"), columns, &rows);
                    if !rows.is_empty() {
                        e.push((name.into(), Y::List(rows)));
                    }
                }
                Asked::List if !q.each.is_empty() => {
                    let items = found.lists.remove(name).unwrap_or_default();
                    let kept = items.into_values().filter(Found::filled);
                    let items: Vec<Y> = kept
                        .enumerate()
                        .map(|(i, item)| self.item(q, &format!("{path}.{name}[{}]", i + 1), item))
                        .collect();
                    if !items.is_empty() {
                        e.push((name.into(), Y::List(items)));
                    }
                }
                _ if q.kind.is_choice() => {
                    let text = found.choices.remove(name);
                    self.option(&mut e, path, q, text);
                }
                _ => {
                    let text = found.texts.remove(name);
                    self.text(&mut e, path, name, &text, q.required);
                }
            }
        }
        Y::Map(e)
    }

    /// A rating or a choice of an item: the option its text names, or a TODO with the text.
    fn option(
        &mut self,
        e: &mut Vec<(String, Y)>,
        path: &str,
        q: &Question,
        found: Option<(String, usize)>,
    ) {
        let name = q.path.as_str();
        let choices = self.form.choices(q.options.as_deref().unwrap_or_default());
        let chosen = found.as_ref().and_then(|(t, _)| form::choice(t, &choices));
        let line = found.as_ref().map(|(_, l)| *l);
        match chosen {
            Some(r) => {
                self.row(&format!("{path}.{name}"), "found", line);
                e.push((name.into(), Y::raw(r)));
            }
            None if found.is_some() || q.required => {
                self.row(&format!("{path}.{name}"), "TODO", line);
                let (t, l) = found.unwrap_or_default();
                let keys: BTreeSet<&str> = choices.iter().map(|(k, _)| k.as_str()).collect();
                let keys: Vec<&str> = keys.into_iter().collect();
                let expected = format!("one of {}", keys.join(", "));
                e.push((name.into(), todo(&expected, &t, l)));
            }
            None => {}
        }
    }

    fn text(
        &mut self,
        e: &mut Vec<(String, Y)>,
        path: &str,
        name: &str,
        found: &Option<(String, usize)>,
        required: bool,
    ) {
        let path = format!("{path}.{name}");
        match found {
            Some((t, line)) if !t.is_empty() => {
                self.row(&path, "found", Some(*line));
                e.push((name.into(), Y::text(t)));
            }
            other => {
                let line = other.as_ref().map(|(_, l)| *l);
                self.row(
                    &path,
                    if line.is_some() { "empty" } else { "not found" },
                    line,
                );
                if required {
                    e.push((name.into(), Y::Todo("not found in the report".into())));
                }
            }
        }
    }

    /// A table's rows at `path`, each with its cells in the order of `columns`.
    fn rows(&mut self, path: &str, columns: &[Question], rows: &BTreeMap<u32, Cells>) -> Vec<Y> {
        let mut list = Vec::new();
        let kept = rows
            .values()
            .filter(|(cells, _)| cells.iter().any(|(_, c)| !c.trim().is_empty()));
        let first = columns.first().map_or("", |c| c.path.as_str());
        for (i, (cells, line)) in kept.enumerate() {
            let path = format!("{path}[{}]", i + 1);
            let mut e = Vec::new();
            for (name, cell) in cells {
                if name == UNSPLIT {
                    self.row(&format!("{path}.{first}"), "TODO", Some(*line));
                    let names: Vec<&str> = columns.iter().map(|c| c.path.as_str()).collect();
                    let expected = format!(
                        "the row's cells run together in the text (no tab between them): give {}",
                        names.join(", ")
                    );
                    e.push((first.into(), todo(&expected, cell, *line)));
                    continue;
                }
                let required = columns.iter().any(|c| c.path == *name && c.required);
                let found = Some((cell.clone(), *line));
                self.text(&mut e, &path, name, &found, required);
            }
            // The columns in the form's order.
            e.sort_by_key(|(k, _)| columns.iter().position(|c| c.path == *k));
            list.push(Y::Map(e));
        }
        list
    }
}

/// An item's answers as a report's text gives them, by field: texts, choices' texts, tables' rows
/// by number, and the items of its own lists by number.
#[derive(Default)]
struct Found {
    texts: BTreeMap<String, (String, usize)>,
    choices: BTreeMap<String, (String, usize)>,
    rows: BTreeMap<String, BTreeMap<u32, Cells>>,
    lists: BTreeMap<String, BTreeMap<u32, Found>>,
}

impl Found {
    /// Whether the report gives the item anything: a text, a row's cell, an item of its own (a
    /// choice alone is the form's empty dropdown).
    fn filled(&self) -> bool {
        self.texts.values().any(|(t, _)| !t.trim().is_empty())
            || self
                .rows
                .values()
                .flat_map(|r| r.values())
                .any(|(cells, _)| cells.iter().any(|(_, c)| !c.trim().is_empty()))
            || self
                .lists
                .values()
                .flat_map(|l| l.values())
                .any(Found::filled)
    }
}

/// Where a wording of a numbered list's items puts its answer: the field it asks, under the
/// lists (`lists`, their paths below the top list) whose items hold it.
struct Place<'a> {
    key: &'a str,
    question: &'a Question,
    lists: Vec<&'a Question>,
    /// Numbered with the item's label: it starts the item (the outcome's statement).
    starts_item: bool,
    /// Numbered: the place is told by the number (a column's statement, a table's row);
    /// else it belongs to the item last started.
    numbered: bool,
}

impl Place<'_> {
    /// The item a hit numbered `number` fills, made when first named; `None` when the number
    /// does not fit the place or names more items than the form has room for.
    fn item<'f>(
        &self,
        top: &Question,
        number: &[u32],
        current: Option<u32>,
        found: &'f mut BTreeMap<u32, Found>,
    ) -> Option<&'f mut Found> {
        let table = usize::from(self.question.kind == crate::form::Kind::Table);
        let numbers: Vec<u32> = match self.numbered {
            true if number.len() == self.lists.len() + 1 + table => number.to_vec(),
            false if number.is_empty() && self.lists.is_empty() => vec![current?],
            _ => return None,
        };
        let fits = |n: u32, list: &Question| n >= 1 && list.most.is_none_or(|m| n as usize <= m);
        if !fits(numbers[0], top) {
            return None;
        }
        let mut item = found.entry(numbers[0]).or_default();
        for (list, n) in self.lists.iter().zip(&numbers[1..]) {
            if !fits(*n, list) {
                return None;
            }
            item = item
                .lists
                .entry(list.path.clone())
                .or_default()
                .entry(*n)
                .or_default();
        }
        Some(item)
    }
}

/// The places of the wordings asked of `list`'s items, `lists` deep: each question by its key
/// and its other wordings; a list's items by its key, which labels them; never what only the
/// workbook shows.
fn places_of<'a>(list: &'a Question, lists: &mut Vec<&'a Question>, out: &mut Vec<Place<'a>>) {
    use crate::form::{Drawn, Kind as Asked};
    for q in list.each.iter().filter(|q| q.drawn != Drawn::Workbook) {
        if q.kind == Asked::List && !q.each.is_empty() {
            lists.push(q);
            places_of(q, lists, out);
            lists.pop();
            continue;
        }
        let labels = q.key == list.key;
        let numbered = labels || q.kind == Asked::Table || q.drawn == Drawn::Column;
        for key in std::iter::once(&q.key).chain(&q.wordings) {
            out.push(Place {
                key,
                question: q,
                lists: lists.clone(),
                starts_item: labels && lists.is_empty(),
                numbered,
            });
        }
    }
}

/// A TODO saying what is expected and what the report has, on which line.
fn todo(expected: &str, text: &str, line: usize) -> Y {
    // All of it: what the import could not place is never lost.
    let shown = text;
    match text.is_empty() {
        true => Y::Todo(format!("{expected}; not found in the report")),
        false => Y::Todo(format!(
            "{expected}; the report has, on line {line}: {}",
            super::yaml::quoted(shown)
        )),
    }
}
