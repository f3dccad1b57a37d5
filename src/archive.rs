//! Output on disk. A build of a source renders everything in memory, then writes
//! `out/<project>/<version>/`: one PDF and one Annex A workbook per language, a copy of the
//! source and `manifest.json`, each file to a temporary name and renamed, the manifest last — so a
//! folder with a manifest is complete, and a failed build leaves the previous files as they were.
//! `ARCHIVED.json` marks a submitted version, which no later build may change.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::check;
use crate::diagnostic::Diagnostic;
use crate::i18n::Catalog;
use crate::model::{self, Report};
use crate::render::{annex_a, document, pdf};
use crate::templates;

pub const MANIFEST: &str = "manifest.json";
pub const ARCHIVED: &str = "ARCHIVED.json";
/// Inside each PDF: which report, version and language it is.
pub const IDENTITY: &str = "pbf-report.json";
pub const TYPST_VERSION: &str = "0.15.1";

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
    pub source: FileEntry,
    /// SHA-256 of every embedded template, catalog and font file, by path under `templates/`.
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
    fn of(name: &str, bytes: &[u8]) -> FileEntry {
        FileEntry {
            name: name.to_string(),
            sha256: sha256(bytes),
            size: bytes.len() as u64,
        }
    }
}

impl Manifest {
    /// What differs between the inputs of two builds, in a person's words; empty when the same
    /// inputs would give the same bytes.
    pub fn changes_from(&self, old: &Manifest) -> Vec<String> {
        let mut changes = Vec::new();
        if self.source.sha256 != old.source.sha256 {
            changes.push(format!("the source {} changed", self.source.name));
        }
        for (what, new, before) in [
            ("template", &self.templates, &old.templates),
            ("catalog", &self.catalogs, &old.catalogs),
            ("font", &self.fonts, &old.fonts),
        ] {
            let changed: Vec<&str> = new
                .keys()
                .chain(before.keys())
                .filter(|k| new.get(*k) != before.get(*k))
                .map(String::as_str)
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            if !changed.is_empty() {
                changes.push(format!("{what} files changed: {}", changed.join(", ")));
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
        changes
    }
}

pub fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

type Hashes = BTreeMap<String, String>;

/// The hashes of the embedded templates, catalogs and fonts: the same for the whole process.
static EMBEDDED: std::sync::LazyLock<(Hashes, Hashes, Hashes)> = std::sync::LazyLock::new(|| {
    (
        hashes("", |n| !n.starts_with("i18n/") && !n.starts_with("fonts/")),
        hashes("i18n/", |_| true),
        hashes("fonts/", |_| true),
    )
});

fn hashes(prefix: &str, keep: impl Fn(&str) -> bool) -> BTreeMap<String, String> {
    templates::files_under(prefix)
        .filter(|(name, _)| keep(name))
        .map(|(name, bytes)| (name.to_string(), sha256(bytes)))
        .collect()
}

/// One source, rendered in memory: the files to write and the manifest that describes them.
pub struct Rendered {
    pub files: Vec<(String, Vec<u8>)>,
    pub manifest: Manifest,
    pub warnings: Vec<Diagnostic>,
}

/// Why a source could not be rendered.
pub enum Failure {
    /// The source (or its name) is wrong: the diagnostics say how.
    Invalid(Vec<Diagnostic>),
    /// A template or the workbook writer failed.
    Internal(Vec<Diagnostic>),
}

/// The manifest of a build of `report` from `source_bytes`, before any rendering: what it is made
/// from. Its outputs are filled in by `render`.
pub fn plan(
    report: &Report,
    source_name: &str,
    source_bytes: &[u8],
    version: &str,
    draft: bool,
) -> Manifest {
    Manifest {
        tool: format!("pbf-report {}", env!("CARGO_PKG_VERSION")),
        typst: TYPST_VERSION.into(),
        project: report.project_id.clone(),
        version: version.to_string(),
        languages: report.languages.clone(),
        timestamp: format!("{}T00:00:00Z", report.cover.report_date.0),
        draft,
        source: FileEntry::of(source_name, source_bytes),
        templates: EMBEDDED.0.clone(),
        catalogs: EMBEDDED.1.clone(),
        fonts: EMBEDDED.2.clone(),
        outputs: Vec::new(),
    }
}

/// The report version named by a source file: `2019-11-12-final.yaml` → `2019-11-12-final`.
/// Only lower-case letters, digits and dashes, so that it cannot name a path outside `out/`.
pub fn version_of(path: &Path) -> Option<String> {
    let stem = path.file_stem()?.to_str()?;
    model::is_valid_project_id(stem).then(|| stem.to_string())
}

/// The name of the PDF of one language.
pub fn pdf_name(project: &str, version: &str, lang: &str) -> String {
    format!("{project}-{version}.{lang}.pdf")
}

/// Renders every language of a checked report: per language the workbook, then the PDF that
/// carries the source, the workbook and its identity.
pub fn render(
    report: &Report,
    mut manifest: Manifest,
    source_path: &Path,
    source_bytes: &[u8],
) -> Result<Rendered, Failure> {
    let options = document::Options {
        draft: manifest.draft,
    };
    let mut files = Vec::new();
    let mut warnings = Vec::new();
    for lang in &report.languages {
        let catalog = Catalog::load(lang)
            .map_err(|e| Failure::Invalid(vec![Diagnostic::error(source_path, e)]))?;
        let workbook = annex_a::render(report, &catalog).map_err(|e| {
            Failure::Internal(vec![Diagnostic::error(
                source_path,
                format!("cannot write the Annex A workbook: {e}"),
            )])
        })?;
        let workbook_name = format!("annex-a.{lang}.xlsx");
        let attachments = attachments(&manifest, lang, source_bytes, &workbook_name, &workbook);
        let rendered = pdf::render(
            report,
            source_path,
            &manifest.version,
            &catalog,
            options,
            &attachments,
        )
        .map_err(Failure::Internal)?;
        warnings.extend(rendered.warnings);
        files.push((
            pdf_name(&manifest.project, &manifest.version, lang),
            rendered.bytes,
        ));
        files.push((workbook_name, workbook));
    }
    manifest.outputs = files
        .iter()
        .map(|(name, bytes)| FileEntry::of(name, bytes))
        .collect();
    // typst memoizes every compile; without this a batch keeps every report's layout in memory
    // (about 30 MB a source). Results not reused within two sources are dropped.
    typst::comemo::evict(2);
    Ok(Rendered {
        files,
        manifest,
        warnings,
    })
}

/// Writes, for each language of the source at `path`, the files with which the stock
/// `typst compile` lays out the same document as `render`: the template, the data, the attached
/// files and the fonts, under `dir/<project>/<version>/<lang>/`.
pub fn emit(path: &Path, dir: &Path, draft: bool) -> Result<(), String> {
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    let checked = check::check_bytes(path, &bytes);
    let report = checked
        .renderable(draft)
        .ok_or("the source does not check")?;
    let version = version_of(path).ok_or("the file name is not a version name")?;
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("source.yaml");
    let manifest = plan(report, name, &bytes, &version, draft);
    for lang in &report.languages {
        let catalog = Catalog::load(lang)?;
        let workbook = annex_a::render(report, &catalog).map_err(|e| e.to_string())?;
        let workbook_name = format!("annex-a.{lang}.xlsx");
        let attachments = attachments(&manifest, lang, &bytes, &workbook_name, &workbook);
        let options = document::Options { draft };
        let base = dir.join(&manifest.project).join(&version).join(lang);
        for (file, data) in pdf::emitted_files(report, &version, &catalog, options, &attachments) {
            write_atomic(&base.join(file), &data).map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

fn attachments(
    manifest: &Manifest,
    lang: &str,
    source: &[u8],
    workbook_name: &str,
    workbook: &[u8],
) -> Vec<pdf::Attachment> {
    let identity = serde_json::json!({
        "project": manifest.project,
        "version": manifest.version,
        "language": lang,
        "source": manifest.source.name,
        "draft": manifest.draft,
        "tool": manifest.tool,
    });
    vec![
        pdf::Attachment {
            name: manifest.source.name.clone(),
            bytes: source.to_vec(),
            mime: "application/yaml",
            relationship: "source",
            description: "The report source this PDF was built from".into(),
        },
        pdf::Attachment {
            name: workbook_name.to_string(),
            bytes: workbook.to_vec(),
            mime: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            relationship: "supplement",
            description: "Annex A: the project budget with expenditure to date".into(),
        },
        pdf::Attachment {
            name: IDENTITY.into(),
            bytes: serde_json::to_vec_pretty(&identity).expect("serialises"),
            mime: "application/json",
            relationship: "supplement",
            description: "Which report, version and language this PDF is".into(),
        },
    ]
}

/// What a build of one source did.
pub enum Outcome {
    /// Rendered and written; the names of the files written.
    Built(Vec<String>, Vec<Diagnostic>),
    /// The folder already holds what these inputs make: nothing was rendered.
    UpToDate,
    /// The version is archived and these inputs differ: nothing was written.
    Refused(Vec<String>),
}

/// Checks, renders and writes one source into `out`.
pub fn build_source(path: &Path, out: &Path, draft: bool) -> Result<Outcome, Failure> {
    let bytes = std::fs::read(path).map_err(|e| {
        Failure::Invalid(vec![Diagnostic::error(
            path,
            format!("cannot read the file: {e}"),
        )])
    })?;
    let checked = check::check_bytes(path, &bytes);
    let warnings = checked.diagnostics.clone();
    let Some(report) = checked.renderable(draft) else {
        return Err(Failure::Invalid(checked.diagnostics));
    };
    let version = version_of(path).ok_or_else(|| {
        Failure::Invalid(vec![Diagnostic::error(
            path,
            "the file name names the report version and may hold only lower-case letters, digits and \
             dashes (e.g. 2019-11-12-final.yaml)",
        )])
    })?;
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("source.yaml");
    let planned = plan(report, name, &bytes, &version, draft);
    let folder = out.join(&planned.project).join(&planned.version);
    let existing = read_manifest(&folder).ok();
    if let Some(old) = &existing {
        let same_inputs = planned.changes_from(old).is_empty();
        if same_inputs && (is_archived(&folder) || outputs_intact(&folder, old)) {
            return Ok(Outcome::UpToDate);
        }
        if is_archived(&folder) {
            return Ok(Outcome::Refused(planned.changes_from(old)));
        }
    }
    let rendered = render(report, planned, path, &bytes)?;
    remove_leftovers(&folder);
    let mut written = Vec::new();
    let write = |name: &str, data: &[u8], written: &mut Vec<String>| {
        let target = folder.join(name);
        write_atomic(&target, data).map_err(|e| {
            let message = format!("cannot write {}: {e}", target.display());
            Failure::Internal(vec![Diagnostic::error(&target, message)])
        })?;
        written.push(name.to_string());
        Ok::<(), Failure>(())
    };
    for (file, data) in &rendered.files {
        write(file, data, &mut written)?;
    }
    write(name, &bytes, &mut written)?;
    let manifest = serde_json::to_vec_pretty(&rendered.manifest).expect("serialises");
    write(MANIFEST, &manifest, &mut written)?;
    let mut notes = warnings;
    notes.extend(rendered.warnings);
    Ok(Outcome::Built(written, notes))
}

/// Temporary files that an interrupted build left behind (`.<name>.<pid>.tmp`).
fn remove_leftovers(folder: &Path) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') && name.ends_with(".tmp") {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

pub fn read_manifest(folder: &Path) -> Result<Manifest, String> {
    let path = folder.join(MANIFEST);
    let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_slice(&bytes).map_err(|e| format!("{}: not a manifest ({e})", path.display()))
}

pub fn is_archived(folder: &Path) -> bool {
    folder.join(ARCHIVED).is_file()
}

fn outputs_intact(folder: &Path, manifest: &Manifest) -> bool {
    manifest
        .outputs
        .iter()
        .chain([&manifest.source])
        .all(|entry| {
            std::fs::read(folder.join(&entry.name))
                .is_ok_and(|bytes| sha256(&bytes) == entry.sha256)
        })
}

/// One file of a verification and what was found.
pub struct Verdict {
    pub name: String,
    pub problem: Option<String>,
}

/// Rebuilds a folder from its source copy and compares every byte with its manifest and with
/// the files on disk.
pub fn verify_folder(folder: &Path) -> Result<Vec<Verdict>, String> {
    let manifest = read_manifest(folder)?;
    let source_path = folder.join(&manifest.source.name);
    let source =
        std::fs::read(&source_path).map_err(|e| format!("{}: {e}", source_path.display()))?;
    let mut verdicts = Vec::new();
    let source_ok = sha256(&source) == manifest.source.sha256;
    verdicts.push(Verdict {
        name: manifest.source.name.clone(),
        problem: (!source_ok)
            .then(|| "the source copy is not the one the manifest names".to_string()),
    });
    let rebuilt = rebuild(
        &source_path,
        &source,
        &manifest.source.name,
        &manifest.version,
        manifest.draft,
    )?;
    for entry in &manifest.outputs {
        let on_disk = std::fs::read(folder.join(&entry.name)).ok();
        let again = rebuilt
            .files
            .iter()
            .find(|(n, _)| *n == entry.name)
            .map(|(_, b)| b);
        let problem = match (on_disk, again) {
            (None, _) => Some("missing".to_string()),
            (Some(disk), _) if sha256(&disk) != entry.sha256 => {
                Some("its bytes differ from the manifest".into())
            }
            (_, None) => Some("the source no longer makes this file".into()),
            (_, Some(again)) if sha256(again) != entry.sha256 => {
                Some("a rebuild from the source gives other bytes".into())
            }
            _ => None,
        };
        verdicts.push(Verdict {
            name: entry.name.clone(),
            problem,
        });
    }
    Ok(verdicts)
}

/// Renders a source again, as the version it was built as.
fn rebuild(
    source_path: &Path,
    source: &[u8],
    name: &str,
    version: &str,
    draft: bool,
) -> Result<Rendered, String> {
    let checked = check::check_bytes(source_path, source);
    let report = checked
        .renderable(draft)
        .ok_or_else(|| format!("the archived source does not check:\n{}", checked.render()))?;
    let planned = plan(report, name, source, version, draft);
    render(report, planned, source_path, source).map_err(|f| match f {
        Failure::Invalid(d) | Failure::Internal(d) => {
            d.iter().map(|d| d.render(None)).collect::<String>()
        }
    })
}

/// Rebuilds the language of a PDF from the source it carries and compares the bytes.
pub fn verify_pdf(path: &Path) -> Result<Vec<Verdict>, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let files = attachments_of(&bytes)?;
    let identity = files
        .iter()
        .find(|(n, _)| n == IDENTITY)
        .ok_or("the PDF carries no pbf-report identity")?;
    let identity: serde_json::Value =
        serde_json::from_slice(&identity.1).map_err(|e| e.to_string())?;
    let field = |k: &str| identity[k].as_str().unwrap_or_default().to_string();
    let (source_name, lang) = (field("source"), field("language"));
    let source = files
        .iter()
        .find(|(n, _)| *n == source_name)
        .ok_or("the PDF carries no source")?;
    let (version, draft) = (
        field("version"),
        identity["draft"].as_bool().unwrap_or(false),
    );
    let rebuilt = rebuild(
        Path::new(&source_name),
        &source.1,
        &source_name,
        &version,
        draft,
    )?;
    let name = pdf_name(&field("project"), &version, &lang);
    let again = rebuilt
        .files
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, b)| b);
    let problem = match again {
        None => Some(format!("the source no longer has the language {lang}")),
        Some(again) if *again != bytes => {
            Some("a rebuild from the source it carries gives other bytes".into())
        }
        Some(_) => None,
    };
    Ok(vec![Verdict {
        name: path.display().to_string(),
        problem,
    }])
}

/// Marks a verified folder as submitted.
pub fn archive(folder: &Path) -> Result<bool, String> {
    if is_archived(folder) {
        return Ok(false);
    }
    let manifest = std::fs::read(folder.join(MANIFEST))
        .map_err(|e| format!("{}: {e}", folder.join(MANIFEST).display()))?;
    let mark = serde_json::json!({ "manifest_sha256": sha256(&manifest) });
    write_atomic(
        &folder.join(ARCHIVED),
        &serde_json::to_vec_pretty(&mark).expect("serialises"),
    )
    .map_err(|e| e.to_string())?;
    Ok(true)
}

/// The files attached to a PDF written by pbf-report, by name: its catalog's `/EmbeddedFiles`
/// name tree points at file specifications, whose `/EF /F` stream holds the bytes.
pub fn attachments_of(pdf: &[u8]) -> Result<Vec<(String, Vec<u8>)>, String> {
    let names = find(pdf, b"/EmbeddedFiles<</Names[").ok_or("the PDF carries no attached files")?;
    let end = names
        + pdf[names..]
            .iter()
            .position(|&b| b == b']')
            .ok_or("bad name tree")?;
    let list =
        String::from_utf8_lossy(&pdf[names + b"/EmbeddedFiles<</Names[".len()..end]).to_string();
    let mut files = Vec::new();
    let mut rest = list.as_str();
    while let Some(open) = rest.find('(') {
        let close = rest[open..].find(')').ok_or("bad name")? + open;
        let name = rest[open + 1..close].to_string();
        let after = rest[close + 1..].trim_start();
        let number: String = after.chars().take_while(char::is_ascii_digit).collect();
        let spec = object(pdf, &number).ok_or("missing file specification")?;
        let ef = find(spec, b"/EF<</F ").ok_or("file specification without /EF")?;
        let stream_ref: String = String::from_utf8_lossy(&spec[ef + 8..])
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        files.push((name, stream(pdf, &stream_ref)?));
        rest = &after[number.len()..];
    }
    Ok(files)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The bytes of object `number 0 obj` up to its `endobj`.
fn object<'a>(pdf: &'a [u8], number: &str) -> Option<&'a [u8]> {
    let start = find(pdf, format!("\n{number} 0 obj\n").as_bytes())?;
    let end = start + find(&pdf[start..], b"endobj")?;
    Some(&pdf[start..end])
}

/// The decoded content of stream object `number`.
fn stream(pdf: &[u8], number: &str) -> Result<Vec<u8>, String> {
    let obj = object(pdf, number).ok_or("missing embedded file")?;
    let dict_end = find(obj, b"stream\n").ok_or("embedded file without stream")?;
    let dict = String::from_utf8_lossy(&obj[..dict_end]);
    let length: usize = dict
        .split("/Length ")
        .nth(1)
        .and_then(|l| l.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|l| l.parse().ok())
        .ok_or("embedded file without a direct length")?;
    let data = obj
        .get(dict_end + 7..dict_end + 7 + length)
        .ok_or("truncated stream")?;
    if dict.contains("/FlateDecode") {
        miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(data, 64 << 20)
            .map_err(|e| format!("cannot inflate: {e:?}"))
    } else {
        Ok(data.to_vec())
    }
}

/// Writes `bytes` to `path` atomically, creating the parent folders: a temporary file beside
/// it, synced, then renamed over it. A reader never sees half a file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    let tmp: PathBuf = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
