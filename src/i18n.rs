//! Language catalogs: one flat YAML file per language under `templates/i18n/`, every word the
//! PDF and the workbook print, under stable keys, one entry per line. English is the reference.
//! In every other language, a comment line `# en: "…"` above an entry records the English text
//! it was translated from (as gettext keeps the previous msgid), so a changed English text shows
//! which translations are stale and what changed; `# untranslated` after an entry marks one not
//! yet translated. The only syntax inside a text is a `{{ name }}` placeholder.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::diagnostic::{Diagnostic, Pos};
use crate::error::Error;
use crate::templates::Templates;

/// The language every other catalog is translated from.
pub const REFERENCE: &str = "en";

/// The entry that says how untranslated entries print: `"english"` (their text, which `i18n
/// init` sets to the English) or `"key"` (the key in brackets, to find them on the page).
pub const UNTRANSLATED_SETTING: &str = "_untranslated";

const CATALOG_FOLDER: &str = "a folder of catalogs (<lang>.yaml)";
const RECORD: &str = "# en: ";
const UNTRANSLATED: &str = "# untranslated";

/// The languages that have a catalog in this run's templates, e.g. `["en", "fr"]`.
pub fn languages() -> Vec<String> {
    crate::templates::current().languages()
}

/// One entry of a catalog file, where it stands and what it was translated from.
#[derive(Debug, Clone)]
pub struct Entry {
    pub text: String,
    pub line: u32,
    /// The English text this entry was translated from (`# en: "…"` on the line above).
    pub from: Option<String>,
    /// Not yet translated: marked `# untranslated`, with the English it records (or none) as its
    /// text. A marked entry whose text differs from that English is a translation.
    pub untranslated: bool,
    /// Marked `# untranslated`, whether or not it still is.
    pub marked: bool,
}

/// One language's catalog.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub lang: String,
    pub entries: BTreeMap<String, String>,
    /// Keys still untranslated, printed as `[key]` when the catalog asks for it.
    pub untranslated: BTreeSet<String>,
    pub show_keys: bool,
}

impl Catalog {
    /// The catalog of `lang` in this run's templates.
    pub fn load(lang: &str) -> Result<Catalog, String> {
        Catalog::load_from(&crate::templates::current(), lang)
    }

    /// The catalog of `lang` in `templates`; a catalog with an error in it is refused.
    pub fn load_from(templates: &Templates, lang: &str) -> Result<Catalog, String> {
        let name = format!("i18n/{lang}.yaml");
        let bytes = templates
            .file(&name)
            .ok_or_else(|| format!("no catalog for language `{lang}`"))?;
        let file = templates.shown_path(&name);
        let text = std::str::from_utf8(bytes)
            .map_err(|_| format!("the catalog {file} is not UTF-8 text"))?;
        let (mut entries, mut problems) = parse(Path::new(&file), text);
        let english = match lang == REFERENCE {
            true => None,
            false => templates
                .file("i18n/en.yaml")
                .and_then(|b| std::str::from_utf8(b).ok())
                .map(|t| parse(Path::new(&templates.shown_path("i18n/en.yaml")), t).0),
        };
        problems.extend(render_rules(Path::new(&file), &entries, english.as_ref()));
        refuse_errors(&file, &problems)?;
        // An entry not yet translated prints today's English, not the English it was started from.
        for (key, entry) in entries.iter_mut().filter(|(_, e)| e.untranslated) {
            if let Some(now) = english.as_ref().and_then(|en| en.get(key)) {
                entry.text = now.text.clone();
            }
        }
        Ok(Catalog::from_entries(lang, &entries))
    }

