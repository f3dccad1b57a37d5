//! A form's Word layout (`templates/<form>/word.xml.j2`): a minijinja template that reads the
//! same data as the typst layout and writes a small markup of sections, paragraphs, runs, tables
//! and answers, which this module turns into docx-rs's blocks. The template's text is escaped as
//! it is printed, and only the elements below exist: a layout can place the report's words, never
//! write Word's XML itself (no field codes, links or embedded objects).
//!
//! ```text
//! <word author="Awa Traoré (PNUD)">                the document's author (else the project)
//!   <section page="portrait|landscape">          the last one is the document's own
//!     <p align="center" keep="next" indent="340" outline="0" size="20">
//!       <r bold="1" italic="1" size="16" color="B00000">text, as written</r>
//!     </p>
//!     <table widths="4819 4819" width="9638">     width: the sum of widths when left out
//!       <tr keep="together" header="1">            header: repeated on each page
//!         <td width="4819" span="2" shade="EDEDED" merge="restart|continue" border="B00000">
//!           <p>…</p>  <answer path="progress.status" size="20"/>
//! ```
//!
//! Sizes are in half-points, widths and indents in twentieths of a point. An `answer` is the
//! report's answer at the field's path, drawn by the program as `import` reads it back: a
//! content control named by the path, each field placed once.

use docx_rs::{
    AlignmentType, Paragraph, Run, Shading, StructuredDataTag, Table, TableCell, TableCellBorder,
    TableCellBorderPosition, TableRow, VMergeType, WidthType,
};
use quick_xml::events::{BytesStart, Event};

/// The most instructions a Word layout may run: the 2019 form's runs 20,000 to 30,000 for the
/// shipped example, a few times that for a report with every list full.
const FUEL: u64 = 2_000_000;

/// The stack a layout runs on: a value nested as deep as its fuel allows is dropped on it.
const STACK: usize = 256 << 20;

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
    /// The document's author, when the layout names one.
    pub author: Option<String>,
}

/// The answer a reviewer may edit at a field's path, drawn at a size: the report's own
/// paragraphs in a content control named by the path; `None` for a path that names no such
/// answer.
pub type Answers<'a> = &'a dyn Fn(&str, usize) -> Option<StructuredDataTag>;

/// Runs the layout `template` (the file `name`) on `data` and reads the markup it writes,
/// drawing each answer it places with `answers`.
pub fn draw(
    name: &str,
    template: &[u8],
    data: &serde_json::Value,
    answers: Answers,
) -> Result<Drawn, String> {
    let template = std::str::from_utf8(template)
        .map_err(|e| format!("{name}: not UTF-8 text (at byte {})", e.valid_up_to()))?;
    // A value nested deep is dropped by recursion: on a stack of its own, that has room.
    let markup = std::thread::scope(|scope| {
        std::thread::Builder::new()
            .stack_size(STACK)
            .spawn_scoped(scope, || render(name, template, data))
            .map_err(|e| format!("{name}: {e}"))?
            .join()
            .map_err(|_| format!("{name}: the layout could not be run"))?
    })?;
    read(&markup, answers).map_err(|e| format!("{name}: {e}"))
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
/// their order, by `values`; a value's own braces stay as written.
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
    /// The cell, and whether it holds anything yet.
    Td(TableCell, bool),
    Answer(StructuredDataTag),
}

/// The attributes each element takes.
const ATTRIBUTES: &[(&str, &[&str])] = &[
    ("word", &["author"]),
    ("section", &["page"]),
    ("p", &["align", "keep", "indent", "outline", "size"]),
    ("r", &["bold", "italic", "size", "color"]),
    ("table", &["widths", "width"]),
    ("tr", &["keep", "header"]),
    ("td", &["width", "span", "shade", "merge", "border"]),
    ("answer", &["path", "size"]),
];

/// What is read so far.
struct Reading<'a> {
    stack: Vec<Open>,
    drawn: Drawn,
    /// The row being read repeats on each page.
    header: bool,
    /// The document's element was read.
    rooted: bool,
    /// The answers placed, by path: each once.
    placed: std::collections::HashSet<String>,
    answers: Answers<'a>,
}

