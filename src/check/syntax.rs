//! YAML syntax errors in a report writer's words. The parser says where it gave up and why in
//! its own terms; the mistakes behind them are few and known — a tab or a no-break space pasted
//! into an indentation, a colon or an apostrophe inside pasted prose, text that runs on over
//! several lines, a text starting with a character YAML reserves — and each has a fix written
//! with the person's own text.

use crate::diagnostic::Pos;

/// A syntax error explained: what went wrong, where, in which field, and how to fix it.
pub struct Explained {
    pub message: String,
    pub pos: Option<Pos>,
    pub field: Option<String>,
    pub notes: Vec<String>,
}

/// The first control character of `text` that YAML does not allow (all but tab and line
/// breaks), with its position: it is found before the parser runs, so that the caret is on it.
pub fn control_character(text: &str) -> Option<(char, Pos)> {
    let mut line = 1;
    let mut col = 0;
    for c in text.chars() {
        col += 1;
        if c == '\n' {
            (line, col) = (line + 1, 0);
            continue;
        }
        let allowed = matches!(c, '\t' | '\r' | '\u{85}');
        if (c.is_control() && !allowed) || matches!(c, '\u{FFFE}' | '\u{FFFF}') {
            return Some((c, Pos { line, col }));
        }
    }
    None
}

