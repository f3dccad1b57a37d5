//! One diagnostic type for every problem a person must act on — YAML, limits, structure,
//! consistency — and its printer, which shows the file, line, column, field and the source line.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::terminal::escape;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// A position in a source: line and column, both counted from 1, the column in characters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
}

impl Pos {
    /// A position from the parser's numbers; `None` when it does not know (line 0).
    pub fn new(line: u64, col: u64) -> Option<Pos> {
        (line > 0).then(|| Pos {
            line: line as u32,
            col: col.max(1) as u32,
        })
    }
}

/// What kind of rule a diagnostic comes from, where a command treats some kinds apart.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Kind {
    #[default]
    Other,
    /// A text over its character limit: `build --draft` renders it anyway, marked.
    Limit,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub kind: Kind,
    pub file: PathBuf,
    pub pos: Option<Pos>,
    /// The field path in the report, e.g. `outcomes[1].indicators[2].baseline`.
    pub field: Option<String>,
    pub message: String,
    pub notes: Vec<String>,
}

impl Diagnostic {
    pub fn error(file: &Path, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, file, message)
    }

    pub fn warning(file: &Path, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, file, message)
    }

    fn new(severity: Severity, file: &Path, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            kind: Kind::Other,
            file: file.to_path_buf(),
            pos: None,
            field: None,
            message: message.into(),
            notes: Vec::new(),
        }
    }

    pub fn at(mut self, pos: Pos) -> Self {
        self.pos = Some(pos);
        self
    }

    pub fn field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    pub fn kind(mut self, kind: Kind) -> Self {
        self.kind = kind;
        self
    }

    /// The same diagnostic, as a warning.
    pub fn warned(mut self) -> Self {
        self.severity = Severity::Warning;
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The diagnostic as a person reads it, with the source line when `text` is the source.
    pub fn render(&self, text: Option<&str>) -> String {
        let line = self
            .pos
            .and_then(|p| text?.lines().nth(p.line as usize - 1));
        self.render_line(line)
    }

    /// The diagnostic as a person reads it, with `line`, the line it points at, when known.
    pub fn render_line(&self, line: Option<&str>) -> String {
        let mut out = String::new();
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        // Everything from a source or a file name is printed escaped: a source must not be able
        // to move the cursor or retitle the terminal of the person reading this.
        // A line break from a source would let it begin a line of its own (`ok …`): the message
        // and its field stay on their line, their breaks shown as `\n`.
        // A key or a value of a source may be very long: what is quoted is cut.
        let message = shorten(&crate::terminal::line(&self.message), 2_000);
        match &self.field {
            Some(field) => {
                let field = shorten(&crate::terminal::line(field), 200);
                writeln!(out, "{kind}: {field}: {message}")
            }
            None => writeln!(out, "{kind}: {message}"),
        }
        .ok();
        let file = crate::terminal::path(&self.file);
        match self.pos {
            Some(p) => writeln!(out, "  --> {file}:{}:{}", p.line, p.col),
            None => writeln!(out, "  --> {file}"),
        }
        .ok();
        if let (Some(p), Some(line)) = (self.pos, line) {
            let number = p.line.to_string();
            let gutter = " ".repeat(number.len());
            let (line, caret_at) = shown_line(line.trim_end(), p.col as usize - 1);
            writeln!(out, "{gutter} |").ok();
            writeln!(out, "{number} | {line}").ok();
            writeln!(out, "{gutter} | {}^", " ".repeat(caret_at)).ok();
        }
        for note in &self.notes {
            // A note of several lines (a fix to copy) keeps its lines under its first.
            writeln!(out, "   = {}", escape(note).replace('\n', "\n     ")).ok();
        }
        out
    }
}

/// How a source line is shown under a message: escaped like the message, at most 100
/// characters, cut on both sides around the caret when it is far to the right; and where the
/// caret goes, counted in the characters shown (an escape such as `\u{200b}` is several).
fn shown_line(line: &str, col: usize) -> (String, usize) {
    const WIDTH: usize = 100;
    let chars: Vec<char> = line.chars().collect();
    let col = col.min(chars.len());
    let escaped = |range: std::ops::Range<usize>| {
        escape(&chars[range].iter().collect::<String>()).into_owned()
    };
    let before = escaped(0..col);
    let all = escaped(0..chars.len());
    let caret = before.chars().count();
    if caret < WIDTH - 20 {
        return (shorten(&all, WIDTH), caret);
    }
    let skip = caret - 40;
    let rest: String = all.chars().skip(skip).collect();
    (format!("…{}", shorten(&rest, WIDTH - 1)), 41)
}

/// `text` cut to at most `max` characters, with an ellipsis where it was cut.
pub fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}

#[cfg(test)]
mod tests {
    use super::Diagnostic;

    /// A source's 100,000-character key quoted in a field and a message prints in a few lines.
    #[test]
    fn what_a_message_quotes_is_cut() {
        let key = "k".repeat(100_000);
        let d = Diagnostic::error(
            std::path::Path::new("a.yaml"),
            format!("unknown field `{key}`"),
        )
        .field(&key);
        let shown = d.render(None);
        assert!(shown.chars().count() < 2_400, "{}", shown.len());
        assert!(shown.contains('…'));
    }
}
