//! A templates folder is a sandbox: what a template may read is carried by every PDF, so a link
//! out of the workspace, a name that is not plain, a kind of file no template needs and more
//! files than a PDF can carry are refused by name before anything is built; a template that
//! would not attach what its PDF is made from is refused like one cut short.

use std::path::Path;

use crate::common::{EXAMPLE, Run, files, root};

/// A workspace with the example and a copy of the built-in layout under `templates/`.
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for from in [EXAMPLE, "templates/pbf-2019/report.typ"] {
        let target = dir.path().join(from);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(root().join(from), target).unwrap();
    }
    dir
}

/// The workspace built once, its version folder, the files in it, its layout and the layout's
/// text.
type Built = (
    tempfile::TempDir,
    std::path::PathBuf,
    Vec<(String, Vec<u8>)>,
    std::path::PathBuf,
    String,
);

fn built() -> Built {
    let ws = workspace();
    Run::new(&["build"]).cwd(ws.path()).status(0).run();
    let folder = ws.path().join("out/pbf-irf-217/2019-11-12-final");
    let good = files(&folder);
    let layout = ws.path().join("templates/pbf-2019/report.typ");
    let text = std::fs::read_to_string(&layout).unwrap();
    (ws, folder, good, layout, text)
}

fn refused(ws: &Path, named: &str, why: &str) {
    for command in ["build", "check"] {
        let out = Run::new(&[command]).cwd(ws).status(1).run();
        assert!(
            out.stderr.contains(named) && out.stderr.contains(why),
            "{command}: {}",
            out.stderr
        );
    }
}

#[test]
fn a_link_out_of_the_workspace_is_never_followed() {
    let ws = workspace();
    let elsewhere = tempfile::tempdir().unwrap();
    let secret = elsewhere.path().join("id_rsa");
    std::fs::write(&secret, "-----BEGIN PRIVATE KEY-----").unwrap();
    let logo = ws.path().join("templates/pbf-2019/logo.png");
    std::os::unix::fs::symlink(&secret, &logo).unwrap();
    refused(
        ws.path(),
        "templates/pbf-2019/logo.png",
        "a link that leads out of the workspace",
    );
    assert!(!ws.path().join("out").exists());

    // A link within the workspace is followed, and its file carried.
    std::fs::remove_file(&logo).unwrap();
    std::fs::write(ws.path().join("logo.png"), b"\x89PNG").unwrap();
    std::os::unix::fs::symlink("../../logo.png", &logo).unwrap();
    Run::new(&["build"]).cwd(ws.path()).status(0).run();
}

#[test]
fn names_and_kinds_no_template_has_are_refused_by_name() {
    let ws = workspace();
    let folder = ws.path().join("templates/pbf-2019");
    for (name, why) in [
        (r"x\..\..\y.typ", "a name with other characters"),
        ("a b.typ", "a name with other characters"),
        ("plugin.wasm", "a file of another kind"),
        ("key", "a file of another kind"),
    ] {
        std::fs::write(folder.join(name), "x").unwrap();
        refused(ws.path(), name, why);
        std::fs::remove_file(folder.join(name)).unwrap();
    }
    // Notes, hidden files and an editor's lock link (dangling) or backup are left aside.
    std::fs::write(folder.join("README.md"), "notes").unwrap();
    std::fs::write(folder.join("report.typ~"), "old").unwrap();
    std::fs::write(folder.join(".hidden.typ"), "#panic()").unwrap();
    std::os::unix::fs::symlink("user@host.1234:1", folder.join(".#report.typ")).unwrap();
    Run::new(&["build"]).cwd(ws.path()).status(0).run();
    let carried: Vec<String> = crate::common::attached_names(
        &ws.path()
            .join("out/pbf-irf-217/2019-11-12-final/pbf-irf-217-2019-11-12-final.fr.pdf"),
    );
    assert!(
        !carried
            .iter()
            .any(|n| n.contains("README") || n.contains('~') || n.contains("hidden")),
        "{carried:?}"
    );

    for i in 0..48 {
        std::fs::write(folder.join(format!("part{i}.typ")), "").unwrap();
    }
    refused(ws.path(), "templates", "more than the 48 files");
}

