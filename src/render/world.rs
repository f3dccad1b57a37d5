//! The typst `World` of pbf-report: the template files of the run, the fonts built into the
//! binary, the report data served from memory, a fixed clock, and no packages, network or
//! system fonts.

use std::collections::HashMap;
use std::sync::LazyLock;

use typst::diag::{FileError, FileResult, PackageError};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook, FontInfo};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_kit::fonts::{FontSource, FontStore};

use crate::templates::{self, Templates};

/// The fonts under `templates/fonts/`, shared by every compile of the process: their metadata
/// is read once for the font book, and a face is parsed only when typst first asks for it
/// (Symbola, the largest, only for a character the others lack).
static FONTS: LazyLock<FontStore> = LazyLock::new(|| {
    let mut store = FontStore::new();
    for (name, bytes) in templates::builtin_under("fonts/") {
        if name.ends_with(".ttf") || name.ends_with(".otf") {
            // Every face of the file (a collection holds several), until the first that fails.
            for index in 0.. {
                let Some(info) = FontInfo::new(bytes, index) else {
                    break;
                };
                store.push((Embedded { bytes, index }, info));
            }
        }
    }
    store
});

/// A face of a font built into the program, parsed on first use.
struct Embedded {
    bytes: &'static [u8],
    index: u32,
}

impl FontSource for Embedded {
    fn load(&self) -> Option<Font> {
        Font::new(Bytes::new(self.bytes), self.index)
    }
}

static LIBRARY: LazyLock<LazyHash<Library>> = LazyLock::new(|| LazyHash::new(Library::default()));

/// The embedded fonts, for checks that need to know what they cover.
pub fn fonts() -> &'static FontStore {
    &FONTS
}

/// Whether the embedded fonts can draw `c`, or it needs no drawing (spaces, controls, and
/// zero-width format characters).
pub fn can_draw(c: char) -> bool {
    // Latin with its accents, every character of every answer: looked up once.
    static LATIN: LazyLock<Vec<bool>> = LazyLock::new(|| {
        (0..0x250)
            .map(|u| char::from_u32(u).is_some_and(look_up))
            .collect()
    });
    match LATIN.get(c as usize) {
        Some(drawn) => *drawn,
        None => look_up(c),
    }
}

fn look_up(c: char) -> bool {
    let invisible = c.is_whitespace()
        || c.is_control()
        || crate::check::limits::is_invisible(c)
        // Line and paragraph separators break lines; variation selectors pick an emoji's style.
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{FE00}'..='\u{FE0F}');
    let book = FONTS.book();
    invisible
        || (0..)
            .map_while(|i| book.info(i))
            .any(|info| info.coverage.contains(c as u32))
}

/// What is drawn instead of a character no font has.
pub const REPLACEMENT: char = '□';

/// One compile's world: a template folder (e.g. `pbf-2019`) and data files beside it.
pub struct ReportWorld {
    main: FileId,
    files: HashMap<FileId, Bytes>,
    /// The typst files, parsed once: typst asks for a source again each time it checks whether a
    /// memoized result still holds.
    sources: HashMap<FileId, Source>,
    /// The files that come from the template folder, with their paths for messages.
    template_files: HashMap<FileId, String>,
    today: Datetime,
}

impl ReportWorld {
    /// A world whose project root holds the files of `templates/<template>/` and `data`
    /// (name → bytes), with `main` as the document to compile and `today` as the date.
    pub fn new(
        templates: &Templates,
        template: &str,
        main: &str,
        data: Vec<(String, Vec<u8>)>,
        today: Datetime,
    ) -> Self {
        let prefix = format!("{template}/");
        let (mut files, mut template_files) = (HashMap::new(), HashMap::new());
        for (name, bytes) in templates.files_under(&prefix) {
            let id = file_id(&name[prefix.len()..]);
            let bytes = templates.runs_as(template, name, bytes);
            files.insert(id, Bytes::new(bytes.to_vec()));
            template_files.insert(id, templates.shown_path(name));
        }
        for (name, bytes) in data {
            files.insert(file_id(&name), Bytes::new(bytes));
        }
        let sources = files
            .iter()
            .filter(|(id, _)| id.vpath().get_without_slash().ends_with(".typ"))
            .filter_map(|(id, bytes)| Some((*id, parse(*id, bytes).ok()?)))
            .collect();
        ReportWorld {
            main: file_id(main),
            files,
            sources,
            template_files,
            today,
        }
    }

    /// Where a file of this world comes from, for messages: `templates/pbf-2019/report.typ`, or
    /// its path in the folder given with `--templates`.
    pub fn display_path(&self, id: FileId) -> String {
        match self.template_files.get(&id) {
            Some(shown) => shown.clone(),
            None => id.vpath().get_without_slash().to_string(),
        }
    }

    /// The text of a file of this world, if it has one.
    pub fn text(&self, id: FileId) -> Option<String> {
        self.files
            .get(&id)
            .and_then(|b| std::str::from_utf8(b).ok())
            .map(str::to_string)
    }
}

/// The typst source in `bytes`.
fn parse(id: FileId, bytes: &Bytes) -> FileResult<Source> {
    let text = std::str::from_utf8(bytes).map_err(|_| FileError::InvalidUtf8)?;
    Ok(Source::new(id, text.to_string()))
}

/// The id of `path` at the project root.
pub fn file_id(path: &str) -> FileId {
    let vpath = VirtualPath::new(path).expect("template file names are valid paths");
    FileId::new(RootedPath::new(VirtualRoot::Project, vpath))
}

impl World for ReportWorld {
    fn library(&self) -> &LazyHash<Library> {
        &LIBRARY
    }

    fn book(&self) -> &LazyHash<FontBook> {
        FONTS.book()
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if let Some(source) = self.sources.get(&id) {
            return Ok(source.clone());
        }
        parse(id, &self.file(id)?)
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        // Packages would need the network: the templates use none, and none may be imported.
        if let VirtualRoot::Package(spec) = id.root() {
            return Err(FileError::Package(PackageError::NotFound(spec.clone())));
        }
        self.files
            .get(&id)
            .cloned()
            .ok_or_else(|| FileError::NotFound(id.vpath().get_without_slash().into()))
    }

    fn font(&self, index: usize) -> Option<Font> {
        FONTS.font(index)
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        Some(self.today)
    }
}
