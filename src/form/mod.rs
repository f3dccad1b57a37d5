//! A form's description (`templates/<form>/form.yaml`): its parts and questions in the order the
//! form asks them, each with the source field that answers it, its wording in the catalogs, its
//! kind, its limit and where it is drawn. What is field-shaped elsewhere is read from here rather
//! than listed again; the tests hold the description to the model and the catalogs.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Deserialize;

mod schema;
mod skeleton;

pub use skeleton::Words;

/// The file of a template folder that describes its form, and the one that lays it out.
pub const FILE: &str = "form.yaml";
pub const LAYOUT: &str = "report.typ";

/// The fields every source has, whatever its form: no question may take their names.
const ENVELOPE: &[&str] = &[
    "template",
    "project_id",
    "languages",
    "unofficial_translations",
    "supersedes",
    "previous",
    "word_copy",
];

/// Bounds on a description: the most items of a list or characters of an id, how deep lists
/// nest, and how many answers its lists have room for in all (the 2019 form: about 700).
const MAX_MOST: usize = 1_000;
/// A path's most names (a source nests groups a few deep), and a description's most problems
/// said at once.
const MAX_STEPS: usize = 8;
const MAX_PROBLEMS: usize = 20;

/// The kinds the rules that read a role expect of its field.
const ROLE_KINDS: &[(&str, &[Kind])] = &[
    ("report_date", &[Kind::Date]),
    ("project_start", &[Kind::Month, Kind::Date]),
    ("duration_months", &[Kind::Count]),
    ("modality", &[Kind::Choice, Kind::Ticks, Kind::Rating]),
    ("report_type", &[Kind::Choice, Kind::Ticks, Kind::Rating]),
    ("project_number", &[Kind::Id]),
    ("progress_rating", &[Kind::Rating, Kind::Choice]),
    ("off_track_reasons", &[Kind::Narrative, Kind::Text]),
];

fn kind_names(kinds: &[Kind]) -> String {
    let names: Vec<String> = kinds
        .iter()
        .filter_map(|k| serde_json::to_value(k).ok()?.as_str().map(String::from))
        .map(|k| match k.starts_with(['a', 'e', 'i', 'o', 'u']) {
            true => format!("an {k}"),
            false => format!("a {k}"),
        })
        .collect();
    names.join(" or ")
}
const MAX_DEPTH: usize = 4;
const MAX_FIELDS: u64 = 20_000;

/// The form a source is written for when it names none that the templates hold.
pub const BUILT_IN: &str = "pbf-2019";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Form {
    /// The template's name, as a source's `template:` gives it.
    pub form: String,
    /// The catalog key of the document's title (`doc.title`).
    pub title: String,
    /// The catalog keys of what the form prints as footnotes: a past report's text may hold
    /// them anywhere.
    #[serde(default)]
    pub footnotes: Vec<String>,
    /// The options of each rating, choice and set of tick boxes, by name.
    #[serde(default)]
    pub options: BTreeMap<String, Vec<String>>,
    /// Tables whose columns several questions share (the indicator table), by name.
    #[serde(default)]
    pub tables: BTreeMap<String, Vec<Question>>,
    pub parts: Vec<Part>,
    /// Read from descriptions that named the Word layout the program drew for them
    /// (`word: pbf-2019`), and not used: a form's Word layout is its folder's `word.xml.j2`.
    #[serde(default, rename = "word")]
    _word: Option<String>,
    /// The width, in ems of its text, of the box a text is drawn in when its question gives
    /// none: the page's.
    #[serde(default = "page_width")]
    pub width: f32,
    /// Each question's box (its width, whether it is a table's cell), and the path of each
    /// role's field, by paths with lists' positions left out, made once.
    #[serde(skip)]
    boxes: std::sync::OnceLock<Boxes>,
}