    /// The catalog of `lang` for the form `form`: the shared one with the form's own
    /// (`<form>/i18n/<lang>.yaml`, when it has one) laid over it.
    pub fn for_form(templates: &Templates, form: &str, lang: &str) -> Result<Catalog, String> {
        let mut catalog = Catalog::load_from(templates, lang)?;
        let name = format!("{form}/i18n/{lang}.yaml");
        let Some(bytes) = templates.file(&name) else {
            return Ok(catalog);
        };
        let file = templates.shown_path(&name);
        let text = std::str::from_utf8(bytes)
            .map_err(|_| format!("the catalog {file} is not UTF-8 text"))?;
        let (entries, mut problems) = parse(Path::new(&file), text);
        // Its placeholders are held to the form's English, as the shared catalog's are.
        let english = match lang == REFERENCE {
            true => None,
            false => templates
                .file(&format!("{form}/i18n/{REFERENCE}.yaml"))
                .and_then(|b| std::str::from_utf8(b).ok())
                .map(|t| parse(Path::new(&file), t).0),
        };
        problems.extend(render_rules(Path::new(&file), &entries, english.as_ref()));
        refuse_errors(&file, &problems)?;
        for (key, entry) in entries {
            catalog.untranslated.remove(&key);
            if entry.untranslated {
                catalog.untranslated.insert(key.clone());
            }
            catalog.entries.insert(key, entry.text);
        }
        Ok(catalog)
    }

    pub fn from_entries(lang: &str, entries: &BTreeMap<String, Entry>) -> Catalog {
        let show_keys = entries
            .get(UNTRANSLATED_SETTING)
            .is_some_and(|e| e.text == "key");
        Catalog {
            lang: lang.to_string(),
            entries: entries
                .iter()
                .filter(|(k, _)| *k != UNTRANSLATED_SETTING)
                .map(|(k, e)| (k.clone(), e.text.clone()))
                .collect(),
            untranslated: entries
                .iter()
                .filter(|(_, e)| e.untranslated)
                .map(|(k, _)| k.clone())
                .collect(),
            show_keys,
        }
    }

    /// The text under `key`, or the key itself in brackets so that a gap is visible.
    pub fn get(&self, key: &str) -> String {
        if self.show_keys && self.untranslated.contains(key) && !is_structural(key) {
            return format!("[{key}]");
        }
        self.entries
            .get(key)
            .cloned()
            .unwrap_or_else(|| format!("[{key}]"))
    }

    /// The text under `key` with its `{{ name }}` placeholders filled in from `context`; a name
    /// the context lacks stays as written.
    pub fn render(&self, key: &str, context: minijinja::Value) -> String {
        let text = self.get(key);
        let mut out = String::with_capacity(text.len());
        let mut rest = text.as_str();
        while let Some(open) = rest.find("{{") {
            let after = &rest[open + 2..];
            let Some(close) = after.find("}}") else { break };
            let name = after[..close].trim();
            out.push_str(&rest[..open]);
            match context.get_attr(name) {
                Ok(value) if !value.is_undefined() => out.push_str(&value.to_string()),
                _ => out.push_str(&rest[open..open + 2 + close + 2]),
            }
            rest = &after[close + 2..];
        }
        out.push_str(rest);
        out
    }
}

/// Entries whose text is a format or a name with rules of its own (sheet names): shown as
/// written even when untranslated entries show their keys.
/// The first error among a catalog's `problems`, as one line naming `file` and its line.
fn refuse_errors(file: &str, problems: &[Diagnostic]) -> Result<(), String> {
    match problems.iter().find(|d| d.is_error()) {
        Some(problem) => {
            let at = problem
                .pos
                .map(|p| format!(" (line {})", p.line))
                .unwrap_or_default();
            Err(format!("{file}{at}: {}", problem.message))
        }
        None => Ok(()),
    }
}

pub fn is_structural(key: &str) -> bool {
    key.starts_with("format.") || key == "months" || key.starts_with("annex.sheet_")
}

