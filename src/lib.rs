//! pbf-report: the UN Peacebuilding Fund's project progress report, built from a YAML source.
//!
//! The pipeline runs one way: `source` (YAML → node tree) → `check` (structure, limits,
//! consistency → typed `model::Report`) → renderers. Nothing downstream reads YAML again.

pub mod archive;
pub mod check;
pub mod cli;
pub mod cmd;
pub mod diagnostic;
pub mod i18n;
pub mod model;
pub mod render;
pub mod source;
pub mod templates;
