//! A PDF's text as its writer typed it. Each glyph is placed as the page draws it (the content
//! stream's text and graphics matrices, each font's sizes and widths), glyphs on one baseline
//! make a line, and the page's furniture is set aside: running headers and footers, page
//! numbers, footnotes and the marks that call them. Lines are then joined back where the word
//! processor wrapped them: a line ends its paragraph only when the next line's first word would
//! have fitted on it, so an answer continues across a page's end, and a line that starts a
//! bullet or a new paragraph stays its own. A line indented to a tab stop, or a table's next
//! cell on the same baseline, starts with a tab, as a word processor writes a table as text.

use std::collections::{BTreeMap, HashMap, HashSet};

use lopdf::content::Content;
use lopdf::{Dictionary, Document, Encoding, Object};

/// The most glyphs read from all pages: a report of a hundred pages has some 350,000.
const MAX_GLYPHS: usize = 1 << 19;
/// The most bytes any page's content or font map may inflate to.
const MAX_STREAM: usize = 16 << 20;
/// The most operators and operands parsed from one page, and from all: a page of a report has
/// some thousands.
const MAX_PAGE_TOKENS: usize = 1 << 18;
const MAX_TOKENS: usize = 1 << 20;

/// The most bytes of content streams inflated for all pages: a report's are a few MiB.
const MAX_CONTENT: usize = 64 << 20;

/// What is left to read of a document: its glyphs, its content streams' tokens and bytes.
struct Budget {
    glyphs: usize,
    tokens: usize,
    bytes: usize,
}

/// The most lines read from all pages: a report of three hundred pages has some fifteen
/// thousand.
const MAX_LINES: usize = 1 << 16;

/// The most fonts a document's pages may set: a report uses a handful.
const MAX_FONTS: usize = 256;

/// The symbols word processors draw bullets with.
const BULLETS: [&str; 18] = [
    "•", "◦", "▪", "■", "●", "○", "‣", "➢", "►", "▸", "◆", "❖", "✓", "✔", "–", "·", "o", "\u{f0b7}",
];
/// The most columns a table is read with.
const MAX_COLUMNS: usize = 32;
/// A word processor's default tab stop (1.25 cm), in points.
const TAB: f32 = 35.4;

/// One glyph where the page draws it: its text, its left and right ends and baseline (in
/// points, y upwards), and the size its font is drawn at.
#[derive(Clone, Debug)]
struct Glyph {
    text: String,
    x0: f32,
    x1: f32,
    y: f32,
    size: f32,
}

/// The glyphs of one baseline, left to right, and their text once they are settled.
#[derive(Clone, Debug)]
struct Line {
    glyphs: Vec<Glyph>,
    y: f32,
    size: f32,
    shown: String,
}

impl Line {
    /// The line's text, as its glyphs were when last settled.
    fn text(&self) -> &str {
        &self.shown
    }

    /// Sets the line's text from its glyphs, read many times after.
    fn settle(&mut self) {
        self.shown = self.compose();
    }

    fn x0(&self) -> f32 {
        self.glyphs.first().map_or(0.0, |g| g.x0)
    }

    /// Where the line's last visible glyph ends.
    fn x1(&self) -> f32 {
        let visible = self.glyphs.iter().rev().find(|g| !g.text.trim().is_empty());
        visible.map_or(self.x0(), |g| g.x1)
    }

    /// How wide a space is in the line's font.
    fn space(&self) -> f32 {
        let space = self.glyphs.iter().find(|g| g.text == " ");
        space.map_or(0.25 * self.size, |g| g.x1 - g.x0)
    }

    /// The width of the line's first word.
    fn first_word(&self) -> f32 {
        let mut glyphs = self.glyphs.iter().skip_while(|g| g.text.trim().is_empty());
        let Some(first) = glyphs.next() else {
            return 0.0;
        };
        let mut end = first.x1;
        for g in glyphs {
            if g.text.trim().is_empty() || g.x0 - end > 0.1 * g.size {
                break;
            }
            end = g.x1;
        }
        end - first.x0
    }

    /// Where the line's text starts after a leading bullet (a hanging indent's): a symbol, or a
    /// bullet drawn as a letter (Word's `o`) with a gap after it.
    fn hang(&self) -> Option<f32> {
        let first = self.glyphs.first()?;
        let next = self
            .glyphs
            .iter()
            .skip(1)
            .find(|g| !g.text.trim().is_empty())?;
        let symbol = first
            .text
            .chars()
            .all(|c| !c.is_alphanumeric() && !c.is_whitespace());
        let lettered =
            BULLETS.contains(&first.text.as_str()) && next.x0 - first.x1 > 0.5 * self.size;
        (symbol || lettered).then_some(next.x0)
    }

    /// Whether the line starts with a bullet drawn as a symbol: one a word processor draws
    /// lists with, set apart from the text by more than a space (a dash in a sentence is not).
    fn bullet(&self) -> bool {
        match (self.glyphs.first(), self.glyphs.get(1)) {
            (Some(first), Some(next)) => {
                let apart = !next.text.trim().is_empty() && next.x0 - first.x1 > 0.3 * self.size;
                BULLETS.contains(&first.text.as_str()) && apart
            }
            _ => false,
        }
    }

    /// The line's text: a space where glyphs stand apart (a line is cut where they stand as far
    /// apart as a table's columns); a bullet drawn as a symbol is written `-`, as a source
    /// writes a list's item.
    fn compose(&self) -> String {
        let mut out = String::new();
        let mut end: Option<f32> = None;
        for (i, g) in self.glyphs.iter().enumerate() {
            if i == 0 && self.bullet() {
                out.push('-');
                end = Some(g.x1);
                continue;
            }
            if g.text.is_empty() {
                end = Some(g.x1);
                continue;
            }
            if let Some(end) = end {
                let gap = g.x0 - end;
                let spaced = out.ends_with(' ') || g.text.starts_with(' ');
                if gap > 0.15 * self.size && !spaced {
                    out.push(' ');
                }
            }
            out.push_str(&g.text);
            end = Some(g.x1);
        }
        out
    }
}

/// A PDF matrix `[a b c d e f]`: x' = a·x + c·y + e, y' = b·x + d·y + f.
#[derive(Clone, Copy)]
struct Matrix([f32; 6]);

impl Matrix {
    const ONE: Matrix = Matrix([1.0, 0.0, 0.0, 1.0, 0.0, 0.0]);

    fn of(operands: &[Object]) -> Option<Matrix> {
        let v: Vec<f32> = operands.iter().filter_map(|o| o.as_float().ok()).collect();
        (v.len() == 6).then(|| Matrix([v[0], v[1], v[2], v[3], v[4], v[5]]))
    }

    fn moved(x: f32, y: f32) -> Matrix {
        Matrix([1.0, 0.0, 0.0, 1.0, x, y])
    }

    /// `self` then `then`.
    fn then(self, then: Matrix) -> Matrix {
        let ([a, b, c, d, e, f], [a2, b2, c2, d2, e2, f2]) = (self.0, then.0);
        Matrix([
            a * a2 + b * c2,
            a * b2 + b * d2,
            c * a2 + d * c2,
            c * b2 + d * d2,
            e * a2 + f * c2 + e2,
            e * b2 + f * d2 + f2,
        ])
    }
}

/// The fonts a document's pages set, each read once however many pages share it.
#[derive(Default)]
struct Fonts<'a> {
    loaded: Vec<Font<'a>>,
    by_dict: HashMap<*const Dictionary, usize>,
}

