//! `check --spelling`: every text of a report checked in its own language with a Hunspell
//! dictionary (read by spellbook), each unknown word a warning at its line and column, with
//! up to three suggestions.
//!
//! Not reported: numbers and words with digits, URLs and e-mail addresses, ALL-CAPS acronyms,
//! the catalogs' own wording, the names of the report's recipients and partners, and the words
//! of the workspace's word lists (`spelling.txt`, `spelling.<lang>.txt`). A French elision
//! (`l'autonomisation`, `d’épargne`) is checked without its article; a hyphenated word whole,
//! else part by part.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::sieve::Sieve;
use crate::diagnostic::{Diagnostic, Pos};
use crate::form::{Form, Kind};
use crate::source::{Node, Value};

/// Where Debian's `hunspell-*` packages put their dictionaries.
pub const SYSTEM: &str = "/usr/share/hunspell";

/// The most bytes a dictionary's file may hold: the largest ones are a few MiB.
const MOST_BYTES: u64 = 64 << 20;

/// The dictionary of each language a run checks, loaded once.
pub struct Dictionaries {
    dirs: Vec<PathBuf>,
    loaded: BTreeMap<String, Option<Loaded>>,
    /// The dictionaries being read, each on a thread of its own.
    loading: BTreeMap<String, std::thread::JoinHandle<Read>>,
    /// Dictionaries found but not read, and why.
    pub problems: Vec<String>,
}

struct Loaded {
    /// The `.dic` file it was read from, for the run's summary.
    file: PathBuf,
    dictionary: spellbook::Dictionary,
    /// What the suggestions' candidates go through first: most are no word at all.
    sieve: Option<Sieve>,
    edits: Edits,
    /// The suggestions made so far, by word: a process that checks again (the preview's
    /// worker, at each save) suggests for a word once.
    suggested: std::sync::Mutex<HashMap<String, Vec<String>>>,
}

impl Loaded {
    /// Whether the dictionary holds `word`, the sieve asked first.
    fn holds(&self, word: &str) -> bool {
        // Spellbook refuses a longer word at once; the sieve would read it first.
        word.len() <= spellbook::MAX_WORD_LEN
            && self.sieve.as_ref().is_none_or(|s| s.may_hold(word))
            && self.dictionary.check(word)
    }
}

/// What a dictionary's affix file says of likely typing mistakes: the letters to try, most
/// frequent first (`TRY`), and the letters that differ only by an accent (`MAP`).
#[derive(Default)]
struct Edits {
    letters: Vec<char>,
    related: Vec<Vec<char>>,
}

impl Edits {
    fn of(aff: &str) -> Edits {
        let mut edits = Edits::default();
        for line in aff.lines() {
            let mut parts = line.split_whitespace();
            match (parts.next(), parts.next()) {
                (Some("TRY"), Some(letters)) => {
                    edits.letters = letters.chars().filter(|c| c.is_lowercase()).collect();
                }
                (Some("MAP"), Some(group)) if group.chars().count() > 1 => {
                    edits.related.push(group.chars().collect());
                }
                _ => {}
            }
        }
        if edits.letters.is_empty() {
            edits.letters = ('a'..='z').collect();
        }
        edits
    }

    /// The letters `c` may have been typed for, by a missing or wrong accent, in its case.
    fn related(&self, c: char) -> impl Iterator<Item = char> + '_ {
        self.related
            .iter()
            .filter(move |g| g.contains(&c))
            .flatten()
            .copied()
            .filter(move |&r| r != c && r.is_uppercase() == c.is_uppercase())
    }
}

/// One unknown word of a source.
pub struct Unknown {
    pub word: String,
    pub lang: String,
    pub diagnostic: Diagnostic,
}

impl Dictionaries {
    /// Dictionaries read from `dir` when given, else from the system's folder.
    pub fn new(dir: Option<&Path>) -> Dictionaries {
        let dirs = match dir {
            Some(dir) => vec![dir.to_path_buf()],
            None => vec![PathBuf::from(SYSTEM)],
        };
        Dictionaries {
            dirs,
            loaded: BTreeMap::new(),
            loading: BTreeMap::new(),
            problems: Vec::new(),
        }
    }

