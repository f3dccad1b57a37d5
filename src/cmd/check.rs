//! `pbf-report check`: every problem of every source, then a summary.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::plural;
use crate::check;
use crate::cli::CheckArgs;
use crate::error::{Result, Status};

pub fn run(args: &CheckArgs) -> Result<Status> {
    let (sources, missing) = crate::discover::find(&args.paths);
    let (mut errors, mut warnings) = (missing.len(), 0);
    for problem in &missing {
        crate::say!("error: {problem}");
    }
    // Where each source would be built, to find two that would share a version folder.
    let mut folders: BTreeMap<(String, String), Vec<&PathBuf>> = BTreeMap::new();
    let mut spelling = args
        .spelling
        .then(|| Spelling::new(args.dictionaries.as_deref()));
    for path in &sources {
        if let Some(spelling) = spelling.as_mut() {
            spelling.start(path);
        }
        let mut checked = check::check_file(path);
        if let Some(spelling) = spelling.as_mut() {
            spelling.check(path, &mut checked);
        }
        // Everything `build` would refuse: the file name, and the version it supersedes (`check`
        // has no output folder of its own: it is looked for in out/).
        let version = match crate::pipeline::version_of(path) {
            Ok(version) => Some(version),
            Err(crate::pipeline::Failure::Invalid(d)) => {
                checked.diagnostics.extend(d);
                None
            }
            Err(_) => None,
        };
        checked.add_period_warnings(path);
        if let (Some(report), Some(version)) = (&checked.report, version) {
            let out = Path::new("out");
            let problem =
                crate::pipeline::supersedes_problem(&report.envelope, &version, path, out);
            checked.diagnostics.extend(problem);
            let key = (report.envelope.project_id.clone(), version);
            folders.entry(key).or_default().push(path);
        }
        // A source that could not be read has nothing to count.
        if args.counts && !checked.counts.is_empty() {
            print_counts(path, &checked.counts);
        }
        if !checked.diagnostics.is_empty() {
            crate::say!("{}", checked.render());
        }
        if let Some(report) = checked.report.as_ref().filter(|_| args.verbose) {
            for rule in crate::check::consistency::skipped(&report.form) {
                crate::say!(
                    "note: {}: the form `{}` skips the check of {rule}\n",
                    crate::terminal::path(path),
                    report.form.form
                );
            }
        }
        if checked.consistency_skipped {
            crate::say!(
                "note: {}: budget, duration and Annex A checks run once the errors above are fixed\n",
                crate::terminal::path(path)
            );
        }
        let e = checked.diagnostics.iter().filter(|d| d.is_error()).count();
        errors += e;
        warnings += checked.diagnostics.len() - e;
    }
    for ((project, version), paths) in folders.iter().filter(|(_, p)| p.len() > 1) {
        for path in paths {
            let others: Vec<String> = paths
                .iter()
                .filter(|p| *p != path)
                .map(|p| crate::terminal::path(p))
                .collect();
            crate::say!(
                "error: {}: this source and {} would both be built into out/{project}/{version}\n",
                crate::terminal::path(path),
                others.join(", ")
            );
            errors += 1;
        }
    }
    if let Some(spelling) = &spelling {
        spelling.summary(args.list)?;
    }
    crate::say!(
        "checked {} source{}: {errors} error{}, {warnings} warning{}",
        sources.len(),
        plural(sources.len()),
        plural(errors),
        plural(warnings)
    );
    let failed = errors > 0 || (args.deny_warnings && warnings > 0);
    Ok(if failed {
        Status::Invalid
    } else {
        Status::Success
    })
}

/// The table of `check --counts`: each text the form limits, in source order, with its count,
/// its limit and what is left (negative when over).
fn print_counts(path: &Path, counts: &[check::structure::Count]) {
    use std::fmt::Write as _;
    let rows: Vec<(String, &check::structure::Count)> = counts
        .iter()
        .filter(|c| c.form)
        .map(|c| match &c.lang {
            Some(lang) => (format!("{} ({lang})", c.field), c),
            None => (c.field.clone(), c),
        })
        .collect();
    let width = rows.iter().map(|(f, _)| f.len()).max().unwrap_or(0).max(5);
    let mut out = format!("{}\n", crate::terminal::path(path));
    writeln!(
        out,
        "  {:<width$}  {:>5}  {:>5}  {:>5}",
        "field", "count", "limit", "left"
    )
    .ok();
    for (field, c) in &rows {
        let left = c.most as i64 - c.count as i64;
        let mark = if left < 0 { "  over" } else { "" };
        writeln!(
            out,
            "  {field:<width$}  {:>5}  {:>5}  {left:>5}{mark}",
            c.count, c.most
        )
        .ok();
    }
    let over = rows.iter().filter(|(_, c)| c.count > c.most).count();
    let tight = rows
        .iter()
        .filter(|(_, c)| c.count <= c.most && c.count * 20 >= c.most * 19)
        .count();
    writeln!(
        out,
        "  {} limited text{}: {over} over the limit, {tight} within 5% of it\n",
        rows.len(),
        plural(rows.len())
    )
    .ok();
    // A full output is remembered there and ends the run with exit 3; a reader that stopped
    // reading (`| head`) is not an error.
    if let Err(e) = super::print_out(&out) {
        crate::say!("error: {e}");
    }
}

