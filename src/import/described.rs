//! A past report of a form other than the built-in one, read from its text by the form's
//! description: each question's wording, in any language of the form's catalogs, starts its
//! answer, which runs to the next question or part heading; each answer is parsed by its kind.
//! What cannot be placed (a table's rows, a value in words) is a `# TODO` with the report's text.

use std::path::Path;

use super::form::{self, fold};
use super::past::{Past, Row};
use super::yaml::Y;
use crate::error::Result;
use crate::form::{Form, Kind, Question};
use crate::i18n::Catalog;

/// Whether `text` is a report of `form`: its title, in one of `catalogs`, starts one of the
/// first lines.
pub fn is_of(form: &Form, catalogs: &[Catalog], text: &str) -> bool {
    let titles: Vec<String> = catalogs
        .iter()
        .map(|c| fold(&c.get(&form.title)).0)
        .collect();
    text.lines().take(20).any(|line| {
        let line = fold(line).0;
        titles
            .iter()
            .any(|t| !t.is_empty() && line.starts_with(t.as_str()))
    })
}

/// A question's wording as it starts a line, in one language.
struct Anchor {
    /// Which question (by its place in the form), or none for a part's heading.
    question: Option<usize>,
    lang: usize,
    folded: String,
}

/// Reads the report of `form` in `text`, its wording in `catalogs`.
pub fn read(path: &Path, text: &str, form: &Form, catalogs: &[Catalog]) -> Result<Past> {
    let questions: Vec<&Question> = form.parts.iter().flat_map(|p| &p.questions).collect();
    let mut anchors = Vec::new();
    for (lang, catalog) in catalogs.iter().enumerate() {
        let wording = |key: &str| fold(&catalog.render(key, minijinja::context! { n => 1 })).0;
        for (i, q) in questions.iter().enumerate() {
            anchors.push(Anchor {
                question: Some(i),
                lang,
                folded: wording(&q.key),
            });
        }
        for part in &form.parts {
            if let Some(title) = &part.title {
                anchors.push(Anchor {
                    question: None,
                    lang,
                    folded: wording(title),
                });
            }
        }
    }
    anchors.retain(|a| !a.folded.is_empty());
    // The longest wording first, so that a question is not taken for a shorter one it starts with.
    anchors.sort_by_key(|a| std::cmp::Reverse(a.folded.len()));

    // Each question found: its language, the line it starts on (from 1) and its answer's lines.
    let mut found: Vec<Option<(usize, usize, Vec<String>)>> = vec![None; questions.len()];
    let mut current: Option<usize> = None;
    let lines: Vec<&str> = text.lines().collect();
    let mut no = 0;
    while no < lines.len() {
        // A question wrapped over up to three lines is read whole.
        let hit = (1..=3).filter(|n| no + n <= lines.len()).find_map(|n| {
            let joined = lines[no..no + n].join(" ");
            let folded = fold(&joined).0;
            anchors
                .iter()
                .find(|a| starts_with_words(&folded, &a.folded))
                .map(|a| (a, n, joined))
        });
        match hit {
            Some((anchor, used, joined)) => {
                current = anchor.question.filter(|q| found[*q].is_none());
                if let Some(q) = current {
                    let rest = after_wording(&joined, &anchor.folded);
                    found[q] = Some((anchor.lang, no + 1, vec![rest]));
                }
                no += used;
            }
            None => {
                if let Some((_, _, answer)) = current.and_then(|q| found[q].as_mut()) {
                    answer.push(lines[no].to_string());
                }
                no += 1;
            }
        }
    }
    let asked = questions.len();
    let count = found.iter().flatten().count();
    if count * 2 < asked {
        return Err(super::wrong(
            path,
            format!(
                "a report of the form `{}` with only {count} of its {asked} questions",
                form.form
            ),
        ));
    }
    let mut votes = vec![0usize; catalogs.len()];
    for (lang, ..) in found.iter().flatten() {
        votes[*lang] += 1;
    }
    let lang = (0..votes.len()).max_by_key(|i| votes[*i]).unwrap_or(0);
    let months = crate::check::help::months_of(catalogs);
    let mut rows = Vec::new();
    let mut top: Vec<(String, Y)> = vec![
        ("template".into(), Y::raw(&form.form)),
        (
            "project_id".into(),
            Y::Todo("the project's id: its report's text does not give it".into()),
        ),
        (
            "languages".into(),
            Y::raw(format!("[{}]", catalogs[lang].lang)),
        ),
    ];
    let mut date = None;
    for (q, answer) in questions.iter().zip(&found) {
        let (text, line) = match answer {
            Some((lang, line, lines)) => {
                let text = form::clean(&form::reflow(lines));
                (without_limit(&text, &catalogs[*lang]), Some(*line))
            }
            None => (String::new(), None),
        };
        let (value, state) = value(form, q, &text, line, catalogs, &months);
        if q.role.as_deref() == Some("report_date")
            && let Y::Raw(iso) = &value
        {
            date = Some(iso.clone());
        }
        rows.push(Row {
            field: q.path.clone(),
            state,
            line,
        });
        insert(&mut top, &q.path, value);
    }
    let mut text = format!(
        "# yaml-language-server: $schema=../{}.schema.json\n\
         # Imported from a past report by the form's wording: each TODO is what its text did not\n\
         # give; `pbf-report check` lists what remains.\n",
        form.form
    );
    text.push_str(&super::yaml::render(&top));
    Ok(Past {
        text,
        project: None,
        version: date,
        rows,
        found: count,
        asked,
        notes: Vec::new(),
    })
}

/// Whether `line` starts with the words of `wording` (both folded).
fn starts_with_words(line: &str, wording: &str) -> bool {
    line.strip_prefix(wording)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(' '))
}

