//! Report → PDF: the template data goes into the world as `data.json`, typst lays out the
//! form's `templates/<form>/report.typ`, and typst-pdf writes a PDF/A-3b file whose bytes depend only
//! on the inputs (timestamp from the report date, document id from project and version).

use std::path::{Path, PathBuf};

use typst::World;
use typst::WorldExt;
use typst::diag::{Severity as TypstSeverity, SourceDiagnostic};
use typst::foundations::{Datetime, Label, Smart};
use typst::introspection::Introspector;
use typst::layout::{Frame, FrameItem};
use typst::utils::PicoStr;
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards, Timestamp};

use super::document::{self, Options};
use super::world::{REPLACEMENT, ReportWorld, can_draw};
use crate::diagnostic::{Diagnostic, Pos};
use crate::i18n::Catalog;
use crate::model::Filled;
use crate::templates::Templates;

/// A bound on the layout: the full form with every answer at its limit is about 20 pages.
pub const MAX_PAGES: usize = 200;

/// The main file of a form's template folder.
const MAIN: &str = "report.typ";

/// The creator written into every PDF; a new tool or typst version changes the bytes.
pub fn creator() -> String {
    format!(
        "pbf-report {} (Typst {})",
        env!("CARGO_PKG_VERSION"),
        super::TYPST_VERSION
    )
}

/// A file carried inside the PDF (PDF/A-3 "associated file").
#[derive(Debug, Clone)]
pub struct Attachment {
    /// The file's name inside the PDF.
    pub name: String,
    pub bytes: Vec<u8>,
    pub mime: &'static str,
    /// `source` for what the PDF was made from, `supplement` for what comes with it.
    pub relationship: &'static str,
    pub description: String,
}

/// A rendered PDF and what the renderer had to say about it.
pub struct Pdf {
    pub bytes: Vec<u8>,
    pub warnings: Vec<Diagnostic>,
}

/// Renders `report` in the catalog's language. `source` names the report source in messages.
pub fn render(
    templates: &Templates,
    report: &Filled,
    source: &Path,
    version: &str,
    catalog: &Catalog,
    options: Options,
    attachments: &[Attachment],
) -> Result<Pdf, Vec<Diagnostic>> {
    let laid = layout(
        templates,
        report,
        source,
        version,
        catalog,
        options,
        attachments,
    )?;
    let world = &laid.world;
    let budget = super::budget::guard(world.display_path(world.main()));
    let options = pdf_options(report, version, &catalog.lang);
    let bytes =
        typst_pdf::pdf(&laid.document, &options).map_err(|errors| convert_all(world, &errors))?;
    drop(budget);
    let main = format!("{}/{MAIN}", report.form.form);
    if !templates.is_builtin(&main)
        && let Some(problem) = unattached(world, &bytes, attachments)
    {
        return Err(vec![problem]);
    }
    let mut warnings = laid.warnings;
    warnings.extend(missing_glyphs(report, source));
    Ok(Pdf { bytes, warnings })
}

/// A report laid out in one language: its pages, before they are written as PDF or SVG.
pub struct Laid {
    pub world: ReportWorld,
    pub document: PagedDocument,
    /// What typst warned of.
    pub warnings: Vec<Diagnostic>,
}

/// Lays `report` out in the catalog's language, under the budget, and refuses a document that a
/// broken template drew: no text, cut short, or too many pages.
pub fn layout(
    templates: &Templates,
    report: &Filled,
    source: &Path,
    version: &str,
    catalog: &Catalog,
    options: Options,
    attachments: &[Attachment],
) -> Result<Laid, Vec<Diagnostic>> {
    let world = world(templates, report, version, catalog, options, attachments);
    // Only a template from a folder is held to its end: one a PDF carries may be older than it.
    let main = format!("{}/{MAIN}", report.form.form);
    let edited = templates.is_from_folder(&main);
    if edited && !ends_with_its_end(templates.file(&main).unwrap_or_default()) {
        return Err(vec![cut_short(&world)]);
    }
    let budget = super::budget::guard(world.display_path(world.main()));
    let compiled = typst::compile::<PagedDocument>(&world);
    drop(budget);
    let warnings: Vec<Diagnostic> = compiled
        .warnings
        .iter()
        .map(|d| convert(&world, d))
        .collect();
    // A missing font family is only a warning to typst, but would change the document.
    if warnings.iter().any(|w| w.message.contains("font family")) {
        return Err(warnings);
    }
    let document = compiled
        .output
        .map_err(|errors| convert_all(&world, &errors))?;
    if let Some(problem) = drawn_whole(&world, &document, edited) {
        return Err(vec![problem]);
    }
    if document.pages().len() > MAX_PAGES {
        let message = format!(
            "the document runs to {} pages; a report has at most {MAX_PAGES}",
            document.pages().len()
        );
        return Err(vec![Diagnostic::error(source, message)]);
    }
    Ok(Laid {
        world,
        document,
        warnings,
    })
}

