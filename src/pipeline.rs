//! Building one source: read → check → plan → render every language in memory → write
//! `out/<project>/<version>/`. The first three steps are `prepare`, which `build`, `verify` and
//! `--emit-typst` all start from, so a source is always read, checked and planned the same way.

use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;

use crate::archive;
use crate::check;
use crate::diagnostic::Diagnostic;
use crate::error::{Error, Status};
use crate::fsio;
use crate::i18n::Catalog;
use crate::manifest::{FileEntry, MANIFEST, Manifest, words_used};
use crate::model::{self, Envelope, Filled};
use crate::render::{annex_a, document, pdf};
use crate::templates::Templates;

/// Inside each PDF: which report, version and language it is.
pub const IDENTITY: &str = "pbf-report.json";

/// Why a source could not be built.
#[derive(Debug, Clone)]
pub enum Failure {
    /// The source (or its name) is wrong: the diagnostics say how.
    Invalid(Vec<Diagnostic>),
    /// The template failed on this source: the diagnostics point into the template.
    Template(Vec<Diagnostic>),
    /// A file could not be read or written.
    Io(Error),
}

impl Failure {
    pub fn status(&self) -> Status {
        match self {
            Failure::Invalid(_) => Status::Invalid,
            Failure::Template(_) => Status::Internal,
            Failure::Io(e) => e.status(),
        }
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        Failure::Io(e)
    }
}

/// A source read, checked and planned: everything a rendering starts from.
pub struct Job {
    pub source_name: String,
    pub bytes: Vec<u8>,
    pub report: Filled,
    /// What the build is made from; its outputs are empty until it is rendered.
    pub manifest: Manifest,
    /// What `check` said that does not stop the build (warnings; in a draft, limits).
    pub warnings: Vec<Diagnostic>,
    /// The templates and catalogs it is made with.
    pub templates: Arc<Templates>,
}

/// Checks `bytes`, the source named `path`, and plans its build as `version`.
pub fn prepare(
    path: &Path,
    bytes: Vec<u8>,
    version: &str,
    draft: bool,
    templates: Arc<Templates>,
) -> Result<Job, Failure> {
    let checked = check::check_with(path, &bytes, &templates);
    let (report, warnings) = checked.into_renderable(draft).map_err(Failure::Invalid)?;
    Ok(Job::new(
        path, bytes, report, warnings, version, draft, templates,
    ))
}

impl Job {
    /// The job of a source already checked: `report` and its `warnings`.
    pub fn new(
        path: &Path,
        bytes: Vec<u8>,
        report: Filled,
        warnings: Vec<Diagnostic>,
        version: &str,
        draft: bool,
        templates: Arc<Templates>,
    ) -> Job {
        let source_name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("source.yaml")
            .to_string();
        let manifest = Manifest::plan(&report, &templates, &source_name, &bytes, version, draft);
        Job {
            source_name,
            bytes,
            report,
            manifest,
            warnings,
            templates,
        }
    }
}

/// The report version named by a source file: `2019-11-12-final.yaml` → `2019-11-12-final`.
/// Only lower-case letters, digits and dashes, so that it cannot name a path outside `out/`.
pub fn version_of(path: &Path) -> Result<String, Failure> {
    path.file_stem()
        .and_then(|s| s.to_str())
        .filter(|s| model::is_valid_project_id(s))
        .map(str::to_string)
        .ok_or_else(|| {
            let d = Diagnostic::error(
                path,
                "the file name names the report version and may hold only lower-case letters, \
                 digits and dashes, at most 64 of them, not starting with a dash \
                 (e.g. 2019-11-12-final.yaml)",
            );
            let stem = path
                .file_stem()
                .map(|s| s.to_string_lossy())
                .unwrap_or_default();
            let d = match slug(&stem) {
                Some(name) => d.note(format!("help: rename it {name}.yaml")),
                None => d,
            };
            Failure::Invalid(vec![d])
        })
}

/// A version name made of `stem`'s letters and digits, lower-cased, every other run of
/// characters a dash: `Annual Report_2020` → `annual-report-2020`.
fn slug(stem: &str) -> Option<String> {
    let mut out = String::new();
    for c in stem.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    // Too long a name is cut at its last dash within the 64 characters a version may have.
    if out.len() > 64 {
        let cut = out[..=64].rfind('-').unwrap_or(64);
        out.truncate(cut);
    }
    let out = out.trim_end_matches('-').to_string();
    model::is_valid_project_id(&out).then_some(out)
}

