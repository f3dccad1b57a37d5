//! The files the reports are made with — typst templates, language catalogs, the skeleton of
//! `new` — under names relative to `templates/`. A built-in copy is compiled into the program;
//! the workspace's own `templates/` folder (or `--templates DIR`) is laid over it at run time,
//! so a catalog edit or a new language needs no new program. Fonts are always the built-in ones.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock, RwLock};

use crate::error::{Error, Result};

include!(concat!(env!("OUT_DIR"), "/templates.rs"));

/// Largest template or catalog file read from disk: far above any real one.
const MAX_FILE: u64 = 8 << 20;

/// The most files, and bytes, a templates folder holds: every PDF carries its form's folder, and
/// a PDF's files must stay few and small enough to be read back (`pdf_files`).
const MAX_FILES: usize = 48;
const MAX_TOTAL: u64 = 32 << 20;

/// The kinds of file a templates folder holds: layouts, catalogs and descriptions, data a layout
/// reads, images. Anything else (a WebAssembly plugin, a key) is refused by name.
const KINDS: &[&str] = &[
    "typ", "yaml", "yml", "j2", "json", "csv", "png", "jpg", "jpeg", "gif", "svg", "webp",
];

/// Whether `name` ends in one of the kinds a template reads, in any case.
fn is_known_kind(name: &str) -> bool {
    name.rsplit_once('.')
        .is_some_and(|(_, kind)| KINDS.contains(&kind.to_ascii_lowercase().as_str()))
}

/// Notes beside the templates, which nothing reads: left out.
const NOTES: &[&str] = &["md", "txt"];

/// Whether `name` (`pbf-2019/report.typ`) is a plain path: each step letters, digits, `.`, `-`
/// and `_`, starting with a letter or digit (never `..`, a separator or a backslash).
pub fn is_plain(name: &str) -> bool {
    name.len() <= 200
        && name.split('/').count() <= MAX_DEPTH + 1
        && name.split('/').all(|step| {
            step.starts_with(|c: char| c.is_ascii_alphanumeric())
                && step
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        })
}

/// One set of template files.
#[derive(Debug, Clone)]
pub struct Templates {
    files: BTreeMap<String, Data>,
    /// The folder laid over the built-in copy, for messages.
    folder: Option<PathBuf>,
    /// What is read from these files once, for every source checked with them.
    derived: Arc<Derived>,
    /// For the words a PDF carries: their names, the only ones a rebuild records and attaches
    /// (a file added to the built-in form since, such as its Word layout, serves the rebuild
    /// without being attached).
    carried: Option<Arc<std::collections::BTreeSet<String>>>,
}

/// A form's description read, with its schema and what its catalogs lack, by form name.
type Prepared = std::result::Result<Arc<crate::form::Prepared>, String>;

#[derive(Debug, Default)]
struct Derived {
    forms: std::sync::Mutex<BTreeMap<String, Option<Prepared>>>,
}

/// A file's bytes: the built-in copy is borrowed from the program, never copied.
#[derive(Debug, Clone)]
enum Data {
    Builtin(&'static [u8]),
    Read(Arc<[u8]>),
}

impl std::ops::Deref for Data {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Data::Builtin(bytes) => bytes,
            Data::Read(bytes) => bytes,
        }
    }
}

impl Templates {
    /// The copy built into the program.
    pub fn builtin() -> Templates {
        let files = FILES
            .iter()
            .map(|(name, bytes, _)| (name.to_string(), Data::Builtin(bytes)))
            .collect();
        Templates {
            files,
            folder: None,
            derived: Arc::default(),
            carried: None,
        }
    }

