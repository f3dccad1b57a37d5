//! The Word copy (`word_copy: true`): read back as LibreOffice reads it, it holds every answer
//! and every line of the PDF; it is listed in the manifest, rebuilt byte for byte by `verify`,
//! and the same inputs give the same bytes.

use std::path::{Path, PathBuf};

use crate::common::{EXAMPLE, Run, pdf_text, root, soffice, squash};

/// The example with a Word copy, built in a workspace of its own: the workspace and the
/// version folder.
fn built() -> &'static (PathBuf, PathBuf) {
    static OUT: std::sync::OnceLock<(PathBuf, PathBuf)> = std::sync::OnceLock::new();
    OUT.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap().keep();
        let source = dir.join(EXAMPLE);
        std::fs::create_dir_all(source.parent().unwrap()).unwrap();
        let text = std::fs::read_to_string(root().join(EXAMPLE)).unwrap();
        let text = text.replacen(
            "template: pbf-2019\n",
            "template: pbf-2019\nword_copy: true\n",
            1,
        );
        std::fs::write(&source, text).unwrap();
        Run::new(&["build"]).cwd(&dir).status(0).run();
        let folder = dir.join("out/pbf-irf-217/2019-11-12-final");
        (dir, folder)
    })
}

fn docx(lang: &str) -> PathBuf {
    built()
        .1
        .join(format!("pbf-irf-217-2019-11-12-final.{lang}.docx"))
}

/// The text of a Word document as LibreOffice converts it.
fn word_text(path: &Path) -> String {
    let out = tempfile::tempdir().unwrap();
    soffice(
        &[
            "--convert-to",
            "txt:Text (encoded):UTF8",
            "--outdir",
            out.path().to_str().unwrap(),
            path.to_str().unwrap(),
        ],
        None,
    );
    let name = path.with_extension("txt");
    std::fs::read_to_string(out.path().join(name.file_name().unwrap()))
        .expect("LibreOffice wrote the text")
}

#[test]
fn the_word_copy_holds_every_answer_and_every_line_of_the_pdf() {
    for lang in ["fr", "en"] {
        let word = squash(&word_text(&docx(lang)));
        for (path, text) in crate::pdf::answers(lang) {
            assert!(
                word.contains(&squash(&text)),
                "{lang}: {path} is not in the Word copy:\n{text}"
            );
        }
        let pdf = pdf_text(
            &built()
                .1
                .join(format!("pbf-irf-217-2019-11-12-final.{lang}.pdf")),
        );
        let mut lines = 0;
        for line in pdf
            .lines()
            .filter(|l| !l.contains("Page ") && l.trim().len() > 1)
        {
            lines += 1;
            assert!(
                word.contains(&squash(line)),
                "{lang}: the PDF's line {line:?} is not in the Word copy"
            );
        }
        assert!(lines > 300, "{lang}: {lines} lines");
        // Each statement as often as in the PDF: a merged cell keeps no hidden copies.
        let pdf = squash(&crate::common::pdf_body(
            &built()
                .1
                .join(format!("pbf-irf-217-2019-11-12-final.{lang}.pdf")),
        ));
        for (path, text) in crate::pdf::answers(lang)
            .iter()
            .filter(|(p, _)| p.ends_with("statement"))
        {
            let text = squash(text);
            assert_eq!(
                word.matches(&text).count(),
                pdf.matches(&text).count(),
                "{lang}: {path}"
            );
        }
    }
}

#[test]
fn the_word_copy_is_listed_verified_and_reproducible() {
    let (dir, folder) = built();
    let manifest = std::fs::read_to_string(folder.join("manifest.json")).unwrap();
    for lang in ["fr", "en"] {
        assert!(
            manifest.contains(&format!("\"pbf-irf-217-2019-11-12-final.{lang}.docx\"")),
            "{manifest}"
        );
    }
    let again = tempfile::tempdir().unwrap();
    Run::new(&["build", "--out", again.path().to_str().unwrap()])
        .cwd(dir)
        .status(0)
        .run();
    for lang in ["fr", "en"] {
        let name = format!("pbf-irf-217-2019-11-12-final.{lang}.docx");
        let first = std::fs::read(folder.join(&name)).unwrap();
        let second = std::fs::read(
            again
                .path()
                .join("pbf-irf-217/2019-11-12-final")
                .join(&name),
        )
        .unwrap();
        assert!(first == second, "{name} differs between two builds");
        // Dated with the report's date, not today's.
        let zip = zip::ZipArchive::new(std::io::Cursor::new(first)).unwrap();
        for i in 0..zip.len() {
            let mut zip = zip.clone();
            let entry = zip.by_index(i).unwrap();
            let modified = entry.last_modified().unwrap();
            assert_eq!(modified.year(), 1980, "{:?}", entry.name());
        }
    }
    let core = {
        let mut zip = zip::ZipArchive::new(std::fs::File::open(docx("fr")).unwrap()).unwrap();
        let mut text = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("docProps/core.xml").unwrap(), &mut text)
            .unwrap();
        text
    };
    assert!(core.contains("2019-11-12T00:00:00Z"), "{core}");
    // Its title, author and language are the PDF's; Word's spelling follows the language.
    assert!(
        core.contains("<dc:title>RAPPORT DE PROGRES DE PROJET PBF – PBF IRF-217</dc:title>")
            && core.contains("<dc:language>fr</dc:language>"),
        "{core}"
    );
    // The indicator table's column headings are on every page of the table.
    let pdf_dir = tempfile::tempdir().unwrap();
    soffice(
        &[
            "--convert-to",
            "pdf",
            "--outdir",
            pdf_dir.path().to_str().unwrap(),
            docx("fr").to_str().unwrap(),
        ],
        None,
    );
    let pages = pdf_text(&pdf_dir.path().join("pbf-irf-217-2019-11-12-final.fr.pdf"));
    let table: Vec<&str> = pages
        .split('\u{c}')
        .filter(|p| p.contains("Indicateur 1."))
        .collect();
    assert!(table.len() >= 3, "{} pages of the table", table.len());
    for page in table {
        assert!(
            page.contains("Base de donnée"),
            "a page of the table without its headings:\n{page}"
        );
    }
    Run::new(&["verify", "out/pbf-irf-217/2019-11-12-final"])
        .cwd(dir)
        .status(0)
        .run();
    // A Word copy edited after the build is found.
    let copy = tempfile::tempdir().unwrap();
    let edited = copy.path().join("2019-11-12-final");
    std::fs::create_dir_all(&edited).unwrap();
    for entry in std::fs::read_dir(folder).unwrap().flatten() {
        std::fs::copy(entry.path(), edited.join(entry.file_name())).unwrap();
    }
    let mut bytes = std::fs::read(edited.join("pbf-irf-217-2019-11-12-final.en.docx")).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(edited.join("pbf-irf-217-2019-11-12-final.en.docx"), bytes).unwrap();
    let tampered = Run::new(&["verify", edited.to_str().unwrap()])
        .cwd(dir)
        .stderr_has("en.docx")
        .run();
    assert_ne!(tampered.status, 0, "{}", tampered.stderr);
}