/// The rules an entry must keep for a PDF and a workbook to be made with it: the same
/// placeholders as English, twelve month names, sheet names a spreadsheet accepts. `check`
/// reports them; `build` refuses a catalog that breaks one.
fn render_rules(
    path: &Path,
    entries: &BTreeMap<String, Entry>,
    english: Option<&BTreeMap<String, Entry>>,
) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let mut sheets: Vec<(&str, &Entry)> = Vec::new();
    for (key, entry) in entries {
        let error = |message: String| Diagnostic::error(path, message).at(line(entry));
        if let Some(original) = english.and_then(|en| en.get(key)) {
            let (ours, theirs) = (placeholders(&entry.text), placeholders(&original.text));
            if ours != theirs {
                let message =
                    format!("`{key}` has the placeholders {ours:?}, English has {theirs:?}");
                problems.push(error(message));
            }
        }
        let names = entry.text.split_whitespace().count();
        if key == "months" && names != 12 {
            problems.push(error(format!(
                "`months` holds {names} names; it needs the twelve months, separated by spaces"
            )));
        }
        if key.starts_with("annex.sheet_") {
            if let Some(c) = entry.text.chars().find(|c| "[]:*?/\\".contains(*c)) {
                problems.push(error(format!(
                    "`{key}`: a sheet name cannot hold `{c}` (nor any of [ ] : * ? / \\)"
                )));
            } else if entry.text.encode_utf16().count() > 31 {
                // Excel counts UTF-16 units: an emoji is two.
                problems.push(error(format!(
                    "`{key}`: a sheet name has at most 31 characters (an emoji counts two)"
                )));
            } else if entry.text.starts_with('\'') || entry.text.ends_with('\'') {
                problems.push(error(format!(
                    "`{key}`: a sheet name cannot start or end with an apostrophe"
                )));
            }
            let same =
                |(_, e): &&(&str, &Entry)| e.text.to_lowercase() == entry.text.to_lowercase();
            if let Some((other, _)) = sheets.iter().find(same) {
                problems.push(error(format!("`{key}` names the same sheet as `{other}`")));
            }
            sheets.push((key, entry));
        }
    }
    problems
}

/// Reads a catalog file: one `key: "text"` per line, read as YAML on its own line so quoting and
/// escapes are YAML's; `# en: "…"` on the line before an entry; `# untranslated` after it.
pub fn parse(file: &Path, text: &str) -> (BTreeMap<String, Entry>, Vec<Diagnostic>) {
    let mut entries = BTreeMap::new();
    let mut problems = Vec::new();
    let mut from: Option<String> = None;
    for (i, line) in text.lines().enumerate() {
        let number = i as u32 + 1;
        let at = Pos {
            line: number,
            col: 1,
        };
        let trimmed = line.trim();
        let recorded = from.take();
        if let Some(english) = trimmed.strip_prefix(RECORD) {
            match serde_saphyr::from_str::<String>(english) {
                Ok(english) => from = Some(english),
                Err(_) => problems.push(
                    Diagnostic::error(
                        file,
                        "a `# en:` line holds the English text in double quotes",
                    )
                    .at(at),
                ),
            }
            continue;
        }
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        match serde_saphyr::from_str::<BTreeMap<String, String>>(line) {
            Ok(map) if map.len() == 1 => {
                let (key, value) = map.into_iter().next().expect("one entry");
                let marked =
                    line.trim_end().ends_with(UNTRANSLATED) && !value.ends_with(UNTRANSLATED);
                // A translator who typed the translation and left the mark has translated it.
                let untranslated =
                    marked && recorded.as_ref().is_none_or(|english| *english == value);
                if let Some(problem) = syntax_problem(&value).or_else(|| unprintable(&key, &value))
                {
                    let key = crate::terminal::line(&key);
                    problems.push(Diagnostic::error(file, format!("`{key}`: {problem}")).at(at));
                }
                if entries.contains_key(&key) {
                    problems
                        .push(Diagnostic::error(file, format!("`{key}` is given twice")).at(at));
                }
                let entry = Entry {
                    text: value,
                    line: number,
                    from: recorded,
                    untranslated,
                    marked,
                };
                entries.insert(key, entry);
            }
            _ => problems
                .push(Diagnostic::error(file, "each line holds one entry: key: \"text\"").at(at)),
        }
    }
    (entries, problems)
}

/// Whether a catalog prints some of its words in English: entries not yet translated, which
/// print today's English.
pub fn prints_english(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(bytes);
    parse(Path::new("catalog"), &text)
        .0
        .values()
        .any(|e| e.untranslated)
}