    /// The built-in copy with the files of `dir` laid over it (fonts excepted).
    pub fn with_folder(dir: &Path) -> Result<Templates> {
        let meta = std::fs::metadata(dir).map_err(|e| Error::read(dir, e))?;
        if !meta.is_dir() {
            let expected = "a templates folder (i18n/, pbf-2019/)";
            return Err(Error::wrong_kind(dir, expected, "not a folder"));
        }
        let mut found = Vec::new();
        // Links inside the folder are followed within the workspace, never out of it: what a
        // template reads is carried by every PDF. A folder elsewhere (a link to shared
        // templates, `--templates`) is its own bound.
        let folder = dir.canonicalize().map_err(|e| Error::read(dir, e))?;
        let workspace = std::env::current_dir().and_then(|d| d.canonicalize());
        let within = match workspace {
            Ok(workspace) if folder.starts_with(&workspace) => workspace,
            _ => folder,
        };
        collect(dir, &within, dir, 0, &mut found)?;
        let total: u64 = found.iter().map(|(_, b)| b.len() as u64).sum();
        if found.len() > MAX_FILES || total > MAX_TOTAL {
            let found = format!(
                "{} files, {} MiB in all, more than the {MAX_FILES} files and {} MiB a PDF can carry",
                found.len(),
                total >> 20,
                MAX_TOTAL >> 20
            );
            return Err(Error::wrong_kind(dir, "a templates folder", found));
        }
        // A PDF carries `sub/x.yaml` as `sub.x.yaml`: two files that would be carried under one
        // name cannot both be.
        let mut carried: Vec<(String, &str)> = found
            .iter()
            .map(|(name, _)| (crate::pipeline::attached_name(name), name.as_str()))
            .collect();
        carried.sort();
        if let Some(pair) = carried.windows(2).find(|w| w[0].0 == w[1].0) {
            let found = format!(
                "a folder holding {} and {}, which a PDF would both carry as {} (rename one)",
                crate::terminal::line(pair[0].1),
                crate::terminal::line(pair[1].1),
                crate::terminal::line(&pair[0].0)
            );
            return Err(Error::wrong_kind(dir, "a templates folder", found));
        }
        let mut templates = Templates::builtin().with_files(found);
        templates.folder = Some(dir.to_path_buf());
        Ok(templates)
    }

    /// These files with `files` (name → bytes) added or replacing the ones of that name.
    /// A name that is not plain (`../x.typ`, as a crafted PDF may carry), or of a kind no
    /// template reads (a WebAssembly plugin), is left out.
    pub fn with_files(mut self, files: Vec<(String, Vec<u8>)>) -> Templates {
        self.derived = Arc::default();
        for (name, bytes) in files {
            if !name.starts_with("fonts/") && is_plain(&name) && is_known_kind(&name) {
                self.files.insert(name, Data::Read(Arc::from(bytes)));
            }
        }
        self
    }

    /// The built-in copy with the words a PDF carries laid over it, recording those only. A file
    /// the PDF does not carry is the built-in one, but for the 2019 form's Word layout: a version
    /// of that form that carries none was made before a PDF carried it, and its copy is drawn
    /// with the first layout, as it was.
    pub fn carried(mut words: Vec<(String, Vec<u8>)>) -> Templates {
        let names = words.iter().map(|(n, _)| n.clone()).collect();
        let carries = |name: &str| words.iter().any(|(n, _)| n == name);
        if carries("pbf-2019/report.typ") && !carries("pbf-2019/word.xml.j2") {
            words.push(("pbf-2019/word.xml.j2".into(), FIRST_WORD_LAYOUT.to_vec()));
        }
        let mut templates = Templates::builtin().with_files(words);
        templates.carried = Some(Arc::new(names));
        templates
    }

    /// Whether a build with these files records and attaches the file `name` it uses.
    pub fn records(&self, name: &str) -> bool {
        self.carried
            .as_ref()
            .is_none_or(|names| names.contains(name))
    }

    /// Where the file `name` comes from, for messages: its path in the folder it was read from,
    /// else `templates/<name>`.
    pub fn shown_path(&self, name: &str) -> String {
        match &self.folder {
            Some(dir) if self.is_from_folder(name) => crate::terminal::path(&dir.join(name)),
            _ => format!("templates/{name}"),
        }
    }

    /// Whether the file `name` was read from a folder (a workspace's, or `--templates`), rather
    /// than built in or carried by a PDF.
    pub fn is_from_folder(&self, name: &str) -> bool {
        matches!(
            (self.files.get(name), &self.folder),
            (Some(Data::Read(_)), Some(_))
        )
    }

    /// Whether the file `name` is the built-in one.
    pub fn is_builtin(&self, name: &str) -> bool {
        matches!(self.files.get(name), Some(Data::Builtin(_)))
    }