#[test]
fn a_template_that_attaches_nothing_is_refused_and_the_good_build_stays() {
    let (ws, folder, good, layout, text) = built();
    let attach = "  pdf.attach(a.path, relationship: a.relationship, mime-type: a.mime, description: a.description)\n";
    assert!(text.contains(attach));
    std::fs::write(&layout, text.replace(attach, "")).unwrap();
    let out = Run::new(&["build"]).cwd(ws.path()).status(3).run();
    assert!(
        out.stderr.contains("templates/pbf-2019/report.typ")
            && out
                .stderr
                .contains("the template does not attach 2019-11-12-final.yaml"),
        "{}",
        out.stderr
    );
    assert_eq!(files(&folder), good);
}

/// A PDF laid out by a template pbf-report does not know (sent from elsewhere, or made with a
/// workspace's template since changed) is not rebuilt with that template, which is code: verify
/// names the carried file and its hash, exit 1. Where the template is known (its workspace) it
/// verifies; `--trust-carried` runs it anywhere.
#[test]
fn a_pdf_carrying_an_unknown_template_is_not_run_unless_trusted() {
    let ws = workspace();
    let layout = ws.path().join("templates/pbf-2019/report.typ");
    let text = std::fs::read_to_string(&layout).unwrap();
    std::fs::write(&layout, text.replace("luma(93%)", "luma(80%)")).unwrap();
    Run::new(&["build"]).cwd(ws.path()).status(0).run();
    let pdf = ws
        .path()
        .join("out/pbf-irf-217/2019-11-12-final/pbf-irf-217-2019-11-12-final.fr.pdf");
    let pdf = pdf.to_str().unwrap();
    Run::new(&["verify", pdf]).cwd(ws.path()).status(0).run();

    let elsewhere = tempfile::tempdir().unwrap();
    let out = Run::new(&["verify", pdf])
        .cwd(elsewhere.path())
        .status(1)
        .run();
    let said = format!("{}{}", out.stdout, out.stderr);
    let hash = pbf_report::hash::sha256(&std::fs::read(&layout).unwrap());
    assert!(
        said.contains("templates/pbf-2019/report.typ: carried by the PDF, but neither built")
            && said.contains(&hash)
            && !said.contains("ok "),
        "{said}"
    );
    let folder = ws.path().join("out/pbf-irf-217/2019-11-12-final");
    Run::new(&["verify", folder.to_str().unwrap()])
        .cwd(elsewhere.path())
        .status(1)
        .run();
    // A verified line says what the PDF was rebuilt with.
    Run::new(&["verify", "--trust-carried", pdf])
        .cwd(elsewhere.path())
        .status(0)
        .stderr_has(
            "(against the templates and catalogs it carries, trusted with --trust-carried)\n",
        )
        .run();
    // An archived version of this workspace vouches for what it was made with, once its
    // templates have changed since; a folder from elsewhere vouches for nothing, since anyone
    // can write a mark.
    let folder = folder.to_str().unwrap();
    Run::new(&["archive", folder, "--by", "A. Archivist"])
        .cwd(ws.path())
        .status(0)
        .run();
    std::fs::write(&layout, &text).unwrap();
    Run::new(&["verify", "out/pbf-irf-217/2019-11-12-final"])
        .cwd(ws.path())
        .status(0)
        .stderr_has("-final.fr.pdf (against known templates and catalogs: an earlier release's, this workspace's or its archive's)\n")
        .run();
    let out = Run::new(&["verify", folder])
        .cwd(elsewhere.path())
        .status(1)
        .run();
    assert!(
        out.stderr
            .contains("templates/pbf-2019/report.typ: carried by the PDF, but neither built"),
        "{}",
        out.stderr
    );
}

