//! The Word copy of a report, for review rounds: the same data the typst template draws from
//! (`document::data`, so the same wording, every label from the catalogs), laid out as the
//! form — title block, cover table, questions with their answers in framed cells, the
//! indicator table on landscape pages, Part 2. Written with docx-rs; dated with the report's
//! date and numbered from one, so the same inputs give the same bytes.

use docx_rs::{
    AlignmentType, Docx, Footer, NumPages, PageMargin, PageNum, PageOrientationType, PageSize,
    Paragraph, Run, RunFonts, Section, Shading, StructuredDataTag, Table, TableCell, TableRow,
    VMergeType, WidthType,
};
use serde_json::Value;

use crate::fit::BREAK;

/// A4 in twentieths of a point, and the PDF's margins (2 cm; 1.8 cm top, 2.2 cm bottom).
const A4: (u32, u32) = (11906, 16838);
const WIDTH: usize = 11906 - 2 * 1134;
const LANDSCAPE_WIDTH: usize = 16838 - 2 * 1134;

/// The XML namespace of the part that carries the report's source, for `import`.
pub const SOURCE_NS: &str = "urn:pbf-report:source";

/// The `.docx` of one language's template data; `timestamp` is the report's date; `source` the
/// report source, carried inside so that reviewers' edits can be written back into it.
pub fn render(data: &Value, timestamp: &str, source: &[u8]) -> Result<Vec<u8>, String> {
    // docx-rs numbers paragraphs with a counter of the thread that makes them, never reset: a
    // thread of its own starts every document at one, whatever was built before.
    std::thread::scope(|scope| {
        scope
            .spawn(|| write(data, timestamp, source))
            .join()
            .map_err(|_| "the Word copy could not be written".to_string())?
    })
}

fn write(data: &Value, timestamp: &str, source: &[u8]) -> Result<Vec<u8>, String> {
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
    if data["word"] != "pbf-2019" {
        for child in d.title().into_iter().chain(d.parts()) {
            docx = match child {
                Block::P(p) => docx.add_paragraph(p),
                Block::T(t) => docx.add_table(t),
            };
        }
        return pack(docx, data, "");
    }
    // Part 1 on portrait pages, ending its section; the indicator table on landscape pages,
    // ending its own; Part 2 on the document's last, portrait, section.
    let mut part1 = Section::new()
        .page_size(PageSize::new().size(A4.0, A4.1))
        .page_margin(margin.clone())
        .footer(d.footer());
    for child in d.title().into_iter().chain(d.cover()).chain(d.part1()) {
        part1 = match child {
            Block::P(p) => part1.add_paragraph(p),
            Block::T(t) => part1.add_table(t),
        };
    }
    let landscape = PageSize::new()
        .size(A4.1, A4.0)
        .orient(PageOrientationType::Landscape);
    let mut table = Section::new()
        .page_size(landscape)
        .page_margin(margin)
        .footer(d.footer());
    for child in d.indicators() {
        table = match child {
            Block::P(p) => table.add_paragraph(p),
            Block::T(t) => table.add_table(t),
        };
    }
    docx = docx.add_section(part1).add_section(table);
    for child in d.part2() {
        docx = match child {
            Block::P(p) => docx.add_paragraph(p),
            Block::T(t) => docx.add_table(t),
        };
    }
    pack(docx, data, &d.t("indicators.indicator"))
}

fn pack(docx: Docx, data: &Value, heading: &str) -> Result<Vec<u8>, String> {
    let mut xml = docx.build();
    finish(&mut xml, data, heading);
    let mut bytes = std::io::Cursor::new(Vec::new());
    xml.pack(&mut bytes)
        .map_err(|e| format!("cannot write the Word copy: {e}"))?;
    Ok(bytes.into_inner())
}

/// What docx-rs cannot say, written into its parts: the document's language (for Word's
/// spelling and hyphenation), its title and author as the PDF gives them, and the indicator
/// table's header row repeated on each page (the row before its first column heading).
fn finish(xml: &mut docx_rs::XMLDocx, data: &Value, heading: &str) {
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
                escape(&gateway),
                escape(&lang)
            ),
            1,
        )
        .replacen("<cp:lastModifiedBy>unknown</cp:lastModifiedBy>", "", 1);
    xml.doc_props.core = core.into_bytes();
    let mut document = String::from_utf8_lossy(&xml.document).into_owned();
    let marker = format!(">{}</w:t>", escape(heading));
    if let Some(at) = document.find(&marker).filter(|_| !heading.is_empty())
        && let Some(row) = document[..at].rfind("<w:trPr />")
    {
        document.replace_range(
            row..row + "<w:trPr />".len(),
            "<w:trPr><w:tblHeader /></w:trPr>",
        );
    }
    xml.document = document.into_bytes();
}

