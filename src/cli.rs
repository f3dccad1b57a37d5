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
    /// The templates and catalogs to use, laid over the built-in ones; default: the workspace's
    /// templates/ folder when there is one.
    #[arg(long, global = true, value_name = "DIR")]
    pub templates: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check report sources, then render each into out/<project>/<version>/.
    Build(BuildArgs),
    /// Check report sources and list every problem, without writing anything.
    Check(CheckArgs),
    /// Mark a built version folder as submitted: no later build may change it.
    Archive(ArchiveArgs),
    /// Rebuild a version folder (or a PDF) from its source and compare every byte.
    Verify(VerifyArgs),
    /// Write out the files a PDF carries: its report source, its Annex A workbook, the template
    /// and catalog it was made with, and its identity (pbf-report.json).
    Extract(ExtractArgs),
    /// Start, check, count or preview the language catalogs.
    #[command(subcommand)]
    I18n(I18nCommand),
    /// Print the JSON Schema of the report source format.
    Schema(SchemaArgs),
    /// Write a skeleton source for a new report, with every question as a comment; or, with
    /// --from, the next version of a report from the last.
    New(NewArgs),
    /// Show what changed between two versions of a report: the cover, ratings, indicators,
    /// spending and every answer. Exits 0 when they are the same, 1 when they differ, 2 when
    /// an input cannot be read or compared, 3 when the PDF cannot be written.
    Diff(DiffArgs),
    /// Show the report's pages in the browser as its PDF lays them out, with every problem
    /// `check` finds and the character counts beside them, updated at each save. Ctrl-C ends
    /// it, or the end of standard input when that is not a terminal.
    Preview(LiveArgs),
    /// Turn a past report (plain text, PDF, .docx) into a new source, or write back into a
    /// source the answers reviewers edited in its Word copy.
    Import(ImportArgs),
}

#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The earlier version: a source, a version folder or a PDF built by pbf-report. Alone, a
    /// source, compared with the version it follows (its `previous:`).
    pub old: PathBuf,
    /// The later version, in any of those forms.
    pub new: Option<PathBuf>,
    /// The language to compare in; default: the first both versions are written in.
    #[arg(long)]
    pub lang: Option<String>,
    /// Print the changes as JSON, for other programs.
    #[arg(long, conflicts_with = "pdf")]
    pub json: bool,
    /// Also write the changes as a PDF, the answers' words marked inserted or deleted.
    #[arg(long, value_name = "FILE")]
    pub pdf: Option<PathBuf>,
    /// Compare reports of different projects or forms, field by field.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, clap::Args)]
