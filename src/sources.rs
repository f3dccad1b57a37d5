//! Finding report sources: the files named on the command line, and every `.yaml`/`.yml` file
//! under the folders named (`data/` when none is).

use std::path::{Path, PathBuf};

use crate::error::Error;

/// The report sources named by `paths`, folders searched and sorted, and an error for each path
/// that does not exist.
pub fn find(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<Error>) {
    let default = [PathBuf::from("data")];
    let paths = if paths.is_empty() {
        &default[..]
    } else {
        paths
    };
    let (mut sources, mut missing) = (Vec::new(), Vec::new());
    for path in paths {
        if path.is_dir() {
            collect_yaml(path, &mut sources);
        } else if path.exists() {
            sources.push(path.clone());
        } else {
            missing.push(Error::Missing { path: path.clone() });
        }
    }
    (sources, missing)
}

fn collect_yaml(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            collect_yaml(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
}
