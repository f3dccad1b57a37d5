//! `diff`: what changed between two versions of a report. Both are read through the form's
//! description, as the PDF shows them (`render::answers`), so every field the form asks is
//! compared with no list of fields of its own: the cover, each rating, the indicator table row
//! by row, every answer (changed word by word, unchanged, new or emptied, with its count against
//! its limit), and the spending Annex A reports.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::form::Kind;
use crate::i18n::Catalog;
use crate::model::{Filled, Report, Usd};

/// The most words and spaces two texts may hold together for a word-by-word comparison; past
/// it (a few times the longest answer a form allows), a text is shown replaced whole, so that a
/// hostile source cannot make the comparison slow.
const MOST_TOKENS: usize = 40_000;

/// One version of a report, as `diff` reads it.
pub struct Side {
    /// The path the user named, for headings.
    pub shown: String,
    pub version: String,
    pub filled: Filled,
    /// The source's text, as written.
    pub text: String,
    /// Why what is compared may not be what was submitted.
    pub warning: Option<String>,
}

/// Reads a source, a version folder (its source copy, its files against its manifest) or a
/// PDF built by pbf-report (the source it carries). A source with errors is refused, its
/// answers cannot be read as the form's; but for texts over their limit, compared as a draft.
pub fn load(path: &Path) -> Result<Side> {
    let shown = crate::terminal::path(path);
    let meta = std::fs::metadata(path).map_err(|e| Error::read(path, e))?;
    let (source_path, bytes, version, warning) = if meta.is_dir() {
        let manifest = crate::manifest::Manifest::read(path)?;
        let source_path = path.join(&manifest.source.name);
        let bytes = crate::fsio::read_own(&source_path)?;
        let warning = (!manifest.intact_in(path)).then(|| {
            format!(
                "{shown} does not match its manifest (a file was changed or removed after it was \
                 built): compared from the source it holds, which may not be the one submitted"
            )
        });
        (source_path, bytes, manifest.version, warning)
    } else if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("pdf"))
    {
        let pdf = crate::fsio::read_file(path)?;
        let (name, version, bytes) = carried_source(path, &pdf)?;
        (PathBuf::from(name), bytes, version, None)
    } else {
        let bytes = crate::fsio::read_source(path)?;
        let version = crate::pipeline::version_of(path).unwrap_or_else(|_| {
            let stem = path.file_stem().unwrap_or_default();
            stem.to_string_lossy().into_owned()
        });
        (path.to_path_buf(), bytes, version, None)
    };
    let checked = crate::check::check_with(&source_path, &bytes, &crate::templates::current());
    // A text over its limit is compared as a draft draws it, with its count.
    let over = |d: &&crate::diagnostic::Diagnostic| d.kind == crate::diagnostic::Kind::Limit;
    let errors = checked
        .diagnostics
        .iter()
        .filter(|d| d.is_error() && !over(d))
        .count();
    match checked.report {
        Some(filled) if errors == 0 => Ok(Side {
            shown,
            version,
            filled,
            text: checked.source.map(|s| s.text).unwrap_or_default(),
            warning,
        }),
        Some(_) => Err(Error::wrong_kind(
            path,
            "a report that checks",
            format!(
                "a report with {errors} error{}: `pbf-report check` lists them",
                if errors == 1 { "" } else { "s" }
            ),
        )),
        None => Err(Error::wrong_kind(
            path,
            "a report source",
            "not one: `pbf-report check` says why",
        )),
    }
}

/// Where the version `previous` of `project` is, seen from `input` (a source, a version folder
/// or a PDF in one): its archived version folder in `out/`, else the source of that name beside
/// a source, the project's sources in `data/`, its version folder beside a folder (or the
/// PDF's), or in `out/`.
pub fn previous_path(input: &Path, project: &str, previous: &str) -> Option<PathBuf> {
    if !crate::model::is_valid_project_id(previous) {
        return None;
    }
    let parent = input.parent().unwrap_or(Path::new(""));
    let source = format!("{previous}.yaml");
    let folder_of = |p: &Path| p.parent().map(|d| d.join(previous));
    let archived = Path::new("out").join(project).join(previous);
    let archived = archived
        .join(crate::archive::ARCHIVED)
        .is_file()
        .then_some(archived);
    // The version submitted first: its source in data/ may have been edited since.
    let candidates = [
        archived,
        Some(parent.join(&source)),
        Some(Path::new("data").join(project).join(&source)),
        folder_of(input),
        folder_of(parent),
        Some(Path::new("out").join(project).join(previous)),
    ];
    let usable = |p: &PathBuf| match std::fs::metadata(p) {
        Ok(m) if m.is_dir() => p.join(crate::manifest::MANIFEST).is_file(),
        Ok(m) => m.is_file() && p.extension().is_some_and(|e| e == "yaml"),
        Err(_) => false,
    };
    candidates
        .into_iter()
        .flatten()
        .filter(|p| p.as_path() != input)
        .find(usable)
}

