//! The JSON Schema of a source written for a form: the tool's own fields (which template, which
//! languages, what it supersedes) and then every question of the description at its path. `check`
//! walks it, `schema` prints it for editors.

use schemars::{JsonSchema, SchemaGenerator, generate::SchemaSettings};
use serde_json::{Map, Value as Json, json};

use super::{Form, Kind, Question};
use crate::model::{AnnexA, Date, Usd, YearMonth, text_schema};

/// The fields every source has, whatever its form: they say how to build it, not what it says.
fn envelope(forms: &[String]) -> Map<String, Json> {
    let fields = json!({
        "template": { "type": "string", "enum": forms, "description": "Which form this report fills in." },
        "project_id": {
            "type": "string", "pattern": "^[a-z0-9][a-z0-9-]{0,63}$", "x-rule": true,
            "description": "Short identifier of the project, used for output folders (lower-case letters, digits and dashes, at most 64)."
        },
        "languages": {
            "type": "array", "items": { "type": "string", "pattern": "^[a-z][a-z-]{1,7}$", "x-rule": true }, "maxItems": 8,
            "description": "Languages the report is written in; the first is the language of the official submission."
        },
        "unofficial_translations": {
            "type": "array", "items": { "type": "string", "pattern": "^[a-z][a-z-]{1,7}$", "x-rule": true }, "maxItems": 8, "default": [],
            "description": "Languages whose text is a translation without official standing; the PDF says so."
        },
        "supersedes": {
            "type": ["string", "null"], "pattern": "^[a-z0-9][a-z0-9-]{0,63}$",
            "description": "The version this one replaces (its source's file name without `.yaml`), which must be archived; the PDF's footer and title say \"revision of\" it."
        },
        "previous": {
            "type": ["string", "null"], "pattern": "^[a-z0-9][a-z0-9-]{0,63}$",
            "description": "The version this report follows (its source's file name without `.yaml`, beside this one): `diff` with one argument compares with it, and `check` warns for each answer of the period left as it was there."
        },
        "word_copy": {
            "type": "boolean",
            "description": "Also write a Word copy of the report in each language (`<project>-<version>.<lang>.docx`), for review rounds."
        }
    });
    match fields {
        Json::Object(map) => map,
        _ => unreachable!("a literal object"),
    }
}

/// The envelope's required fields.
const ENVELOPE_REQUIRED: [&str; 3] = ["template", "project_id", "languages"];

impl Form {
    /// The schema of a source written for this form.
    pub fn schema(&self) -> Json {
        self.schema_among(std::slice::from_ref(&self.form))
    }

    /// The schema of a source written for this form, `template:` naming any of `forms`.
    pub fn schema_among(&self, forms: &[String]) -> Json {
        let mut generator = SchemaSettings::draft2020_12().into_generator();
        let mut root = Object {
            properties: envelope(forms),
            required: ENVELOPE_REQUIRED.map(String::from).to_vec(),
            ..Object::default()
        };
        for part in &self.parts {
            for question in &part.questions {
                let schema = self.question(question, &mut generator);
                root.insert(&question.path, question.required, schema, &part.about);
            }
        }
        let mut schema = root.into_json(Some("A whole report, as one YAML source."));
        let defs = generator.take_definitions(true);
        let map = schema.as_object_mut().expect("an object");
        map.insert("title".into(), "PBF project progress report source".into());
        map.insert(
            "$schema".into(),
            "https://json-schema.org/draft/2020-12/schema".into(),
        );
        map.insert("$defs".into(), Json::Object(defs));
        schema
    }

    /// The schema of one question's answer, nullable when the form lets it be left out and an
    /// empty answer means nothing (a text, a choice, a date); lists, amounts and flags left out
    /// are empty, zero and no.
    fn question(&self, q: &Question, generator: &mut SchemaGenerator) -> Json {
        let mut schema = self.answer(q, generator);
        let empty_is_something = matches!(
            q.kind,
            Kind::List | Kind::Table | Kind::Amount | Kind::Amounts | Kind::Flag | Kind::Count
        ) || (q.kind == Kind::Ticks && q.most.is_some());
        let nullable = !q.required && !empty_is_something;
        if nullable {
            schema = match schema.get("type").and_then(Json::as_str) {
                Some(kind) if schema.get("enum").is_none() => {
                    let mut plain = schema.clone();
                    plain["type"] = json!([kind, "null"]);
                    plain
                }
                _ => json!({ "anyOf": [schema, { "type": "null" }] }),
            };
        }
        if let Some(about) = &q.about {
            schema["description"] = about.as_str().into();
        }
        schema
    }