/// The name of the PDF of one language.
pub fn pdf_name(project: &str, version: &str, lang: &str) -> String {
    format!("{project}-{version}.{lang}.pdf")
}

/// The name of the Word copy of one language.
pub fn docx_name(project: &str, version: &str, lang: &str) -> String {
    format!("{project}-{version}.{lang}.docx")
}

/// The name of the Annex A workbook in `lang`.
pub fn workbook_name(lang: &str) -> String {
    format!("annex-a.{lang}.xlsx")
}

/// One source, rendered in memory: the files to write and the manifest that describes them.
pub struct Rendered {
    pub files: Vec<(String, Vec<u8>)>,
    pub manifest: Manifest,
    pub warnings: Vec<Diagnostic>,
}

/// What one language of a job renders from: its catalog and the files its PDF carries (the
/// source, the workbook and the PDF's identity), the workbook first among them.
struct Language {
    catalog: Catalog,
    attachments: Vec<pdf::Attachment>,
}

/// A file to write: its name and bytes.
type Named = (String, Vec<u8>);

/// One language's pages as SVG images.
pub type Pages = (String, Vec<pdf::PageImage>);

impl Job {
    /// The names of the files a rendering writes, in order: per language, the PDF and the
    /// workbook.
    pub fn output_names(&self) -> impl Iterator<Item = String> + '_ {
        let (project, version) = (&self.manifest.project, &self.manifest.version);
        let word = self.report.envelope.word_copy;
        let annex = self.report.typed.is_some();
        self.report.envelope.languages.iter().flat_map(move |lang| {
            let docx = word.then(|| docx_name(project, version, lang));
            [
                Some(pdf_name(project, version, lang)),
                annex.then(|| workbook_name(lang)),
                docx,
            ]
            .into_iter()
            .flatten()
        })
    }

    fn options(&self) -> document::Options {
        document::Options {
            draft: self.manifest.draft,
        }
    }

    fn catalog(&self, lang: &str, source: &Path) -> Result<Catalog, Failure> {
        Catalog::for_form(&self.templates, &self.report.form.form, lang)
            .map_err(|e| Failure::Invalid(vec![Diagnostic::error(source, e)]))
    }

    fn language(&self, lang: &str, source: &Path) -> Result<Language, Failure> {
        let form = &self.report.form.form;
        let catalog = self.catalog(lang, source)?;
        // Annex A comes with a form that declares its figures, read as the typed report.
        let workbook = match &self.report.typed {
            Some(typed) => Some(annex_a::render(typed, &catalog).map_err(|e| {
                Failure::Io(Error::template(format!(
                    "cannot write the Annex A workbook: {e}"
                )))
            })?),
            None => None,
        };
        let words = words_used(&self.templates, form, [lang]).into_iter();
        let attachments = attachments(&self.manifest, lang, &self.bytes, workbook, words);
        Ok(Language {
            catalog,
            attachments,
        })
    }

    /// Renders every language: its PDF, which carries the source, the workbook and its
    /// identity, and its workbook.
    pub fn render(&self, source: &Path) -> Result<Rendered, Failure> {
        let mut files = Vec::new();
        let mut warnings = self.warnings.clone();
        // The languages are independent documents: they render in parallel when cores are free.
        let languages: Vec<_> = self
            .report
            .envelope
            .languages
            .par_iter()
            .map(|lang| self.render_language(lang, source))
            .collect();
        for language in languages {
            let (named, language_warnings) = language?;
            warnings.extend(language_warnings);
            files.extend(named);
        }
        let mut manifest = self.manifest.clone();
        manifest.outputs = files
            .iter()
            .map(|(name, bytes)| FileEntry::of(name, bytes))
            .collect();
        // typst memoizes every compile; without this a batch keeps every report's layout in
        // memory (about 30 MB a source). Results not reused within two sources are dropped.
        typst::comemo::evict(2);
        Ok(Rendered {
            files,
            manifest,
            warnings,
        })
    }

    /// One language's PDF, workbook and Word copy (when the report asks for one), named, and
    /// the renderer's warnings.
    fn render_language(
        &self,
        lang: &str,
        source: &Path,
    ) -> Result<(Vec<Named>, Vec<Diagnostic>), Failure> {
        let Language {
            catalog,
            attachments,
        } = self.language(lang, source)?;
        let rendered = pdf::render(
            &self.templates,
            &self.report,
            source,
            &self.manifest.version,
            &catalog,
            self.options(),
            &attachments,
        )
        .map_err(Failure::Template)?;
        let (project, version) = (&self.manifest.project, &self.manifest.version);
        let mut files = vec![(pdf_name(project, version, lang), rendered.bytes)];
        if self.report.envelope.word_copy {
            let data = document::data_as_written(&self.report, version, &catalog, self.options());
            // The form's Word layout, when its folder has one.
            let name = format!("{}/{}", self.report.form.form, crate::render::docx::LAYOUT);
            let shown = self.templates.shown_path(&name);
            let layout = self
                .templates
                .file(&name)
                .map(|template| crate::render::docx::Layout {
                    name: &shown,
                    template,
                });
            let word =
                crate::render::docx::render(&data, layout, &self.manifest.timestamp, &self.bytes)
                    .map_err(|e| Failure::Io(Error::template(e)))?;
            files.push((docx_name(project, version, lang), word));
        }
        let name = workbook_name(lang);
        if let Some(workbook) = attachments.into_iter().find(|a| a.name == name) {
            files.insert(1, (workbook.name, workbook.bytes));
        }
        Ok((files, rendered.warnings))
    }

    /// Every language's pages as SVG images, as its PDF lays them out (but those whose hash is
    /// `known`), and the renderer's warnings: what `preview` shows.
    pub fn pages(
        &self,
        source: &Path,
        known: &std::collections::BTreeSet<String>,
    ) -> Result<(Vec<Pages>, Vec<Diagnostic>), Failure> {
        let languages: Vec<_> = self
            .report
            .envelope
            .languages
            .par_iter()
            .map(|lang| {
                let catalog = self.catalog(lang, source)?;
                let version = &self.manifest.version;
                // Without the files the PDF carries, which are not drawn: a page's hash then
                // follows what it shows, and an edit leaves the pages it does not reach alone.
                let laid = pdf::layout(
                    &self.templates,
                    &self.report,
                    source,
                    version,
                    &catalog,
                    self.options(),
                    &[],
                )
                .map_err(Failure::Template)?;
                Ok((lang.clone(), pdf::svg_pages(&laid, known), laid.warnings))
            })
            .collect::<Result<_, Failure>>()?;
        let mut warnings = Vec::new();
        let pages = languages
            .into_iter()
            .map(|(lang, pages, said)| {
                warnings.extend(said);
                (lang, pages)
            })
            .collect();
        typst::comemo::evict(2);
        Ok((pages, warnings))
    }

    /// Writes, for each language, the files with which the stock `typst compile` lays out the
    /// same document as `render`: the template, the data, the attached files and the fonts,
    /// under `dir/<project>/<version>/<lang>/`.
    pub fn emit(&self, source: &Path, dir: &Path) -> Result<(), Failure> {
        let target = dir
            .join(&self.manifest.project)
            .join(&self.manifest.version);
        if let Some(archived) = archive::archived_around(&target) {
            return Err(inside_archived(&archived));
        }
        for lang in &self.report.envelope.languages {
            let Language {
                catalog,
                attachments,
            } = self.language(lang, source)?;
            let base = dir
                .join(&self.manifest.project)
                .join(&self.manifest.version)
                .join(lang);
            let version = &self.manifest.version;
            let files = pdf::emitted_files(
                &self.templates,
                &self.report,
                version,
                &catalog,
                self.options(),
                &attachments,
            );
            for (file, data) in files {
                fsio::write_atomic(&base.join(file), &data)?;
            }
        }
        Ok(())
    }
}

