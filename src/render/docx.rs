//! The Word copy of a report, for review rounds: the same data the typst template draws from
//! (`document::data`, so the same wording, every label from the catalogs), laid out by the
//! form's Word layout (`word.xml.j2` in its folder, read by `word`), or, for a form without one,
//! its parts in order. Written with docx-rs; dated with the report's date and without
//! paragraph ids, so the same inputs give the same bytes.

use docx_rs::{
    AlignmentType, Docx, Footer, NumPages, PageMargin, PageNum, PageOrientationType, PageSize,
    Paragraph, Run, RunFonts, Section, Shading, StructuredDataTag, Table, TableCell, TableRow,
    WidthType,
};
use serde_json::Value;

use super::word::Block;
use crate::fit::BREAK;

/// A4 in twentieths of a point, and the PDF's margins (2 cm; 1.8 cm top, 2.2 cm bottom).
const A4: (u32, u32) = (11906, 16838);
const WIDTH: usize = 11906 - 2 * 1134;

/// The XML namespace of the part that carries the report's source, for `import`.
pub const SOURCE_NS: &str = "urn:pbf-report:source";

/// The Word layout's file in a form's folder.
pub const LAYOUT: &str = "word.xml.j2";

/// A form's Word layout: the name it is shown by and its template.
pub struct Layout<'a> {
    pub name: &'a str,
    pub template: &'a [u8],
}

/// The `.docx` of one language's template data, laid out by `layout` when the form has one;
/// `timestamp` is the report's date; `source` the report source, carried inside so that
/// reviewers' edits can be written back into it.
pub fn render(
    data: &Value,
    layout: Option<Layout>,
    timestamp: &str,
    source: &[u8],
) -> Result<Vec<u8>, String> {
    // The layout's text without the break opportunities put in for the PDF (Word wraps a long
    // word itself).
    let mut data = data.clone();
    without_breaks(&mut data);
    let drawn = match layout {
        Some(l) => {
            let mut answers = std::collections::HashMap::new();
            framed_answers(&data["parts"], &mut answers);
            let tag = |path: &str, size: usize| answers.get(path).map(|a| tagged(a, size));
            Some(super::word::draw(l.name, l.template, &data, &tag)?)
        }
        None => None,
    };
    write(&data, drawn, timestamp, source)
}

/// The answers a reviewer may edit (the texts the form frames), by their fields' paths: those
/// of the questions of `holders` (the parts, or a list's items) and of their lists' items.
fn framed_answers<'a>(holders: &'a Value, out: &mut std::collections::HashMap<String, &'a Value>) {
    let holders = holders.as_array().into_iter().flatten();
    for q in holders.flat_map(|h| h["questions"].as_array().into_iter().flatten()) {
        let answer = &q["answer"];
        if let (true, Some(path)) = (q["framed"] == true, answer["path"].as_str()) {
            out.insert(path.to_string(), answer);
        }
        framed_answers(&answer["items"], out);
    }
}

fn without_breaks(value: &mut Value) {
    match value {
        Value::String(s) if s.contains(BREAK) => *s = s.replace(BREAK, ""),
        Value::Array(items) => items.iter_mut().for_each(without_breaks),
        Value::Object(fields) => fields.values_mut().for_each(without_breaks),
        _ => {}
    }
}

fn write(
    data: &Value,
    drawn: Option<super::word::Drawn>,
    timestamp: &str,
    source: &[u8],
) -> Result<Vec<u8>, String> {
    use base64::Engine as _;
    let d = Doc { data };
    let carried = format!(
        "<source xmlns=\"{SOURCE_NS}\" lang=\"{}\" version=\"{}\">{}</source>",
        s(&data["lang"]),
        s(&data["project"]["version"]),
        base64::engine::general_purpose::STANDARD.encode(source)
    );
    let margin = PageMargin::new()
        .top(1020)
        .bottom(1247)
        .left(1134)
        .right(1134)
        .header(567)
        .footer(567);
    let mut docx = Docx::new()
        .page_size(A4.0, A4.1)
        .page_margin(margin.clone())
        .default_fonts(
            RunFonts::new()
                .ascii("Calibri")
                .hi_ansi("Calibri")
                .cs("Calibri"),
        )
        .default_size(20)
        .footer(d.footer())
        .created_at(timestamp)
        .updated_at(timestamp)
        .add_custom_item("pbf-report-source", &carried);
    // A form without a Word layout of its own: its parts in order, on portrait pages.
    let Some(drawn) = drawn else {
        for child in d.title().into_iter().chain(d.parts()) {
            docx = match child {
                Block::P(p) => docx.add_paragraph(p),
                Block::T(t) => docx.add_table(t),
            };
        }
        return pack(docx, data, &[], None);
    };
    // Each section but the last ends its pages; the last is the document's own.
    let page = |landscape: bool| match landscape {
        true => PageSize::new()
            .size(A4.1, A4.0)
            .orient(PageOrientationType::Landscape),
        false => PageSize::new().size(A4.0, A4.1),
    };
    let mut sections = drawn.sections;
    let last = sections.pop().expect("a layout draws a section");
    for drawn in sections {
        let mut section = Section::new()
            .page_size(page(drawn.landscape))
            .page_margin(margin.clone())
            .footer(d.footer());
        for child in drawn.blocks {
            section = match child {
                Block::P(p) => section.add_paragraph(p),
                Block::T(t) => section.add_table(t),
            };
        }
        docx = docx.add_section(section);
    }
    if last.landscape {
        docx = docx
            .page_size(A4.1, A4.0)
            .page_orient(PageOrientationType::Landscape);
    }
    for child in last.blocks {
        docx = match child {
            Block::P(p) => docx.add_paragraph(p),
            Block::T(t) => docx.add_table(t),
        };
    }
    pack(docx, data, &drawn.headers, drawn.author.as_deref())
}

