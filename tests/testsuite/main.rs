//! The integration tests: one binary, so that the whole of typst is linked once. Each module
//! runs the real `pbf-report` binary on real files, or the library on them, and reads the
//! outputs back with real readers (pdftotext, qpdf, LibreOffice).

mod common;

mod amounts;
mod annex_a;
mod archive;
mod browser;
mod check;
mod cli;
mod diff;
mod example;
mod exit;
mod failure;
mod forms;
mod hostile;
mod i18n;
mod import;
mod layout;
mod pdf;
mod preview;
mod promises;
mod property;
mod sandbox;
mod spelling;
mod watch;
mod word;
