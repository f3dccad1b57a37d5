//! Long runs of characters: a word, a link or a Word fill-in line (`________`) wider than the
//! box it is printed in would run over the neighbouring cells and off the page, since typst
//! breaks lines only between words. Such a run gets a break opportunity after each character
//! (U+200B, which the template draws as an empty box: nothing in the PDF's text), so that it
//! wraps inside its box like a word processor wraps it; `check` warns about it first.
//!
//! Widths come from Carlito's own advances, so only a run that cannot fit on a line of its box
//! is touched. The boxes' widths are the form description's (`Form::width_of`), as its layout
//! draws them.

use std::sync::LazyLock;

/// How far the template indents a bullet line, in ems.
const LIST_INDENT: f32 = 1.1;

/// The break opportunity put between the characters of a long run.
pub const BREAK: char = '\u{200B}';

/// The 2019 indicator table's columns, in fractions of its width, as its layouts give them: the
/// outcome or output, then the indicator and its five figures. Wide enough that a long French
/// word (`intercommunautaires`) fits the narrowest. The tests hold report.typ, word.xml.j2 and
/// the description's widths to it.
pub const TABLE_COLUMNS: [f32; 7] = [1.35, 1.35, 1.1, 1.1, 1.2, 1.7, 1.2];

/// Advance widths of Carlito Regular, in ems, for the characters it has.
struct Metrics {
    face: Option<ttf_parser::Face<'static>>,
    /// The widths of the first `TABLE` characters (Latin, with its accents), looked up once:
    /// every character of every answer is measured.
    table: Vec<f32>,
}

const TABLE: u32 = 0x250;

static METRICS: LazyLock<Metrics> = LazyLock::new(|| {
    let bytes = crate::templates::builtin_under("fonts/")
        .find(|(name, _)| name.ends_with("Carlito-Regular.ttf"))
        .map(|(_, bytes)| bytes);
    let mut metrics = Metrics {
        face: bytes.and_then(|b| ttf_parser::Face::parse(b, 0).ok()),
        table: Vec::new(),
    };
    metrics.table = (0..TABLE)
        .map(|u| char::from_u32(u).map_or(1.0, |c| metrics.measure(c)))
        .collect();
    metrics
});

impl Metrics {
    /// A character's width in ems; 1 em for one Carlito lacks (DejaVu or Symbola draw it, and
    /// neither is wider than that but for rare symbols).
    fn width(&self, c: char) -> f32 {
        match self.table.get(c as usize) {
            Some(w) => *w,
            None => self.measure(c),
        }
    }

    fn measure(&self, c: char) -> f32 {
        let Some(face) = &self.face else { return 1.0 };
        face.glyph_index(c)
            .and_then(|g| face.glyph_hor_advance(g))
            .map_or(1.0, |a| f32::from(a) / f32::from(face.units_per_em()))
    }
}

/// Whether `c` joins the character before it into one cluster (accents, emoji sequences), so
/// that no break goes before it.
fn joins(c: char) -> bool {
    unicode_normalization::char::canonical_combining_class(c) != 0
        || matches!(c, '\u{200D}' | '\u{FE00}'..='\u{FE0F}' | '\u{1F3FB}'..='\u{1F3FF}')
}

/// The runs of `text` (characters between spaces) wider than `width` ems, with the character
/// offset each starts at, for `check`'s warning.
pub fn long_runs(text: &str, width: f32) -> Vec<(usize, String)> {
    let metrics = &*METRICS;
    let mut runs = Vec::new();
    // The run's first character, counted and as a byte offset.
    let (mut start, mut from) = (0, 0);
    let mut run_width = 0.0;
    // Five per cent to spare, for kerning; a bullet line ("- ") is indented by 1.1 em.
    let room = |item: bool| (width - if item { LIST_INDENT } else { 0.0 }) * 0.95;
    let mut item = text.trim_start().starts_with("- ");
    let chars = text.char_indices().chain([(text.len(), ' ')]);
    for (i, (at, c)) in chars.enumerate() {
        if c == '\n' {
            item = text[at..].trim_start().starts_with("- ");
        }
        if c.is_whitespace() {
            if run_width > room(item) {
                runs.push((start, text[from..at].to_string()));
            }
            run_width = 0.0;
            start = i + 1;
            from = at + c.len_utf8();
        } else {
            run_width += metrics.width(c);
        }
    }
    runs
}

/// Lines taller than this in their box make the table row that holds them breakable: such a
/// row could not stay whole on one page (a landscape page holds about 42 lines of the
/// indicator table, a portrait one about 60 of the cross-cutting table).
pub const TALL: usize = 30;

/// About how many lines `text` takes in a box `width` ems wide: each of its lines wraps at the
/// box's width (with a tenth to spare for breaks between words), at least one line each.
pub fn lines(text: &str, width: f32) -> usize {
    let metrics = &*METRICS;
    text.lines()
        .map(|line| {
            let w: f32 = line.chars().map(|c| metrics.width(c)).sum();
            ((w * 1.1 / width).ceil() as usize).max(1)
        })
        .sum()
}

