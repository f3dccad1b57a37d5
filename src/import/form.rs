//! A past report's text, read by the form's wording: every question and label of every
//! language's catalog is looked for at the start of a line, folded (case, accents, spacing and
//! punctuation ignored) and, failing that, word by word with a tolerance for small wording
//! changes between template revisions. What follows a question, up to the next one, is its
//! answer; the indicator table's cells are the lines a tab starts (as Word writes a table to
//! plain text), placed by the row's label (`Indicateur 1.2.1`) and the table's column headings.

use std::collections::BTreeMap;

use unicode_normalization::UnicodeNormalization;

use crate::form::Question;
use crate::i18n::Catalog;

/// Where in the form a question stands: the index of the part it is printed in, or
/// `ANYWHERE` (footnotes). A question is only taken for a later part than the one being read
/// when it is long enough not to be an answer's words by chance.
type Section = usize;

const ANYWHERE: Section = Section::MAX;

/// The part each wording of the form is printed in, read from its description: the parts'
/// headings and texts, and their questions but those only the workbook shows. A question drawn
/// in a table, and a table's columns, are printed where the part named as a table draws it.
fn sections(form: &crate::form::Form) -> std::collections::HashMap<String, Section> {
    use crate::form::{Drawn, Question};
    let drawing = |table: Option<&str>| {
        let named = |p: &&crate::form::Part| match table {
            Some(t) => p.name == t,
            None => form.tables.contains_key(&p.name),
        };
        form.parts.iter().position(|p| named(&p))
    };
    fn walk<'a>(q: &'a Question, form: &'a crate::form::Form, out: &mut Vec<&'a Question>) {
        out.push(q);
        let items = match &q.table {
            Some(table) => form.tables.get(table).map_or(&[][..], Vec::as_slice),
            None => &q.each,
        };
        items.iter().for_each(|item| walk(item, form, out));
    }
    let mut sections = std::collections::HashMap::new();
    sections.insert(form.title.clone(), 0);
    for (i, part) in form.parts.iter().enumerate() {
        let mut asked = Vec::new();
        part.questions
            .iter()
            .for_each(|q| walk(q, form, &mut asked));
        for q in asked.into_iter().filter(|q| q.drawn != Drawn::Workbook) {
            let at = match (q.drawn, q.table.as_deref()) {
                (Drawn::Column, table) => drawing(table).unwrap_or(i),
                _ => i,
            };
            for key in std::iter::once(&q.key).chain(&q.wordings) {
                sections.entry(key.clone()).or_insert(at);
            }
        }
    }
    // A part only the workbook shows (Annex A) prints no heading in the report.
    let printed: std::collections::HashSet<Section> = sections.values().copied().collect();
    for (i, part) in form.parts.iter().enumerate() {
        let title = part.title.iter().filter(|_| printed.contains(&i));
        for key in title.chain(&part.texts) {
            sections.insert(key.clone(), i);
        }
    }
    for key in &form.footnotes {
        sections.insert(key.clone(), ANYWHERE);
    }
    sections
}

/// Lower case, without accents, every run of what is not a letter or digit as one space; with,
/// for each byte of the folded text, the end of the character it came from in `text`.
pub fn fold(text: &str) -> (String, Vec<usize>) {
    let mut out = String::with_capacity(text.len());
    let mut ends = Vec::with_capacity(text.len());
    for (at, c) in text.char_indices() {
        let end = at + c.len_utf8();
        // Most of a text is ASCII: no decomposition to look at.
        if c.is_ascii() {
            if c.is_ascii_alphanumeric() {
                out.push(c.to_ascii_lowercase());
                ends.push(end);
            } else if !out.is_empty() && !out.ends_with(' ') {
                out.push(' ');
                ends.push(end);
            }
            continue;
        }
        // A combining mark (text in NFD) belongs to the letter before it.
        if unicode_normalization::char::canonical_combining_class(c) != 0 {
            if let Some(last) = ends.last_mut().filter(|_| !out.ends_with(' ')) {
                *last = end;
            }
            continue;
        }
        let mut push = |s: &str, out: &mut String| {
            out.push_str(s);
            ends.extend(std::iter::repeat_n(end, s.len()));
        };
        for d in std::iter::once(c).nfd() {
            if unicode_normalization::char::canonical_combining_class(d) != 0 {
                continue;
            }
            match d {
                'œ' | 'Œ' => push("oe", &mut out),
                'æ' | 'Æ' => push("ae", &mut out),
                'ß' => push("ss", &mut out),
                d if d.is_alphanumeric() => {
                    for l in d.to_lowercase() {
                        push(l.encode_utf8(&mut [0; 4]), &mut out);
                    }
                }
                _ if !out.is_empty() && !out.ends_with(' ') => push(" ", &mut out),
                _ => {}
            }
        }
    }
    if out.ends_with(' ') {
        out.pop();
        ends.pop();
    }
    (out, ends)
}

