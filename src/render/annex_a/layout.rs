//! How a sheet reads and prints: column widths from what they hold, row heights from their
//! wrapped texts, and the print set-up (scale, page breaks) that keeps each block of rows on
//! one page. Spreadsheet readers neither size rows to wrapped text nor keep blocks together on
//! their own, so both are estimated here from the default font's metrics, with a margin.

use rust_xlsxwriter::{Worksheet, XlsxError};

/// Characters of body text per unit of column width (a unit is the width of a digit in the
/// default 11 pt font); bold text is wider. Both err towards fewer characters, so that rows come
/// out a little tall rather than clipped.
const CHARS_PER_UNIT: f64 = 1.0;
const BOLD_CHARS_PER_UNIT: f64 = 0.9;
/// A cell's inner padding, in width units.
const PADDING: f64 = 1.0;
/// Height of one line of 11 pt text, in points.
pub const LINE: f64 = 15.0;
/// Excel's tallest row, in points.
const MAX_ROW: f64 = 409.0;

/// The width a column needs to show `text` on one line.
pub fn width_of(text: &str, bold: bool) -> f64 {
    let per_unit = if bold {
        BOLD_CHARS_PER_UNIT
    } else {
        CHARS_PER_UNIT
    };
    text.chars().count() as f64 / per_unit + PADDING
}

/// The width a column needs for `text` to wrap between words only.
pub fn widest_word(text: &str, bold: bool) -> f64 {
    text.split_whitespace()
        .map(|w| width_of(w, bold))
        .fold(0.0, f64::max)
}

/// Lines `text` takes in a column `width` wide, wrapped between words as readers wrap it; a
/// word wider than the column takes as many lines as it is cut into.
pub fn lines_in(width: f64, text: &str, bold: bool) -> usize {
    let room = ((width - PADDING).max(1.0)
        * if bold {
            BOLD_CHARS_PER_UNIT
        } else {
            CHARS_PER_UNIT
        })
    .floor()
    .max(1.0) as usize;
    text.lines()
        .map(|line| {
            let (mut lines, mut used) = (1, 0);
            for word in line.split_whitespace() {
                let len = word.chars().count();
                if used > 0 && used + 1 + len <= room {
                    used += 1 + len;
                    continue;
                }
                if used > 0 {
                    lines += 1;
                }
                // The word starts a line; one longer than the line is cut over more lines.
                let more = (len - 1) / room;
                lines += more;
                used = len - more * room;
            }
            lines
        })
        .sum::<usize>()
        .max(1)
}

/// The rows' heights as written, so that the print set-up can place page breaks.
#[derive(Default)]
pub struct Rows {
    heights: Vec<f64>,
}

impl Rows {
    /// Makes `row` as tall as the tallest of its wrapped `(column width, text, bold)` cells.
    pub fn fit(
        &mut self,
        ws: &mut Worksheet,
        row: u32,
        texts: &[(f64, &str, bool)],
    ) -> Result<(), XlsxError> {
        let lines = texts
            .iter()
            .map(|(width, text, bold)| lines_in(*width, text, *bold))
            .max()
            .unwrap_or(1);
        self.set(ws, row, LINE * lines as f64)
    }

    /// Sets `row`'s height; a single line keeps the reader's default. A row is at most
    /// `MAX_ROW` tall, the most a spreadsheet allows (and less than a printed page).
    pub fn set(&mut self, ws: &mut Worksheet, row: u32, height: f64) -> Result<(), XlsxError> {
        let height = height.min(MAX_ROW);
        let at = row as usize;
        if self.heights.len() <= at {
            self.heights.resize(at + 1, LINE);
        }
        self.heights[at] = height;
        if height > LINE {
            ws.set_row_height(row, height)?;
        }
        Ok(())
    }

    pub fn height(&self, row: u32) -> f64 {
        self.heights.get(row as usize).copied().unwrap_or(LINE)
    }

    fn sum(&self, rows: std::ops::Range<u32>) -> f64 {
        rows.map(|r| self.height(r)).sum()
    }
}

/// A4 landscape with narrow margins, in points and inches.
const PAGE_WIDTH: f64 = 842.0;
const PAGE_HEIGHT: f64 = 595.0;
const MARGIN_SIDE: f64 = 0.4;
const MARGIN_TOP_BOTTOM: f64 = 0.6;
/// The smallest print scale, in percent: 11 pt text prints at 5.5 pt, still legible. A wider
/// sheet prints over more pages across rather than smaller.
const MIN_SCALE: u16 = 50;
/// Share of a page's width and height counted as usable: room for the estimate's errors and
/// for fonts a little wider than the default.
const SAFETY: f64 = 0.9;

/// A column `width` units wide, in points at 100%: the file stores the width with the cell's
/// padding (5 pixels of a 7-pixel digit), and a digit of the default font is 5.55 points wide
/// (measured in LibreOffice's print of the workbooks, Calibri's metrics); rounded up.
fn points(width: f64) -> f64 {
    (width + 5.0 / 7.0) * 5.6
}

/// What the print set-up needs to know of a sheet.
pub struct Print<'a> {
    pub widths: &'a [f64],
    pub rows: &'a Rows,
    /// The header rows, printed again at the top of every page.
    pub header: std::ops::RangeInclusive<u32>,
    /// Runs of rows that should not be split over two pages, in order.
    pub blocks: &'a [std::ops::Range<u32>],
    /// Columns before which a page across starts, when the sheet is too wide for one page.
    pub column_breaks: &'a [u16],
    pub last_row: u32,
}

