//! A form's Word layout (`templates/<form>/word.xml.j2`): a minijinja template that reads the
//! same data as the typst layout and writes a small markup of sections, paragraphs, runs, tables
//! and answers, which this module turns into docx-rs's blocks. The template's text is escaped as
//! it is printed, and only the elements below exist: a layout can place the report's words, never
//! write Word's XML itself (no field codes, links or embedded objects).
//!
//! ```text
//! <word>
//!   <section page="portrait|landscape">          the last one is the document's own
//!     <p align="center" keep="next" indent="340" outline="0" size="20">
//!       <r bold="1" italic="1" size="16" color="B00000">text, as written</r>
//!     </p>
//!     <table widths="4819 4819" width="9638">     width: the sum of widths when left out
//!       <tr keep="together" header="1">            header: repeated on each page
//!         <td width="4819" span="2" shade="EDEDED" merge="restart|continue" border="B00000">
//!           <p>…</p>  <answer path="progress.status"><p>…</p></answer>
//! ```
//!
//! Sizes are in half-points, widths and indents in twentieths of a point. An `answer` is a content
//! control named by the field's path: `import` brings a reviewer's edit of it back to that field.

use docx_rs::{
    AlignmentType, Paragraph, Run, Shading, StructuredDataTag, Table, TableCell, TableCellBorder,
    TableCellBorderPosition, TableRow, VMergeType, WidthType,
};
use quick_xml::events::{BytesStart, Event};

/// The most instructions a Word layout may run: the 2019 form's runs 20,000 to 30,000 for the
/// shipped example, a few times that for a report with every list full.
const FUEL: u64 = 5_000_000;

/// The most bytes of markup a Word layout may write.
const MOST_MARKUP: usize = 64 << 20;

/// A paragraph or a table of a section, in order.
#[allow(clippy::large_enum_variant)]
pub enum Block {
    P(Paragraph),
    T(Table),
}

/// One section of the document: its pages' orientation and its blocks.
pub struct Section {
    pub landscape: bool,
    pub blocks: Vec<Block>,
}

/// What a Word layout draws: its sections, and the text that starts each header row.
pub struct Drawn {
    pub sections: Vec<Section>,
    pub headers: Vec<String>,
}

/// Runs the layout `template` (the file `name`) on `data` and reads the markup it writes.
pub fn draw(name: &str, template: &str, data: &serde_json::Value) -> Result<Drawn, String> {
    let markup = render(name, template, data)?;
    read(&markup).map_err(|e| format!("{name}: {e}"))
}

fn render(name: &str, template: &str, data: &serde_json::Value) -> Result<String, String> {
    let mut env = minijinja::Environment::new();
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
    // Nothing where a value is missing (a field left empty), rather than "none".
    env.set_formatter(|out, state, value| match value.is_none() {
        true => Ok(()),
        false => minijinja::escape_formatter(out, state, value),
    });
    env.set_fuel(Some(FUEL));
    env.add_function("ask", ask);
    env.add_function("fill", fill);
    let context = minijinja::Value::from(minijinja::value::Serde(data));
    let template = env
        .template_from_named_str(name, template)
        .map_err(|e| format!("{name}: {e:#}"))?;
    let _budget = super::budget::guard(name.to_string());
    let markup = template
        .render(context)
        .map_err(|e| format!("{name}: {e:#}"))?;
    match markup.len() > MOST_MARKUP {
        true => Err(format!(
            "{name}: it wrote more than {} MiB of markup",
            MOST_MARKUP >> 20
        )),
        false => Ok(markup),
    }
}

/// `ask(questions, name)`: the question named `name` (its field's name) among `questions`.
fn ask(questions: minijinja::Value, name: &str) -> minijinja::Value {
    let Ok(items) = questions.try_iter() else {
        return minijinja::Value::UNDEFINED;
    };
    items
        .into_iter()
        .find(|q| q.get_attr("name").ok().as_ref().and_then(|n| n.as_str()) == Some(name))
        .unwrap_or(minijinja::Value::UNDEFINED)
}