/// What follows the wording on its line.
fn after_wording(line: &str, wording: &str) -> String {
    let (folded, ends) = fold(line);
    let cut = match folded.len() == wording.len() {
        true => line.len(),
        false => ends
            .get(wording.len().saturating_sub(1))
            .copied()
            .unwrap_or(line.len()),
    };
    let rest = line[cut..].trim_start_matches([':', '?', ' ', '\u{202F}', '\u{A0}']);
    rest.trim().to_string()
}

/// An answer without the limit note its question ends with (`(800 character limit)`), which a
/// page may have put on the answer's first line; and with a PDF's bullets (`• Kayes`, or at the
/// end of the line before their item when a page draws them after: `… •` then `Kayes`) back as
/// `- ` items.
fn without_limit(text: &str, catalog: &Catalog) -> String {
    let note = catalog.get("limit");
    let (before, after) = note.split_once("{{").unwrap_or((&note, ""));
    let after = after.split_once("}}").map_or("", |(_, a)| a);
    let mut text = text.trim_start();
    if !before.trim().is_empty() && text.starts_with(before.trim()) {
        let end = match after.trim().is_empty() {
            true => text.find(char::is_whitespace),
            false => text.find(after.trim()).map(|at| at + after.trim().len()),
        };
        text = end.map_or("", |end| &text[end..]).trim_start();
    }
    let lines: Vec<String> = text.lines().map(str::to_string).collect();
    let mut out = Vec::new();
    let mut bullet = false;
    for line in lines {
        let trimmed = line.trim_end();
        let next = trimmed.strip_suffix('•').map(str::trim_end);
        let body = next.unwrap_or(trimmed);
        let item = body.trim_start().strip_prefix("• ");
        out.push(match (bullet, item) {
            (_, Some(item)) => format!("- {}", item.trim_start()),
            (true, None) => format!("- {}", body.trim_start()),
            (false, None) => body.to_string(),
        });
        bullet = next.is_some();
    }
    out.join("\n").trim().to_string()
}

/// The source value of `q` from its answer's `text`, and whether it was found.
fn value(
    form: &Form,
    q: &Question,
    text: &str,
    line: Option<usize>,
    catalogs: &[Catalog],
    months: &[Vec<String>],
) -> (Y, &'static str) {
    let todo = |expected: &str| {
        let note = match (text.is_empty(), line) {
            (false, Some(line)) => format!(
                "{expected}; the report has, on line {line}: {}",
                super::yaml::quoted(text)
            ),
            _ => format!("{expected}; not found in the report"),
        };
        (
            Y::Todo(note),
            if text.is_empty() { "not found" } else { "TODO" },
        )
    };
    if q.kind == Kind::Table {
        let expected = "its rows, as `pbf-report new` shows them (a table is not read from a \
                        report's text)";
        return (todo(expected).0, "TODO");
    }
    if text.is_empty() {
        return match q.kind {
            Kind::List if !q.required => (Y::List(Vec::new()), "empty"),
            _ if q.required => todo("an answer"),
            _ => (Y::Todo("not answered in the report".into()), "empty"),
        };
    }
    let choices = || -> Vec<(String, String)> {
        let name = q.options.as_deref().unwrap_or_default();
        let keys = form.options.get(name).cloned().unwrap_or_default();
        catalogs
            .iter()
            .flat_map(|c| {
                keys.iter()
                    .map(move |k| (k.clone(), c.get(&format!("{name}.{k}"))))
            })
            .collect()
    };
    match q.kind {
        k if k.is_text() => (Y::text(text), "found"),
        // A PDF's text may put each box and option on a line of its own.
        Kind::Rating | Kind::Choice | Kind::Ticks if q.most.is_none() => {
            match form::choice(&text.replace('\n', " "), &choices()) {
                Some(key) => (Y::raw(key), "found"),
                None => todo("one option ticked"),
            }
        }
        Kind::Ticks => {
            let mut ticked = form::ticked(&text.replace('\n', " "), &choices());
            ticked.dedup();
            (Y::raw(format!("[{}]", ticked.join(", "))), "found")
        }
        Kind::Date | Kind::Month => {
            let month = q.kind == Kind::Month;
            match crate::check::help::iso_date(text, months, month) {
                Some(iso) => {
                    let iso: String = iso.chars().take(if month { 7 } else { 10 }).collect();
                    (Y::raw(iso), "found")
                }
                None => todo(if month {
                    "a month as YYYY-MM"
                } else {
                    "a date as YYYY-MM-DD"
                }),
            }
        }
        Kind::Amount => match form::amount(text) {
            Some(usd) => (Y::raw(usd), "found"),
            None => todo("an amount in USD"),
        },
        Kind::Count => match form::count(text) {
            Some(n) => (Y::raw(n.to_string()), "found"),
            None => todo("a whole number"),
        },
        Kind::List if q.each.is_empty() => {
            let items: Vec<Y> = form::items(text).into_iter().map(Y::text).collect();
            (Y::List(items), "found")
        }
        _ => todo("its items, as `pbf-report new` shows them"),
    }
}

/// `value` at the dotted `path` of the mapping `entries`, groups made on the way.
fn insert(entries: &mut Vec<(String, Y)>, path: &str, value: Y) {
    match path.split_once('.') {
        None => entries.push((path.to_string(), value)),
        Some((group, rest)) => {
            let at = match entries.iter().position(|(k, _)| k == group) {
                Some(at) => at,
                None => {
                    entries.push((group.to_string(), Y::Map(Vec::new())));
                    entries.len() - 1
                }
            };
            if let Y::Map(inner) = &mut entries[at].1 {
                insert(inner, rest, value);
            }
        }
    }
}