    /// Starts reading the dictionaries of `languages` not read yet, each on a thread of its
    /// own, and returns: a large one (French) takes most of the time spelling adds, and the
    /// source is checked meanwhile.
    pub fn start(&mut self, languages: &[String]) {
        for lang in languages {
            if self.loaded.contains_key(lang) || self.loading.contains_key(lang) {
                continue;
            }
            let (dirs, name) = (self.dirs.clone(), lang.clone());
            let reading = std::thread::spawn(move || read(&dirs, &name));
            self.loading.insert(lang.clone(), reading);
        }
    }

    /// Reads the dictionaries of `languages` not read yet, and waits for all being read.
    pub fn load(&mut self, languages: &[String]) {
        self.start(languages);
        for (lang, reading) in std::mem::take(&mut self.loading) {
            let (loaded, problems) = reading
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            self.loaded.insert(lang, loaded);
            self.problems.extend(problems);
        }
    }

    fn loaded(&self, lang: &str) -> Option<&Loaded> {
        self.loaded.get(lang).and_then(Option::as_ref)
    }

    /// Each language loaded: the file its dictionary came from, or none.
    pub fn files(&self) -> impl Iterator<Item = (&str, Option<&Path>)> {
        self.loaded
            .iter()
            .map(|(lang, l)| (lang.as_str(), l.as_ref().map(|l| l.file.as_path())))
    }

    /// Where dictionaries are looked for, for messages.
    pub fn searched(&self) -> String {
        self.dirs
            .iter()
            .map(|d| crate::terminal::path(d))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A language's dictionary, when one is read, and the dictionaries found but not read.
type Read = (Option<Loaded>, Vec<String>);

/// The dictionary of `lang` in `dirs`: `<lang>.aff`, else the language's own country
/// (`fr_FR`, `es_ES`; for English `en_GB`, as the UN spells, then `en_US`), else the first
/// `<lang>_*` in name order.
fn read(dirs: &[PathBuf], lang: &str) -> Read {
    let mut problems = Vec::new();
    for dir in dirs {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| {
                e.file_name()
                    .to_str()?
                    .strip_suffix(".aff")
                    .map(String::from)
            })
            .filter(|n| n == lang || n.starts_with(&format!("{lang}_")))
            .collect();
        let own = match lang {
            "en" => ["en_GB".to_string(), "en_US".to_string()],
            _ => [format!("{lang}_{}", lang.to_uppercase()), String::new()],
        };
        names.sort_by_key(|n| (*n != lang, *n != own[0], *n != own[1], n.clone()));
        for name in names {
            let (aff, dic) = (
                dir.join(format!("{name}.aff")),
                dir.join(format!("{name}.dic")),
            );
            let (Some(aff_text), Some(dic_text)) = (text_of(&aff), text_of(&dic)) else {
                problems.push(format!(
                    "{} or its .dic cannot be read",
                    crate::terminal::path(&aff)
                ));
                continue;
            };
            // The sieve is built beside the dictionary, on the core the dictionary leaves free.
            let (dictionary, sieve) = std::thread::scope(|scope| {
                let sieve = scope.spawn(|| Sieve::of(&aff_text, &dic_text));
                let dictionary = spellbook::Dictionary::new(&aff_text, &dic_text);
                (dictionary, sieve.join().ok().flatten())
            });
            match dictionary {
                Ok(dictionary) => {
                    let loaded = Loaded {
                        file: dic,
                        dictionary,
                        sieve,
                        edits: Edits::of(&aff_text),
                        suggested: Default::default(),
                    };
                    return (Some(loaded), problems);
                }
                Err(e) => problems.push(format!(
                    "{} is not a dictionary Hunspell reads ({})",
                    crate::terminal::path(&aff),
                    crate::terminal::line(&e.to_string())
                )),
            }
        }
    }
    (None, problems)
}

/// A dictionary file's text: UTF-8, else Latin-1 (`SET ISO8859-1`, as older ones are).
fn text_of(path: &Path) -> Option<String> {
    let bytes = crate::fsio::read_within(path, MOST_BYTES).ok()?;
    Some(match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => e.into_bytes().iter().map(|&b| char::from(b)).collect(),
    })
}

/// The most bytes of a word list: a hundred thousand words.
const MOST_LIST_BYTES: u64 = 4 << 20;