/// A template that loops, or allocates without end, is stopped within its budget with exit 3
/// and its file named; nothing is written, and the good build stays.
#[test]
fn a_template_that_loops_or_allocates_is_stopped_within_its_budget() {
    let (ws, folder, good, layout, text) = built();
    for (head, variable, value, why) in [
        (
            "#for i in range(100000) { for j in range(100000) { } }\n",
            "PBF_REPORT_TIME_LIMIT",
            "2",
            "the template ran for more than 2 s, and was stopped",
        ),
        (
            "#let s = \"xxxxxxxx\"\n#for i in range(40) { s = s + s }\n",
            "PBF_REPORT_MEMORY_LIMIT",
            "300",
            "the template took more than 300 MiB of memory, and was stopped",
        ),
    ] {
        std::fs::write(&layout, format!("{head}{text}")).unwrap();
        let started = std::time::Instant::now();
        let out = Run::new(&["build"])
            .cwd(ws.path())
            .env(variable, value)
            .status(3)
            .run();
        assert!(
            out.stderr
                .contains(&format!("error: templates/pbf-2019/report.typ: {why}")),
            "{}",
            out.stderr
        );
        // Far within the default budget of two minutes: the variable set this one.
        assert!(started.elapsed().as_secs() < 30, "{:?}", started.elapsed());
        assert_eq!(files(&folder), good);
    }
}

/// An editor's lock beside a source (Emacs's `.#name.yaml`, a link to nowhere) or its swap
/// file is not a source: the build goes on as if it were not there.
#[test]
fn an_editors_lock_beside_a_source_is_passed_over() {
    let ws = workspace();
    let data = ws.path().join("data/pbf-irf-217");
    std::os::unix::fs::symlink(
        "user@host.4242:1765000000",
        data.join(".#2019-11-12-final.yaml"),
    )
    .unwrap();
    std::fs::write(data.join(".2019-11-12-final.yaml.swp"), b"\x00\x01").unwrap();
    Run::new(&["build"])
        .cwd(ws.path())
        .status(0)
        .stderr_has("built 1 of 1 source")
        .run();
    // Built with the program's own words, it says so when verified.
    Run::new(&["verify", "out/pbf-irf-217/2019-11-12-final"])
        .cwd(ws.path())
        .status(0)
        .stderr_has("-final.fr.pdf (against pbf-report's own templates and catalogs)\n")
        .run();
}

/// The skeleton `new` fills is code too: one of the workspace's that loops is stopped within its
/// budget, named, and no source is written.
#[test]
fn a_skeleton_template_that_loops_is_stopped_within_its_budget() {
    let ws = workspace();
    let skeleton = ws.path().join("templates/new-report.yaml.j2");
    let looping =
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}\n";
    std::fs::write(&skeleton, looping).unwrap();
    let started = std::time::Instant::now();
    let out = Run::new(&[
        "new",
        "pbf-irf-300",
        "--version",
        "2020-06-30-semi-annual",
        "--lang",
        "fr",
    ])
    .cwd(ws.path())
    .env("PBF_REPORT_TIME_LIMIT", "2")
    .status(3)
    .run();
    assert!(
        out.stderr
            .contains("error: templates/new-report.yaml.j2: the template ran for more than 2 s"),
        "{}",
        out.stderr
    );
    assert!(started.elapsed().as_secs() < 30, "{:?}", started.elapsed());
    assert!(!ws.path().join("data/pbf-irf-300").exists());
}

/// A budget set to what cannot be read is refused before anything runs, not replaced by the
/// default in silence (`0.5` would otherwise mean two minutes).
#[test]
fn a_budget_that_cannot_be_read_is_refused() {
    let ws = workspace();
    for (variable, value) in [
        ("PBF_REPORT_TIME_LIMIT", "0.5"),
        ("PBF_REPORT_TIME_LIMIT", "0"),
        ("PBF_REPORT_MEMORY_LIMIT", "-1"),
        ("PBF_REPORT_MEMORY_LIMIT", "4G"),
    ] {
        let out = Run::new(&["build"])
            .cwd(ws.path())
            .env(variable, value)
            .status(2)
            .run();
        let expected = format!("error: {variable}={value}: give a whole number above zero");
        assert!(out.stderr.contains(&expected), "{}", out.stderr);
        assert!(!ws.path().join("out").exists());
    }
}