/// The name a template or catalog file is attached under: `i18n/fr.yaml` → `i18n.fr.yaml`.
pub fn attached_name(name: &str) -> String {
    name.replace('/', ".")
}

/// The files a PDF carries: the source, the workbook (second), the PDF's identity, and the
/// template and catalog files its words come from.
fn attachments<'a>(
    manifest: &Manifest,
    lang: &str,
    source: &[u8],
    workbook: Option<Vec<u8>>,
    words: impl Iterator<Item = (&'a str, &'a [u8])>,
) -> Vec<pdf::Attachment> {
    let words: Vec<(&str, &[u8])> = words.collect();
    let names: serde_json::Map<String, serde_json::Value> = words
        .iter()
        .map(|(name, _)| (name.to_string(), attached_name(name).into()))
        .collect();
    let identity = serde_json::json!({
        "project": manifest.project,
        "version": manifest.version,
        "language": lang,
        "source": manifest.source.name,
        "draft": manifest.draft,
        "tool": manifest.tool,
        "words": names,
    });
    let mut files = vec![
        pdf::Attachment {
            name: manifest.source.name.clone(),
            bytes: source.to_vec(),
            mime: "application/yaml",
            relationship: "source",
            description: "The report source this PDF was built from".into(),
        },
        pdf::Attachment {
            name: IDENTITY.into(),
            bytes: serde_json::to_vec_pretty(&identity).expect("serialises"),
            mime: "application/json",
            relationship: "supplement",
            description: "Which report, version and language this PDF is".into(),
        },
    ];
    if let Some(bytes) = workbook {
        let workbook = pdf::Attachment {
            name: workbook_name(lang),
            bytes,
            mime: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            relationship: "supplement",
            description: "Annex A: the project budget with expenditure to date".into(),
        };
        files.insert(1, workbook);
    }
    files.extend(words.into_iter().map(|(name, bytes)| pdf::Attachment {
        name: attached_name(name),
        bytes: bytes.to_vec(),
        mime: "text/plain",
        relationship: "source",
        description: format!("The file templates/{name} this PDF was made with"),
    }));
    files
}

