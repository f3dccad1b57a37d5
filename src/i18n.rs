//! Language catalogs: one flat YAML file per language under `templates/i18n/`, every word the
//! PDF and the workbook print, under stable keys, one entry per line. Placeholders (`{{ n }}`)
//! are minijinja. English is the reference: each entry of another language ends with a comment
//! `# en:<hash>` naming the English text it translates, so a changed English text shows which
//! translations are stale.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::diagnostic::{Diagnostic, Pos};
use crate::error::Error;
use crate::templates;

/// The language every other catalog is translated from.
pub const REFERENCE: &str = "en";

const CATALOG_FOLDER: &str = "a folder of catalogs (<lang>.yaml, with en.yaml)";

/// The languages that have a catalog in the binary, e.g. `["en", "fr"]`.
pub fn languages() -> Vec<String> {
    templates::files_under("i18n/")
        .filter_map(|(name, _)| name.strip_prefix("i18n/")?.strip_suffix(".yaml"))
        .map(str::to_string)
        .collect()
}

/// One entry of a catalog file, where it stands and what it was translated from.
#[derive(Debug, Clone)]
pub struct Entry {
    pub text: String,
    pub line: u32,
    /// The `# en:<hash>` mark: the hash of the English text this entry translates.
    pub from: Option<String>,
}

/// One language's catalog.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub lang: String,
    pub entries: BTreeMap<String, String>,
}

impl Catalog {
    /// The embedded catalog of `lang`.
    pub fn load(lang: &str) -> Result<Catalog, String> {
        let bytes = templates::file(&format!("i18n/{lang}.yaml"))
            .ok_or_else(|| format!("no catalog for language `{lang}`"))?;
        let text = std::str::from_utf8(bytes).map_err(|e| format!("catalog `{lang}`: {e}"))?;
        let (entries, problems) = parse(Path::new(&format!("templates/i18n/{lang}.yaml")), text);
        if let Some(problem) = problems.first() {
            return Err(problem.message.clone());
        }
        Ok(Catalog::from_entries(lang, &entries))
    }

    pub fn from_entries(lang: &str, entries: &BTreeMap<String, Entry>) -> Catalog {
        Catalog {
            lang: lang.to_string(),
            entries: entries
                .iter()
                .map(|(k, e)| (k.clone(), e.text.clone()))
                .collect(),
        }
    }

    /// The text under `key`, or the key itself in brackets so that a gap is visible.
    pub fn get(&self, key: &str) -> String {
        self.entries
            .get(key)
            .cloned()
            .unwrap_or_else(|| format!("[{key}]"))
    }

    /// The text under `key` with its placeholders filled in from `context`.
    pub fn render(&self, key: &str, context: minijinja::Value) -> String {
        let template = self.get(key);
        let env = minijinja::Environment::new();
        env.render_str(&template, context).unwrap_or(template)
    }
}

/// The short hash that marks which English text a translation was made from.
pub fn text_hash(text: &str) -> String {
    crate::hash::sha256(text.as_bytes())[..8].to_string()
}

/// Reads a catalog file: one `key: "text"  # en:<hash>` per line; blank lines and comment
/// lines are free. Each line is read as YAML on its own, so quoting and escapes are YAML's.
pub fn parse(file: &Path, text: &str) -> (BTreeMap<String, Entry>, Vec<Diagnostic>) {
    let mut entries = BTreeMap::new();
    let mut problems = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let number = i as u32 + 1;
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let at = Pos {
            line: number,
            col: 1,
        };
        let parsed: Result<BTreeMap<String, String>, _> = serde_saphyr::from_str(line);
        match parsed {
            Ok(map) if map.len() == 1 => {
                let (key, value) = map.into_iter().next().expect("one entry");
                let from = line
                    .rsplit_once("# en:")
                    .map(|(_, hash)| hash.trim().to_string())
                    .filter(|h| h.len() == 8 && h.chars().all(|c| c.is_ascii_hexdigit()));
                if entries.contains_key(&key) {
                    problems
                        .push(Diagnostic::error(file, format!("`{key}` is given twice")).at(at));
                }
                entries.insert(
                    key,
                    Entry {
                        text: value,
                        line: number,
                        from,
                    },
                );
            }
            _ => problems
                .push(Diagnostic::error(file, "each line holds one entry: key: \"text\"").at(at)),
        }
    }
    (entries, problems)
}