/// A line and its folded text (`fold`), its first `LINE_MAX` bytes: questions are shorter, and
/// a huge line costs no more.
pub struct Folded<'a> {
    line: &'a str,
    text: String,
    ends: Vec<usize>,
}

impl Folded<'_> {
    pub fn new(line: &str) -> Folded<'_> {
        let line = &line[..line.floor_char_boundary(LINE_MAX)];
        let (text, ends) = match line.trim().is_empty() {
            true => (String::new(), Vec::new()),
            false => fold(line),
        };
        Folded { line, text, ends }
    }
}

/// A question or label of one catalog: its folded text, split around `{{ n }}` for a numbered
/// label (`Résultat {{ n }}:`).
struct Anchor {
    key: String,
    /// The part of the form it is printed in.
    section: Section,
    lang: usize,
    before: String,
    numbered: bool,
    after: String,
    words: Vec<String>,
    signature: [u64; 4],
    /// How many bits its signature has.
    bits: u32,
}

impl Anchor {
    fn new(key: &str, lang: usize, text: &str, section: Section) -> Anchor {
        let (before, after, numbered) = match text.split_once("{{ n }}") {
            Some((b, a)) => (fold(b).0, fold(a).0, true),
            None => (fold(text).0, String::new(), false),
        };
        let words: Vec<String> = before.split(' ').map(String::from).collect();
        let signature = signature(words.iter().map(String::as_str));
        Anchor {
            key: key.to_string(),
            section,
            lang,
            bits: signature.iter().map(|b| b.count_ones()).sum(),
            signature,
            before,
            numbered,
            after,
            words,
        }
    }

    /// Short labels (`PAYS:`, `Total:`) could begin an answer's sentence: they count only when
    /// what follows them is not a word, and never move the reading to a later part.
    fn is_short(&self) -> bool {
        self.words.len() < 4
    }

    fn section(&self) -> Section {
        self.section
    }
}

/// A set of a text's longer words, for finding cheaply which questions a line may be.
fn signature<'a>(words: impl Iterator<Item = &'a str>) -> [u64; 4] {
    let mut bits = [0u64; 4];
    for word in words.filter(|w| w.len() >= 4) {
        let hash = word.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        bits[(hash >> 6) as usize % 4] |= 1 << (hash & 63);
    }
    bits
}

/// A line found to be a question or label: which, with its number (`1.2.1` → `[1, 2, 1]`),
/// and what follows it on its line.
struct Match {
    anchor: usize,
    number: Vec<u32>,
    rest: String,
    fuzzy: bool,
}

/// The form's questions and labels in every language that has a catalog.
pub struct Form {
    anchors: Vec<Anchor>,
    pub languages: Vec<String>,
    catalogs: Vec<Catalog>,
    /// Each catalog's `(limite de {{ n }} caractères)` and the like, to strip after a question.
    limits: Vec<Anchor>,
    /// The anchors by the first letter of their folded text: a line is compared with few.
    by_first: std::collections::HashMap<char, Vec<usize>>,
    /// The longer words of the questions, for ruling most lines out of a reworded match.
    vocabulary: std::collections::HashSet<String>,
}

/// The longest part of a line looked at: questions are shorter, and a huge line costs no more.
const LINE_MAX: usize = 4_000;

impl Form {
    /// The wording of the form `described`, in every language that has a catalog.
    pub fn load(described: &crate::form::Form) -> Form {
        let sections = sections(described);
        let languages = crate::i18n::languages();
        let catalogs: Vec<Catalog> = languages
            .iter()
            .filter_map(|l| Catalog::load(l).ok())
            .collect();
        let mut anchors = Vec::new();
        let mut limits = Vec::new();
        for (i, catalog) in catalogs.iter().enumerate() {
            for (key, text) in &catalog.entries {
                let Some(section) = sections.get(key) else {
                    continue;
                };
                if !text.contains("{{")
                    || text.matches("{{").count() == 1 && text.contains("{{ n }}")
                {
                    anchors.push(Anchor::new(key, i, text, *section));
                }
            }
            for key in ["limit", "indicators.limit"] {
                limits.push(Anchor::new(key, i, &catalog.get(key), ANYWHERE));
            }
        }
        let mut by_first: std::collections::HashMap<char, Vec<usize>> = Default::default();
        for (i, anchor) in anchors.iter().enumerate() {
            if let Some(c) = anchor.before.chars().next() {
                by_first.entry(c).or_default().push(i);
            }
        }
        let vocabulary = anchors
            .iter()
            .flat_map(|a| a.words.iter().filter(|w| w.len() >= 4).cloned())
            .collect();
        Form {
            vocabulary,
            by_first,
            anchors,
            languages: catalogs.iter().map(|c| c.lang.clone()).collect(),
            catalogs,
            limits,
        }
    }