/// The Word copy keeps every character as written, even one the PDF's fonts cannot draw (the
/// PDF shows □ there): the reader's own fonts draw it.
#[test]
fn the_word_copy_keeps_characters_the_pdf_cannot_draw() {
    let dir = tempfile::tempdir().unwrap();
    let text = minimal_with_word_copy().replace(
        "prepared_by: Awa Traoré (PNUD)",
        "prepared_by: Awa Traoré 李明 (PNUD)",
    );
    let source = dir.path().join("2020-06-15-names.yaml");
    std::fs::write(&source, text).unwrap();
    Run::new(&[
        "build",
        "--out",
        dir.path().join("out").to_str().unwrap(),
        source.to_str().unwrap(),
    ])
    .status(0)
    .run();
    let folder = dir.path().join("out/pbf-irf-999/2020-06-15-names");
    let word = word_text(&folder.join("pbf-irf-999-2020-06-15-names.fr.docx"));
    assert!(word.contains("Awa Traoré 李明 (PNUD)"), "{word}");
    let pdf = pdf_text(&folder.join("pbf-irf-999-2020-06-15-names.fr.pdf"));
    assert!(pdf.contains("Awa Traoré □□ (PNUD)"), "{pdf}");
}

/// The copy `docx` with `edits` applied to its document part: each (field, new text) replaces
/// the first run of text inside the field's content control.
pub(crate) fn edited(docx: &Path, edits: &[(&str, &str)]) -> Vec<u8> {
    rewritten(docx, |name, mut xml| {
        if name == "word/document.xml" {
            for (field, text) in edits {
                let tag = xml
                    .find(&format!("w:val=\"{field}\""))
                    .unwrap_or_else(|| panic!("the Word copy has no control for {field}"));
                let open = tag + xml[tag..].find("<w:t").unwrap();
                let start = open + xml[open..].find('>').unwrap() + 1;
                let end = start + xml[start..].find("</w:t>").unwrap();
                xml.replace_range(start..end, text);
            }
        }
        xml
    })
}

/// The `lang` Word copy with `edits` made in it, in a fresh folder: the folder, and the run that
/// imports the copy there.
fn import_edited(lang: &str, edits: &[(&str, &str)]) -> (tempfile::TempDir, Run) {
    let work = tempfile::tempdir().unwrap();
    let copy = work.path().join("reviewed.docx");
    std::fs::write(&copy, edited(&docx(lang), edits)).unwrap();
    let run = Run::new(&["import", copy.to_str().unwrap()]).cwd(work.path());
    (work, run)
}

/// The report a source reads as, as JSON, for comparing two sources field by field.
fn fields(path: &Path) -> Vec<(String, String)> {
    let report = crate::common::answers_of(path, &std::fs::read(path).unwrap());
    let mut out = Vec::new();
    flatten(&report, String::new(), &mut out);
    out
}

fn flatten(v: &serde_json::Value, path: String, out: &mut Vec<(String, String)>) {
    match v {
        serde_json::Value::Object(map) => map
            .iter()
            .for_each(|(k, x)| flatten(x, format!("{path}.{k}"), out)),
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .for_each(|(i, x)| flatten(x, format!("{path}[{i}]"), out)),
        other => out.push((path, other.to_string())),
    }
}