impl<'a> Fonts<'a> {
    /// The place of the font `dict`, read when first set; none past the most a document may use.
    fn of(&mut self, doc: &'a Document, dict: &'a Dictionary) -> Option<usize> {
        let key = dict as *const Dictionary;
        if let Some(at) = self.by_dict.get(&key) {
            return Some(*at);
        }
        if self.loaded.len() >= MAX_FONTS {
            return None;
        }
        self.loaded.push(Font::of(doc, dict));
        self.by_dict.insert(key, self.loaded.len() - 1);
        Some(self.loaded.len() - 1)
    }
}

/// What the text of a font's codes is, and how wide each is (thousandths of its size).
struct Font<'a> {
    encoding: Option<Encoding<'a>>,
    two_bytes: bool,
    first: i64,
    widths: Vec<f32>,
    cids: HashMap<u32, f32>,
    default: f32,
}

impl<'a> Font<'a> {
    fn of(doc: &'a Document, dict: &'a Dictionary) -> Font<'a> {
        let number = |d: &Dictionary, key: &[u8]| d.get_deref(key, doc).ok()?.as_float().ok();
        let numbers = |o: &Object| -> Vec<f32> {
            let array = doc.dereference(o).ok().and_then(|(_, o)| o.as_array().ok());
            let array = array.map(|a| a.as_slice()).unwrap_or_default();
            let number = |o: &Object| doc.dereference(o).ok()?.1.as_float().ok();
            array.iter().filter_map(number).collect()
        };
        let two_bytes = dict.get(b"Subtype").and_then(Object::as_name).ok() == Some(b"Type0");
        let mut font = Font {
            encoding: dict.get_font_encoding_with_limit(doc, MAX_STREAM).ok(),
            two_bytes,
            first: number(dict, b"FirstChar").unwrap_or(0.0) as i64,
            widths: dict.get(b"Widths").map(numbers).unwrap_or_default(),
            cids: HashMap::new(),
            default: 500.0,
        };
        let descriptor = dict
            .get_deref(b"FontDescriptor", doc)
            .and_then(Object::as_dict);
        if let Some(missing) = descriptor.ok().and_then(|d| number(d, b"MissingWidth")) {
            font.default = missing;
        }
        let descendant = dict
            .get_deref(b"DescendantFonts", doc)
            .and_then(Object::as_array)
            .ok()
            .and_then(|a| doc.dereference(a.first()?).ok()?.1.as_dict().ok());
        if let Some(cid) = descendant {
            font.default = number(cid, b"DW").unwrap_or(1000.0);
            let w = cid.get_deref(b"W", doc).and_then(Object::as_array);
            font.cids = cid_widths(doc, w.map(|a| a.as_slice()).unwrap_or_default());
        }
        font
    }

    fn width(&self, code: u32) -> f32 {
        if self.two_bytes {
            return self.cids.get(&code).copied().unwrap_or(self.default);
        }
        let at = code as i64 - self.first;
        let given = usize::try_from(at).ok().and_then(|i| self.widths.get(i));
        given.copied().filter(|w| *w > 0.0).unwrap_or(self.default)
    }

    fn text(&self, code: &[u8]) -> String {
        match &self.encoding {
            Some(encoding) => encoding.bytes_to_string(code).unwrap_or_default(),
            None => String::from_utf8_lossy(code).into_owned(),
        }
    }
}

/// A CID font's `/W` array: `c [w1 w2 …]` gives codes from c on, `c1 c2 w` a range.
fn cid_widths(doc: &Document, w: &[Object]) -> HashMap<u32, f32> {
    let value = |o: &Object| doc.dereference(o).ok().map(|(_, o)| o.clone());
    let items: Vec<Object> = w.iter().filter_map(value).collect();
    let mut out = HashMap::new();
    let mut i = 0;
    while i + 1 < items.len() && out.len() < 1 << 16 {
        let Ok(first) = items[i].as_float() else {
            break;
        };
        match &items[i + 1] {
            Object::Array(ws) => {
                for (k, w) in ws.iter().enumerate() {
                    out.insert(first as u32 + k as u32, w.as_float().unwrap_or(0.0));
                }
                i += 2;
            }
            last => {
                let (Ok(last), Some(Ok(w))) =
                    (last.as_float(), items.get(i + 2).map(Object::as_float))
                else {
                    break;
                };
                for code in first as u32..=(last as u32).min(first as u32 + (1 << 16)) {
                    out.insert(code, w);
                }
                i += 3;
            }
        }
    }
    out
}

/// The text state a content stream sets, saved and restored with the graphics state.
#[derive(Clone)]
struct State {
    ctm: Matrix,
    /// The font set, as its place in the run's fonts.
    font: Option<usize>,
    size: f32,
    char_space: f32,
    word_space: f32,
    scale: f32,
    leading: f32,
    rise: f32,
}

/// The glyphs a page draws, where it draws them.
fn glyphs<'a>(
    doc: &'a Document,
    page: lopdf::ObjectId,
    fonts: &mut Fonts<'a>,
    budget: &mut Budget,
) -> Vec<Glyph> {
    if budget.glyphs == 0 || budget.bytes == 0 {
        return Vec::new();
    }
    let dicts = doc.get_page_fonts(page).unwrap_or_default();
    let Ok(bytes) = doc.get_page_content_with_limit(page, MAX_STREAM) else {
        return Vec::new();
    };
    budget.bytes = budget.bytes.saturating_sub(bytes.len());
    // Operators and operands, counted before they are parsed: each costs some hundred bytes
    // parsed, and a few bytes of a stream make millions.
    let most = MAX_PAGE_TOKENS.min(budget.tokens);
    let tokens = bytes
        .split(|b| b.is_ascii_whitespace())
        .filter(|t| !t.is_empty())
        .take(most + 1)
        .count();
    budget.tokens = budget.tokens.saturating_sub(tokens);
    if tokens > most || budget.bytes == 0 {
        return Vec::new();
    }
    let Ok(content) = Content::decode(&bytes) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut state = State {
        ctm: Matrix::ONE,
        font: None,
        size: 0.0,
        char_space: 0.0,
        word_space: 0.0,
        scale: 1.0,
        leading: 0.0,
        rise: 0.0,
    };
    let mut saved: Vec<State> = Vec::new();
    let (mut tm, mut tlm) = (Matrix::ONE, Matrix::ONE);
    for op in &content.operations {
        let args = &op.operands;
        let float = |i: usize| args.get(i).and_then(|o| o.as_float().ok()).unwrap_or(0.0);
        match op.operator.as_str() {
            "q" if saved.len() < 64 => saved.push(state.clone()),
            "Q" => state = saved.pop().unwrap_or(state),
            "cm" => {
                if let Some(m) = Matrix::of(args) {
                    state.ctm = m.then(state.ctm);
                }
            }
            "BT" => (tm, tlm) = (Matrix::ONE, Matrix::ONE),
            "Tf" => {
                let name = args.first().and_then(|o| o.as_name().ok());
                let dict = name.and_then(|n| dicts.get(n));
                state.font = dict.and_then(|d| fonts.of(doc, d));
                state.size = float(1);
            }
            "Tc" => state.char_space = float(0),
            "Tw" => state.word_space = float(0),
            "Tz" => state.scale = float(0) / 100.0,
            "TL" => state.leading = float(0),
            "Ts" => state.rise = float(0),
            "Td" | "TD" => {
                if op.operator == "TD" {
                    state.leading = -float(1);
                }
                tlm = Matrix::moved(float(0), float(1)).then(tlm);
                tm = tlm;
            }
            "Tm" => {
                if let Some(m) = Matrix::of(args) {
                    (tm, tlm) = (m, m);
                }
            }
            "T*" | "'" | "\"" => {
                if op.operator == "\"" {
                    (state.word_space, state.char_space) = (float(0), float(1));
                }
                tlm = Matrix::moved(0.0, -state.leading).then(tlm);
                tm = tlm;
                if op.operator != "T*" {
                    let shown = args.last().map(std::slice::from_ref).unwrap_or_default();
                    show(fonts, &state, &mut tm, shown, &mut out);
                }
            }
            "Tj" | "TJ" => show(fonts, &state, &mut tm, args, &mut out),
            _ => {}
        }
        if out.len() > budget.glyphs {
            break;
        }
    }
    budget.glyphs = budget.glyphs.saturating_sub(out.len());
    out
}

