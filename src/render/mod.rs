//! Rendering a checked report: the PDF through typst, the Annex A workbook through
//! rust_xlsxwriter.

pub mod annex_a;
mod answers;
pub(crate) mod budget;
pub mod document;
pub mod docx;
pub mod pdf;
pub mod redline;
mod word;
pub mod world;

/// The typst release that lays out every PDF; the manifest and the PDF's creator name it, and a
/// unit test keeps it equal to the one in Cargo.lock.
pub const TYPST_VERSION: &str = "0.15.1";

#[cfg(test)]
mod tests {
    #[test]
    fn the_typst_version_is_the_one_compiled_in() {
        let lock = include_str!("../../Cargo.lock");
        let entry = format!("name = \"typst\"\nversion = \"{}\"", super::TYPST_VERSION);
        assert!(
            lock.contains(&entry),
            "Cargo.lock has another typst than {}",
            super::TYPST_VERSION
        );
    }
}