/// `text` with a break opportunity between the characters of each run wider than `width`
/// ems; `text` itself when no run is.
pub fn wrap_long_runs(text: &str, width: f32) -> String {
    let runs = long_runs(text, width);
    if runs.is_empty() {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() * 2);
    let mut runs = runs.iter().peekable();
    // The characters after the first of the run being written: (its first, its end).
    let mut inside: Option<(usize, usize)> = None;
    let mut previous = ' ';
    for (i, c) in text.chars().enumerate() {
        if let Some((start, run)) = runs.next_if(|(start, _)| *start == i) {
            inside = Some((*start, start + run.chars().count()));
        }
        if let Some((start, end)) = inside {
            if i >= end {
                inside = None;
            } else if i > start && !joins(c) && previous != '\u{200D}' {
                out.push(BREAK);
            }
        }
        out.push(c);
        previous = c;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn width_of(path: &str) -> f32 {
        crate::form::Form::pbf_2019().width_of(path)
    }

    #[test]
    fn only_runs_wider_than_their_box_get_breaks() {
        let narrow = width_of("outcomes[1].indicators[1].target");
        assert!((8.5..10.0).contains(&narrow), "{narrow}");
        assert_eq!(
            wrap_long_runs("intercommunautaires", narrow),
            "intercommunautaires"
        );
        // An ordinary long word fits a narrow cell; 80 underscores do not.
        assert_eq!(wrap_long_runs("désarmement", narrow), "désarmement");
        let line = "_".repeat(80);
        let wrapped = wrap_long_runs(&format!("Base : {line} fin"), narrow);
        assert_eq!(wrapped.replace(BREAK, ""), format!("Base : {line} fin"));
        assert_eq!(wrapped.matches(BREAK).count(), 79);
        assert!(wrapped.starts_with("Base : _\u{200B}_"));
        assert!(wrapped.ends_with("_ fin"));
        assert_eq!(
            long_runs(&format!("Base : {line} fin"), narrow),
            vec![(7, line)]
        );
    }

    #[test]
    fn breaks_never_split_a_character_from_its_accents_or_an_emoji_sequence() {
        let run = "e\u{301}".repeat(40) + &"👩\u{200D}🌾".repeat(10);
        let wrapped = wrap_long_runs(&run, 5.0);
        assert!(!wrapped.contains("\u{200B}\u{301}"));
        assert!(!wrapped.contains("\u{200D}\u{200B}"));
        assert!(!wrapped.contains("\u{200B}\u{200D}"));
        assert_eq!(wrapped.replace(BREAK, ""), run);
    }

    /// The PDF's indicator table and the Word copy's have the same columns: the same fractions
    /// of a landscape page's text (14570 twentieths of a point in Word).
    #[test]
    fn the_table_columns_are_the_layouts() {
        let template = include_str!("../templates/pbf-2019/report.typ");
        let columns: Vec<String> = TABLE_COLUMNS.iter().map(|f| format!("{f}fr")).collect();
        let line = format!("columns: ({}),", columns.join(", "));
        assert!(template.contains(&line), "report.typ has no `{line}`");
        let word = include_str!("../templates/pbf-2019/word.xml.j2");
        let total: f32 = TABLE_COLUMNS.iter().sum();
        let widths: Vec<String> = TABLE_COLUMNS
            .iter()
            .map(|f| ((14570.0 * f / total) as usize).to_string())
            .collect();
        let line = format!("set widths = [{}]", widths.join(", "));
        assert!(word.contains(&line), "word.xml.j2 has no `{line}`");
    }

    #[test]
    fn lines_count_wrapped_lines() {
        let short = (0..75)
            .map(|i| format!("l{i}"))
            .collect::<Vec<_>>()
            .join("\n");
        assert_eq!(lines(&short, 9.0), 75);
        let long = "paix ".repeat(100);
        let n = lines(&long, 20.0);
        assert!((10..=16).contains(&n), "{n}");
    }

    #[test]
    fn a_bullet_line_has_less_room() {
        let width = 10.0;
        let word = "m".repeat(11); // Carlito's m is 0.80 em wide: 8.8 em
        assert!(long_runs(&word, width).is_empty());
        assert_eq!(long_runs(&format!("a\n- {word}"), width).len(), 1);
    }

    #[test]
    fn boxes_are_narrower_in_the_table_than_on_the_page() {
        let full = width_of("progress.status");
        assert!((44.0..47.0).contains(&full), "{full}");
        assert!(width_of("cross_cutting.monitoring") < full);
        assert!(width_of("cover.title") < full);
        assert!(width_of("outcomes[1].outputs[2].statement") < width_of("cover.title"));
        assert_eq!(width_of("outcomes[1].statement"), full);
    }

    /// The description's box widths are the 2019 layout's geometry: A4 less 2 cm margins
    /// (481.9 pt) at 10 pt, its halves and Part 1.3's 3 of 5 fractions with 5 pt insets, and the
    /// landscape table (728.5 pt) at 8.5 pt in its columns' fractions.
    #[test]
    fn the_descriptions_widths_are_the_layouts() {
        let near = |path: &str, expected: f32| {
            let width = width_of(path);
            assert!(
                (width - expected).abs() < 0.01,
                "{path}: {width}, not {expected}"
            );
        };
        near("progress.status", (481.9 - 12.0) / 10.0);
        near(
            "cover.recipients[2].short_name",
            (481.9 / 2.0 - 10.0) / 10.0,
        );
        near("cover.other_partners[3]", (481.9 / 2.0 - 10.0) / 10.0);
        near(
            "cross_cutting.exit_strategy",
            (481.9 * 3.0 / 5.0 - 10.0) / 10.0,
        );
        let total: f32 = TABLE_COLUMNS.iter().sum();
        let column = |i: usize| (728.5 / total * TABLE_COLUMNS[i] - 10.0) / 8.5;
        near("outcomes[2].framework_statement", column(0));
        near("outcomes[1].outputs[3].statement", column(0));
        let cells = crate::form::Form::pbf_2019().table("indicators");
        for (i, cell) in cells.iter().enumerate() {
            near(
                &format!("outcomes[4].outputs[1].indicators[2].{}", cell.path),
                column(i + 1),
            );
        }
    }
}
