//! A source as checked, for any form: the tool's own fields (which form, which languages, what it
//! supersedes), the answers as a tree the form's description reads, and, for a form shaped as
//! the 2019 one, the typed report its rules and Annex A read.

use std::sync::Arc;

use serde::Deserialize;
use serde_json::Value as Json;

use super::Report;
use crate::form::Form;

/// The fields every source has, whatever its form.
#[derive(Debug, Clone, Deserialize)]
pub struct Envelope {
    pub template: String,
    pub project_id: String,
    pub languages: Vec<String>,
    #[serde(default)]
    pub unofficial_translations: Vec<String>,
    #[serde(default)]
    pub supersedes: Option<String>,
    /// The version this report follows, which `new --from` records and `diff` and `check`
    /// compare it with.
    #[serde(default)]
    pub previous: Option<String>,
    #[serde(default)]
    pub word_copy: bool,
}

/// A checked source.
#[derive(Debug, Clone)]
pub struct Filled {
    pub envelope: Envelope,
    pub form: Arc<Form>,
    /// The answers as written, texts once or per language.
    pub tree: Json,
    /// The report as the rules that span fields read it, when the form declares their roles.
    pub typed: Option<Report>,
}

impl Filled {
    /// The answer of the field that plays `role`, when the form has one and it is given.
    pub fn role(&self, role: &str) -> Option<&Json> {
        let path = self.form.path_of_role(role)?;
        path.split('.')
            .try_fold(&self.tree, |node, key| node.get(key))
            .filter(|v| !v.is_null())
    }

    /// The report's date, from the field that plays `report_date`.
    pub fn report_date(&self) -> Option<super::Date> {
        let text = self.role("report_date")?.as_str()?;
        super::parse_date(text).map(|_| super::Date(text.to_string()))
    }
}
