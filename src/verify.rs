//! Verification: a version folder or a single PDF against what its source makes today. Every
//! output is rebuilt from the source copy and compared byte for byte.

use std::path::Path;

use crate::build::{self, Failure, IDENTITY, Rendered};
use crate::error::{Error, Result};
use crate::hash::sha256;
use crate::manifest::Manifest;

/// One file of a verification and what was found.
pub struct Verdict {
    pub name: String,
    pub problem: Option<String>,
}

/// Rebuilds a folder from its source copy and compares every byte with its manifest and with
/// the files on disk.
pub fn folder(folder: &Path) -> Result<Vec<Verdict>> {
    let manifest = Manifest::read(folder)?;
    let source_path = folder.join(&manifest.source.name);
    let source = crate::fsio::read_file(&source_path)?;
    let source_ok = sha256(&source) == manifest.source.sha256;
    let mut verdicts = vec![Verdict {
        name: manifest.source.name.clone(),
        problem: (!source_ok).then(|| "the source copy is not the one the manifest names".into()),
    }];
    let rebuilt = match rebuild(&source_path, source, &manifest.version, manifest.draft)? {
        Ok(rebuilt) => rebuilt,
        Err(why) => {
            verdicts[0].problem = Some(why);
            return Ok(verdicts);
        }
    };
    for entry in &manifest.outputs {
        let on_disk = std::fs::read(folder.join(&entry.name)).ok();
        let again = rebuilt.files.iter().find(|(n, _)| *n == entry.name);
        let problem = match (on_disk, again) {
            (None, _) => Some("missing".to_string()),
            (Some(disk), _) if sha256(&disk) != entry.sha256 => {
                Some("its bytes differ from the manifest".into())
            }
            (_, None) => Some("the source no longer makes this file".into()),
            (_, Some((_, again))) if sha256(again) != entry.sha256 => {
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

/// Renders a source again as the version it was built as; the inner error says why the source
/// itself no longer builds.
fn rebuild(
    path: &Path,
    source: Vec<u8>,
    version: &str,
    draft: bool,
) -> Result<std::result::Result<Rendered, String>> {
    let rendered = build::prepare(path, source, version, draft).and_then(|job| job.render(path));
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
pub fn pdf(path: &Path) -> Result<Vec<Verdict>> {
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
    let rebuilt = match rebuild(Path::new(&source_name), source.1.clone(), &version, draft)? {
        Ok(rebuilt) => rebuilt,
        Err(why) => {
            return Ok(vec![Verdict {
                name,
                problem: Some(why),
            }]);
        }
    };
    let pdf_name = build::pdf_name(&field("project"), &version, &lang);
    let problem = match rebuilt.files.iter().find(|(n, _)| *n == pdf_name) {
        None => Some(format!("the source no longer has the language {lang}")),
        Some((_, again)) if *again != bytes => {
            Some("a rebuild from the source it carries gives other bytes".into())
        }
        Some(_) => None,
    };
    Ok(vec![Verdict { name, problem }])
}
