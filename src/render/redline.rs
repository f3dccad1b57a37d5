//! `diff --pdf`: the changes between two versions laid out by the built-in
//! `templates/redline/redline.typ`, which reads them as data. Only the built-in layout runs: a
//! workspace's templates never do here. The bytes depend only on the two reports: the date is
//! the new report's, the document id its project and versions.

use typst::foundations::Smart;
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, Timestamp};

use super::world::ReportWorld;
use crate::diff::Diff;
use crate::model::Filled;

/// A bound on the layout: twice a report's, for the two versions' texts side by side.
const MAX_PAGES: usize = 2 * super::pdf::MAX_PAGES;

/// The redline PDF of `diff`, dated as the report `new`.
pub fn render(diff: &Diff, new: &Filled) -> Result<Vec<u8>, String> {
    let title = format!(
        "{}: {} → {}",
        new.envelope.project_id, diff.old.version, diff.new.version
    );
    let mut data = serde_json::to_value(diff).map_err(|e| e.to_string())?;
    data["title"] = title.clone().into();
    // As in the report: a run of characters wider than the page gets places to break, and a
    // character no embedded font has prints as □.
    fitted(&mut data, new.form.width);
    super::document::replace_undrawable(&mut data);
    let json = serde_json::to_vec(&data).map_err(|e| e.to_string())?;
    let templates = crate::templates::Templates::builtin();
    let today = super::pdf::report_datetime(new);
    let files = vec![("data.json".to_string(), json)];
    let world = ReportWorld::new(&templates, "redline", "redline.typ", files, today);
    let budget = super::budget::guard("the built-in redline.typ".into());
    let compiled = typst::compile::<PagedDocument>(&world);
    let document = compiled.output.map_err(|errors| {
        let first = errors.first().map(|e| e.message.to_string());
        format!(
            "the redline cannot be laid out: {}",
            first.unwrap_or_default()
        )
    })?;
    if document.pages().len() > MAX_PAGES {
        return Err(format!(
            "the redline runs to {} pages; it may have at most {MAX_PAGES}",
            document.pages().len()
        ));
    }
    let options = PdfOptions {
        ident: Smart::Custom(format!("{title}/{}", diff.lang)),
        timestamp: Some(Timestamp::new_utc(today)),
        ..PdfOptions::default()
    };
    let bytes = typst_pdf::pdf(&document, &options).map_err(|errors| {
        let first = errors.first().map(|e| e.message.to_string());
        format!(
            "the redline cannot be written: {}",
            first.unwrap_or_default()
        )
    })?;
    drop(budget);
    Ok(bytes)
}

fn fitted(value: &mut serde_json::Value, width: f32) {
    match value {
        serde_json::Value::String(s) => *s = crate::fit::wrap_long_runs(s, width),
        serde_json::Value::Array(items) => items.iter_mut().for_each(|v| fitted(v, width)),
        serde_json::Value::Object(map) => map.values_mut().for_each(|v| fitted(v, width)),
        _ => {}
    }
}