/// `text`, a catalog, without the `# untranslated` mark of each entry that is translated: what
/// `i18n check --fix` writes. None when there is no such mark.
pub fn without_stale_marks(text: &str) -> Option<(String, usize)> {
    let (entries, _) = parse(Path::new("catalog"), text);
    let lines: BTreeSet<u32> = entries
        .values()
        .filter(|e| e.marked && !e.untranslated)
        .map(|e| e.line)
        .collect();
    if lines.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let (body, end) = match line.strip_suffix('\n') {
            Some(body) => (body, "\n"),
            None => (line, ""),
        };
        let (body, end) = match body.strip_suffix('\r') {
            Some(body) => (body, "\r\n"),
            None => (body, end),
        };
        match lines.contains(&(i as u32 + 1)) {
            true => {
                let kept = body.trim_end().strip_suffix(UNTRANSLATED).unwrap_or(body);
                out.push_str(kept.trim_end());
            }
            false => out.push_str(body),
        }
        out.push_str(end);
    }
    Some((out, lines.len()))
}

/// The most characters of a catalog text: the longest question of the 2019 form has about 850.
const MAX_TEXT: usize = 4_000;
/// The most lines of a catalog text: the longest note of the 2019 form has a few.
const MAX_LINES: usize = 20;

/// Why an entry cannot be printed in a PDF, if it cannot: a key is a plain name (letters,
/// digits, `.`, `_`, `-`); a text holds no control character (a `\e` escape decodes to one) and
/// is at most `MAX_TEXT` characters, so that `i18n check` refuses what a build would fail on.
fn unprintable(key: &str, text: &str) -> Option<String> {
    let plain = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
    if key.is_empty() || !key.chars().all(plain) {
        return Some("a key is made of letters, digits, `.`, `_` and `-`".into());
    }
    if let Some(c) = text.chars().find(|c| c.is_control() && *c != '\n') {
        return Some(format!(
            "the control character U+{:04X} cannot be printed; delete it",
            c as u32
        ));
    }
    // As in a source: stacked marks cost layout time out of all proportion to their length.
    let mut marks = crate::check::limits::Marks::default();
    if text.chars().any(|c| marks.too_many_with(c)) {
        return Some(format!(
            "more than {} combining marks stacked on one character; the text is probably damaged",
            crate::check::limits::MAX_MARKS
        ));
    }
    // Wording is laid out on every page it stands on: lines of it would lengthen the report
    // past what `check` predicts from the answers.
    let lines = text.lines().count();
    if lines > MAX_LINES {
        return Some(format!(
            "{lines} lines, more than the {MAX_LINES} a catalog text may hold"
        ));
    }
    let count = text.chars().count();
    (count > MAX_TEXT)
        .then(|| format!("{count} characters, more than the {MAX_TEXT} a catalog text may hold"))
}