/// What a build of one source did.
pub enum BuildOutcome {
    /// Rendered and written; the names of the files written, and the warnings.
    Built(Vec<String>, Vec<Diagnostic>),
    /// The folder already holds what these inputs make: nothing was rendered. The source's
    /// warnings, which still hold.
    UpToDate(Vec<Diagnostic>),
    /// The version is archived and this source differs from the one archived: nothing was
    /// written.
    Refused(Vec<String>),
    /// The version is archived from this very source, and only what it was made with differs
    /// (template, catalog or font files, the tool, a draft build): the archived folder stays,
    /// as `verify` checks it, with the files its PDFs carry.
    Kept(Vec<String>),
    /// The version is archived and its folder no longer holds what was archived: nothing was
    /// written; what differs.
    Damaged(Vec<String>),
}

fn inside_archived(archived: &Path) -> Failure {
    let found = "an archived version folder, or a folder inside one";
    Failure::Io(Error::wrong_kind(
        archived,
        "an output folder outside archived versions",
        found,
    ))
}

/// What is wrong with the version `report` says it supersedes, if anything: it must be another
/// version, built and archived in `out`.
pub fn supersedes_problem(
    report: &Envelope,
    version: &str,
    path: &Path,
    out: &Path,
) -> Option<Diagnostic> {
    let earlier = report.supersedes.as_ref()?;
    let folder = out.join(&report.project_id).join(earlier);
    let message = if earlier.is_empty() {
        "give the version this one supersedes, or leave the field out".to_string()
    } else if earlier == version {
        "a version cannot supersede itself".to_string()
    } else if !archive::is_soundly_archived(&folder) {
        format!(
            "the version `{earlier}` it supersedes is not archived in {}; archive it first, or \
             correct the name",
            crate::terminal::path(&folder)
        )
    } else {
        return None;
    };
    Some(Diagnostic::error(path, message).field("supersedes"))
}

