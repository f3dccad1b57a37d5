//! Verification: a version folder or a single PDF against what its source makes. Every output
//! is rebuilt from the source copy, with the template and catalogs the PDFs carry (so neither
//! an edited catalog on disk nor a newer built-in one changes the verdict), and compared byte
//! for byte.

use std::path::Path;
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::hash::sha256;
use crate::manifest::Manifest;
use crate::pipeline::{self, Failure, IDENTITY, Rendered};
use crate::templates::Templates;

/// One file of a verification and what was found.
pub struct Verdict {
    pub name: String,
    pub problem: Option<String>,
}

/// Whether words a PDF carries that the program does not know are run to rebuild it. Typst is
/// code: a template someone sent may loop, allocate without end, or draw another report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Carried {
    /// Only known words run; a PDF that carries others is not rebuilt.
    KnownOnly,
    /// The user trusts the PDF: its words run whatever they are.
    Trusted,
}

/// Whether the program knows `bytes` as the file `name`, or an archive mark the user pointed at
/// vouches for them as that file. A known file carried under another name (a form description
/// where the layout goes) is not known.
fn known(name: &str, bytes: &[u8], vouched: &[(String, String)]) -> bool {
    let sha = sha256(bytes);
    vouched.iter().any(|(n, h)| n == name && *h == sha) || crate::templates::knows(name, bytes)
}

/// What a PDF was rebuilt with, for its verified line: the words it carries, named by where
/// the program knows them from.
pub fn against(words: &[(String, Vec<u8>)], vouched: &[(String, String)]) -> String {
    let builtin = crate::templates::Templates::builtin();
    let is_builtin = |name: &str, bytes: &[u8]| builtin.file(name) == Some(bytes);
    if words.iter().all(|(name, bytes)| is_builtin(name, bytes)) {
        return "against pbf-report's own templates and catalogs".into();
    }
    match words
        .iter()
        .all(|(name, bytes)| known(name, bytes, vouched))
    {
        true => "against known templates and catalogs: an earlier release's, this workspace's \
                 or its archive's"
            .into(),
        false => {
            "against the templates and catalogs it carries, trusted with --trust-carried".into()
        }
    }
}

/// The carried words the program does not know, each as a verdict that says so with its hash.
/// `vouched` are hashes an archive mark the user pointed at vouches for.
fn unknown(words: &[(String, Vec<u8>)], vouched: &[(String, String)]) -> Vec<Verdict> {
    let mut seen = std::collections::BTreeSet::new();
    words
        .iter()
        .filter(|(name, bytes)| seen.insert(name.clone()) && !known(name, bytes, vouched))
        .map(|(name, bytes)| Verdict {
            name: format!("templates/{name}"),
            problem: Some(format!(
                "carried by the PDF, but neither built into pbf-report nor in this workspace's \
                 templates (SHA-256 {}): not run; `pbf-report verify --trust-carried` runs it",
                sha256(bytes)
            )),
        })
        .collect()
}