/// Reviewers edit two answers in the English copy; `import` gives back the source with exactly
/// those two fields changed, and an unedited copy gives back the source itself.
#[test]
fn import_returns_reviewers_edits_to_the_source() {
    let (dir, folder) = built();
    let original = dir.join(EXAMPLE);
    let (work, run) = import_edited(
        "en",
        &[
            (
                "progress.relevance",
                "Reviewed: the project stays relevant &amp; well placed.",
            ),
            ("outcomes[1].indicators[1].target", "12 committees"),
        ],
    );
    run.status(0)
        .stderr_has("edited: progress.relevance.en\nedited: outcomes[1].indicators[1].target\n")
        .run();
    let imported = work.path().join(EXAMPLE);
    let text = std::fs::read_to_string(&imported).unwrap();
    assert!(
        text.starts_with("# Imported from reviewed.docx (SHA-256 "),
        "{}",
        &text[..200]
    );
    // Field by field: only the two edited answers differ. The target was one text for both
    // languages; it is now one per language, the French as it was.
    let before: std::collections::BTreeMap<_, _> = fields(&original).into_iter().collect();
    let after: std::collections::BTreeMap<_, _> = fields(&imported).into_iter().collect();
    let keys: std::collections::BTreeSet<_> = before.keys().chain(after.keys()).collect();
    let changed: Vec<(&String, Option<&String>)> = keys
        .into_iter()
        .filter(|k| before.get(*k) != after.get(*k))
        .map(|k| (k, after.get(k)))
        .collect();
    let target = ".outcomes[0].indicators[0].target";
    assert_eq!(changed.len(), 4, "{changed:#?}");
    assert_eq!(changed[0], (&target.to_string(), None));
    assert_eq!(
        changed[1],
        (
            &format!("{target}.en"),
            Some(&"\"12 committees\"".to_string())
        )
    );
    assert_eq!(
        changed[2],
        (&format!("{target}.fr"), Some(&"\"20\"".to_string()))
    );
    assert!(
        changed[3].0.ends_with("progress.relevance.en"),
        "{changed:#?}"
    );
    assert!(
        changed[3]
            .1
            .unwrap()
            .starts_with("\"Reviewed: the project stays relevant & well placed.\\n"),
        "{changed:#?}"
    );
    Run::new(&["check", imported.to_str().unwrap()])
        .status(0)
        .run();

    // Imported again, the copy finds its edits in the source, which is left as it was; a new
    // source is never written over an existing file.
    let copy = work.path().join("reviewed.docx");
    let written = std::fs::read(&imported).unwrap();
    Run::new(&["import", copy.to_str().unwrap()])
        .cwd(work.path())
        .status(0)
        .stderr_has(&format!(
            "left as it was {EXAMPLE}: 0 of 113 answers edited"
        ))
        .run();
    assert_eq!(std::fs::read(&imported).unwrap(), written);
    Run::new(&[
        "import",
        copy.to_str().unwrap(),
        "-o",
        imported.to_str().unwrap(),
    ])
    .cwd(work.path())
    .status(1)
    .stderr_has("exists already")
    .run();
    // Where the source it was made from is not, a copy gives back the source it carries.
    let elsewhere = tempfile::tempdir().unwrap();
    let plain = elsewhere.path().join("plain.yaml");
    let fr = folder.join("pbf-irf-217-2019-11-12-final.fr.docx");
    Run::new(&[
        "import",
        fr.to_str().unwrap(),
        "-o",
        plain.to_str().unwrap(),
    ])
    .cwd(elsewhere.path())
    .status(0)
    .run();
    let plain = std::fs::read_to_string(plain).unwrap();
    let body = plain.split_once('\n').unwrap().1;
    assert_eq!(body, std::fs::read_to_string(&original).unwrap());

    // A content control renamed to a field that is not an answer, or to an answer twice, is
    // not a reviewer's edit: refused.
    for (to, expected) in [
        (
            "cover.budget_total",
            "naming `cover.budget_total`, which is not an answer",
        ),
        ("progress.unique", "two answers for `progress.unique`"),
    ] {
        let bytes = rewritten(&docx("en"), |name, xml| match name {
            "word/document.xml" => xml.replacen(
                "w:val=\"progress.relevance\"",
                &format!("w:val=\"{to}\""),
                1,
            ),
            _ => xml,
        });
        let tampered = work.path().join("tampered.docx");
        std::fs::write(&tampered, bytes).unwrap();
        let target = work.path().join("tampered.yaml");
        Run::new(&[
            "import",
            tampered.to_str().unwrap(),
            "-o",
            target.to_str().unwrap(),
        ])
        .status(1)
        .stderr_has(expected)
        .run();
        assert!(!target.exists());
    }
}

/// Files that are not Word copies, or hostile ones, end in a clear refusal within two seconds.
#[test]
fn hostile_imports_are_refused_clearly_and_fast() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let zip_of = |parts: &[(&str, Vec<u8>)]| {
        let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (name, bytes) in parts {
            let options = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated);
            out.start_file(*name, options).unwrap();
            out.write_all(bytes).unwrap();
        }
        out.finish().unwrap().into_inner()
    };
    let laughs = {
        let mut xml = String::from("<?xml version=\"1.0\"?><!DOCTYPE w [<!ENTITY lol \"lol\">");
        for i in 1..10 {
            xml.push_str(&format!(
                "<!ENTITY lol{i} \"{}\">",
                format!("&lol{};", i - 1)
                    .repeat(10)
                    .replace("&lol0;", "&lol;")
            ));
        }
        xml.push_str("]><w:document><w:sdt><w:sdtPr><w:alias w:val=\"progress.status\"/></w:sdtPr><w:p><w:t>&lol9;</w:t></w:p></w:sdt></w:document>");
        xml
    };
    let source = "<source xmlns=\"urn:pbf-report:source\" lang=\"fr\" version=\"v\">dGVtcGxhdGU6IHBiZi0yMDE5CnByb2plY3RfaWQ6IHBiZi1pcmYtMQpsYW5ndWFnZXM6IFtmcl0K</source>";
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "text.docx",
            b"RAPPORT DE PROGRES DE PROJET PBF\nPAYS: Mali\n".to_vec(),
            "only 1 of the form's 49 questions",
        ),
        (
            "big.txt",
            vec![b'a'; 50 << 20],
            "more than any report's text",
        ),
        (
            "bomb.docx",
            zip_of(&[("word/document.xml", vec![b'0'; 100 << 20])]),
            "inflates to more than",
        ),
        (
            "missing.docx",
            zip_of(&[("word/styles.xml", b"<w:styles/>".to_vec())]),
            "without word/document.xml",
        ),
        (
            "foreign.docx",
            zip_of(&[("word/document.xml", b"<w:document/>".to_vec())]),
            "none of the form's 49 questions",
        ),
        (
            "laughs.docx",
            zip_of(&[
                ("word/document.xml", laughs.into_bytes()),
                ("customXml/item1.xml", source.as_bytes().to_vec()),
            ]),
            "unknown entity",
        ),
        (
            "broken.docx",
            b"PK\x03\x04 not really a zip".to_vec(),
            "damaged zip",
        ),
    ];
    crate::import::refused_fast(dir.path(), cases);
}