/// A paragraph or a table of the document body, in order. Each is made once and moved into
/// the document at once, so the size of a paragraph does not matter.
#[allow(clippy::large_enum_variant)]
enum Block {
    P(Paragraph),
    T(Table),
}

struct Doc<'a> {
    data: &'a Value,
}

/// A string of the data, without the break opportunities put in for the PDF (Word wraps a
/// long word itself).
fn s(value: &Value) -> String {
    value.as_str().unwrap_or_default().replace(BREAK, "")
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

/// `wording` with its placeholders (`{{ planned }}`) filled in, in their order, by `values`.
fn fill_in_order(wording: &str, mut values: impl Iterator<Item = String>) -> String {
    let mut out = String::with_capacity(wording.len());
    let mut rest = wording;
    while let Some(open) = rest.find("{{") {
        let Some(close) = rest[open..].find("}}") else {
            break;
        };
        out.push_str(&rest[..open]);
        out.push_str(&values.next().unwrap_or_default());
        rest = &rest[open + close + 2..];
    }
    out.push_str(rest);
    out
}

/// The question named `name` (its field's name) among `questions`; null when none is.
fn ask<'a>(questions: &'a [Value], name: &str) -> &'a Value {
    static NONE: Value = Value::Null;
    questions
        .iter()
        .find(|q| q["name"] == name)
        .unwrap_or(&NONE)
}

/// The questions of each item of a list's `answer`.
fn items(answer: &Value) -> Vec<&[Value]> {
    let items = answer["items"].as_array().map_or(&[][..], Vec::as_slice);
    items
        .iter()
        .map(|i| i["questions"].as_array().map_or(&[][..], Vec::as_slice))
        .collect()
}

