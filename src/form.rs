//! A form's description (`templates/<form>/form.yaml`): its parts and questions in the order the
//! form asks them, each with the source field that answers it, its wording in the catalogs, its
//! kind, its limit and where it is drawn. What is field-shaped elsewhere is read from here rather
//! than listed again; the tests hold the description to the model and the catalogs.

use std::collections::BTreeMap;

use serde::Deserialize;

/// The file of a template folder that describes its form.
pub const FILE: &str = "form.yaml";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Form {
    /// The template's name, as a source's `template:` gives it.
    pub form: String,
    /// Tables whose columns several questions share (the indicator table), by name.
    #[serde(default)]
    pub tables: BTreeMap<String, Vec<Question>>,
    pub parts: Vec<Part>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Part {
    pub name: String,
    /// The catalog key of the part's heading.
    #[serde(default)]
    pub title: Option<String>,
    pub questions: Vec<Question>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// The field that answers it: from the source's root, or from its list's item.
    pub path: String,
    /// Its wording in the catalogs.
    pub key: String,
    pub kind: Kind,
    /// The form's character limit, for a text that has one.
    #[serde(default)]
    pub limit: Option<usize>,
    #[serde(default)]
    pub required: bool,
    pub drawn: Drawn,
    /// For a rating, a choice or tick boxes: the catalogs' prefix of its options' wording.
    #[serde(default)]
    pub options: Option<String>,
    /// The part the field plays in a rule that spans fields.
    #[serde(default)]
    pub role: Option<String>,
    /// For a list or a table: the most items the form has room for.
    #[serde(default)]
    pub most: Option<usize>,
    /// For a list: the questions asked of each item.
    #[serde(default)]
    pub each: Vec<Question>,
    /// For a table: the name of its columns under `tables`.
    #[serde(default)]
    pub table: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Narrative,
    Text,
    Line,
    Statement,
    Cell,
    Note,
    Rating,
    Choice,
    Ticks,
    Date,
    Month,
    Amount,
    Count,
    YesNo,
    List,
    Table,
}

impl Kind {
    /// A text a writer composes in the form's frame: what a reviewer may edit in a Word copy.
    pub fn is_answer_text(self) -> bool {
        matches!(self, Kind::Narrative | Kind::Text | Kind::Note | Kind::Cell)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Drawn {
    Cover,
    Answer,
    Heading,
    Column,
    Workbook,
}

/// One question with its whole field path, list positions written `[n]` as messages write them.
pub struct Field<'a> {
    pub path: String,
    pub question: &'a Question,
}

impl Form {
    pub fn parse(bytes: &[u8]) -> Result<Form, String> {
        let text = std::str::from_utf8(bytes).map_err(|_| "it is not UTF-8 text".to_string())?;
        let form: Form = serde_saphyr::from_str(text).map_err(|e| e.to_string())?;
        form.validate()?;
        Ok(form)
    }

    /// The built-in 2019 form, read once.
    pub fn pbf_2019() -> &'static Form {
        static FORM: std::sync::LazyLock<Form> = std::sync::LazyLock::new(|| {
            let name = format!("{}{FILE}", crate::render::pdf::TEMPLATE_PREFIX);
            let bytes = crate::templates::Templates::builtin()
                .file(&name)
                .map(<[u8]>::to_vec)
                .expect("the built-in template has its form description");
            Form::parse(&bytes).expect("the built-in form description is valid")
        });
        &FORM
    }

    /// What a description must hold beyond its shape: lists with room and items, tables whose
    /// columns are declared, limits only on texts.
    fn validate(&self) -> Result<(), String> {
        let mut problems = Vec::new();
        for part in &self.parts {
            for question in &part.questions {
                self.validate_question(question, &mut problems);
            }
        }
        match problems.is_empty() {
            true => Ok(()),
            false => Err(problems.join("; ")),
        }
    }

    fn validate_question(&self, q: &Question, problems: &mut Vec<String>) {
        let path = &q.path;
        match q.kind {
            Kind::List if q.most.is_none() => problems.push(format!("{path}: a list needs `most`")),
            Kind::Table => match q.table.as_deref() {
                Some(name) if self.tables.contains_key(name) => {}
                _ => problems.push(format!("{path}: a table names its columns under `tables`")),
            },
            _ => {}
        }
        if q.kind == Kind::Table && q.most.is_none() {
            problems.push(format!("{path}: a table needs `most`"));
        }
        if q.limit.is_some() && !q.kind.is_answer_text() {
            problems.push(format!("{path}: only a text has a limit"));
        }
        for item in &q.each {
            self.validate_question(item, problems);
        }
    }

    /// Every field the form asks, in order, each list and table expanded to the items it has
    /// room for (`outcomes[1].summary` … `outcomes[4].summary`).
    pub fn fields(&self) -> Vec<Field<'_>> {
        let mut fields = Vec::new();
        for part in &self.parts {
            for question in &part.questions {
                self.expand(question, String::new(), &mut fields);
            }
        }
        fields
    }

    fn expand<'a>(&'a self, q: &'a Question, under: String, fields: &mut Vec<Field<'a>>) {
        let path = match under.is_empty() {
            true => q.path.clone(),
            false => format!("{under}.{}", q.path),
        };
        fields.push(Field {
            path: path.clone(),
            question: q,
        });
        let items: &[Question] = match (q.kind, &q.table) {
            (Kind::Table, Some(table)) => &self.tables[table],
            _ => &q.each,
        };
        for n in 1..=q.most.unwrap_or(0) {
            for item in items {
                self.expand(item, format!("{path}[{n}]"), fields);
            }
        }
    }

    /// The questions of the part `name`, in order.
    pub fn part(&self, name: &str) -> &[Question] {
        let part = self.parts.iter().find(|p| p.name == name);
        part.map_or(&[], |p| p.questions.as_slice())
    }

    /// The columns of the table `name` (`indicators`), in order.
    pub fn table(&self, name: &str) -> &[Question] {
        self.tables.get(name).map_or(&[], Vec::as_slice)
    }

    /// The fields a Word copy shows as answers a reviewer may edit: the texts the form frames.
    pub fn answer_fields(&self) -> impl Iterator<Item = String> + '_ {
        self.fields()
            .into_iter()
            .filter(|f| f.question.kind.is_answer_text())
            .map(|f| f.path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_form_reads_and_expands_its_lists() {
        let form = Form::pbf_2019();
        assert_eq!(form.form, "pbf-2019");
        let answers: Vec<String> = form.answer_fields().collect();
        for field in [
            "progress.status",
            "cover.evaluation",
            "outcomes[4].summary",
            "outcomes[4].indicators[3].target_adjustment",
            "outcomes[1].outputs[3].indicators[2].baseline",
        ] {
            assert!(answers.iter().any(|a| a == field), "{field}");
        }
        for field in [
            "outcomes[5].summary",
            "outcomes[1].outputs[1].indicators[3].target",
            "outcomes[1].statement",
        ] {
            assert!(!answers.iter().any(|a| a == field), "{field}");
        }
    }

    #[test]
    fn a_description_that_breaks_its_own_rules_is_refused() {
        let bad = b"form: x\nparts:\n  - name: p\n    questions:\n      - {path: a, key: a, kind: list, drawn: answer}\n      - {path: b, key: b, kind: rating, limit: 3, drawn: answer}\n      - {path: c, key: c, kind: table, most: 2, drawn: column}\n";
        let problems = Form::parse(bad).unwrap_err();
        assert!(problems.contains("a: a list needs `most`"), "{problems}");
        assert!(
            problems.contains("b: only a text has a limit"),
            "{problems}"
        );
        assert!(
            problems.contains("c: a table names its columns"),
            "{problems}"
        );
        let unknown = b"form: x\nparts: []\ncolour: red\n";
        assert!(Form::parse(unknown).is_err());
    }

    /// A field of the model's schema: its path (`[]` for a list's items), whether it is
    /// required, its form limit, its options and the most items a list holds.
    #[derive(Debug, Default, PartialEq)]
    struct Modelled {
        required: bool,
        limit: Option<usize>,
        options: Vec<String>,
        most: Option<usize>,
    }

    fn resolve<'a>(
        defs: &'a serde_json::Value,
        node: &'a serde_json::Value,
    ) -> &'a serde_json::Value {
        match node.get("$ref").and_then(|r| r.as_str()) {
            Some(r) => resolve(defs, &defs[r.trim_start_matches("#/$defs/")]),
            None => node,
        }
    }

    fn modelled(
        defs: &serde_json::Value,
        node: &serde_json::Value,
        path: &str,
        required: bool,
        out: &mut BTreeMap<String, Modelled>,
    ) {
        let mut node = resolve(defs, node);
        // An optional field: its schema or null.
        if let Some(branches) = node.get("anyOf").and_then(|a| a.as_array()) {
            let not_null: Vec<_> = branches
                .iter()
                .filter(|b| b.get("type").and_then(|t| t.as_str()) != Some("null"))
                .collect();
            if not_null.len() == 1 && node.get("x-text").is_none() {
                node = resolve(defs, not_null[0]);
            }
        }
        let mut field = Modelled {
            required,
            ..Default::default()
        };
        if node.get("x-form-limit").and_then(|x| x.as_bool()) == Some(true) {
            let branch = &node["anyOf"][0];
            field.limit = branch["maxLength"].as_u64().map(|n| n as usize);
        }
        if let Some(options) = node.get("enum").and_then(|e| e.as_array()) {
            field.options = options
                .iter()
                .map(|o| o.as_str().unwrap().to_string())
                .collect();
        }
        if let Some(items) = node.get("items") {
            field.most = node["maxItems"].as_u64().map(|n| n as usize);
            let item = resolve(defs, items);
            if let Some(options) = item.get("enum").and_then(|e| e.as_array()) {
                field.options = options
                    .iter()
                    .map(|o| o.as_str().unwrap().to_string())
                    .collect();
            }
            if item.get("properties").is_some() {
                modelled(defs, item, &format!("{path}[]"), true, out);
            }
        }
        if let Some(properties) = node.get("properties").and_then(|p| p.as_object()) {
            let required: Vec<&str> = node["required"]
                .as_array()
                .map(|r| r.iter().filter_map(|k| k.as_str()).collect())
                .unwrap_or_default();
            for (key, value) in properties {
                let path = match path.is_empty() {
                    true => key.clone(),
                    false => format!("{path}.{key}"),
                };
                modelled(defs, value, &path, required.contains(&key.as_str()), out);
            }
        }
        // A group of fields (`cover`) is not itself a question.
        if !path.is_empty() && !path.ends_with("[]") && node.get("properties").is_none() {
            out.insert(path.to_string(), field);
        }
    }

    /// The description's fields with every position written `[]`, as the model's are.
    fn described(form: &Form) -> BTreeMap<String, &Question> {
        let positions = regex::Regex::new(r"\[[0-9]+\]").unwrap();
        form.fields()
            .into_iter()
            .map(|f| {
                (
                    positions.replace_all(&f.path, "[]").into_owned(),
                    f.question,
                )
            })
            .collect()
    }

    /// The parts of a source the form describes: the rest (which languages, Annex A's figures,
    /// an activity's budget) is the report's own, not a question of the form.
    const NOT_ASKED: &[&str] = &[
        "template",
        "project_id",
        "languages",
        "unofficial_translations",
        "supersedes",
        "word_copy",
        "annex_a",
        "cover.recipients[]",
        "outcomes[].outputs[].activities[]",
    ];

    #[test]
    fn the_description_asks_every_field_of_the_model_as_the_model_types_it() {
        let schema = crate::model::schema();
        let defs = &schema["$defs"];
        let mut model = BTreeMap::new();
        modelled(defs, &schema, "", true, &mut model);
        let model: BTreeMap<String, Modelled> = model
            .into_iter()
            .filter(|(path, _)| {
                !NOT_ASKED
                    .iter()
                    .any(|n| path == n || path.starts_with(&format!("{n}.")))
            })
            .collect();
        let form = Form::pbf_2019();
        let described = described(form);
        let missing: Vec<&String> = model
            .keys()
            .filter(|p| !described.contains_key(*p))
            .collect();
        assert!(
            missing.is_empty(),
            "fields of the model the description lacks: {missing:?}"
        );
        let unknown: Vec<&String> = described
            .keys()
            .filter(|p| !model.contains_key(*p))
            .collect();
        assert!(
            unknown.is_empty(),
            "fields described that the model lacks: {unknown:?}"
        );
        for (path, q) in &described {
            let m = &model[path];
            assert_eq!(q.limit, m.limit, "{path}: limit");
            // A field inside a list is required of each item the list has.
            assert_eq!(q.required, m.required, "{path}: required");
            if matches!(q.kind, Kind::List | Kind::Table) {
                assert_eq!(q.most, m.most, "{path}: most");
            }
            if q.options.is_some() {
                assert!(
                    !m.options.is_empty(),
                    "{path}: options, but the model has no choice"
                );
            }
        }
    }

    #[test]
    fn every_wording_and_option_of_the_description_is_in_every_built_in_catalog() {
        let schema = crate::model::schema();
        let mut model = BTreeMap::new();
        modelled(&schema["$defs"], &schema, "", true, &mut model);
        let templates = crate::templates::Templates::builtin();
        let form = Form::pbf_2019();
        for lang in templates.languages() {
            let catalog = crate::i18n::Catalog::load_from(&templates, &lang).unwrap();
            let mut keys: Vec<String> = form.parts.iter().filter_map(|p| p.title.clone()).collect();
            for (path, q) in described(form) {
                keys.push(q.key.clone());
                if let Some(prefix) = &q.options {
                    keys.extend(model[&path].options.iter().map(|o| format!("{prefix}.{o}")));
                }
            }
            for key in keys {
                assert!(catalog.entries.contains_key(&key), "{lang}: no `{key}`");
            }
        }
    }
}