/// Explains the parser's error `message` at `pos` in `text`.
pub fn explain(text: &str, pos: Option<Pos>, message: String) -> Explained {
    let lines: Vec<&str> = text.lines().collect();
    let at = pos.map_or(0, |p| p.line as usize);
    let mut explained = Explained {
        message,
        pos,
        field: None,
        notes: Vec::new(),
    };
    // An indentation made of anything but spaces, up to the line the parser stopped at, is the
    // cause whatever the parser says.
    let upto = (at + 1).min(lines.len());
    if let Some((i, c)) = lines[..upto].iter().enumerate().find_map(|(i, l)| {
        let indent = l
            .chars()
            .take_while(|c| c.is_whitespace())
            .find(|c| *c != ' ');
        indent.filter(|_| !l.trim().is_empty()).map(|c| (i, c))
    }) {
        let what = if c == '\t' {
            "a tab"
        } else {
            "a no-break or other special space"
        };
        explained.message = format!(
            "line {} is indented with {what}; YAML indents with spaces only",
            i + 1
        );
        explained.pos = Some(Pos {
            line: i as u32 + 1,
            col: 1,
        });
        explained.field = field_at(&lines, i);
        explained
            .notes
            .push("help: replace it with spaces, two for each level".into());
        return explained;
    }
    let Some(line) = at.checked_sub(1).and_then(|i| lines.get(i)) else {
        return explained;
    };
    explained.field = field_at(&lines, at - 1);
    if let Some((owner, key, help)) = runs_on(&lines, at - 1) {
        explained.message =
            format!("the lines under `{key}` continue its text, which YAML reads only after `|`");
        explained.field = field_at(&lines, owner);
        explained.notes.push(help);
        return explained;
    }
    let m = explained.message.clone();
    // The reader's own messages (a duplicate key, an alias bomb) say what is wrong already.
    if !m.starts_with("invalid YAML") && !m.contains("a colon followed by a space") {
        return explained;
    }
    if m.contains("quoted scalar")
        && unclosed(&lines, at - 1).is_none()
        && let Some(help) = quote_inside_quotes(line)
    {
        explained.message = "a quote inside a quoted text ends it too early".into();
        explained.notes.push(help);
    } else if let Some((i, key)) = unclosed(&lines, at - 1)
        .filter(|_| m.contains("quoted") || m.contains("indicator") || m.contains("flow"))
    {
        let col = lines[i]
            .chars()
            .position(|c| matches!(c, '"' | '\'' | '[' | '{'))
            .unwrap_or(0);
        let opener = lines[i].chars().nth(col).unwrap_or('"');
        explained.message = match opener {
            '[' | '{' => format!("the `{opener}` that opens the value of `{key}` is not closed"),
            _ => format!("the quote that opens the text of `{key}` is not closed"),
        };
        explained.pos = Some(Pos {
            line: i as u32 + 1,
            col: col as u32 + 1,
        });
        explained.field = field_at(&lines, i);
        explained.notes.push(match opener {
            '[' => "help: end the list with `]`".into(),
            '{' => "help: end it with `}`".into(),
            _ => "help: end the text with the same quote it starts with".into(),
        });
    } else if m.contains("quoted") {
        explained
            .notes
            .push("a quote opened on an earlier line may not be closed".into());
    } else if misplaced_text(line, &m) {
        // `and a perception survey…` at the left margin, under `monitoring: The M&E plan…`.
        let above = (0..at - 1).rev().find(|&i| !lines[i].trim().is_empty());
        let owner = above.and_then(|i| key_value(lines[i])).map(|(key, _)| key);
        explained.message = match owner {
            Some(key) => format!(
                "this line is not a field: it seems to continue the text of `{key}` above, which YAML does not read on the next line at this indentation"
            ),
            None => "this line is not a field: YAML reads a field as `name: value`".into(),
        };
        explained.field = above.and_then(|i| field_at(&lines, i));
        explained.notes.push(
            "help: join it to the end of the line above, or write the whole text after `|` on the next lines, indented"
                .into(),
        );
    } else if key_value(line).is_some_and(|(key, _)| crate::check::is_field_name(key))
        && (misplaced(&m) || m.contains("a colon followed by a space") && !past_key(line, pos))
    {
        // The field it was meant to be: a sibling of the field on the line above.
        let key = key_value(line).map_or("", |(key, _)| key);
        let above = (0..at - 1).rev().find(|&i| !lines[i].trim().is_empty());
        if let Some(path) = above.and_then(|i| field_at(&lines, i)) {
            let parent = path.rsplit_once('.').map_or("", |(p, _)| p);
            explained.field = Some(if parent.is_empty() {
                key.to_string()
            } else {
                format!("{parent}.{key}")
            });
        }
        explained.message = "this line is not indented like the fields around it".into();
        explained
            .notes
            .push("help: indent it with as many spaces as the field it belongs beside".into());
        if let Some(first) = first_field_too_far(&lines, at - 1) {
            // YAML takes the first field's indentation for the block's: the line after it, rightly
            // indented, is where it stops. The cause is the first field.
            let spaces = indent(line);
            explained.pos = Some(Pos {
                line: first as u32 + 1,
                col: indent(lines[first]) as u32 + 1,
            });
            explained.field = field_at(&lines, first);
            explained.notes = vec![format!(
                "help: indent it with {spaces} spaces, as the fields after it are"
            )];
        }
    } else if let Some((key, value)) = key_value(line) {
        let first = value.chars().next().unwrap_or(' ');
        if m.contains("a colon followed by a space") {
            explained.notes.push(format!(
                "help: put the text in quotes: {key}: {}",
                quoted(value)
            ));
        } else if matches!(
            first,
            '*' | '&' | '!' | '@' | '`' | '%' | '-' | '[' | '{' | '|' | '>'
        ) {
            explained.message = match first {
                '`' => "a backquote at the start of a text has a meaning in YAML".to_string(),
                _ => format!("`{first}` at the start of a text has a meaning in YAML"),
            };
            explained.notes.push(format!(
                "help: put the text in quotes: {key}: {}",
                quoted(value)
            ));
        }
    } else if m.contains("a colon followed by a space") {
        explained.notes.push(
            "help: put the whole text in quotes, or write it after `|` on the next lines, indented"
                .into(),
        );
    } else if misplaced(&m) {
        explained.message = "this line is not indented like the fields around it".into();
        explained
            .notes
            .push("help: indent it with as many spaces as the field it belongs beside".into());
    }
    explained
}

/// The spaces a line starts with.
fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// The first field of a block indented further than the line at `index`, its next sibling,
/// when that line and the one after it sit alike where the block's fields belong: `cover:` /
/// `   country: Niger` / `  report_type: final` / `  report_date: …`. The index of that first
/// field.
fn first_field_too_far(lines: &[&str], index: usize) -> Option<usize> {
    let filled = |i: &usize| {
        let l = lines[*i].trim();
        !l.is_empty() && !l.starts_with('#')
    };
    let first = (0..index).rev().find(filled)?;
    let parent = (0..first).rev().find(filled)?;
    let next = (index + 1..lines.len()).find(filled)?;
    let (line, first_line, parent_line) = (lines[index], lines[first], lines[parent]);
    let opens_block = parent_line.trim_end().ends_with(':') && key_value(first_line).is_some();
    (opens_block
        && indent(parent_line) < indent(line)
        && indent(line) < indent(first_line)
        && indent(lines[next]) == indent(line))
    .then_some(first)
}