fn pack(
    docx: Docx,
    data: &Value,
    headers: &[String],
    author: Option<&str>,
) -> Result<Vec<u8>, String> {
    let mut xml = docx.build();
    finish(&mut xml, data, headers, author);
    let mut bytes = std::io::Cursor::new(Vec::new());
    xml.pack(&mut bytes)
        .map_err(|e| format!("cannot write the Word copy: {e}"))?;
    Ok(bytes.into_inner())
}

/// What docx-rs cannot say, written into its parts: the document's language (for Word's
/// spelling and hyphenation), its title, its author (the layout's, else the project, as an
/// earlier layout's copies have it), and each header row
/// repeated on each page (the row that holds the header's first text). docx-rs numbers
/// paragraphs in the order they are made; those ids are taken out (Word needs none), so a
/// copy's bytes follow from its content alone.
fn finish(xml: &mut docx_rs::XMLDocx, data: &Value, headers: &[String], author: Option<&str>) {
    let escape = |t: &str| {
        t.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let lang = s(&data["lang"]);
    let styles = String::from_utf8_lossy(&xml.styles).replacen(
        "</w:rPr></w:rPrDefault>",
        &format!(
            "<w:lang w:val=\"{}\" /></w:rPr></w:rPrDefault>",
            escape(&lang)
        ),
        1,
    );
    xml.styles = styles.into_bytes();
    let gateway = project(data);
    let title = format!("{} – {gateway}", s(&data["title"]));
    let core = String::from_utf8_lossy(&xml.doc_props.core)
        .replacen(
            "<dc:creator>unknown</dc:creator>",
            &format!(
                "<dc:title>{}</dc:title><dc:creator>{}</dc:creator><dc:language>{}</dc:language>",
                escape(&title),
                escape(author.unwrap_or(&gateway)),
                escape(&lang)
            ),
            1,
        )
        .replacen("<cp:lastModifiedBy>unknown</cp:lastModifiedBy>", "", 1);
    xml.doc_props.core = core.into_bytes();
    let mut document = without_ids(&xml.document);
    for heading in headers {
        let marker = format!(">{}</w:t>", escape(heading));
        if let Some(at) = document.find(&marker)
            && let Some(row) = document[..at].rfind("<w:trPr />")
        {
            document.replace_range(
                row..row + "<w:trPr />".len(),
                "<w:trPr><w:tblHeader /></w:trPr>",
            );
        }
    }
    xml.document = document.into_bytes();
    for footer in &mut xml.footers {
        *footer = without_ids(footer).into_bytes();
    }
}

/// Whether the Word copy `archived` is `rebuilt` but for the paragraph ids an earlier release
/// wrote into its parts: the same parts in the same order, each the same bytes once its ids are
/// taken out. Within caps; a copy beyond them is not the same.
pub fn same_but_ids(archived: &[u8], rebuilt: &[u8]) -> bool {
    use std::io::Read;
    const MOST_PARTS: usize = 64;
    const MOST_BYTES: u64 = 64 << 20;
    let parts = |bytes: &[u8]| -> Option<Vec<(String, Vec<u8>)>> {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).ok()?;
        if zip.len() > MOST_PARTS {
            return None;
        }
        let mut out = Vec::new();
        let mut total = 0;
        for i in 0..zip.len() {
            let entry = zip.by_index(i).ok()?;
            let name = entry.name().ok()?.to_string();
            let mut part = Vec::new();
            entry
                .take(MOST_BYTES - total + 1)
                .read_to_end(&mut part)
                .ok()?;
            total += part.len() as u64;
            if total > MOST_BYTES {
                return None;
            }
            out.push((name, part));
        }
        Some(out)
    };
    const ID: &[u8] = b"<w:p w14:paraId=\"";
    // Laid out as a copy is written: from its first byte to its last, as many entries as the
    // rebuilt copy (a part given twice, or bytes before or after, is another file).
    let count =
        |bytes: &[u8], signature: &[u8]| bytes.windows(4).filter(|w| *w == signature).count();
    let shaped = archived.starts_with(b"PK\x03\x04")
        && archived.len() >= 22
        && archived[archived.len() - 22..].starts_with(b"PK\x05\x06")
        && [&b"PK\x03\x04"[..], b"PK\x01\x02"]
            .iter()
            .all(|s| count(archived, s) == count(rebuilt, s));
    if !shaped {
        return false;
    }
    match (parts(archived), parts(rebuilt)) {
        // Only a copy that holds ids, as an earlier release's does.
        (Some(a), _) if !a.iter().any(|(_, p)| p.windows(ID.len()).any(|w| w == ID)) => false,
        (Some(a), Some(b)) => {
            a.len() == b.len()
                && a.iter().zip(&b).all(|((na, pa), (nb, pb))| {
                    let text = std::str::from_utf8(pa).is_ok();
                    na == nb && (pa == pb || text && without_ids(pa).as_bytes() == &pb[..])
                })
        }
        _ => false,
    }
}