/// `fill(wording, values)`: `wording` with its placeholders (`{{ planned }}`) filled in, in
/// their order, by `values`.
fn fill(wording: &str, values: Vec<minijinja::Value>) -> String {
    let mut values = values.into_iter().map(|v| match v.as_str() {
        Some(s) => s.to_string(),
        None if v.is_none() || v.is_undefined() => String::new(),
        None => v.to_string(),
    });
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

/// An element being read: what it holds so far. Each is made once and moved into its parent
/// when it closes, so the size of a paragraph does not matter.
#[allow(clippy::large_enum_variant)]
enum Open {
    Word,
    Section(Section),
    P(Paragraph),
    R(Run, String),
    /// Its rows, its columns' widths and its width.
    Table(Vec<TableRow>, Vec<usize>, usize),
    /// Whether it keeps together on a page, and its cells.
    Tr(bool, Vec<TableCell>),
    Td(TableCell),
    Answer(StructuredDataTag),
}

/// The markup's blocks, or what is wrong with it and on which line.
fn read(markup: &str) -> Result<Drawn, String> {
    let mut reader = quick_xml::Reader::from_str(markup);
    let mut stack: Vec<Open> = Vec::new();
    let mut drawn = Drawn {
        sections: Vec::new(),
        headers: Vec::new(),
    };
    let mut header = false;
    loop {
        let at = reader.buffer_position() as usize;
        let line = || 1 + markup[..at.min(markup.len())].matches('\n').count();
        let wrong = |e: String| format!("{e}, on line {} of the markup it wrote", line());
        match reader.read_event().map_err(|e| wrong(e.to_string()))? {
            Event::Start(e) => {
                let open = open(&e, &stack).map_err(wrong)?;
                if let (Open::Tr(..), Some(h)) = (&open, attr(&e, "header").map_err(wrong)?) {
                    header = h == "1";
                }
                stack.push(open);
            }
            Event::Empty(e) => {
                let open = open(&e, &stack).map_err(wrong)?;
                close(open, &mut stack, &mut drawn, &mut header).map_err(wrong)?;
            }
            Event::End(_) => {
                let open = stack
                    .pop()
                    .ok_or_else(|| wrong("an end without a start".into()))?;
                close(open, &mut stack, &mut drawn, &mut header).map_err(wrong)?;
            }
            Event::Text(t) => {
                let text = t.decode().map_err(|e| wrong(e.to_string()))?;
                let text = quick_xml::escape::unescape(&text).map_err(|e| wrong(e.to_string()))?;
                match stack.last_mut() {
                    Some(Open::R(_, written)) => written.push_str(&text),
                    _ if text.trim().is_empty() => {}
                    _ => return Err(wrong(format!("text outside a run: \"{}\"", text.trim()))),
                }
            }
            Event::GeneralRef(r) => {
                let name = r.decode().map_err(|e| wrong(e.to_string()))?;
                let entity = format!("&{name};");
                let text =
                    quick_xml::escape::unescape(&entity).map_err(|e| wrong(e.to_string()))?;
                match stack.last_mut() {
                    Some(Open::R(_, written)) => written.push_str(&text),
                    _ => return Err(wrong("a character outside a run".into())),
                }
            }
            Event::Eof => break,
            Event::Comment(_) => {}
            _ => return Err(wrong("markup other than elements and text".into())),
        }
    }
    if !stack.is_empty() {
        return Err("it ends inside an element".into());
    }
    if drawn.sections.is_empty() {
        return Err("it draws no section".into());
    }
    Ok(drawn)
}

/// The value of the attribute `name` of `e`, unescaped.
fn attr(e: &BytesStart, name: &str) -> Result<Option<String>, String> {
    for a in e.attributes() {
        let a = a.map_err(|e| e.to_string())?;
        if a.key.as_ref() == name.as_bytes() {
            let value = a.unescape_value().map_err(|e| e.to_string())?;
            return Ok(Some(value.into_owned()));
        }
    }
    Ok(None)
}

/// A number attribute of `e`, within `most`.
fn number(e: &BytesStart, name: &str, most: usize) -> Result<Option<usize>, String> {
    match attr(e, name)? {
        None => Ok(None),
        Some(v) => match v.trim().parse::<usize>() {
            Ok(n) if n <= most => Ok(Some(n)),
            _ => Err(format!("`{name}=\"{v}\"` is not a number up to {most}")),
        },
    }
}

/// A colour attribute: six hexadecimal digits.
fn colour(e: &BytesStart, name: &str) -> Result<Option<String>, String> {
    match attr(e, name)? {
        Some(c) if c.len() == 6 && c.chars().all(|c| c.is_ascii_hexdigit()) => Ok(Some(c)),
        Some(c) => Err(format!("`{name}=\"{c}\"` is not a colour (six hex digits)")),
        None => Ok(None),
    }
}

/// The element `e` opened where `stack` stands, its attributes read.
fn open(e: &BytesStart, stack: &[Open]) -> Result<Open, String> {
    let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
    let parent = stack.last();
    let allowed = matches!(
        (name.as_str(), parent),
        ("word", None)
            | ("section", Some(Open::Word))
            | ("p", Some(Open::Section(_) | Open::Td(_) | Open::Answer(_)))
            | ("r", Some(Open::P(_)))
            | ("table", Some(Open::Section(_)))
            | ("tr", Some(Open::Table(..)))
            | ("td", Some(Open::Tr(..)))
            | ("answer", Some(Open::Td(_)))
    );
    if !allowed {
        let known = ["word", "section", "p", "r", "table", "tr", "td", "answer"];
        return Err(match known.contains(&name.as_str()) {
            true => format!("<{name}> does not go there"),
            false => format!("<{name}> is not an element of a Word layout"),
        });
    }
    const MOST: usize = 32_000;
    Ok(match name.as_str() {
        "word" => Open::Word,
        "section" => Open::Section(Section {
            landscape: match attr(e, "page")?.as_deref() {
                None | Some("portrait") => false,
                Some("landscape") => true,
                Some(other) => return Err(format!("`page=\"{other}\"`: portrait or landscape")),
            },
            blocks: Vec::new(),
        }),
        "p" => {
            let mut p = Paragraph::new();
            if attr(e, "align")?.as_deref() == Some("center") {
                p = p.align(AlignmentType::Center);
            }
            if attr(e, "keep")?.as_deref() == Some("next") {
                p = p.keep_next(true);
            }
            if let Some(left) = number(e, "indent", MOST)? {
                p = p.indent(Some(left as i32), None, None, None);
            }
            if let Some(level) = number(e, "outline", 8)? {
                p = p.outline_lvl(level);
            }
            if let Some(size) = number(e, "size", 400)? {
                p = p.size(size);
            }
            Open::P(p)
        }
        "r" => {
            let mut r = Run::new();
            if let Some(size) = number(e, "size", 400)? {
                r = r.size(size);
            }
            if attr(e, "bold")?.is_some() {
                r = r.bold();
            }
            if attr(e, "italic")?.is_some() {
                r = r.italic();
            }
            if let Some(c) = colour(e, "color")? {
                r = r.color(c);
            }
            Open::R(r, String::new())
        }
        "table" => {
            let widths: Vec<usize> = attr(e, "widths")?
                .unwrap_or_default()
                .split_whitespace()
                .map(|w| w.parse::<usize>().ok().filter(|w| *w <= MOST))
                .collect::<Option<_>>()
                .filter(|w: &Vec<usize>| !w.is_empty() && w.len() <= 64)
                .ok_or("a table's `widths` are its columns' widths, at most 64")?;
            let width = number(e, "width", MOST)?.unwrap_or(widths.iter().sum());
            Open::Table(Vec::new(), widths, width)
        }
        "tr" => Open::Tr(attr(e, "keep")?.as_deref() == Some("together"), Vec::new()),
        "td" => {
            let mut cell = TableCell::new();
            if let Some(w) = number(e, "width", MOST)? {
                cell = cell.width(w, WidthType::Dxa);
            }
            if let Some(span) = number(e, "span", 64)?.filter(|s| *s > 1) {
                cell = cell.grid_span(span);
            }
            if let Some(fill) = colour(e, "shade")? {
                cell = cell.shading(Shading::new().fill(fill));
            }
            cell = match attr(e, "merge")?.as_deref() {
                None => cell,
                Some("restart") => cell.vertical_merge(VMergeType::Restart),
                Some("continue") => cell.vertical_merge(VMergeType::Continue),
                Some(other) => return Err(format!("`merge=\"{other}\"`: restart or continue")),
            };
            if let Some(c) = colour(e, "border")? {
                use TableCellBorderPosition as At;
                for at in [At::Top, At::Left, At::Bottom, At::Right] {
                    cell = cell.set_border(TableCellBorder::new(at).size(12).color(c.clone()));
                }
            }
            Open::Td(cell)
        }
        _ => {
            let path = attr(e, "path")?.ok_or("an answer names its field: `path`")?;
            Open::Answer(StructuredDataTag::new().alias(path))
        }
    })
}

/// `open`, now complete, put into its parent on `stack` (or into `drawn`).
fn close(
    open: Open,
    stack: &mut [Open],
    drawn: &mut Drawn,
    header: &mut bool,
) -> Result<(), String> {
    match (open, stack.last_mut()) {
        (Open::Word, None) => {}
        (Open::Section(s), Some(Open::Word)) => drawn.sections.push(s),
        (Open::P(p), Some(Open::Section(s))) => s.blocks.push(Block::P(p)),
        (Open::P(p), Some(Open::Td(cell))) => {
            *cell = std::mem::take(cell).add_paragraph(p);
        }
        (Open::P(p), Some(Open::Answer(tag))) => {
            *tag = std::mem::take(tag).add_paragraph(p);
        }
        (Open::R(r, text), Some(Open::P(p))) => {
            if *header {
                drawn
                    .headers
                    .extend(Some(text.clone()).filter(|t| !t.is_empty()));
                *header = false;
            }
            *p = std::mem::take(p).add_run(r.add_text(text));
        }
        (Open::Table(rows, widths, width), Some(Open::Section(s))) => {
            let table = Table::new(rows).set_grid(widths);
            s.blocks.push(Block::T(table.width(width, WidthType::Dxa)));
        }
        (Open::Tr(keep, cells), Some(Open::Table(rows, ..))) => {
            let row = TableRow::new(cells);
            rows.push(if keep { row.cant_split() } else { row });
        }
        (Open::Td(cell), Some(Open::Tr(_, cells))) => cells.push(cell),
        (Open::Answer(tag), Some(Open::Td(cell))) => {
            *cell = std::mem::take(cell).add_structured_data_tag(tag);
        }
        _ => return Err("an element closed out of place".into()),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drawn(template: &str) -> Result<Drawn, String> {
        draw(
            "t.xml.j2",
            template,
            &serde_json::json!({"x": "a < b & \"c\" #1 {{ y }}"}),
        )
    }

    #[test]
    fn text_is_data_and_markup_is_only_the_layouts() {
        let d = drawn("<word><section><p><r>{{ x }}</r></p></section></word>").unwrap();
        assert_eq!(d.sections.len(), 1);
        let Block::P(p) = &d.sections[0].blocks[0] else {
            panic!()
        };
        let xml = String::from_utf8(docx_rs::BuildXML::build(p)).unwrap();
        assert!(
            xml.contains("a &lt; b &amp; &quot;c&quot; #1 {{ y }}"),
            "{xml}"
        );
    }

    #[test]
    fn markup_outside_the_layouts_elements_is_refused_with_its_line() {
        for (template, expected) in [
            (
                "<word><section>\n<w:fldSimple/></section></word>",
                "<w:fldSimple> is not an element",
            ),
            (
                "<word><section><r>x</r></section></word>",
                "<r> does not go there",
            ),
            (
                "<word><section>\n\n<p>loose</p></section></word>",
                "text outside a run: \"loose\", on line 3",
            ),
            (
                "<word><section><table widths=\"\"/></section></word>",
                "a table's `widths`",
            ),
            (
                "<word><section><p><r color=\"red\">x</r></p></section></word>",
                "not a colour",
            ),
            ("<word></word>", "it draws no section"),
            ("<word><section>", "ends inside an element"),
            (
                "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
                "fuel",
            ),
        ] {
            let e = drawn(template).err().unwrap_or_default();
            assert!(e.contains(expected), "{template}: {e}");
            assert!(e.starts_with("t.xml.j2"), "{e}");
        }
    }

    #[test]
    fn fill_takes_placeholders_in_order() {
        let values = vec!["1".into(), minijinja::Value::from(())];
        assert_eq!(fill("a {{ x }} b {{y}} c {{ z }}", values), "a 1 b  c ");
    }
}