/// Whether the parser stopped at a line of prose where a field was expected: no `name:` on it.
fn misplaced_text(line: &str, message: &str) -> bool {
    let expected_key = message.contains("simple key expected") || message.contains("expected ':'");
    let prose = !line.trim().is_empty()
        && !line.trim_start().starts_with(['-', '#'])
        && key_value(line).is_none()
        && !line.trim_end().ends_with(':');
    expected_key && prose
}

/// Whether the error's column is past the colon of the line's own key: in its text, then.
fn past_key(line: &str, pos: Option<Pos>) -> bool {
    let colon = line.chars().position(|c| c == ':').unwrap_or(0) + 1;
    pos.is_some_and(|p| p.col as usize > colon)
}

/// Whether the parser's message says a line stands where no field may.
fn misplaced(message: &str) -> bool {
    message.contains("did not find expected key") || message.contains("expected <block end>")
}

/// `key: value` of a line (after a list's `- `), when the key is a field name and the value is
/// not empty.
pub fn key_value(line: &str) -> Option<(&str, &str)> {
    let body = line.trim_start();
    let body = body.strip_prefix("- ").unwrap_or(body);
    let (key, value) = body.split_once(": ")?;
    let value = value.trim();
    let field = !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    (field && !value.is_empty()).then_some((key, value))
}

/// The most characters of a value a fix quotes: the longest text a form holds, so that a fix is
/// the whole text; a value longer than any (a hostile one) never floods a terminal.
pub const SHOWN: usize = 3000;

/// `text` as a YAML quoted scalar: in double quotes, or in single quotes when it holds a double
/// quote or a backslash; cut to `SHOWN` characters with `…`.
pub fn quoted(text: &str) -> String {
    let text = &cut(text, SHOWN);
    if text.contains('"') || text.contains('\\') {
        format!("'{}'", text.replace('\'', "''"))
    } else {
        format!("\"{text}\"")
    }
}