/// Reads, checks and plans the source at `path`, as its file name's version.
pub fn prepare_file(path: &Path, draft: bool) -> Result<Job, Failure> {
    let bytes = fsio::read_source(path)?;
    let version = version_of(path);
    // The source's own problems come first; the file name's only once they are fixed.
    let templates = crate::templates::current();
    let version_name = version.as_ref().map_or("", String::as_str);
    let mut job = prepare(path, bytes, version_name, draft, templates)?;
    version?;
    // A source on disk may follow a version beside it: its answers still that version's are
    // said as `check` says them.
    if let Ok((_, root)) = crate::source::parse(path, &job.bytes) {
        let unchanged = crate::check::period::unchanged(path, &root, &job.report);
        job.warnings.extend(unchanged);
    }
    Ok(job)
}

/// Checks, renders and writes one source into `out`.
pub fn build_source(path: &Path, out: &Path, draft: bool) -> Result<BuildOutcome, Failure> {
    let job = prepare_file(path, draft)?;
    write_job(&job, path, out)
}

/// The version folder a job writes.
pub fn folder_of(job: &Job, out: &Path) -> std::path::PathBuf {
    out.join(&job.manifest.project).join(&job.manifest.version)
}

/// Renders a prepared source and replaces its version folder in `out` with the result, as a
/// whole and under the folder's lock; an archived folder is never written.
pub fn write_job(job: &Job, path: &Path, out: &Path) -> Result<BuildOutcome, Failure> {
    let folder = folder_of(job, out);
    let lock = match next_step(job, out, &folder)? {
        Next::Render(lock) => lock,
        Next::Keep(outcome) => return Ok(outcome),
    };
    let rendered = job.render(path)?;
    let manifest = serde_json::to_vec_pretty(&rendered.manifest).expect("serialises");
    let mut files: Vec<(&str, &[u8])> = rendered
        .files
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    files.push((job.source_name.as_str(), job.bytes.as_slice()));
    files.push((MANIFEST, manifest.as_slice()));
    crate::folder::replace(&folder, &files, &lock)?;
    let written = files.iter().map(|(n, _)| n.to_string()).collect();
    Ok(BuildOutcome::Built(written, rendered.warnings))
}

/// What a job does to its version folder.
enum Next {
    /// Render, under the folder's lock.
    Render(crate::folder::Lock),
    /// Leave the folder as it is: archived, up to date or damaged.
    Keep(BuildOutcome),
}

/// Whether a job must render: an archived or up-to-date folder is kept as it is.
fn next_step(job: &Job, out: &Path, folder: &Path) -> Result<Next, Failure> {
    if let Some(archived) = archive::archived_around(out) {
        return Err(inside_archived(&archived));
    }
    let lock = crate::folder::lock(folder)?;
    // A folder this user cannot search may be archived: it is neither replaced nor called up
    // to date.
    let marked = archive::look_for_mark(folder).map_err(|e| Failure::Io(Error::read(folder, e)))?;
    if marked {
        let mark = match archive::read(folder) {
            Ok(mark) => mark,
            Err(e) => return Ok(Next::Keep(BuildOutcome::Damaged(vec![e.to_string()]))),
        };
        let damage = archive::damage(folder, &mark);
        if !damage.is_empty() {
            return Ok(Next::Keep(BuildOutcome::Damaged(damage)));
        }
        let archived = Manifest::read(folder)?;
        // The mark covers the manifest's bytes, not what it says: one rewritten and sealed
        // again by hand could claim another source than the folder holds.
        let unlike = mark.unlike(&archived);
        if !unlike.is_empty() {
            let named = |name| format!("{name} is not the file its manifest names");
            return Ok(Next::Keep(BuildOutcome::Damaged(
                unlike.into_iter().map(named).collect(),
            )));
        }
        let changes = job.manifest.changes_from(&archived);
        return Ok(Next::Keep(if changes.is_empty() {
            BuildOutcome::UpToDate(job.warnings.clone())
        } else if job.manifest.same_source_as(&archived) {
            BuildOutcome::Kept(changes)
        } else {
            BuildOutcome::Refused(changes)
        }));
    }
    if let Ok(old) = Manifest::read(folder)
        && job.manifest.changes_from(&old).is_empty()
        && old
            .outputs
            .iter()
            .map(|o| o.name.clone())
            .eq(job.output_names())
        && old.intact_in(folder)
        && archive::file_names(folder).len() == old.outputs.len() + 2
    {
        return Ok(Next::Keep(BuildOutcome::UpToDate(job.warnings.clone())));
    }
    Ok(Next::Render(lock))
}