    pub fn file(&self, name: &str) -> Option<&[u8]> {
        self.files.get(name).map(|b| &b[..])
    }

    /// The typst that runs for the file `name` of the form `form`: the file, or, for a layout
    /// an earlier pbf-report shipped, the built-in layout of that form.
    pub fn runs_as<'a>(&self, form: &str, name: &str, bytes: &'a [u8]) -> &'a [u8] {
        let layout = format!("{form}/{}", crate::form::LAYOUT);
        let earlier = name == layout
            && EARLIER_LAYOUTS.contains(&(form, crate::hash::sha256(bytes).as_str()));
        match FILES.iter().find(|(n, _, _)| earlier && *n == layout) {
            Some((_, builtin, _)) => builtin,
            None => bytes,
        }
    }

    /// The file at `name` with its name, both borrowed from this set.
    pub fn entry(&self, name: &str) -> Option<(&str, &[u8])> {
        self.files
            .get_key_value(name)
            .map(|(n, b)| (n.as_str(), &b[..]))
    }

    /// The files whose name starts with `prefix`, in name order.
    pub fn files_under<'a>(
        &'a self,
        prefix: &str,
    ) -> impl Iterator<Item = (&'a str, &'a [u8])> + use<'a> {
        let prefix = prefix.to_string();
        self.files
            .range(prefix.clone()..)
            .take_while(move |(n, _)| n.starts_with(&prefix))
            .map(|(n, b)| (n.as_str(), &b[..]))
    }

    /// The forms these templates hold: every folder with a description (`pbf-2019`).
    pub fn form_names(&self) -> Vec<String> {
        let file = format!("/{}", crate::form::FILE);
        self.files
            .keys()
            .filter_map(|name| name.strip_suffix(&file))
            .filter(|name| !name.contains('/'))
            .map(str::to_string)
            .collect()
    }

    /// The description of the form `name`, when these templates hold one; an error says what is
    /// wrong with it (`form_file` names its file).
    pub fn form(&self, name: &str) -> Option<std::result::Result<Arc<crate::form::Form>, String>> {
        self.prepared(name).map(|p| p.map(|p| p.form.clone()))
    }

    /// The form `name` read, with its schema and its catalogs' problems: once per templates.
    pub fn prepared(&self, name: &str) -> Option<Prepared> {
        let mut forms = self.derived.forms.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(known) = forms.get(name) {
            return known.clone();
        }
        let prepared = self
            .read_form(name)
            .map(|form| form.map(|form| Arc::new(crate::form::Prepared::new(form, self))));
        forms.insert(name.to_string(), prepared.clone());
        prepared
    }

    fn read_form(&self, name: &str) -> Option<std::result::Result<Arc<crate::form::Form>, String>> {
        let bytes = self.file(&format!("{name}/{}", crate::form::FILE))?;
        // A form's name names files (`<form>.schema.json`) and is written in every source.
        if !crate::model::is_valid_project_id(name) {
            return Some(Err(format!(
                "its folder `{name}` cannot name a form: use lower-case letters, digits and dashes"
            )));
        }
        if EARLIER.contains(&(name, crate::hash::sha256(bytes).as_str())) {
            return Templates::builtin().form(name);
        }
        let form = crate::form::Form::parse(bytes).and_then(|form| match form.form == name {
            true => Ok(Arc::new(form)),
            false => Err(format!(
                "it describes the form `{}`, but its folder is `{name}`: a form is named as its folder",
                form.form
            )),
        });
        Some(form)
    }

    /// Where the description of the form `name` comes from, for messages.
    pub fn form_file(&self, name: &str) -> String {
        self.shown_path(&format!("{name}/{}", crate::form::FILE))
    }

    /// The languages that have a catalog, e.g. `["en", "fr"]`.
    pub fn languages(&self) -> Vec<String> {
        self.files_under("i18n/")
            .filter_map(|(name, _)| name.strip_prefix("i18n/")?.strip_suffix(".yaml"))
            .map(str::to_string)
            .collect()
    }
}

