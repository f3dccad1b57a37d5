//! The body of a new source, written from a form's description: each question's wording as a
//! comment, then its field, filled in with an empty answer when the form requires it and shown
//! as a commented example when it does not. Lists get one item, so that a writer sees the shape.

use super::{Form, Kind, Question};

/// What a skeleton needs beyond the description: the wording of a catalog key (with `n` for a
/// numbered one), the note that states a limit, and values already known, by role
/// (`report_date`, `modality`), each with the words that say where it came from.
pub struct Words<'a> {
    pub wording: &'a dyn Fn(&str, Option<usize>) -> String,
    pub limit: &'a dyn Fn(usize) -> String,
    pub known: &'a dyn Fn(&str) -> Option<(String, &'static str)>,
}

/// The id a skeleton gives its one recipient, which the amounts per recipient then name.
pub const FIRST_ID: &str = "agency1";

impl Form {
    /// The fields of a new source after the tool's own (`template`, `languages`).
    pub fn skeleton(&self, words: &Words) -> String {
        let mut out = Writer {
            form: self,
            words,
            text: String::new(),
            last_key: None,
        };
        let mut group: Option<&str> = None;
        for part in &self.parts {
            let mut titled = false;
            for q in &part.questions {
                let (head, _) = q.path.split_once('.').unwrap_or(("", &q.path));
                if !titled {
                    out.text.push('\n');
                    if let Some(title) = &part.title {
                        out.text
                            .push_str(&format!("# {}\n", (words.wording)(title, None)));
                        out.last_key = Some(title.clone());
                    }
                    titled = true;
                }
                if !head.is_empty() && group != Some(head) {
                    out.text.push_str(&format!("{head}:\n"));
                }
                group = Some(head).filter(|h| !h.is_empty());
                let indent = if group.is_some() { "  " } else { "" };
                out.question(q, indent);
            }
        }
        out.text
    }
}

struct Writer<'a> {
    form: &'a Form,
    words: &'a Words<'a>,
    text: String,
    /// The wording last written, so that fields asked by one question are not asked twice.
    last_key: Option<String>,
}

