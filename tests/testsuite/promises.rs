//! What docs/archiving.md promises an archivist, tried as an attacker and a careless colleague would:
//! a version folder changes as a whole, two sources never share one, an archived version is never
//! written whatever state its folder is in, and `verify` is not fooled.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::archive::{FOLDER, archived, workspace};
use crate::common::{Run, files};

fn run(dir: &Path, args: &[&str]) -> crate::common::Output {
    Run::new(args).cwd(dir).output()
}

/// Rewrites the manifest of `folder` after `change`, as a forger would.
fn edit_manifest(folder: &Path, change: impl FnOnce(&mut serde_json::Value)) {
    let path = folder.join("manifest.json");
    let mut value: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    change(&mut value);
    std::fs::write(&path, serde_json::to_vec_pretty(&value).unwrap()).unwrap();
}

/// Fails, showing everything printed, unless `out`'s standard error contains `text`.
fn assert_says(out: &crate::common::Output, text: &str) {
    assert!(
        out.stderr.contains(text),
        "expected {text:?} in:\n{}",
        out.stderr
    );
}

/// Changes the country of the source at `source`: the smallest edit that changes the PDF.
fn set_country(source: &Path, country: &str) {
    let text = std::fs::read_to_string(source).unwrap();
    let edited = text.replacen("country: Mali", &format!("country: {country}"), 1);
    assert_ne!(edited, text);
    std::fs::write(source, edited).unwrap();
}

fn folder(dir: &Path) -> PathBuf {
    dir.join(FOLDER)
}

/// Makes a read-only archived file writable again, as a careless colleague would.
fn writable(path: &Path) {
    let mut p = std::fs::metadata(path).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    p.set_readonly(false);
    std::fs::set_permissions(path, p).unwrap();
}

#[test]
fn the_archive_mark_records_every_file_who_and_when() {
    let (dir, _) = archived();
    let mark: serde_json::Value =
        serde_json::from_slice(&std::fs::read(folder(dir.path()).join("ARCHIVED.json")).unwrap())
            .unwrap();
    assert_eq!(mark["by"], "A. Archivist");
    assert!(mark["archived_at"].as_str().unwrap().ends_with('Z'));
    let names: Vec<&str> = mark["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"manifest.json") && names.contains(&"annex-a.fr.xlsx"),
        "{names:?}"
    );
    let pdf = folder(dir.path()).join("pbf-irf-217-2019-11-12-final.fr.pdf");
    assert!(std::fs::metadata(pdf).unwrap().permissions().readonly());
}

#[test]
fn an_archived_folder_without_its_manifest_is_never_rebuilt() {
    let (dir, source) = archived();
    let manifest = folder(dir.path()).join("manifest.json");
    writable(&manifest);
    std::fs::remove_file(&manifest).unwrap();
    set_country(&source, "Niger");
    let before = files(&folder(dir.path()));
    let out = run(dir.path(), &["build"]);
    assert_eq!(out.status, 1, "{}", out.stderr);
    assert_says(&out, "its folder no longer holds what was archived");
    assert_says(&out, "   - manifest.json is missing");
    assert_says(&out, "`pbf-report verify`");
    assert_eq!(files(&folder(dir.path())), before);
}

#[test]
fn anything_in_place_of_the_archive_mark_still_stops_a_build() {
    let (dir, source) = archived();
    let mark = folder(dir.path()).join("ARCHIVED.json");
    writable(&mark);
    std::fs::remove_file(&mark).unwrap();
    std::fs::create_dir(&mark).unwrap();
    set_country(&source, "Niger");
    let out = run(dir.path(), &["build"]);
    assert_eq!(out.status, 1, "{}", out.stderr);
    assert_says(&out, "ARCHIVED.json is a folder");
}