/// Draws the strings of `shown` (and a `TJ` array's moves) at `tm`, moving it on.
fn show(fonts: &Fonts, s: &State, tm: &mut Matrix, shown: &[Object], out: &mut Vec<Glyph>) {
    let Some(font) = s.font.map(|i| &fonts.loaded[i]) else {
        return;
    };
    for item in shown {
        match item {
            Object::Array(items) => show(fonts, s, tm, items, out),
            Object::String(bytes, _) => {
                let step = if font.two_bytes { 2 } else { 1 };
                for code in bytes.chunks(step) {
                    let number = code.iter().fold(0u32, |n, b| n << 8 | *b as u32);
                    let width = font.width(number) / 1000.0;
                    let at = Matrix([s.size * s.scale, 0.0, 0.0, s.size, 0.0, s.rise])
                        .then(*tm)
                        .then(s.ctm);
                    let [a, b, c, d, e, f] = at.0;
                    let drawn = width * a.hypot(b);
                    let text = font.text(code);
                    if !text.is_empty() {
                        out.push(Glyph {
                            text,
                            x0: e,
                            x1: e + drawn,
                            y: f,
                            size: c.hypot(d),
                        });
                    }
                    let word = if step == 1 && number == 32 {
                        s.word_space
                    } else {
                        0.0
                    };
                    let advance = (width * s.size + s.char_space + word) * s.scale;
                    *tm = Matrix::moved(advance, 0.0).then(*tm);
                }
            }
            other => {
                if let Ok(n) = other.as_float() {
                    *tm = Matrix::moved(-n / 1000.0 * s.size * s.scale, 0.0).then(*tm);
                }
            }
        }
    }
}

/// A page's glyphs in lines, in the order the page draws them (a word processor draws in
/// reading order: a table cell by cell, a column before the next): a glyph on the baseline of
/// the one before (within half its size: a raised footnote mark too), and to its right, is on
/// its line.
fn lines(mut glyphs: Vec<Glyph>) -> Vec<Line> {
    glyphs.retain(|g| g.size > 0.5 && g.x0.is_finite() && g.y.is_finite());
    let mut out: Vec<Line> = Vec::new();
    for g in glyphs {
        match out.last_mut() {
            Some(line)
                if (line.y - g.y).abs() < 0.5 * line.size.max(g.size)
                    && line
                        .glyphs
                        .last()
                        .is_some_and(|l| g.x0 > l.x1 - 0.5 * g.size) =>
            {
                line.size = line.size.max(g.size);
                line.glyphs.push(g);
            }
            _ => out.push(Line {
                y: g.y,
                size: g.size,
                glyphs: vec![g],
                shown: String::new(),
            }),
        }
    }
    for line in &mut out {
        line.glyphs.sort_by(|a, b| a.x0.total_cmp(&b.x0));
        // A glyph drawn twice over itself (a bold made by overprinting) is one.
        line.glyphs
            .dedup_by(|b, a| a.text == b.text && (a.x0 - b.x0).abs() < 0.1 * a.size);
        // The line's baseline and size are its body's: the most glyphs' size.
        let mut sizes: BTreeMap<i32, (usize, f32)> = BTreeMap::new();
        for g in &line.glyphs {
            let e = sizes.entry((g.size * 10.0) as i32).or_insert((0, g.y));
            e.0 += 1;
        }
        if let Some((size, (_, y))) = sizes.iter().max_by_key(|(_, (n, _))| *n) {
            (line.size, line.y) = (*size as f32 / 10.0, *y);
        }
    }
    // Each part's text is settled there.
    out.into_iter().flat_map(split_at_gaps).collect()
}

/// `line` cut where its glyphs stand as far apart as a table's columns (a gap of its size or
/// more, a bullet's own gap aside): each part starts where the page puts it.
fn split_at_gaps(line: Line) -> Vec<Line> {
    let hang = line.hang().is_some();
    let mut parts: Vec<Vec<Glyph>> = vec![Vec::new()];
    let mut end: Option<f32> = None;
    // A gap is where nothing is drawn: spaces drawn as glyphs are the text's own.
    for (i, g) in line.glyphs.into_iter().enumerate() {
        let apart = end.is_some_and(|e| g.x0 - e >= line.size) && !(i == 1 && hang);
        if apart {
            parts.push(Vec::new());
        }
        end = Some(g.x1);
        if let Some(part) = parts.last_mut() {
            part.push(g);
        }
    }
    parts
        .into_iter()
        .filter(|p| !p.is_empty())
        .map(|glyphs| {
            let mut part = Line {
                glyphs,
                y: line.y,
                size: line.size,
                shown: String::new(),
            };
            part.settle();
            part
        })
        .collect()
}

/// Where lines start on each baseline (to `step` points): the leftmost and the rightmost.
struct Baselines {
    step: f32,
    spans: HashMap<i32, (f32, f32)>,
}

impl Baselines {
    fn new(step: f32) -> Baselines {
        Baselines {
            step,
            spans: HashMap::new(),
        }
    }

    fn key(&self, line: &Line) -> i32 {
        (line.y / self.step).round() as i32
    }

    fn add(&mut self, line: &Line) {
        let span = self
            .spans
            .entry(self.key(line))
            .or_insert((f32::MAX, f32::MIN));
        *span = (span.0.min(line.x0()), span.1.max(line.x0()));
    }

    /// Whether a line on `line`'s baseline (give or take a step) starts elsewhere than it.
    fn shared(&self, line: &Line) -> bool {
        let key = self.key(line);
        let near = (key - 1..=key + 1).filter_map(|k| self.spans.get(&k));
        let (left, right) = near.fold((f32::MAX, f32::MIN), |(l, r), (a, b)| {
            (l.min(*a), r.max(*b))
        });
        line.x0() - left >= 2.0 || right - line.x0() >= 2.0
    }
}

/// A line set down, or an empty cell (`None`).
type Placed<'a> = (Option<&'a Line>, Lead);