impl Writer<'_> {
    fn question(&mut self, q: &Question, indent: &str) {
        self.ask(q, indent);
        let name = q.path.rsplit('.').next().unwrap_or(&q.path);
        let line = self.value(q, name, indent);
        self.text.push_str(&line);
    }

    /// The question's wording as a comment, with its limit; for a field of a question already
    /// asked, what the field holds.
    fn ask(&mut self, q: &Question, indent: &str) {
        if self.last_key.as_deref() == Some(q.key.as_str()) {
            if let Some(about) = &q.about {
                self.text.push_str(&format!("{indent}# {about}\n"));
            }
            return;
        }
        self.last_key = Some(q.key.clone());
        let mut wording = (self.words.wording)(&q.key, Some(1));
        if let Some(limit) = q.limit {
            wording = format!("{wording} {}", (self.words.limit)(limit));
        }
        for line in wording.lines() {
            self.text.push_str(&format!("{indent}# {line}\n"));
        }
    }

    /// The field's lines: `name: value   # hint`, commented out when the form does not require it.
    fn value(&mut self, q: &Question, name: &str, indent: &str) -> String {
        let options = q.options.as_ref().and_then(|o| self.form.options.get(o));
        let first = options.and_then(|o| o.first()).cloned().unwrap_or_default();
        let known = q.role.as_deref().and_then(|r| (self.words.known)(r));
        let (value, hint) = match q.kind {
            Kind::Rating | Kind::Choice | Kind::Ticks if q.most.is_none() => {
                let all = options.map(|o| o.join(" | ")).unwrap_or_default();
                match known {
                    Some((value, from)) => (value, format!("{all}{from}")),
                    // A rating is the writer's judgement: left for them to choose, and `check`
                    // asks for it.
                    None if q.kind == Kind::Rating => (String::new(), format!("choose: {all}")),
                    None => (first, all),
                }
            }
            Kind::Ticks => (
                format!("[{first}]"),
                options.map(|o| o.join(", ")).unwrap_or_default(),
            ),
            Kind::Date => known
                .map(|(v, _)| v)
                .map_or(("\"\"".into(), "YYYY-MM-DD".into()), |v| {
                    (v, "YYYY-MM-DD".into())
                }),
            Kind::Month => ("\"\"".into(), "YYYY-MM".into()),
            Kind::Amount | Kind::Count => ("0".into(), String::new()),
            Kind::YesNo | Kind::Flag => ("true".into(), String::new()),
            Kind::Id => match q.role.as_deref() {
                Some("recipient_id") => (FIRST_ID.into(), String::new()),
                _ => ("\"\"".into(), String::new()),
            },
            Kind::Amounts => (format!("{{{FIRST_ID}: 0}}"), String::new()),
            Kind::List if q.each.is_empty() => ("[\"\"]".into(), String::new()),
            Kind::List | Kind::Table => return self.items(q, name, indent),
            Kind::Annex => return self.annex(name, indent),
            _ => ("\"\"".into(), String::new()),
        };
        let hint = match hint.is_empty() {
            true => String::new(),
            false => format!("   # {hint}"),
        };
        // A flag the rules need set (the lead agency) is written set; others are examples.
        let shown = q.required || (q.kind == Kind::Flag && q.role.is_some());
        let comment = if shown { "" } else { "# " };
        format!("{indent}{comment}{name}: {value}{hint}\n")
    }

    /// A list of items with fields: one item, its fields under `- `.
    fn items(&mut self, q: &Question, name: &str, indent: &str) -> String {
        let columns: &[Question] = match &q.table {
            Some(table) => self.form.table(table),
            None => &q.each,
        };
        let mut lines = format!("{indent}{name}:\n");
        let inner = format!("{indent}    ");
        let saved = std::mem::take(&mut self.text);
        for column in columns {
            self.question(column, &inner);
        }
        let item = std::mem::replace(&mut self.text, saved);
        // The item's first field carries the dash; the wording before it stays a comment.
        let mut dashed = false;
        for line in item.lines() {
            match line.strip_prefix(&inner) {
                Some(field) if !dashed && !field.starts_with('#') => {
                    lines.push_str(&format!("{indent}  - {field}\n"));
                    dashed = true;
                }
                _ => lines.push_str(&format!("{line}\n")),
            }
        }
        lines
    }

    /// Annex A's figures: the tool reads them into its own types, which give the example.
    fn annex(&mut self, name: &str, indent: &str) -> String {
        let mut lines = format!("{indent}{name}:\n");
        for line in crate::model::AnnexA::EXAMPLE.lines() {
            lines.push_str(&format!("{indent}  {line}\n"));
        }
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_skeleton_shows_every_field_of_its_form_under_its_group() {
        let form = Form::pbf_2019();
        let words = Words {
            wording: &|key, _| format!("<{key}>"),
            limit: &|n| format!("({n})"),
            known: &|_| None,
        };
        let text = form.skeleton(&words);
        // Every field, at the indent its path gives it, asked or shown as an example.
        for field in form.fields() {
            if field.path.contains("[2]")
                || field.path.contains("[3]")
                || field.path.contains("[4]")
            {
                continue;
            }
            let name = field.path.rsplit('.').next().unwrap();
            let name = name.split('[').next().unwrap();
            assert!(
                text.lines().any(|l| {
                    let l = l
                        .trim_start()
                        .trim_start_matches("- ")
                        .trim_start_matches("# ");
                    l.trim_start_matches("- ").starts_with(&format!("{name}:"))
                }),
                "{} is not in the skeleton",
                field.path
            );
            assert!(
                text.contains(&format!("<{}>", field.question.key)),
                "{}",
                field.question.key
            );
        }
        assert!(
            text.contains("<progress.status> (1500)\n  status: \"\"\n"),
            "{text}"
        );
    }
}