/// The texts of a list of texts' `answer`.
fn texts(answer: &Value) -> Vec<String> {
    let items = answer["items"].as_array().map_or(&[][..], Vec::as_slice);
    items.iter().map(|i| s(&i["text"])).collect()
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
        let mut out = match d["word"].as_str() {
            Some(_) => vec![
                centered(self.t("doc.fund"), 26),
                centered(self.t("doc.template"), 22),
                centered(self.t("doc.title"), 24),
            ],
            None => vec![centered(s(&d["title"]), 24)],
        };
        for extra in [&d["unofficial"], &d["revision_of"], &d["draft"]] {
            if extra.is_string() {
                out.push(Block::P(
                    par([text(s(extra)).italic()]).align(AlignmentType::Center),
                ));
            }
        }
        out
    }

    /// A label and its value on one line.
    fn field(&self, key: &str, value: &Value) -> Paragraph {
        par([bold(self.t(key)), text(format!(" {}", s(value)))])
    }

    fn cover(&self) -> Vec<Block> {
        let cover = self.part("cover");
        let c = |name: &str| &ask(cover, name)["answer"];
        let half = WIDTH / 2;
        let top = vec![
            self.field("cover.country", &c("country")["text"]),
            self.field("cover.report_type", &c("report_type")["label"]),
            self.field("cover.report_date", &c("report_date")["text"]),
        ];
        let recipients = items(c("recipients"));
        let names: Vec<String> = recipients
            .iter()
            .map(|r| s(&ask(r, "name")["answer"]["text"]))
            .collect();
        let mut partners = vec![par([bold(self.t("cover.partners"))])];
        for (r, name) in recipients.iter().zip(&names) {
            let theirs = texts(&ask(r, "implementing_partners")["answer"]);
            if !theirs.is_empty() {
                let line = self
                    .t("cover.partner_line")
                    .replace("{{ agency }}", name)
                    .replace("{{ partners }}", &theirs.join(", "));
                partners.push(par([text(line)]));
            }
        }
        for p in texts(c("other_partners")) {
            partners.push(par([text(p)]));
        }
        let colon = s(&self.data["colon"]);
        // The form's footnote marks, as the PDF's footnotes number them.
        let dated = |key: &str, mark: &str, value: String| {
            par([
                bold(format!("{}{mark}{colon}", self.t(key))),
                text(format!(" {value}")),
            ])
        };
        let mut windows = vec![par([bold(self.t("cover.priority_windows"))])];
        windows.extend(ticks(c("priority_windows")).map(|w| par([text(w)])));
        let mut budget = vec![par([bold(self.t("cover.budget"))])];
        for r in &recipients {
            budget.push(par([text(format!(
                "{}    {}",
                s(&ask(r, "short_name")["answer"]["text"]),
                s(&ask(r, "budget")["answer"]["text"])
            ))]));
        }
        budget.push(par([bold(format!(
            "{}    {}",
            self.t("cover.budget_total"),
            s(&c("budget_total")["text"])
        ))]));
        budget.push(par([text(self.t("cover.budget_note")).italic().size(16)]));
        budget.push(par([
            bold(self.t("cover.tranches")),
            text(format!(" {}", s(&c("tranches_received")["text"]))),
        ]));
        // The two answers of the cover a reviewer may edit are tagged for `import`.
        let preparation = [
            par([bold(self.t("cover.preparation"))]),
            self.field("cover.prepared_by", &c("prepared_by")["text"]),
            self.field("cover.approved_by", &c("approved_by")["text"]),
            self.field(
                "cover.secretariat_cleared",
                &c("secretariat_cleared")["text"],
            ),
            par([bold(self.t("cover.secretariat_comments"))]),
        ]
        .into_iter()
        .fold(TableCell::new(), TableCell::add_paragraph)
        .add_structured_data_tag(tagged(c("secretariat_comments"), 20))
        .add_paragraph(par([bold(self.t("cover.evaluation"))]))
        .add_structured_data_tag(tagged(c("evaluation"), 20))
        .width(WIDTH, WidthType::Dxa)
        .grid_span(2);
        let modality = par([
            bold(self.t("cover.modality")),
            text(format!(
                " {}",
                ticks(c("modality")).collect::<Vec<_>>().join("  ")
            )),
        ]);
        let rows = vec![
            TableRow::new(vec![
                cell(
                    vec![
                        self.field("cover.title", &c("title")["text"]),
                        self.field("cover.gateway_number", &c("gateway_number")["text"]),
                    ],
                    half,
                    1,
                ),
                cell(
                    vec![modality, par([bold(self.t("cover.trust_fund"))])]
                        .into_iter()
                        .chain(ticks(c("trust_fund")).map(|t| par([text(t)])))
                        // Made after the tick boxes: paragraphs are numbered as they are made.
                        .chain(std::iter::once_with(|| {
                            self.field("cover.trust_fund_name", &c("trust_fund_name")["text"])
                        }))
                        .collect(),
                    half,
                    1,
                ),
            ]),
            TableRow::new(vec![
                cell(
                    vec![
                        par([bold(self.t("cover.recipients"))]),
                        par([text(names.join(", "))]),
                    ],
                    half,
                    1,
                ),
                cell(partners, half, 1),
            ]),
            TableRow::new(vec![
                cell(
                    vec![
                        dated("cover.start_date", "¹", s(&c("start_date")["text"])),
                        dated("cover.duration", "²", s(&c("duration_months")["text"])),
                    ],
                    half,
                    1,
                ),
                cell(windows, half, 1),
            ]),
            TableRow::new(vec![cell(budget, WIDTH, 2)]),
            TableRow::new(vec![preparation]),
        ];
        let notes = vec![
            par([bold(self.t("notes.title"))]),
            par([text(format!("• {}", self.t("notes.acronyms")))]),
            par([text(format!("• {}", self.t("notes.concrete")))]),
            par([text(format!("• {}", self.t("notes.gender")))]),
        ];
        vec![
            Block::T(frame(top, true)),
            Block::T(
                Table::new(rows)
                    .set_grid(vec![half, half])
                    .width(WIDTH, WidthType::Dxa),
            ),
            Block::P(par([
                text(format!("¹ {}", self.t("cover.footnote_start"))).size(16)
            ])),
            Block::P(par([text(format!(
                "² {}",
                self.t("cover.footnote_duration")
            ))
            .size(16)])),
            Block::T(frame(notes, false)),
        ]
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

    fn rating(&self, q: &Value) -> Vec<Block> {
        vec![
            Block::P(par([bold(s(&q["question"]))]).keep_next(true)),
            Block::T(frame(vec![par([text(s(&q["answer"]["label"]))])], true)),
            Block::P(Paragraph::new()),
        ]
    }

    /// The questions of the part `name`.
    fn part(&self, name: &str) -> &[Value] {
        let parts = self.data["parts"].as_array().map_or(&[][..], Vec::as_slice);
        let part = parts.iter().find(|p| p["name"] == name);
        part.and_then(|p| p["questions"].as_array())
            .map_or(&[][..], Vec::as_slice)
    }

    fn heading(&self, text: String, level: usize) -> Block {
        Block::P(
            par([bold(text).size(if level == 1 { 24 } else { 22 })])
                .keep_next(true)
                .outline_lvl(level - 1),
        )
    }

    fn part1(&self) -> Vec<Block> {
        let mut out = vec![
            self.heading(self.t("part1.title"), 1),
            self.heading(self.t("progress.title"), 2),
        ];
        // The part's questions in order: framed answers, its rating, its list of attachments.
        for q in self.part("progress") {
            match q["kind"].as_str() {
                _ if q["framed"] == true => out.extend(self.question(q)),
                Some("rating") => out.extend(self.rating(q)),
                Some("list") => {
                    let mut lines: Vec<Paragraph> = texts(&q["answer"])
                        .iter()
                        .map(|i| par([text(format!("• {i}"))]))
                        .collect();
                    if lines.is_empty() {
                        lines.push(Paragraph::new());
                    }
                    out.push(Block::P(par([bold(s(&q["question"]))]).keep_next(true)));
                    out.push(Block::T(frame(lines, false)));
                }
                _ => {}
            }
        }
        out.push(self.heading(self.t("outcomes.title"), 2));
        out.push(Block::P(par([text(self.t("outcomes.intro")).italic()])));
        for (n, o) in self.outcomes().into_iter().enumerate() {
            let statement = ask(o, "statement");
            out.push(Block::T(frame(
                vec![par([
                    bold(s(&statement["question"])),
                    text(format!(" {}", s(&statement["answer"]["text"]))),
                ])],
                true,
            )));
            out.extend(self.rating(ask(o, "rating")));
            // The form asks the first outcome's summary at length, the others' in short.
            let mut summary = ask(o, "summary").clone();
            if n > 0 {
                summary["question"] = self.t("outcome.summary_short").into();
            }
            out.extend(self.question(&summary));
        }
        out.push(self.heading(self.t("cross_cutting.title"), 2));
        let (left, right) = (WIDTH * 2 / 5, WIDTH - WIDTH * 2 / 5);
        let rows: Vec<TableRow> = self
            .part("cross_cutting")
            .iter()
            .filter(|q| q["framed"] == true)
            .map(|q| {
                let mut label = par([bold(s(&q["question"]))]);
                if q["limit"].is_string() {
                    label = label.add_run(text(format!(" {}", s(&q["limit"]))).italic());
                }
                let mut answer = Vec::new();
                if q["answer"]["over"].is_string() {
                    answer.push(par([
                        bold(format!("⚠ {}", s(&q["answer"]["over"]))).color("B00000")
                    ]));
                }
                let answer = answer_cell(&q["answer"], answer, right, 20);
                TableRow::new(vec![cell(vec![label], left, 1), answer]).cant_split()
            })
            .collect();
        out.push(Block::T(
            Table::new(rows)
                .set_grid(vec![left, right])
                .width(WIDTH, WidthType::Dxa),
        ));
        out
    }

    /// The questions of each outcome.
    fn outcomes(&self) -> Vec<&[Value]> {
        items(&ask(self.part("outcomes"), "outcomes")["answer"])
    }

    fn indicators(&self) -> Vec<Block> {
        let d = self.data;
        let fractions = crate::fit::TABLE_COLUMNS;
        let total: f32 = fractions.iter().sum();
        let widths: Vec<usize> = fractions
            .iter()
            .map(|f| (LANDSCAPE_WIDTH as f32 * f / total) as usize)
            .collect();
        let small = |runs: Vec<Run>| par(runs.into_iter().map(|r| r.size(17)));
        // A cell's answer, after `ps` (the indicator's number) and its over-limit note in a draft.
        let answer = |a: &Value, mut ps: Vec<Paragraph>, width: usize| {
            if a["over"].is_string() {
                ps.push(small(vec![
                    bold(format!("⚠ {}", s(&a["over"]))).color("B00000"),
                ]));
            }
            answer_cell(a, ps, width, 17)
        };
        let columns = d["tables"]["indicators"]
            .as_array()
            .map_or(&[][..], Vec::as_slice);
        let mut header = vec![cell(vec![Paragraph::new()], widths[0], 1)];
        header.extend(
            columns
                .iter()
                .zip(&widths[1..])
                .map(|(c, w)| cell(vec![small(vec![bold(s(&c["label"]))])], *w, 1)),
        );
        let mut rows = vec![TableRow::new(header)];
        let numbered = |key: &str, n: &str| self.t(key).replace("{{ n }}", n);
        let mut level = |label: &str, statement: &Value, table: &Value, number: &str| {
            let list = items(&table["answer"]);
            // The outcome or output, merged down its indicators' rows: its words in the first
            // cell only, the cells it covers empty (Word keeps their text, hidden).
            let first = |merge: VMergeType| {
                let words = match merge {
                    VMergeType::Restart => {
                        vec![small(vec![bold(label)]), small(vec![text(s(statement))])]
                    }
                    _ => vec![Paragraph::new()],
                };
                cell(words, widths[0], 1)
                    .shading(Shading::new().fill("EDEDED"))
                    .vertical_merge(merge)
            };
            if list.is_empty() {
                let mut cells = vec![first(VMergeType::Restart)];
                cells.extend(
                    widths[1..]
                        .iter()
                        .map(|w| cell(vec![Paragraph::new()], *w, 1)),
                );
                rows.push(TableRow::new(cells).cant_split());
            }
            for (i, ind) in list.iter().enumerate() {
                let merge = if i == 0 {
                    VMergeType::Restart
                } else {
                    VMergeType::Continue
                };
                let mut cells = vec![first(merge)];
                let label = numbered("indicators.item", &format!("{number}.{}", i + 1));
                for (j, (q, w)) in ind.iter().zip(&widths[1..]).enumerate() {
                    let a = &q["answer"];
                    cells.push(match j {
                        // The indicator's number above its wording.
                        0 => answer(a, vec![small(vec![bold(label.clone())])], *w),
                        _ => answer(a, Vec::new(), *w),
                    });
                }
                rows.push(TableRow::new(cells).cant_split());
            }
        };
        for (n, o) in self.outcomes().into_iter().enumerate() {
            let framework = ask(o, "framework_statement");
            let number = (n + 1).to_string();
            let label = s(&framework["question"]);
            level(
                &label,
                &framework["answer"]["text"],
                ask(o, "indicators"),
                &number,
            );
            for (m, out) in items(&ask(o, "outputs")["answer"]).into_iter().enumerate() {
                let number = format!("{number}.{}", m + 1);
                let label = numbered("indicators.output", &number);
                let statement = &ask(out, "statement")["answer"]["text"];
                level(&label, statement, ask(out, "indicators"), &number);
            }
        }
        let limit = columns
            .first()
            .map(|c| c["limit"].to_string())
            .unwrap_or_default();
        vec![
            self.heading(self.t("indicators.title"), 2),
            Block::P(par([
                text(self.t("indicators.intro")),
                bold(format!(" {}", numbered("indicators.limit", &limit))),
            ])),
            Block::T(
                Table::new(rows)
                    .set_grid(widths)
                    .width(LANDSCAPE_WIDTH, WidthType::Dxa),
            ),
        ]
    }

    fn part2(&self) -> Vec<Block> {
        let finance = self.part("finance");
        let mut out = vec![
            self.heading(self.t("part2.title"), 1),
            self.heading(self.t("finance.title"), 2),
        ];
        for q in finance.iter().filter(|q| q["kind"] == "rating") {
            out.extend(self.rating(q));
        }
        for q in finance.iter().filter(|q| q["framed"] == true) {
            out.extend(self.question(q));
        }
        out.push(Block::P(
            par([bold(self.t("finance.gender"))]).keep_next(true),
        ));
        // The part's amounts, in its placeholders in their order.
        let amounts = finance.iter().filter(|q| q["kind"] == "amount");
        let amounts = fill_in_order(
            &self.t("finance.gender_amounts"),
            amounts.map(|q| s(&q["answer"]["text"])),
        );
        out.push(Block::T(frame(vec![par([text(amounts)])], false)));
        out.push(Block::P(par([text(self.t("finance.annex_a")).italic()])));
        out
    }
}