/// The copy rewritten by `change`, a function of its parts' names and texts.
fn rewritten(docx: &Path, change: impl Fn(&str, String) -> String) -> Vec<u8> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(docx).unwrap()).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).unwrap();
        let name = entry.name().unwrap().to_string();
        let mut text = String::new();
        std::io::Read::read_to_string(&mut entry, &mut text).unwrap();
        out.start_file(name.as_str(), zip::write::SimpleFileOptions::default())
            .unwrap();
        std::io::Write::write_all(&mut out, change(&name, text).as_bytes()).unwrap();
    }
    out.finish().unwrap().into_inner()
}

/// Text deleted with tracked changes stays deleted; a copy whose fields another program moved
/// into paragraphs, or whose version would name a path, is refused and nothing is written.
#[test]
fn import_reads_what_a_reader_sees_and_refuses_a_moved_or_misnamed_copy() {
    let work = tempfile::tempdir().unwrap();
    let run = |name: &str, bytes: Vec<u8>| {
        let path = work.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let target = work.path().join(format!("{name}.yaml"));
        let import = Run::new(&[
            "import",
            path.to_str().unwrap(),
            "-o",
            target.to_str().unwrap(),
        ]);
        (import, target)
    };
    let tracked = rewritten(&docx("en"), |name, text| {
        if name != "word/document.xml" {
            return text;
        }
        let tag = text.find("w:val=\"progress.unique\"").unwrap();
        let run = tag + text[tag..].find("<w:r>").unwrap();
        let mut text = text;
        text.insert_str(run, "<w:del w:id=\"9\" w:author=\"R\"><w:r><w:delText>DELETED </w:delText></w:r></w:del><w:ins w:id=\"10\" w:author=\"R\"><w:r><w:t>INSERTED </w:t></w:r></w:ins>");
        text
    });
    let (import, target) = run("tracked.docx", tracked);
    import.status(0).run();
    let source = std::fs::read_to_string(target).unwrap();
    assert!(
        source.contains("\n      INSERTED The evaluation"),
        "{source}"
    );
    assert!(!source.contains("DELETED"));

    let misnamed = rewritten(&docx("en"), |name, text| {
        if !name.starts_with("customXml/item") {
            return text;
        }
        text.replace("version=\"2019-11-12-final\"", "version=\"../../escaped\"")
    });
    let (import, target) = run("misnamed.docx", misnamed);
    import
        .status(1)
        .stderr_has("whose version cannot name a source file")
        .run();
    assert!(!target.exists());
}

/// The copy at `path` as LibreOffice saves it again: each content control moved into its
/// answer's first paragraph.
fn resaved_by_libreoffice(path: &Path, dir: &Path) -> PathBuf {
    let out = dir.join(format!(
        "resaved-{}",
        path.file_stem().unwrap().to_str().unwrap()
    ));
    soffice(
        &[
            "--convert-to",
            "docx",
            "--outdir",
            out.to_str().unwrap(),
            path.to_str().unwrap(),
        ],
        None,
    );
    out.join(path.file_name().unwrap())
}