/// The source a PDF built by pbf-report carries: its name, its version and its bytes.
fn carried_source(path: &Path, pdf: &[u8]) -> Result<(String, String, Vec<u8>)> {
    let files = crate::pdf_files::attached(path, pdf)?;
    let not_ours = |found: &str| Error::wrong_kind(path, "a PDF built by pbf-report", found);
    let identity = files
        .iter()
        .find(|(n, _)| n == crate::pipeline::IDENTITY)
        .ok_or_else(|| not_ours("a PDF not made by pbf-report (it carries no pbf-report.json)"))?;
    let identity: Value = serde_json::from_slice(&identity.1)
        .map_err(|_| not_ours("a PDF whose pbf-report.json cannot be read"))?;
    let field = |k: &str| identity[k].as_str().unwrap_or_default().to_string();
    let (name, version) = (field("source"), field("version"));
    let source = files
        .into_iter()
        .find(|(n, _)| *n == name)
        .ok_or_else(|| not_ours("a PDF that does not carry its source"))?;
    Ok((name, version, source.1))
}

/// What changed from one version to the next, in one language.
#[derive(Debug, Serialize)]
pub struct Diff {
    pub old: Version,
    pub new: Version,
    pub lang: String,
    /// The form's parts in order, each with its changes and its answers left as they were.
    pub parts: Vec<PartChanges>,
    /// Spending per recipient, outcome, output and category, the total and the gender amount,
    /// where it moved, under the title of Annex A.
    pub spending_title: String,
    pub spending: Vec<Spending>,
}

