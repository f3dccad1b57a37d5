//! One conformance suite for every form: the built-in one with the shipped example, and each
//! form of the test workspace `tests/forms/` (a folder of data: description, layout, catalogs)
//! with the source written for it there. No test names a form or a field of one: each reads
//! them from the form's description.

use std::path::{Path, PathBuf};

use pbf_report::form::Form;
use pbf_report::templates::Templates;

use crate::common::{EXAMPLE, Run, pdf_text, root, squash};

/// A form, the workspace its templates come from, and a source written for it there.
struct Registered {
    form: Form,
    /// The workspace's templates folder; `None` for the built-in form.
    templates: Option<PathBuf>,
    example: PathBuf,
}

impl Registered {
    fn name(&self) -> &str {
        &self.form.form
    }

    fn templates(&self) -> Templates {
        match &self.templates {
            Some(dir) => Templates::with_folder(dir).unwrap(),
            None => Templates::builtin(),
        }
    }

    /// A fresh workspace holding the form's templates and its example at the same path.
    fn workspace(&self) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        if let Some(templates) = &self.templates {
            copy_tree(templates, &dir.path().join("templates"));
        }
        let relative = self.example_path();
        let source = dir.path().join(&relative);
        std::fs::create_dir_all(source.parent().unwrap()).unwrap();
        std::fs::copy(&self.example, &source).unwrap();
        (dir, relative)
    }

    /// The example's path within its workspace: `data/<project>/<version>.yaml`.
    fn example_path(&self) -> PathBuf {
        let parts: Vec<_> = self.example.iter().collect();
        parts[parts.len() - 3..].iter().collect()
    }

    /// The example's answers, as JSON.
    fn answers(&self) -> serde_json::Value {
        let text = std::fs::read_to_string(&self.example).unwrap();
        serde_saphyr::from_str(&text).unwrap()
    }
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        match entry.file_type().unwrap().is_dir() {
            true => copy_tree(&entry.path(), &target),
            false => {
                std::fs::copy(entry.path(), target).unwrap();
            }
        }
    }
}

/// The sources under `data`, at any depth.
fn sources(data: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(data).unwrap().flatten() {
        let path = entry.path();
        match path.is_dir() {
            true => found.extend(sources(&path)),
            false if path.extension().is_some_and(|e| e == "yaml") => found.push(path),
            false => {}
        }
    }
    found.sort();
    found
}

/// Every form the suite holds to its promises.
fn registered() -> Vec<Registered> {
    let builtin = Templates::builtin();
    let mut out = vec![Registered {
        form: Form::parse(builtin.file("pbf-2019/form.yaml").unwrap()).unwrap(),
        templates: None,
        example: root().join(EXAMPLE),
    }];
    let workspace = root().join("tests/forms");
    let templates = workspace.join("templates");
    let mut folders: Vec<_> = std::fs::read_dir(&templates).unwrap().flatten().collect();
    folders.sort_by_key(|e| e.file_name());
    for folder in folders {
        let form = Form::parse(&std::fs::read(folder.path().join("form.yaml")).unwrap()).unwrap();
        assert_eq!(
            form.form,
            folder.file_name().to_string_lossy(),
            "a form is named as its folder"
        );
        let template = format!("template: {}\n", form.form);
        let example = sources(&workspace.join("data"))
            .into_iter()
            .find(|s| std::fs::read_to_string(s).unwrap().contains(&template))
            .unwrap_or_else(|| panic!("tests/forms/data has no source for {}", form.form));
        out.push(Registered {
            form,
            templates: Some(templates.clone()),
            example,
        });
    }
    assert!(
        out.len() >= 2,
        "the suite holds the built-in form and a test form"
    );
    out
}

/// The JSON pointer of a field path: `outcomes[1].summary` → `/outcomes/0/summary`.
fn pointer(path: &str) -> String {
    path.replace(']', "")
        .split(['.', '['])
        .filter(|s| !s.is_empty())
        .map(|step| match step.parse::<usize>() {
            Ok(i) => format!("/{}", i - 1),
            Err(_) => format!("/{step}"),
        })
        .collect()
}

/// The files `pdf` carries, written into `into`.
fn extract(dir: &Path, pdf: &Path, into: &Path) {
    let args = [
        "extract",
        pdf.to_str().unwrap(),
        "--out",
        into.to_str().unwrap(),
    ];
    run(dir, &args).status(0).run();
}

/// The run of `args` in `dir`.
fn run(dir: &Path, args: &[&str]) -> Run {
    Run::new(args).cwd(dir)
}

#[test]
fn every_form_prints_its_schema_with_every_question_in_it() {
    for f in registered() {
        let (dir, _) = f.workspace();
        let out = run(dir.path(), &["schema", "--template", f.name()])
            .status(0)
            .run();
        let schema: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        assert_eq!(schema["properties"]["template"]["enum"][0], f.name());
        for part in &f.form.parts {
            for q in &part.questions {
                let pointer: String = q
                    .path
                    .split('.')
                    .map(|k| format!("/properties/{k}"))
                    .collect();
                assert!(
                    schema.pointer(&pointer).is_some(),
                    "{}: no {}",
                    f.name(),
                    q.path
                );
            }
        }
    }
}