/// `text` cut to `most` characters, with `…` where it was cut: a message quotes what it needs,
/// never a whole value.
pub fn cut(text: &str, most: usize) -> String {
    match text.char_indices().nth(most) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

/// `off_track: 'L'insécurité a retardé'`: the fix quotes the text between the outer quotes the
/// other way. `human_impact: "Before," says Hadiza, "now…"`: double quotes may be the text's own
/// (a quotation), so the fix keeps every one, in single quotes.
fn quote_inside_quotes(line: &str) -> Option<String> {
    let (key, value) = key_value(line)?;
    let quote = value.chars().next().filter(|c| matches!(c, '\'' | '"'))?;
    let inner = value.strip_prefix(quote)?;
    let fixed = match inner.strip_suffix('\'') {
        Some(inner) if quote == '\'' && !inner.contains('"') && !inner.contains('\\') => {
            format!("\"{inner}\"")
        }
        Some(inner) if quote == '\'' => format!("'{}'", inner.replace('\'', "''")),
        _ if quote == '"' => format!(
            "'{}' (the quotation marks as typed are kept: drop the outer two if they only meant to quote the text)",
            value.replace('\'', "''")
        ),
        _ => return None,
    };
    Some(format!("help: write {key}: {fixed}"))
}

/// The line above `error` whose value opens a quote, a `[` or a `{` it does not close on that
/// line, with its key.
fn unclosed(lines: &[&str], error: usize) -> Option<(usize, String)> {
    (0..error).rev().take(50).find_map(|i| {
        let (key, value) = key_value(lines[i])?;
        let open = value
            .chars()
            .next()
            .filter(|c| matches!(c, '\'' | '"' | '[' | '{'))?;
        let close = match open {
            '[' => ']',
            '{' => '}',
            quote => quote,
        };
        let closed = value.len() > 1 && value.trim_end().ends_with(close);
        (!closed).then(|| (i, key.to_string()))
    })
}

/// Lines that continue the plain text of a field above them (a colon, a `- ` bullet or a
/// change of indentation in them trips the parser), or that follow a text ending in a colon:
/// the field's line and key, and the fix, the text written after `|`. A line that is itself a
/// field of the report is not text: its indentation is wrong instead.
fn runs_on(lines: &[&str], error: usize) -> Option<(usize, String, String)> {
    let indent = |l: &str| l.len() - l.trim_start().len();
    let here = indent(lines[error]);
    let next = lines[error + 1..].iter().find(|l| !l.trim().is_empty());
    let (owner, last) = match key_value(lines[error]) {
        // `off_track: Les défis:` followed by more indented lines (bullets, say).
        Some((_, value)) if value.ends_with(':') && next.is_some_and(|n| indent(n) > here) => {
            let last = (error + 1..lines.len())
                .take_while(|&i| lines[i].trim().is_empty() || indent(lines[i]) > here)
                .last()?;
            (error, last)
        }
        Some((key, _)) if crate::check::is_field_name(key) => return None,
        _ => {
            let owner = (0..error)
                .rev()
                .find(|&i| !lines[i].trim().is_empty() && indent(lines[i]) < here)?;
            (owner, error)
        }
    };
    let (key, value) = key_value(lines[owner])?;
    if value.starts_with(['|', '>', '"', '\'', '[', '{', '&', '*', '#']) {
        return None;
    }
    let pad = " ".repeat(indent(lines[owner]));
    let mut fix = format!(
        "help: write the text after `|`, each line indented:\n{pad}{key}: |\n{pad}  {value}"
    );
    for line in lines[owner + 1..=last]
        .iter()
        .filter(|l| !l.trim().is_empty())
        .take(3)
    {
        fix.push_str(&format!("\n{pad}  {}", line.trim()));
    }
    Some((owner, key.to_string(), fix))
}

/// The field path of line `index`, from the keys of the lines above it with less indentation
/// (list items numbered from 1), for a message about a source the parser could not read.
pub fn field_at(lines: &[&str], index: usize) -> Option<String> {
    let indent = |l: &str| l.len() - l.trim_start().len();
    let mut parts: Vec<String> = Vec::new();
    let mut limit = usize::MAX;
    let mut i = index + 1;
    while i > 0 {
        i -= 1;
        let line = lines[i];
        let body = line.trim_start();
        if body.is_empty() || body.starts_with('#') || indent(line) >= limit {
            continue;
        }
        let level = indent(line);
        if let Some(item) = body.strip_prefix("- ").or((body == "-").then_some("")) {
            // The item's number: the items at this indentation since the list's key.
            let n = 1 + lines[..i]
                .iter()
                .rev()
                .take_while(|l| l.trim().is_empty() || indent(l) >= level)
                .filter(|l| indent(l) == level && l.trim_start().starts_with('-'))
                .count();
            // The key on an item's own line is the field only on the line of the error; above
            // it, it is a sibling of the field.
            if let Some((key, _)) = item.split_once(':').filter(|_| i == index) {
                parts.push(key.trim().to_string());
            }
            parts.push(format!("[{n}]"));
        } else if let Some((key, _)) = body.split_once(':') {
            parts.push(key.trim().to_string());
        }
        limit = level;
        if level == 0 {
            break;
        }
    }
    parts.reverse();
    let mut path = String::new();
    for part in parts {
        if !part.starts_with('[') && !path.is_empty() {
            path.push('.');
        }
        path.push_str(&part);
    }
    (!path.is_empty()).then_some(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The explanation of the parser's `message` at column 1 of `line`.
    fn explain_at(text: &str, line: u32, message: &str) -> Explained {
        explain(
            text,
            Some(Pos { line, col: 1 }),
            format!("invalid YAML: {message}"),
        )
    }

    #[test]
    fn a_tab_in_an_indentation_is_the_cause() {
        let e = explain_at(
            "cover:\n\tcountry: Mali\n  report_type: final\n",
            3,
            "mapping values",
        );
        assert_eq!(e.pos, Some(Pos { line: 2, col: 1 }));
        assert!(e.message.contains("indented with a tab"), "{}", e.message);
        let e = explain_at("cover:\n\u{a0} country: Mali\n", 2, "x");
        assert!(e.message.contains("no-break"), "{}", e.message);
    }

    #[test]
    fn an_apostrophe_inside_single_quotes_gets_double_quotes() {
        let e = explain_at(
            "progress:\n  off_track: 'L'insécurité a retardé'\n",
            2,
            "trailing content after single-quoted scalar",
        );
        assert_eq!(
            e.notes,
            ["help: write off_track: \"L'insécurité a retardé\""]
        );
        assert_eq!(e.field.as_deref(), Some("progress.off_track"));
        let e = explain_at(
            "progress:\n  status: \"Il a dit \"non\" au projet\"\n",
            2,
            "trailing content after double-quoted scalar",
        );
        // Double quotes may be the text's own: every one is kept.
        assert_eq!(
            e.notes,
            [
                "help: write status: '\"Il a dit \"non\" au projet\"' (the quotation marks as typed are kept: drop the outer two if they only meant to quote the text)"
            ]
        );
        let e = explain_at(
            "progress:\n  human_impact: \"Before,\" says Hadiza, \"now we talk.\"\n",
            2,
            "trailing content after double-quoted scalar",
        );
        assert!(
            e.notes[0].contains("'\"Before,\" says Hadiza, \"now we talk.\"'"),
            "{:?}",
            e.notes
        );
    }

    #[test]
    fn text_running_on_over_lines_is_written_after_a_bar() {
        let text = "progress:\n  off_track: Première ligne\n    Défis: routes fermées\n";
        let e = explain_at(
            text,
            3,
            "a colon followed by a space inside a text makes YAML read",
        );
        assert!(
            e.message
                .contains("the lines under `off_track` continue its text"),
            "{}",
            e.message
        );
        assert_eq!(
            e.notes,
            [
                "help: write the text after `|`, each line indented:\n  off_track: |\n    Première ligne\n    Défis: routes fermées"
            ]
        );
        let text = "progress:\n  off_track: Les défis:\n    - routes\n";
        let e = explain_at(text, 3, "block sequence entries are not allowed");
        assert!(
            e.notes[0].contains("off_track: |\n    Les défis:\n    - routes"),
            "{:?}",
            e.notes
        );
        let e = explain_at(text, 2, "a colon followed by a space");
        assert!(
            e.notes[0].contains("off_track: |\n    Les défis:\n    - routes"),
            "{:?}",
            e.notes
        );
        // A field of the report indented one space too far is not text.
        let text = "cover:\n  prepared_by: A\n   approved_by: B\n";
        let e = explain_at(text, 3, "did not find expected key");
        assert_eq!(
            e.message,
            "this line is not indented like the fields around it"
        );
        assert_eq!(e.pos.map(|p| p.line), Some(3));
        // The first field of a block one space too far: the next, right, line is where YAML
        // stops, but the first is to blame.
        let text = "cover:\n   country: Niger\n  # a comment\n  report_type: final\n  report_date: 2020-06-15\n";
        let e = explain_at(text, 4, "did not find expected key");
        assert_eq!(e.pos.map(|p| (p.line, p.col)), Some((2, 4)));
        assert_eq!(e.field.as_deref(), Some("cover.country"));
        assert_eq!(
            e.notes,
            ["help: indent it with 2 spaces, as the fields after it are"]
        );
        // A field indented less than the fields around it is itself the mistake.
        let text = "cover:\n  country: Niger\n report_type: final\n  report_date: 2020-06-15\n";
        let e = explain_at(text, 3, "did not find expected key");
        assert_eq!(e.pos.map(|p| p.line), Some(3));
    }

    #[test]
    fn a_reserved_first_character_gets_quotes() {
        let e = explain_at(
            "progress:\n  off_track: * routes\n",
            2,
            "while scanning an alias",
        );
        assert_eq!(
            e.message,
            "`*` at the start of a text has a meaning in YAML"
        );
        assert_eq!(
            e.notes,
            ["help: put the text in quotes: off_track: \"* routes\""]
        );
    }

    #[test]
    fn the_field_path_comes_from_the_indentation() {
        let lines = [
            "cover:",
            "  recipients:",
            "    - id: a",
            "      name: A",
            "    - id: b",
            "      name: B",
            "outcomes:",
            "  - statement: x",
            "    outputs:",
            "      - statement: y",
        ];
        assert_eq!(
            field_at(&lines, 5).as_deref(),
            Some("cover.recipients[2].name")
        );
        assert_eq!(
            field_at(&lines, 9).as_deref(),
            Some("outcomes[1].outputs[1].statement")
        );
        assert_eq!(field_at(&lines, 0).as_deref(), Some("cover"));
    }

    #[test]
    fn control_characters_are_found_where_they_are() {
        assert_eq!(
            control_character("a: b\nc: d\u{7}e"),
            Some(('\u{7}', Pos { line: 2, col: 5 }))
        );
        assert_eq!(control_character("a:\tb\r\n"), None);
    }
}
