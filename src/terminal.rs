//! Printing text that came from a user or a file name: control characters are shown escaped
//! (`\u{1b}`), so that a source or a file name can never move the cursor, retitle or clear the
//! terminal of the person reading the message. Messages go through `say!`, which never panics on a
//! full or closed standard error.

use std::borrow::Cow;
use std::path::Path;

/// `text` with every control character (but tab and line break) written as `\u{…}`.
pub fn escape(text: &str) -> Cow<'_, str> {
    // Direction overrides and other invisible characters would let a name read as another.
    let unsafe_char = |c: char| {
        (c.is_control() && c != '\n' && c != '\t') || crate::check::limits::is_invisible(c)
    };
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_char(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A path as it is printed: lossily decoded, control characters escaped, line breaks too.
pub fn path(path: &Path) -> String {
    line(&path.display().to_string())
}

/// Text printed on one line of a list: control characters escaped, line breaks too, so that no
/// name can begin a line of its own.
pub fn line(text: &str) -> String {
    escape(text).replace('\n', "\\n")
}

/// Set when a message could not be written: the run then ends with the internal-error status.
static OUTPUT_FAILED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Writes `text` to standard error. A full or closed standard error never panics: the failure
/// is remembered, and `output_failed` tells `main`.
pub fn say(text: std::fmt::Arguments) {
    use std::io::Write;
    let mut err = std::io::stderr().lock();
    // A reader that stopped reading (`2>&1 | head`) is not a lost message; a full disk is.
    if let Err(e) = err.write_fmt(text).and_then(|()| err.flush())
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        OUTPUT_FAILED.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Whether a message or a result could not be written during this run.
pub fn output_failed() -> bool {
    OUTPUT_FAILED.load(std::sync::atomic::Ordering::Relaxed)
}

/// Remembers that standard output could not be written.
pub fn output_lost() {
    OUTPUT_FAILED.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// `eprintln!` that never panics: see `say`.
#[macro_export]
macro_rules! say {
    () => { $crate::terminal::say(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::terminal::say(format_args!("{}\n", format_args!($($arg)*))) };
}

/// `eprint!` that never panics: see `say`.
#[macro_export]
macro_rules! say_raw {
    ($($arg:tt)*) => { $crate::terminal::say(format_args!($($arg)*)) };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_shown_not_sent() {
        assert_eq!(escape("a\u{1b}]0;x\u{7}b"), "a\\u{1b}]0;x\\u{7}b");
        assert_eq!(
            escape("ligne\nsuivante\tcolonne"),
            "ligne\nsuivante\tcolonne"
        );
        assert_eq!(escape("\u{9b}2J"), "\\u{9b}2J");
        assert_eq!(path(Path::new("a\nb\u{1b}.yaml")), "a\\nb\\u{1b}.yaml");
    }
}