/// Rebuilds a folder from its source copy and compares every byte with its manifest and with
/// the files on disk.
pub fn folder(folder: &Path, carried: Carried) -> Result<(Vec<Verdict>, String)> {
    let manifest = Manifest::read(folder)?;
    let source_path = folder.join(&manifest.source.name);
    let source = crate::fsio::read_own(&source_path)?;
    let source_ok = sha256(&source) == manifest.source.sha256;
    let mut verdicts = vec![Verdict {
        name: manifest.source.name.clone(),
        problem: (!source_ok).then(|| "the source copy is not the one the manifest names".into()),
    }];
    let pdfs = manifest.outputs.iter().filter(|o| o.name.ends_with(".pdf"));
    let words: Vec<(String, Vec<u8>)> = pdfs
        .filter_map(|o| crate::fsio::read_own(&folder.join(&o.name)).ok())
        .flat_map(|pdf| carried_words(&pdf))
        .collect();
    let vouched = vouched(folder, &manifest);
    let rebuilt_with = against(&words, &vouched);
    if carried == Carried::KnownOnly {
        let unknown = unknown(&words, &vouched);
        if !unknown.is_empty() {
            verdicts.extend(unknown);
            return Ok((verdicts, rebuilt_with));
        }
    }
    let templates = match words.is_empty() {
        true => crate::templates::current(),
        false => Arc::new(Templates::carried(words)),
    };
    let (version, draft) = (&manifest.version, manifest.draft);
    let rebuilt = match rebuild(&source_path, source, version, draft, templates)? {
        Ok(rebuilt) => rebuilt,
        Err(why) => {
            verdicts[0].problem = Some(why);
            return Ok((verdicts, rebuilt_with));
        }
    };
    verdicts.extend(against_mark(folder));
    if let Some(problem) = unfounded_claims(&manifest, &rebuilt.manifest) {
        let name = crate::manifest::MANIFEST.to_string();
        verdicts.push(Verdict {
            name,
            problem: Some(problem),
        });
    }
    // The folder's name is the version it holds: a copy under another name is not that version.
    let named = folder.file_name().is_some_and(|n| *n == *manifest.version)
        && folder
            .parent()
            .and_then(Path::file_name)
            .is_some_and(|n| *n == *manifest.project);
    if !named {
        let problem = format!(
            "this folder holds {} {}, which belongs in {}/{}",
            manifest.project, manifest.version, manifest.project, manifest.version
        );
        let name = crate::manifest::MANIFEST.to_string();
        verdicts.push(Verdict {
            name,
            problem: Some(problem),
        });
    }
    for name in crate::archive::file_names(folder) {
        let listed = name == crate::manifest::MANIFEST
            || name == crate::archive::ARCHIVED
            || manifest
                .outputs
                .iter()
                .chain([&manifest.source])
                .any(|e| e.name == name);
        if !listed {
            let problem = Some("this file is not listed in the manifest".to_string());
            verdicts.push(Verdict { name, problem });
        }
    }
    for entry in &manifest.outputs {
        let on_disk = crate::fsio::read_own(&folder.join(&entry.name));
        let again = rebuilt.files.iter().find(|(n, _)| *n == entry.name);
        let problem = match (on_disk, again) {
            (Err(crate::error::Error::NotAFile { found, .. }), _) => {
                Some(format!("it is {found}, not a file"))
            }
            (Err(_), _) => Some("missing".to_string()),
            (Ok(disk), _) if sha256(&disk) != entry.sha256 => {
                Some("its bytes differ from the manifest".into())
            }
            (_, None) => Some("the source no longer makes this file".into()),
            // A Word copy an earlier release made holds paragraph ids, which copies no longer
            // have; all else is compared byte for byte.
            (Ok(disk), Some((_, again)))
                if sha256(again) != entry.sha256
                    && !(entry.name.ends_with(".docx")
                        && crate::render::docx::same_but_ids(&disk, again)) =>
            {
                let mut problem = "a rebuild from the source gives other bytes".to_string();
                if entry.name.ends_with(".pdf") {
                    problem = format!("{problem}; {}", text_difference(&disk, again));
                }
                Some(problem)
            }
            (Ok(disk), _) if disk.len() as u64 != entry.size => Some(format!(
                "it has {} bytes, where the manifest records {}",
                disk.len(),
                entry.size
            )),
            _ => None,
        };
        verdicts.push(Verdict {
            name: entry.name.clone(),
            problem,
        });
    }
    for (name, _) in &rebuilt.files {
        if !manifest.outputs.iter().any(|e| e.name == *name) {
            let problem =
                Some("the source makes this file, but the manifest does not list it".into());
            verdicts.push(Verdict {
                name: name.clone(),
                problem,
            });
        }
    }
    Ok((verdicts, rebuilt_with))
}