    pub fn catalog(&self, lang: usize) -> &Catalog {
        &self.catalogs[lang]
    }

    pub fn catalogs(&self) -> &[Catalog] {
        &self.catalogs
    }

    /// The texts of `prefix.*` in every catalog, each with its key's last part.
    pub fn choices(&self, prefix: &str) -> Vec<(String, String)> {
        self.catalogs
            .iter()
            .flat_map(|c| c.entries.iter())
            .filter_map(|(k, v)| {
                k.strip_prefix(prefix)
                    .and_then(|k| k.strip_prefix('.'))
                    .map(|k| (k.to_string(), v.clone()))
            })
            .collect()
    }

    /// Every question or label `line` starts with; and, when none, whether the line is the
    /// start of a longer question (its first words, at least three), wrapped.
    fn matches(&self, line: &Folded) -> (Vec<Match>, bool) {
        let Folded {
            line,
            text: folded,
            ends,
        } = line;
        let Some(first) = folded.chars().next() else {
            return (Vec::new(), false);
        };
        let mut found: Vec<Match> = Vec::new();
        let candidates = self.by_first.get(&first).into_iter().flatten();
        for (i, anchor) in candidates.map(|i| (*i, &self.anchors[*i])) {
            let Some(after) = folded.strip_prefix(anchor.before.as_str()) else {
                continue;
            };
            let mut at = anchor.before.len();
            let mut number = Vec::new();
            if anchor.numbered {
                let digits = after.trim_start_matches(' ');
                let groups: Vec<&str> = digits
                    .split(' ')
                    .take_while(|g| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit()))
                    .collect();
                if groups.is_empty() || groups.len() > 3 {
                    continue;
                }
                number = groups.iter().filter_map(|g| g.parse().ok()).collect();
                at += after.len() - digits.len() + groups.join(" ").len();
                let tail = folded[at..].trim_start_matches(' ');
                if !anchor.after.is_empty() {
                    let Some(t) = tail.strip_prefix(anchor.after.as_str()) else {
                        continue;
                    };
                    at = folded.len() - t.len();
                }
            }
            // A label ends at a word's end: `Indicateur` is not `Indicateurs`.
            if folded[at..].chars().next().is_some_and(|c| c != ' ') {
                continue;
            }
            let rest = if at == 0 { line } else { &line[ends[at - 1]..] };
            if anchor.is_short() && rest.trim_start().starts_with(char::is_alphanumeric) {
                continue;
            }
            found.push(Match {
                anchor: i,
                number,
                rest: self.after_question(rest),
                fuzzy: false,
            });
        }
        let starts = found.is_empty()
            && folded.split(' ').nth(2).is_some()
            && self
                .by_first
                .get(&first)
                .into_iter()
                .flatten()
                .map(|i| &self.anchors[*i])
                .any(|a| a.before.len() > folded.len() && a.before.starts_with(folded.as_str()));
        (found, starts)
    }

    /// The question a line almost is, word for word (a template revision may reword a little):
    /// the best of the longer questions sharing most of their words with the line.
    fn near(&self, folded: &Folded) -> Option<Match> {
        let Folded {
            line,
            text: folded,
            ends,
        } = folded;
        // One word is no question; a reworded long question has five at least.
        line.split_whitespace().nth(1)?;
        if let Some(label) = self.near_label(line) {
            return Some(label);
        }
        line.split_whitespace().nth(4)?;
        let words: Vec<&str> = folded.split(' ').collect();
        // Only a line sharing several of the questions' longer words can be one of them.
        let shared: std::collections::HashSet<&str> = words
            .iter()
            .take(200)
            .filter(|w| w.len() >= 4 && self.vocabulary.contains(**w))
            .copied()
            .collect();
        if shared.len() < 2 {
            return None;
        }
        let head = signature(words.iter().take(200).copied());
        let mut best: Option<(f64, usize, usize)> = None;
        for (i, anchor) in self.anchors.iter().enumerate() {
            if anchor.numbered || anchor.words.len() < 5 {
                continue;
            }
            let own = anchor.bits;
            let shared: u32 = (0..4)
                .map(|k| (anchor.signature[k] & head[k]).count_ones())
                .sum();
            if own == 0 || f64::from(shared) < 0.7 * f64::from(own) {
                continue;
            }
            let n = anchor.words.len();
            let own_words: Vec<&str> = anchor.words.iter().map(String::as_str).collect();
            let low = (n * 4 / 5).max(1);
            let high = (n * 5 / 4 + 1).min(words.len());
            for k in low..=high {
                let d = strsim::generic_levenshtein(&words[..k].to_vec(), &own_words);
                let score = 1.0 - d as f64 / k.max(n) as f64;
                if score >= 0.8 && best.is_none_or(|(s, _, _)| score > s) {
                    best = Some((score, i, k));
                }
            }
        }
        let (_, anchor, k) = best?;
        let length: usize = words[..k].iter().map(|w| w.len()).sum::<usize>() + k - 1;
        Some(Match {
            anchor,
            number: Vec::new(),
            rest: self.after_question(&line[ends[length - 1]..]),
            fuzzy: true,
        })
    }

    /// The short label (`Date du rapport :` for `DATE DE RAPPORT:`) a line's text before its
    /// colon almost is, letter for letter.
    fn near_label(&self, line: &str) -> Option<Match> {
        let colon = line.find(':').filter(|at| *at <= 80)?;
        let label = fold(&line[..colon]).0;
        if label.split(' ').count() < 2 {
            return None;
        }
        let (score, anchor) = self
            .anchors
            .iter()
            .enumerate()
            .filter(|(_, a)| a.is_short() && !a.numbered && a.words.len() >= 2)
            .map(|(i, a)| (strsim::normalized_levenshtein(&label, &a.before), i))
            .max_by(|a, b| a.0.total_cmp(&b.0))?;
        (score >= 0.85).then(|| Match {
            anchor,
            number: Vec::new(),
            rest: self.after_question(&line[colon..]),
            fuzzy: true,
        })
    }

    /// What follows a question, `first` and the `next` lines, without the question's limit
    /// (`(limite de 1500 caractères)`) even when it is wrapped in its middle; with how many of
    /// the next lines it took.
    fn limit_tail(&self, first: &str, next: &[&str]) -> (String, usize) {
        let mut rest = self.after_question(first);
        let mut used = 0;
        while rest.starts_with('(') && !rest.contains(')') && used < next.len().min(3) {
            rest = format!("{} {}", rest.trim_end(), next[used].trim_start());
            used += 1;
        }
        match used {
            0 => (rest, 0),
            _ => {
                let stripped = self.after_question(&rest);
                // Not a limit after all: the lines stay as they were.
                match stripped.starts_with('(') {
                    true => (self.after_question(first), 0),
                    false => (stripped, used),
                }
            }
        }
    }

    /// What follows a question on its line, without the form's `(limite de 1500 caractères)`
    /// and the punctuation that ends the question.
    fn after_question(&self, rest: &str) -> String {
        let strip = |s: &str| -> String {
            // `)` closes a question's own bracket: `(ONU, ONG etc):`.
            s.trim_start_matches(|c: char| c.is_whitespace() || ":.?;)".contains(c))
                .to_string()
        };
        let rest = strip(rest);
        if let Some(inner) = rest.strip_prefix('(')
            && let Some((limit, after)) = inner.split_once(')')
        {
            let folded = fold(limit).0;
            let is_limit = self.limits.iter().any(|l| {
                folded
                    .strip_prefix(l.before.as_str())
                    .map(|t| {
                        t.trim_start()
                            .trim_start_matches(|c: char| c.is_ascii_digit() || c == ' ')
                    })
                    .is_some_and(|t| t.trim() == l.after)
            });
            if is_limit {
                return strip(after);
            }
        }
        rest
    }
}