/// A review round: the writer's workspace holds the source the copy was made from; the reviewer
/// edits the copy in Word or in LibreOffice (which moves its fields, so its answers are read by
/// the form's wording); `import` merges the edits into the source in place.
#[test]
fn a_review_round_comes_back_into_the_source_in_place() {
    let original = std::fs::read_to_string(built().0.join(EXAMPLE)).unwrap();
    let work = tempfile::tempdir().unwrap();
    let source = work.path().join(EXAMPLE);
    std::fs::create_dir_all(source.parent().unwrap()).unwrap();
    let edited_copy = work.path().join("edited.docx");
    let edits = [
        ("progress.relevance", "Reviewed: still relevant."),
        ("outcomes[1].indicators[1].target", "12 committees"),
    ];
    std::fs::write(&edited_copy, edited(&docx("en"), &edits)).unwrap();
    let unedited = docx("en");
    let unedited_resaved = resaved_by_libreoffice(&unedited, work.path());
    let edited_resaved = resaved_by_libreoffice(&edited_copy, work.path());
    // Word's "Remove content control" on every answer: the paragraphs stay, the fields go.
    let uncontrolled = work.path().join("uncontrolled.docx");
    let controls = regex::Regex::new(r"<w:sdtPr>.*?</w:sdtPr>|</?w:sdt>|</?w:sdtContent>").unwrap();
    let bytes = rewritten(&edited_copy, |name, xml| match name {
        "word/document.xml" => controls.replace_all(&xml, "").into_owned(),
        _ => xml,
    });
    std::fs::write(&uncontrolled, bytes).unwrap();
    let import = |copy: &Path| Run::new(&["import", copy.to_str().unwrap()]).cwd(work.path());
    let word_note = "its answers were read by the form's questions";

    // An unedited copy leaves the source byte for byte as it was.
    for copy in [&unedited, &unedited_resaved] {
        std::fs::write(&source, &original).unwrap();
        import(copy)
            .status(0)
            .stderr_has(&format!(
                "left as it was {EXAMPLE}: 0 of 113 answers edited"
            ))
            .run();
        assert_eq!(std::fs::read_to_string(&source).unwrap(), original);
    }

    // Two edits come back in place: the first paragraph of a `|-` block, which stays a block,
    // and a target given once for both languages, which becomes one per language.
    let first = original
        .lines()
        .find(|l| l.starts_with("      The evaluation found that the project came"))
        .unwrap();
    let expected = original
        .replacen(first, "      Reviewed: still relevant.", 1)
        .replacen(
            "        target: \"20\"\n",
            "        target:\n          fr: \"20\"\n          en: \"12 committees\"\n",
            1,
        );
    assert_ne!(expected, original);
    for copy in [&edited_copy, &edited_resaved, &uncontrolled] {
        std::fs::write(&source, &original).unwrap();
        let run = import(copy)
            .status(0)
            .stderr_has(&format!(
                "edited: progress.relevance.en\nedited: outcomes[1].indicators[1].target\nupdated {EXAMPLE}: 2 of 113 answers edited"
            ));
        let run = match copy != &edited_copy {
            true => run.stderr_has(word_note),
            false => run.stderr_lacks(word_note),
        };
        run.run();
        assert_eq!(std::fs::read_to_string(&source).unwrap(), expected);
    }
    Run::new(&["check", source.to_str().unwrap()])
        .status(0)
        .run();

    // The writer's edit made after the copy survives the reviewer's edits.
    let later = |text: &str| {
        text.replacen(
            "The project's commitment to placing women",
            "Later: the project's commitment to placing women",
            1,
        )
    };
    std::fs::write(&source, later(&original)).unwrap();
    import(&edited_resaved)
        .status(0)
        .stderr_has(&format!(
            "kept: 1 answer changed in {EXAMPLE} since the copy was made"
        ))
        .run();
    assert_eq!(std::fs::read_to_string(&source).unwrap(), later(&expected));

    // A field both changed is refused, with both texts, and nothing is written.
    let conflicting = original.replacen(first, "      The writer's own words.", 1);
    std::fs::write(&source, &conflicting).unwrap();
    import(&edited_resaved)
        .status(1)
        .stderr_has("error: progress.relevance.en: edited in the copy and, differently, in ")
        .stderr_has("  in the copy:   \"Reviewed: still relevant.\\nThe analysis from")
        .stderr_has("  in the source: \"The writer's own words.\\nThe analysis from")
        .stderr_has("nothing written")
        .stderr_lacks("edited: ")
        .run();
    assert_eq!(std::fs::read_to_string(&source).unwrap(), conflicting);

    // A file at the source's place that is another report's source is not merged into.
    let other = original.replacen("project_id: pbf-irf-217", "project_id: pbf-irf-218", 1);
    std::fs::write(&source, &other).unwrap();
    import(&edited_copy)
        .status(1)
        .stderr_has("is where the copy's source belongs, but it is not a source of pbf-irf-217; nothing written")
        .run();
    assert_eq!(std::fs::read_to_string(&source).unwrap(), other);

    // `--output` writes the merge elsewhere and leaves the source alone.
    let elsewhere = work.path().join("elsewhere.yaml");
    std::fs::write(&source, later(&original)).unwrap();
    Run::new(&[
        "import",
        edited_copy.to_str().unwrap(),
        "-o",
        elsewhere.to_str().unwrap(),
    ])
    .cwd(work.path())
    .status(0)
    .run();
    assert_eq!(std::fs::read_to_string(&source).unwrap(), later(&original));
    let written = std::fs::read_to_string(&elsewhere).unwrap();
    assert_eq!(written.split_once('\n').unwrap().1, later(&expected));
}

/// In a draft, every text over its limit carries its note in the Word copy too, an indicator's
/// own wording included.
#[test]
fn a_drafts_word_copy_marks_every_text_over_its_limit() {
    let dir = tempfile::tempdir().unwrap();
    let long = "mot ".repeat(80);
    let text = minimal_with_word_copy()
        .replace(
            "indicator: Nombre de comités actifs",
            &format!("indicator: {}", long.trim()),
        )
        .replace(
            "status: Les activités préparatoires sont achevées.",
            &format!("status: {}", "paix ".repeat(320).trim()),
        );
    let source = dir.path().join("2020-06-15-draft.yaml");
    std::fs::write(&source, text).unwrap();
    Run::new(&[
        "build",
        "--draft",
        "--out",
        dir.path().join("out").to_str().unwrap(),
        source.to_str().unwrap(),
    ])
    .status(0)
    .run();
    let word = word_text(
        &dir.path()
            .join("out/pbf-irf-999/2020-06-15-draft/pbf-irf-999-2020-06-15-draft.fr.docx"),
    );
    for note in [
        "⚠ 319 caractères, limite 300",
        "⚠ 1599 caractères, limite 1500",
    ] {
        assert!(word.contains(note), "no {note:?} in\n{word}");
    }
    // Each text over its limit is framed in red, as in the PDF; no other frame is.
    let copy = dir
        .path()
        .join("out/pbf-irf-999/2020-06-15-draft/pbf-irf-999-2020-06-15-draft.fr.docx");
    let mut zip = zip::ZipArchive::new(std::fs::File::open(copy).unwrap()).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("word/document.xml").unwrap(), &mut xml)
        .unwrap();
    let red = xml
        .split("<w:tcBorders>")
        .skip(1)
        .filter(|b| b.split("</w:tcBorders>").next().unwrap().contains("B00000"))
        .count();
    assert_eq!(red, 2, "cells framed in red");
}