#[derive(Debug, Serialize)]
pub struct Version {
    pub path: String,
    pub version: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warning: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct PartChanges {
    pub part: String,
    pub title: String,
    pub changes: Vec<Change>,
    /// The answers (texts) identical in both versions: a pasted answer is what a reviewer
    /// looks for first.
    pub unchanged: Vec<Field>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Field {
    pub path: String,
    pub label: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum What {
    /// A value or a text that is in both and differs.
    Changed,
    /// A text empty or absent before.
    New,
    /// A text given before and empty now.
    Emptied,
    /// A row of a table or an item of a list that only the new version has.
    Added,
    /// One that only the old version has.
    Removed,
}

#[derive(Debug, Serialize)]
pub struct Change {
    #[serde(flatten)]
    pub field: Field,
    pub what: What,
    pub old: String,
    pub new: String,
    /// For a text: its words, each the same, inserted or deleted.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub words: Vec<Piece>,
    /// For a text the form limits: its count before and after, and the limit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<Count>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mark {
    Same,
    Inserted,
    Deleted,
}

#[derive(Debug, Serialize)]
pub struct Piece {
    pub mark: Mark,
    pub text: String,
}

#[derive(Debug, Serialize)]
pub struct Count {
    pub old: usize,
    pub new: usize,
    pub limit: usize,
}

#[derive(Debug, Serialize)]
pub struct Spending {
    /// `recipient`, `received`, `outcome`, `output`, `additional`, `category`, `total` or
    /// `gender`.
    pub group: &'static str,
    pub label: String,
    pub old: String,
    pub new: String,
    /// The same in cents, for other programs (none where a version has no such line).
    pub old_cents: Option<i64>,
    pub new_cents: Option<i64>,
    /// The budget it is a share of, when that moved too.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_budget: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_budget: Option<String>,
    /// The share of the budget it stands for, in tenths of a percent, as written (`41.3%`).
    pub old_share: Option<String>,
    pub new_share: Option<String>,
}

impl Diff {
    /// Whether anything changed.
    pub fn is_empty(&self) -> bool {
        self.spending.is_empty() && self.parts.iter().all(|p| p.changes.is_empty())
    }

    pub fn changes(&self) -> usize {
        self.spending.len() + self.parts.iter().map(|p| p.changes.len()).sum::<usize>()
    }
}

/// The languages both versions are written in, the new one's order.
pub fn common_languages(old: &Side, new: &Side) -> Vec<String> {
    let had = &old.filled.envelope.languages;
    let langs = new.filled.envelope.languages.iter();
    langs.filter(|l| had.contains(l)).cloned().collect()
}

/// Why two versions are not two reports of one project on one form, if they are not.
pub fn mismatch(old: &Side, new: &Side) -> Option<String> {
    let (o, n) = (&old.filled, &new.filled);
    if o.form.form != n.form.form {
        return Some(format!(
            "the two reports are written on different forms (`{}` and `{}`)",
            o.form.form, n.form.form
        ));
    }
    (o.envelope.project_id != n.envelope.project_id).then(|| {
        format!(
            "the two reports are of different projects (`{}` and `{}`)",
            o.envelope.project_id, n.envelope.project_id
        )
    })
}

/// What changed from `old` to `new` in `lang`, worded with `catalog`.
pub fn compare(old: &Side, new: &Side, lang: &str, catalog: &Catalog) -> Diff {
    let options = crate::render::document::Options { draft: true };
    let old_data =
        crate::render::document::data_as_written(&old.filled, &old.version, catalog, options);
    let new_data =
        crate::render::document::data_as_written(&new.filled, &new.version, catalog, options);
    let (mut old_parts, mut new_parts) = (
        leaves(&old_data, &old.filled, lang),
        leaves(&new_data, &new.filled, lang),
    );
    old_parts.insert(0, envelope(&old.filled));
    new_parts.insert(0, envelope(&new.filled));
    let mut names: Vec<&(String, String)> = new_parts.iter().map(|(p, _)| p).collect();
    for (part, _) in &old_parts {
        if !names.iter().any(|n| n.0 == part.0) {
            names.push(part);
        }
    }
    let none = Vec::new();
    let parts = names
        .into_iter()
        .map(|(name, title)| {
            let find = |parts: &'_ [((String, String), Vec<Leaf>)]| -> Vec<Leaf> {
                let found = parts.iter().find(|(p, _)| p.0 == *name);
                found.map_or(&none, |(_, l)| l).clone()
            };
            part_changes(name, title, find(&old_parts), &find(&new_parts))
        })
        .collect();
    let spending = match (&old.filled.typed, &new.filled.typed) {
        (Some(o), Some(n)) => spending(o, n, catalog),
        _ => Vec::new(),
    };
    Diff {
        old: version_of(old),
        new: version_of(new),
        lang: lang.to_string(),
        parts,
        spending_title: one_line(&catalog.render("annex.file_title", minijinja::context! {})),
        spending,
    }
}

fn version_of(side: &Side) -> Version {
    Version {
        path: side.shown.clone(),
        version: side.version.clone(),
        warning: side.warning.clone(),
    }
}

/// One field of a version as the form shows it: an answer, or the head of a table's row or a
/// list's item (`row`), whose cells follow it.
#[derive(Debug, Clone)]
struct Leaf {
    /// Its path, once rows are matched: the new version's for a row both have.
    path: String,
    /// Its path in its own version, for what only one version has.
    own: String,
    label: String,
    shown: String,
    text: bool,
    /// An answer a reviewer reads for what was pasted unchanged: a narrative, or one the form
    /// asks anew each period.
    answer: bool,
    limit: Option<usize>,
    row: bool,
    /// An item of a list of texts (an attachment): added or removed whole.
    item: bool,
}

impl Leaf {
    fn new(path: String, label: String, shown: String) -> Leaf {
        Leaf {
            own: path.clone(),
            path,
            label,
            shown,
            text: false,
            answer: false,
            limit: None,
            row: false,
            item: false,
        }
    }
}

type Parts = Vec<((String, String), Vec<Leaf>)>;

/// The tool's own fields of a report: which form, which project, which languages.
fn envelope(filled: &Filled) -> ((String, String), Vec<Leaf>) {
    let e = &filled.envelope;
    let fields = [
        ("template", e.template.clone()),
        ("project_id", e.project_id.clone()),
        ("languages", e.languages.join(", ")),
        (
            "unofficial_translations",
            e.unofficial_translations.join(", "),
        ),
    ];
    let leaves = fields
        .into_iter()
        .map(|(name, value)| Leaf::new(name.into(), name.into(), value))
        .collect();
    (("report".into(), "report".into()), leaves)
}

/// Every field of the template data `data`, part by part, with the raw texts of `filled`.
fn leaves(data: &Value, filled: &Filled, lang: &str) -> Parts {
    let questions: HashMap<String, &crate::form::Question> = filled
        .form
        .fields()
        .into_iter()
        .map(|f| (crate::form::unnumbered(&f.path), f.question))
        .collect();
    let walk = Walk {
        filled,
        lang,
        questions,
    };
    let parts = data["parts"].as_array().into_iter().flatten();
    parts
        .map(|part| {
            let name = part["name"].as_str().unwrap_or_default().to_string();
            let title = part["title"]
                .as_str()
                .map_or_else(|| name.clone(), String::from);
            let mut out = Vec::new();
            for q in part["questions"].as_array().into_iter().flatten() {
                walk.question(q, "", &mut out);
            }
            ((name, title), out)
        })
        .collect()
}

/// What reading a version's fields needs: its answers, the language, and each question of its
/// form by its path without item numbers.
struct Walk<'a> {
    filled: &'a Filled,
    lang: &'a str,
    questions: HashMap<String, &'a crate::form::Question>,
}

impl Walk<'_> {
    fn question(&self, q: &Value, within: &str, out: &mut Vec<Leaf>) {
        let Ok(kind) = serde_json::from_value::<Kind>(q["kind"].clone()) else {
            return;
        };
        let path = q["path"].as_str().unwrap_or_default().to_string();
        let label = format!(
            "{within}{}",
            one_line(q["question"].as_str().unwrap_or_default())
        );
        let answer = &q["answer"];
        let asked = self.questions.get(&crate::form::unnumbered(&path));
        let period = asked.is_some_and(|q| q.period);
        let leaf = |shown: String, text: bool| Leaf {
            text,
            answer: text && (period || matches!(kind, Kind::Narrative | Kind::Text | Kind::Note)),
            limit: asked.and_then(|q| q.limit),
            ..Leaf::new(path.clone(), label.clone(), shown)
        };
        match kind {
            Kind::List | Kind::Table => {
                for item in answer["items"].as_array().into_iter().flatten() {
                    self.item(item, &label, within, out);
                }
            }
            Kind::Annex => {}
            k if k.is_text() => out.push(leaf(raw_text(&self.filled.tree, &path, self.lang), true)),
            Kind::Rating | Kind::Choice | Kind::Ticks => {
                out.push(leaf(text_of(&answer["label"]), false));
            }
            Kind::Amounts => {
                let items = answer["items"].as_array().into_iter().flatten();
                let shown: Vec<String> = items
                    .map(|i| format!("{}: {}", text_of(&i["id"]), text_of(&i["text"])))
                    .collect();
                out.push(leaf(shown.join("; "), false));
            }
            _ => out.push(leaf(text_of(&answer["text"]), false)),
        }
    }