/// The catalog files of a folder, by language.
pub fn read_dir(dir: &Path) -> Result<BTreeMap<String, (PathBuf, String)>, Error> {
    let mut files = BTreeMap::new();
    let entries = std::fs::read_dir(dir).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotADirectory => {
            Error::wrong_kind(dir, CATALOG_FOLDER, "a file, not a folder")
        }
        _ => Error::read(dir, e),
    })?;
    for entry in entries.flatten() {
        let path = entry.path();
        if let Some(lang) = path
            .file_stem()
            .and_then(|s| s.to_str())
            .filter(|_| path.extension().is_some_and(|e| e == "yaml"))
        {
            let bytes = crate::fsio::read_file(&path)?;
            let text = String::from_utf8(bytes).map_err(|_| {
                Error::wrong_kind(&path, "a catalog in UTF-8 text", "not UTF-8 text")
            })?;
            files.insert(lang.to_string(), (path, text));
        }
    }
    Ok(files)
}

/// How complete one language is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Status {
    pub translated: usize,
    pub missing: usize,
    pub stale: usize,
    pub extra: usize,
}

/// Every problem of every catalog in `dir`, and each language's status.
pub fn check_dir(dir: &Path) -> Result<(Vec<Diagnostic>, BTreeMap<String, Status>), Error> {
    let files = read_dir(dir)?;
    let (ref_path, ref_text) = files.get(REFERENCE).ok_or_else(|| {
        Error::wrong_kind(
            dir,
            CATALOG_FOLDER,
            "a folder without the reference catalog en.yaml",
        )
    })?;
    let (reference, mut problems) = parse(ref_path, ref_text);
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
    statuses.insert(
        REFERENCE.to_string(),
        Status {
            translated: reference.len(),
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
        .map(|(k, e)| {
            Diagnostic::error(path, format!("`{k}` is empty")).at(Pos {
                line: e.line,
                col: 1,
            })
        })
        .collect()
}

/// One translation against the reference: missing, extra and stale keys, placeholders, and
/// the language's own typography.
fn compare(
    lang: &str,
    path: &Path,
    entries: &BTreeMap<String, Entry>,
    reference: &BTreeMap<String, Entry>,
) -> (Vec<Diagnostic>, Status) {
    let mut problems = Vec::new();
    let mut status = Status::default();
    for (key, original) in reference {
        let Some(entry) = entries.get(key) else {
            status.missing += 1;
            problems.push(
                Diagnostic::error(path, format!("`{key}` is missing"))
                    .note(format!("English: \"{}\"", original.text))
                    .note(format!(
                        "add: {key}: \"…\"  # en:{}",
                        text_hash(&original.text)
                    )),
            );
            continue;
        };
        let at = Pos {
            line: entry.line,
            col: 1,
        };
        let wanted = text_hash(&original.text);
        match &entry.from {
            Some(hash) if *hash == wanted => status.translated += 1,
            from => {
                status.stale += 1;
                let why = match from {
                    Some(hash) => {
                        format!("the English text changed since it was translated (en:{hash})")
                    }
                    None => "it does not say which English text it translates".to_string(),
                };
                problems.push(
                    Diagnostic::error(path, format!("`{key}` is stale: {why}"))
                        .at(at)
                        .note(format!("English now: \"{}\"", original.text))
                        .note(format!(
                            "once the translation matches it, end the line with  # en:{wanted}"
                        )),
                );
            }
        }
        let (ours, theirs) = (placeholders(&entry.text), placeholders(&original.text));
        if ours != theirs {
            problems.push(
                Diagnostic::error(
                    path,
                    format!("`{key}` has the placeholders {ours:?}, English has {theirs:?}"),
                )
                .at(at),
            );
        }
        if lang == "fr" {
            problems.extend(french_spacing(path, key, entry));
        }
    }
    for (key, entry) in entries {
        if !reference.contains_key(key) {
            status.extra += 1;
            problems.push(
                Diagnostic::error(path, format!("`{key}` is not in the English catalog"))
                    .at(Pos {
                        line: entry.line,
                        col: 1,
                    })
                    .note("remove it, or add it to en.yaml first"),
            );
        }
    }
    (problems, status)
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
        .at(Pos {
            line: entry.line,
            col: 1,
        })
        .note("write U+202F (\"\\u202F\" in double quotes), or nothing: the PDF adds it"),
    )
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
    fn entries_keep_their_line_and_mark() {
        let (entries, problems) = parse(
            Path::new("x.yaml"),
            "# c\n\na: \"A: b\"  # en:0123abcd\nb: B\n",
        );
        assert!(problems.is_empty());
        assert_eq!(entries["a"].text, "A: b");
        assert_eq!(entries["a"].line, 3);
        assert_eq!(entries["a"].from.as_deref(), Some("0123abcd"));
        assert_eq!(entries["b"].from, None);
    }

    #[test]
    fn the_embedded_catalogs_are_complete_and_current() {
        for lang in languages() {
            let catalog = Catalog::load(&lang).unwrap();
            assert!(catalog.entries.len() > 150, "{lang}");
        }
    }
}