#[test]
fn every_form_starts_a_report_in_each_language_that_check_reads() {
    for f in registered() {
        let templates = f.templates();
        let (dir, _) = f.workspace();
        for lang in templates.languages() {
            let version = format!("2026-01-31-{lang}");
            run(
                dir.path(),
                &[
                    "new",
                    "p-new",
                    "--template",
                    f.name(),
                    "--lang",
                    &lang,
                    "--version",
                    &version,
                ],
            )
            .status(0)
            .run();
            let path = dir.path().join(format!("data/p-new/{version}.yaml"));
            let text = std::fs::read_to_string(&path).unwrap();
            let catalog = pbf_report::i18n::Catalog::for_form(&templates, f.name(), &lang).unwrap();
            for field in f.form.fields() {
                let wording = catalog.render(&field.question.key, minijinja::context! { n => 1 });
                let first = wording.lines().next().unwrap_or_default();
                assert!(
                    text.contains(first),
                    "{} {lang}: no wording of {}",
                    f.name(),
                    field.path
                );
            }
            // What is missing is said field by field, at its line.
            let out = run(dir.path(), &["check", path.to_str().unwrap()]).output();
            assert_eq!(out.status, 1, "{}", out.stderr);
            let top: Vec<String> = f
                .form
                .fields()
                .iter()
                .map(|field| field.path.split(['.', '[']).next().unwrap().to_string())
                .collect();
            for line in out.stderr.lines().filter(|l| l.starts_with("error: ")) {
                let field = line["error: ".len()..]
                    .split(['.', '[', ':'])
                    .next()
                    .unwrap();
                assert!(top.iter().any(|t| t == field), "{}: {line}", f.name());
            }
            assert!(
                out.stderr.contains(&format!("--> {}:", path.display()))
                    || out.stderr.contains(&format!("data/p-new/{version}.yaml:")),
                "{}",
                out.stderr
            );
            std::fs::remove_file(&path).unwrap();
        }
    }
}

#[test]
fn every_form_names_a_wrong_field_and_a_wrong_option_at_its_line() {
    for f in registered() {
        let (dir, source) = f.workspace();
        let path = dir.path().join(&source);
        let mut answers = f.answers();
        // The first required question asked once per report, left out; the first choice, given
        // an option the form does not have.
        let required = f
            .form
            .parts
            .iter()
            .flat_map(|p| &p.questions)
            .find(|q| q.required && !q.path.contains('.'));
        let choice = f
            .form
            .parts
            .iter()
            .flat_map(|p| &p.questions)
            .find(|q| q.options.is_some() && q.path.contains('.') && q.most.is_none())
            .unwrap();
        let (group, key) = choice.path.rsplit_once('.').unwrap();
        answers[group][key] = "zzz-option".into();
        if let Some(q) = required {
            answers.as_object_mut().unwrap().remove(&q.path);
        }
        std::fs::write(&path, serde_json::to_string_pretty(&answers).unwrap()).unwrap();
        let out = run(dir.path(), &["check"]).status(1).run();
        assert!(
            out.stderr.contains(&format!(
                "error: {}: the text \"zzz-option\" is not one of",
                choice.path
            )),
            "{}: {}",
            f.name(),
            out.stderr
        );
        if let Some(q) = required {
            assert!(
                out.stderr.contains(&format!(
                    "error: {}: this required field is missing",
                    q.path
                )),
                "{}: {}",
                f.name(),
                out.stderr
            );
        }
        // A form the templates do not hold is one error, with the forms there are.
        let renamed = std::fs::read_to_string(&path)
            .unwrap()
            .replacen(f.name(), "no-such-form", 1);
        std::fs::write(&path, renamed).unwrap();
        let out = run(dir.path(), &["check"]).status(1).run();
        assert!(
            out.stderr
                .contains("`no-such-form` is not a form these templates hold"),
            "{}",
            out.stderr
        );
        assert!(
            out.stderr.contains(&format!("`{}`", f.name())),
            "{}",
            out.stderr
        );
        assert!(out.stderr.contains("1 error"), "{}", out.stderr);
    }
}

/// A Word layout of a form's own, as a form's author writes one: each framed answer of each
/// part, wherever it is asked, on landscape pages under the form's title.
const OWN_LAYOUT: &str = r#"{%- macro each(questions) -%}
{%- for q in questions %}
{%- if q.framed %}
<table widths="14570"><tr><td width="14570"><p keep="next"><r bold="1">{{ q.question }}</r></p>
<answer path="{{ q.answer.path }}" size="20"/></td></tr></table>
{%- endif %}
{%- for item in q.answer.items or [] %}{{ each(item.questions or []) }}{% endfor %}
{%- endfor %}
{%- endmacro -%}
<word><section page="landscape"><p align="center"><r bold="1" size="32">{{ title }} (own layout)</r></p>
{%- for part in parts %}{{ each(part.questions) }}{% endfor %}
</section></word>"#;