/// The markup's blocks, or what is wrong with it and on which line.
fn read(markup: &str, answers: Answers) -> Result<Drawn, String> {
    let mut reader = quick_xml::Reader::from_str(markup);
    let mut r = Reading {
        stack: Vec::new(),
        drawn: Drawn {
            sections: Vec::new(),
            headers: Vec::new(),
            author: None,
        },
        header: false,
        rooted: false,
        placed: Default::default(),
        answers,
    };
    loop {
        let at = reader.buffer_position() as usize;
        let line = || 1 + markup[..at.min(markup.len())].matches('\n').count();
        let wrong = |e: String| format!("{e}, on line {} of the markup it wrote", line());
        match reader.read_event().map_err(|e| wrong(e.to_string()))? {
            Event::Start(e) => {
                let open = r.open(&e).map_err(wrong)?;
                if matches!(open, Open::Answer(_)) {
                    return Err(wrong(
                        "an <answer> holds nothing: the report's answer is drawn in it \
                         (<answer path=\"…\" size=\"…\"/>)"
                            .into(),
                    ));
                }
                r.stack.push(open);
            }
            Event::Empty(e) => {
                let open = r.open(&e).map_err(wrong)?;
                r.close(open).map_err(wrong)?;
            }
            Event::End(_) => {
                let open = r
                    .stack
                    .pop()
                    .ok_or_else(|| wrong("an end without a start".into()))?;
                r.close(open).map_err(wrong)?;
            }
            Event::Text(t) => {
                let text = t.decode().map_err(|e| wrong(e.to_string()))?;
                let text = quick_xml::escape::unescape(&text).map_err(|e| wrong(e.to_string()))?;
                r.text(&text).map_err(wrong)?;
            }
            Event::GeneralRef(g) => {
                let name = g.decode().map_err(|e| wrong(e.to_string()))?;
                let entity = format!("&{name};");
                let text =
                    quick_xml::escape::unescape(&entity).map_err(|e| wrong(e.to_string()))?;
                r.text(&text).map_err(wrong)?;
            }
            Event::Eof => break,
            Event::Comment(_) => {}
            _ => return Err(wrong("markup other than elements and text".into())),
        }
    }
    if !r.stack.is_empty() {
        return Err("it ends inside an element".into());
    }
    if r.drawn.sections.is_empty() {
        return Err("it draws no section".into());
    }
    Ok(r.drawn)
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

/// A number attribute of `e`, up to `most`.
fn number(e: &BytesStart, name: &str, most: usize) -> Result<Option<usize>, String> {
    match attr(e, name)? {
        None => Ok(None),
        Some(v) => match v.trim().parse::<usize>() {
            Ok(n) if n <= most => Ok(Some(n)),
            _ => Err(format!(
                "`{name}=\"{}\"` is not a number up to {most}",
                crate::terminal::line(&v)
            )),
        },
    }
}

/// A size in half-points: 1 to 400 (200 pt).
fn size(e: &BytesStart) -> Result<Option<usize>, String> {
    match number(e, "size", 400)? {
        Some(0) => Err("`size=\"0\"`: a size is 1 to 400 half-points".into()),
        size => Ok(size),
    }
}

/// A colour attribute: six hexadecimal digits.
fn colour(e: &BytesStart, name: &str) -> Result<Option<String>, String> {
    match attr(e, name)? {
        Some(c) if c.len() == 6 && c.chars().all(|c| c.is_ascii_hexdigit()) => Ok(Some(c)),
        Some(c) => Err(format!(
            "`{name}=\"{}\"` is not a colour (six hex digits)",
            crate::terminal::line(&c)
        )),
        None => Ok(None),
    }
}

/// An attribute that takes one of `values`.
fn one_of<'v>(e: &BytesStart, name: &str, values: &[&'v str]) -> Result<Option<&'v str>, String> {
    match attr(e, name)? {
        None => Ok(None),
        Some(v) => match values.iter().find(|x| **x == v) {
            Some(x) => Ok(Some(x)),
            None => Err(format!(
                "`{name}=\"{}\"`: {}",
                crate::terminal::line(&v),
                values.join(" or ")
            )),
        },
    }
}

/// Whether an attribute is set (`bold="1"`).
fn flag(e: &BytesStart, name: &str) -> Result<bool, String> {
    Ok(one_of(e, name, &["1"])?.is_some())
}

