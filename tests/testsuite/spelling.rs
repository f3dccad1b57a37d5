//! `check --spelling`, with the Hunspell dictionaries the test script installs (Debian's
//! hunspell-fr and hunspell-en-us): planted typos found at their line and column with a
//! sensible first suggestion, what is no mistake left alone, a word list, a language without a
//! dictionary.

use crate::common::{Run, root};

/// The small report, in French and English, with a typo planted in a French and in an English
/// answer, and words that are no mistake: a name, an acronym, elisions, a URL, a number, a
/// hyphenated word, an answer in English given once.
fn planted() -> (tempfile::TempDir, String) {
    let minimal = std::fs::read_to_string(root().join("tests/good/minimal.yaml")).unwrap();
    let text = minimal
        .replacen("languages: [fr]", "languages: [fr, en]", 1)
        .replacen(
            "  status: Les activités préparatoires sont achevées.\n",
            "  status: Les activitées préparatoires sont achevées avec l’appui du PNUD et d'UNICEF à Tillabéri, pour les beneficiaires d’epargne.\n",
            1,
        )
        // The title is prose, checked; a text written with escapes is found where it is written.
        .replacen("  title: Projet d'essai\n", "  title: Projet pilotte\n", 1)
        .replacen(
            "  challenges_on_track: L'insécurité a retardé deux missions.\n",
            "  challenges_on_track: \"L'ins\\u00e9curit\\u00e9 a retard\\u00e9 deux missoins.\"\n",
            1,
        )
        // An English answer in the French and English report: checked in English.
        .replacen(
            "  unique: L'approche communautaire.\n",
            "  unique: The community-based approach brings neighbours together.\n",
            1,
        )
        .replacen(
            "  relevance: Le projet reste pertinent.\n",
            "  relevance:\n    fr: Le projet reste pertinent, voir https://exemple.org/rapport-2020.\n    en: The project remains relevent for 12 communes.\n",
            1,
        );
    let dir = tempfile::tempdir().unwrap();
    let source = "data/pbf-irf-999/2020-06-15-semi-annual.yaml".to_string();
    let path = dir.path().join(&source);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    (dir, source)
}

#[test]
fn planted_typos_are_found_where_they_are_with_a_fix() {
    let (dir, source) = planted();
    let out = Run::new(&["check", "--spelling"])
        .cwd(dir.path())
        .status(0)
        .stderr_has(&format!(
            "warning: progress.status: \"activitées\" is not in the `fr` dictionary\n  --> {source}:31:15\n"
        ))
        .stderr_has("= help: did you mean \"activités\"")
        .stderr_has(&format!(
            "warning: progress.relevance.en: \"relevent\" is not in the `en` dictionary\n  --> {source}:34:29\n"
        ))
        .stderr_has("= help: did you mean \"relevant\"")
        .stderr_has("spelling: `en` with /usr/share/hunspell/en_GB.dic: 1 unknown word (1 different)\n")
        .stderr_has("spelling: `fr` with /usr/share/hunspell/fr.dic: 6 unknown words (6 different)\n")
        // Two accents missing; an elided article kept as written, with its apostrophe.
        .stderr_has("= help: did you mean \"bénéficiaires\"?")
        .stderr_has("= help: did you mean \"d’épargne\"")
        .run();
    // The six typos and the one place name: no name, acronym, elision, URL or number.
    assert_eq!(out.stderr.matches("warning: ").count(), 7, "{}", out.stderr);
    let text = std::fs::read_to_string(dir.path().join(&source)).unwrap();
    let (n, line) = text
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains("missoins"))
        .unwrap();
    let col = line[..line.find("missoins").unwrap()].chars().count() + 1;
    assert!(
        out.stderr.contains(&format!(
            "warning: progress.challenges_on_track: \"missoins\" is not in the `fr` dictionary\n  --> {source}:{}:{col}\n",
            n + 1
        )),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("warning: cover.title: \"pilotte\""),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("\"Tillabéri\""), "{}", out.stderr);
    Run::new(&["check", "--spelling", "--deny-warnings"])
        .cwd(dir.path())
        .status(1)
        .run();
    // `build --spelling` says the same words, and builds.
    Run::new(&["build", "--spelling"])
        .cwd(dir.path())
        .status(0)
        .stderr_has("warning: progress.status: \"activitées\" is not in the `fr` dictionary")
        .stderr_has("built 1 of 1 source")
        .run();
    Run::new(&["check", "--spelling", "--list"])
        .cwd(dir.path())
        .status(0)
        .stdout_is("relevent  # en, 1\nTillabéri  # fr, 1\nactivitées  # fr, 1\nbeneficiaires  # fr, 1\nd’epargne  # fr, 1\nmissoins  # fr, 1\npilotte  # fr, 1\n")
        .run();
}