/// One question found in the text: which, its number, the line it starts on (from 1), and its
/// answer's lines (what follows the question on its line, then the lines up to the next one).
pub struct Hit {
    pub key: String,
    pub lang: usize,
    pub number: Vec<u32>,
    pub line: usize,
    pub lines: Vec<String>,
    pub fuzzy: bool,
}

/// The questions of `text` in the order they come, each with its answer. A question wrapped
/// over lines (as a PDF's text has it) is read whole: a line that is the start of a question
/// is joined with the next ones, up to `WRAP` lines.
pub fn hits(form: &Form, text: &str) -> Vec<Hit> {
    const WRAP: usize = 16;
    let lines: Vec<&str> = text.lines().collect();
    let mut out: Vec<Hit> = Vec::new();
    let mut section: Section = 0;
    let mut no = 0;
    while no < lines.len() {
        let mut joined = lines[no].to_string();
        let mut used = 1;
        let single = Folded::new(lines[no]);
        let (mut found, mut starts) = form.matches(&single);
        while found.is_empty() && starts && used < WRAP && no + used < lines.len() {
            joined = format!("{} {}", joined.trim_end(), lines[no + used].trim_start());
            used += 1;
            (found, starts) = form.matches(&Folded::new(&joined));
        }
        if found.is_empty() {
            used = 1;
            found.extend(form.near(&single));
        }
        let chosen = found
            .into_iter()
            .filter(|m| {
                let anchor = &form.anchors[m.anchor];
                let s = anchor.section();
                // A part out of the form's order is followed by its long questions only.
                s == section || s == ANYWHERE || !anchor.is_short()
            })
            // This part's own question first; else the nearest later part's; the longest.
            .min_by_key(|m| {
                let anchor = &form.anchors[m.anchor];
                let s = anchor.section();
                (s != section, s, std::cmp::Reverse(anchor.before.len()))
            });
        match chosen {
            Some(m) => {
                let anchor = &form.anchors[m.anchor];
                if anchor.section() != ANYWHERE {
                    section = anchor.section();
                }
                let (rest, more) = form.limit_tail(&m.rest, &lines[no + used..]);
                used += more;
                out.push(Hit {
                    key: anchor.key.clone(),
                    lang: anchor.lang,
                    number: m.number,
                    line: no + 1,
                    lines: vec![rest],
                    fuzzy: m.fuzzy,
                });
                no += used;
            }
            None => {
                if let Some(hit) = out.last_mut() {
                    // The end of a question wrapped onto its own line (`(limite de 1500
                    // caractères):`) is not its answer.
                    let empty = hit.lines.iter().all(|l| l.trim().is_empty());
                    let line = lines[no];
                    if empty && line.trim_start().starts_with('(') {
                        let (rest, more) = form.limit_tail(line, &lines[no + 1..]);
                        hit.lines.push(rest);
                        no += more;
                    } else if empty && form.after_question(line).is_empty() {
                        // The question's last `:` or `?`, wrapped onto a line of its own.
                    } else {
                        hit.lines.push(line.to_string());
                    }
                }
                no += 1;
            }
        }
    }
    out
}