impl Reading<'_> {
    /// The element `e`, its place and attributes checked.
    fn open(&mut self, e: &BytesStart) -> Result<Open, String> {
        let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
        let known = ATTRIBUTES.iter().find(|(n, _)| *n == name);
        let Some((_, takes)) = known else {
            return Err(format!(
                "<{}> is not an element of a Word layout",
                crate::terminal::line(&name)
            ));
        };
        let allowed = matches!(
            (name.as_str(), self.stack.last()),
            ("word", None)
                | ("section", Some(Open::Word))
                | ("p", Some(Open::Section(_) | Open::Td(..)))
                | ("r", Some(Open::P(_)))
                | ("table", Some(Open::Section(_)))
                | ("tr", Some(Open::Table(..)))
                | ("td", Some(Open::Tr(..)))
                | ("answer", Some(Open::Td(..)))
        );
        if !allowed || (name == "word" && self.rooted) {
            return Err(format!("<{name}> does not go there"));
        }
        for a in e.attributes() {
            let a = a.map_err(|e| e.to_string())?;
            let key = String::from_utf8_lossy(a.key.as_ref()).into_owned();
            if !takes.contains(&key.as_str()) {
                return Err(format!(
                    "`{}` is not an attribute of <{name}>",
                    crate::terminal::line(&key)
                ));
            }
        }
        const MOST: usize = 32_000;
        Ok(match name.as_str() {
            "word" => {
                self.rooted = true;
                if let Some(author) = attr(e, "author")? {
                    writable(&author)?;
                    self.drawn.author = Some(crate::check::syntax::cut(author.trim(), 200));
                }
                Open::Word
            }
            "section" => Open::Section(Section {
                landscape: one_of(e, "page", &["portrait", "landscape"])? == Some("landscape"),
                blocks: Vec::new(),
            }),
            "p" => {
                let mut p = Paragraph::new();
                p = match one_of(e, "align", &["left", "center", "right", "justify"])? {
                    Some("center") => p.align(AlignmentType::Center),
                    Some("right") => p.align(AlignmentType::Right),
                    Some("justify") => p.align(AlignmentType::Both),
                    Some(_) => p.align(AlignmentType::Left),
                    None => p,
                };
                if one_of(e, "keep", &["next"])?.is_some() {
                    p = p.keep_next(true);
                }
                if let Some(left) = number(e, "indent", MOST)? {
                    p = p.indent(Some(left as i32), None, None, None);
                }
                if let Some(level) = number(e, "outline", 8)? {
                    p = p.outline_lvl(level);
                }
                if let Some(size) = size(e)? {
                    p = p.size(size);
                }
                Open::P(p)
            }
            "r" => {
                let mut r = Run::new();
                if let Some(size) = size(e)? {
                    r = r.size(size);
                }
                if flag(e, "bold")? {
                    r = r.bold();
                }
                if flag(e, "italic")? {
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
                    .ok_or(
                        "a table's `widths` are its columns' widths, 1 to 64 numbers up to 32000",
                    )?;
                let width = number(e, "width", MOST)?.unwrap_or(widths.iter().sum());
                Open::Table(Vec::new(), widths, width)
            }
            "tr" => {
                self.header = flag(e, "header")?;
                Open::Tr(one_of(e, "keep", &["together"])?.is_some(), Vec::new())
            }
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
                cell = match one_of(e, "merge", &["restart", "continue"])? {
                    None => cell,
                    Some("restart") => cell.vertical_merge(VMergeType::Restart),
                    Some(_) => cell.vertical_merge(VMergeType::Continue),
                };
                if let Some(c) = colour(e, "border")? {
                    use TableCellBorderPosition as At;
                    for at in [At::Top, At::Left, At::Bottom, At::Right] {
                        cell = cell.set_border(TableCellBorder::new(at).size(12).color(c.clone()));
                    }
                }
                Open::Td(cell, false)
            }
            _ => {
                let path = attr(e, "path")?.ok_or("an answer names its field: `path`")?;
                let size = size(e)?.unwrap_or(20);
                let tag = (self.answers)(&path, size).ok_or_else(|| {
                    format!(
                        "`path=\"{}\"` names no text of the form that a reviewer may edit",
                        crate::terminal::line(&path)
                    )
                })?;
                if !self.placed.insert(path.clone()) {
                    return Err(format!(
                        "the answer `{}` is placed twice: a reviewer's edit could not be told apart",
                        crate::terminal::line(&path)
                    ));
                }
                Open::Answer(tag)
            }
        })
    }

    /// Text of the markup: a run's, or the white space between elements.
    fn text(&mut self, text: &str) -> Result<(), String> {
        match self.stack.last_mut() {
            Some(Open::R(_, written)) => {
                writable(text)?;
                written.push_str(text);
                Ok(())
            }
            _ if text.trim().is_empty() => Ok(()),
            _ => Err(format!(
                "text outside a run: \"{}\"",
                crate::check::syntax::cut(text.trim(), 40)
            )),
        }
    }

    /// `open`, now complete, put into its parent on the stack (or into what is drawn).
    fn close(&mut self, open: Open) -> Result<(), String> {
        match (open, self.stack.last_mut()) {
            (Open::Word, None) => {}
            (Open::Section(s), Some(Open::Word)) => self.drawn.sections.push(s),
            (Open::P(p), Some(Open::Section(s))) => s.blocks.push(Block::P(p)),
            (Open::P(p), Some(Open::Td(cell, filled))) => {
                *cell = std::mem::take(cell).add_paragraph(p);
                *filled = true;
            }
            (Open::R(r, text), Some(Open::P(p))) => {
                if self.header && !text.is_empty() {
                    self.drawn.headers.push(text.clone());
                    self.header = false;
                }
                *p = std::mem::take(p).add_run(r.add_text(text));
            }
            (Open::Table(rows, widths, width), Some(Open::Section(s))) => {
                if rows.is_empty() {
                    return Err("a table without a row".into());
                }
                let table = Table::new(rows).set_grid(widths);
                s.blocks.push(Block::T(table.width(width, WidthType::Dxa)));
            }
            (Open::Tr(keep, cells), Some(Open::Table(rows, ..))) => {
                if cells.is_empty() {
                    return Err("a row without a cell".into());
                }
                let row = TableRow::new(cells);
                rows.push(if keep { row.cant_split() } else { row });
            }
            (Open::Td(cell, filled), Some(Open::Tr(_, cells))) => {
                if !filled {
                    return Err("a cell holds a paragraph at least (<p/>)".into());
                }
                cells.push(cell);
            }
            (Open::Answer(tag), Some(Open::Td(cell, filled))) => {
                *cell = std::mem::take(cell).add_structured_data_tag(tag);
                *filled = true;
            }
            _ => return Err("an element closed out of place".into()),
        }
        Ok(())
    }
}