/// Why `text` holds template syntax other than `{{ name }}` placeholders, if it does: a catalog
/// string is data, never a program.
fn syntax_problem(text: &str) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i + 1 < chars.len() {
        let pair = (chars[i], chars[i + 1]);
        let at = i + 1;
        match pair {
            ('{', '%') | ('{', '#') => {
                let found = format!("{}{}", pair.0, pair.1);
                return Some(format!(
                    "`{found}` at character {at} is template syntax; a text may hold only \
                     {{{{ name }}}} placeholders"
                ));
            }
            ('{', '{') => {
                // The placeholder's own characters only: the text after it is never copied, so a
                // line of a thousand placeholders costs a thousand short looks.
                let rest = &chars[i + 2..];
                let Some(close) = rest.windows(2).position(|w| w == ['}', '}']) else {
                    return Some(format!(
                        "`{{{{` at character {at} is never closed with `}}}}`"
                    ));
                };
                let name: String = rest[..close].iter().collect();
                let name = name.trim();
                let plain = name.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                    && name
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
                if !plain {
                    return Some(format!(
                        "`{{{{ {name} }}}}` at character {at} is an expression; a placeholder \
                         is a plain name, e.g. {{{{ n }}}}"
                    ));
                }
                i += 2 + close + 2;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Catalog files by language: each file's path and text.
pub type Files = BTreeMap<String, (PathBuf, String)>;

/// The catalog files of a folder, by language; a file that is not UTF-8 text is a problem, and
/// the others are still read.
pub fn read_dir(dir: &Path) -> Result<(Files, Vec<Diagnostic>), Error> {
    let mut files = BTreeMap::new();
    let mut problems = Vec::new();
    let entries = std::fs::read_dir(dir).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotADirectory => {
            Error::wrong_kind(dir, CATALOG_FOLDER, "a file, not a folder")
        }
        _ => Error::read(dir, e),
    })?;
    for entry in entries.flatten() {
        let path = entry.path();
        let Some(lang) = path
            .file_stem()
            .and_then(|s| s.to_str())
            .filter(|_| path.extension().is_some_and(|e| e == "yaml"))
        else {
            continue;
        };
        if !is_language_code(lang) {
            let lower = lang.to_lowercase();
            let message = match is_language_code(&lower) {
                true => format!(
                    "a catalog's name is its language code in lower case: rename it {lower}.yaml"
                ),
                false => "a catalog's name is its language code, 2 to 8 lower-case letters or \
                          hyphens, e.g. fr.yaml or pt-br.yaml"
                    .to_string(),
            };
            problems.push(Diagnostic::error(&path, message));
            continue;
        }
        let text = crate::fsio::read_file(&path)
            .map_err(|e| e.to_string())
            .and_then(|b| {
                String::from_utf8(b).map_err(|e| {
                    let bytes = e.as_bytes();
                    let at = e.utf8_error().valid_up_to();
                    let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
                    format!(
                        "this is not UTF-8 text (byte 0x{:02X} on line {line})",
                        bytes[at]
                    )
                })
            })
            .and_then(|t| match t.contains('\0') {
                true => Err("this is not a text file (it holds a NUL byte)".into()),
                false => Ok(t),
            });
        match text {
            Ok(text) => {
                files.insert(lang.to_string(), (path, text));
            }
            Err(why) => problems.push(
                Diagnostic::error(&path, format!("{why}; a catalog is YAML text in UTF-8"))
                    .note("the other catalogs were checked"),
            ),
        }
    }
    Ok((files, problems))
}

/// How complete one language is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Status {
    pub translated: usize,
    pub untranslated: usize,
    pub stale: usize,
    pub missing: usize,
    pub extra: usize,
}

/// Whether `code` can name a language, and so a catalog: 2 to 8 lower-case ASCII letters or
/// hyphens, not starting with one (`fr`, `pt-br`).
pub fn is_language_code(code: &str) -> bool {
    (2..=8).contains(&code.len())
        && code.chars().all(|c| c.is_ascii_lowercase() || c == '-')
        && !code.starts_with('-')
}

/// Every problem of every catalog in `dir`, and each language's status. The folder is laid
/// over the built-in catalogs, as for a build: a built-in language it does not hold (English
/// included, the reference) is checked as built in. `required`: the folder was named, and must
/// hold catalogs; else it may be missing.
pub fn check_dir(
    dir: &Path,
    required: bool,
) -> Result<(Vec<Diagnostic>, BTreeMap<String, Status>), Error> {
    let (mut files, mut problems) = match required || dir.exists() {
        true => read_dir(dir)?,
        false => Default::default(),
    };
    if required && files.is_empty() && problems.is_empty() {
        return Err(Error::wrong_kind(
            dir,
            CATALOG_FOLDER,
            "a folder without catalogs",
        ));
    }
    // A folder named with its own English is checked on its own; the workspace's catalogs, or
    // a folder that translates the built-in English, beside every built-in language.
    let own_reference = required && files.contains_key(REFERENCE);
    for (name, bytes, _) in crate::templates::builtin_with_hashes("i18n/") {
        let Some(lang) = name
            .strip_prefix("i18n/")
            .and_then(|n| n.strip_suffix(".yaml"))
        else {
            continue;
        };
        if !(files.contains_key(lang) || own_reference && lang != REFERENCE) {
            let text = String::from_utf8_lossy(bytes).into_owned();
            let path = PathBuf::from(format!("{name} (built in)"));
            files.insert(lang.to_string(), (path, text));
        }
    }
    let (ref_path, ref_text) = &files[REFERENCE];
    let (reference, parse_problems) = parse(ref_path, ref_text);
    problems.extend(parse_problems);
    problems.extend(render_rules(ref_path, &reference, None));
    problems.extend(empties(ref_path, &reference));
    let mut statuses = BTreeMap::new();
    for (lang, (path, text)) in &files {
        if lang == REFERENCE {
            continue;
        }
        let (entries, parse_problems) = parse(path, text);
        problems.extend(parse_problems);
        problems.extend(empties(path, &entries));
        let (found, status) = compare(lang, path, &entries, &reference);
        problems.extend(found);
        statuses.insert(lang.clone(), status);
    }
    let translated = reference.len();
    statuses.insert(
        REFERENCE.to_string(),
        Status {
            translated,
            ..Status::default()
        },
    );
    problems.sort_by(|a, b| (&a.file, a.pos).cmp(&(&b.file, b.pos)));
    Ok((problems, statuses))
}