/// The words of a workspace's word lists for `lang`: `spelling.txt` and `spelling.<lang>.txt`,
/// one word a line, `#` starting a comment; and why a list that is there cannot be read.
pub fn word_list(dir: &Path, lang: &str) -> (HashSet<String>, Vec<String>) {
    let (mut words, mut problems) = (HashSet::new(), Vec::new());
    for name in ["spelling.txt".to_string(), format!("spelling.{lang}.txt")] {
        let path = dir.join(&name);
        if std::fs::symlink_metadata(&path).is_err() {
            continue;
        }
        let text = crate::fsio::read_within(&path, MOST_LIST_BYTES)
            .map_err(|e| e.to_string())
            .and_then(|bytes| {
                String::from_utf8(bytes)
                    .map_err(|_| format!("{} is not UTF-8 text", crate::terminal::path(&path)))
            });
        match text {
            Ok(text) => words.extend(
                text.lines()
                    .map(|l| l.split('#').next().unwrap_or("").trim().to_lowercase())
                    .filter(|w| !w.is_empty()),
            ),
            Err(why) => problems.push(format!("word list not read: {why}")),
        }
    }
    (words, problems)
}

/// What a run knows not to report, per language: the catalogs' wording and the word lists
/// (the names of a source's recipients and partners are its own).
#[derive(Default)]
pub struct Known {
    words: HashMap<String, HashSet<String>>,
    /// Word lists that are there but cannot be read, and why.
    pub problems: Vec<String>,
}

impl Known {
    /// Adds the catalog's words and the word lists of `lang` in `workspace`, once.
    pub fn add(&mut self, lang: &str, workspace: &Path) {
        if self.words.contains_key(lang) {
            return;
        }
        let (mut known, problems) = word_list(workspace, lang);
        for problem in problems {
            if !self.problems.contains(&problem) {
                self.problems.push(problem);
            }
        }
        if let Ok(catalog) = crate::i18n::Catalog::load(lang) {
            for text in catalog.entries.values() {
                known.extend(tokens(text).map(|(_, w)| w.to_lowercase()));
            }
        }
        self.words.insert(lang.to_string(), known);
    }

    fn of(&self, lang: &str) -> &HashSet<String> {
        static NONE: std::sync::LazyLock<HashSet<String>> = std::sync::LazyLock::new(HashSet::new);
        self.words.get(lang).unwrap_or(&NONE)
    }
}

/// A text of a source, with its field, the languages it may be in, and its words.
struct Text<'a> {
    field: String,
    node: &'a Node,
    value: &'a str,
    langs: Vec<String>,
    words: Vec<(usize, &'a str)>,
}