/// What the manifest says of the report that its source, rebuilt, does not say: a manifest
/// rewritten by hand. (Which template and catalog files made the outputs shows in their bytes.)
fn unfounded_claims(manifest: &Manifest, rebuilt: &Manifest) -> Option<String> {
    let mut claims = Vec::new();
    let mut compare = |what: &str, said: &str, found: &str| {
        if said != found {
            claims.push(format!("{what} {said} where the source gives {found}"));
        }
    };
    compare("project", &manifest.project, &rebuilt.project);
    let languages = |m: &Manifest| m.languages.join(", ");
    compare("languages", &languages(manifest), &languages(rebuilt));
    compare("timestamp", &manifest.timestamp, &rebuilt.timestamp);
    let supersedes = |m: &Manifest| m.supersedes.clone().unwrap_or_else(|| "nothing".into());
    compare("supersedes", &supersedes(manifest), &supersedes(rebuilt));
    // The words and fonts the outputs were rebuilt with are those its PDFs carry and the
    // program holds: a record of others was written by hand.
    for (what, said, found) in [
        ("template", &manifest.templates, &rebuilt.templates),
        ("catalog", &manifest.catalogs, &rebuilt.catalogs),
        ("font", &manifest.fonts, &rebuilt.fonts),
    ] {
        let names: std::collections::BTreeSet<&String> = said.keys().chain(found.keys()).collect();
        let unlike: Vec<String> = names
            .into_iter()
            .filter(|n| said.get(*n) != found.get(*n))
            .map(|n| crate::terminal::line(n))
            .collect();
        if !unlike.is_empty() {
            claims.push(format!(
                "{what} files its outputs were not made with ({})",
                unlike.join(", ")
            ));
        }
    }
    let mut listed: Vec<&str> = manifest.outputs.iter().map(|o| o.name.as_str()).collect();
    listed.sort_unstable();
    if let Some(twice) = listed.windows(2).find(|w| w[0] == w[1]) {
        claims.push(format!(
            "the output {} twice",
            crate::terminal::line(twice[0])
        ));
    }
    (!claims.is_empty()).then(|| format!("it records {}", claims.join("; ")))
}

/// Renders a source again as the version it was built as; the inner error says why the source
/// itself no longer builds.
fn rebuild(
    path: &Path,
    source: Vec<u8>,
    version: &str,
    draft: bool,
    templates: Arc<Templates>,
) -> Result<std::result::Result<Rendered, String>> {
    let rendered =
        pipeline::prepare(path, source, version, draft, templates).and_then(|job| job.render(path));
    match rendered {
        Ok(rendered) => Ok(Ok(rendered)),
        Err(Failure::Invalid(diagnostics)) => {
            let first = diagnostics
                .first()
                .map(|d| d.message.clone())
                .unwrap_or_default();
            Ok(Err(format!("the source no longer checks: {first}")))
        }
        Err(Failure::Template(diagnostics)) => Err(Error::template(
            diagnostics
                .iter()
                .map(|d| d.render(None))
                .collect::<String>(),
        )),
        Err(Failure::Io(e)) => Err(e),
    }
}