/// The cover's two answers a reviewer may write in, the Secretariat's comments and the
/// evaluation, come back too.
#[test]
fn import_returns_the_covers_answers() {
    let original = built().0.join(EXAMPLE);
    let (work, run) = import_edited("fr", &[("cover.evaluation", "Évaluation revue.")]);
    run.status(0)
        .stderr_has("edited: cover.evaluation.fr\n")
        .run();
    let before = fields(&original);
    let after = fields(&work.path().join(EXAMPLE));
    let changed: Vec<&String> = before
        .iter()
        .zip(&after)
        .filter(|(b, a)| b != a)
        .map(|(b, _)| &b.0)
        .collect();
    assert_eq!(changed, [".cover.evaluation.fr"]);
}

/// Indicator cells typed as numbers (`baseline: 0`, `target: 20`, `progress: 0.50`) print as
/// typed, and a reviewed copy brings them back so: unedited, nothing changes; edited, exactly the
/// reviewer's cells do.
#[test]
fn cells_typed_as_numbers_come_back_with_exactly_the_reviewers_edits() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir
        .path()
        .join("data/pbf-irf-999/2020-06-15-semi-annual.yaml");
    std::fs::create_dir_all(source.parent().unwrap()).unwrap();
    let text = std::fs::read_to_string(root().join("tests/good/numbers-as-text.yaml")).unwrap();
    let text = text.replacen("languages: [fr]\n", "languages: [fr]\nword_copy: true\n", 1);
    std::fs::write(&source, &text).unwrap();
    Run::new(&["build"]).cwd(dir.path()).status(0).run();
    let copy = dir
        .path()
        .join("out/pbf-irf-999/2020-06-15-semi-annual/pbf-irf-999-2020-06-15-semi-annual.fr.docx");
    let import = |edits: &[(&str, &str)]| {
        let work = tempfile::tempdir().unwrap();
        let reviewed = work.path().join("reviewed.docx");
        std::fs::write(&reviewed, edited(&copy, edits)).unwrap();
        let out = Run::new(&["import", reviewed.to_str().unwrap()])
            .cwd(work.path())
            .status(0)
            .run();
        let imported = work
            .path()
            .join("data/pbf-irf-999/2020-06-15-semi-annual.yaml");
        let text = std::fs::read_to_string(&imported).unwrap();
        // The source as it was, under the line that says where it came from.
        let body = text.split_once('\n').unwrap().1.to_string();
        (out.stderr, body, fields(&imported), work)
    };
    let (said, body, same, _work) = import(&[]);
    assert!(!said.contains("edited:"), "{said}");
    assert_eq!(body, text);
    assert_eq!(same, fields(&source));

    let cell = "outcomes[1].indicators[1]";
    let (said, body, changed, _work) = import(&[
        (&format!("{cell}.baseline"), "5"),
        (&format!("{cell}.progress"), "0.75 (revu)"),
    ]);
    assert!(
        said.contains(&format!(
            "edited: {cell}.baseline\nedited: {cell}.progress\n"
        )),
        "{said}"
    );
    let expected = text
        .replacen("baseline: 0\n", "baseline: \"5\"\n", 1)
        .replacen("progress: 0.50\n", "progress: \"0.75 (revu)\"\n", 1);
    assert_eq!(body, expected);
    let differ: Vec<_> = fields(&source)
        .into_iter()
        .zip(changed)
        .filter(|(a, b)| a != b)
        .map(|(_, b)| b)
        .collect();
    assert_eq!(
        differ,
        [
            (
                ".outcomes[0].indicators[0].baseline".to_string(),
                "\"5\"".to_string()
            ),
            (
                ".outcomes[0].indicators[0].progress".to_string(),
                "\"0.75 (revu)\"".to_string()
            ),
        ]
    );
}

/// A Word copy holds no paragraph ids: its bytes follow from its content. One an earlier release
/// made, with ids in its paragraphs, still verifies; the same copy with a word changed does not.
#[test]
fn a_word_copy_with_an_earlier_releases_paragraph_ids_still_verifies() {
    let (dir, folder) = built();
    let name = "pbf-irf-217-2019-11-12-final.fr.docx";
    let with_ids = |part: &str, text: String| {
        assert!(!text.contains("w14:paraId"), "{part} has paragraph ids");
        let pieces = text.split("<w:p>").enumerate();
        pieces
            .map(|(i, piece)| match i {
                0 => piece.to_string(),
                _ => format!("<w:p w14:paraId=\"{i:08x}\">{piece}"),
            })
            .collect::<String>()
    };
    // The copy with ids; with a word changed; re-packed without ids (not an earlier release's
    // copy, so compared byte for byte); with bytes before it.
    let cases: [(&str, bool, &[u8], i32); 4] = [
        ("Mali", true, b"", 0),
        ("Malo", true, b"", 1),
        ("Mali", false, b"", 1),
        ("Mali", true, b"junk", 1),
    ];
    for (change, ids, before, status) in cases {
        let copy = tempfile::tempdir().unwrap();
        let version = copy.path().join("pbf-irf-217/2019-11-12-final");
        std::fs::create_dir_all(&version).unwrap();
        for entry in std::fs::read_dir(folder).unwrap().flatten() {
            std::fs::copy(entry.path(), version.join(entry.file_name())).unwrap();
        }
        let earlier = rewritten(&folder.join(name), |part, text| {
            let text = if ids { with_ids(part, text) } else { text };
            text.replacen("> Mali<", &format!("> {change}<"), 1)
        });
        let document = part_of(&earlier, "word/document.xml");
        assert_eq!(document.matches("w14:paraId").count() > 100, ids);
        let earlier = [before, &earlier[..]].concat();
        std::fs::write(version.join(name), &earlier).unwrap();
        // The manifest records the copy as it was made.
        let path = version.join("manifest.json");
        let mut manifest: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        for output in manifest["outputs"].as_array_mut().unwrap() {
            if output["name"] == name {
                output["sha256"] = pbf_report::hash::sha256(&earlier).into();
                output["size"] = earlier.len().into();
            }
        }
        std::fs::write(&path, serde_json::to_vec_pretty(&manifest).unwrap()).unwrap();
        let out = Run::new(&["verify", version.to_str().unwrap()])
            .cwd(dir)
            .status(status)
            .run();
        let line = out
            .stdout
            .lines()
            .chain(out.stderr.lines())
            .find(|l| l.contains(name))
            .unwrap_or_default()
            .to_string();
        match status {
            0 => assert_eq!(line, format!("ok       {name}")),
            _ => assert!(line.starts_with("DIFFERS"), "{line}"),
        }
    }
}

