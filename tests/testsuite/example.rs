//! The shipped example is the report we started from, transcribed completely and verbatim:
//! every text of the example appears in the reference report (nothing invented or altered), and
//! the start and end of every answer of the reference appear in the example (nothing left out).
//! Whitespace runs compare as one space: the reference is a text export of a Word form.

use std::path::Path;

use pbf_report::source::{self, Node, Value};

const EXAMPLE: &str = "data/pbf-irf-217/2019-11-12-final.yaml";
const SEED: &str = "tests/reference/seed-pbf-irf-217-final-report-fr.txt";

fn normalise(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every text of the tree with its path.
fn texts(node: &Node, path: &str, out: &mut Vec<(String, String)>) {
    match &node.value {
        Value::Str(s) => out.push((path.to_string(), s.clone())),
        Value::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                texts(item, &format!("{path}[{}]", i + 1), out);
            }
        }
        Value::Map(entries) => {
            for e in entries {
                texts(&e.value, &format!("{path}.{}", e.key), out);
            }
        }
        _ => {}
    }
}

/// Fields that hold keys, choices, names or the illustrative Annex A figures, not answers.
fn is_answer(path: &str) -> bool {
    let skip = [
        ".template",
        ".project_id",
        ".languages",
        ".unofficial_translations",
        ".id",
        ".type",
        "rating",
        ".report_type",
        ".report_date",
        ".start_date",
        ".modality",
        ".name",
        ".short_name",
        ".implementing_partners",
        ".country",
        ".gateway_number",
        ".title",
        ".prepared_by",
        ".approved_by",
        ".activities",
        ".annex_a",
        ".en",
    ];
    !skip.iter().any(|s| path.contains(s))
}

fn example_answers() -> Vec<(String, String)> {
    let (_, tree) = source::load(&root().join(EXAMPLE)).expect("the example parses");
    let mut all = Vec::new();
    texts(&tree, "", &mut all);
    all.into_iter().filter(|(p, _)| is_answer(p)).collect()
}

#[test]
fn every_text_of_the_example_is_in_the_reference() {
    let seed = normalise(&std::fs::read_to_string(root().join(SEED)).unwrap());
    let answers = example_answers();
    assert!(answers.len() > 90, "only {} answers found", answers.len());
    for (path, text) in answers {
        assert!(
            seed.contains(&normalise(&text)),
            "{path} is not verbatim from the reference:\n{text}"
        );
    }
}

#[test]
fn every_answer_of_the_reference_is_in_the_example() {
    let example: Vec<String> = example_answers()
        .into_iter()
        .map(|(_, t)| normalise(&t))
        .collect();
    for anchor in SEED_ANSWERS {
        assert!(
            example.iter().any(|t| t.contains(anchor)),
            "the reference's \"{anchor}\" is missing from the example"
        );
    }
}

#[test]
fn the_cover_is_the_reference_cover() {
    let example = root().join(EXAMPLE);
    let checked = pbf_report::check::check_file(&example).report;
    let report = checked.as_ref().and_then(|r| r.typed.as_ref());
    let report = report.expect("the example is valid");
    let answers = crate::common::answers_of(&example, &std::fs::read(&example).unwrap());
    let text = |path: &str| crate::common::text_at(&answers, path, "fr").unwrap();
    assert_eq!(text("cover.country"), "Mali");
    assert_eq!(text("cover.duration_months"), "18");
    assert_eq!(text("cover.prepared_by"), "Bintou DIALLO (WFP)");
    assert_eq!(text("cover.approved_by"), "WFP, HCR, FAO");
    let cover = &report.cover;
    assert_eq!(cover.gateway_number, "PBF IRF-217");
    assert_eq!(
        cover.title.get("fr"),
        "Peers for Peace Building Social Cohesion in Mopti and Segou Regions"
    );
    assert_eq!(cover.report_date.0, "2019-11-12");
    assert_eq!(cover.tranches_received, 2);
    let budgets: Vec<(String, i64)> = cover
        .recipients
        .iter()
        .map(|r| {
            (
                r.short_name
                    .as_ref()
                    .unwrap_or(&r.name)
                    .get("fr")
                    .to_string(),
                r.budget.0 / 100,
            )
        })
        .collect();
    let expected = [("PAM", 855_000), ("FAO", 820_000), ("HCR", 825_000)];
    assert_eq!(budgets, expected.map(|(n, b)| (n.to_string(), b)));
    assert_eq!(cover.budget_total.0, 250_000_000);
    assert_eq!(report.finance.gender_planned.0, 63_513_300);
    assert!(text("finance.gender_allocated").starts_with("635133"));
}

