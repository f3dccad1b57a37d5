//! `manifest.json`: what a version folder holds and what it was made from, and what changed
//! between two builds' inputs.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::hash::sha256;
use crate::model::Filled;
use crate::templates::{self, Templates};

pub const MANIFEST: &str = "manifest.json";

/// What a folder holds and what it was made from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub tool: String,
    pub typst: String,
    pub project: String,
    pub version: String,
    pub languages: Vec<String>,
    /// The only time the outputs record: the report date, midnight UTC.
    pub timestamp: String,
    pub draft: bool,
    /// The version this one replaces, when the source says so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supersedes: Option<String>,
    pub source: FileEntry,
    /// SHA-256 of the template, catalog and font files the outputs are made with, by path
    /// under `templates/`.
    pub templates: BTreeMap<String, String>,
    pub catalogs: BTreeMap<String, String>,
    pub fonts: BTreeMap<String, String>,
    pub outputs: Vec<FileEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    pub name: String,
    pub sha256: String,
    pub size: u64,
}

impl FileEntry {
    pub fn of(name: &str, bytes: &[u8]) -> FileEntry {
        FileEntry {
            name: name.to_string(),
            sha256: sha256(bytes),
            size: bytes.len() as u64,
        }
    }
}

type Hashes = BTreeMap<String, String>;

/// A name that can only be a file directly in a folder: no separator, not `.` or `..`, not
/// hidden, no control character, and short enough that its temporary name beside it
/// (`.<name>.<pid>.tmp`) fits a file system's 255 bytes. pbf-report's own names are at most
/// about 150 (a project id and a version of 64 each).
pub fn is_plain_name(name: &str) -> bool {
    const MOST: usize = 200;
    name.len() <= MOST
        && !name.is_empty()
        && !name.starts_with('.')
        && !name.contains(['/', '\\'])
        && !name.chars().any(char::is_control)
}

/// The hashes of the built-in fonts, computed when the program was compiled.
static FONTS: LazyLock<Hashes> = LazyLock::new(|| {
    templates::builtin_with_hashes("fonts/")
        .map(|(name, _, hash)| (name.to_string(), hash.to_string()))
        .collect()
});

/// The files of `templates` a report in `languages` is made with: the template folder and the
/// catalogs of its languages, by name under `templates/`; and the English catalog when a
/// language in progress prints some of its words, so that they are recorded and carried too.
pub fn words_used<'a, 'l>(
    templates: &'a Templates,
    form: &str,
    languages: impl IntoIterator<Item = &'l str>,
) -> Vec<(&'a str, &'a [u8])> {
    let prefix = format!("{form}/");
    let mut used: Vec<_> = templates
        .files_under(&prefix)
        .filter(|(name, _)| templates.records(name))
        .collect();
    let mut falls_back = false;
    for lang in languages {
        let name = format!("i18n/{lang}.yaml");
        let catalog = templates.entry(&name);
        falls_back |= lang != crate::i18n::REFERENCE
            && catalog.is_some_and(|(_, bytes)| crate::i18n::prints_english(bytes));
        used.extend(catalog);
    }
    let english = format!("i18n/{}.yaml", crate::i18n::REFERENCE);
    if falls_back && !used.iter().any(|(name, _)| *name == english) && templates.records(&english) {
        used.extend(templates.entry(&english));
    }
    used
}

impl Manifest {
    /// The manifest of a build of `report` from `source_bytes`, before any rendering: what it is
    /// made from. Its outputs are filled in when it is rendered.
    pub fn plan(
        report: &Filled,
        words: &Templates,
        source_name: &str,
        source_bytes: &[u8],
        version: &str,
        draft: bool,
    ) -> Manifest {
        let (mut templates, mut catalogs) = (Hashes::new(), Hashes::new());
        let envelope = &report.envelope;
        let languages = envelope.languages.iter().map(String::as_str);
        for (name, bytes) in words_used(words, &report.form.form, languages) {
            let kind = match name.starts_with("i18n/") {
                true => &mut catalogs,
                false => &mut templates,
            };
            kind.insert(name.to_string(), sha256(bytes));
        }
        let fonts = FONTS.clone();
        Manifest {
            tool: format!("pbf-report {}", env!("CARGO_PKG_VERSION")),
            typst: crate::render::TYPST_VERSION.into(),
            project: envelope.project_id.clone(),
            version: version.to_string(),
            languages: envelope.languages.clone(),
            timestamp: format!(
                "{}T00:00:00Z",
                report.report_date().map_or("1980-01-01".into(), |d| d.0)
            ),
            draft,
            supersedes: envelope.supersedes.clone(),
            source: FileEntry::of(source_name, source_bytes),
            templates,
            catalogs,
            fonts,
            outputs: Vec::new(),
        }
    }