/// The cells of a table's row that a page cuts (their last line at the foot of the pages) go on
/// at the top of the next page, in their columns: those lines are set down in their cells, not
/// after the row.
fn carry_over(pages: &mut [Vec<Placed>], leading: f32) {
    // The foot of the document's pages: where their lowest lines stand.
    let lines = pages.iter().flatten().filter_map(|(l, _)| *l);
    let foot = lines.map(|l| l.y).fold(f32::MAX, f32::min);
    for p in 1..pages.len() {
        let (before, after) = pages.split_at_mut(p);
        let (last, next) = (&mut before[p - 1], &mut after[0]);
        // The page's last row: its cells, or its single lines side by side.
        let row = match last.last() {
            Some((_, Lead::Beside)) => last.iter().rposition(|(_, l)| *l == Lead::Flow),
            _ => last
                .iter()
                .rposition(|(_, l)| matches!(l, Lead::Flow | Lead::Beside))
                .map(|i| i + 1),
        };
        let row = row.unwrap_or(0);
        // The row's cells the page cut: where each starts, and its last line's place.
        let mut cut: Vec<(f32, usize)> = Vec::new();
        for (i, (line, lead)) in last.iter().enumerate().skip(row) {
            let Some(line) = line else { continue };
            match (lead, cut.last_mut()) {
                (Lead::InCell, Some(cell)) => cell.1 = i,
                _ => cut.push((line.x0(), i)),
            }
        }
        // A row moved whole to the next page leaves room at the foot of this one; a row of more
        // cells than a table's columns is not a table's.
        cut.retain(|(_, i)| last[*i].0.is_some_and(|l| l.y <= foot + 1.5 * leading));
        if cut.len() > MAX_COLUMNS {
            continue;
        }
        // What goes on: the lines at the top of the next page in the cut cells' columns, each
        // cell's first on the page's first baseline, its next ones below it.
        let first = next.iter().find_map(|(l, _)| *l).map(|l| (l.y, l.size));
        let mut taken = 0;
        let mut previous: Option<&Line> = None;
        for (line, lead) in next.iter() {
            // The next page's empty cells of the row that goes on are its own.
            let Some(line) = line else {
                taken += 1;
                continue;
            };
            let column = cut.iter().any(|(c, _)| (c - line.x0()).abs() < 2.0);
            let on_top = first.is_some_and(|(y, size)| (y - line.y).abs() < 0.3 * size);
            // Below, in the same cell: a new row's cell (set down as one) is not.
            let below = *lead != Lead::Cell
                && previous.is_some_and(|b| {
                    let drop = b.y - line.y;
                    (b.x0() - line.x0()).abs() < 1.0 && drop > 0.0 && drop <= 2.0 * line.size
                });
            if !column || !(on_top || below) {
                break;
            }
            previous = Some(line);
            taken += 1;
        }
        if cut.is_empty() || taken == 0 {
            continue;
        }
        let moved: Vec<Placed> = next.drain(..taken).collect();
        // Single lines side by side become cells, to go on in.
        for (_, lead) in &mut last[row..] {
            if matches!(lead, Lead::Flow | Lead::Beside) {
                *lead = Lead::Cell;
            }
        }
        for (x, end) in cut.into_iter().rev() {
            let mine = moved
                .iter()
                .filter(|(l, _)| l.is_some_and(|l| (l.x0() - x).abs() < 2.0));
            let lines: Vec<Placed> = mine.map(|(l, _)| (*l, Lead::InCell)).collect();
            last.splice(end + 1..end + 1, lines);
        }
    }
}

/// How a line is set down in the text: as the page's flow has it, or as a table's cell (its
/// first line led by a tab, its next lines its own, or beside the row's first cell).
#[derive(Clone, Copy, PartialEq, Debug)]
enum Lead {
    Flow,
    Cell,
    InCell,
    Beside,
}

/// A page's lines in the order a word processor writes its text: a table's row (blocks of
/// lines that start on one baseline at two places or more) whole, cell after cell left to
/// right, with an empty cell (`None`) for each column of the table the row leaves empty; a row
/// of single lines on one line, its cells apart by tabs. `leading` is the body's line spacing.
fn arranged(page: &[Line], leading: f32) -> Vec<Placed<'_>> {
    // A line that shares its baseline with one that starts elsewhere is a table's; a row's
    // cells start on one baseline exactly (to a quarter point), not under the line before.
    let under = |i: usize| {
        let (above, line) = (&page[i - 1], &page[i]);
        let drop = above.y - line.y;
        (line.x0() - above.x0()).abs() < 1.0 && drop > 0.0 && drop <= 2.0 * line.size
    };
    let (mut baselines, mut starts) = (Baselines::new(1.0), Baselines::new(0.25));
    for (i, line) in page.iter().enumerate() {
        baselines.add(line);
        if i == 0 || !under(i) {
            starts.add(line);
        }
    }
    let (partnered, row_begins) = (|l: &Line| baselines.shared(l), |l: &Line| starts.shared(l));
    // Blocks: lines that start alike, each below the one before; a table's row starts one:
    // where the line shares its baseline exactly with another that starts a cell, or follows
    // a paragraph's spacing or a line that ended its paragraph (the next word would have fitted
    // on it). A cell spanning rows goes on.
    let mut blocks: Vec<std::ops::Range<usize>> = Vec::new();
    let mut widest = f32::MIN;
    for (i, line) in page.iter().enumerate() {
        let joins = i > 0 && under(i) && {
            let last = &page[i - 1];
            let drop = last.y - line.y;
            let ended = last.x1() + last.space() + line.first_word() <= widest;
            let row = partnered(line)
                && !partnered(last)
                && (drop > 1.1 * leading || ended || row_begins(line));
            !row
        };
        match blocks.last_mut() {
            Some(b) if joins => b.end = i + 1,
            _ => {
                blocks.push(i..i + 1);
                widest = f32::MIN;
            }
        }
        widest = widest.max(line.x1());
    }
    // Rows: blocks whose first lines share a baseline (give or take a cell's own alignment), at
    // two places or more.
    let top = |b: &std::ops::Range<usize>| page[b.start].y;
    let x = |b: &std::ops::Range<usize>| page[b.start].x0();
    let mut by_top: Vec<usize> = (0..blocks.len()).collect();
    by_top.sort_by(|a, b| top(&blocks[*b]).total_cmp(&top(&blocks[*a])));
    let mut row_of: Vec<Option<usize>> = vec![None; blocks.len()];
    let mut rows: Vec<Vec<usize>> = Vec::new();
    let mut at = 0;
    while at < by_top.len() {
        let first = top(&blocks[by_top[at]]);
        let together: Vec<usize> = by_top[at..]
            .iter()
            .take_while(|j| (first - top(&blocks[**j])).abs() < 0.3 * page[blocks[**j].start].size)
            .copied()
            .collect();
        at += together.len();
        let xs = together.iter().map(|j| x(&blocks[*j]));
        let (left, right) = xs.fold((f32::MAX, f32::MIN), |(l, r), x| (l.min(x), r.max(x)));
        if right - left >= 2.0 {
            together.iter().for_each(|j| row_of[*j] = Some(rows.len()));
            rows.push(together);
        }
    }
    // The table's columns: where the cells of its rows of several lines start.
    let mut columns: Vec<f32> = Vec::new();
    let tall = rows
        .iter()
        .filter(|r| r.iter().any(|i| blocks[*i].len() > 1));
    for b in tall.flatten().map(|i| &blocks[*i]) {
        // A table has a few columns: more are not a table's.
        if columns.len() < MAX_COLUMNS && !columns.iter().any(|c| (c - x(b)).abs() < 2.0) {
            columns.push(x(b));
        }
    }
    columns.sort_by(f32::total_cmp);
    let column = |b: &std::ops::Range<usize>| columns.iter().position(|c| (c - x(b)).abs() < 2.0);
    let mut out = Vec::new();
    let mut done = vec![false; rows.len()];
    for (i, b) in blocks.iter().enumerate() {
        let Some(r) = row_of[i] else {
            out.extend(page[b.clone()].iter().map(|l| (Some(l), Lead::Flow)));
            continue;
        };
        if std::mem::replace(&mut done[r], true) {
            continue;
        }
        let mut cells: Vec<&std::ops::Range<usize>> = rows[r].iter().map(|j| &blocks[*j]).collect();
        cells.sort_by(|a, b| x(a).total_cmp(&x(b)));
        if cells.iter().all(|c| c.len() == 1) {
            out.push((Some(&page[cells[0].start]), Lead::Flow));
            out.extend(
                cells[1..]
                    .iter()
                    .map(|c| (Some(&page[c.start]), Lead::Beside)),
            );
            continue;
        }
        let mut at = cells.first().and_then(|c| column(c)).unwrap_or(0);
        for cell in cells {
            let here = column(cell).unwrap_or(at);
            out.extend((at..here).map(|_| (None, Lead::Cell)));
            out.push((Some(&page[cell.start]), Lead::Cell));
            out.extend(
                page[cell.start + 1..cell.end]
                    .iter()
                    .map(|l| (Some(l), Lead::InCell)),
            );
            at = here + 1;
        }
        out.extend((at..columns.len()).map(|_| (None, Lead::Cell)));
    }
    out
}