/// A run of letters longer than any word a dictionary holds is one unknown word, without
/// suggestions: none of its candidates could be a word either.
#[test]
fn a_run_of_letters_too_long_for_a_word_has_no_suggestion() {
    let (dir, source) = planted();
    let long = "activitésduprojet".repeat(8);
    let path = dir.path().join(&source);
    let text = std::fs::read_to_string(&path).unwrap().replacen(
        "Les activitées",
        &format!("Les {long}"),
        1,
    );
    std::fs::write(&path, text).unwrap();
    let out = Run::new(&["check", "--spelling"])
        .cwd(dir.path())
        .status(0)
        .stderr_has(&format!("\"{long}\" is not in the `fr` dictionary"))
        .run();
    let said = &out.stderr[out.stderr.find(&long).unwrap()..];
    let own = &said[..said.find("warning: ").unwrap_or(said.len())];
    assert!(!own.contains("did you mean"), "{own}");
}

/// A source that names its languages twice and one no catalog has, and a FIFO where a source
/// should be: each is said as `check` says it, the run ends, and the other source's spelling
/// is checked all the same.
#[test]
fn sources_that_cannot_be_spelled_leave_the_others_checked() {
    let (dir, source) = planted();
    let text = std::fs::read_to_string(dir.path().join(&source)).unwrap();
    let odd = dir
        .path()
        .join("data/pbf-irf-998/2020-06-15-semi-annual.yaml");
    std::fs::create_dir_all(odd.parent().unwrap()).unwrap();
    let odd_text = text
        .replacen("project_id: pbf-irf-999", "project_id: pbf-irf-998", 1)
        .replacen("languages: [fr, en]", "languages: [fr, en, fr, xx]", 1);
    std::fs::write(&odd, odd_text).unwrap();
    let fifo = dir
        .path()
        .join("data/pbf-irf-997/2020-06-15-semi-annual.yaml");
    std::fs::create_dir_all(fifo.parent().unwrap()).unwrap();
    crate::common::tool("mkfifo", &[fifo.to_str().unwrap()]);
    let out = Run::new(&["check", "--spelling"])
        .cwd(dir.path())
        .status(1)
        .stderr_has("pbf-irf-997/2020-06-15-semi-annual.yaml")
        .stderr_has("a FIFO (named pipe)")
        .stderr_has("`xx`")
        .stderr_has(
            "spelling: `fr` with /usr/share/hunspell/fr.dic: 6 unknown words (6 different)\n",
        )
        .run();
    assert!(
        !out.stderr
            .contains("pbf-irf-998/2020-06-15-semi-annual.yaml:31:15"),
        "a source with errors has its spelling checked once they are fixed:\n{}",
        out.stderr
    );
}

#[test]
fn a_word_list_silences_a_word_and_a_language_without_a_dictionary_is_a_note() {
    let (dir, _) = planted();
    std::fs::write(dir.path().join("spelling.fr.txt"), "# places\nTillabéri\n").unwrap();
    std::fs::write(
        dir.path().join("spelling.txt"),
        "relevent  # as the donor writes it\n",
    )
    .unwrap();
    let out = Run::new(&["check", "--spelling", "--deny-warnings"])
        .cwd(dir.path())
        .status(1)
        .run();
    assert_eq!(out.stderr.matches("warning: ").count(), 5, "{}", out.stderr);
    assert!(out.stderr.contains("\"activitées\""));
    let empty = tempfile::tempdir().unwrap();
    Run::new(&[
        "check",
        "--spelling",
        "--dictionaries",
        empty.path().to_str().unwrap(),
    ])
    .cwd(dir.path())
    .status(0)
    .stderr_has("note: no Hunspell dictionary for `fr` in ")
    .stderr_has("install the package hunspell-fr (Debian)")
    .stderr_lacks("warning: ")
    .run();

    // French only: the texts given once, which may be English, are left, and English is a note.
    let french = tempfile::tempdir().unwrap();
    for file in ["fr.aff", "fr.dic"] {
        std::fs::copy(
            std::path::Path::new("/usr/share/hunspell").join(file),
            french.path().join(file),
        )
        .unwrap();
    }
    let dictionaries = french.path().to_str().unwrap();
    Run::new(&[
        "check",
        "--spelling",
        "--deny-warnings",
        "--dictionaries",
        dictionaries,
    ])
    .cwd(dir.path())
    .status(0)
    .stderr_has("install the package hunspell-en-gb or hunspell-en-us (Debian)")
    .stderr_lacks("warning: ")
    .run();
    // `build` reads the same folder: the French typos are said, English is a note.
    Run::new(&["build", "--spelling", "--dictionaries", dictionaries])
        .cwd(dir.path())
        .status(0)
        .stderr_has(&format!("spelling: `fr` with {dictionaries}/fr.dic: "))
        .stderr_has("install the package hunspell-en-gb or hunspell-en-us (Debian)")
        .run();

    // A dictionary Hunspell cannot read, and a word list that is a folder: said, not skipped.
    std::fs::write(
        french.path().join("fr.aff"),
        "SET UTF-8\nSFX A Y 1\nSFX A 0 s [\n",
    )
    .unwrap();
    std::fs::remove_file(dir.path().join("spelling.txt")).unwrap();
    std::fs::create_dir(dir.path().join("spelling.txt")).unwrap();
    Run::new(&["check", "--spelling", "--dictionaries", dictionaries])
        .cwd(dir.path())
        .status(0)
        .stderr_has("is not a dictionary Hunspell reads")
        .stderr_has("note: word list not read: spelling.txt")
        .run();
}