/// Descriptions that earlier versions of pbf-report shipped, by form and SHA-256. A PDF carries
/// the description it was made with; one of these is read as the built-in description of its
/// form, which describes the same form in more words. So a version archived then still checks
/// and rebuilds, byte for byte, from what its PDF carries.
const EARLIER: &[(&str, &str)] = &[
    (
        "pbf-2019",
        "36b5f5ce0db4698dd38e14a20638460ba00c1d54109596eb9925d90832ecc9da",
    ),
    (
        "pbf-2019",
        "f1c14755d08f13d0692b0c44198d368fd1cccf4fbc7a048df76e560513f88adf",
    ),
    (
        "pbf-2019",
        "d182d82bb34c8c4d8cc0de9c24deb91cac86cb706b62d868d7a2e33d86d35dc5",
    ),
    (
        "pbf-2019",
        "169891020a8e8c4f991eda16bb6fc11797011cfbe5abcdb82214cf189c9e10cf",
    ),
    (
        "pbf-2019",
        "ffdd13e243c49aa544ea6de11edc2769414285721b7fdc450806e0143ea23e6a",
    ),
    (
        "pbf-2019",
        "a214c86a2e5d4d44dc58cca9d45af8e397edecba0b3e57407e8a7d4fe4d7eedd",
    ),
    (
        "pbf-2019",
        "0d21e7de12c236a7a1a7857fe462e125637f100889113c9734e667ac6f16a07f",
    ),
    (
        "pbf-2019",
        "f14534f0e471f85d3038dfecf750aa8d6cbffc78647e4dd83da000eb497d43ef",
    ),
];

/// Layouts that earlier versions of pbf-report shipped, by form and SHA-256. Each read the
/// template data of its day, which no longer exists; one of these, carried by a PDF or in a
/// folder, is run as the built-in layout of its form, which draws the same pages from today's
/// data, while the PDF carries it as it was. So a version archived then still rebuilds, byte for
/// byte.
const EARLIER_LAYOUTS: &[(&str, &str)] = &[(
    "pbf-2019",
    "1afc583e8282a086df2c1154ed569c069be0db5d256e7fb37867c3a6112eb6f4",
)];

/// Files that earlier versions of pbf-report shipped and that read today's template data as
/// they did then, by name and SHA-256: known, and run as they are, so a version archived then
/// rebuilds byte for byte.
const EARLIER_FILES: &[(&str, &str)] = &[
    (
        "pbf-2019/report.typ",
        "152ca5c3e7c8f2a59265cef5760dc5319481edd5f513f62122c24487a34a4841",
    ),
    (
        "pbf-2019/report.typ",
        "5751be6a5afc3d9c61d50c576a5260207dc50a51a87ae8d00a1e632fe4080b01",
    ),
    (
        "pbf-2019/word.xml.j2",
        "0a54c8c694e65c9aeccf02af6d3a871688c7cb1b2805000f6e5698b285c27192",
    ),
];

/// The 2019 form's first Word layout, which drew the copies of the versions made before a PDF
/// carried its Word layout: such a version's copy is drawn with it, as it was.
const FIRST_WORD_LAYOUT: &[u8] = include_bytes!("render/earlier/pbf-2019.word.xml.j2");

/// Whether the program knows `bytes` as the template, catalog or description `name`: one built in, one
/// an earlier release shipped, or one of the workspace's templates folder. Only such words are
/// run when a PDF carries them, unless the user trusts it.
pub fn knows(name: &str, bytes: &[u8]) -> bool {
    let sha = crate::hash::sha256(bytes);
    let builtin = FILES
        .iter()
        .find(|(n, _, _)| *n == name && !n.starts_with("fonts/"));
    let earlier = |list: &[(&str, &str)], file: &str| {
        list.iter()
            .any(|(form, h)| *h == sha && name == format!("{form}/{file}"))
    };
    builtin.is_some_and(|(_, b, _)| crate::hash::sha256(b) == sha)
        || earlier(EARLIER, "form.yaml")
        || earlier(EARLIER_LAYOUTS, "report.typ")
        || EARLIER_FILES.iter().any(|(n, h)| *n == name && *h == sha)
        || current()
            .files
            .get(name)
            .is_some_and(|b| crate::hash::sha256(b) == sha)
}

/// How deep folders may nest in a templates folder: deeper is a link that loops.
const MAX_DEPTH: usize = 8;