fn empties(path: &Path, entries: &BTreeMap<String, Entry>) -> Vec<Diagnostic> {
    entries
        .iter()
        .filter(|(_, e)| e.text.is_empty())
        .map(|(k, e)| Diagnostic::error(path, format!("`{k}` is empty")).at(line(e)))
        .collect()
}

fn line(entry: &Entry) -> Pos {
    Pos {
        line: entry.line,
        col: 1,
    }
}

/// One translation against the reference: missing, extra, untranslated and stale keys,
/// placeholders, and the language's own typography.
fn compare(
    lang: &str,
    path: &Path,
    entries: &BTreeMap<String, Entry>,
    reference: &BTreeMap<String, Entry>,
) -> (Vec<Diagnostic>, Status) {
    let mut problems = render_rules(path, entries, Some(reference));
    let mut status = Status::default();
    if entries.is_empty() {
        status.missing = reference.len();
        let message =
            format!("the catalog holds no entry; `pbf-report i18n init {lang}` starts one");
        return (vec![Diagnostic::error(path, message)], status);
    }
    let (mut untranslated, mut marked) = (Vec::new(), Vec::new());
    for (key, original) in reference {
        let Some(entry) = entries.get(key) else {
            status.missing += 1;
            problems.push(
                Diagnostic::error(path, format!("`{key}` is missing"))
                    .note(format!("add:  {RECORD}{}", quoted(&original.text)))
                    .note(format!(
                        "      {key}: {}  {UNTRANSLATED}",
                        quoted(&original.text)
                    )),
            );
            continue;
        };
        if entry.marked && !entry.untranslated {
            marked.push((key, entry));
        }
        if entry.untranslated {
            status.untranslated += 1;
            untranslated.push((key, entry));
        } else {
            match &entry.from {
                Some(from) if *from == original.text => status.translated += 1,
                from => {
                    status.stale += 1;
                    problems.push(stale(path, key, entry, from.as_deref(), &original.text));
                }
            }
        }
        if lang == "fr" && !entry.untranslated {
            problems.extend(french_spacing(path, key, entry));
        }
    }
    untranslated.sort_by_key(|(_, e)| e.line);
    if let Some((first, entry)) = untranslated.first() {
        let n = untranslated.len();
        let message = format!(
            "{n} entr{} not yet translated (marked {UNTRANSLATED}), the first `{first}`",
            if n == 1 { "y is" } else { "ies are" }
        );
        let d = Diagnostic::warning(path, message)
            .at(line(entry))
            .note("they print in English until translated; `i18n status` counts them");
        problems.push(d);
    }
    marked.sort_by_key(|(_, e)| e.line);
    if let Some((first, entry)) = marked.first() {
        let n = marked.len();
        let message = format!(
            "{n} entr{} translated but still marked {UNTRANSLATED}, the first `{first}`: the \
             translation prints, and the mark should go",
            if n == 1 { "y is" } else { "ies are" }
        );
        let d = Diagnostic::warning(path, message)
            .at(line(entry))
            .note("`pbf-report i18n check --fix` removes the mark of every such entry");
        problems.push(d);
    }
    for (key, entry) in entries {
        if !reference.contains_key(key) && key != UNTRANSLATED_SETTING {
            status.extra += 1;
            problems.push(
                Diagnostic::error(path, format!("`{key}` is not in the English catalog"))
                    .at(line(entry))
                    .note("remove it, or add it to en.yaml first"),
            );
        }
    }
    (problems, status)
}