/// Rebuilds the language of a PDF from the source it carries and compares the bytes.
pub fn pdf(path: &Path, carried: Carried) -> Result<(Vec<Verdict>, String)> {
    let bytes = crate::fsio::read_file(path)?;
    let files = crate::pdf_files::attached(path, &bytes)?;
    let not_ours = |found: &str| Error::wrong_kind(path, "a PDF built by pbf-report", found);
    let identity = files
        .iter()
        .find(|(n, _)| n == IDENTITY)
        .ok_or_else(|| not_ours("a PDF not made by pbf-report (it carries no pbf-report.json)"))?;
    let identity: serde_json::Value = serde_json::from_slice(&identity.1)
        .map_err(|_| not_ours("a PDF whose pbf-report.json cannot be read"))?;
    let field = |k: &str| identity[k].as_str().unwrap_or_default().to_string();
    let (source_name, lang, version) = (field("source"), field("language"), field("version"));
    let draft = identity["draft"].as_bool().unwrap_or(false);
    let source = files
        .iter()
        .find(|(n, _)| *n == source_name)
        .ok_or_else(|| not_ours("a PDF that does not carry its source"))?;
    let name = path.display().to_string();
    let words = words_of(&identity, &files);
    let vouched = vouched_for_pdf(path, &bytes);
    let rebuilt_with = against(&words, &vouched);
    if carried == Carried::KnownOnly {
        let unknown = unknown(&words, &vouched);
        if !unknown.is_empty() {
            return Ok((unknown, rebuilt_with));
        }
    }
    let templates = Arc::new(Templates::carried(words));
    let source = source.1.clone();
    let rebuilt = match rebuild(Path::new(&source_name), source, &version, draft, templates)? {
        Ok(rebuilt) => rebuilt,
        Err(why) => {
            return Ok((
                vec![Verdict {
                    name,
                    problem: Some(why),
                }],
                rebuilt_with,
            ));
        }
    };
    let pdf_name = pipeline::pdf_name(&field("project"), &version, &lang);
    let problem = match rebuilt.files.iter().find(|(n, _)| *n == pdf_name) {
        None => Some(format!("the source no longer has the language {lang}")),
        Some((_, again)) if *again != bytes => Some(format!(
            "a rebuild from the source it carries gives other bytes; {}",
            text_difference(&bytes, again)
        )),
        Some(_) => None,
    };
    Ok((vec![Verdict { name, problem }], rebuilt_with))
}

/// The template and catalog files a PDF carries, by their names under `templates/`.
fn carried_words(pdf: &[u8]) -> Vec<(String, Vec<u8>)> {
    let Ok(files) = crate::pdf_files::attached(Path::new("pdf"), pdf) else {
        return Vec::new();
    };
    let identity = files
        .iter()
        .find(|(n, _)| n == IDENTITY)
        .and_then(|(_, bytes)| serde_json::from_slice(bytes).ok());
    match identity {
        Some(identity) => words_of(&identity, &files),
        None => Vec::new(),
    }
}

/// The files the identity's `words` map names, taken from `files`.
fn words_of(identity: &serde_json::Value, files: &[(String, Vec<u8>)]) -> Vec<(String, Vec<u8>)> {
    let Some(words) = identity["words"].as_object() else {
        return Vec::new();
    };
    words
        .iter()
        .filter_map(|(name, attached)| {
            let attached = attached.as_str()?;
            let (_, bytes) = files.iter().find(|(n, _)| n == attached)?;
            Some((name.clone(), bytes.clone()))
        })
        .collect()
}

/// The templates and catalogs an archived folder's manifest records, by name and hash, when its
/// archive mark vouches for that manifest, the folder is in this workspace, and the workspace
/// holds the very source it was built from (`data/<project>/<version>.yaml`): pointing `verify`
/// at one's own archived version trusts what it was made with. A folder from elsewhere (mailed,
/// copied from another machine, even into the workspace) vouches for nothing: anyone can write
/// a mark.
/// What the archive of the version folder a PDF stands in vouches for, when that folder's
/// manifest lists the PDF as it is.
fn vouched_for_pdf(path: &Path, bytes: &[u8]) -> Vec<(String, String)> {
    let (Some(folder), Some(name)) = (path.parent(), path.file_name()) else {
        return Vec::new();
    };
    let folder = match folder.as_os_str().is_empty() {
        true => Path::new("."),
        false => folder,
    };
    let Ok(manifest) = Manifest::read(folder) else {
        return Vec::new();
    };
    let sha = sha256(bytes);
    let listed = manifest
        .outputs
        .iter()
        .any(|o| *o.name == *name.to_string_lossy() && o.sha256 == sha);
    match listed {
        true => vouched(folder, &manifest),
        false => Vec::new(),
    }
}