    fn answer(&self, q: &Question, generator: &mut SchemaGenerator) -> Json {
        let text = |generator: &mut SchemaGenerator, most: usize, form_limit: bool| {
            let name = match form_limit {
                true => format!("Text{most}"),
                false => format!("Text{most}Bound"),
            };
            generator
                .definitions_mut()
                .entry(name.clone())
                .or_insert_with(|| text_schema(most, form_limit).to_value());
            json!({ "$ref": format!("#/$defs/{name}") })
        };
        let options = || {
            let names = q.options.as_ref().and_then(|o| self.options.get(o));
            json!({ "type": "string", "enum": names.cloned().unwrap_or_default() })
        };
        match q.kind {
            Kind::Narrative | Kind::Cell | Kind::Note => {
                text(generator, q.limit.unwrap_or_default(), true)
            }
            Kind::Text => text(generator, 1500, false),
            Kind::Line => text(generator, 300, false),
            Kind::Statement => text(generator, 1000, false),
            Kind::Rating | Kind::Choice => options(),
            Kind::Ticks => match q.most {
                Some(most) => json!({ "type": "array", "items": options(), "maxItems": most }),
                None => options(),
            },
            Kind::Date => reference::<Date>(generator),
            Kind::Month => reference::<YearMonth>(generator),
            Kind::Amount => reference::<Usd>(generator),
            Kind::Count => json!({ "type": "integer", "format": "uint32", "minimum": 0 }),
            Kind::YesNo | Kind::Flag => json!({ "type": "boolean" }),
            Kind::Id => json!({ "type": "string", "maxLength": q.most.unwrap_or(60) }),
            Kind::Amounts => {
                json!({ "type": "object", "additionalProperties": reference::<Usd>(generator) })
            }
            Kind::Annex => reference::<AnnexA>(generator),
            Kind::List | Kind::Table => {
                let columns: &[Question] = match &q.table {
                    Some(table) => self.table(table),
                    None => &q.each,
                };
                let items = match columns.is_empty() {
                    true => text(generator, 300, false),
                    false => {
                        let mut item = Object::default();
                        for column in columns {
                            let schema = self.question(column, generator);
                            item.insert(&column.path, column.required, schema, &None);
                        }
                        item.into_json(None)
                    }
                };
                let mut list = json!({ "type": "array", "items": items });
                if let Some(least) = q.least {
                    list["minItems"] = least.into();
                }
                if let Some(most) = q.most {
                    list["maxItems"] = most.into();
                }
                list
            }
        }
    }
}

/// A reference to the schema of a type the tool reads itself (an amount, a date).
fn reference<T: JsonSchema>(generator: &mut SchemaGenerator) -> Json {
    generator.subschema_for::<T>().to_value()
}

/// An object of the schema being built: fields by name, some required, groups (`cover`) made
/// on the way to a dotted path.
#[derive(Default)]
struct Object {
    properties: Map<String, Json>,
    required: Vec<String>,
    groups: Vec<(String, Object, Option<String>)>,
}

impl Object {
    fn insert(&mut self, path: &str, required: bool, schema: Json, about: &Option<String>) {
        match path.split_once('.') {
            None => {
                self.properties.insert(path.to_string(), schema);
                if required {
                    self.required.push(path.to_string());
                }
            }
            Some((group, rest)) => {
                let at = match self.groups.iter().position(|(name, ..)| name == group) {
                    Some(at) => at,
                    None => {
                        self.groups
                            .push((group.into(), Object::default(), about.clone()));
                        self.properties.insert(group.into(), Json::Null);
                        self.groups.len() - 1
                    }
                };
                self.groups[at].1.insert(rest, required, schema, &None);
            }
        }
    }

    fn into_json(mut self, about: Option<&str>) -> Json {
        for (name, group, group_about) in std::mem::take(&mut self.groups) {
            // A group holding a required field is itself required.
            if !group.required.is_empty() {
                self.required.push(name.clone());
            }
            self.properties
                .insert(name, group.into_json(group_about.as_deref()));
        }
        // Required fields in the form's order, as `check` reports them missing.
        let order: Vec<&String> = self.properties.keys().collect();
        self.required
            .sort_by_key(|name| order.iter().position(|o| *o == name));
        let mut schema = json!({
            "type": "object",
            "additionalProperties": false,
            "properties": self.properties,
            "required": self.required,
        });
        if let Some(about) = about {
            schema["description"] = about.into();
        }
        schema
    }
}
