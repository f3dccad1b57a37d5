//! The command line: argument structs only; `main.rs` dispatches them to `cmd`.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "pbf-report",
    version,
    about = "Builds the PBF project progress report from a YAML source"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check report sources, then render each into out/<project>/<version>/.
    Build(BuildArgs),
    /// Check report sources and list every problem, without writing anything.
    Check(CheckArgs),
    /// Print the JSON Schema of the report source format.
    Schema,
    /// Write a skeleton source for a new report, with every question as a comment.
    New(NewArgs),
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Source files or folders (searched for .yaml files); default: data/
    pub paths: Vec<PathBuf>,
    /// Treat warnings as errors.
    #[arg(long)]
    pub deny_warnings: bool,
}

#[derive(Debug, clap::Args)]
pub struct BuildArgs {
    /// Source files or folders (searched for .yaml files); default: data/
    pub paths: Vec<PathBuf>,
    /// Render texts over their limit anyway, each marked with its count, on pages marked DRAFT.
    #[arg(long)]
    pub draft: bool,
    /// Output folder.
    #[arg(long, default_value = "out")]
    pub out: PathBuf,
    /// Also write the template, data and fonts of each PDF to DIR/<project>/<version>/<lang>/, for
    /// the stock `typst compile`.
    #[arg(long, value_name = "DIR")]
    pub emit_typst: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct NewArgs {
    /// Project identifier: lower-case letters, digits and dashes, e.g. pbf-irf-300
    pub project_id: String,
    /// Language of the report and of the questions in the skeleton.
    #[arg(long, default_value = "fr")]
    pub lang: String,
    /// Where to write the skeleton; default: data/<PROJECT_ID>/draft.yaml
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}