    /// An item of a list: a row with its questions, or a text.
    fn item(&self, item: &Value, label: &str, within: &str, out: &mut Vec<Leaf>) {
        let at = item["path"].as_str().unwrap_or_default().to_string();
        let Some(questions) = item["questions"].as_array() else {
            let n = at.rsplit('[').next().unwrap_or("").trim_end_matches(']');
            let text = raw_text(&self.filled.tree, &at, self.lang);
            out.push(Leaf {
                text: true,
                item: true,
                ..Leaf::new(at.clone(), format!("{label} ({n})"), text)
            });
            return;
        };
        let head = one_line(item["label"].as_str().unwrap_or_default());
        // A row is known by its first cell: an indicator by its wording, an outcome by its
        // statement, an activity by its formulation.
        let first = questions.first().map_or(String::new(), |c| {
            raw_text(
                &self.filled.tree,
                c["path"].as_str().unwrap_or_default(),
                self.lang,
            )
        });
        out.push(Leaf {
            row: true,
            ..Leaf::new(at, format!("{within}{head}"), first)
        });
        for c in questions {
            self.question(c, &format!("{within}{head} › "), out);
        }
    }
}

fn text_of(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_string()
}

/// A wording on one line, without the colon a form puts after a question.
fn one_line(text: &str) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let bare = line.trim_end_matches([':', ' ', '\u{a0}', '\u{202f}']);
    bare.to_string()
}

/// The text at `path` (`outcomes[1].indicators[2].progress`) of a source's answers, in `lang`
/// when it is given per language, its ends trimmed.
fn raw_text(tree: &Value, path: &str, lang: &str) -> String {
    let text = match at(tree, path).unwrap_or(&Value::Null) {
        Value::Object(per_language) => per_language.get(lang).and_then(Value::as_str),
        other => other.as_str(),
    };
    text.unwrap_or_default().trim().to_string()
}