fn stale(path: &Path, key: &str, entry: &Entry, from: Option<&str>, now: &str) -> Diagnostic {
    let d = match from {
        Some(then) => Diagnostic::error(
            path,
            format!("`{key}` is stale: the English text changed since it was translated"),
        )
        .note(format!("English then: {}", quoted(then))),
        None => Diagnostic::error(
            path,
            format!(
                "`{key}` is stale: no `{RECORD}\"…\"` line above it says which English text it translates"
            ),
        ),
    };
    d.at(line(entry))
        .note(format!("English now:  {}", quoted(now)))
        .note(format!(
            "once the translation matches it, write above the entry:  {RECORD}{}",
            quoted(now)
        ))
}

/// A text as a catalog writes it: in double quotes, with YAML's (and JSON's) escapes.
pub fn quoted(text: &str) -> String {
    serde_json::to_string(text).expect("a string serialises")
}

/// The placeholder names of a text: `{{ n }}` → `n`.
fn placeholders(text: &str) -> BTreeSet<String> {
    text.split("{{")
        .skip(1)
        .filter_map(|part| {
            part.split_once("}}")
                .map(|(name, _)| name.trim().to_string())
        })
        .collect()
}

/// French typography: before `; : ! ?` a narrow no-break space (U+202F) or nothing (the PDF adds
/// it), never an ordinary or a wide no-break space, which read as a gap and may break a line.
fn french_spacing(path: &Path, key: &str, entry: &Entry) -> Option<Diagnostic> {
    let chars: Vec<char> = entry.text.chars().collect();
    let bad = chars
        .windows(2)
        .position(|w| matches!(w[0], ' ' | '\u{A0}') && matches!(w[1], ';' | ':' | '!' | '?'))?;
    Some(
        Diagnostic::error(
            path,
            format!(
                "`{key}`: a space before `{}`; French wants a narrow no-break space (U+202F) there",
                chars[bad + 1]
            ),
        )
        .at(line(entry))
        .note("write U+202F (\"\\u202F\" in double quotes), or nothing: the PDF adds it"),
    )
}