/// The text of `doc`'s pages, without their furniture, a paragraph to a line.
pub fn text(doc: &Document) -> String {
    let mut budget = Budget {
        glyphs: MAX_GLYPHS,
        tokens: MAX_TOKENS,
        bytes: MAX_CONTENT,
    };
    let mut fonts = Fonts::default();
    let ids: Vec<lopdf::ObjectId> = doc.get_pages().into_values().collect();
    let mut count = 0;
    let mut pages: Vec<Vec<Line>> = Vec::new();
    for page in &ids {
        let mut lines = lines(glyphs(doc, *page, &mut fonts, &mut budget));
        lines.truncate(MAX_LINES.saturating_sub(count));
        count += lines.len();
        pages.push(lines);
        if count >= MAX_LINES {
            budget.glyphs = 0;
        }
    }
    let widths: Vec<Option<f32>> = ids.iter().map(|page| width(doc, *page)).collect();
    let pages = without_furniture(pages);
    flow(&pages, &widths)
}

/// The width of a page (its media box, its own or inherited from the page tree).
fn width(doc: &Document, page: lopdf::ObjectId) -> Option<f32> {
    let mut node = doc.get_dictionary(page).ok()?;
    for _ in 0..32 {
        if let Ok(boxed) = node.get_deref(b"MediaBox", doc).and_then(Object::as_array) {
            let n: Vec<f32> = boxed.iter().filter_map(|o| o.as_float().ok()).collect();
            return (n.len() == 4).then(|| (n[2] - n[0]).abs());
        }
        node = node
            .get_deref(b"Parent", doc)
            .and_then(Object::as_dict)
            .ok()?;
    }
    None
}

/// The most frequent of `values`, rounded to a tenth.
fn mode(values: impl Iterator<Item = f32>) -> Option<f32> {
    let mut counts: BTreeMap<i32, usize> = BTreeMap::new();
    for v in values {
        *counts.entry((v * 10.0).round() as i32).or_default() += 1;
    }
    let most = counts.iter().max_by_key(|(v, n)| (**n, -**v))?;
    Some(*most.0 as f32 / 10.0)
}

/// The pages without their running headers and footers, page numbers and footnotes, and the
/// body's lines without the raised marks that call footnotes.
fn without_furniture(mut pages: Vec<Vec<Line>>) -> Vec<Vec<Line>> {
    let body = mode(
        pages
            .iter()
            .flatten()
            .flat_map(|l| l.glyphs.iter().map(|g| g.size)),
    );
    let body = body.unwrap_or(10.0);
    let running = running_lines(&pages);
    let numbered = page_numbers(&pages);
    for (i, page) in pages.iter_mut().enumerate() {
        // Running headers and footers, and the page's number, at the page's top or foot.
        let count = page.len();
        let furniture: Vec<bool> = page
            .iter()
            .enumerate()
            .map(|(at, line)| {
                let text = line.text();
                let number = numbered.is_some_and(|k| page_number(text) == Some(i as i64 + k));
                (at < 3 || at + 3 >= count) && running.contains(&masked(text))
                    || (at < 2 || at + 2 >= count) && number
            })
            .collect();
        // A page that would be left with nothing (pages all alike) is the report's own text.
        let furniture = match furniture.iter().all(|f| *f) {
            true => vec![false; count],
            false => furniture,
        };
        let mut kept = furniture.iter();
        page.retain(|_| !kept.next().copied().unwrap_or(false));
        without_footnotes(page, body);
    }
    pages
}

/// `page` without its footnotes, and its body without the marks that call them. Footnotes are
/// the lines in a smaller size below the page's lowest line of body text (its furniture set
/// aside), when the body calls one of their numbers: a table in a smaller size is the report's
/// own.
fn without_footnotes(page: &mut Vec<Line>, body: f32) {
    let lowest = page.iter().filter(|l| l.size >= 0.97 * body).map(|l| l.y);
    let lowest = lowest.fold(f32::MAX, f32::min);
    let note = |l: &Line| l.size < 0.97 * body && l.y < lowest;
    let number = |l: &Line| -> String {
        let text = l.text();
        text.trim_start()
            .chars()
            .take_while(char::is_ascii_digit)
            .collect()
    };
    let numbers: HashSet<String> = page
        .iter()
        .filter(|l| note(l))
        .map(number)
        .filter(|n| !n.is_empty())
        .collect();
    let called: HashSet<String> = page
        .iter()
        .filter(|l| !note(l))
        .flat_map(|l| marks(l, &numbers))
        .map(|(_, n)| n)
        .collect();
    if !called.is_empty() {
        page.retain(|l| !note(l));
        for line in page.iter_mut() {
            without_marks(line, &called);
        }
    }
}

/// The marks in `line` that call the footnotes numbered `called` (their glyphs, and number):
/// digits raised in a smaller size, or glued to the end of a word (a font's own superscript
/// figures sit on the baseline).
fn marks(line: &Line, called: &HashSet<String>) -> Vec<(std::ops::Range<usize>, String)> {
    let (y, size) = (line.y, line.size);
    let digit = |g: &Glyph| g.text.chars().all(|c| c.is_ascii_digit());
    let raised = |g: &Glyph| g.size < 0.85 * size && g.y > y + 0.15 * size;
    let glyphs = &line.glyphs;
    let mut out = Vec::new();
    let mut i = 0;
    while i < glyphs.len() {
        let run = glyphs[i..].iter().take_while(|g| digit(g)).count();
        if run == 0 {
            i += 1;
            continue;
        }
        let number: String = glyphs[i..i + run].iter().map(|g| g.text.as_str()).collect();
        let glued = i > 0 && glyphs[i - 1].text.chars().all(char::is_alphabetic);
        let ends = glyphs
            .get(i + run)
            .is_none_or(|g| !g.text.chars().any(char::is_alphanumeric));
        let mark = glyphs[i..i + run].iter().all(raised) || (glued && ends);
        if mark && called.contains(&number) {
            out.push((i..i + run, number));
        }
        i += run;
    }
    out
}

