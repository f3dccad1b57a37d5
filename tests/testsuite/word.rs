//! The Word copy (`word_copy: true`): read back as LibreOffice reads it, it holds every answer
//! and every line of the PDF; it is listed in the manifest, rebuilt byte for byte by `verify`,
//! and the same inputs give the same bytes.

use std::path::{Path, PathBuf};

use crate::common::{EXAMPLE, Run, pdf_text, root, squash, tool};

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
        let out = Run::new(&["build"]).cwd(&dir).output();
        assert_eq!(out.status, 0, "{}", out.stderr);
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
    tool(
        "soffice",
        &[
            "--headless",
            "--convert-to",
            "txt:Text (encoded):UTF8",
            "--outdir",
            out.path().to_str().unwrap(),
            path.to_str().unwrap(),
        ],
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
    let out = Run::new(&["build", "--out", again.path().to_str().unwrap()])
        .cwd(dir)
        .output();
    assert_eq!(out.status, 0, "{}", out.stderr);
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
    let verified = Run::new(&["verify", "out/pbf-irf-217/2019-11-12-final"])
        .cwd(dir)
        .output();
    assert_eq!(verified.status, 0, "{}", verified.stderr);
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
        .output();
    assert_ne!(tampered.status, 0, "{}", tampered.stderr);
    assert!(tampered.stderr.contains("en.docx"), "{}", tampered.stderr);
}

/// The Word copy keeps every character as written, even one the PDF's fonts cannot draw (the
/// PDF shows □ there): the reader's own fonts draw it.
#[test]
fn the_word_copy_keeps_characters_the_pdf_cannot_draw() {
    let dir = tempfile::tempdir().unwrap();
    let minimal = std::fs::read_to_string(root().join("tests/good/minimal.yaml")).unwrap();
    let text = minimal
        .replacen(
            "template: pbf-2019\n",
            "template: pbf-2019\nword_copy: true\n",
            1,
        )
        .replace(
            "prepared_by: Awa Traoré (PNUD)",
            "prepared_by: Awa Traoré 李明 (PNUD)",
        );
    let source = dir.path().join("2020-06-15-names.yaml");
    std::fs::write(&source, text).unwrap();
    let out = Run::new(&[
        "build",
        "--out",
        dir.path().join("out").to_str().unwrap(),
        source.to_str().unwrap(),
    ])
    .output();
    assert_eq!(out.status, 0, "{}", out.stderr);
    let folder = dir.path().join("out/pbf-irf-999/2020-06-15-names");
    let word = word_text(&folder.join("pbf-irf-999-2020-06-15-names.fr.docx"));
    assert!(word.contains("Awa Traoré 李明 (PNUD)"), "{word}");
    let pdf = pdf_text(&folder.join("pbf-irf-999-2020-06-15-names.fr.pdf"));
    assert!(pdf.contains("Awa Traoré □□ (PNUD)"), "{pdf}");
}