/// A new catalog for `lang`: every entry of `reference` (the text of en.yaml) in its order, with
/// its comments, each entry's English recorded above it and given as its text, marked
/// untranslated.
pub fn new_catalog(lang: &str, reference: &str) -> String {
    let mut out = format!(
        "# Catalog for `{lang}`, started from the English one by `pbf-report i18n init {lang}`.\n\
         # Translate each text, then delete its `{UNTRANSLATED}` mark. Keep the `{RECORD}…` line\n\
         # above each entry: it records the English the translation was made from.\n\
         # Untranslated entries print in English; write \"key\" below to print their keys instead.\n\
         {UNTRANSLATED_SETTING}: \"english\"\n\n"
    );
    let mut started = false;
    for line in reference.lines() {
        // The reference's header, records and settings are its own: never copied, so a catalog
        // started from one started so has them once. Its section headings are kept.
        let comment = line.trim_start().starts_with('#');
        started |= !comment && !line.trim().is_empty();
        if comment && (!started || line.trim_start().starts_with(RECORD)) {
            continue;
        }
        let entry = serde_saphyr::from_str::<BTreeMap<String, String>>(line)
            .ok()
            .filter(|m| m.len() == 1);
        match entry.and_then(|m| m.into_iter().next()) {
            Some((key, _)) if key == UNTRANSLATED_SETTING => {}
            Some((key, text)) => {
                out.push_str(&format!("{RECORD}{}\n", quoted(&text)));
                out.push_str(&format!("{key}: {}  {UNTRANSLATED}\n", quoted(&text)));
            }
            None => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_found_by_name() {
        assert_eq!(
            placeholders("Page {{ page }} of {{total}}"),
            ["page", "total"].map(String::from).into()
        );
        assert!(placeholders("no placeholder").is_empty());
    }

    #[test]
    fn entries_keep_their_line_and_what_they_translate() {
        let (entries, problems) = parse(
            Path::new("x.yaml"),
            "# c\n\n# en: \"A: b\"\na: \"A : b\"\nb: B  # untranslated\n",
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(entries["a"].text, "A : b");
        assert_eq!(entries["a"].line, 4);
        assert_eq!(entries["a"].from.as_deref(), Some("A: b"));
        assert!(!entries["a"].untranslated);
        assert_eq!(entries["b"].from, None);
        assert!(entries["b"].untranslated);
    }

    #[test]
    fn only_plain_placeholders_are_allowed() {
        assert_eq!(syntax_problem("Page {{ page }} sur {{total}}"), None);
        for (text, found) in [
            (
                "RAPPORT{% if false %} SECRET{% endif %}",
                "`{%` at character 8",
            ),
            ("a {# note #}", "`{#` at character 3"),
            (
                "{{ n * 2 }}",
                "`{{ n * 2 }}` at character 1 is an expression",
            ),
            ("{{ range(9999999) }}", "is an expression"),
            ("open {{ n", "never closed"),
        ] {
            let problem = syntax_problem(text).unwrap_or_default();
            assert!(problem.contains(found), "{text}: {problem}");
        }
    }

    #[test]
    fn render_fills_placeholders_and_runs_nothing() {
        let catalog = Catalog {
            lang: "xx".into(),
            entries: [(
                "k".to_string(),
                "{{ n }} / {{ missing }} {% x %}".to_string(),
            )]
            .into(),
            untranslated: BTreeSet::new(),
            show_keys: false,
        };
        let text = catalog.render("k", minijinja::context! { n => 3 });
        assert_eq!(text, "3 / {{ missing }} {% x %}");
    }

    #[test]
    fn a_new_catalog_records_the_english_of_every_entry() {
        let text = new_catalog(
            "es",
            "# The English catalog.\n\ndoc.fund: \"FUND\"\n# Cover\ncover.country: \"COUNTRY:\"\n",
        );
        assert!(!text.contains("The English catalog"), "{text}");
        let (entries, problems) = parse(Path::new("es.yaml"), &text);
        assert!(problems.is_empty(), "{problems:?}");
        let entry = &entries["cover.country"];
        assert_eq!(entry.text, "COUNTRY:");
        assert_eq!(entry.from.as_deref(), Some("COUNTRY:"));
        assert!(entry.untranslated);
        assert!(text.contains("# Cover\n"));
        // Started from a catalog started so, it has one header, one setting and one mark each.
        let again = new_catalog("pt", &text);
        assert_eq!(again.matches("# Catalog for").count(), 1, "{again}");
        assert_eq!(again.matches(UNTRANSLATED_SETTING).count(), 1, "{again}");
        assert_eq!(again.matches(RECORD).count(), 3, "{again}");
        assert_eq!(again.matches(UNTRANSLATED).count(), 3, "{again}");
        let (entries, problems) = parse(Path::new("pt.yaml"), &again);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(entries["cover.country"].text, "COUNTRY:");
    }

    #[test]
    fn a_marked_entry_that_is_translated_prints_and_its_mark_can_go() {
        let text = "# en: \"Country\"\na: \"País\"  # untranslated\n# en: \"Date\"\nb: \"Date\"  # untranslated\r\n";
        let (entries, _) = parse(Path::new("es.yaml"), text);
        assert!(!entries["a"].untranslated && entries["a"].marked);
        assert!(entries["b"].untranslated);
        let (fixed, n) = without_stale_marks(text).unwrap();
        assert_eq!(n, 1);
        assert_eq!(
            fixed,
            "# en: \"Country\"\na: \"País\"\n# en: \"Date\"\nb: \"Date\"  # untranslated\r\n"
        );
        assert!(without_stale_marks(&fixed).is_none());
    }

    #[test]
    fn the_builtin_catalogs_load() {
        for lang in Templates::builtin().languages() {
            let catalog = Catalog::load_from(&Templates::builtin(), &lang).unwrap();
            assert!(catalog.entries.len() > 150, "{lang}");
        }
    }
}