/// The files under `dir`, named relative to `root`. Links are followed, as the link to a whole
/// templates folder is. Anything that is not a file or a folder (a FIFO, a device, a broken link),
/// or a file over `MAX_FILE`, is refused by name: a file skipped without a word would leave the
/// built-in one in its place.
fn collect(
    root: &Path,
    within: &Path,
    dir: &Path,
    depth: usize,
    found: &mut Vec<(String, Vec<u8>)>,
) -> Result<()> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::read(dir, e))?;
    let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        let file_name = path.file_name().unwrap_or_default().to_string_lossy();
        let kind = file_name
            .rsplit_once('.')
            .map(|(_, k)| k.to_ascii_lowercase());
        // An editor's lock, swap or backup file, hidden files and notes: nothing reads them.
        let aside = file_name.starts_with('.') || file_name.ends_with('~');
        // The fonts are always the built-in ones: a folder of them is never read.
        let fonts = depth == 0 && file_name == "fonts";
        if aside || fonts || kind.as_deref().is_some_and(|k| NOTES.contains(&k)) {
            continue;
        }
        let meta = std::fs::metadata(&path).map_err(|e| Error::read(&path, e))?;
        let leads_to = path.canonicalize().map_err(|e| Error::read(&path, e))?;
        if !leads_to.starts_with(within) {
            let found = "a link that leads out of the workspace";
            return Err(Error::wrong_kind(&path, TEMPLATE_ITEM, found));
        }
        if !is_plain(&file_name) {
            let found = "a name with other characters than letters, digits, `.`, `-` and `_`";
            return Err(Error::wrong_kind(&path, TEMPLATE_ITEM, found));
        }
        if meta.is_file() && !is_known_kind(&file_name) {
            let found = format!(
                "a file of another kind than {} (notes: .md, .txt)",
                KINDS
                    .iter()
                    .map(|k| format!(".{k}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            return Err(Error::wrong_kind(&path, TEMPLATE_ITEM, found));
        }
        if meta.is_dir() && depth < MAX_DEPTH {
            collect(root, within, &path, depth + 1, found)?;
        } else if meta.is_dir() {
            let found = format!("a folder nested more than {MAX_DEPTH} deep (a link that loops?)");
            return Err(Error::wrong_kind(&path, TEMPLATE_ITEM, found));
        } else if !meta.is_file() {
            return Err(Error::wrong_kind(
                &path,
                TEMPLATE_ITEM,
                "a FIFO, a socket or a device",
            ));
        } else if meta.len() > MAX_FILE {
            let found = format!("a file over {} MiB", MAX_FILE >> 20);
            return Err(Error::wrong_kind(&path, TEMPLATE_ITEM, found));
        } else {
            let name = path.strip_prefix(root).expect("under root");
            let name = name.to_string_lossy().replace('\\', "/");
            found.push((name, crate::fsio::read_file(&path)?));
        }
    }
    Ok(())
}

const TEMPLATE_ITEM: &str = "regular files and folders in a templates folder";

/// Where the templates of this run come from: the folder given with `--templates`, else the
/// workspace's `templates/`, laid over the built-in copy while it is there (it may appear or go
/// during `build --watch`); and whether it was given.
static FOLDER: OnceLock<(PathBuf, bool)> = OnceLock::new();
static CURRENT: RwLock<Option<Arc<Templates>>> = RwLock::new(None);

/// Chooses the templates of this run: `dir` when given, else the workspace's `templates/`
/// when there is one, else the built-in copy; and reads them.
pub fn choose(dir: Option<&Path>) -> Result<()> {
    let chosen = match dir {
        Some(dir) => (dir.to_path_buf(), true),
        None => (PathBuf::from("templates"), false),
    };
    let _ = FOLDER.set(chosen);
    reload()
}

/// Reads the chosen templates again; on an error the previous ones stay.
pub fn reload() -> Result<()> {
    let templates = match FOLDER.get() {
        // Anything named templates/ is read as the folder, and refused if it is not one:
        // skipping it would build with the built-in copy without a word.
        Some((dir, given)) if *given || dir.symlink_metadata().is_ok() => {
            Templates::with_folder(dir)?
        }
        _ => Templates::builtin(),
    };
    *CURRENT.write().expect("never poisoned") = Some(Arc::new(templates));
    Ok(())
}

/// The folder laid over the built-in copy, or the workspace's `templates/` that would be if it
/// were there: what `build --watch` watches.
pub fn folder() -> Option<PathBuf> {
    FOLDER.get().map(|(dir, _)| dir.clone())
}

/// The folder given with `--templates`, if one was.
pub fn given_folder() -> Option<PathBuf> {
    FOLDER
        .get()
        .filter(|(_, given)| *given)
        .map(|(dir, _)| dir.clone())
}

/// The templates of this run (the built-in copy until `choose` is called).
pub fn current() -> Arc<Templates> {
    if let Some(t) = CURRENT.read().expect("never poisoned").as_ref() {
        return t.clone();
    }
    let mut slot = CURRENT.write().expect("never poisoned");
    slot.get_or_insert_with(|| Arc::new(Templates::builtin()))
        .clone()
}

/// The built-in files whose path starts with `prefix`: the fonts, which are never read from
/// disk.
pub fn builtin_under(
    prefix: &str,
) -> impl Iterator<Item = (&'static str, &'static [u8])> + use<'_> {
    builtin_with_hashes(prefix).map(|(name, bytes, _)| (name, bytes))
}