/// The text of the part `name` of the Word document `bytes`.
pub fn part_of(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut zip.by_name(name).unwrap(), &mut text).unwrap();
    text
}

/// The small report's source with `word_copy: true`.
fn minimal_with_word_copy() -> String {
    let text = std::fs::read_to_string(root().join("tests/good/minimal.yaml")).unwrap();
    text.replacen(
        "template: pbf-2019\n",
        "template: pbf-2019\nword_copy: true\n",
        1,
    )
}

/// The small report with a Word copy, `from` changed to `to` in its source, built: the folder
/// it is built in, and the version folder.
fn minimal_with_copy(from: &str, to: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let text = minimal_with_word_copy().replacen(from, to, 1);
    let source = dir.path().join("2020-06-15-semi-annual.yaml");
    std::fs::write(&source, text).unwrap();
    let out = dir.path().join("out");
    let args = [
        "build",
        "--out",
        out.to_str().unwrap(),
        source.to_str().unwrap(),
    ];
    Run::new(&args).status(0).run();
    let folder = out.join("pbf-irf-999/2020-06-15-semi-annual");
    (dir, folder)
}

/// Names and partners are the writer's words in both documents: `&` and `<` print once, as
/// written, and a name holding a catalog's placeholder keeps it.
#[test]
fn names_print_as_written_in_the_pdf_and_the_word_copy() {
    let (_dir, folder) = minimal_with_copy(
        "      name: PNUD\n",
        "      name: \"PNUD {{ partners }}\"\n      implementing_partners: [\"CA&EB <x>\"]\n",
    );
    let pdf = squash(&pdf_text(
        &folder.join("pbf-irf-999-2020-06-15-semi-annual.fr.pdf"),
    ));
    assert!(
        pdf.contains(&squash("PNUD {{ partners }} : CA&EB <x>")),
        "{pdf}"
    );
    let copy = std::fs::read(folder.join("pbf-irf-999-2020-06-15-semi-annual.fr.docx")).unwrap();
    let document = part_of(&copy, "word/document.xml");
    // French puts a narrow no-break space before the colon.
    let line = "PNUD {{ partners }}\u{202f}: CA&amp;EB &lt;x&gt;";
    assert!(document.contains(line), "no {line} in the Word copy");
    assert!(!document.contains("&amp;amp;") && !document.contains("&amp;lt;"));
}

/// The cover names each recipient with its type of organisation, as the form asks, worded by
/// the catalog; the PDF's and the Word copy's author is who prepared the report.
#[test]
fn the_cover_gives_each_recipients_type_and_the_documents_their_author() {
    let (_dir, folder) = minimal_with_copy(
        "      name: UNICEF\n      type: un\n",
        "      name: Search for Common Ground\n      type: cso\n",
    );
    let pdf = folder.join("pbf-irf-999-2020-06-15-semi-annual.fr.pdf");
    let recipients = "PNUD (ONU), Search for Common Ground (ONG)";
    let text = squash(&pdf_text(&pdf));
    assert!(text.contains(&squash(recipients)), "{text}");
    let info = crate::common::tool("pdfinfo", &[pdf.to_str().unwrap()]);
    assert!(
        info.lines()
            .any(|l| l == "Author:          Awa Traoré (PNUD)"),
        "{info}"
    );
    let copy = std::fs::read(folder.join("pbf-irf-999-2020-06-15-semi-annual.fr.docx")).unwrap();
    assert!(part_of(&copy, "word/document.xml").contains(recipients));
    assert!(
        part_of(&copy, "docProps/core.xml").contains("<dc:creator>Awa Traoré (PNUD)</dc:creator>")
    );
}