/// Every unknown word of the source `root` (whose text is `text`, at `path`), in the form
/// `form`, its texts in `languages`.
pub fn check(
    path: &Path,
    text: &str,
    root: &Node,
    form: &Form,
    languages: &[String],
    dictionaries: &Dictionaries,
    known: &Known,
) -> Vec<Unknown> {
    let mut names = HashSet::new();
    collect_names(root, "", form, &mut names);
    let mut texts = Vec::new();
    collect_texts(root, "", form, languages, &mut texts);
    // A text given once is checked in the report's language its words fit best; when one of
    // them has no dictionary, it cannot be told which, and the text is left.
    texts.retain(|(_, _, langs)| langs.iter().all(|l| dictionaries.loaded(l).is_some()));
    // Each text with its field, languages and words.
    let texts: Vec<Text> = texts
        .into_iter()
        .filter_map(|(field, node, langs)| match &node.value {
            Value::Str(value) => Some(Text {
                field,
                node,
                value,
                langs,
                words: tokens(value).collect(),
            }),
            _ => None,
        })
        .collect();
    // Each word's verdict in each language, once and on every core: most words of a report
    // are said many times, and a French one takes some microseconds.
    let asked: BTreeSet<(&str, &str)> = texts
        .iter()
        .flat_map(|t| {
            t.langs
                .iter()
                .flat_map(|l| t.words.iter().map(move |(_, w)| (l.as_str(), *w)))
        })
        .collect();
    let verdicts: HashMap<(&str, &str), bool> = {
        use rayon::prelude::*;
        let asked: Vec<(&str, &str)> = asked.into_iter().collect();
        asked
            .into_par_iter()
            .filter_map(|(lang, word)| {
                let loaded = dictionaries.loaded(lang)?;
                Some(((lang, word), is_known(word, loaded, known.of(lang), &names)))
            })
            .collect()
    };
    // Each unknown word with its language, field and place.
    let mut found: Vec<(String, &str, String, Option<Pos>)> = Vec::new();
    for t in &texts {
        let unknown = |lang: &str| -> Vec<(usize, &str)> {
            let known = |w: &str| verdicts.get(&(lang, w)).copied().unwrap_or(true);
            t.words.iter().filter(|(_, w)| !known(w)).copied().collect()
        };
        let Some((lang, unknown)) = t
            .langs
            .iter()
            .map(|l| (l, unknown(l)))
            .min_by_key(|(_, unknown)| unknown.len())
        else {
            continue;
        };
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (at, word) in unknown {
            let nth = seen.entry(word).or_default();
            let pos = position(text, t.node, t.value, at, word, *nth);
            found.push((lang.clone(), word, t.field.clone(), pos));
            *nth += 1;
        }
    }
    // Suggestions, once a word, on every core: each candidate goes through the dictionary's
    // affix rules, some tens of microseconds in French.
    let distinct: BTreeSet<(String, &str)> =
        found.iter().map(|(l, w, _, _)| (l.clone(), *w)).collect();
    let suggestions: HashMap<(String, &str), Vec<String>> = {
        use rayon::prelude::*;
        let distinct: Vec<(String, &str)> = distinct.into_iter().collect();
        distinct
            .into_par_iter()
            .map(|(lang, word)| {
                let found = dictionaries
                    .loaded(&lang)
                    .map_or_else(Vec::new, |l| remembered(l, word));
                ((lang, word), found)
            })
            .collect()
    };
    let mut out = Vec::new();
    for (lang, word, field, pos) in found {
        let mut d = Diagnostic::warning(
            path,
            format!(
                "\"{}\" is not in the `{lang}` dictionary",
                crate::terminal::line(word)
            ),
        )
        .field(field);
        if let Some(pos) = pos {
            d = d.at(pos);
        }
        let suggested = &suggestions[&(lang.clone(), word)];
        if !suggested.is_empty() {
            let quoted: Vec<String> = suggested
                .iter()
                .map(|s| format!("\"{}\"", crate::terminal::line(s)))
                .collect();
            d = d.note(format!("help: did you mean {}?", quoted.join(", ")));
        }
        out.push(Unknown {
            word: word.to_string(),
            lang,
            diagnostic: d,
        });
    }
    out.sort_by_key(|u| u.diagnostic.pos);
    out
}

/// `suggest`, once a word for the life of the dictionary.
fn remembered(loaded: &Loaded, word: &str) -> Vec<String> {
    let memo = |m: std::sync::MutexGuard<'_, HashMap<String, Vec<String>>>| m.get(word).cloned();
    if let Some(found) = loaded.suggested.lock().ok().and_then(memo) {
        return found;
    }
    let found = suggest(loaded, word);
    if let Ok(mut memo) = loaded.suggested.lock() {
        memo.insert(word.to_string(), found.clone());
    }
    found
}

/// Up to three words of the dictionary one typing mistake away from `word`, of the likeliest
/// kind that gives any: a missing or wrong accent (one or two), else a letter doubled, dropped
/// or swapped, else a wrong or missing letter, else two words run together. An elided article is kept as written, apostrophe
/// included. Spellbook's own suggester tries several times as many candidates and takes about
/// 200 ms a word in French; these take a few milliseconds.
fn suggest(loaded: &Loaded, word: &str) -> Vec<String> {
    let straight = word.replace('’', "'");
    if let Some((article, rest)) = straight.split_once('\'')
        && ELIDED.contains(&article.to_lowercase().as_str())
    {
        let written = &word[..word.len() - rest.len()];
        return suggest(loaded, rest)
            .into_iter()
            .map(|s| format!("{written}{s}"))
            .collect();
    }
    // One typing mistake makes a word at most 4 bytes shorter: past this, no candidate is short
    // enough for the dictionary to hold, and a long run of letters has many thousands.
    if word.len() > spellbook::MAX_WORD_LEN + 4 {
        return Vec::new();
    }
    let chars: Vec<char> = word.chars().collect();
    let edits = &loaded.edits;
    let mut found: Vec<String> = Vec::new();
    let tiers: [Mistakes; 3] = [accents, slips, wrong_letters];
    for tier in tiers {
        for candidate in tier(&chars, edits) {
            let candidate: String = candidate.into_iter().collect();
            if !found.contains(&candidate) && candidate != word && loaded.holds(&candidate) {
                found.push(candidate);
            }
        }
        // A typo is one kind of mistake: the first kind that gives a word gives the likeliest.
        if !found.is_empty() {
            break;
        }
    }
    if found.is_empty() {
        for at in 1..chars.len() {
            let (first, second): (String, String) =
                (chars[..at].iter().collect(), chars[at..].iter().collect());
            if loaded.holds(&first) && loaded.holds(&second) {
                found.push(format!("{first} {second}"));
            }
        }
    }
    found.truncate(3);
    found
}