/// Every text the form frames, answered with a mark of its own where the example has room for
/// it: the PDF of each language prints it, `verify` rebuilds the folder, and a reviewer's edit
/// of each in the Word copy comes back through `import` to that field and no other; for a form
/// drawn in Word by its parts in order, the same with a Word layout of its own.
#[test]
fn every_answer_a_form_frames_reaches_every_output_and_comes_back() {
    let drawn_in_order = |f: &Registered| {
        let layout = format!("{}/word.xml.j2", f.name());
        f.templates.is_some() && f.templates().file(&layout).is_none()
    };
    let own = registered().into_iter().filter(drawn_in_order);
    let runs = registered()
        .into_iter()
        .map(|f| (f, false))
        .chain(own.map(|f| (f, true)));
    for (f, own) in runs {
        let (dir, source) = f.workspace();
        if own {
            let layout = dir
                .path()
                .join("templates")
                .join(f.name())
                .join("word.xml.j2");
            std::fs::write(layout, OWN_LAYOUT).unwrap();
        }
        let mut answers = f.answers();
        answers["word_copy"] = true.into();
        let mut marks = Vec::new();
        for (n, field) in f.form.answer_fields().enumerate() {
            let (parent, key) = field.rsplit_once('.').unwrap_or(("", &field));
            if let Some(object) = answers
                .pointer_mut(&pointer(parent))
                .and_then(|v| v.as_object_mut())
            {
                // Characters that are markup in typst print as written.
                let mark = format!("qz{n}#$*_qz");
                object.insert(key.to_string(), mark.clone().into());
                marks.push((field, mark));
            }
        }
        assert!(
            marks.len() >= 4,
            "{}: {} answers marked",
            f.name(),
            marks.len()
        );
        std::fs::write(
            dir.path().join(&source),
            serde_json::to_string_pretty(&answers).unwrap(),
        )
        .unwrap();
        run(dir.path(), &["build"]).status(0).run();
        let project = answers["project_id"].as_str().unwrap();
        let version = source.file_stem().unwrap().to_str().unwrap();
        let folder = dir.path().join(format!("out/{project}/{version}"));
        let languages: Vec<&str> = answers["languages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l.as_str().unwrap())
            .collect();
        let templates = f.templates();
        for lang in &languages {
            let pdf = squash(&pdf_text(
                &folder.join(format!("{project}-{version}.{lang}.pdf")),
            ));
            for (field, mark) in &marks {
                assert!(
                    pdf.contains(mark.as_str()),
                    "{} {lang}: {field} is not in the PDF",
                    f.name()
                );
            }
            let catalog = pbf_report::i18n::Catalog::for_form(&templates, f.name(), lang).unwrap();
            let title = squash(&catalog.get(&f.form.title));
            assert!(
                pdf.contains(&title),
                "{} {lang}: no title {title}",
                f.name()
            );
        }
        run(dir.path(), &["verify", folder.to_str().unwrap()])
            .status(0)
            .run();

        let copy = folder.join(format!("{project}-{version}.{}.docx", languages[0]));
        let document = crate::word::part_of(&std::fs::read(&copy).unwrap(), "word/document.xml");
        assert_eq!(document.contains("(own layout)"), own, "{}", f.name());
        assert_eq!(
            document.contains("w:orient=\"landscape\""),
            own || f.templates.is_none()
        );
        let edits: Vec<(String, String)> = marks
            .iter()
            .map(|(field, mark)| (field.clone(), format!("{mark}r")))
            .collect();
        let edits: Vec<(&str, &str)> = edits
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let work = tempfile::tempdir().unwrap();
        if f.templates.is_some() {
            copy_tree(
                &dir.path().join("templates"),
                &work.path().join("templates"),
            );
        }
        let reviewed = work.path().join("reviewed.docx");
        std::fs::write(&reviewed, crate::word::edited(&copy, &edits)).unwrap();
        run(work.path(), &["import", reviewed.to_str().unwrap()])
            .status(0)
            .run();
        let back = work.path().join(&source);
        let back: serde_json::Value =
            serde_saphyr::from_str(&std::fs::read_to_string(&back).unwrap()).unwrap();
        for (field, mark) in &marks {
            let value = back.pointer(&pointer(field)).unwrap();
            let text = value
                .as_str()
                .or_else(|| value.get(languages[0]).and_then(|v| v.as_str()));
            assert_eq!(
                text,
                Some(format!("{mark}r").as_str()),
                "{}: {field}",
                f.name()
            );
        }
    }
}

/// A form is data: no code names a test form, a field of it by its path, or a group of fields
/// that only a test form has.
#[test]
fn no_code_names_a_test_form_or_its_fields() {
    let forms = registered();
    let unnumbered = |path: &str| path.replace(|c: char| c.is_ascii_digit(), "");
    let builtin: Vec<String> = forms[0]
        .form
        .fields()
        .iter()
        .map(|f| unnumbered(&f.path))
        .collect();
    let mut code = String::new();
    for file in sources_of(&root().join("src")) {
        code.push_str(&std::fs::read_to_string(file).unwrap());
    }
    for f in forms.iter().skip(1) {
        assert!(!code.contains(f.name()), "src/ names {}", f.name());
        for field in f.form.fields() {
            let path = unnumbered(&field.path);
            if builtin.contains(&path) {
                continue;
            }
            assert!(!code.contains(&format!("\"{path}\"")), "src/ names {path}");
            let group = path.split(['.', '[']).next().unwrap();
            if !builtin
                .iter()
                .any(|b| b.split(['.', '[']).next() == Some(group))
            {
                assert!(!code.contains(&format!("\"{group}")), "src/ names {group}");
            }
        }
    }
}

fn sources_of(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(sources_of(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
    found
}

/// Sources of every form build from one workspace; an archived version of a form rebuilds after
/// its folder changed, from the description, layout and catalogs its PDF carries; and a
/// description that breaks its own rules is refused by name.
#[test]
fn forms_share_a_workspace_and_old_builds_outlive_their_folder() {
    let forms = registered();
    let test_form = &forms[1];
    let (dir, source) = test_form.workspace();
    let builtin = dir.path().join(EXAMPLE);
    std::fs::create_dir_all(builtin.parent().unwrap()).unwrap();
    std::fs::copy(root().join(EXAMPLE), &builtin).unwrap();
    let out = run(dir.path(), &["build"]).status(0).run();
    assert!(
        out.stderr.contains("built 2 of 2 sources"),
        "{}",
        out.stderr
    );

    let answers = test_form.answers();
    let project = answers["project_id"].as_str().unwrap();
    let version = source.file_stem().unwrap().to_str().unwrap();
    let folder = dir.path().join(format!("out/{project}/{version}"));
    let form_dir = dir.path().join("templates").join(test_form.name());
    let layout = form_dir.join("report.typ");
    let text = std::fs::read_to_string(&layout).unwrap();
    std::fs::write(
        &layout,
        text.replacen("#let", "#set text(size: 14pt)\n#let", 1),
    )
    .unwrap();
    run(
        dir.path(),
        &["verify", "--trust-carried", folder.to_str().unwrap()],
    )
    .status(0)
    .run();

    // The folder's layout did change what a build makes.
    let other = dir.path().join("other");
    let args = [
        "build",
        "--out",
        other.to_str().unwrap(),
        source.to_str().unwrap(),
    ];
    run(dir.path(), &args).status(0).run();
    let lang = answers["languages"][0].as_str().unwrap();
    let pdf = format!("{project}/{version}/{project}-{version}.{lang}.pdf");
    assert_ne!(
        std::fs::read(other.join(&pdf)).unwrap(),
        std::fs::read(dir.path().join("out").join(&pdf)).unwrap()
    );

    let description = form_dir.join("form.yaml");
    let text = std::fs::read_to_string(&description).unwrap();
    let broken = text.replacen("options: ", "options_: ", 1);
    std::fs::write(&description, broken).unwrap();
    let out = run(dir.path(), &["check", source.to_str().unwrap()])
        .status(1)
        .run();
    let file = format!("templates/{}/form.yaml", test_form.name());
    assert!(
        out.stderr.contains("error: this form cannot be read: "),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains(&format!("--> {file}")),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("unknown field `options_`"),
        "{}",
        out.stderr
    );
    let named = format!("{} names it, at line ", source.display());
    assert!(out.stderr.contains(&named), "{}", out.stderr);
}

/// What an author gets wrong in a form's folder is said at the file to fix, before anything is
/// drawn: a description named otherwise than its folder, two questions with one path, a
/// wording missing from a language, a catalog with a key twice or a placeholder of its own.
#[test]
fn a_forms_own_mistakes_are_refused_at_their_file() {
    type Change = fn(String, &Registered) -> String;
    let renamed: Change = |text, f| text.replacen(&format!("form: {}", f.name()), "form: other", 1);
    let twice: Change = |text, f| {
        let questions = &f.form.parts[0].questions;
        let (first, second) = (&questions[0].path, &questions[1].path);
        text.replacen(&format!("path: {second}"), &format!("path: {first}"), 1)
    };
    let unworded: Change = |text, f| {
        let key = format!("{}:", f.form.parts[1].questions[0].key);
        let kept: Vec<&str> = text.lines().filter(|l| !l.starts_with(&key)).collect();
        kept.join("\n")
    };
    let doubled: Change = |text, _| {
        let entry = text
            .lines()
            .find(|l| !l.starts_with('#') && l.contains(": "))
            .unwrap();
        format!("{text}\n{entry}\n")
    };
    let placeholder: Change = |text, _| {
        let entry = text
            .lines()
            .find(|l| !l.starts_with('#') && l.contains("{{ n }}"));
        let entry = entry.expect("a numbered wording").to_string();
        text.replacen(&entry, &entry.replace("{{ n }}", "{{ m }}"), 1)
    };
    let forged: Change = |text, f| {
        let first = &f.form.parts[0].questions[0].path;
        let path = format!("path: \"{first}\\e[31m\\nok       forged line\"");
        text.replacen(&format!("path: {first}"), &path, 1)
    };
    let cases = [
        ("form.yaml", forged, "[31m\\nok       forged line"),
        (
            "form.yaml",
            renamed,
            "it describes the form `other`, but its folder is",
        ),
        ("form.yaml", twice, "two questions have this path"),
        ("i18n/fr.yaml", unworded, "has no wording in `fr` for"),
        ("i18n/fr.yaml", doubled, "is given twice"),
        ("i18n/fr.yaml", placeholder, "has the placeholders"),
    ];
    let f = &registered()[1];
    for (file, change, expected) in cases {
        let (dir, source) = f.workspace();
        let path = dir.path().join("templates").join(f.name()).join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, change(text, f)).unwrap();
        let out = run(dir.path(), &["check", source.to_str().unwrap()])
            .status(1)
            .run();
        assert!(out.stderr.contains(expected), "{expected}: {}", out.stderr);
        // What the description says is quoted, never sent to the terminal or set on a line of
        // its own.
        let raw = out.stderr.contains('\u{1b}') || out.stderr.lines().any(|l| l.starts_with("ok"));
        assert!(!raw, "{expected}: {}", out.stderr);
        for args in [
            &["schema", "--template", f.name()][..],
            &[
                "new",
                "x-1",
                "--version",
                "v1",
                "--lang",
                "fr",
                "--template",
                f.name(),
            ],
        ] {
            let out = run(dir.path(), args).run();
            let raw =
                out.stderr.contains('\u{1b}') || out.stderr.lines().any(|l| l.starts_with("ok"));
            assert!(!raw, "{args:?} {expected}: {}", out.stderr);
        }
        let at = format!("--> templates/{}/{file}", f.name());
        assert!(out.stderr.contains(&at), "{expected}: {}", out.stderr);
        let out = run(dir.path(), &["build"]).status(1).run();
        assert!(out.stderr.contains(expected), "{expected}: {}", out.stderr);
        assert!(
            !dir.path().join("out").exists(),
            "{expected}: build wrote something"
        );
    }
}

/// A report's PDF read back as a past report's text: every answer the form asks once per
/// report that the import finds is the one written, and it finds most of them.
#[test]
fn every_forms_pdf_comes_back_through_import_of_its_text() {
    for f in registered() {
        let (dir, source) = f.workspace();
        run(dir.path(), &["build"]).status(0).run();
        let answers = f.answers();
        let project = answers["project_id"].as_str().unwrap();
        let version = source.file_stem().unwrap().to_str().unwrap();
        let lang = answers["languages"][0].as_str().unwrap();
        let pdf = dir.path().join(format!(
            "out/{project}/{version}/{project}-{version}.{lang}.pdf"
        ));
        let back = dir.path().join("back.yaml");
        let args = [
            "import",
            pdf.to_str().unwrap(),
            "--output",
            back.to_str().unwrap(),
        ];
        run(dir.path(), &args).status(0).run();
        let back: serde_json::Value =
            serde_saphyr::from_str(&std::fs::read_to_string(&back).unwrap()).unwrap();
        let (mut asked, mut found) = (0, 0);
        for q in f.form.parts.iter().flat_map(|p| &p.questions) {
            let pointer: String = q.path.split('.').map(|k| format!("/{k}")).collect();
            let Some(written) = answers.pointer(&pointer) else {
                continue;
            };
            let written = written.get(lang).unwrap_or(written);
            if !(written.is_string() || written.is_number()) {
                continue;
            }
            asked += 1;
            if let Some(read) = back.pointer(&pointer) {
                found += 1;
                // Paragraph breaks, and the spaces and quotes of a language's typography, are
                // the page's: the characters are the answer.
                let words = |v: &serde_json::Value| match v.as_str() {
                    Some(text) => text
                        .chars()
                        .filter(|c| !c.is_whitespace())
                        .map(|c| if matches!(c, '«' | '»') { '"' } else { c })
                        .collect(),
                    None => v.to_string(),
                };
                let same = match (read.as_f64(), written.as_f64()) {
                    (Some(a), Some(b)) => a == b,
                    _ => words(read) == words(written),
                };
                assert!(
                    same,
                    "{}: {} read as {read}, written {written}",
                    f.name(),
                    q.path
                );
            }
        }
        assert!(
            found * 10 >= asked * 8,
            "{}: {found} of {asked} answers read back",
            f.name()
        );
    }
}

/// A version built by an earlier pbf-report carries the description of its day, in the shape of
/// its day: it still checks and verifies, read as today's description of its form. The same
/// bytes changed by one character are a description like any other, refused by what it lacks.
#[test]
fn a_version_made_with_an_earlier_description_still_verifies() {
    let earlier = std::fs::read(root().join("tests/reference/earlier/pbf-2019-form.yaml")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let form = dir.path().join("templates/pbf-2019/form.yaml");
    std::fs::create_dir_all(form.parent().unwrap()).unwrap();
    std::fs::write(&form, &earlier).unwrap();
    let source = dir.path().join(EXAMPLE);
    std::fs::create_dir_all(source.parent().unwrap()).unwrap();
    std::fs::copy(root().join(EXAMPLE), &source).unwrap();
    run(dir.path(), &["build"]).status(0).run();
    std::fs::remove_dir_all(dir.path().join("templates")).unwrap();
    let folder = dir.path().join("out/pbf-irf-217/2019-11-12-final");
    let pdf = folder.join("pbf-irf-217-2019-11-12-final.fr.pdf");
    let carried = dir.path().join("carried");
    extract(dir.path(), &pdf, &carried);
    assert_eq!(
        std::fs::read(carried.join("pbf-2019.form.yaml")).unwrap(),
        earlier
    );
    run(dir.path(), &["verify", folder.to_str().unwrap()])
        .status(0)
        .run();

    let mut changed = earlier.clone();
    changed.extend_from_slice(b"\n");
    std::fs::create_dir_all(form.parent().unwrap()).unwrap();
    std::fs::write(&form, changed).unwrap();
    let out = run(dir.path(), &["check"]).status(1).run();
    assert!(
        out.stderr.contains("this form cannot be read"),
        "{}",
        out.stderr
    );
}

/// A version built by the previous pbf-report carries the layout and the description of its
/// day, which read template data that no longer exists. Known by their hashes, they run as
/// today's layout and description, which draw the same pages, and the version still verifies;
/// the same layout changed by one byte is run as it is, and fails on its own words.
#[test]
fn a_version_made_with_an_earlier_layout_still_verifies() {
    let earlier = root().join("tests/reference/earlier");
    let layout = std::fs::read(earlier.join("pbf-2019-report.typ")).unwrap();
    let form = std::fs::read(earlier.join("pbf-2019-form-2.yaml")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("templates/pbf-2019");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("report.typ"), &layout).unwrap();
    std::fs::write(folder.join("form.yaml"), &form).unwrap();
    let source = dir.path().join(EXAMPLE);
    std::fs::create_dir_all(source.parent().unwrap()).unwrap();
    std::fs::copy(root().join(EXAMPLE), &source).unwrap();
    run(dir.path(), &["build"]).status(0).run();
    let today = dir.path().join("today");
    run(
        dir.path(),
        &[
            "build",
            "--templates",
            root().join("templates").to_str().unwrap(),
            "--out",
            today.to_str().unwrap(),
        ],
    )
    .status(0)
    .run();
    std::fs::remove_dir_all(dir.path().join("templates")).unwrap();
    let name = "pbf-irf-217/2019-11-12-final/pbf-irf-217-2019-11-12-final.fr.pdf";
    let pdf = dir.path().join("out").join(name);
    assert_eq!(pdf_text(&pdf), pdf_text(&today.join(name)));
    let carried = dir.path().join("carried");
    extract(dir.path(), &pdf, &carried);
    assert_eq!(
        std::fs::read(carried.join("pbf-2019.report.typ")).unwrap(),
        layout
    );
    let version = dir.path().join("out/pbf-irf-217/2019-11-12-final");
    run(dir.path(), &["verify", version.to_str().unwrap()])
        .status(0)
        .run();

    let mut changed = layout.clone();
    changed.splice(0..0, b"// changed\n".iter().copied());
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("report.typ"), changed).unwrap();
    let out = run(dir.path(), &["build", "--out", "again"])
        .status(3)
        .run();
    assert!(out.stderr.contains("report.typ"), "{}", out.stderr);
}

/// A test form's catalogs pass the translators' check, which finds an entry whose English
/// changed since it was translated.
#[test]
fn every_test_forms_catalogs_pass_the_translators_check() {
    for f in registered().iter().skip(1) {
        let dir = tempfile::tempdir().unwrap();
        let catalogs = dir.path().join("i18n");
        copy_tree(
            &f.templates.as_ref().unwrap().join(f.name()).join("i18n"),
            &catalogs,
        );
        let args = ["i18n", "check", "--dir", catalogs.to_str().unwrap()];
        run(dir.path(), &args).status(0).run();
        let english = catalogs.join("en.yaml");
        let text = std::fs::read_to_string(&english).unwrap();
        let key = &f.form.parts[0].questions[0].key;
        let changed: Vec<String> = text
            .lines()
            .map(|l| match l.starts_with(&format!("{key}:")) {
                true => format!("{key}: \"Another wording\""),
                false => l.to_string(),
            })
            .collect();
        std::fs::write(&english, changed.join("\n")).unwrap();
        let out = run(dir.path(), &args).status(1).run();
        assert!(
            out.stderr.contains(&format!("`{key}` is stale")),
            "{}",
            out.stderr
        );
    }
}

/// A revision of the 2019 form under a name of its own (its folder copied, its wording or layout
/// changed) keeps what the 2019 form's roles give: the rules that span fields and Annex A.
#[test]
fn a_revision_of_the_built_in_form_keeps_its_rules_and_annex_a() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("templates/pbf-2019r");
    std::fs::create_dir_all(&folder).unwrap();
    let builtin = Templates::builtin();
    for (name, bytes) in builtin.files_under("pbf-2019/") {
        let text = String::from_utf8(bytes.to_vec()).unwrap();
        let text = text.replacen("form: pbf-2019\n", "form: pbf-2019r\n", 1);
        std::fs::write(folder.join(&name["pbf-2019/".len()..]), text).unwrap();
    }
    let source = dir.path().join(EXAMPLE);
    std::fs::create_dir_all(source.parent().unwrap()).unwrap();
    let text = std::fs::read_to_string(root().join(EXAMPLE)).unwrap();
    let text = text.replacen("template: pbf-2019\n", "template: pbf-2019r\n", 1);
    std::fs::write(&source, &text).unwrap();
    run(dir.path(), &["build"]).status(0).run();
    let out = dir.path().join("out/pbf-irf-217/2019-11-12-final");
    assert!(out.join("annex-a.fr.xlsx").exists());
    let carried = dir.path().join("carried");
    let pdf = out.join("pbf-irf-217-2019-11-12-final.fr.pdf");
    extract(dir.path(), &pdf, &carried);
    assert!(carried.join("pbf-2019r.form.yaml").exists());

    let wrong = text.replacen("budget_total: 2500000", "budget_total: 2600000", 1);
    std::fs::write(&source, wrong).unwrap();
    let out = run(dir.path(), &["check"]).status(1).run();
    assert!(
        out.stderr
            .contains("error: cover.budget_total: the recipients' budgets add up to"),
        "{}",
        out.stderr
    );

    // A revision that names a field the rules read otherwise keeps the rule, said at its name.
    let form = folder.join("form.yaml");
    let described = std::fs::read_to_string(&form).unwrap();
    let renamed = described.replacen("path: cover.budget_total,", "path: cover.total_budget,", 1);
    assert_ne!(renamed, described);
    std::fs::write(&form, &renamed).unwrap();
    let wrong = text.replacen("budget_total: 2500000", "total_budget: 2600000", 1);
    std::fs::write(&source, &wrong).unwrap();
    let out = run(dir.path(), &["check"]).status(1).run();
    assert!(
        out.stderr
            .contains("error: cover.total_budget: the recipients' budgets add up to"),
        "{}",
        out.stderr
    );
    std::fs::write(&form, &described).unwrap();

    // A revision that drops a field the rules read is refused at its description, once, and
    // the source is not blamed for the field it lacks too.
    let form = folder.join("form.yaml");
    let described = std::fs::read_to_string(&form).unwrap();
    let kept: Vec<&str> = described
        .lines()
        .filter(|l| !l.contains("path: finance.gender_planned"))
        .collect();
    std::fs::write(&form, kept.join("\n")).unwrap();
    let lacking: Vec<&str> = text
        .lines()
        .filter(|l| !l.starts_with("  gender_planned:"))
        .collect();
    std::fs::write(&source, lacking.join("\n")).unwrap();
    let out = run(dir.path(), &["check"]).status(1).run();
    let expected = "role gender_planned: Annex A and the budget rules read it (the 2019 form's finance.gender_planned), and no field of this form plays it";
    assert!(out.stderr.contains(expected), "{}", out.stderr);
    assert!(
        out.stderr.contains("--> templates/pbf-2019r/form.yaml"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("checked 1 source: 1 error,"),
        "{}",
        out.stderr
    );
}

/// The tool's own fields are held to the same rules whatever the form: a project id that would
/// name a folder outside `out/`, and a language without a catalog, are refused before anything
/// is written.
#[test]
fn every_forms_project_id_and_languages_are_checked() {
    for f in registered() {
        let (dir, source) = f.workspace();
        let mut answers = f.answers();
        answers["project_id"] = "../escaped".into();
        answers["languages"] = serde_json::json!(["xx"]);
        let path = dir.path().join(&source);
        std::fs::write(&path, serde_json::to_string_pretty(&answers).unwrap()).unwrap();
        let out = run(dir.path(), &["build"]).status(1).run();
        let id = "error: project_id: \"../escaped\" cannot name an output folder";
        assert!(out.stderr.contains(id), "{}: {}", f.name(), out.stderr);
        let lang = "error: languages[1]: no catalog for language `xx`";
        assert!(out.stderr.contains(lang), "{}: {}", f.name(), out.stderr);
        assert!(!dir.path().join("escaped").exists(), "{}", f.name());
        assert!(!dir.path().join("out").exists(), "{}", f.name());
    }
}

/// The rules that read fields by their roles run for every form that gives its fields those
/// roles, naming each form's own fields; `check --verbose` says which rules a form skips.
#[test]
fn rules_by_role_run_for_every_form_that_declares_the_roles() {
    for f in registered() {
        let (dir, source) = f.workspace();
        let path = dir.path().join(&source);
        let paths: Vec<&str> = ["report_date", "project_start", "duration_months"]
            .iter()
            .filter_map(|role| f.form.path_of_role(role))
            .collect();
        let out = run(dir.path(), &["check", "--verbose"]).status(0).run();
        let [date, start, months] = paths[..] else {
            assert!(
                out.stderr.contains("skips the check of the report's date"),
                "{}",
                out.stderr
            );
            continue;
        };
        assert!(
            !out.stderr.contains("skips the check of the report's date"),
            "{}",
            out.stderr
        );
        let mut answers = f.answers();
        let at = |path: &str| pointer(path);
        let day = answers
            .pointer(&at(date))
            .unwrap()
            .as_str()
            .unwrap()
            .to_string();
        let year: u32 = day[..4].parse().unwrap();
        *answers.pointer_mut(&at(start)).unwrap() = format!("{}-01", year + 1).into();
        std::fs::write(&path, serde_json::to_string_pretty(&answers).unwrap()).unwrap();
        let out = run(dir.path(), &["check"]).status(1).run();
        let expected = format!(
            "error: {start}: the project starts ({}-01) after the report's date",
            year + 1
        );
        assert!(
            out.stderr.contains(&expected),
            "{}: {}",
            f.name(),
            out.stderr
        );

        *answers.pointer_mut(&at(months)).unwrap() = 0.into();
        std::fs::write(&path, serde_json::to_string_pretty(&answers).unwrap()).unwrap();
        let out = run(dir.path(), &["check"]).status(1).run();
        let expected = format!("error: {months}: give the project's duration in months");
        assert!(
            out.stderr.contains(&expected),
            "{}: {}",
            f.name(),
            out.stderr
        );
    }
    // A form that declares none of them skips them, and says so when asked.
    let dir = tempfile::tempdir().unwrap();
    let f = &registered()[1];
    copy_tree(f.templates.as_ref().unwrap(), &dir.path().join("templates"));
    let form = dir
        .path()
        .join("templates")
        .join(f.name())
        .join("form.yaml");
    let text = std::fs::read_to_string(&form)
        .unwrap()
        .replace(", role: project_start", "");
    std::fs::write(&form, text).unwrap();
    let source = dir.path().join(f.example_path());
    std::fs::create_dir_all(source.parent().unwrap()).unwrap();
    std::fs::copy(&f.example, &source).unwrap();
    let out = run(dir.path(), &["check", "--verbose"]).status(0).run();
    let expected = "skips the check of the report's date within the project: it gives no field the role `project_start`";
    assert!(out.stderr.contains(expected), "{}", out.stderr);
    let out = run(dir.path(), &["check"]).status(0).run();
    assert!(!out.stderr.contains("skips"), "{}", out.stderr);
}

/// The rule on an off-track project's reasons reads the fields that play `progress_rating` and
/// `off_track_reasons`, wherever each form puts them.
#[test]
fn an_off_track_project_says_why_in_every_form_that_asks() {
    for f in registered() {
        let (Some(rating), Some(reasons)) = (
            f.form.path_of_role("progress_rating"),
            f.form.path_of_role("off_track_reasons"),
        ) else {
            panic!("{}: the test forms all declare the roles", f.name());
        };
        let (dir, source) = f.workspace();
        let mut answers = f.answers();
        *answers.pointer_mut(&pointer(rating)).unwrap() = "off_track".into();
        let (parent, name) = reasons.rsplit_once('.').unwrap();
        let group = answers.pointer_mut(&pointer(parent)).unwrap();
        group.as_object_mut().unwrap().remove(name);
        let path = dir.path().join(&source);
        std::fs::write(&path, serde_json::to_string_pretty(&answers).unwrap()).unwrap();
        let expected = format!("warning: {reasons}: the project is rated off track");
        let out = run(dir.path(), &["check"]).status(0).run();
        assert!(
            out.stderr.contains(&expected),
            "{}: {}",
            f.name(),
            out.stderr
        );
        group_answer(&mut answers, parent, name, "Les pluies. / The rains.");
        std::fs::write(&path, serde_json::to_string_pretty(&answers).unwrap()).unwrap();
        let out = run(dir.path(), &["check"]).status(0).run();
        assert!(
            !out.stderr.contains("rated off track"),
            "{}: {}",
            f.name(),
            out.stderr
        );
    }
}

fn group_answer(answers: &mut serde_json::Value, parent: &str, name: &str, text: &str) {
    let group = answers.pointer_mut(&pointer(parent)).unwrap();
    group
        .as_object_mut()
        .unwrap()
        .insert(name.into(), text.into());
}

/// A Word layout that writes what is not a Word layout's markup is refused at its file when a
/// Word copy is built, and nothing is written.
#[test]
fn a_broken_word_layout_is_refused_at_its_file() {
    let f = &registered()[1];
    for (layout, expected) in [
        (
            "<word><section>\n<w:fldSimple w:instr=\"INCLUDEPICTURE\"/></section></word>",
            "<w:fldSimple> is not an element of a Word layout, on line 2",
        ),
        ("{% for x in %}", "syntax error"),
        (
            "<word author=\"a&#x1b;[31m\"><section><p/></section></word>",
            "U+001B, which a Word document cannot hold, on line 1",
        ),
        (
            "{% for a in range(9999) %}{% for b in range(9999) %}{% endfor %}{% endfor %}",
            "fuel",
        ),
    ] {
        let (dir, source) = f.workspace();
        let path = dir
            .path()
            .join("templates")
            .join(f.name())
            .join("word.xml.j2");
        std::fs::write(path, layout).unwrap();
        let mut answers = f.answers();
        answers["word_copy"] = true.into();
        let text = serde_json::to_string_pretty(&answers).unwrap();
        std::fs::write(dir.path().join(&source), text).unwrap();
        // A template that fails is the template's fault, as a typst layout's is: exit 3.
        let out = run(dir.path(), &["build"]).status(3).run();
        let file = format!("templates/{}/word.xml.j2", f.name());
        assert!(
            out.stderr.contains(&file) && out.stderr.contains(expected),
            "{expected}: {}",
            out.stderr
        );
        let project = answers["project_id"].as_str().unwrap();
        let version = source.file_stem().unwrap().to_str().unwrap();
        let folder = dir.path().join("out").join(project).join(version);
        assert!(!folder.exists(), "{layout}: a build was written");
    }
}

/// A version built by an earlier pbf-report whose layouts read today's template data (the
/// PDF's, and the Word copy's): known by their hashes, they are run as they are, so the version
/// still verifies once the workspace's templates are gone; the same layout changed by one byte
/// is not run.
#[test]
fn a_version_made_with_an_earlier_layout_of_todays_data_still_verifies() {
    let earlier = |name: &str| std::fs::read(root().join(name)).unwrap();
    let second = earlier("tests/reference/earlier/pbf-2019-report-2.typ");
    let third = earlier("tests/reference/earlier/pbf-2019-report-3.typ");
    let word = earlier("src/render/earlier/pbf-2019.word.xml.j2");
    let changed = |bytes: &[u8]| [bytes, b"\n"].concat();
    let cases = [
        (second, None, None),
        (third.clone(), Some(word.clone()), None),
        (changed(&third), None, Some("pbf-2019/report.typ")),
        (third, Some(changed(&word)), Some("pbf-2019/word.xml.j2")),
    ];
    for (layout, word, refused) in cases {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("templates/pbf-2019");
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(folder.join("report.typ"), &layout).unwrap();
        let source = dir.path().join(EXAMPLE);
        std::fs::create_dir_all(source.parent().unwrap()).unwrap();
        let mut text = std::fs::read_to_string(root().join(EXAMPLE)).unwrap();
        if let Some(word) = &word {
            std::fs::write(folder.join("word.xml.j2"), word).unwrap();
            text = text.replacen(
                "template: pbf-2019\n",
                "template: pbf-2019\nword_copy: true\n",
                1,
            );
        }
        std::fs::write(&source, text).unwrap();
        run(dir.path(), &["build"]).status(0).run();
        std::fs::remove_dir_all(dir.path().join("templates")).unwrap();
        let version = dir.path().join("out/pbf-irf-217/2019-11-12-final");
        let out = run(dir.path(), &["verify", version.to_str().unwrap()])
            .status(i32::from(refused.is_some()))
            .run();
        if let Some(file) = refused {
            let said = format!("{}{}", out.stdout, out.stderr);
            assert!(said.contains(file) && said.contains("not run"), "{said}");
        }
    }
}
