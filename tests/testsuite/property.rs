//! Any text in a narrative answer either renders and reads back from the PDF as typed (after
//! French typography), or is refused with an error — never a panic or a typst error.

use std::path::Path;

use pbf_report::check;
use pbf_report::i18n::Catalog;
use pbf_report::render::document::{Options, typography};
use pbf_report::render::pdf;
use pbf_report::render::world::{REPLACEMENT, can_draw};
use pbf_report::templates::Templates;
use proptest::prelude::*;

/// A YAML double-quoted scalar holding exactly `text`.
fn quoted(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 || c == '\u{7f}' || c == '\u{feff}' => {
                out.push_str(&format!("\\u{:04X}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// What the PDF should show of `text`: French typography, □ for what no font draws, no bullet
/// dashes.
fn expected(text: &str) -> String {
    let printed = typography("fr", text.trim());
    let lines: Vec<&str> = printed
        .lines()
        .map(|l| l.trim_start().strip_prefix("- ").unwrap_or(l))
        .collect();
    lines
        .join("\n")
        .chars()
        .map(|c| if can_draw(c) { c } else { REPLACEMENT })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn any_narrative_renders_as_typed_or_is_refused(
        text in "[a-zA-Z0-9 àéèêçœÉ«»’'\"#$*_@<>\\\\\\]\\[{}%&!?;:.,()/\\-\n\t😀🕊漢\u{200b}\u{ad}\u{7}]{0,120}"
    ) {
        let base = std::fs::read_to_string(crate::common::root().join("tests/good/minimal.yaml")).unwrap();
        let source = base.replace("  status: Les activités préparatoires sont achevées.", &format!("  status: {}", quoted(&text)));
        let path = Path::new("property.yaml");
        let checked = check::check_bytes(path, source.as_bytes());
        match checked.into_renderable(false) {
            Err(diagnostics) => prop_assert!(diagnostics.iter().any(|d| d.is_error())),
            Ok((report, _)) => {
                let catalog = Catalog::load("fr").unwrap();
                let rendered = pdf::render(&Templates::builtin(), &report, path, "v", &catalog, Options::default(), &[]);
                prop_assert!(rendered.is_ok(), "typst failed on {:?}", text);
                let dir = tempfile::tempdir().unwrap();
                let file = dir.path().join("p.pdf");
                std::fs::write(&file, rendered.unwrap().bytes).unwrap();
                // The body only: an answer may run over a page, past the footer and footnotes.
                let mut got = crate::common::squash(&crate::common::pdf_body(&file));
                for (n, key) in [(1, "cover.footnote_start"), (2, "cover.footnote_duration")] {
                    got = got.replace(&crate::common::squash(&format!("{n}{}", catalog.get(key))), "");
                }
                let want = crate::common::squash(&expected(&text));
                prop_assert!(got.contains(&want), "{:?} printed as something else; wanted {:?}", text, want);
            }
        }
    }
}