/// The words a kind of typing mistake may have made of `chars`.
type Mistakes = fn(&[char], &Edits) -> Vec<Vec<char>>;

/// `chars` with one or two letters accented otherwise.
fn accents(chars: &[char], edits: &Edits) -> Vec<Vec<char>> {
    let mut out = Vec::new();
    for i in 0..chars.len() {
        for a in edits.related(chars[i]) {
            let mut one = chars.to_vec();
            one[i] = a;
            out.push(one.clone());
            for j in i + 1..chars.len() {
                for b in edits.related(chars[j]) {
                    let mut two = one.clone();
                    two[j] = b;
                    out.push(two);
                }
            }
        }
    }
    out
}

/// `chars` with a letter dropped, doubled, or swapped with the next.
fn slips(chars: &[char], _: &Edits) -> Vec<Vec<char>> {
    let mut out = Vec::new();
    for i in 0..chars.len() {
        let mut dropped = chars.to_vec();
        dropped.remove(i);
        out.push(dropped);
        let mut doubled = chars.to_vec();
        doubled.insert(i, chars[i]);
        out.push(doubled);
        if i + 1 < chars.len() {
            let mut swapped = chars.to_vec();
            swapped.swap(i, i + 1);
            out.push(swapped);
        }
    }
    out
}

/// `chars` with a letter replaced, or one added, from the dictionary's letters.
fn wrong_letters(chars: &[char], edits: &Edits) -> Vec<Vec<char>> {
    let mut out = Vec::new();
    for i in 0..=chars.len() {
        for &c in &edits.letters {
            if i < chars.len() && chars[i] != c {
                let mut replaced = chars.to_vec();
                replaced[i] = c;
                out.push(replaced);
            }
            let mut added = chars.to_vec();
            added.insert(i, c);
            out.push(added);
        }
    }
    out
}

/// The texts of `node` the form asks for as prose, each with its field and the languages it
/// may be in: the key's language under a per-language mapping, else the report's.
fn collect_texts<'a>(
    node: &'a Node,
    path: &str,
    form: &Form,
    languages: &[String],
    out: &mut Vec<(String, &'a Node, Vec<String>)>,
) {
    match &node.value {
        Value::Map(entries) => {
            for e in entries {
                let child = join(path, &e.key);
                match &e.value.value {
                    Value::Str(_) if is_prose(form, &child) => {
                        out.push((child, &e.value, languages.to_vec()));
                    }
                    Value::Map(per_language) if is_prose(form, &child) => {
                        for t in per_language.iter().filter(|t| languages.contains(&t.key)) {
                            let field = format!("{child}.{}", t.key);
                            out.push((field, &t.value, vec![t.key.clone()]));
                        }
                    }
                    _ => collect_texts(&e.value, &child, form, languages, out),
                }
            }
        }
        Value::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                collect_texts(item, &format!("{path}[{}]", i + 1), form, languages, out);
            }
        }
        _ => {}
    }
}

/// Prose a writer composes: not a name, a number or a choice; the project's title too.
fn is_prose(form: &Form, path: &str) -> bool {
    let kind = form.kind_of(path);
    let prose = matches!(
        kind,
        Some(Kind::Narrative | Kind::Text | Kind::Statement | Kind::Cell | Kind::Note)
    );
    prose || form.role_path("project_title") == Some(path)
}

/// The words of the names the report gives (recipients, partners, who prepared it): every text
/// of a field the form asks for as a line, a list or an id, but the title, which is prose.
fn collect_names(node: &Node, path: &str, form: &Form, out: &mut HashSet<String>) {
    let named = matches!(form.kind_of(path), Some(Kind::Line | Kind::List | Kind::Id));
    match &node.value {
        Value::Str(s) if named && !is_prose(form, path) => {
            out.extend(tokens(s).map(|(_, w)| w.to_lowercase()));
        }
        Value::Map(entries) => {
            for e in entries {
                let child = match form.kind_of(path) {
                    // A name given per language: its entries are the field's own.
                    Some(Kind::Line) => path.to_string(),
                    _ => join(path, &e.key),
                };
                collect_names(&e.value, &child, form, out);
            }
        }
        Value::Seq(items) => {
            for item in items {
                let at = match form.kind_of(path) {
                    Some(Kind::List) => path.to_string(),
                    _ => format!("{path}[1]"),
                };
                collect_names(item, &at, form, out);
            }
        }
        _ => {}
    }
}