/// `line` without the marks that call the footnotes numbered `called`. A mark keeps its place,
/// with no text: the line was wrapped with it, and what follows it is not spaced from its word.
fn without_marks(line: &mut Line, called: &HashSet<String>) {
    for (run, _) in marks(line, called) {
        for g in &mut line.glyphs[run] {
            g.text.clear();
        }
    }
    line.settle();
}

/// A line with its digits aside, when long enough to be a running header or footer.
fn masked(text: &str) -> String {
    let text = text.trim();
    match text.chars().count() >= 8 {
        true => text.chars().filter(|c| !c.is_ascii_digit()).collect(),
        false => String::new(),
    }
}

/// The lines among the first and last three of pages that are on more than half of them (three
/// pages or more), digits aside: a line repeated in the middle of pages is the report's own.
fn running_lines(pages: &[Vec<Line>]) -> HashSet<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    for page in pages {
        let n = page.len();
        let edges = page
            .iter()
            .enumerate()
            .filter(|(i, _)| *i < 3 || i + 3 >= n);
        let masked: HashSet<String> = edges.map(|(_, l)| masked(l.text())).collect();
        for line in masked.into_iter().filter(|l| !l.is_empty()) {
            *seen.entry(line).or_default() += 1;
        }
    }
    seen.into_iter()
        .filter(|(_, n)| pages.len() >= 3 && n * 2 > pages.len())
        .map(|(l, _)| l)
        .collect()
}

/// How a document numbers its pages: the number, less the page's rank, that a line at the top
/// or foot of at least half its pages (two or more) gives. A number alone elsewhere, or one
/// that does not follow the pages, is the report's own (a table's last cell).
fn page_numbers(pages: &[Vec<Line>]) -> Option<i64> {
    let mut offsets: BTreeMap<i64, usize> = BTreeMap::new();
    for (i, page) in pages.iter().enumerate() {
        let n = page.len();
        let edges = page
            .iter()
            .enumerate()
            .filter(|(at, _)| *at < 2 || at + 2 >= n);
        let found: HashSet<i64> = edges
            .filter_map(|(_, l)| page_number(l.text()))
            .map(|number| number - i as i64)
            .collect();
        for offset in found {
            *offsets.entry(offset).or_default() += 1;
        }
    }
    let (offset, n) = offsets.into_iter().max_by_key(|(_, n)| *n)?;
    (n >= 2 && n * 2 >= pages.len()).then_some(offset)
}

/// The number of a line that is a page's number alone: `12`, `- 12 -`, `Page 3`, `3 / 12`,
/// `Page 3 of 12`, `page 3 sur 12`.
fn page_number(text: &str) -> Option<i64> {
    let words: Vec<String> = text
        .split(|c: char| c.is_whitespace() || c == '-' || c == '/')
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let number = |w: &String| !w.is_empty() && w.len() < 6 && w.chars().all(|c| c.is_ascii_digit());
    let word = |w: &String| ["page", "of", "sur", "de", "p."].contains(&w.as_str());
    let numbers = words.iter().filter(|w| number(w)).count();
    let fits = numbers <= 2 && words.iter().all(|w| number(w) || word(w));
    words
        .iter()
        .find(|w| number(w))
        .filter(|_| fits)?
        .parse()
        .ok()
}

/// The pages' lines, a paragraph to a line: a line continues the one before when that one was
/// full (the next line's first word would not have fitted) and it starts no further in.
fn flow(pages: &[Vec<Line>], widths: &[Option<f32>]) -> String {
    let all = || pages.iter().flatten();
    let margin = mode(all().map(Line::x0)).unwrap_or(0.0);
    let leading = mode(
        pages
            .iter()
            .flat_map(|p| p.windows(2).map(|w| w[0].y - w[1].y)),
    );
    let leading = leading.filter(|l| *l > 0.0).unwrap_or(12.0);
    let top = all().map(|l| l.y).fold(f32::MIN, f32::max);
    // A word processor that draws its spaces keeps the one a line was wrapped at: then a line
    // that ends without one (nor with a word's hyphen) ends its paragraph.
    let glyphs = all().map(|l| l.glyphs.len()).sum::<usize>();
    let spaces = all()
        .flat_map(|l| &l.glyphs)
        .filter(|g| g.text == " ")
        .count();
    let draws_spaces = spaces * 50 > glyphs;
    let mut out = String::new();
    let mut before: Option<&Line> = None;
    // The first line of the paragraph being joined.
    let mut opening = String::new();
    let widest = all().map(Line::x1).fold(f32::MIN, f32::max);
    let mut longest_of: HashMap<u32, f32> = HashMap::new();
    for (page, width) in pages.iter().zip(widths) {
        let Some(width) = width else { continue };
        let longest = page.iter().map(Line::x1).fold(f32::MIN, f32::max);
        let e = longest_of.entry(width.to_bits()).or_insert(f32::MIN);
        *e = e.max(longest);
    }
    let mut placed: Vec<Vec<Placed>> = pages.iter().map(|p| arranged(p, leading)).collect();
    carry_over(&mut placed, leading);
    for n in 0..pages.len() {
        // The page's measure: where the longest line of the pages as wide as this one ends,
        // but no further than its left margin leaves on the other side (a table may go into
        // the margin); a report's margins are alike.
        let width = widths.get(n).copied().flatten();
        let longest = width.and_then(|w| longest_of.get(&w.to_bits()).copied());
        let longest = longest.unwrap_or(widest);
        let mirrored = width.map(|w| w - margin).filter(|r| *r > margin);
        let right = mirrored.map_or(longest, |r| r.min(longest));
        let items = &placed[n];
        // The right edge of a block of lines that start alike (a paragraph, a table's cell):
        // where its longest line ends.
        let mut edges = vec![f32::MIN; items.len()];
        let mut start = 0;
        let x = |i: usize| items[i].0.map_or(f32::NAN, Line::x0);
        for i in 0..=items.len() {
            let same = i < items.len() && (x(i) - x(start)).abs() < 1.0;
            if !same && i > start {
                let lines = items[start..i].iter().filter_map(|(l, _)| *l);
                let edge = lines.map(Line::x1).fold(f32::MIN, f32::max);
                edges[start..i].iter_mut().for_each(|e| *e = edge);
                start = i;
            }
        }
        for (i, (line, lead)) in items.iter().enumerate() {
            let Some(line) = *line else {
                // An empty cell.
                out.push_str("\n\t");
                before = None;
                continue;
            };
            let gap = match (i, before) {
                (0, _) => top - line.y + leading,
                _ => before.map_or(leading, |b| b.y - line.y),
            };
            let blank = ((gap / leading).round() as usize).saturating_sub(1).min(4);
            let continues = before.is_some_and(|b| {
                // A line was wrapped if the next word would not have fitted on it, in its block's
                // measure (where the block's longest line ends: a paragraph's, a table cell's).
                // The longest line of a paragraph is held to the page's: else it would always be
                // full.
                let edge = if i > 0 { edges[i - 1] } else { right };
                let measure = match lead {
                    Lead::Flow if b.x1() >= edge - 0.5 => edge.max(right),
                    _ => edge,
                };
                let full = b.x1() + b.space() + line.first_word() > measure - 0.5;
                let x = line.x0();
                let under = x <= b.x0() + 0.5 || b.hang().is_some_and(|h| (x - h).abs() < 1.0);
                let last = b.glyphs.last().map_or("", |g| g.text.as_str());
                let hyphen = ["-", "/"].contains(&last) && b.glyphs.len() > 1;
                // The space a line was wrapped at hangs past the margin, not drawn, when the line
                // fills it.
                let fills = b.x1() > right - b.space() - 0.5;
                let kept = !draws_spaces || last == " " || hyphen || fills;
                let placed = matches!(lead, Lead::Flow | Lead::InCell);
                placed && blank == 0 && full && under && kept && !starts_anew(b, line, &opening)
            });
            let text = line.text();
            if *lead == Lead::Beside {
                out.truncate(out.trim_end_matches(' ').len());
                out.push('\t');
                out.push_str(text);
            } else if continues {
                let kept = out.trim_end_matches([' ', '\t']).len();
                out.truncate(kept);
                let hyphen = out.ends_with(['-', '/'])
                    && out[..out.len() - 1].ends_with(char::is_alphabetic);
                if !hyphen {
                    out.push(' ');
                }
                // A second space drawn at the start of the next line is the text's own.
                out.push_str(text);
            } else {
                if !out.is_empty() {
                    out.push('\n');
                }
                opening = text.to_string();
                if *lead == Lead::Flow {
                    for _ in 0..blank.min(if before.is_some() { 4 } else { 0 }) {
                        out.push('\n');
                    }
                }
                let tabs = match lead {
                    Lead::Flow => ((line.x0() - margin) / TAB).round().max(0.0) as usize,
                    Lead::Cell => 1,
                    _ => 0,
                };
                out.extend(std::iter::repeat_n('\t', tabs.min(8)));
                out.push_str(text);
            }
            before = Some(line);
        }
    }
    out.push('\n');
    out
}

