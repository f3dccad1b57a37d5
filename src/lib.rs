//! pbf-report: the UN Peacebuilding Fund's project progress report, built from a YAML source.
//!
//! The pipeline runs one way: `source` (YAML → node tree) → `check` (structure, limits,
//! consistency → typed `model::Report`) → `pipeline` (renderers in memory, then the version
//! folder on disk). `verify` and `archive` work on what `pipeline` wrote. Nothing downstream reads YAML
//! again.

pub mod archive;
pub mod changes;
pub mod check;
pub mod cli;
pub mod cmd;
pub mod diagnostic;
pub mod diff;
pub mod discover;
pub mod error;
pub mod fit;
pub mod folder;
pub mod form;
pub mod fsio;
pub mod hash;
pub mod i18n;
pub mod import;
pub mod manifest;
pub mod model;
pub mod pdf_files;
pub mod pipeline;
pub mod preview;
pub mod render;
pub mod source;
pub mod templates;
pub mod terminal;
pub mod verify;