/// Two files a PDF would carry under one name (`sub/x.yaml` and `sub.x.yaml`) are refused by
/// `check` as by `build`, naming both.
#[test]
fn two_files_carried_under_one_name_are_refused_before_any_build() {
    let ws = workspace();
    let form = ws.path().join("templates/pbf-2019");
    std::fs::create_dir_all(form.join("sub")).unwrap();
    std::fs::write(form.join("sub/x.yaml"), "a: 1\n").unwrap();
    std::fs::write(form.join("sub.x.yaml"), "a: 2\n").unwrap();
    for command in ["check", "build"] {
        let out = Run::new(&[command]).cwd(ws.path()).run();
        assert_ne!(out.status, 0, "{}", out.stderr);
        assert!(
            out.stderr.contains("pbf-2019/sub.x.yaml and pbf-2019/sub/x.yaml, which a PDF would both carry as pbf-2019.sub.x.yaml"),
            "{}",
            out.stderr
        );
    }
    assert!(!ws.path().join("out").exists());
}

/// A source found in a search that is a link out of the workspace is refused by name and never
/// read, so no text of the file it leads to is quoted or carried.
#[test]
fn a_source_linked_out_of_the_workspace_is_not_read() {
    let ws = workspace();
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("secret.yaml");
    std::fs::write(&secret, "password: hunter2-secret\n").unwrap();
    let link = ws.path().join("data/pbf-irf-217/notes.yaml");
    std::os::unix::fs::symlink(&secret, &link).unwrap();
    for command in ["check", "build"] {
        let out = Run::new(&[command]).cwd(ws.path()).run();
        assert_ne!(out.status, 0, "{}", out.stderr);
        assert!(
            out.stderr
                .contains("data/pbf-irf-217/notes.yaml is a link to")
                && out.stderr.contains("outside the workspace"),
            "{}",
            out.stderr
        );
        assert!(!out.stderr.contains("hunter2"), "{}", out.stderr);
    }
    // So is a workspace whose data/ itself is such a link.
    std::fs::remove_file(&link).unwrap();
    let data = ws.path().join("data");
    std::fs::rename(&data, ws.path().join("kept")).unwrap();
    std::os::unix::fs::symlink(outside.path(), &data).unwrap();
    let out = Run::new(&["check"]).cwd(ws.path()).status(1).run();
    assert!(out.stderr.contains("data is a link to"), "{}", out.stderr);
    assert!(!out.stderr.contains("hunter2"), "{}", out.stderr);
}

/// A PDF whose carried layout loops, trusted with `--trust-carried`, is stopped within the
/// budget: exit 3, the layout named, nothing hanging. Untrusted, it is never started.
#[test]
fn a_carried_layout_that_loops_is_stopped_within_its_budget_when_trusted() {
    let (ws, folder, _, _, text) = built();
    let pdf = folder.join("pbf-irf-217-2019-11-12-final.fr.pdf");
    let mut doc = lopdf::Document::load(&pdf).unwrap();
    let looping = format!("#for i in range(100000) {{ for j in range(100000) {{ }} }}\n{text}");
    let mut replaced = 0;
    for object in doc.objects.values_mut() {
        if let lopdf::Object::Stream(stream) = object {
            let plain = stream
                .decompressed_content()
                .unwrap_or_else(|_| stream.content.clone());
            if plain == text.as_bytes() {
                stream.dict.remove(b"Filter");
                stream.set_content(looping.clone().into_bytes());
                // Attached as a whole file of its new size.
                let size = lopdf::dictionary! { "Size" => looping.len() as i64 };
                stream.dict.set("Params", size);
                replaced += 1;
            }
        }
    }
    assert_eq!(replaced, 1, "the layout is carried once");
    let crafted = ws.path().join("crafted.pdf");
    doc.save(&crafted).unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let crafted = crafted.to_str().unwrap();
    let out = Run::new(&["verify", crafted])
        .cwd(elsewhere.path())
        .status(1)
        .run();
    assert!(out.stderr.contains("not run"), "{}", out.stderr);
    let started = std::time::Instant::now();
    let out = Run::new(&["verify", "--trust-carried", crafted])
        .cwd(elsewhere.path())
        .env("PBF_REPORT_TIME_LIMIT", "2")
        .status(3)
        .run();
    assert!(
        out.stderr
            .contains("report.typ: the template ran for more than 2 s, and was stopped"),
        "{}",
        out.stderr
    );
    assert!(started.elapsed().as_secs() < 30, "{:?}", started.elapsed());
}