const SEED_ANSWERS: &[&str] = &[
    "L'évaluation finale du projet s'est ache",
    "in auprès des communautés bénéficiaires.",
    "Les activités du projet PBF IRF 217 ont ",
    "ales; ix) l'évaluation finale du projet.",
    "L'évaluation a révélé que le projet est ",
    "munautés pour leur utilisation continue.",
    "L'évaluation a demontré que la dimension",
    "ageois a été la clef des succès obtenus.",
    "Dans l'ensemble, comme indiqué dans l'év",
    "ernementaux par les services techniques.",
    "Le projet a entraîné une prise de consci",
    "on et la gestion des conflits fonciers\".",
    "L'évaluation a identifié la mise en œuvr",
    " activités intégrées et complémentaires.",
    "n/a",
    "Rapport d'évaluation finale du projet",
    "Une sélection de rapports de partenaires",
    "Une sélection de notes de réunion de coordination",
    "Copies des procès-verbaux de réceptions ",
    "avaux de réalisation des infrastructures",
    "Rapport d'activités trimestriels des ONG",
    "Compte rendu des réunions de coordination",
    "Rapports des missions conjointes",
    "Rapport de l'atelier capitalisation",
    "Matrice IPTT et S&E",
    "Outcome 1: Peers for Peace from approxim",
    "rt a more durable protection environment",
    "Vingt villages sur 20 ciblés ont les cap",
    "motion de la paix et la cohésion sociale",
    "Outcome 2: Peers for Peace from approxim",
    "restoration of community infrastructures",
    "Le projet a atteint l'ensemble des 500 m",
    "espectée par les leaders communautaires.",
    "Le Gouvernement du Mali a démontré son a",
    "ation des activités dans leurs villages.",
    "Un plan de suivi évaluation est été mis ",
    "our l’atteinte des objectifs du projets.",
    "L'évaluation du projet a été réalisée pa",
    "vations, et a été finalisé par la suite.",
    "Des activités complémentaires se dévelop",
    "important pour la mobilisation de fonds.",
    "A partir des exercices de planification ",
    " Monimpébougou dans le cercle de Macina.",
    "La stratégie de partenariat avec les ONG",
    "par une grande majorité des communautés.",
    "Les risques majeurs identifiés étaient :",
    " suivi en temps réel de leurs activités.",
    "La participation active des femmes au pr",
    "nificatif depuis le démarrage du projet.",
    "Il y a eu beaucoup d'apprentissage pour ",
    "urables de travail avec les communautés.",
    "Deux tranches ont été perçues. Un rappor",
    "er certifié est en cours d'être élaboré.",
    "N/a",
    "Peers for Peace from approximately 500 h",
    "Nombre de communautés ayant la capacité ",
    "ésion sociale afin de promouvoir la paix",
    "20/20 des villages ciblés n'ont pas la c",
    "is ils disposent des mécanismes en place",
    "20",
    "100%; les 20 villages d'intervention du ",
    "avers la mise en place des clubs DIMITRA",
    "% de ménages (sexe / âge) qui font confi",
    "nismes locaux de résolution des conflits",
    "80%",
    "55%",
    "Nombre de conflits résolus ou transférés",
    "0",
    "40",
    "43 conflits traités dont 19 résolus par ",
    "taires d'animaux autour des points d'eau",
    "Individual peers for peace acquire train",
    "said mechanisms in the event of disputes",
    "Nombre de pairs pour la paix formés (sexe / âge)",
    "500",
    "100 % / 500 PfP formés. 168 PfP (93h, 75",
    "152 f) formés en médiation des conflits.",
    "Nombre de messages de paix diffusés via les médias locaux",
    "10",
    "15 messages de paix élaborés et diffusés",
    "on pacifique. Nombre de diffusion: 1440.",
    "Women leaders are recognised, included a",
    "ation around natural resource management",
    "Nombre de femmes formées avec succès",
    "150",
    "270% (406); 62 femmes leaders des clubs ",
    "ion d'AGR, conduite des pépinières, etc.",
    "Nombre total de participants par séance ",
    "sibilisation, désaggrégé par sexe et âge",
    "70",
    "60 participants par séance, dont 70% fem",
    "omprenant 40% des jeunes de 18 à 30 ans.",
    "Traditional conflict mediation mechanism",
    "munity-wide awareness building campaigns",
    "Nombre de réunions planifiées et tenues",
    "1 080",
    "1 356",
    "Nombre de membre d'activité désagrégés par sexe et âge",
    "500 ménages beneficiaires des activités,",
    "ages exposés à l'insécurité alimentaire.",
    "% de familles par sexe et âge dont les c",
    "es capacités économiques sont renforcées",
    "100%",
    "Individual peers for peace successfully ",
    "ing with HIV and other vulnerable groups",
    "Nombre d'IGA développés",
    "5",
    "12",
    "Nombre de bénéficiaires assistés désagré",
    " par sexe et âge dans les différents IGA",
    "2,276 personnes, dont 265 femmes et 109 ",
    " le PAM, dont 1,522 femmes et 380 hommes",
    "Community-based infrastructures are cons",
    "around livelihoods and natural resources",
    "Nombre d'infrastructures construits/développés",
    "13",
    "27",
    "Nombre de bénéficiaires assistés par les",
    "se instaurés, désagrégés par sexe et âge",
    "771",
    "221",
    "Il n'existe pas de liste nomitative car ",
    "on et la pérennisation des actifs créés.",
    "Women’s IGA associations are active and ",
    "n’s resilience and decision-making power",
    "% des femmes qui perçoivent qu'elles ont",
    "elles ont accru leur pouvoir de décision",
    "40%",
    "10%",
    "Une enquête formelle n'a pas été réalisée.",
];