/// A part's XML without its paragraphs' ids: `<w:p w14:paraId="0000002a">` as docx-rs writes
/// a paragraph's start, eight hexadecimal digits; nowhere else (text holds `<` escaped).
pub fn without_ids(xml: &[u8]) -> String {
    const START: &str = "<w:p w14:paraId=\"";
    let xml = String::from_utf8_lossy(xml);
    let mut out = String::with_capacity(xml.len());
    let mut rest = &xml[..];
    while let Some(at) = rest.find(START) {
        let after = &rest[at + START.len()..];
        let id = after.get(..10).filter(|id| {
            let digits = id.get(..8).unwrap_or_default();
            id.ends_with("\">")
                && digits.len() == 8
                && digits.chars().all(|c| c.is_ascii_hexdigit())
        });
        match id {
            Some(_) => {
                out.push_str(&rest[..at]);
                out.push_str("<w:p>");
                rest = &after[10..];
            }
            None => {
                out.push_str(&rest[..at + START.len()]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

struct Doc<'a> {
    data: &'a Value,
}

/// A string of the data (its break opportunities already taken out by `render`).
fn s(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_string()
}

fn text(t: impl Into<String>) -> Run {
    Run::new().add_text(t)
}

fn bold(t: impl Into<String>) -> Run {
    text(t).bold()
}

fn par(runs: impl IntoIterator<Item = Run>) -> Paragraph {
    runs.into_iter().fold(Paragraph::new(), Paragraph::add_run)
}

/// One cell holding `paragraphs`, `span` grid columns wide.
fn cell(paragraphs: Vec<Paragraph>, width: usize, span: usize) -> TableCell {
    let cell = paragraphs
        .into_iter()
        .fold(TableCell::new(), TableCell::add_paragraph)
        .width(width, WidthType::Dxa);
    if span > 1 { cell.grid_span(span) } else { cell }
}

/// A cell holding an answer inside a content control named by the field's path in the source
/// (`progress.status`, `outcomes[1].indicators[2].baseline`): `import` finds reviewers' edits by
/// it.
fn answer_cell(answer: &Value, extra: Vec<Paragraph>, width: usize, size: usize) -> TableCell {
    let cell = extra
        .into_iter()
        .fold(TableCell::new(), TableCell::add_paragraph)
        .add_structured_data_tag(tagged(answer, size))
        .width(width, WidthType::Dxa);
    over_limit(cell, answer)
}

/// An answer's paragraphs in a content control named by its field's path.
fn tagged(answer: &Value, size: usize) -> StructuredDataTag {
    blocks(answer).into_iter().map(|p| p.size(size)).fold(
        StructuredDataTag::new().alias(s(&answer["path"])),
        StructuredDataTag::add_paragraph,
    )
}

/// In a draft, the frame of an answer over its limit is red, as in the PDF.
fn over_limit(cell: TableCell, answer: &Value) -> TableCell {
    if !answer["over"].is_string() {
        return cell;
    }
    use docx_rs::{TableCellBorder, TableCellBorderPosition as At};
    [At::Top, At::Left, At::Bottom, At::Right]
        .into_iter()
        .fold(cell, |cell, at| {
            cell.set_border(TableCellBorder::new(at).size(12).color("B00000"))
        })
}

/// A table of one cell across the page.
fn framed(c: TableCell) -> Table {
    Table::new(vec![TableRow::new(vec![c])])
        .set_grid(vec![WIDTH])
        .width(WIDTH, WidthType::Dxa)
}

/// A table of one framed cell across the page.
fn frame(paragraphs: Vec<Paragraph>, shade: bool) -> Table {
    let mut c = cell(paragraphs, WIDTH, 1);
    if shade {
        c = c.shading(Shading::new().fill("EDEDED"));
    }
    Table::new(vec![TableRow::new(vec![c])])
        .set_grid(vec![WIDTH])
        .width(WIDTH, WidthType::Dxa)
}

/// An answer on one line: tick boxes with their options' wording, or its text.
fn shown_answer(answer: &Value) -> String {
    match answer["options"].is_array() {
        true => ticks(answer).collect::<Vec<_>>().join("   "),
        false => s(&answer["text"]),
    }
}

/// The project as the form names it: its number, or the source's project id.
fn project(data: &Value) -> String {
    match data["project"]["number"].as_str() {
        Some(number) => number.to_string(),
        None => s(&data["project"]["id"]),
    }
}

/// Tick boxes, each with its option's wording.
fn ticks(answer: &Value) -> impl Iterator<Item = String> + '_ {
    let options = answer["options"].as_array().map_or(&[][..], Vec::as_slice);
    options.iter().map(|o| {
        let tick = if o["checked"] == true { "☒" } else { "☐" };
        format!("{tick} {}", s(&o["label"]))
    })
}

/// Whether the description draws a question in the workbook only.
fn in_workbook(q: &Value) -> bool {
    q["drawn"] == "workbook"
}

/// An answer's paragraphs and bullet lines; one empty paragraph when it has none.
fn blocks(answer: &Value) -> Vec<Paragraph> {
    let mut out: Vec<Paragraph> = answer["blocks"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|b| match b["kind"].as_str() {
            Some("item") => {
                par([text(format!("• {}", s(&b["text"])))]).indent(Some(340), None, None, None)
            }
            _ => par([text(s(&b["text"]))]),
        })
        .collect();
    if out.is_empty() {
        out.push(Paragraph::new());
    }
    out
}

impl Doc<'_> {
    fn t(&self, key: &str) -> String {
        s(&self.data["t"][key])
    }

    fn footer(&self) -> Footer {
        let d = self.data;
        let mut line = format!("{} – {}", project(d), s(&d["title"]));
        for extra in [&d["unofficial"], &d["revision_of"]] {
            if extra.is_string() {
                line.push_str(&format!(" – {}", s(extra)));
            }
        }
        // "Page {page} of {total}", with Word's page fields in place of the two numbers.
        let label = self.t("doc.page");
        let (before, rest) = label.split_once("{page}").unwrap_or((&label, ""));
        let (middle, after) = rest.split_once("{total}").unwrap_or((rest, ""));
        let page = Paragraph::new()
            .add_run(text(format!("{line}    {before}")).size(16))
            .add_page_num(PageNum::new())
            .add_run(text(middle).size(16))
            .add_num_pages(NumPages::new())
            .add_run(text(after).size(16));
        Footer::new().add_paragraph(page)
    }

    fn title(&self) -> Vec<Block> {
        let d = self.data;
        let centered = |text: String, size: usize| {
            Block::P(par([bold(text).size(size)]).align(AlignmentType::Center))
        };
        let mut out = vec![centered(s(&d["title"]), 24)];
        for extra in [&d["unofficial"], &d["revision_of"], &d["draft"]] {
            if extra.is_string() {
                out.push(Block::P(
                    par([text(s(extra)).italic()]).align(AlignmentType::Center),
                ));
            }
        }
        out
    }

    /// A question of the form in bold, its limit in italics, kept with its framed answer.
    /// A form read through its description: each part's heading, then its questions.
    fn parts(&self) -> Vec<Block> {
        let mut out = Vec::new();
        for part in self.data["parts"].as_array().into_iter().flatten() {
            let questions = part["questions"].as_array().map_or(&[][..], Vec::as_slice);
            // What only the workbook shows (Annex A) has no place in the document.
            if questions.iter().all(in_workbook) && !questions.is_empty() {
                continue;
            }
            if part["title"].is_string() {
                out.push(self.heading(s(&part["title"]), 1));
            }
            for q in questions {
                out.extend(self.described(q));
            }
        }
        out
    }

    /// One described question: a text framed for reviewers' edits, a table of its items,
    /// each item of a list with its own questions, or its answer on the question's line.
    fn described(&self, q: &Value) -> Vec<Block> {
        let answer = &q["answer"];
        if in_workbook(q) {
            return Vec::new();
        }
        if q["framed"] == true {
            return self.question(q);
        }
        let heading = || Block::P(par([bold(s(&q["question"]))]).keep_next(true));
        let items = answer["items"].as_array();
        match (q["kind"].as_str(), items) {
            (Some("table"), Some(items)) => {
                let columns = answer["columns"].as_array().map_or(0, Vec::len).max(1);
                let width = WIDTH / columns;
                let head = answer["columns"].as_array().into_iter().flatten();
                let head = head.map(|c| cell(vec![par([bold(s(&c["label"]))])], width, 1));
                let mut rows = vec![TableRow::new(head.collect())];
                for item in items {
                    let cells = item["questions"].as_array().into_iter().flatten();
                    let cells = cells.map(|c| match c["framed"] == true {
                        true => answer_cell(&c["answer"], Vec::new(), width, 18),
                        false => {
                            let shown = match c["answer"]["text"].is_string() {
                                true => &c["answer"]["text"],
                                false => &c["answer"]["label"],
                            };
                            cell(vec![par([text(s(shown))])], width, 1)
                        }
                    });
                    rows.push(TableRow::new(cells.collect()));
                }
                let table = Table::new(rows)
                    .set_grid(vec![width; columns])
                    .width(WIDTH, WidthType::Dxa);
                // The table is its own heading: its numbered wording names a row, not the table.
                vec![Block::T(table), Block::P(Paragraph::new())]
            }
            (_, Some(items)) if items.iter().any(|i| i["questions"].is_array()) => {
                items.iter().flat_map(|item| self.item(q, item)).collect()
            }
            (_, Some(items)) => {
                let lines = items
                    .iter()
                    .map(|i| par([text(format!("• {}", s(&i["text"])))]));
                vec![heading(), Block::T(frame(lines.collect(), false))]
            }
            _ => vec![Block::P(par([
                bold(s(&q["question"])),
                text(format!(" {}", shown_answer(answer))),
            ]))],
        }
    }

    /// One item of a list with fields: its numbered label, with the text the form draws as
    /// its heading in a shaded frame; the fields worded as the list itself on one line, their
    /// answers only; then its other fields as any question.
    fn item(&self, list: &Value, item: &Value) -> Vec<Block> {
        let fields = item["questions"].as_array().map_or(&[][..], Vec::as_slice);
        let shown = |f: &&Value| !in_workbook(f);
        let heading = fields
            .iter()
            .filter(shown)
            .find(|f| f["drawn"] == "heading");
        let mut title = vec![bold(s(&item["label"]))];
        if let Some(h) = heading {
            title.push(text(format!(" {}", s(&h["answer"]["text"]))));
        }
        let same = |f: &&Value| f["key"] == list["key"] && f["framed"] != true;
        let line: Vec<String> = fields
            .iter()
            .filter(shown)
            .filter(|f| same(f) && Some(*f) != heading)
            .map(|f| shown_answer(&f["answer"]))
            .filter(|a| !a.is_empty())
            .collect();
        let mut head = vec![par(title)];
        if !line.is_empty() {
            head.push(par([text(line.join(" · "))]));
        }
        let mut out = vec![Block::T(frame(head, true))];
        let rest = fields.iter().filter(|f| !same(f) && Some(*f) != heading);
        out.extend(rest.flat_map(|f| self.described(f)));
        out
    }

    fn question(&self, q: &Value) -> Vec<Block> {
        let mut heading = par([bold(s(&q["question"]))]).keep_next(true);
        if q["limit"].is_string() {
            heading = heading.add_run(text(format!(" {}", s(&q["limit"]))).italic());
        }
        let mut out = vec![Block::P(heading)];
        if q["answer"]["over"].is_string() {
            out.push(Block::P(
                par([bold(format!("⚠ {}", s(&q["answer"]["over"]))).color("B00000")])
                    .keep_next(true),
            ));
        }
        out.push(Block::T(framed(answer_cell(
            &q["answer"],
            Vec::new(),
            WIDTH,
            20,
        ))));
        out.push(Block::P(Paragraph::new()));
        out
    }

    fn heading(&self, text: String, level: usize) -> Block {
        Block::P(
            par([bold(text).size(if level == 1 { 24 } else { 22 })])
                .keep_next(true)
                .outline_lvl(level - 1),
        )
    }
}
