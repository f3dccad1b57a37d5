//! Language catalogs: one flat YAML file per language under `templates/i18n/`, every word the
//! PDF and the workbook print, under stable keys. Placeholders (`{{ n }}`) are minijinja.

use std::collections::BTreeMap;

use crate::templates;

/// The languages that have a catalog, e.g. `["en", "fr"]`.
pub fn languages() -> Vec<String> {
    templates::files_under("i18n/")
        .filter_map(|(name, _)| name.strip_prefix("i18n/")?.strip_suffix(".yaml"))
        .map(str::to_string)
        .collect()
}

/// One language's catalog.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub lang: String,
    pub entries: BTreeMap<String, String>,
}

impl Catalog {
    /// The embedded catalog of `lang`.
    pub fn load(lang: &str) -> Result<Catalog, String> {
        let bytes = templates::file(&format!("i18n/{lang}.yaml"))
            .ok_or_else(|| format!("no catalog for language `{lang}`"))?;
        let text = std::str::from_utf8(bytes).map_err(|e| format!("catalog `{lang}`: {e}"))?;
        let entries = serde_saphyr::from_str(text).map_err(|e| format!("catalog `{lang}`: {e}"))?;
        Ok(Catalog {
            lang: lang.to_string(),
            entries,
        })
    }

    /// The text under `key`, or the key itself in brackets so that a gap is visible.
    pub fn get(&self, key: &str) -> String {
        self.entries
            .get(key)
            .cloned()
            .unwrap_or_else(|| format!("[{key}]"))
    }

    /// The text under `key` with its placeholders filled in from `context`.
    pub fn render(&self, key: &str, context: minijinja::Value) -> String {
        let template = self.get(key);
        let env = minijinja::Environment::new();
        env.render_str(&template, context).unwrap_or(template)
    }
}