/// An answer's text as a source holds it: without the tabs that led table cells, without
/// trailing spaces on its lines, and without blank lines around it.
pub fn clean<S: AsRef<str>>(lines: &[S]) -> String {
    let lines: Vec<&str> = lines
        .iter()
        .map(|l| l.as_ref().trim_start_matches('\t').trim_end())
        .collect();
    lines.join("\n").trim().to_string()
}

/// A PDF's lines joined back into paragraphs: a line its text ends with a space was wrapped.
pub fn reflow<S: AsRef<str>>(lines: &[S]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut wrapped = false;
    for line in lines {
        let line = line.as_ref();
        match out.last_mut() {
            Some(last) if wrapped && !line.trim().is_empty() => {
                last.truncate(last.trim_end().len());
                last.push(' ');
                last.push_str(line.trim_start());
            }
            _ => out.push(line.to_string()),
        }
        wrapped = line.ends_with(' ') && !line.trim().is_empty();
    }
    out
}

/// The cells of an indicator table's row: the label cell's own lines (the indicator's wording),
/// then each cell a tab (or four spaces) starts, with the lines that continue it.
pub fn cells(lines: &[String]) -> (String, Vec<String>) {
    let mut label = Vec::new();
    let mut cells: Vec<Vec<&str>> = Vec::new();
    for line in lines {
        // A tab, or the spaces a tab was expanded to, starts a cell.
        if line.starts_with('\t') || line.starts_with("    ") {
            cells.push(vec![line.as_str()]);
        } else if let Some(cell) = cells.last_mut() {
            cell.push(line);
        } else {
            label.push(line.as_str());
        }
    }
    (clean(&label), cells.iter().map(|c| clean(c)).collect())
}