/// Whether `line` starts a paragraph of its own after `before`, a full line of the paragraph
/// `opening` starts: an empty line does, a bullet like the paragraph's own does (the next item
/// of a list), and, in a font of one width, a capital or a bullet after a sentence's end does
/// when `before` fills the measure with no space drawn after it. There, a line wrapped at a
/// space that hangs past the margin and a line that ends its paragraph exactly at the margin
/// look alike; in a proportional font, the first is much the likelier.
fn starts_anew(before: &Line, line: &Line, opening: &str) -> bool {
    let text = line.text();
    let text = text.trim_start();
    let bullet = |t: &str| {
        let marker = t.split_whitespace().next().unwrap_or("");
        let symbol = marker.chars().count() == 1 && !marker.starts_with(char::is_alphanumeric);
        (symbol && t.len() > marker.len()).then(|| marker.to_string())
    };
    if text.is_empty() || bullet(text).is_some_and(|b| bullet(opening.trim_start()) == Some(b)) {
        return true;
    }
    let ended = before.text();
    let ended = ended
        .trim_end()
        .trim_end_matches(['"', '\'', ')', '»', '”', '’']);
    let spaced = before.glyphs.last().is_some_and(|g| g.text == " ");
    let opens = text.starts_with(char::is_uppercase) || bullet(text).is_some();
    let widths = before.glyphs.iter().map(|g| g.x1 - g.x0);
    let (narrow, wide) = widths.fold((f32::MAX, 0.0f32), |(n, w), x| (n.min(x), w.max(x)));
    let monospaced = wide - narrow < 0.01 * before.size;
    monospaced && !spaced && ended.ends_with(['.', ':', ';', '!', '?']) && opens
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text of pages whose width is not known: their measure is their longest line's.
    fn flow_of(pages: &[Vec<Line>]) -> String {
        flow(pages, &[])
    }

    /// A line of `text` in a font 6 points a character wide, 10 high, at `x` and `y`.
    fn line(x: f32, y: f32, text: &str) -> Line {
        let glyphs = text
            .chars()
            .enumerate()
            .map(|(i, c)| Glyph {
                text: c.to_string(),
                x0: x + 6.0 * i as f32,
                x1: x + 6.0 * (i + 1) as f32,
                y,
                size: 10.0,
            })
            .collect();
        let mut line = Line {
            glyphs,
            y,
            size: 10.0,
            shown: String::new(),
        };
        line.settle();
        line
    }

    /// Lines each where `(x, y, text)` puts it.
    fn placed(lines: &[(f32, f32, &str)]) -> Vec<Line> {
        lines.iter().map(|(x, y, t)| line(*x, *y, t)).collect()
    }

    /// Lines 12 points apart from the top, each `(x, text)`.
    fn page(lines: &[(f32, &str)]) -> Vec<Line> {
        let at = |i: usize| 800.0 - 12.0 * i as f32;
        lines
            .iter()
            .enumerate()
            .map(|(i, (x, t))| line(*x, at(i), t))
            .collect()
    }

    #[test]
    fn a_line_continues_the_one_before_only_when_that_one_was_full() {
        // A measure of 20 characters from x = 50: the wrapping space is drawn, or hangs.
        let text = flow_of(&[page(&[
            (50.0, "Le projet a permis "),
            (50.0, "de former 500 pairs "),
            (50.0, "pour la paix."),
            (50.0, "Un autre paragraphe."),
            (50.0, "- premier point, qui "),
            (50.0, "continue"),
            (50.0, "- second point"),
            (50.0, "socio-"),
            (50.0, "économique"),
        ])]);
        assert_eq!(
            text,
            "Le projet a permis de former 500 pairs pour la paix.\nUn autre paragraphe.\n\
             - premier point, qui continue\n- second point\nsocio-\néconomique\n"
        );
    }

    #[test]
    fn a_full_line_ending_a_sentence_before_a_capital_or_a_bullet_ends_its_paragraph() {
        let text = flow_of(&[page(&[
            (50.0, "Une phrase de vingt."),
            (50.0, "Suivante, à la fin :"),
            (50.0, "- un point de vingt,"),
            (50.0, "- un point suivant, "),
            (50.0, "qui continue ici"),
        ])]);
        assert_eq!(
            text,
            "Une phrase de vingt.\nSuivante, à la fin :\n- un point de vingt,\n\
             - un point suivant, qui continue ici\n"
        );
    }

    /// A list's item: its bullet at `x`, its text a tab stop further on, as word processors set
    /// a list.
    fn item(x: f32, y: f32, text: &str) -> Line {
        let mut item = line(x, y, &format!("•{text}"));
        item.glyphs[1..]
            .iter_mut()
            .for_each(|g| (g.x0, g.x1) = (g.x0 + 6.0, g.x1 + 6.0));
        item.settle();
        item
    }

    #[test]
    fn a_bullet_continues_at_its_hanging_indent() {
        let mut page = page(&[(50.0, "Les points suivants :")]);
        page.push(item(62.0, 788.0, "un point qui va "));
        page.push(line(74.0, 776.0, "plus loin"));
        page.push(item(62.0, 764.0, "un autre"));
        assert_eq!(
            flow_of(&[page]),
            "Les points suivants :\n- un point qui va plus loin\n- un autre\n"
        );
    }

    #[test]
    fn a_tables_cells_are_set_down_cell_after_cell_in_their_columns() {
        let cells = [
            (100.0, 800.0, "Indicateur 1.2"),
            (100.0, 788.0, "% de ménages"),
            (300.0, 800.0, "80%"),
            (400.0, 800.0, "55%"),
            (100.0, 760.0, "Indicateur 1.3"),
            (100.0, 748.0, "Nombre"),
            (200.0, 760.0, "0"),
            (300.0, 760.0, "40"),
            (400.0, 760.0, "43 conflits"),
            (50.0, 700.0, "WFP"),
            (150.0, 700.0, "USD 855,000"),
        ];
        assert_eq!(
            flow_of(&[placed(&cells)]),
            "\tIndicateur 1.2\n% de ménages\n\t\n\t80%\n\t55%\n\
             \tIndicateur 1.3\nNombre\n\t0\n\t40\n\t43 conflits\n\n\n\n\nWFP\tUSD 855,000\n"
        );
        // Cells side by side on one line are cut apart where nothing is drawn between them.
        let mut row = line(100.0, 800.0, "20");
        row.glyphs.extend(line(300.0, 800.0, "100%; les 20").glyphs);
        assert_eq!(split_at_gaps(row).len(), 2);
        assert_eq!(split_at_gaps(line(100.0, 800.0, "43  conflits")).len(), 1);
    }

    #[test]
    fn a_row_cut_by_the_page_goes_on_in_its_cells() {
        let first = placed(&[
            (50.0, 800.0, "Texte avant le tableau, assez long."),
            (100.0, 760.0, "Indicateur 1.1"),
            (100.0, 748.0, "Nombre de pairs pour la "),
            (300.0, 760.0, "0"),
            (400.0, 760.0, "500 pairs formés dont "),
            (400.0, 748.0, "168 en gestion et "),
        ]);
        let second = placed(&[
            (100.0, 800.0, "paix formés"),
            (400.0, 800.0, "des conflits."),
            (50.0, 760.0, "Question suivante :"),
        ]);
        let text = flow_of(&[first, second]);
        assert_eq!(
            text,
            "Texte avant le tableau, assez long.\n\tIndicateur 1.1\n\
             Nombre de pairs pour la paix formés\n\t0\n\t500 pairs formés dont 168 en gestion et \
             des conflits.\n\n\n\nQuestion suivante :\n",
            "{text}"
        );
    }

    #[test]
    fn a_row_of_single_lines_cut_by_the_page_goes_on_in_its_cells() {
        let first = placed(&[
            (50.0, 800.0, "Texte avant le tableau, assez long."),
            (100.0, 700.0, "Indicateur 1.1"),
            (300.0, 700.0, "0"),
            (400.0, 700.0, "500 pairs formés dont un "),
        ]);
        let second = placed(&[
            (100.0, 800.0, "Nombre de pairs"),
            (100.0, 788.0, "formés"),
            (400.0, 800.0, "tiers de femmes."),
            (100.0, 740.0, "Indicateur 1.2"),
            (300.0, 740.0, "12"),
            (50.0, 700.0, "Fin du tableau."),
        ]);
        let text = flow_of(&[first, second]);
        assert_eq!(
            text,
            "Texte avant le tableau, assez long.\n\tIndicateur 1.1\nNombre de pairs\nformés\n\
             \t0\n\t500 pairs formés dont un tiers de femmes.\n\n\n\n\nIndicateur 1.2\t12\n\n\n\
             Fin du tableau.\n",
            "{text}"
        );
    }

    #[test]
    fn a_bullet_is_a_symbol_set_apart_and_a_dash_in_a_sentence_is_not() {
        assert_eq!(item(62.0, 800.0, "un point").text(), "- un point");
        // A dash that a wrapped sentence's line starts with stays a dash.
        assert_eq!(line(62.0, 800.0, "– ce qui").text(), "– ce qui");
    }

    #[test]
    fn blank_lines_and_tab_stops_are_kept() {
        let text = flow_of(&[page(&[
            (50.0, "Question : "),
            (50.0 + TAB, "cellule"),
            (50.0, "suite de la cellule"),
        ])]);
        assert_eq!(text, "Question : \n\tcellule\nsuite de la cellule\n");
        let mut spaced = page(&[
            (50.0, "un"),
            (50.0, "deux"),
            (50.0, "trois"),
            (50.0, "quatre"),
            (50.0, "et une ligne longue"),
        ]);
        for line in &mut spaced[2..] {
            line.y -= 24.0;
            line.glyphs.iter_mut().for_each(|g| g.y -= 24.0);
        }
        assert_eq!(
            flow_of(&[spaced]),
            "un\ndeux\n\n\ntrois\nquatre\net une ligne longue\n"
        );
    }

    #[test]
    fn an_answer_continues_across_a_page_end_and_its_furniture() {
        let pages: Vec<Vec<Line>> = (1..=4)
            .map(|n| {
                let word = ["un", "deux", "trois", "quatre"][n - 1];
                let (first, last) = (format!("suite {word} "), format!("la ligne pleine {word} "));
                let number = format!("{}", n + 1);
                page(&[
                    (50.0, "Rapport PBF IRF-217"),
                    (50.0, first.as_str()),
                    (50.0, "ligne"),
                    (50.0, "Remarque de l'équipe"),
                    (50.0, "ligne"),
                    (50.0, "ligne"),
                    (50.0, last.as_str()),
                    (300.0, number.as_str()),
                ])
            })
            .collect();
        let text = flow_of(&without_furniture(pages));
        assert!(!text.contains("Rapport PBF"), "{text}");
        assert!(!text.contains('5'), "{text}");
        // The page's last line was full: the next page's first line continues it.
        assert!(text.contains("la ligne pleine un suite deux"), "{text}");
        // A line repeated in the middle of pages is the report's own.
        assert_eq!(text.matches("Remarque de l'équipe").count(), 4, "{text}");
        // Pages all alike keep their text.
        let same = vec![page(&[(50.0, "Un rapport de projet"), (50.0, "sans en-tête")]); 3];
        let text = flow_of(&without_furniture(same));
        assert_eq!(text.matches("Un rapport de projet").count(), 3, "{text}");
    }

    #[test]
    fn a_number_that_does_not_follow_the_pages_stays() {
        let pages: Vec<Vec<Line>> = ["40", "12", "7"]
            .iter()
            .map(|n| page(&[(50.0, "Indicateur"), (50.0, "texte"), (50.0 + TAB, n)]))
            .collect();
        let text = flow_of(&without_furniture(pages));
        for n in ["40", "12", "7"] {
            assert!(text.contains(&format!("\t{n}")), "{text}");
        }
    }

    #[test]
    fn footnotes_and_their_marks_are_set_aside() {
        let mut body = page(&[
            (50.0, "Le statut du projet "),
            (50.0, "est bon."),
            (50.0, "1 Source : rapport."),
        ]);
        // The mark: a small raised 1 after `projet`.
        body[0].glyphs.push(Glyph {
            text: "1".into(),
            x0: 50.0 + 6.0 * 19.0,
            x1: 50.0 + 6.0 * 19.0 + 4.0,
            y: 804.0,
            size: 6.0,
        });
        body[0].glyphs.sort_by(|a, b| a.x0.total_cmp(&b.x0));
        for g in &mut body[2].glyphs {
            g.size = 8.0;
        }
        body[2].size = 8.0;
        body.iter_mut().for_each(Line::settle);
        let text = flow_of(&without_furniture(vec![body]));
        assert_eq!(text, "Le statut du projet est bon.\n");
    }

    #[test]
    fn page_numbers_are_told() {
        for (text, number) in [
            ("12", Some(12)),
            ("- 3 -", Some(3)),
            ("Page 3 sur 12", Some(3)),
        ] {
            assert_eq!(page_number(text), number, "{text}");
        }
        for text in ["12 mois", "Résultat 3", "2019-11-12", "40 / 40 / 40"] {
            assert_eq!(page_number(text), None, "{text}");
        }
    }
}