/// The same, with each file's SHA-256 (hex), computed when the program was compiled.
/// The built-in file `name`, if there is one.
pub fn builtin_file(name: &str) -> Option<&'static [u8]> {
    FILES
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, b, _)| *b)
}

pub fn builtin_with_hashes(
    prefix: &str,
) -> impl Iterator<Item = (&'static str, &'static [u8], &'static str)> + use<'_> {
    FILES
        .iter()
        .copied()
        .filter(move |(n, _, _)| n.starts_with(prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A version of the 2019 form made before a PDF carried its Word layout has its copy drawn
    /// with the first layout, which it does not record; one that carries its own keeps it.
    #[test]
    fn a_version_that_carries_no_word_layout_is_drawn_with_the_first() {
        let report = Templates::builtin()
            .entry("pbf-2019/report.typ")
            .unwrap()
            .1
            .to_vec();
        let layout = "pbf-2019/word.xml.j2";
        let before = Templates::carried(vec![("pbf-2019/report.typ".into(), report.clone())]);
        assert_eq!(before.entry(layout).unwrap().1, FIRST_WORD_LAYOUT);
        assert!(!before.records(layout));
        assert!(knows(layout, FIRST_WORD_LAYOUT));
        assert_ne!(
            Templates::builtin().entry(layout).unwrap().1,
            FIRST_WORD_LAYOUT
        );
        let own = Templates::carried(vec![
            ("pbf-2019/report.typ".into(), report),
            (layout.into(), b"<word/>".to_vec()),
        ]);
        assert_eq!(own.entry(layout).unwrap().1, b"<word/>");
        assert!(own.records(layout));
    }

    #[test]
    fn only_plain_names_are_taken_from_a_pdf_or_a_folder() {
        for plain in ["pbf-2019/report.typ", "i18n/fr.yaml", "a/b_c-1.png"] {
            assert!(is_plain(plain), "{plain}");
        }
        for crafted in [
            "pbf-2019/../../x.typ",
            "../x",
            "/etc/passwd",
            r"x\..\y",
            "a//b",
            ".x",
            "a b",
            "é.typ",
            "",
        ] {
            assert!(!is_plain(crafted), "{crafted}");
        }
        let carried = Templates::builtin().with_files(vec![
            ("pbf-2019/../../x.typ".into(), b"#panic()".to_vec()),
            ("pbf-2019/extra.typ".into(), b"x".to_vec()),
        ]);
        assert!(carried.file("pbf-2019/../../x.typ").is_none());
        assert!(carried.file("pbf-2019/extra.typ").is_some());
    }

    #[test]
    fn only_a_file_read_from_a_folder_counts_as_from_a_folder() {
        // The end label is required of such a template only: a PDF may carry an older one.
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("pbf-2019")).unwrap();
        std::fs::write(dir.path().join("pbf-2019/report.typ"), "Hello\n").unwrap();
        let name = "pbf-2019/report.typ";
        let folder = Templates::with_folder(dir.path()).unwrap();
        assert!(folder.is_from_folder(name));
        assert!(!folder.is_from_folder("i18n/fr.yaml"), "built in");
        assert!(!Templates::builtin().is_from_folder(name));
        let carried = Templates::builtin().with_files(vec![(name.into(), b"Hello\n".to_vec())]);
        assert!(!carried.is_from_folder(name), "carried by a PDF");
        let shown = folder.shown_path(name);
        assert_eq!(shown, crate::terminal::path(&dir.path().join(name)));
        assert_eq!(carried.shown_path(name), "templates/pbf-2019/report.typ");
    }

    /// A PDF made before the form's folder held its Word layout still rebuilds with it, and
    /// records and attaches only what it carries.
    #[test]
    fn words_a_pdf_carries_are_the_only_ones_its_rebuild_records() {
        let builtin = Templates::builtin();
        let carried: Vec<(String, Vec<u8>)> =
            ["pbf-2019/report.typ", "pbf-2019/form.yaml", "i18n/fr.yaml"]
                .iter()
                .map(|n| (n.to_string(), builtin.file(n).unwrap().to_vec()))
                .collect();
        let rebuilt = Templates::carried(carried);
        let layout = "pbf-2019/word.xml.j2";
        assert!(rebuilt.file(layout).is_some());
        let recorded: Vec<&str> = crate::manifest::words_used(&rebuilt, "pbf-2019", ["fr"])
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        assert_eq!(
            recorded,
            ["pbf-2019/form.yaml", "pbf-2019/report.typ", "i18n/fr.yaml"]
        );
        let today: Vec<&str> = crate::manifest::words_used(&builtin, "pbf-2019", ["fr"])
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        assert!(today.contains(&layout), "{today:?}");
    }

    #[test]
    fn a_carried_plugin_or_path_is_never_among_the_files() {
        let files = vec![
            ("pbf-2019/plugin.wasm".to_string(), b"\0asm".to_vec()),
            ("pbf-2019/../../x.typ".to_string(), b"#x".to_vec()),
            ("pbf-2019/logo.PNG".to_string(), b"png".to_vec()),
        ];
        let templates = super::Templates::builtin().with_files(files);
        assert!(templates.file("pbf-2019/plugin.wasm").is_none());
        assert!(templates.file("pbf-2019/../../x.typ").is_none());
        assert!(templates.file("pbf-2019/logo.PNG").is_some());
    }

    #[test]
    fn a_folder_is_laid_over_the_builtin_copy() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("i18n")).unwrap();
        std::fs::write(dir.path().join("i18n/es.yaml"), "doc.title: \"INFORME\"\n").unwrap();
        std::fs::write(dir.path().join("i18n/fr.yaml"), "doc.title: \"RAPPORT\"\n").unwrap();
        let t = Templates::with_folder(dir.path()).unwrap();
        assert_eq!(t.languages(), ["en", "es", "fr"]);
        assert_eq!(
            t.file("i18n/fr.yaml"),
            Some(&b"doc.title: \"RAPPORT\"\n"[..])
        );
        assert!(t.file("pbf-2019/report.typ").is_some());
        assert!(t.files_under("fonts/").next().is_some());
    }

    #[test]
    fn a_form_is_named_as_its_folder_in_lower_case_letters_digits_and_dashes() {
        let description = |name: &str| format!("form: {name}\ntitle: t\nparts: []\n").into_bytes();
        let t = Templates::builtin().with_files(vec![
            ("good-1/form.yaml".into(), description("good-1")),
            ("Bad_Name/form.yaml".into(), description("Bad_Name")),
            ("other/form.yaml".into(), description("another")),
        ]);
        assert!(t.form("good-1").unwrap().is_ok());
        assert!(
            t.form("Bad_Name")
                .unwrap()
                .unwrap_err()
                .contains("cannot name a form")
        );
        assert!(
            t.form("other")
                .unwrap()
                .unwrap_err()
                .contains("its folder is `other`")
        );
        assert!(t.form("missing").is_none());
        assert!(t.form_names().contains(&"good-1".to_string()));
    }
}