/// A table's columns (`columns`, the form's order) in the order the headings `found` (catalog
/// keys, as the text gives them) put them; the form's order when they are not all there once.
pub fn columns<'q>(columns: &'q [Question], found: &[&str]) -> Vec<&'q Question> {
    let order: Vec<&Question> = found
        .iter()
        .filter_map(|k| columns.iter().find(|c| c.key == *k))
        .collect();
    let mut unique: Vec<&str> = order.iter().map(|c| c.path.as_str()).collect();
    unique.sort_unstable();
    unique.dedup();
    match unique.len() == columns.len() && order.len() == columns.len() {
        true => order,
        false => columns.iter().collect(),
    }
}

/// The option of `choices` (key, text) that `answer` names: the one ticked (☒ before or after
/// it), or the one it is, word for word; `None` when that cannot be told.
pub fn choice(answer: &str, choices: &[(String, String)]) -> Option<String> {
    let mut ticked = ticked(answer, choices);
    ticked.dedup();
    match ticked.as_slice() {
        [one] => return Some(one.clone()),
        // Two options ticked where the form takes one: not for the import to choose.
        [_, _, ..] => return None,
        [] => {}
    }
    let folded = fold(answer).0;
    choices
        .iter()
        .filter(|(_, text)| fold(text).0 == folded)
        .map(|(k, _)| k.clone())
        .next()
}

const TICKED: [char; 4] = ['☒', '☑', '✔', '✓'];
const UNTICKED: [char; 2] = ['☐', '□'];

/// The options of `choices` ticked in `answer`: a box before its option (`☒ IRF ☐ PRF`) when
/// a line starts with a box, else after it (`IRF ☒`).
pub fn ticked(answer: &str, choices: &[(String, String)]) -> Vec<String> {
    let is_box = |c: char| TICKED.contains(&c) || UNTICKED.contains(&c);
    let mut out = Vec::new();
    let answer = typed_boxes(answer);
    for line in answer.lines() {
        let line = line.trim();
        let before = line.starts_with(is_box);
        let pieces: Vec<&str> = line.split_inclusive(is_box).collect();
        let mut owned: Vec<(bool, &str)> = Vec::new();
        if before {
            // "☒ IRF ☐ PRF": each box owns the text after it.
            let mut marks = line.match_indices(is_box).peekable();
            while let Some((at, mark)) = marks.next() {
                let end = marks.peek().map_or(line.len(), |(n, _)| *n);
                let c = mark.chars().next().unwrap_or(' ');
                owned.push((TICKED.contains(&c), &line[at + mark.len()..end]));
            }
        } else {
            for piece in pieces {
                if let Some(c) = piece.chars().last().filter(|c| is_box(*c)) {
                    owned.push((TICKED.contains(&c), &piece[..piece.len() - c.len_utf8()]));
                }
            }
        }
        for (on, text) in owned {
            let folded = fold(text).0;
            if !on || folded.is_empty() {
                continue;
            }
            if let Some((key, _)) = choices.iter().find(|(_, t)| fold(t).0 == folded) {
                out.push(key.clone());
            }
        }
    }
    out
}

/// Whether the answer shows tick boxes at all (a plain text saved from Word loses them).
pub fn has_boxes(answer: &str) -> bool {
    typed_boxes(answer)
        .chars()
        .any(|c| TICKED.contains(&c) || UNTICKED.contains(&c))
}

/// Boxes typed as text (`[X] PRF`, `[ ] IRF`) as the box characters.
fn typed_boxes(answer: &str) -> String {
    answer
        .replace("[X]", "☒")
        .replace("[x]", "☒")
        .replace("[ ]", "☐")
}

/// The count a text is (`18`, `18 mois`, `Deux`); `None` for anything else (`-5`, `18.5`,
/// `1 8`, `1e9`), which is not for the import to guess.
pub fn count(answer: &str) -> Option<u32> {
    const WORDS: [[&str; 6]; 2] = [
        ["zero", "un", "deux", "trois", "quatre", "cinq"],
        ["zero", "one", "two", "three", "four", "five"],
    ];
    static COUNT: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(?i)^(\d{1,6})(?:\s*(?:mois|months?|tranches?))?\s*\.?$")
            .expect("the pattern compiles")
    });
    if let Some(n) = COUNT.captures(answer.trim()) {
        return n[1].parse().ok();
    }
    let folded = fold(answer).0;
    let word = folded.split_once(' ').map_or(folded.as_str(), |(w, _)| w);
    let alone = folded == word
        || folded
            .split(' ')
            .skip(1)
            .all(|w| ["mois", "months", "tranches"].contains(&w));
    WORDS
        .iter()
        .find_map(|w| w.iter().position(|x| *x == word))
        .filter(|_| alone)
        .map(|n| n as u32)
}