/// One page of a laid-out report: its hash, and its SVG image unless the caller has it already.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct PageImage {
    /// The page's content, hashed: the same hash, the same image.
    pub hash: String,
    pub svg: Option<String>,
}

/// Each page of a laid-out report as an SVG image, under the budget: what `preview` shows. The
/// pages whose hash is `known` are not drawn again.
pub fn svg_pages(laid: &Laid, known: &std::collections::BTreeSet<String>) -> Vec<PageImage> {
    let _budget = super::budget::guard(laid.world.display_path(laid.world.main()));
    let options = typst_svg::SvgOptions::default();
    laid.document
        .pages()
        .iter()
        .map(|page| {
            let hash = format!("{:032x}", typst::utils::hash128(page));
            let svg = (!known.contains(&hash)).then(|| typst_svg::svg(page, &options));
            PageImage { hash, svg }
        })
        .collect()
}

/// The form's last line. A template from a folder must end with it, and reach it.
const END: &str = "#metadata(none) <end-of-form>";

fn cut_short(world: &ReportWorld) -> Diagnostic {
    let main = world.display_path(world.main());
    let message = "the template stops before its end: its last line is not the form's end";
    Diagnostic::error(Path::new(&main), message).note(format!(
        "is it cut short? the form's last line is `{END}`, alone"
    ))
}

/// What is wrong with a document that an emptied or cut template made, which would otherwise be
/// written like a good report: no text at all, or (`edited`, a template from a folder) no end.
fn drawn_whole(world: &ReportWorld, document: &PagedDocument, edited: bool) -> Option<Diagnostic> {
    if !document.pages().iter().any(|page| draws_text(&page.frame)) {
        let main = world.display_path(world.main());
        let message = "the template drew no text: the report would be blank pages";
        return Some(
            Diagnostic::error(Path::new(&main), message)
                .note("is the template empty, or cut short?"),
        );
    }
    (edited && !reaches_the_end(document)).then(|| cut_short(world))
}

/// What a layout that is not the built-in one failed to attach: the files a PDF is checked and
/// rebuilt from, which it must carry.
fn unattached(world: &ReportWorld, pdf: &[u8], attachments: &[Attachment]) -> Option<Diagnostic> {
    let carried = crate::pdf_files::attached(Path::new("pdf"), pdf).unwrap_or_default();
    let missing: Vec<&str> = attachments
        .iter()
        .map(|a| a.name.as_str())
        .filter(|name| !carried.iter().any(|(n, _)| n == name))
        .collect();
    if missing.is_empty() {
        return None;
    }
    let main = world.display_path(world.main());
    let message = format!(
        "the template does not attach {}: without them the PDF can be neither verified nor rebuilt",
        missing.join(", ")
    );
    Some(
        Diagnostic::error(Path::new(&main), message).note(
            "attach each of `d.attachments` with `pdf.attach`, as the built-in template does",
        ),
    )
}

/// Whether the template's last line, blank ones aside, is `END`.
fn ends_with_its_end(template: &[u8]) -> bool {
    let text = String::from_utf8_lossy(template);
    let last = text.lines().rev().find(|l| !l.trim().is_empty());
    last.map(str::trim_end) == Some(END)
}

/// Whether the document holds the template's last element, so that it was not cut short.
fn reaches_the_end(document: &PagedDocument) -> bool {
    let end = Label::new(PicoStr::intern("end-of-form")).expect("a label's name is not empty");
    document.introspector().query_label(end).is_ok()
}

/// Whether a frame, or one within it, holds text.
fn draws_text(frame: &Frame) -> bool {
    frame.items().any(|(_, item)| match item {
        FrameItem::Text(_) => true,
        FrameItem::Group(group) => draws_text(&group.frame),
        _ => false,
    })
}