fn join(path: &str, key: &str) -> String {
    match path.is_empty() {
        true => key.to_string(),
        false => format!("{path}.{key}"),
    }
}

/// The words of `text` with their byte offsets: runs of letters, with the apostrophes and
/// hyphens between them; a whitespace-separated piece that is a URL or an e-mail address is
/// no word.
fn tokens(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    let joiner = |c: char| matches!(c, '\'' | '’' | '-' | '\u{2011}' | SOFT_HYPHEN);
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut skip_until = 0;
    for (i, &(at, c)) in chars.iter().enumerate() {
        if at < skip_until {
            continue;
        }
        if start.is_none() && (at == 0 || chars[i - 1].1.is_whitespace()) {
            let piece_end = text[at..]
                .find(char::is_whitespace)
                .map_or(text.len(), |e| at + e);
            let piece = &text[at..piece_end];
            if piece.contains("://") || piece.starts_with("www.") || piece.contains('@') {
                skip_until = piece_end;
                continue;
            }
        }
        let inside = c.is_alphanumeric()
            || (joiner(c)
                && start.is_some()
                && chars.get(i + 1).is_some_and(|(_, n)| n.is_alphanumeric()));
        match (inside, start) {
            (true, None) => start = Some(at),
            (false, Some(s)) => {
                out.push((s, &text[s..at]));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, &text[s..]));
    }
    out.into_iter()
}

/// A hyphen that shows only where a line breaks: the word is read without it.
const SOFT_HYPHEN: char = '\u{AD}';

/// French articles and pronouns elided before a vowel: `l'`, `d'`, `qu'`, `jusqu'`…
const ELIDED: &[&str] = &[
    "l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu",
];

fn is_known(
    word: &str,
    dictionary: &Loaded,
    known: &HashSet<String>,
    names: &HashSet<String>,
) -> bool {
    if word.chars().count() < 2 || word.chars().any(|c| c.is_numeric()) {
        return true;
    }
    // An acronym, its plural too (`NGOs`), or one of mixed case (`PfP`); a Roman numeral.
    let letters = word.strip_suffix('s').unwrap_or(word);
    let capitals = word.chars().filter(|c| c.is_uppercase()).count();
    if letters.chars().count() >= 2 && letters.chars().all(|c| !c.is_lowercase()) || capitals >= 2 {
        return true;
    }
    if word.len() <= 6 && word.chars().all(|c| "ivxlcdmIVXLCDM".contains(c)) {
        return true;
    }
    let lower = word.to_lowercase();
    if known.contains(&lower) || names.contains(&lower) {
        return true;
    }
    if word.contains(SOFT_HYPHEN) {
        return is_known(&word.replace(SOFT_HYPHEN, ""), dictionary, known, names);
    }
    let straight = word.replace('’', "'");
    if dictionary.holds(&straight) || dictionary.holds(word) {
        return true;
    }
    if let Some((article, rest)) = straight.split_once('\'')
        && ELIDED.contains(&article.to_lowercase().as_str())
    {
        return is_known(rest, dictionary, known, names);
    }
    let parts: Vec<&str> = straight.split(['-', '\u{2011}']).collect();
    parts.len() > 1
        && parts
            .iter()
            .all(|p| p.is_empty() || is_known(p, dictionary, known, names))
}