/// The spelling of `sources`, said before a build: the unknown words only (the build says the
/// rest), then the dictionaries used.
pub(super) fn spell(sources: &[PathBuf], dictionaries: Option<&Path>) {
    let mut spelling = Spelling::new(dictionaries);
    for path in sources {
        spelling.start(path);
        let mut checked = check::check_file(path);
        checked.diagnostics.clear();
        spelling.check(path, &mut checked);
        if !checked.diagnostics.is_empty() {
            crate::say!("{}", checked.render());
        }
    }
    let _ = spelling.summary(false);
}

/// The spelling of a run's sources: the dictionaries and known words, loaded once, and the
/// unknown words found, per language.
pub(super) struct Spelling {
    dictionaries: check::spelling::Dictionaries,
    known: check::spelling::Known,
    found: BTreeMap<String, BTreeMap<String, usize>>,
}

impl Spelling {
    pub(super) fn new(dictionaries: Option<&Path>) -> Spelling {
        Spelling {
            dictionaries: check::spelling::Dictionaries::new(dictionaries),
            known: Default::default(),
            found: BTreeMap::new(),
        }
    }

    /// Forgets the word lists and catalogs read, and the words found, to read them afresh.
    pub(super) fn forget_words(&mut self) {
        self.known = Default::default();
        self.found.clear();
    }

    /// Starts reading the dictionaries of the languages the source at `path` names, to have
    /// them by the time it is checked.
    pub(super) fn start(&mut self, path: &Path) {
        let Ok(bytes) = crate::fsio::read_source(path) else {
            return;
        };
        let Ok((_, root)) = crate::source::parse(path, &bytes) else {
            return;
        };
        // Only the languages a catalog has, once each: the others are refused by the check.
        let catalogs = crate::templates::current().languages();
        let mut languages = check::languages_of(&root);
        languages.retain(|l| catalogs.contains(l));
        languages.sort();
        languages.dedup();
        self.dictionaries.start(&languages);
    }

    /// Adds the unknown words of a source that reads to its diagnostics.
    pub(super) fn check(&mut self, path: &Path, checked: &mut check::Checked) {
        let (Some(report), Some(source)) = (&checked.report, &checked.source) else {
            return;
        };
        let Ok((_, root)) = crate::source::parse(path, source.text.as_bytes()) else {
            return;
        };
        let languages = &report.envelope.languages;
        // The word lists and catalogs are read while the dictionaries are.
        for lang in languages {
            self.known.add(lang, Path::new(""));
        }
        self.dictionaries.load(languages);
        let unknown = check::spelling::check(
            path,
            &source.text,
            &root,
            &report.form,
            languages,
            &self.dictionaries,
            &self.known,
        );
        for u in unknown {
            *self
                .found
                .entry(u.lang)
                .or_default()
                .entry(u.word)
                .or_default() += 1;
            checked.diagnostics.push(u.diagnostic);
        }
        checked.diagnostics.sort_by_key(|d| d.pos);
    }

    /// What could not be checked: a word list that cannot be read, a language without a
    /// dictionary (named with the package that has it).
    pub(super) fn notes(&self) -> Vec<String> {
        let problems = self
            .dictionaries
            .problems
            .iter()
            .chain(&self.known.problems);
        let missing = self.dictionaries.files().filter(|(_, file)| file.is_none());
        let missing = missing.map(|(lang, _)| {
            format!(
                "no Hunspell dictionary for `{lang}` in {}: its texts were not checked; \
                 install the package {} (Debian), or name a folder of dictionaries with \
                 --dictionaries DIR",
                self.dictionaries.searched(),
                match lang {
                    "en" => "hunspell-en-gb or hunspell-en-us".to_string(),
                    _ => format!("hunspell-{lang}"),
                }
            )
        });
        problems.cloned().chain(missing).collect()
    }

    /// The dictionary of each language, once, with the unknown words it left; a language
    /// without one named with the package that has it. With `list`, each word once on
    /// standard output.
    fn summary(&self, list: bool) -> Result<()> {
        for note in self.notes() {
            crate::say!("note: {note}");
        }
        for (lang, file) in self.dictionaries.files() {
            let words = self.found.get(lang);
            let (distinct, total) = words.map_or((0, 0), |w| (w.len(), w.values().sum()));
            if let Some(file) = file {
                crate::say!(
                    "spelling: `{lang}` with {}: {total} unknown word{} ({distinct} different)",
                    crate::terminal::path(file),
                    plural(total)
                );
            }
        }
        if list {
            let mut out = String::new();
            for (lang, words) in &self.found {
                let mut sorted: Vec<(&String, &usize)> = words.iter().collect();
                sorted.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
                for (word, n) in sorted {
                    out.push_str(&format!("{}  # {lang}, {n}\n", crate::terminal::line(word)));
                }
            }
            super::print_out(&out)?;
        }
        Ok(())
    }
}
