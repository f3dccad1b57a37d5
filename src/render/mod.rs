//! Rendering a checked report: the PDF through typst, and (later) the Annex A workbook.

pub mod document;
pub mod pdf;
pub mod world;