    /// The manifest of the version folder `folder`.
    pub fn read(folder: &Path) -> Result<Manifest> {
        const EXPECTED: &str = "a version folder (out/<project>/<version>) with its manifest.json";
        if !folder.is_dir() {
            return Err(match folder.exists() {
                true => Error::wrong_kind(folder, EXPECTED, "not a folder"),
                false => Error::Missing {
                    path: folder.into(),
                },
            });
        }
        let path = folder.join(MANIFEST);
        if !path.exists() {
            return Err(Error::wrong_kind(
                folder,
                EXPECTED,
                "a folder without manifest.json",
            ));
        }
        let bytes = crate::fsio::read_file(&path)?;
        let manifest: Manifest = serde_json::from_slice(&bytes).map_err(|e| {
            let found = format!(
                "not a manifest written by pbf-report (line {}, column {})",
                e.line(),
                e.column()
            );
            Error::wrong_kind(&path, "a manifest written by pbf-report", found)
        })?;
        // Names are only ever file names in the folder: a manifest cannot point elsewhere.
        let outside = manifest
            .outputs
            .iter()
            .chain([&manifest.source])
            .find(|e| !is_plain_name(&e.name));
        if let Some(entry) = outside {
            let found = format!(
                "a manifest that names \"{}\", not a file name of its folder",
                crate::terminal::line(&entry.name)
            );
            return Err(Error::wrong_kind(
                &path,
                "a manifest written by pbf-report",
                found,
            ));
        }
        Ok(manifest)
    }

    /// Whether two builds are of one version from one source, byte for byte: what else differs
    /// is only what the outputs were made with.
    pub fn same_source_as(&self, old: &Manifest) -> bool {
        (
            &self.project,
            &self.version,
            &self.source.name,
            &self.source.sha256,
        ) == (
            &old.project,
            &old.version,
            &old.source.name,
            &old.source.sha256,
        )
    }

    /// What differs between the inputs of two builds, in a person's words; empty when the same
    /// inputs would give the same bytes.
    pub fn changes_from(&self, old: &Manifest) -> Vec<String> {
        let mut changes = Vec::new();
        let (new_id, old_id) = ((&self.project, &self.version), (&old.project, &old.version));
        if new_id != old_id || self.source.name != old.source.name {
            changes.push(format!(
                "the folder holds {} {} built from {}, not {} {} from {}",
                old.project,
                old.version,
                old.source.name,
                self.project,
                self.version,
                self.source.name
            ));
        }
        if self.source.sha256 != old.source.sha256 {
            changes.push(format!("the source {} changed", self.source.name));
        }
        for (what, new, before) in [
            ("template", &self.templates, &old.templates),
            ("catalog", &self.catalogs, &old.catalogs),
            ("font", &self.fonts, &old.fonts),
        ] {
            let changed: BTreeSet<&str> = new
                .keys()
                .chain(before.keys())
                .filter(|k| new.get(*k) != before.get(*k))
                .map(String::as_str)
                .collect();
            if !changed.is_empty() {
                let names: Vec<&str> = changed.into_iter().collect();
                changes.push(format!("{what} files changed: {}", names.join(", ")));
            }
        }
        if self.tool != old.tool || self.typst != old.typst {
            changes.push(format!(
                "the tool changed: {} (typst {}) built it, this is {} (typst {})",
                old.tool, old.typst, self.tool, self.typst
            ));
        }
        if self.draft != old.draft {
            changes.push(format!("draft was {}, is now {}", old.draft, self.draft));
        }
        if self.languages != old.languages {
            changes.push(format!(
                "languages were {:?}, are now {:?}",
                old.languages, self.languages
            ));
        }
        // The same source gives these; a manifest that says otherwise was edited since.
        if self.timestamp != old.timestamp || self.supersedes != old.supersedes {
            changes
                .push("the manifest records another date or revision than its source gives".into());
        }
        changes
    }

    /// Whether every file the manifest lists is in `folder` with the bytes it records.
    pub fn intact_in(&self, folder: &Path) -> bool {
        self.outputs.iter().chain([&self.source]).all(|entry| {
            crate::fsio::read_own(&folder.join(&entry.name))
                .is_ok_and(|b| sha256(&b) == entry.sha256 && b.len() as u64 == entry.size)
        })
    }
}
