//! Rendering a checked report: the PDF through typst, the Annex A workbook through
//! rust_xlsxwriter.

pub mod annex_a;
pub mod document;
pub mod pdf;
pub mod world;