fn vouched(folder: &Path, manifest: &Manifest) -> Vec<(String, String)> {
    let within = |dir: &Path| {
        let (Ok(folder), Ok(dir)) = (folder.canonicalize(), dir.canonicalize()) else {
            return false;
        };
        folder.starts_with(dir)
    };
    // The workspace's own source of that version, as the manifest records it: a folder put in
    // the workspace from elsewhere does not come with it.
    let own_source = Path::new("data")
        .join(&manifest.project)
        .join(&manifest.source.name);
    let ours = crate::fsio::read_own(&own_source)
        .is_ok_and(|bytes| sha256(&bytes) == manifest.source.sha256);
    if !within(Path::new(".")) || !ours {
        return Vec::new();
    }
    let Ok(mark) = crate::archive::read(folder) else {
        return Vec::new();
    };
    let bytes = crate::fsio::read_own(&folder.join(crate::manifest::MANIFEST)).unwrap_or_default();
    if sha256(&bytes) != mark.manifest_sha256 {
        return Vec::new();
    }
    let recorded = manifest.templates.iter().chain(&manifest.catalogs);
    recorded.map(|(n, h)| (n.clone(), h.clone())).collect()
}

/// For an archived folder: the manifest against the one archived, and every file against the
/// archive mark. The mark is the authority: a manifest edited to match changed files is caught.
fn against_mark(folder: &Path) -> Vec<Verdict> {
    use crate::archive::{self, ARCHIVED};
    if !archive::is_archived(folder) {
        return Vec::new();
    }
    let mark = match archive::read(folder) {
        Ok(mark) => mark,
        Err(e) => {
            return vec![Verdict {
                name: ARCHIVED.into(),
                problem: Some(e.to_string()),
            }];
        }
    };
    let manifest =
        crate::fsio::read_own(&folder.join(crate::manifest::MANIFEST)).unwrap_or_default();
    let mut verdicts = Vec::new();
    if sha256(&manifest) != mark.manifest_sha256 {
        let problem = Some("the manifest is not the one that was archived".to_string());
        verdicts.push(Verdict {
            name: crate::manifest::MANIFEST.into(),
            problem,
        });
    }
    for damage in archive::damage(folder, &mark) {
        let problem = Some(format!("{damage} since it was archived"));
        verdicts.push(Verdict {
            name: ARCHIVED.into(),
            problem,
        });
    }
    verdicts
}

/// Which pages' text differs between two PDFs, in a person's words.
fn text_difference(pdf: &[u8], rebuilt: &[u8]) -> String {
    let texts = |bytes: &[u8]| {
        crate::pdf_files::open(Path::new("pdf"), bytes)
            .map(|doc| crate::pdf_files::page_texts(&doc))
            .ok()
    };
    let (Some(ours), Some(again)) = (texts(pdf), texts(rebuilt)) else {
        return "its text cannot be read".into();
    };
    if ours.len() != again.len() {
        return format!("it has {} pages, the rebuild {}", ours.len(), again.len());
    }
    let pages: Vec<String> = (1..=ours.len())
        .filter(|&p| ours[p - 1] != again[p - 1])
        .map(|p| p.to_string())
        .collect();
    match pages.as_slice() {
        [] => "the text of every page is the same (the difference is in the file's structure or \
               its attached files: re-saved by another program, or altered)"
            .into(),
        [one] => format!("the text differs on page {one}"),
        many => format!("the text differs on pages {}", many.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    /// A file is known as itself only: the built-in description carried where the layout goes
    /// is unknown there, and a vouched hash vouches for its own name alone.
    #[test]
    fn a_known_file_in_another_files_place_is_unknown() {
        let builtin = crate::templates::Templates::builtin();
        let form = builtin.file("pbf-2019/form.yaml").unwrap();
        assert!(super::known("pbf-2019/form.yaml", form, &[]));
        assert!(!super::known("pbf-2019/report.typ", form, &[]));
        let french = builtin.file("i18n/fr.yaml").unwrap();
        assert!(!super::known("i18n/en.yaml", french, &[]));
        let vouched = [("x/report.typ".to_string(), crate::hash::sha256(b"#x"))];
        assert!(super::known("x/report.typ", b"#x", &vouched));
        assert!(!super::known("x/form.yaml", b"#x", &vouched));
    }
}