/// Characters a Word copy cannot show (a lone carriage return, zero-width spaces, a line
/// separator, a tab at the end) are no reviewer's edit: an untouched copy leaves the source as
/// it was.
#[test]
fn an_untouched_copy_of_texts_with_invisible_characters_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let text = minimal_with_word_copy()
        .replacen(
            "  relevance: Le projet reste pertinent.\n",
            "  relevance: \"Le projet\\rreste pertinent.\"\n",
            1,
        )
        .replacen(
            "  unique: L'approche communautaire.\n",
            "  unique: \"\\u200B L'approche\\u200B communautaire.\"\n",
            1,
        )
        .replacen(
            "  peacebuilding_results: Dix comités de paix actifs.\n",
            "  peacebuilding_results: \"Dix\\u2028comités\\r\\n\\r\\nde paix actifs.\\t\"\n",
            1,
        );
    let source = dir
        .path()
        .join("data/pbf-irf-999/2020-06-15-semi-annual.yaml");
    std::fs::create_dir_all(source.parent().unwrap()).unwrap();
    std::fs::write(&source, &text).unwrap();
    Run::new(&["build"]).cwd(dir.path()).status(0).run();
    let copy = dir
        .path()
        .join("out/pbf-irf-999/2020-06-15-semi-annual/pbf-irf-999-2020-06-15-semi-annual.fr.docx");
    Run::new(&["import", copy.to_str().unwrap()])
        .cwd(dir.path())
        .status(0)
        .stderr_has(
            "left as it was data/pbf-irf-999/2020-06-15-semi-annual.yaml: 0 of 34 answers edited",
        )
        .run();
    assert_eq!(std::fs::read_to_string(&source).unwrap(), text);
}

/// What an import never does to the source it updates: change a paragraph the reviewer left
/// (its blank lines, its spaces), read bytes that are not UTF-8 as others, replace a link with a
/// file, write a read-only file or change a file's permissions; and what it says of a damaged
/// copy or a deleted answer.
#[test]
fn a_review_round_never_harms_the_source() {
    use std::os::unix::fs::PermissionsExt;
    let original = std::fs::read_to_string(built().0.join(EXAMPLE)).unwrap();
    let work = tempfile::tempdir().unwrap();
    let source = work.path().join(EXAMPLE);
    std::fs::create_dir_all(source.parent().unwrap()).unwrap();
    let copy = work.path().join("edited.docx");
    let first = "The final evaluation of the project was completed";
    std::fs::write(
        &copy,
        edited(&docx("en"), &[("cover.evaluation", "Evaluated.")]),
    )
    .unwrap();
    let import = |copy: &Path| Run::new(&["import", copy.to_str().unwrap()]).cwd(work.path());

    // One paragraph edited: the blank line after it and the other paragraph stay as they were.
    std::fs::write(&source, &original).unwrap();
    std::fs::set_permissions(&source, std::fs::Permissions::from_mode(0o640)).unwrap();
    import(&copy)
        .status(0)
        .stderr_has("edited: cover.evaluation.en")
        .run();
    let line = original.lines().find(|l| l.contains(first)).unwrap();
    assert_eq!(
        std::fs::read_to_string(&source).unwrap(),
        original.replacen(line, "      Evaluated.", 1)
    );
    let mode = std::fs::metadata(&source).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o640);

    // Refused, and the file left as it was: not UTF-8, read-only, a link.
    let latin1 = original
        .replacen("Mali", "Mal\u{ef}", 1)
        .replace('\u{ef}', "\u{1}");
    let latin1 = latin1.replacen('\u{1}', "", 0).into_bytes();
    let latin1: Vec<u8> = latin1
        .iter()
        .map(|&b| if b == 1 { 0xEF } else { b })
        .collect();
    std::fs::write(&source, &latin1).unwrap();
    import(&copy)
        .status(1)
        .stderr_has("is not UTF-8 text; nothing written")
        .run();
    assert_eq!(std::fs::read(&source).unwrap(), latin1);
    std::fs::write(&source, &original).unwrap();
    std::fs::set_permissions(&source, std::fs::Permissions::from_mode(0o444)).unwrap();
    import(&copy)
        .status(1)
        .stderr_has("is read-only; nothing written")
        .run();
    std::fs::set_permissions(&source, std::fs::Permissions::from_mode(0o644)).unwrap();
    let target = work.path().join("elsewhere.yaml");
    std::fs::rename(&source, &target).unwrap();
    std::os::unix::fs::symlink(&target, &source).unwrap();
    import(&copy)
        .status(1)
        .stderr_has("is a link, which an update would replace")
        .run();
    assert!(
        std::fs::symlink_metadata(&source)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(std::fs::read_to_string(&target).unwrap(), original);
    std::fs::remove_file(&source).unwrap();
    std::fs::write(&source, &original).unwrap();

    // A copy whose carried source is damaged is named so; nothing is written.
    let damaged = work.path().join("damaged.docx");
    let bytes = rewritten(&copy, |name, xml| {
        match name.starts_with("customXml/item") {
            true => xml.replacen(">", ">!!", 2),
            false => xml,
        }
    });
    std::fs::write(&damaged, bytes).unwrap();
    import(&damaged)
        .status(1)
        .stderr_has("whose carried source is damaged")
        .run();

    // An answer whose field was deleted from the copy is named, and kept.
    let deleted = work.path().join("deleted.docx");
    let bytes = rewritten(&docx("en"), |name, mut xml| {
        if name == "word/document.xml" {
            let at = xml.find("w:val=\"progress.unique\"").unwrap();
            let start = xml[..at].rfind("<w:sdt>").unwrap();
            let end = at + xml[at..].find("</w:sdt>").unwrap() + "</w:sdt>".len();
            xml.replace_range(start..end, "");
        }
        xml
    });
    std::fs::write(&deleted, bytes).unwrap();
    let out = import(&deleted).run();
    assert!(
        out.stderr.contains("progress.unique") && out.stderr.contains("not in the copy"),
        "{}",
        out.stderr
    );
    assert_eq!(std::fs::read_to_string(&source).unwrap(), original);
}