#[test]
fn a_damaged_archived_folder_is_named_by_build_and_verify() {
    let (dir, _) = archived();
    let xlsx = folder(dir.path()).join("annex-a.fr.xlsx");
    writable(&xlsx);
    std::fs::write(&xlsx, b"not a workbook").unwrap();
    std::fs::write(folder(dir.path()).join("extra.txt"), b"added").unwrap();
    let out = run(dir.path(), &["build"]);
    assert_eq!(out.status, 1, "{}", out.stderr);
    assert_says(&out, "   - annex-a.fr.xlsx was changed");
    assert_says(&out, "   - extra.txt was added");
    let verify = run(dir.path(), &["verify", FOLDER]);
    assert_eq!(verify.status, 1);
    assert_says(
        &verify,
        "DIFFERS  extra.txt: this file is not listed in the manifest",
    );
    assert_says(&verify, "annex-a.fr.xlsx was changed since it was archived");
}

#[test]
fn verify_is_not_fooled_by_an_edited_manifest() {
    let (dir, _) = workspace();
    assert_eq!(run(dir.path(), &["build"]).status, 0);
    let f = folder(dir.path());
    // A PDF replaced by another file, and its entry taken out of the manifest.
    std::fs::write(
        f.join("pbf-irf-217-2019-11-12-final.fr.pdf"),
        b"%PDF-1.7 forged",
    )
    .unwrap();
    edit_manifest(&f, |m| {
        m["outputs"].as_array_mut().unwrap().remove(0);
    });
    let verify = run(dir.path(), &["verify", FOLDER]);
    assert_eq!(verify.status, 1, "{}", verify.stderr);
    assert_says(
        &verify,
        "DIFFERS  pbf-irf-217-2019-11-12-final.fr.pdf: this file is not listed in the manifest",
    );
    // A manifest that names a file outside its folder.
    edit_manifest(&f, |m| m["source"]["name"] = "../../../etc/passwd".into());
    let verify = run(dir.path(), &["verify", FOLDER]);
    assert_eq!(verify.status, 1, "{}", verify.stderr);
    assert_says(
        &verify,
        "names \"../../../etc/passwd\", not a file name of its folder",
    );
    assert!(!verify.stderr.contains("root:"), "{}", verify.stderr);
}

#[test]
fn a_draft_is_never_archived() {
    let (dir, _) = workspace();
    assert_eq!(run(dir.path(), &["build", "--draft"]).status, 0);
    let out = run(dir.path(), &["archive", FOLDER]);
    assert_eq!(out.status, 1, "{}", out.stderr);
    assert_says(&out, "is a draft build");
    assert!(!folder(dir.path()).join("ARCHIVED.json").exists());
}

#[test]
fn two_sources_for_one_folder_are_both_refused_before_anything_is_written() {
    let (dir, source) = workspace();
    let other = dir.path().join("data/copy/2019-11-12-final.yaml");
    std::fs::create_dir_all(other.parent().unwrap()).unwrap();
    let text = std::fs::read_to_string(&source).unwrap();
    std::fs::write(&other, text.replacen("country: Mali", "country: Niger", 1)).unwrap();
    let out = run(dir.path(), &["build"]);
    assert_eq!(out.status, 1, "{}", out.stderr);
    let one = "error: this source and data/pbf-irf-217/2019-11-12-final.yaml would both write out/pbf-irf-217/2019-11-12-final";
    let two = "error: this source and data/copy/2019-11-12-final.yaml would both write out/pbf-irf-217/2019-11-12-final";
    assert!(
        out.stderr.contains(one) && out.stderr.contains(two),
        "{}",
        out.stderr
    );
    assert!(
        !dir.path()
            .join("out/pbf-irf-217")
            .join("2019-11-12-final")
            .exists()
    );
}

/// The bytes of a version folder built from `text`, for comparing.
fn built(text: &str) -> Vec<(String, Vec<u8>)> {
    let (dir, source) = workspace();
    std::fs::write(&source, text).unwrap();
    assert_eq!(run(dir.path(), &["build"]).status, 0);
    files(&folder(dir.path()))
}