/// The world for one language of one report: the template, its data and the attached files.
pub fn world(
    templates: &Templates,
    report: &Filled,
    version: &str,
    catalog: &Catalog,
    options: Options,
    attachments: &[Attachment],
) -> ReportWorld {
    let json = data_json(report, version, catalog, options, attachments);
    let mut files = vec![("data.json".to_string(), json)];
    files.extend(
        attachments
            .iter()
            .map(|a| (a.name.clone(), a.bytes.clone())),
    );
    let form = &report.form.form;
    ReportWorld::new(templates, form, MAIN, files, report_datetime(report))
}

/// The template data, with the list of files to attach.
fn data_json(
    report: &Filled,
    version: &str,
    catalog: &Catalog,
    options: Options,
    attachments: &[Attachment],
) -> Vec<u8> {
    let mut data = document::data(report, version, catalog, options);
    let list: Vec<serde_json::Value> = attachments
        .iter()
        .map(|a| {
            serde_json::json!({
                "path": a.name,
                "mime": a.mime,
                "relationship": a.relationship,
                "description": a.description,
            })
        })
        .collect();
    data["attachments"] = list.into();
    serde_json::to_vec(&data).expect("template data serialises")
}

/// The files that let the stock `typst compile` reproduce the PDF: the template, the data, the
/// attached files and the fonts, each with its path relative to the output folder.
pub fn emitted_files(
    templates: &Templates,
    report: &Filled,
    version: &str,
    catalog: &Catalog,
    options: Options,
    attachments: &[Attachment],
) -> Vec<(PathBuf, Vec<u8>)> {
    let data = data_json(report, version, catalog, options, attachments);
    let mut files = vec![(PathBuf::from("data.json"), data)];
    files.extend(
        attachments
            .iter()
            .map(|a| (PathBuf::from(&a.name), a.bytes.clone())),
    );
    let prefix = format!("{}/", report.form.form);
    for (name, bytes) in templates.files_under(&prefix) {
        let runs = templates.runs_as(&report.form.form, name, bytes);
        files.push((PathBuf::from(&name[prefix.len()..]), runs.to_vec()));
    }
    for (name, bytes) in crate::templates::builtin_under("fonts/") {
        files.push((PathBuf::from(name), bytes.to_vec()));
    }
    files
}

/// Midnight UTC of the report date: the only time a PDF ever records. A form that asks no
/// report date (`role: report_date`) records 1 January 1980, as zip archives do.
pub(super) fn report_datetime(report: &Filled) -> Datetime {
    let (y, m, d) = report
        .report_date()
        .and_then(|date| date.ymd())
        .unwrap_or((1980, 1, 1));
    Datetime::from_ymd_hms(i32::from(y), m, d, 0, 0, 0).expect("check accepts only real dates")
}

fn pdf_options(report: &Filled, version: &str, lang: &str) -> PdfOptions {
    PdfOptions {
        ident: Smart::Custom(format!("{}/{version}/{lang}", report.envelope.project_id)),
        creator: Smart::Custom(Some(creator())),
        timestamp: Some(Timestamp::new_utc(report_datetime(report))),
        standards: PdfStandards::new(&[PdfStandard::A_3b])
            .expect("PDF/A-3b alone is a valid choice"),
        tagged: true,
        ..PdfOptions::default()
    }
}

fn convert_all(world: &ReportWorld, diagnostics: &[SourceDiagnostic]) -> Vec<Diagnostic> {
    diagnostics.iter().map(|d| convert(world, d)).collect()
}

/// A typst diagnostic as ours: positioned in the template (or data) file that caused it.
fn convert(world: &ReportWorld, d: &SourceDiagnostic) -> Diagnostic {
    let file = d
        .span
        .id()
        .map(|id| world.display_path(id))
        .unwrap_or_else(|| "template".into());
    let mut out = match d.severity {
        TypstSeverity::Error => Diagnostic::error(Path::new(&file), d.message.to_string()),
        TypstSeverity::Warning => Diagnostic::warning(Path::new(&file), d.message.to_string()),
    };
    if let (Some(id), Some(range)) = (d.span.id(), world.range(d.span))
        && let Some(text) = world.text(id)
    {
        let before = &text[..range.start.min(text.len())];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        out = out.at(Pos {
            line: line as u32,
            col: col as u32,
        });
    }
    for hint in &d.hints {
        out = out.note(format!("hint: {}", hint.v));
    }
    out
}

