//! pbf-report: the UN Peacebuilding Fund's project progress report, built from a YAML source.
//!
//! The pipeline runs one way: `source` (YAML → node tree) → `check` (structure, limits,
//! consistency → typed `model::Report`) → `build` (renderers in memory, then the version folder
//! on disk). `verify` and `archive` work on what `build` wrote. Nothing downstream reads YAML
//! again.

pub mod archive;
pub mod build;
pub mod check;
pub mod cli;
pub mod cmd;
pub mod diagnostic;
pub mod error;
pub mod folder;
pub mod fsio;
pub mod hash;
pub mod i18n;
pub mod import;
pub mod manifest;
pub mod model;
pub mod pdf_files;
pub mod render;
pub mod source;
pub mod sources;
pub mod templates;
pub mod terminal;
pub mod verify;