/// The answer at `path` (`outcomes[1].indicators[2].progress`) of a source's answers.
pub fn at<'a>(tree: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(tree, |node, step| {
        let (key, index) = match step.split_once('[') {
            Some((key, n)) => (key, n.trim_end_matches(']').parse::<usize>().ok()),
            None => (step, None),
        };
        let node = node.get(key)?;
        match index {
            Some(n) => node.get(n.checked_sub(1)?),
            None => Some(node),
        }
    })
}

/// Gives the old version's rows and items the paths of the new version's they stand for, list
/// by list, outer lists first: a row is matched by its first cell (the longest run of rows in
/// the same order), and the rows left between two matched ones pair in order (a row edited in
/// place). A row left unmatched gets a path no new row has.
fn align(old: &mut [Leaf], new: &[Leaf]) {
    let depth = |p: &str| p.matches('[').count();
    let listed = |l: &&Leaf| l.row || l.item;
    let deepest = old
        .iter()
        .chain(new)
        .filter(listed)
        .map(|l| depth(&l.path))
        .max();
    for d in 1..=deepest.unwrap_or(0) {
        let list_of = |p: &str| {
            p.rsplit_once('[')
                .map_or(String::new(), |(l, _)| l.to_string())
        };
        let at_depth = |leaves: &[Leaf]| -> Vec<(String, String, String)> {
            let rows = leaves.iter().filter(listed).filter(|l| depth(&l.path) == d);
            rows.map(|l| (list_of(&l.path), l.path.clone(), l.shown.clone()))
                .collect()
        };
        let (was, is) = (at_depth(old), at_depth(new));
        let mut renames: Vec<(String, String)> = Vec::new();
        let mut lists: Vec<&String> = is.iter().chain(&was).map(|r| &r.0).collect();
        lists.dedup();
        lists.sort();
        lists.dedup();
        for list in lists {
            let olds: Vec<&(String, String, String)> =
                was.iter().filter(|r| r.0 == *list).collect();
            let news: Vec<&(String, String, String)> = is.iter().filter(|r| r.0 == *list).collect();
            let keys = |rows: &[&(String, String, String)]| -> Vec<String> {
                rows.iter().map(|r| r.2.clone()).collect()
            };
            for (i, j) in matched(&keys(&olds), &keys(&news)) {
                let to = match j {
                    Some(j) => news[j].1.clone(),
                    None => format!("{list}[-{}]", i + 1),
                };
                renames.push((olds[i].1.clone(), to));
            }
        }
        for leaf in old.iter_mut() {
            let found = renames.iter().find(|(from, _)| {
                leaf.path == *from
                    || leaf
                        .path
                        .strip_prefix(from.as_str())
                        .is_some_and(|rest| rest.starts_with(['.', '[']))
            });
            if let Some((from, to)) = found {
                leaf.path = format!("{to}{}", &leaf.path[from.len()..]);
            }
        }
    }
}

