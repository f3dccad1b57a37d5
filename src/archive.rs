//! The archive mark: `ARCHIVED.json` in a version folder says it is the submitted version, which
//! no later build may change.

use std::path::Path;

use crate::error::Result;
use crate::fsio;
use crate::hash::sha256;
use crate::manifest::MANIFEST;

pub const ARCHIVED: &str = "ARCHIVED.json";

pub fn is_archived(folder: &Path) -> bool {
    folder.join(ARCHIVED).is_file()
}

/// Marks `folder` as submitted; `false` when it was marked already. The caller verifies it
/// first.
pub fn mark(folder: &Path) -> Result<bool> {
    if is_archived(folder) {
        return Ok(false);
    }
    let manifest = fsio::read_file(&folder.join(MANIFEST))?;
    let mark = serde_json::json!({ "manifest_sha256": sha256(&manifest) });
    let bytes = serde_json::to_vec_pretty(&mark).expect("serialises");
    fsio::write_atomic(&folder.join(ARCHIVED), &bytes)?;
    Ok(true)
}