pub struct LiveArgs {
    /// The report source; default: the only one under data/.
    pub source: Option<PathBuf>,
    /// The language shown first, when the report is written in several.
    #[arg(long)]
    pub lang: Option<String>,
    /// The port to listen on, on 127.0.0.1 only; default: a free one. The address is printed.
    #[arg(long)]
    pub port: Option<u16>,
    /// Also check the spelling of every text, as `check --spelling` does.
    #[arg(long)]
    pub spelling: bool,
    /// With --spelling: the folder of Hunspell dictionaries (<lang>.aff and .dic); default:
    /// /usr/share/hunspell.
    #[arg(long, value_name = "DIR", requires = "spelling")]
    pub dictionaries: Option<PathBuf>,
    /// Render the source for the server at each line of standard input, as JSON.
    #[arg(long, hide = true)]
    pub worker: bool,
}

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// A past report (plain text, PDF or .docx), or a Word copy made by pbf-report
    /// (`word_copy: true`), edited or not.
    pub file: PathBuf,
    /// Where to write the source, a new file; default: data/<project>/<version>.yaml (a
    /// reviewed Word copy updates the source there in place).
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Import a report that holds only part of the form (a cover page, a report on another
    /// version of the form): what is found, and a TODO for each of the rest.
    #[arg(long)]
    pub partial: bool,
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Source files or folders (searched for .yaml files); default: data/
    pub paths: Vec<PathBuf>,
    /// Treat warnings as errors.
    #[arg(long)]
    pub deny_warnings: bool,
    /// Also list, on standard output, every text the form limits: its count, its limit and
    /// what is left.
    #[arg(long)]
    pub counts: bool,
    /// Also say which rules a source's form skips, for want of the roles they read.
    #[arg(long, short)]
    pub verbose: bool,
    /// Also check the spelling of every text in its language, with Hunspell dictionaries.
    #[arg(long)]
    pub spelling: bool,
    /// With --spelling: list on standard output each unknown word once, with its count, to add
    /// the good ones to a word list (spelling.txt, spelling.<lang>.txt).
    #[arg(long, requires = "spelling")]
    pub list: bool,
    /// With --spelling: the folder of Hunspell dictionaries (<lang>.aff and .dic); default:
    /// /usr/share/hunspell.
    #[arg(long, value_name = "DIR", requires = "spelling")]
    pub dictionaries: Option<PathBuf>,
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
    /// Print only errors.
    #[arg(long, short, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Keep running, and build again whenever a source changes; errors are reported and the
    /// watch goes on. Ctrl-C ends it, or the end of standard input when that is not a terminal.
    #[arg(long)]
    pub watch: bool,
    /// Also list every file written.
    #[arg(long, short)]
    pub verbose: bool,
    /// Also check the spelling of every text, as `check --spelling` does: its warnings are said
    /// before the build, which they do not stop.
    #[arg(long, conflicts_with_all = ["watch", "quiet"])]
    pub spelling: bool,
    /// With --spelling: the folder of Hunspell dictionaries (<lang>.aff and .dic); default:
    /// /usr/share/hunspell.
    #[arg(long, value_name = "DIR", requires = "spelling")]
    pub dictionaries: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum I18nCommand {
    /// Missing, extra, stale and empty entries, template syntax, placeholders and French
    /// spacing; exits 1 on any (entries not yet translated are a warning).
    Check(CheckCatalogArgs),
    /// A table per language: entries translated, untranslated, stale, missing and extra.
    Status(CatalogArgs),
    /// Start a catalog for a new language: every entry, its English recorded, marked untranslated.
    /// For a language built in, the same as `export`.
    Init(InitArgs),
    /// Write a built-in catalog (en, fr) into the workspace, to edit; never over a file.
    Export(InitArgs),
    /// Build a report in a language with each catalog entry's key printed beside its text, to
    /// see where each string lands; entries not yet translated are marked ✗.
    Preview(PreviewArgs),
}

#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// The language code: lower-case letters, e.g. es, pt, ar.
    pub lang: String,
    /// The folder of catalogs; default: i18n/ in the templates folder (--templates DIR, else
    /// the workspace's templates/).
    #[arg(long)]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct PreviewArgs {
    /// The language to preview.
    pub lang: String,
    /// The report to show; default: the first source under data/.
    #[arg(long)]
    pub source: Option<PathBuf>,
    /// Where to write the PDF.
    #[arg(long, default_value = "out/preview")]
    pub out: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct CheckCatalogArgs {
    #[command(flatten)]
    pub catalogs: CatalogArgs,
    /// Remove the `# untranslated` mark of each entry that is translated (its text differs
    /// from the English it records).
    #[arg(long)]
    pub fix: bool,
}

#[derive(Debug, clap::Args)]
pub struct CatalogArgs {
    /// The folder of catalogs (one <lang>.yaml each; en.yaml is the reference); default: i18n/
    /// in the templates folder (--templates DIR, else the workspace's templates/).
    #[arg(long)]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct FolderArgs {
    /// A version folder, out/<project>/<version>, or a PDF built by pbf-report.
    pub path: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// A version folder, out/<project>/<version>, or a PDF built by pbf-report.
    pub path: PathBuf,
    /// Run the templates and catalogs the PDFs carry even when pbf-report does not know them
    /// (neither built in nor in this workspace's templates): only for a PDF you trust.
    #[arg(long)]
    pub trust_carried: bool,
}

#[derive(Debug, clap::Args)]
pub struct ArchiveArgs {
    /// A version folder, out/<project>/<version>.
    pub path: PathBuf,
    /// Who submits it, as the archive mark records it; default: the USER of the environment.
    #[arg(long, value_name = "NAME")]
    pub by: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct ExtractArgs {
    /// A PDF built by pbf-report.
    pub pdf: PathBuf,
    /// Where to write the files.
    #[arg(long, short, default_value = ".")]
    pub out: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct SchemaArgs {
    /// The form whose sources the schema describes.
    #[arg(long, default_value = crate::form::BUILT_IN)]
    pub template: String,
}

#[derive(Debug, clap::Args)]
pub struct NewArgs {
    /// Project identifier: lower-case letters, digits and dashes, e.g. pbf-irf-300 (an id with
    /// `prf` or `irf` in it gives the skeleton that modality).
    pub project_id: String,
    /// The report version, which names the source file, e.g. 2020-06-15-semi-annual; a date and
    /// a report type in it (semi-annual, annual, final) fill in the report's date and type.
    #[arg(long)]
    pub version: String,
    /// Language of the report and of the questions in the skeleton.
    #[arg(long, env = "PBF_REPORT_LANG", required_unless_present = "from")]
    pub lang: Option<String>,
    /// Start from the last version instead (a source, a version folder or a PDF built by
    /// pbf-report): its answers, the new version's date and type, the version it follows
    /// recorded, and each answer of the period marked for update.
    #[arg(long, value_name = "OLD", conflicts_with = "template")]
    pub from: Option<PathBuf>,
    /// Where to write the skeleton; default: data/<PROJECT_ID>/<VERSION>.yaml
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// The form the report fills in: the built-in one, or a folder of templates/ with its
    /// form.yaml.
    #[arg(long, default_value = crate::form::BUILT_IN)]
    pub template: String,
}