#[test]
fn a_build_killed_at_any_point_leaves_the_old_folder_or_the_new_one() {
    let (dir, source) = workspace();
    let old_text = std::fs::read_to_string(&source).unwrap();
    let new_text = old_text.replacen("country: Mali", "country: Mali (révisé)", 1);
    let (old, new) = (built(&old_text), built(&new_text));
    assert_eq!(run(dir.path(), &["build"]).status, 0);
    let parent = folder(dir.path()).parent().unwrap().to_path_buf();
    let staging = parent.join(".2019-11-12-final.staging");
    let aside = parent.join(".2019-11-12-final.old");
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    // Half the kills land at a random moment; the other half as soon as the staging folder
    // appears, so that some surely land while the folder is being replaced.
    let mut mid_swap = 0;
    for i in 0..50 {
        let text = if i % 2 == 0 { &new_text } else { &old_text };
        std::fs::write(&source, text).unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_pbf-report"))
            .arg("build")
            .current_dir(dir.path())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        if i % 2 == 0 {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            std::thread::sleep(std::time::Duration::from_millis((seed >> 33) % 900));
        } else {
            let start = std::time::Instant::now();
            while !staging.exists() && start.elapsed() < std::time::Duration::from_secs(30) {
                if child.try_wait().unwrap().is_some() {
                    break;
                }
            }
        }
        let _ = child.kill();
        let _ = child.wait();
        if staging.exists() || aside.exists() {
            mid_swap += 1;
        }
        // Either whole folder, or (killed between the two renames) the old one set aside.
        let f = folder(dir.path());
        let state = match f.exists() {
            true => files(&f),
            false => files(&aside),
        };
        assert!(state == old || state == new, "kill {i} left a mixed folder");
    }
    assert!(
        mid_swap >= 5,
        "only {mid_swap} of 50 kills landed while the folder was being replaced"
    );
    let out = run(dir.path(), &["build"]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    let verify = run(dir.path(), &["verify", FOLDER]);
    assert_eq!(verify.status, 0, "{}", verify.stderr);
    let leftovers: Vec<String> = std::fs::read_dir(dir.path().join("out/pbf-irf-217"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("staging") || n.ends_with(".old"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn two_builds_of_one_workspace_at_once_both_succeed() {
    let (dir, _) = workspace();
    for i in 0..20 {
        let _ = std::fs::remove_dir_all(dir.path().join("out"));
        let spawn = || {
            Command::new(env!("CARGO_BIN_EXE_pbf-report"))
                .arg("build")
                .current_dir(dir.path())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (a, b) = (spawn(), spawn());
        for child in [a, b] {
            let out = child.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "round {i}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
    let verify = run(dir.path(), &["verify", FOLDER]);
    assert_eq!(verify.status, 0, "{}", verify.stderr);
}

/// A PDF whose catalog names `files` as attached: (name, stream content, whether the content is
/// deflated).
fn pdf_with(files: Vec<(String, Vec<u8>, bool)>) -> Vec<u8> {
    use lopdf::{Document, Object, Stream, dictionary};
    let mut doc = Document::with_version("1.7");
    let pages = doc.new_object_id();
    let page = doc.add_object(dictionary! { "Type" => "Page", "Parent" => pages });
    doc.objects.insert(
        pages,
        Object::Dictionary(
            dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1 },
        ),
    );
    let mut names = Vec::new();
    for (name, content, deflated) in files {
        let mut dict = dictionary! { "Type" => "EmbeddedFile" };
        if deflated {
            dict.set("Filter", "FlateDecode");
        }
        let mut stream = Stream::new(dict, content);
        stream.allows_compression = false;
        let data = doc.add_object(stream);
        let spec = dictionary! {
            "Type" => "Filespec",
            "F" => Object::string_literal(name.clone()),
            "UF" => Object::string_literal(name.clone()),
            "EF" => dictionary! { "F" => data },
        };
        names.push(Object::string_literal(name));
        names.push(doc.add_object(spec).into());
    }
    let tree = dictionary! { "EmbeddedFiles" => dictionary! { "Names" => names } };
    let catalog =
        doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages, "Names" => tree });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

fn zeros_deflated(mib: usize) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(&vec![0u8; mib << 20], 9)
}

/// `extract` of `pdf`: its exit status and what it said; nothing may be written.
fn extract(pdf: Vec<u8>) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crafted.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out_dir = dir.path().join("out");
    let out = Run::new(&[
        "extract",
        path.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
    ])
    .output();
    assert!(!out_dir.exists(), "something was written: {}", out.stderr);
    (out.status, out.stderr)
}

#[test]
fn crafted_pdfs_are_refused_with_a_short_error() {
    // A decompression bomb: 32 MiB of zeros in a few kilobytes.
    let (status, stderr) = extract(pdf_with(vec![(
        "bomb.yaml".into(),
        zeros_deflated(32),
        true,
    )]));
    assert_eq!(status, 1, "{stderr}");
    assert!(
        stderr.contains("\"bomb.yaml\" does not inflate within 16 MiB"),
        "{stderr}"
    );
    assert!(stderr.len() < 300, "{} bytes of message", stderr.len());
    // Forty files of 8 MiB each: more than 64 MiB in all.
    let large = (0..40)
        .map(|i| (format!("f{i}.bin"), zeros_deflated(8), true))
        .collect();
    let (status, stderr) = extract(pdf_with(large));
    assert_eq!(status, 1, "{stderr}");
    assert!(stderr.contains("inflate to more than 64 MiB"), "{stderr}");
    // Twenty thousand tiny files.
    let small = (0..20_000)
        .map(|i| (format!("f{i}.txt"), b"x".to_vec(), false))
        .collect();
    let (status, stderr) = extract(pdf_with(small));
    assert_eq!(status, 1, "{stderr}");
    assert!(stderr.contains("carries more than 64 files"), "{stderr}");
    // Two files of one name, and a name that is a path.
    let twice = vec![
        ("a.yaml".into(), b"1".to_vec(), false),
        ("a.yaml".into(), b"2".to_vec(), false),
    ];
    let (status, stderr) = extract(pdf_with(twice));
    assert_eq!(status, 1, "{stderr}");
    assert!(stderr.contains("two files named \"a.yaml\""), "{stderr}");
    let (status, stderr) = extract(pdf_with(vec![(
        "../evil.yaml".into(),
        b"1".to_vec(),
        false,
    )]));
    assert_eq!(status, 1, "{stderr}");
    assert!(stderr.contains("unsafe name \"../evil.yaml\""), "{stderr}");
    // A name no file system holds, after a good file: refused as the PDF's, nothing written.
    let long = vec![
        ("a.yaml".into(), b"1".to_vec(), false),
        (format!("{}.yaml", "n".repeat(300)), b"2".to_vec(), false),
    ];
    let (status, stderr) = extract(pdf_with(long));
    assert_eq!(status, 1, "{stderr}");
    assert!(stderr.contains("unsafe name \"nnnn"), "{stderr}");
    // A file cut short: it gives fewer bytes than it was attached with.
    let whole = pdf_with(vec![("a.yaml".into(), b"half".to_vec(), false)]);
    let mut doc = lopdf::Document::load_mem(&whole).unwrap();
    for object in doc.objects.values_mut() {
        if let lopdf::Object::Stream(stream) = object {
            let size = lopdf::dictionary! { "Size" => 8 };
            stream.dict.set("Params", size);
        }
    }
    let mut cut = Vec::new();
    doc.save_to(&mut cut).unwrap();
    let (status, stderr) = extract(cut);
    assert_eq!(status, 1, "{stderr}");
    assert!(
        stderr.contains("\"a.yaml\" gives 4 of its 8 bytes"),
        "{stderr}"
    );
}

#[test]
fn a_pdf_re_saved_by_another_program_still_gives_its_files() {
    let (dir, source) = workspace();
    assert_eq!(run(dir.path(), &["build"]).status, 0);
    let pdf = folder(dir.path()).join("pbf-irf-217-2019-11-12-final.fr.pdf");
    let resaved = dir.path().join("resaved.pdf");
    crate::common::tool(
        "qpdf",
        &[
            "--object-streams=generate",
            pdf.to_str().unwrap(),
            resaved.to_str().unwrap(),
        ],
    );
    let out = dir.path().join("extracted");
    let extract = run(
        dir.path(),
        &["extract", "resaved.pdf", "--out", out.to_str().unwrap()],
    );
    assert_eq!(extract.status, 0, "{}", extract.stderr);
    assert_eq!(
        std::fs::read(out.join("2019-11-12-final.yaml")).unwrap(),
        std::fs::read(&source).unwrap()
    );
    let verify = run(dir.path(), &["verify", "resaved.pdf"]);
    assert_eq!(verify.status, 1, "{}", verify.stderr);
    assert!(
        verify
            .stderr
            .contains("the text of every page is the same (the difference is in the file"),
        "{}",
        verify.stderr
    );
}

#[test]
fn verify_says_which_pages_differ() {
    let (dir, source) = workspace();
    assert_eq!(run(dir.path(), &["build"]).status, 0);
    let f = folder(dir.path());
    let pdf = "pbf-irf-217-2019-11-12-final.fr.pdf";
    let original = std::fs::read(f.join(pdf)).unwrap();
    // Another PDF in its place: its text differs where the country prints (page 1).
    let text = std::fs::read_to_string(&source).unwrap();
    set_country(&source, "Niger");
    let other_out = dir.path().join("other");
    assert_eq!(
        run(dir.path(), &["build", "--out", other_out.to_str().unwrap()]).status,
        0
    );
    let other = std::fs::read(other_out.join("pbf-irf-217/2019-11-12-final").join(pdf)).unwrap();
    assert_ne!(original, other);
    std::fs::write(&source, text).unwrap();
    std::fs::write(f.join(pdf), &other).unwrap();
    edit_manifest(&f, |m| {
        m["outputs"][0]["sha256"] = pbf_report::hash::sha256(&other).into()
    });
    let verify = run(dir.path(), &["verify", FOLDER]);
    assert_eq!(verify.status, 1, "{}", verify.stderr);
    assert_says(&verify, "the text differs on page 1");
}

#[test]
fn a_revision_names_the_archived_version_it_supersedes() {
    let (dir, source) = archived();
    let text = std::fs::read_to_string(&source).unwrap();
    let revision = text
        .replacen(
            "languages: [fr, en]",
            "languages: [fr, en]\nsupersedes: 2019-11-12-final",
            1,
        )
        .replacen("country: Mali", "country: République du Mali", 1);
    let r2 = source.with_file_name("2019-11-12-final-r2.yaml");
    std::fs::write(&r2, &revision).unwrap();
    let check = run(
        dir.path(),
        &["check", "data/pbf-irf-217/2019-11-12-final-r2.yaml"],
    );
    assert_eq!(check.status, 0, "{}", check.stderr);
    let build = run(
        dir.path(),
        &["build", "data/pbf-irf-217/2019-11-12-final-r2.yaml"],
    );
    assert_eq!(build.status, 0, "{}", build.stderr);
    let r2_folder = dir.path().join("out/pbf-irf-217/2019-11-12-final-r2");
    let pdf = r2_folder.join("pbf-irf-217-2019-11-12-final-r2.fr.pdf");
    let text = crate::common::pdf_text(&pdf);
    assert!(text.contains("Révision de 2019-11-12-final"), "{text}");
    let footers = crate::common::footers(&pdf);
    assert!(
        footers.len() > 10
            && footers.iter().all(|f| f.contains(
                "PBF IRF-217 – RAPPORT DE PROGRES DE PROJET PBF – Révision de 2019-11-12-final Page"
            )),
        "{footers:?}"
    );
    let info = crate::common::tool("pdfinfo", &[pdf.to_str().unwrap()]);
    assert!(info.contains("Révision de 2019-11-12-final"), "{info}");
    let manifest = std::fs::read_to_string(r2_folder.join("manifest.json")).unwrap();
    assert!(
        manifest.contains("\"supersedes\": \"2019-11-12-final\""),
        "{manifest}"
    );

    // A revision of a version that was never archived is refused by check and by build.
    let r3 = source.with_file_name("2019-11-12-final-r3.yaml");
    std::fs::write(
        &r3,
        revision.replacen(
            "supersedes: 2019-11-12-final",
            "supersedes: 2019-11-12-draft",
            1,
        ),
    )
    .unwrap();
    let expected = "error: supersedes: the version `2019-11-12-draft` it supersedes is not archived in out/pbf-irf-217/2019-11-12-draft";
    for command in ["check", "build"] {
        let out = run(
            dir.path(),
            &[command, "data/pbf-irf-217/2019-11-12-final-r3.yaml"],
        );
        assert_eq!(out.status, 1, "{}", out.stderr);
        assert_says(&out, expected);
    }
}

#[test]
fn archive_and_build_at_once_never_lose_the_mark() {
    // The archive starts at moments spread over one build's length, so that some rounds
    // archive while the build runs and some after it.
    let (dir, _) = workspace();
    let start = std::time::Instant::now();
    assert_eq!(run(dir.path(), &["build", "--out", "timing"]).status, 0);
    let length = start.elapsed().as_millis() as u64;
    let mut archived = 0;
    for i in 0..8u64 {
        let (dir, source) = workspace();
        assert_eq!(run(dir.path(), &["build"]).status, 0);
        set_country(&source, "Malí");
        let mut build = Command::new(env!("CARGO_BIN_EXE_pbf-report"))
            .arg("build")
            .current_dir(dir.path())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(length * i / 6));
        let archive = run(dir.path(), &["archive", FOLDER]);
        let _ = build.wait();
        if archive.status == 0 {
            archived += 1;
            assert!(
                folder(dir.path()).join("ARCHIVED.json").is_file(),
                "round {i}: the mark was lost"
            );
            let verify = run(dir.path(), &["verify", FOLDER]);
            assert_eq!(verify.status, 0, "round {i}: {}", verify.stderr);
        } else {
            assert!(
                !folder(dir.path()).join("ARCHIVED.json").exists(),
                "round {i}: refused, yet marked: {}",
                archive.stderr
            );
        }
    }
    assert!(archived >= 1, "no round archived: nothing was tried");
}

#[test]
fn nothing_is_written_into_an_archived_folder_by_any_route() {
    let (dir, _) = archived();
    let before = files(&folder(dir.path()));
    // A file that looks like a leftover is the folder's content, not litter to sweep away.
    std::fs::write(folder(dir.path()).join(".notes.42.tmp"), b"mine").unwrap();
    let out = run(dir.path(), &["build"]);
    assert_eq!(out.status, 1, "{}", out.stderr);
    assert_says(&out, "   - .notes.42.tmp was added");
    assert!(folder(dir.path()).join(".notes.42.tmp").exists());
    std::fs::remove_file(folder(dir.path()).join(".notes.42.tmp")).unwrap();
    // --emit-typst or --out pointing into it. Into the output folder at all, it is refused
    // before anything is built.
    let out = run(dir.path(), &["build", "--emit-typst", "out"]);
    assert_eq!(out.status, 2, "{}", out.stderr);
    assert_says(&out, "--emit-typst out is inside the output folder out");
    let out = run(dir.path(), &["build", "--emit-typst", "out/./typst/.."]);
    assert_eq!(out.status, 2, "{}", out.stderr);
    // Nor under the sources or the templates, which every later run reads.
    for (flag, into) in [
        ("--emit-typst", "data"),
        ("--out", "data/x"),
        ("--out", "templates"),
    ] {
        let out = run(dir.path(), &["build", flag, into]);
        assert_eq!(out.status, 2, "{flag} {into}: {}", out.stderr);
        assert_says(&out, "whose files are read as inputs");
    }
    let out = run(
        dir.path(),
        &["build", "--out", "elsewhere", "--emit-typst", "out"],
    );
    assert_eq!(out.status, 1, "{}", out.stderr);
    assert_says(
        &out,
        "is an archived version folder, or a folder inside one",
    );
    let out = run(dir.path(), &["build", "--out", FOLDER]);
    assert_eq!(out.status, 1, "{}", out.stderr);
    assert_says(&out, "is an archived version folder");
    assert_eq!(files(&folder(dir.path())), before);
}

#[test]
fn a_copied_or_trimmed_folder_is_not_taken_for_the_version() {
    let (dir, source) = workspace();
    assert_eq!(run(dir.path(), &["build"]).status, 0);
    // A copy of the folder under another version's name.
    let copy = dir.path().join("out/pbf-irf-217/2019-11-12-b");
    std::fs::create_dir(&copy).unwrap();
    for (name, bytes) in files(&folder(dir.path())) {
        std::fs::write(copy.join(name), bytes).unwrap();
    }
    let verify = run(dir.path(), &["verify", "out/pbf-irf-217/2019-11-12-b"]);
    assert_eq!(verify.status, 1, "{}", verify.stderr);
    assert_says(&verify, "belongs in pbf-irf-217/2019-11-12-final");
    std::fs::copy(&source, source.with_file_name("2019-11-12-b.yaml")).unwrap();
    let build = run(dir.path(), &["build", "data/pbf-irf-217/2019-11-12-b.yaml"]);
    assert_says(&build, "built data/pbf-irf-217/2019-11-12-b.yaml (6 files)");
    // A workbook taken out with its line in the manifest.
    let f = folder(dir.path());
    std::fs::remove_file(f.join("annex-a.en.xlsx")).unwrap();
    edit_manifest(&f, |m| {
        let outputs = m["outputs"].as_array_mut().unwrap();
        outputs.retain(|o| o["name"] != "annex-a.en.xlsx");
    });
    let verify = run(dir.path(), &["verify", FOLDER]);
    assert_eq!(verify.status, 1, "{}", verify.stderr);
    assert_says(
        &verify,
        "DIFFERS  annex-a.en.xlsx: the source makes this file, but the manifest does not list it",
    );
    let build = run(
        dir.path(),
        &["build", "data/pbf-irf-217/2019-11-12-final.yaml"],
    );
    assert!(
        build.stderr.contains("(6 files)"),
        "rebuilt, not up to date: {}",
        build.stderr
    );
}

#[test]
fn a_file_where_the_version_folder_should_be_is_left_alone() {
    let (dir, _) = workspace();
    let f = folder(dir.path());
    std::fs::create_dir_all(f.parent().unwrap()).unwrap();
    std::fs::write(&f, b"somebody's notes").unwrap();
    for _ in 0..2 {
        let out = run(dir.path(), &["build"]);
        assert_eq!(out.status, 3, "{}", out.stderr);
        assert_says(&out, "a file stands where a folder is needed");
        assert_eq!(std::fs::read(&f).unwrap(), b"somebody's notes");
    }
    std::fs::remove_file(&f).unwrap();
    assert_eq!(run(dir.path(), &["build"]).status, 0);
}

#[test]
fn check_refuses_what_build_would_refuse() {
    let (dir, source) = workspace();
    let text = std::fs::read_to_string(&source).unwrap();
    std::fs::write(source.with_file_name("Final Report.yaml"), &text).unwrap();
    std::fs::write(
        dir.path().join("data/pbf-irf-217/2019-11-12-final.YML"),
        &text,
    )
    .unwrap();
    let empty = text.replacen(
        "languages: [fr, en]",
        "languages: [fr, en]\nsupersedes: ''",
        1,
    );
    std::fs::write(source.with_file_name("2020-01-01-r.yaml"), empty).unwrap();
    let out = run(dir.path(), &["check"]);
    assert_eq!(out.status, 1, "{}", out.stderr);
    for expected in [
        "the file name names the report version",
        "help: rename it final-report.yaml",
        "this source and data/pbf-irf-217/2019-11-12-final.yaml would both be built into out/pbf-irf-217/2019-11-12-final",
        "error: supersedes: give the version this one supersedes, or leave the field out",
    ] {
        assert!(out.stderr.contains(expected), "{expected}\n{}", out.stderr);
    }
}

#[test]
fn archive_needs_a_name_and_extract_never_writes_through_a_link() {
    let (dir, _) = workspace();
    assert_eq!(run(dir.path(), &["build"]).status, 0);
    let out = run(dir.path(), &["archive", FOLDER, "--by", " "]);
    assert_eq!(out.status, 2, "{}", out.stderr);
    let target = dir.path().join("extracted");
    std::fs::create_dir(&target).unwrap();
    let elsewhere = dir.path().join("elsewhere.yaml");
    std::os::unix::fs::symlink(&elsewhere, target.join("2019-11-12-final.yaml")).unwrap();
    let pdf = format!("{FOLDER}/pbf-irf-217-2019-11-12-final.fr.pdf");
    let out = run(
        dir.path(),
        &["extract", &pdf, "--out", target.to_str().unwrap()],
    );
    assert_eq!(out.status, 1, "{}", out.stderr);
    assert_says(&out, "exists already; nothing was extracted");
    assert!(!elsewhere.exists());
}

/// A small PDF made of millions of tiny objects (an array of empty names, one byte each) takes
/// hundreds of bytes of memory for each byte read: its reading is stopped within the memory
/// budget and refused as input, however it is used.
#[test]
fn a_pdf_made_to_exhaust_memory_is_stopped_within_the_budget() {
    let names = 4_000_000;
    let objects: [(u32, Vec<u8>); 4] = [
        (1, b"<< /Type /Catalog /Pages 2 0 R /X 4 0 R >>".to_vec()),
        (2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec()),
        (
            3,
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>".to_vec(),
        ),
        (
            4,
            [b"[".to_vec(), vec![b'/'; names], b"]".to_vec()].concat(),
        ),
    ];
    let mut pdf = b"%PDF-1.7\n".to_vec();
    let mut offsets = Vec::new();
    for (n, body) in &objects {
        offsets.push(pdf.len());
        pdf.extend(format!("{n} 0 obj\n").as_bytes());
        pdf.extend(body);
        pdf.extend(b"\nendobj\n");
    }
    let xref = pdf.len();
    pdf.extend(b"xref\n0 5\n0000000000 65535 f \n");
    for at in offsets {
        pdf.extend(format!("{at:010} 00000 n \n").as_bytes());
    }
    pdf.extend(
        format!("trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n").as_bytes(),
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("names.pdf"), pdf).unwrap();
    for args in [
        &["extract", "names.pdf", "--out", "x"][..],
        &["verify", "names.pdf"],
    ] {
        let out = Run::new(args)
            .cwd(dir.path())
            .env("PBF_REPORT_MEMORY_LIMIT", "150")
            .status(1)
            .run();
        assert!(
            out.stderr
                .contains("names.pdf: reading it took more than 150 MiB of memory"),
            "{args:?}: {}",
            out.stderr
        );
    }
    assert!(!dir.path().join("x").exists());
}
