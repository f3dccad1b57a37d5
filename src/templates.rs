//! The `templates/` folder, embedded at build time: catalogs, typst templates, fonts, skeleton.

include!(concat!(env!("OUT_DIR"), "/templates.rs"));

/// The embedded file at `name` (a path relative to `templates/`).
pub fn file(name: &str) -> Option<&'static [u8]> {
    FILES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, bytes)| *bytes)
}

/// The embedded files whose path starts with `prefix`.
pub fn files_under(prefix: &str) -> impl Iterator<Item = (&'static str, &'static [u8])> + use<'_> {
    FILES
        .iter()
        .copied()
        .filter(move |(n, _)| n.starts_with(prefix))
}