/// Refuses a character a Word document cannot hold.
fn writable(text: &str) -> Result<(), String> {
    match text.chars().find(|c| {
        (c.is_control() && !matches!(c, '\t' | '\n')) || matches!(*c as u32, 0xFFFE | 0xFFFF)
    }) {
        Some(c) => Err(format!(
            "the character U+{:04X}, which a Word document cannot hold",
            c as u32
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drawn(template: &str) -> Result<Drawn, String> {
        let data = serde_json::json!({"x": "a < b & \"c\" #1 {{ y }}"});
        let answers = |path: &str, _size: usize| {
            (path == "progress.status").then(|| StructuredDataTag::new().alias(path))
        };
        draw("t.xml.j2", template.as_bytes(), &data, &answers)
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
        let answer = |inner: &str| {
            format!(
                "<word><section><table widths=\"10\"><tr><td>{inner}</td></tr></table></section></word>"
            )
        };
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
            (
                "<word><section><p align=\"evil\"/></section></word>",
                "`align=\"evil\"`",
            ),
            (
                "<word><section><p onclick=\"x\"/></section></word>",
                "`onclick` is not an attribute of <p>",
            ),
            (
                "<word><section><p><r>a\u{1}b</r></p></section></word>",
                "U+0001",
            ),
            (
                "<word><section><p><r>&#x1;</r></p></section></word>",
                "U+0001",
            ),
            (
                "<word><section/></word><word><section/></word>",
                "<word> does not go there",
            ),
            (
                "<word><section><table widths=\"10\"></table></section></word>",
                "a table without a row",
            ),
            ("<word></word>", "it draws no section"),
            (
                "<word><section><p><r color=\"&#27;[2J&#10;built\">x</r></p></section></word>",
                "\\u{1b}[2J\\nbuilt",
            ),
            (
                "<word><section><p size=\"0\"/></section></word>",
                "a size is 1 to 400",
            ),
            ("<word><section>", "ends inside an element"),
            (
                &answer("<answer path=\"x&quot; /&gt;&lt;w:fldSimple/&gt;\"/>"),
                "names no text of the form",
            ),
            (
                &answer("<answer path=\"progress.status\"/><answer path=\"progress.status\"/>"),
                "placed twice",
            ),
            (
                &answer("<answer path=\"progress.status\"><p/></answer>"),
                "an <answer> holds nothing",
            ),
            (
                "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
                "fuel",
            ),
        ] {
            let e = drawn(template).err().unwrap_or_default();
            assert!(e.contains(expected), "{template}: {e}");
            assert!(e.starts_with("t.xml.j2"), "{e}");
        }
        let bytes = b"<word>\xe9</word>";
        let e = draw("t.xml.j2", bytes, &serde_json::Value::Null, &|_, _| None).err();
        assert!(e.unwrap_or_default().contains("not UTF-8"));
    }

    /// A value nested as deep as the fuel allows is dropped without running out of stack.
    #[test]
    fn a_deeply_nested_value_is_refused_or_drawn_never_a_crash() {
        let deep = "{% set ns = namespace(l=[]) %}{% for i in range(100000) %}{% set ns.l = [ns.l] %}{% endfor %}<word><section/></word>";
        let _ = drawn(deep);
    }

    #[test]
    fn fill_takes_placeholders_in_order() {
        let values = vec!["1 {{ y }}".into(), minijinja::Value::from(())];
        assert_eq!(
            fill("a {{ x }} b {{y}} c {{ z }}", values),
            "a 1 {{ y }} b  c "
        );
    }
}