impl Print<'_> {
    /// Sets paper, scale (one page wide when that stays legible), print area, repeated header,
    /// footer and page breaks on `ws`.
    /// The reader scales the columns to the page with its own fonts; the breaks assume the
    /// default font's scale, which a wider substitute only makes smaller (pages hold more).
    pub fn apply(&self, ws: &mut Worksheet, footer: &str) -> Result<(), XlsxError> {
        let scale = self.scale();
        if scale == MIN_SCALE {
            // Too wide for one legible page: the number and label columns print again on each
            // page across, a row's pages follow each other, and a page across starts where a
            // header spanning several columns ends.
            ws.set_repeat_columns(0, 1)?;
            ws.set_page_order(false);
            let columns: Vec<u32> = self.column_breaks.iter().map(|c| u32::from(*c)).collect();
            ws.set_vertical_page_breaks(&columns)?;
        }
        ws.set_landscape()
            .set_paper_size(9)
            .set_margins(
                MARGIN_SIDE,
                MARGIN_SIDE,
                MARGIN_TOP_BOTTOM,
                MARGIN_TOP_BOTTOM,
                0.3,
                0.3,
            )
            .set_print_scale(scale)
            .set_footer(footer);
        let last_col = self.widths.len().saturating_sub(1) as u16;
        ws.set_print_area(0, 0, self.last_row, last_col)?;
        ws.set_repeat_rows(*self.header.start(), *self.header.end())?;
        ws.set_page_breaks(&self.breaks(scale))?;
        Ok(())
    }

    /// The largest whole percentage at which every column fits the page's width, in the
    /// default font, but never under `MIN_SCALE`.
    fn scale(&self) -> u16 {
        let width: f64 = self.widths.iter().map(|w| points(*w)).sum();
        let room = (PAGE_WIDTH - 2.0 * MARGIN_SIDE * 72.0) * SAFETY;
        ((room / width * 100.0).floor() as u16).clamp(MIN_SCALE, 100)
    }

    /// Rows before which a page starts: a block that does not fit what is left of a page
    /// starts the next one; a block taller than a page is cut where the page is full.
    fn breaks(&self, scale: u16) -> Vec<u32> {
        let page =
            (PAGE_HEIGHT - 2.0 * MARGIN_TOP_BOTTOM * 72.0) * 100.0 / f64::from(scale) * SAFETY;
        let header = self.rows.sum(*self.header.start()..*self.header.end() + 1);
        let mut used = self.rows.sum(0..*self.header.end() + 1);
        // Whether the page holds rows of the table yet: a page is never left with its header
        // alone.
        let mut filled = false;
        let mut breaks = Vec::new();
        let mut next = *self.header.end() + 1;
        for block in self.blocks {
            // Rows between blocks (blank spacers) go with the block that follows.
            let rows = next.min(block.start)..block.end;
            next = block.end;
            let height = self.rows.sum(rows.clone());
            if used + height <= page {
                used += height;
                filled = true;
                continue;
            }
            if filled && header + height <= page {
                breaks.push(block.start);
                used = header + self.rows.sum(block.start..block.end);
                continue;
            }
            for row in rows {
                let h = self.rows.height(row);
                if used + h > page && filled {
                    breaks.push(row);
                    used = header;
                }
                used += h;
                filled = true;
            }
        }
        breaks.dedup();
        breaks
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_wrap_between_words() {
        assert_eq!(lines_in(11.0, "one two three", false), 2); // "one two" / "three"
        assert_eq!(lines_in(11.0, "one\ntwo", false), 2);
        assert_eq!(lines_in(6.0, "abcdefghijkl", false), 3); // cut in 5s
        assert_eq!(lines_in(6.0, "ab abcdefghijkl", false), 4); // "ab" then cut in 5s
        assert_eq!(lines_in(30.0, "", false), 1);
        assert!(widest_word("l'égalité des sexes et l'autonomisation", true) >= 16.0);
    }

    #[test]
    fn a_page_never_holds_its_header_alone() {
        // A title taking most of the first page, then a block that fits only a whole page.
        let mut heights = vec![LINE; 100];
        heights[0] = 300.0;
        let rows = Rows { heights };
        let block = 5..30;
        let print = Print {
            widths: &[50.0; 4],
            rows: &rows,
            header: 3..=4,
            blocks: std::slice::from_ref(&block),
            column_breaks: &[],
            last_row: 30,
        };
        assert!(!print.breaks(100).contains(&5), "{:?}", print.breaks(100));
    }

    #[test]
    fn blocks_stay_on_one_page() {
        let rows = Rows {
            heights: vec![LINE; 200],
        };
        let blocks: Vec<std::ops::Range<u32>> =
            (0..10).map(|b| 5 + b * 15..5 + b * 15 + 12).collect();
        let print = Print {
            widths: &[50.0; 4],
            rows: &rows,
            header: 3..=4,
            blocks: &blocks,
            column_breaks: &[],
            last_row: 160,
        };
        let breaks = print.breaks(100);
        assert!(!breaks.is_empty());
        assert!(
            breaks[0] > blocks[0].start,
            "the first page holds the first block"
        );
        assert!(
            breaks.iter().all(|b| blocks.iter().any(|r| r.start == *b)),
            "{breaks:?}"
        );
    }
}