/// Where a word of a text stands in the source: in a quoted text, read through its escapes and
/// folded lines from the word's place in the text (`at`); in a plain or block text, whose words
/// are written as they read, the `nth` such word in the scalar's bytes; else the scalar's start.
fn position(
    text: &str,
    node: &Node,
    value: &str,
    at: usize,
    word: &str,
    nth: usize,
) -> Option<Pos> {
    let span = node.span.clone()?;
    let raw = text.get(span.clone())?;
    let offset = match raw.chars().next() {
        Some(quote @ ('"' | '\'')) => quoted_offset(&raw[1..], value, at, quote).map(|o| o + 1),
        _ => raw
            .match_indices(word)
            .filter(|(i, _)| {
                let before = raw[..*i].chars().next_back();
                let after = raw[i + word.len()..].chars().next();
                !before.is_some_and(char::is_alphanumeric)
                    && !after.is_some_and(char::is_alphanumeric)
            })
            .map(|(i, _)| i)
            .nth(nth),
    };
    Some(crate::source::pos_of_byte(
        text.as_bytes(),
        span.start + offset.unwrap_or(0),
    ))
}

/// The byte, in `raw` (a quoted scalar after its opening quote), of the character at byte `at`
/// of `value` (what it reads as): each escape (`\u00e9`, `''`) read as the one character it
/// writes, a line break and the indentation after it as the one space it folds into.
fn quoted_offset(raw: &str, value: &str, at: usize, quote: char) -> Option<usize> {
    let mut chars = raw.char_indices().peekable();
    let mut read = 0;
    while read < at {
        let (_, c) = chars.next()?;
        let written = value[read..].chars().next()?;
        match c {
            '\\' if quote == '"' => {
                let (_, kind) = chars.next()?;
                let digits = match kind {
                    'x' => 2,
                    'u' => 4,
                    'U' => 8,
                    '\n' | '\r' => {
                        // An escaped line break: the break and the indentation after it vanish.
                        while chars.peek().is_some_and(|(_, c)| c.is_whitespace()) {
                            chars.next();
                        }
                        continue;
                    }
                    _ => 0,
                };
                for _ in 0..digits {
                    chars.next();
                }
            }
            '\'' if quote == '\'' && chars.peek().is_some_and(|(_, c)| *c == '\'') => {
                chars.next();
            }
            '\n' | '\r' => {
                while chars.peek().is_some_and(|(_, c)| c.is_whitespace()) {
                    chars.next();
                }
            }
            _ => {}
        }
        read += written.len_utf8();
    }
    chars.peek().map(|(i, _)| *i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_letters_with_their_apostrophes_and_hyphens() {
        let words: Vec<&str> = tokens(
            "L’autonomisation d'épargne, semi-annual 2019 — see https://x.org/a-b or a@b.org; IGAs.",
        )
        .map(|(_, w)| w)
        .collect();
        assert_eq!(
            words,
            [
                "L’autonomisation",
                "d'épargne",
                "semi-annual",
                "2019",
                "see",
                "or",
                "IGAs"
            ]
        );
        let words: Vec<&str> = tokens("pro\u{AD}gramme").map(|(_, w)| w).collect();
        assert_eq!(words, ["pro\u{AD}gramme"]);
    }

    /// Every candidate the French dictionary holds goes through the sieve, and most that it
    /// does not hold are stopped: the suggestions are the same, only sooner.
    #[test]
    fn the_sieve_keeps_every_french_candidate_and_stops_most_others() {
        let read = |ext: &str| {
            std::fs::read_to_string(format!("{SYSTEM}/fr.{ext}"))
                .expect("the test script installs hunspell-fr")
        };
        let (aff, dic) = (read("aff"), read("dic"));
        let sieve = Sieve::of(&aff, &dic).expect("French's affix file has a sieve");
        let dictionary = spellbook::Dictionary::new(&aff, &dic).unwrap();
        let edits = Edits::of(&aff);
        let (mut total, mut passed, mut held) = (0, 0, 0);
        let typos = [
            "interagance",
            "nomitative",
            "beneficiaires",
            "potential",
            "etaient",
            "aspets",
            "Plannification",
            "Epargnr",
            "kilometrse",
            "créses",
        ];
        for word in typos {
            let chars: Vec<char> = word.chars().collect();
            let tiers: [Mistakes; 3] = [accents, slips, wrong_letters];
            for candidate in tiers.iter().flat_map(|tier| tier(&chars, &edits)) {
                let candidate: String = candidate.into_iter().collect();
                let may = sieve.may_hold(&candidate);
                total += 1;
                passed += usize::from(may);
                if dictionary.check(&candidate) {
                    held += 1;
                    assert!(may, "the sieve stopped {candidate:?}, a word");
                }
            }
        }
        assert!(held >= 15, "only {held} candidates are words");
        assert!(
            passed * 10 < total,
            "{passed} of {total} candidates went through"
        );
    }
}