/// Characters of the report that no embedded font can draw, each named by its field: the
/// template data carries □ in their place (PDF/A allows no undrawable glyph).
fn missing_glyphs(report: &Filled, source: &Path) -> Vec<Diagnostic> {
    let mut found: Vec<(String, char)> = Vec::new();
    strings(&report.tree, String::new(), &mut |path, text| {
        for c in text.chars().filter(|c| !can_draw(*c)) {
            if !found.iter().any(|(p, x)| p == path && *x == c) {
                found.push((path.clone(), c));
            }
        }
    });
    found
        .into_iter()
        .map(|(path, c)| {
            let message = format!(
                "no font can draw '{c}' (U+{:04X}); it prints as {REPLACEMENT}",
                c as u32
            );
            Diagnostic::warning(source, message).field(path)
        })
        .collect()
}

fn strings(value: &serde_json::Value, path: String, f: &mut impl FnMut(&String, &str)) {
    use serde_json::Value as J;
    let join = |key: &str| {
        if path.is_empty() {
            key.to_string()
        } else {
            format!("{path}.{key}")
        }
    };
    match value {
        J::String(s) => f(&path, s),
        J::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                strings(item, format!("{path}[{}]", i + 1), f);
            }
        }
        J::Object(map) => {
            for (k, v) in map {
                strings(v, join(k), f);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compile_errors(main: &str) -> Vec<Diagnostic> {
        let world = ReportWorld::new(
            &Templates::builtin(),
            crate::form::BUILT_IN,
            "test.typ",
            vec![("test.typ".into(), main.as_bytes().to_vec())],
            Datetime::from_ymd(2019, 11, 12).unwrap(),
        );
        match typst::compile::<PagedDocument>(&world).output {
            Ok(_) => Vec::new(),
            Err(errors) => convert_all(&world, &errors),
        }
    }

    #[test]
    fn package_imports_are_refused() {
        let errors = compile_errors("#import \"@preview/cetz:0.3.0\": canvas\n");
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0].message.contains("package not found"),
            "{}",
            errors[0].message
        );
    }

    #[test]
    fn template_errors_point_at_their_line() {
        let errors = compile_errors("#let x = 1\n\n#no-such-function(x)\n");
        assert_eq!(errors[0].file, Path::new("test.typ"));
        assert_eq!(errors[0].pos, Some(Pos { line: 3, col: 2 }));
        assert!(
            errors[0].message.contains("unknown variable"),
            "{}",
            errors[0].message
        );
    }

    #[test]
    fn the_clock_is_the_report_date() {
        let world = ReportWorld::new(
            &Templates::builtin(),
            crate::form::BUILT_IN,
            "t.typ",
            vec![],
            Datetime::from_ymd(2019, 11, 12).unwrap(),
        );
        assert_eq!(
            typst::World::today(&world, None),
            Datetime::from_ymd(2019, 11, 12)
        );
    }

    #[test]
    fn the_template_fonts_cover_french_and_the_form_symbols() {
        for c in "éèêàçœÉ«»€☐☒✓’–😀□".chars() {
            assert!(can_draw(c), "no font covers {c}");
        }
        assert!(!can_draw('漢'));
    }

    #[test]
    fn the_styles_of_the_text_hold_nothing_of_the_report() {
        // typst reuses a piece of layout only for the same content with the same styles: a page
        // footer capturing the data, or a document title set before the text, would make every
        // line of one report differ from the same line of another. The footer reads its words
        // from the document; the title is set last, where it styles nothing.
        let template = include_str!("../../templates/pbf-2019/report.typ");
        let mut lines = template.lines().rev().filter(|l| !l.trim().is_empty());
        let end = lines.next().unwrap();
        assert_eq!(
            end, "#metadata(none) <end-of-form>",
            "no text after it to style"
        );
        let last = lines.find(|l| !l.starts_with("//")).unwrap();
        assert!(last.starts_with("#set document("), "{last}");
        let footer = template.split("#let footer = ").nth(1).expect("a footer");
        let footer = footer.split("\n}\n").next().unwrap();
        assert!(footer.contains("query(<footer>)"), "{footer}");
        // `d` is the data and `t` its labels; `first(` or `.page` are not theirs.
        let reads_data = regex::Regex::new(r"(^|[^\w.-])(d\.|t\(|revision|unofficial)").unwrap();
        assert!(
            !reads_data.is_match(footer),
            "the footer reads the data: {footer}"
        );
    }
}