/// The amount a text is, as a source writes it (`$ 855,000`, `USD 2 500 000`, `Total : 855 000
/// USD` → `855000`): the whole of it after any label, or nothing (`€ 855,000`, `855k`, `1e6`,
/// `855,000 – 900,000` are not for the import to guess).
pub fn amount(text: &str) -> Option<String> {
    let value = text.rsplit(':').next().unwrap_or(text).trim();
    let value = value.strip_prefix("US$").unwrap_or(value);
    crate::check::help::amount_in_words(value)
}

/// The amounts of a text that gives several, split at `/`, `;` or line breaks (`$635 133 /
/// $635 133`); `None` when one of them is not an amount.
pub fn amounts(text: &str) -> Option<Vec<String>> {
    text.split(['/', ';', '\n'])
        .filter(|p| !p.trim().is_empty())
        .map(amount)
        .collect()
}

/// UN entities by their English and French names, for telling a recipient's type and pairing
/// the names a report uses for one agency (`WFP` in the list, `PAM` in the budget).
const UN: &[&[&str]] = &[
    &["WFP", "PAM"],
    &["UNHCR", "HCR"],
    &["UNDP", "PNUD"],
    &["UNICEF"],
    &["UNFPA", "FNUAP"],
    &["IOM", "OIM"],
    &["UN Women", "ONU Femmes", "UNWOMEN"],
    &["OHCHR", "HCDH"],
    &["UNESCO"],
    &["ILO", "OIT", "BIT"],
    &["WHO", "OMS"],
    &["FAO"],
    &["UNOPS"],
    &["UNIDO", "ONUDI"],
    &["UNODC", "ONUDC"],
    &["UN-Habitat", "ONU-Habitat"],
    &["UNEP", "PNUE"],
    &["UNCDF", "FENU"],
    &["UNV", "VNU"],
    &["IFAD", "FIDA"],
    &["UNAIDS", "ONUSIDA"],
    &["UNMAS", "SLAM"],
    &["OCHA", "BCAH"],
    &["DPPA", "DPPA"],
];

/// A name folded for comparison, without spaces: `UN Women` is `unwomen`.
fn name_key(name: &str) -> String {
    fold(name).0.replace(' ', "")
}

/// Whether two names are one agency: the same name, or two names of one UN entity.
pub fn same_agency(a: &str, b: &str) -> bool {
    let (a, b) = (name_key(a), name_key(b));
    a == b
        || UN.iter().any(|names| {
            let keys: Vec<String> = names.iter().map(|n| name_key(n)).collect();
            keys.contains(&a) && keys.contains(&b)
        })
}

pub fn is_un(name: &str) -> bool {
    let key = name_key(name);
    UN.iter()
        .any(|names| names.iter().any(|n| name_key(n) == key))
}

/// An id for a recipient's name: `UN Women` → `un-women`.
pub fn id_of(name: &str) -> String {
    // Full-width digits and letters (`２１７`) are the ASCII ones.
    let name: String = name.nfkc().collect();
    let id: String = fold(&name)
        .0
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    id.split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

/// The items of a list written on one line or several: `WFP, FAO et UNHCR`.
pub fn items(text: &str) -> Vec<String> {
    static SEPARATOR: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(?i)\s*(?:[,;\n]|\s(?:et|and)\s)\s*").expect("the pattern compiles")
    });
    SEPARATOR
        .split(text)
        .map(|i| i.trim().trim_start_matches(['-', '•', '*', '–']).trim())
        .filter(|i| !i.is_empty())
        .map(String::from)
        .collect()
}

