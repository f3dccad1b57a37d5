//! Any bytes as a report source: load → check → the data handed to the template, in every
//! language the source names and that has a catalog. Nothing may panic, hang or grow without
//! bound; an invalid source must simply come back with diagnostics.

#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use pbf_report::check;
use pbf_report::i18n::Catalog;
use pbf_report::render::document::{self, Options};

fuzz_target!(|data: &[u8]| {
    let checked = check::check_bytes(Path::new("fuzz.yaml"), data);
    let _ = checked.render();
    let Some(report) = checked.report.as_ref() else { return };
    for lang in &report.languages {
        let Ok(catalog) = Catalog::load(lang) else { continue };
        let json = document::data(report, "fuzz", &catalog, Options { draft: true });
        assert!(json.is_object());
    }
});