/// Each old row's partner among the new rows, by key: the longest common subsequence of equal
/// (non-empty) keys, then, between two matched rows, the unmatched ones paired in order.
fn matched(old: &[String], new: &[String]) -> Vec<(usize, Option<usize>)> {
    let (n, m) = (old.len(), new.len());
    // Lists hold at most a few dozen rows: the quadratic table is small.
    let mut longest = vec![vec![0usize; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            longest[i][j] = match !old[i].is_empty() && old[i] == new[j] {
                true => longest[i + 1][j + 1] + 1,
                false => longest[i + 1][j].max(longest[i][j + 1]),
            };
        }
    }
    let mut anchors = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < n && j < m {
        if !old[i].is_empty() && old[i] == new[j] {
            anchors.push((i, j));
            i += 1;
            j += 1;
        } else if longest[i + 1][j] >= longest[i][j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    let mut pairs = Vec::new();
    let (mut i, mut j) = (0, 0);
    for (ai, aj) in anchors.into_iter().chain([(n, m)]) {
        // The rows between the last anchor and this one, paired in order.
        let gap = (ai - i).min(aj - j);
        for k in 0..gap {
            pairs.push((i + k, Some(j + k)));
        }
        for k in gap..ai - i {
            pairs.push((i + k, None));
        }
        if ai < n {
            pairs.push((ai, Some(aj)));
        }
        (i, j) = (ai + 1, aj + 1);
    }
    // A row moved: left unmatched on both sides with the same key.
    let taken: Vec<usize> = pairs.iter().filter_map(|(_, j)| *j).collect();
    let mut free: Vec<usize> = (0..m).filter(|j| !taken.contains(j)).collect();
    for (i, partner) in pairs.iter_mut() {
        if partner.is_none()
            && let Some(k) = free
                .iter()
                .position(|&j| !old[*i].is_empty() && new[j] == old[*i])
        {
            *partner = Some(free.remove(k));
        }
    }
    pairs
}

/// The changes of one part, the new version's order first, then what only the old one had.
fn part_changes(name: &str, title: &str, mut old: Vec<Leaf>, new: &[Leaf]) -> PartChanges {
    align(&mut old, new);
    let was: HashMap<&str, &Leaf> = old.iter().map(|l| (l.path.as_str(), l)).collect();
    let is: HashMap<&str, &Leaf> = new.iter().map(|l| (l.path.as_str(), l)).collect();
    let (mut changes, mut unchanged) = (Vec::new(), Vec::new());
    // The rows only one version has: their cells are the row's, not changes of their own.
    let mut whole: Vec<String> = Vec::new();
    let within = |path: &str, whole: &[String]| {
        whole
            .iter()
            .any(|row| path.starts_with(row.as_str()) && path[row.len()..].starts_with('.'))
    };
    for leaf in new {
        if within(&leaf.path, &whole) {
            continue;
        }
        match (was.get(leaf.path.as_str()), leaf.row || leaf.item) {
            (None, true) => {
                whole.push(leaf.path.clone());
                changes.push(row_change(leaf, What::Added));
            }
            (Some(_), true) if leaf.row => {}
            (before, _) => {
                let before = before.map_or("", |l| l.shown.as_str());
                compare_leaf(leaf, before, &mut changes, &mut unchanged);
            }
        }
    }
    for leaf in &old {
        if is.contains_key(leaf.path.as_str()) || within(&leaf.path, &whole) {
            continue;
        }
        match leaf.row || leaf.item {
            true => {
                whole.push(leaf.path.clone());
                changes.push(row_change(leaf, What::Removed));
            }
            false if !leaf.shown.is_empty() => {
                let gone = Leaf {
                    shown: String::new(),
                    path: leaf.own.clone(),
                    ..leaf.clone()
                };
                compare_leaf(&gone, &leaf.shown, &mut changes, &mut unchanged);
            }
            false => {}
        }
    }
    PartChanges {
        part: name.to_string(),
        title: one_line(title),
        changes,
        unchanged,
    }
}

fn row_change(leaf: &Leaf, what: What) -> Change {
    let (old, new) = match what {
        What::Added => (String::new(), leaf.shown.clone()),
        _ => (leaf.shown.clone(), String::new()),
    };
    Change {
        field: Field {
            path: leaf.own.clone(),
            label: leaf.label.clone(),
        },
        what,
        old,
        new,
        words: Vec::new(),
        count: None,
    }
}

fn field_of(leaf: &Leaf) -> Field {
    Field {
        path: leaf.path.clone(),
        label: leaf.label.clone(),
    }
}

fn compare_leaf(leaf: &Leaf, before: &str, changes: &mut Vec<Change>, unchanged: &mut Vec<Field>) {
    let now = leaf.shown.as_str();
    if now == before {
        if leaf.answer && !now.is_empty() {
            unchanged.push(field_of(leaf));
        }
        return;
    }
    let what = match (before.is_empty(), now.is_empty()) {
        (true, _) if leaf.text => What::New,
        (_, true) if leaf.text => What::Emptied,
        _ => What::Changed,
    };
    let count = leaf.limit.map(|limit| Count {
        old: crate::check::limits::count(before),
        new: crate::check::limits::count(now),
        limit,
    });
    let words = match (leaf.text, what) {
        (true, What::Changed) => words(before, now),
        _ => Vec::new(),
    };
    changes.push(Change {
        field: field_of(leaf),
        what,
        old: before.to_string(),
        new: now.to_string(),
        words,
        count,
    });
}

/// `old` and `new` word by word (Myers' algorithm, by `similar`), runs of one mark joined; past
/// `MOST_TOKENS`, the old text deleted and the new one inserted whole.
pub fn words(old: &str, new: &str) -> Vec<Piece> {
    let tokens = |s: &str| s.split_inclusive(char::is_whitespace).count();
    if tokens(old) + tokens(new) > MOST_TOKENS {
        return vec![
            Piece {
                mark: Mark::Deleted,
                text: old.to_string(),
            },
            Piece {
                mark: Mark::Inserted,
                text: new.to_string(),
            },
        ];
    }
    let diff = similar::TextDiff::configure()
        .algorithm(similar::Algorithm::Myers)
        .diff_words(old, new);
    let mut pieces: Vec<Piece> = Vec::new();
    for change in diff.iter_all_changes() {
        let mark = match change.tag() {
            similar::ChangeTag::Equal => Mark::Same,
            similar::ChangeTag::Insert => Mark::Inserted,
            similar::ChangeTag::Delete => Mark::Deleted,
        };
        let text = change.value();
        match pieces.last_mut() {
            Some(last) if last.mark == mark => last.text.push_str(text),
            _ => pieces.push(Piece {
                mark,
                text: text.to_string(),
            }),
        }
    }
    pieces
}

/// The spending lines that moved: per recipient, outcome, output, category, in all, and the
/// amount towards gender equality.
fn spending(old: &Report, new: &Report, catalog: &Catalog) -> Vec<Spending> {
    let (was, is) = (figures(old, catalog), figures(new, catalog));
    let mut out = Vec::new();
    let keys: Vec<&(usize, &'static str, String)> = {
        let mut keys: Vec<_> = is.keys().collect();
        keys.extend(was.keys().filter(|k| !is.contains_key(*k)));
        keys.sort();
        keys
    };
    let money = |usd: Usd| crate::render::document::format_money(usd, catalog);
    let decimal = catalog.get("format.decimal");
    for key in keys {
        let (before, after) = (was.get(key), is.get(key));
        if before == after {
            continue;
        }
        let spent = |f: Option<&(Usd, Usd)>| f.map_or(String::new(), |f| money(f.0));
        let budget = |f: Option<&(Usd, Usd)>| f.map(|f| money(f.1));
        let moved = before.map(|f| f.1) != after.map(|f| f.1);
        out.push(Spending {
            group: key.1,
            label: key.2.clone(),
            old: spent(before),
            new: spent(after),
            old_cents: before.map(|f| f.0.0),
            new_cents: after.map(|f| f.0.0),
            old_budget: budget(before).filter(|_| moved),
            new_budget: budget(after).filter(|_| moved),
            old_share: before.and_then(|f| share(f.0, f.1, &decimal, &catalog.lang)),
            new_share: after.and_then(|f| share(f.0, f.1, &decimal, &catalog.lang)),
        });
    }
    out
}

/// `part` of `whole` in percent with one decimal, rounded half up, from the cents, written
/// with the language's decimal mark (`97,2 %` in French, as its typography spaces `%`).
fn share(part: Usd, whole: Usd, decimal: &str, lang: &str) -> Option<String> {
    (whole.0 > 0).then(|| {
        let tenths = (i128::from(part.0) * 2000 + i128::from(whole.0)) / (2 * i128::from(whole.0));
        let space = if lang == "fr" { "\u{202f}" } else { "" };
        format!("{}{decimal}{}{space}%", tenths / 10, tenths % 10)
    })
}

/// Each spending line of a report, by its order, group and label: what was spent and the
/// budget it is a share of.
fn figures(
    report: &Report,
    catalog: &Catalog,
) -> BTreeMap<(usize, &'static str, String), (Usd, Usd)> {
    let mut out = BTreeMap::new();
    let label = |key: &str, n: &str| catalog.render(key, minijinja::context! { n => n });
    let annex = &report.annex_a;
    for (i, r) in report.cover.recipients.iter().enumerate() {
        let spent: Usd = annex.by_category.get(&r.id).map_or(Usd(0), |c| {
            c.lines().iter().map(|(_, line)| line.spent).sum()
        });
        let name = r.name.get(&catalog.lang).to_string();
        let delivered = spent + crate::model::indirect(spent);
        out.insert((i, "recipient", name.clone()), (delivered, r.budget));
        let received = annex.funds_received.get(&r.id).copied().unwrap_or(Usd(0));
        let label = format!("{name}: {}", label("annex.received", ""));
        out.insert((50 + i, "received", label), (received, r.budget));
    }
    for (k, (key, line)) in annex.additional_costs.lines().enumerate() {
        let budget = line.budget.values().copied().sum();
        let label = label(&format!("annex.additional.{key}"), "");
        out.insert((900 + k, "additional", label), (line.spent, budget));
    }
    let line_sum = |activities: &[crate::model::Activity]| -> (Usd, Usd) {
        let spent = activities.iter().map(|a| a.spent).sum();
        let budget = activities
            .iter()
            .flat_map(|a| a.budget.values().copied())
            .sum();
        (spent, budget)
    };
    for (i, outcome) in report.outcomes.iter().enumerate() {
        let all: Vec<crate::model::Activity> = outcome
            .outputs
            .iter()
            .flat_map(|o| o.activities.iter().cloned())
            .collect();
        let n = (i + 1).to_string();
        out.insert(
            (100 + i * 10, "outcome", label("annex.outcome", &n)),
            line_sum(&all),
        );
        for (j, output) in outcome.outputs.iter().enumerate() {
            let n = format!("{}.{}", i + 1, j + 1);
            let key = (100 + i * 10 + j + 1, "output", label("annex.output", &n));
            out.insert(key, line_sum(&output.activities));
        }
    }
    for (k, key) in crate::model::Categories::KEYS.iter().enumerate() {
        let lines = annex.by_category.values().map(|c| *c.lines()[k].1);
        let (spent, budget) = lines.fold((Usd(0), Usd(0)), |(s, b), l| (s + l.spent, b + l.budget));
        out.insert(
            (1000 + k, "category", label(&format!("category.{key}"), "")),
            (spent, budget),
        );
    }
    let spent: Usd = annex
        .by_category
        .values()
        .flat_map(|c| c.lines().map(|(_, l)| l.spent))
        .sum();
    let total = spent + annex.indirect_on_spent(&report.cover.recipients);
    out.insert(
        (2000, "total", label("annex.spent_total", "")),
        (total, report.cover.budget_total),
    );
    let all: Vec<&crate::model::Activity> = report
        .outcomes
        .iter()
        .flat_map(|o| &o.outputs)
        .flat_map(|o| &o.activities)
        .collect();
    let gender: Usd = all.iter().map(|a| a.gender).sum();
    let budget: Usd = all.iter().flat_map(|a| a.budget.values().copied()).sum();
    out.insert(
        (2001, "gender", label("annex.gender_amount", "")),
        (gender, budget),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_mark_what_was_inserted_and_deleted() {
        let pieces = words(
            "Le projet a formé 20 femmes.",
            "Le projet a formé 32 femmes leaders.",
        );
        let marked: Vec<(Mark, &str)> = pieces.iter().map(|p| (p.mark, p.text.as_str())).collect();
        assert_eq!(
            marked,
            [
                (Mark::Same, "Le projet a formé "),
                (Mark::Deleted, "20"),
                (Mark::Inserted, "32 femmes"),
                (Mark::Same, " "),
                (Mark::Deleted, "femmes."),
                (Mark::Inserted, "leaders."),
            ]
        );
    }

    #[test]
    fn texts_too_long_to_compare_word_by_word_are_replaced_whole() {
        let old = "a ".repeat(MOST_TOKENS);
        let pieces = words(&old, "b");
        let marks: Vec<Mark> = pieces.iter().map(|p| p.mark).collect();
        assert_eq!(marks, [Mark::Deleted, Mark::Inserted]);
        assert_eq!(pieces[0].text, old);
    }

    #[test]
    fn rows_are_matched_by_their_first_cell_then_in_order() {
        let keys = |k: &[&str]| k.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        // The second of three removed: the third is matched, not called the second.
        assert_eq!(
            matched(&keys(&["a", "b", "c"]), &keys(&["a", "c"])),
            [(0, Some(0)), (1, None), (2, Some(1))]
        );
        // A row reworded in place is paired with its new wording.
        assert_eq!(
            matched(&keys(&["a", "b", "c"]), &keys(&["a", "B", "c", "d"])),
            [(0, Some(0)), (1, Some(1)), (2, Some(2))]
        );
        assert_eq!(
            matched(&keys(&["", ""]), &keys(&[""])),
            [(0, Some(0)), (1, None)]
        );
        // Two rows swapped: each is itself, moved.
        assert_eq!(
            matched(&keys(&["a", "b"]), &keys(&["b", "a"])),
            [(0, Some(1)), (1, Some(0))]
        );
    }

    #[test]
    fn a_share_is_rounded_to_a_tenth_of_a_percent() {
        assert_eq!(
            share(Usd(41_250), Usd(100_000), ".", "en").as_deref(),
            Some("41.3%")
        );
        assert_eq!(
            share(Usd(1), Usd(3), ",", "fr").as_deref(),
            Some("33,3\u{202f}%")
        );
        assert_eq!(share(Usd(1), Usd(0), ".", "en"), None);
    }
}