/// Each hit's key found in the text, first occurrence: key → hit index.
pub fn first_of(hits: &[Hit]) -> BTreeMap<&str, usize> {
    let mut first = BTreeMap::new();
    for (i, hit) in hits.iter().enumerate() {
        first.entry(hit.key.as_str()).or_insert(i);
    }
    first
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_ignores_case_accents_and_punctuation() {
        assert_eq!(
            fold("  Durée du projet — en mois :").0,
            "duree du projet en mois"
        );
        assert_eq!(fold("mise en Œuvre").0, "mise en oeuvre");
        // A question in NFD ends after its last letter's accent.
        let (folded, ends) = fold("Re\u{301}sume\u{301}: x");
        assert_eq!(folded, "resume x");
        assert_eq!(ends[5], "Re\u{301}sume\u{301}".len());
        let (folded, ends) = fold("PAYS: Mali");
        assert_eq!(folded, "pays mali");
        assert_eq!(ends[3], 4);
    }

    #[test]
    fn a_question_is_found_whatever_its_case_and_its_limit() {
        let form = Form::load(crate::form::Form::pbf_2019());
        let (m, _) = form.matches(&Folded::new("date DE RAPPORT: 12 NOVEMBRE 2019"));
        assert_eq!(form.anchors[m[0].anchor].key, "cover.report_date");
        assert_eq!(m[0].rest, "12 NOVEMBRE 2019");
        let (m, _) = form.matches(&Folded::new(
            "Si les dépenses sont retardées ou non-conformes aux plans, veuillez fournir une \
             brève explication (limite de 500 caractères): N/a",
        ));
        assert_eq!(form.anchors[m[0].anchor].key, "finance.delay_explanation");
        assert_eq!(m[0].rest, "N/a");
        // A short label does not start a sentence of an answer.
        assert!(
            form.matches(&Folded::new("Total des bénéficiaires : 500"))
                .0
                .is_empty()
        );
        let m = form
            .near(&Folded::new("Date du rapport : 12/11/2019"))
            .unwrap();
        assert_eq!(form.anchors[m.anchor].key, "cover.report_date");
        assert_eq!(m.rest, "12/11/2019");
        let (m, _) = form.matches(&Folded::new("\tIndicateur  1.2.1"));
        assert_eq!(form.anchors[m[0].anchor].key, "indicators.item");
        assert_eq!(m[0].number, [1, 2, 1]);
    }

    #[test]
    fn a_reworded_question_is_still_found() {
        let form = Form::load(crate::form::Form::pbf_2019());
        let m = form
            .near(&Folded::new(
                "National ownership: How has the national government shown ownership of and \
                 commitment to the project results and activities? Give specific examples.",
            ))
            .unwrap();
        assert_eq!(
            form.anchors[m.anchor].key,
            "cross_cutting.national_ownership"
        );
        assert!(m.fuzzy);
        // Words that are the form's, in another order, are not its question.
        assert!(
            form.near(&Folded::new(
                "examples specific Give activities and results project the to"
            ))
            .is_none()
        );
    }

    #[test]
    fn ticks_values_and_lists_are_read_as_written() {
        let choices = vec![
            ("irf".to_string(), "IRF".to_string()),
            ("prf".to_string(), "PRF".to_string()),
        ];
        assert_eq!(ticked("☐ IRF ☒ PRF", &choices), ["prf"]);
        assert_eq!(ticked("IRF ☒\nPRF ☐", &choices), ["irf"]);
        assert_eq!(ticked("[ ] IRF / [X] PRF", &choices), ["prf"]);
        assert_eq!(choice("prf", &choices).as_deref(), Some("prf"));
        assert_eq!(
            amounts("$635 133 / $635 133").unwrap(),
            ["635133", "635133"]
        );
        assert_eq!(amount("Total: USD 2,500,000").as_deref(), Some("2500000"));
        assert_eq!(amount(" $ 855,000").as_deref(), Some("855000"));
        for wrong in [
            "€ 855,000",
            "$ 1e6",
            "$ 0x855",
            "855,000 – 900,000",
            "2.5 millions",
        ] {
            assert_eq!(amount(wrong), None, "{wrong}");
        }
        assert_eq!(count(" 18 mois"), Some(18));
        assert_eq!(count("18.5"), None);
        assert_eq!(count("-5"), None);
        assert_eq!(amount("-855,000"), None);
        assert_eq!(amount("855k"), None);
        assert_eq!(count("1 8"), None);
        assert_eq!(count("Deux"), Some(2));
        assert_eq!(choice("IRF ☒\nPRF ☒", &choices), None);
        assert_eq!(id_of("PBF IRF-２１７"), "pbf-irf-217");
        assert_eq!(count("Deux"), Some(2));
        assert_eq!(items("AMAPROS ET GRAT"), ["AMAPROS", "GRAT"]);
        assert_eq!(
            items("CAEB, AMASSA AFRIQUE VERTE"),
            ["CAEB", "AMASSA AFRIQUE VERTE"]
        );
        assert!(same_agency("PAM", "WFP") && same_agency("HCR", "UNHCR"));
        assert!(!same_agency("FAO", "WFP"));
    }
}