/// An A4 page's text width, 2 cm margins, 6 pt insets, in ems of 10 pt text.
fn page_width() -> f32 {
    46.99
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Part {
    pub name: String,
    /// The catalog key of the part's heading.
    #[serde(default)]
    pub title: Option<String>,
    /// What the part's group of fields holds, for messages and editors.
    #[serde(default)]
    pub about: Option<String>,
    /// The catalog keys of what the form prints in this part besides its heading and questions
    /// (a part's number, notes, an introduction): a past report's text is read by them too.
    #[serde(default)]
    pub texts: Vec<String>,
    pub questions: Vec<Question>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// The field that answers it: from the source's root, or from its list's item.
    pub path: String,
    /// Its wording in the catalogs.
    pub key: String,
    /// Other wordings of it in the catalogs, which the layout may ask it by.
    #[serde(default)]
    pub wordings: Vec<String>,
    pub kind: Kind,
    /// The form's character limit, for a text that has one.
    #[serde(default)]
    pub limit: Option<usize>,
    #[serde(default)]
    pub required: bool,
    pub drawn: Drawn,
    /// For a rating, a choice or tick boxes: the catalogs' prefix of its options' wording.
    #[serde(default)]
    pub options: Option<String>,
    /// The part the field plays in a rule that spans fields.
    #[serde(default)]
    pub role: Option<String>,
    /// For a list or a table: the most items the form has room for; for an id, its most
    /// characters.
    #[serde(default)]
    pub most: Option<usize>,
    /// For a list: the fewest items it must have.
    #[serde(default)]
    pub least: Option<usize>,
    /// What the field holds, in a writer's words.
    #[serde(default)]
    pub about: Option<String>,
    /// An answer given anew for each period (the status, a progress summary, an indicator's
    /// progress, spending): `new --from` marks it for update, and `check` warns while it is
    /// the previous version's.
    #[serde(default)]
    pub period: bool,
    /// For a list: the questions asked of each item.
    #[serde(default)]
    pub each: Vec<Question>,
    /// For a table: the name of its columns under `tables`.
    #[serde(default)]
    pub table: Option<String>,
    /// For a text drawn in the layout: the field beside it (same list item or part) whose
    /// answer is drawn in its place when it is left empty.
    #[serde(default)]
    pub fallback: Option<String>,
    /// For a text: the width of the box the layout draws it in, in ems of its text, when it is
    /// narrower than the page (a cover's half, a table's column): a run of characters wider
    /// than that is broken to fit.
    #[serde(default)]
    pub width: Option<f32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Narrative,
    Text,
    Line,
    Statement,
    Cell,
    Note,
    Rating,
    Choice,
    Ticks,
    Date,
    Month,
    Amount,
    Count,
    YesNo,
    List,
    Table,
    /// A plain key of at most `most` characters, one for every language (`PBF IRF-217`).
    Id,
    /// Yes, or left out for no.
    Flag,
    /// An amount per recipient id.
    Amounts,
    /// Annex A's figures, as the workbook reads them.
    Annex,
}

impl Kind {
    /// A text of any length: written once or per language.
    pub fn is_text(self) -> bool {
        matches!(
            self,
            Kind::Narrative
                | Kind::Text
                | Kind::Line
                | Kind::Statement
                | Kind::Cell
                | Kind::Note
                | Kind::Id
        )
    }

    /// One of a question's options: a rating or a single choice.
    pub fn is_choice(self) -> bool {
        matches!(self, Kind::Rating | Kind::Choice)
    }

    /// A text a writer composes in the form's frame: what a reviewer may edit in a Word copy.
    pub fn is_answer_text(self) -> bool {
        matches!(self, Kind::Narrative | Kind::Text | Kind::Note | Kind::Cell)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Drawn {
    Cover,
    Answer,
    Heading,
    Column,
    Workbook,
}

/// What a description's paths lead to, found once.
#[derive(Debug, Default)]
struct Boxes {
    /// Each question's box width, when given, and whether it is a table's cell.
    by_path: std::collections::HashMap<String, (Option<f32>, bool)>,
    /// The path of the field that plays each role.
    roles: std::collections::HashMap<String, String>,
    /// Each question's kind.
    kinds: std::collections::HashMap<String, Kind>,
}

/// `path` without its items' numbers: `outcomes[1].outputs[2].statement` →
/// `outcomes.outputs.statement`.
pub fn unnumbered(path: &str) -> String {
    let mut plain = String::with_capacity(path.len());
    let mut within = false;
    for c in path.chars() {
        match c {
            '[' => within = true,
            ']' => within = false,
            c if !within => plain.push(c),
            _ => {}
        }
    }
    plain
}

/// Each text drawn in another's place when left empty names a text asked beside it.
fn fallbacks(siblings: &[Question], problems: &mut Vec<String>) {
    for q in siblings {
        let Some(name) = &q.fallback else { continue };
        let path = match q.path.rsplit_once('.') {
            Some((group, _)) => format!("{group}.{name}"),
            None => name.clone(),
        };
        let found = siblings.iter().find(|s| s.path == path && s.path != q.path);
        if !(q.kind.is_text() && found.is_some_and(|s| s.kind.is_text())) {
            problems.push(format!(
                "{}: `fallback` names a text asked beside this text",
                q.path
            ));
        }
        // A framed answer is what a reviewer edits and what its limit counts: drawn with
        // another's words, it would come back from a Word copy as an edit nobody made.
        if q.kind.is_answer_text() {
            problems.push(format!(
                "{}: only a line, a statement or an id falls back on another text; a framed \
                 answer is drawn as written",
                q.path
            ));
        }
    }
}

/// A form as a set of templates holds it: its description, the schema of its sources (the
/// templates' forms named in it) and what its catalogs lack. Made once per set of templates.
#[derive(Debug)]
pub struct Prepared {
    pub form: Arc<Form>,
    pub schema: serde_json::Value,
    pub wording_problems: Vec<(String, String)>,
}

impl Prepared {
    pub fn new(form: Arc<Form>, templates: &crate::templates::Templates) -> Prepared {
        let mut problems = form.wording_problems(templates);
        let layout = format!("{}/{LAYOUT}", form.form);
        if templates.file(&layout).is_none() {
            let folder = templates.form_file(&form.form);
            let message = format!(
                "the form `{}` has no layout: its folder holds no {LAYOUT}",
                form.form
            );
            problems.push((folder, message));
        }
        Prepared {
            schema: form.schema_among(&templates.form_names()),
            wording_problems: problems,
            form,
        }
    }
}

/// What the YAML parser says of a description, on one line and in an author's words.
fn parser_words(message: &str) -> String {
    let first = message.lines().next().unwrap_or_default();
    match first.contains("budget breached") {
        // The parser's bounds on nesting and aliases.
        true => "it nests deeper, or repeats itself more, than a form's description can".into(),
        false => first.trim_start_matches("error: ").to_string(),
    }
}

/// One question with its whole field path, list positions written `[n]` as messages write them.
pub struct Field<'a> {
    pub path: String,
    pub question: &'a Question,
}

impl Form {
    pub fn parse(bytes: &[u8]) -> Result<Form, String> {
        let text = std::str::from_utf8(bytes).map_err(|_| "it is not UTF-8 text".to_string())?;
        // The parser's first line says what and where; the caller names the file.
        let form: Form = serde_saphyr::from_str(text).map_err(|e| parser_words(&e.to_string()))?;
        form.validate()?;
        Ok(form)
    }

    /// The width, in ems, of the box the field at `path` (`outcomes[1].indicators[2].target`)
    /// is drawn in.
    pub fn width_of(&self, path: &str) -> f32 {
        let boxes = &self.boxes().by_path;
        let found = boxes.get(&unnumbered(path)).and_then(|(width, _)| *width);
        found.unwrap_or(self.width)
    }

    /// The kind of the field at `path` (`outcomes[1].summary`), when the form asks for it.
    pub fn kind_of(&self, path: &str) -> Option<Kind> {
        self.boxes().kinds.get(&unnumbered(path)).copied()
    }

    /// The path, without items' numbers, of the field that plays `role`, at any depth
    /// (`outcomes.outputs.statement`).
    pub fn role_path(&self, role: &str) -> Option<&str> {
        self.boxes().roles.get(role).map(String::as_str)
    }

    /// Whether the field at `path` is a cell of a table's row (drawn beside the row's other
    /// cells, not below them).
    pub fn is_cell(&self, path: &str) -> bool {
        self.boxes()
            .by_path
            .get(&unnumbered(path))
            .is_some_and(|(_, cell)| *cell)
    }

    /// Every question's box by its path without item numbers: its width, when the description
    /// gives one, and whether it is a table's cell.
    fn boxes(&self) -> &Boxes {
        self.boxes.get_or_init(|| {
            let mut boxes = Boxes::default();
            let mut asked: Vec<(String, &Question, bool)> = self
                .parts
                .iter()
                .flat_map(|p| &p.questions)
                .map(|q| (q.path.clone(), q, false))
                .collect();
            while let Some((at, q, cell)) = asked.pop() {
                boxes.by_path.insert(at.clone(), (q.width, cell));
                boxes.kinds.insert(at.clone(), q.kind);
                if let Some(role) = &q.role {
                    boxes
                        .roles
                        .entry(role.clone())
                        .or_insert_with(|| at.clone());
                }
                let (items, cells) = match &q.table {
                    Some(table) => (self.table(table), true),
                    None => (q.each.as_slice(), false),
                };
                // A description that nests without end was refused; this one stops anyway.
                if at.len() > 4096 {
                    continue;
                }
                asked.extend(items.iter().map(|i| (format!("{at}.{}", i.path), i, cells)));
            }
            boxes
        })
    }

    /// The built-in 2019 form, read once.
    pub fn pbf_2019() -> &'static Arc<Form> {
        static FORM: std::sync::LazyLock<Arc<Form>> = std::sync::LazyLock::new(|| {
            crate::templates::Templates::builtin()
                .form(BUILT_IN)
                .expect("the built-in template has its form description")
                .expect("the built-in form description is valid")
        });
        &FORM
    }

    /// What a description must hold beyond its shape: lists with room and items, tables whose
    /// columns are declared, limits only on texts.
    fn validate(&self) -> Result<(), String> {
        let mut problems = Vec::new();
        for part in &self.parts {
            for question in &part.questions {
                self.validate_question(question, &mut problems);
            }
            fallbacks(&part.questions, &mut problems);
        }
        for columns in self.tables.values() {
            for column in columns {
                self.validate_question(column, &mut problems);
            }
            fallbacks(columns, &mut problems);
        }
        if !(1.0..=1000.0).contains(&self.width) {
            problems.push("width: a page is 1 to 1000 ems wide".to_string());
        }
        // Annex A and the budget rules read these fields of a form that declares them.
        if self.reads_as_typed() {
            problems.extend(crate::model::roles::problems(self));
        }
        let asked: Vec<&Question> = self.parts.iter().flat_map(|p| &p.questions).collect();
        // A group's fields stand together, as a source writes them under its name.
        let (mut seen, mut current) = (std::collections::HashSet::new(), None);
        for q in &asked {
            let path = &q.path;
            let first = path.split('.').next().unwrap_or_default();
            if ENVELOPE.contains(&first) {
                problems.push(format!(
                    "{path}: `{first}` is a field every source has already"
                ));
            }
            let group = path.split_once('.').map(|(g, _)| g);
            if group != current {
                if let Some(g) = group
                    && !seen.insert(g)
                {
                    problems.push(format!(
                        "{path}: the fields of `{g}` stand together in the form"
                    ));
                }
                current = group;
            }
        }
        // A question is not also a group of others: in name order, such a group comes next.
        let mut paths: Vec<&str> = asked.iter().map(|q| q.path.as_str()).collect();
        paths.sort_unstable();
        for pair in paths.windows(2) {
            if pair[1]
                .strip_prefix(pair[0])
                .is_some_and(|rest| rest.starts_with('.'))
            {
                problems.push(format!(
                    "{}: a question, and a group of `{}`",
                    pair[0], pair[1]
                ));
            }
        }
        let mut names = std::collections::HashSet::new();
        for part in &self.parts {
            if !names.insert(part.name.as_str()) {
                problems.push(format!("two parts are named `{}`", part.name));
            }
        }
        for (name, options) in &self.options {
            let distinct: std::collections::HashSet<&String> = options.iter().collect();
            if options.is_empty() || distinct.len() < options.len() {
                problems.push(format!(
                    "options `{name}`: give each option once, at least one"
                ));
            }
        }
        for (name, columns) in &self.tables {
            if columns.is_empty() {
                problems.push(format!("table `{name}`: give it its columns"));
            }
        }
        // Lists within lists are expanded to every item they have room for: bounded before
        // anything expands them (a table of itself would never end).
        let size = self
            .parts
            .iter()
            .flat_map(|p| &p.questions)
            .try_fold(0u64, |total, q| Ok(total.saturating_add(self.size(q, 0)?)));
        match size {
            Err(problem) => problems.push(problem),
            Ok(n) if n > MAX_FIELDS => problems.push(format!(
                "its lists have room for {n} answers in all, more than a form can ask ({MAX_FIELDS})"
            )),
            Ok(_) if problems.is_empty() => {
                let mut seen = std::collections::HashSet::new();
                for field in self.fields() {
                    if !seen.insert(field.path.clone()) {
                        problems.push(format!("{}: two questions have this path", field.path));
                    }
                }
            }
            Ok(_) => {}
        }
        match problems.is_empty() {
            true => Ok(()),
            // One problem a line, as many as a person reads at once.
            false => {
                let more = problems.len().saturating_sub(MAX_PROBLEMS);
                problems.truncate(MAX_PROBLEMS);
                if more > 0 {
                    problems.push(format!("… and {more} more"));
                }
                // A problem quotes the description's own text: each stays on its line.
                let lines: Vec<String> =
                    problems.iter().map(|p| crate::terminal::line(p)).collect();
                Err(lines.join("\n  "))
            }
        }
    }

    /// How many answers `q` has room for, its lists expanded, at list depth `depth`.
    fn size(&self, q: &Question, depth: usize) -> Result<u64, String> {
        if depth > MAX_DEPTH {
            let path = &q.path;
            return Err(format!(
                "{path}: lists nest more than {MAX_DEPTH} deep (a table of itself?)"
            ));
        }
        let items: &[Question] = match (q.kind, &q.table) {
            (Kind::Table, Some(table)) => self.table(table),
            _ => &q.each,
        };
        let mut each = 0u64;
        for item in items {
            each = each.saturating_add(self.size(item, depth + 1)?);
        }
        let most = q.most.unwrap_or(0) as u64;
        Ok(1u64.saturating_add(most.saturating_mul(each)))
    }

    fn validate_question(&self, q: &Question, problems: &mut Vec<String>) {
        let path = &q.path;
        let named = |step: &str| {
            step.starts_with(|c: char| c.is_ascii_lowercase())
                && step
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        };
        if !path.split('.').all(named) || path.split('.').count() > MAX_STEPS || path.len() > 200 {
            problems.push(format!(
                "{path}: a path is at most {MAX_STEPS} names of lower-case letters, digits and `_`, joined by dots"
            ));
        }
        if let (Some(least), Some(most)) = (q.least, q.most)
            && least > most
        {
            problems.push(format!("{path}: `least` is more than `most`"));
        }
        match (q.kind, q.limit) {
            (_, Some(0)) => problems.push(format!("{path}: a limit of 0 characters")),
            (Kind::Narrative | Kind::Cell | Kind::Note, None) => problems.push(format!(
                "{path}: a narrative, a note or a cell has the form's `limit`"
            )),
            _ => {}
        }
        if let Some(role) = &q.role
            && let Some((_, kinds)) = ROLE_KINDS.iter().find(|(r, _)| r == role)
            && !kinds.contains(&q.kind)
        {
            problems.push(format!(
                "{path}: the rules read `{role}` as {}",
                kind_names(kinds)
            ));
        }
        if q.most.is_some_and(|m| m > MAX_MOST) {
            problems.push(format!("{path}: `most` is at most {MAX_MOST}"));
        }
        match q.kind {
            Kind::List if q.most.is_none() => problems.push(format!("{path}: a list needs `most`")),
            Kind::Table => match q.table.as_deref() {
                Some(name) if self.tables.contains_key(name) => {}
                _ => problems.push(format!("{path}: a table names its columns under `tables`")),
            },
            _ => {}
        }
        if q.kind == Kind::Table && q.most.is_none() {
            problems.push(format!("{path}: a table needs `most`"));
        }
        if q.kind == Kind::Id && q.most.is_none() {
            problems.push(format!("{path}: an id needs `most`"));
        }
        match &q.options {
            Some(name) if !self.options.contains_key(name) => {
                problems.push(format!("{path}: no options named `{name}` under `options`"))
            }
            None if matches!(q.kind, Kind::Rating | Kind::Choice | Kind::Ticks) => {
                let kind = serde_json::to_value(q.kind).unwrap_or_default();
                problems.push(format!(
                    "{path}: a {} names its `options`",
                    kind.as_str().unwrap_or_default()
                ))
            }
            _ => {}
        }
        if q.limit.is_some() && !q.kind.is_answer_text() {
            problems.push(format!("{path}: only a text has a limit"));
        }
        if q.width.is_some_and(|w| !(1.0..=1000.0).contains(&w)) {
            problems.push(format!("{path}: a box is 1 to 1000 ems wide"));
        }
        for item in &q.each {
            self.validate_question(item, problems);
        }
        fallbacks(&q.each, problems);
    }

    /// Every field the form asks, in order, each list and table expanded to the items it has
    /// room for (`outcomes[1].summary` … `outcomes[4].summary`).
    pub fn fields(&self) -> Vec<Field<'_>> {
        let mut fields = Vec::new();
        for part in &self.parts {
            for question in &part.questions {
                self.expand(question, String::new(), &mut fields);
            }
        }
        fields
    }

    fn expand<'a>(&'a self, q: &'a Question, under: String, fields: &mut Vec<Field<'a>>) {
        let path = match under.is_empty() {
            true => q.path.clone(),
            false => format!("{under}.{}", q.path),
        };
        fields.push(Field {
            path: path.clone(),
            question: q,
        });
        let items: &[Question] = match (q.kind, &q.table) {
            (Kind::Table, Some(table)) => &self.tables[table],
            _ => &q.each,
        };
        for n in 1..=q.most.unwrap_or(0) {
            for item in items {
                self.expand(item, format!("{path}[{n}]"), fields);
            }
        }
    }

    /// The catalog keys of the form's wording: its title, its parts' headings, its questions and
    /// its options.
    pub fn keys(&self) -> std::collections::BTreeSet<String> {
        let mut keys: std::collections::BTreeSet<String> =
            self.parts.iter().filter_map(|p| p.title.clone()).collect();
        keys.insert(self.title.clone());
        keys.extend(self.parts.iter().flat_map(|p| p.texts.iter().cloned()));
        keys.extend(self.footnotes.iter().cloned());
        for field in self.fields() {
            keys.insert(field.question.key.clone());
            keys.extend(field.question.wordings.iter().cloned());
        }
        keys.extend(self.tables.values().flatten().map(|q| q.key.clone()));
        for (name, options) in &self.options {
            keys.extend(options.iter().map(|o| format!("{name}.{o}")));
        }
        keys
    }

    /// What keeps the catalogs of `templates` from wording this form in each of their
    /// languages: a catalog that cannot be read, or a key it lacks; each with the file to fix.
    pub fn wording_problems(
        &self,
        templates: &crate::templates::Templates,
    ) -> Vec<(String, String)> {
        let mut problems = Vec::new();
        let keys = self.keys();
        for lang in templates.languages() {
            let own = format!("{}/i18n/{lang}.yaml", self.form);
            let file = match templates.file(&own) {
                Some(_) => templates.shown_path(&own),
                None => templates.shown_path(&format!("i18n/{lang}.yaml")),
            };
            match crate::i18n::Catalog::for_form(templates, &self.form, &lang) {
                Err(problem) => problems.push((file, problem)),
                Ok(catalog) => {
                    let missing: Vec<&str> = keys
                        .iter()
                        .filter(|k| !catalog.entries.contains_key(*k))
                        .map(String::as_str)
                        .collect();
                    if !missing.is_empty() {
                        let message = format!(
                            "the form `{}` has no wording in `{lang}` for {}",
                            self.form,
                            missing
                                .iter()
                                .map(|k| format!("`{k}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        );
                        problems.push((file, message));
                    }
                }
            }
        }
        problems
    }

    /// The path of the field that plays `role`, among the questions asked once per report.
    pub fn path_of_role(&self, role: &str) -> Option<&str> {
        self.parts
            .iter()
            .flat_map(|p| &p.questions)
            .find(|q| q.role.as_deref() == Some(role))
            .map(|q| q.path.as_str())
    }

    /// Whether the rules that span fields, and Annex A, read a source of this form: they read
    /// it as the typed report, which a form declaring Annex A's figures (`role: annex_a`)
    /// shares. Any other form is checked field by field and drawn without Annex A.
    pub fn reads_as_typed(&self) -> bool {
        self.has_role("annex_a")
    }

    /// Whether a question of the form, at any depth, plays `role`.
    pub fn has_role(&self, role: &str) -> bool {
        fn plays(q: &Question, role: &str) -> bool {
            q.role.as_deref() == Some(role) || q.each.iter().any(|item| plays(item, role))
        }
        let columns = self.tables.values().flatten();
        let questions = self.parts.iter().flat_map(|p| &p.questions);
        questions.chain(columns).any(|q| plays(q, role))
    }

    /// The questions of the part `name`, in order.
    pub fn part(&self, name: &str) -> &[Question] {
        let part = self.parts.iter().find(|p| p.name == name);
        part.map_or(&[], |p| p.questions.as_slice())
    }

    /// The columns of the table `name` (`indicators`), in order.
    pub fn table(&self, name: &str) -> &[Question] {
        self.tables.get(name).map_or(&[], Vec::as_slice)
    }

    /// The fields answered anew each period, each list and table expanded.
    pub fn period_fields(&self) -> impl Iterator<Item = String> + '_ {
        self.fields()
            .into_iter()
            .filter(|f| f.question.period)
            .map(|f| f.path)
    }

    /// The fields a Word copy shows as answers a reviewer may edit: the texts the form frames.
    pub fn answer_fields(&self) -> impl Iterator<Item = String> + '_ {
        self.fields()
            .into_iter()
            .filter(|f| f.question.kind.is_answer_text())
            .map(|f| f.path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_form_reads_and_expands_its_lists() {
        let form = Form::pbf_2019();
        assert_eq!(form.form, "pbf-2019");
        let answers: Vec<String> = form.answer_fields().collect();
        for field in [
            "progress.status",
            "cover.evaluation",
            "outcomes[4].summary",
            "outcomes[4].indicators[3].target_adjustment",
            "outcomes[1].outputs[3].indicators[2].baseline",
        ] {
            assert!(answers.iter().any(|a| a == field), "{field}");
        }
        for field in [
            "outcomes[5].summary",
            "outcomes[1].outputs[1].indicators[3].target",
            "outcomes[1].statement",
        ] {
            assert!(!answers.iter().any(|a| a == field), "{field}");
        }
    }

    #[test]
    fn a_description_that_breaks_its_own_rules_is_refused() {
        let bad = b"form: x\ntitle: t\nparts:\n  - name: p\n    questions:\n      - {path: a, key: a, kind: list, drawn: answer}\n      - {path: b, key: b, kind: rating, limit: 3, drawn: answer}\n      - {path: c, key: c, kind: table, most: 2, drawn: column}\n";
        let problems = Form::parse(bad).unwrap_err();
        assert!(problems.contains("a: a list needs `most`"), "{problems}");
        assert!(
            problems.contains("b: only a text has a limit"),
            "{problems}"
        );
        assert!(
            problems.contains("c: a table names its columns"),
            "{problems}"
        );
        assert!(
            problems.contains("b: a rating names its `options`"),
            "{problems}"
        );
        let unnamed = b"form: x\ntitle: t\nparts:\n  - name: p\n    questions:\n      - {path: a, key: a, kind: choice, options: colours, drawn: answer}\n      - {path: b, key: b, kind: id, drawn: cover}\n";
        let problems = Form::parse(unnamed).unwrap_err();
        assert!(
            problems.contains("a: no options named `colours` under `options`"),
            "{problems}"
        );
        assert!(problems.contains("b: an id needs `most`"), "{problems}");
        // A table of itself, lists too long, a name of the envelope, a path that is no name.
        let hostile = b"form: x\ntitle: t\ntables:\n  t:\n    - {path: c, key: c, kind: table, table: t, most: 2, drawn: column}\nparts:\n  - name: p\n    questions:\n      - {path: a, key: a, kind: table, table: t, most: 2, drawn: column}\n      - {path: languages, key: l, kind: line, drawn: cover}\n      - {path: x..y, key: l, kind: line, drawn: cover}\n      - {path: big, key: b, kind: list, most: 1000000, drawn: cover}\n";
        let problems = Form::parse(hostile).unwrap_err();
        for expected in [
            "nest more than 4 deep",
            "`languages` is a field every source has already",
            "x..y: a path is at most 8 names",
            "big: `most` is at most 1000",
        ] {
            assert!(problems.contains(expected), "{expected}: {problems}");
        }
        let wide = b"form: x\ntitle: t\nparts:\n  - name: p\n    questions:\n      - path: a\n        key: a\n        kind: list\n        most: 1000\n        drawn: cover\n        each:\n          - path: b\n            key: b\n            kind: list\n            most: 1000\n            drawn: cover\n            each:\n              - {path: c, key: c, kind: line, drawn: cover}\n";
        let problems = Form::parse(wide).unwrap_err();
        assert!(problems.contains("more than a form can ask"), "{problems}");
        let careless = b"form: x\ntitle: t\noptions: {o: [], p: [a, a]}\ntables: {t: []}\nparts:\n  - name: p\n    questions:\n      - {path: g, key: k, kind: line, drawn: cover}\n      - {path: g.a, key: k, kind: line, drawn: cover}\n      - {path: h.a, key: k, kind: line, drawn: cover}\n      - {path: g.b, key: k, kind: narrative, drawn: answer}\n      - {path: n, key: k, kind: list, least: 3, most: 2, drawn: cover}\n      - {path: d, key: k, kind: line, limit: 0, drawn: cover, role: report_date}\n  - name: p\n    questions: []\n";
        let problems = Form::parse(careless).unwrap_err();
        for expected in [
            "g: a question, and a group of `g.a`",
            "g.b: the fields of `g` stand together in the form",
            "g.b: a narrative, a note or a cell has the form's `limit`",
            "n: `least` is more than `most`",
            "d: a limit of 0 characters",
            "d: the rules read `report_date` as a date",
            "two parts are named `p`",
            "options `o`: give each option once, at least one",
            "options `p`: give each option once",
            "table `t`: give it its columns",
        ] {
            assert!(problems.contains(expected), "{expected}: {problems}");
        }
        let budget = parser_words("error: budget breached: Depth { depth: 65 }\n --> x");
        assert!(
            budget.contains("nests deeper, or repeats itself more"),
            "{budget}"
        );
        // A text drawn in another's place names a text beside it, never itself or a stranger.
        let fallen = b"form: x\ntitle: t\nparts:\n  - name: p\n    questions:\n      - {path: g.a, key: k, kind: line, drawn: cover, fallback: a}\n      - {path: g.b, key: k, kind: line, drawn: cover, fallback: c}\n      - {path: g.n, key: k, kind: count, drawn: cover, fallback: a}\n      - {path: g.d, key: k, kind: line, drawn: cover, fallback: n}\n      - {path: g.e, key: k, kind: line, drawn: cover, fallback: a}\n";
        let problems = Form::parse(fallen).unwrap_err();
        for path in ["g.a", "g.b", "g.n", "g.d"] {
            let expected = format!("{path}: `fallback` names a text asked beside this text");
            assert!(problems.contains(&expected), "{expected}: {problems}");
        }
        assert!(!problems.contains("g.e:"), "{problems}");
        // A framed answer never falls back; a project's number is an id, one text for every
        // language.
        let framed = b"form: x\ntitle: t\nword: pbf-2019\nparts:\n  - name: p\n    questions:\n      - {path: g.a, key: k, kind: line, drawn: cover, role: project_number}\n      - {path: g.b, key: k, kind: narrative, limit: 5, drawn: answer, fallback: a}\n";
        let problems = Form::parse(framed).unwrap_err();
        for expected in [
            "g.b: only a line, a statement or an id falls back on another text",
            "g.a: the rules read `project_number` as an id",
        ] {
            assert!(problems.contains(expected), "{expected}: {problems}");
        }
        let unknown = b"form: x\ntitle: t\nparts: []\ncolour: red\n";
        assert!(Form::parse(unknown).is_err());
    }

    #[test]
    fn every_wording_and_option_of_the_description_is_in_every_built_in_catalog() {
        let templates = crate::templates::Templates::builtin();
        let form = Form::pbf_2019();
        for lang in templates.languages() {
            let catalog = crate::i18n::Catalog::load_from(&templates, &lang).unwrap();
            let mut keys: Vec<String> = form.parts.iter().filter_map(|p| p.title.clone()).collect();
            for field in form.fields() {
                keys.push(field.question.key.clone());
            }
            for (name, options) in &form.options {
                keys.extend(options.iter().map(|o| format!("{name}.{o}")));
            }
            for key in keys {
                assert!(catalog.entries.contains_key(&key), "{lang}: no `{key}`");
            }
        }
    }
}
