//! The typed report read by roles: each field of the view is the answer of the field that plays
//! its role in the form's description, so a revised form may name and place its fields as it
//! likes; and a path of the view (`cover.recipients[2].id`, in a rule's message) is said as the
//! source's path of that field.

use serde::Deserialize;
use serde_json::{Map, Value as Json};

use super::Report;
use crate::form::{Form, unnumbered};

/// Each place of the view with the role of the field it is read from. Lists of the view are
/// lists in the form too, and what the view holds under a list, the form holds under its list.
pub const ROLES: [(&str, &str); 18] = [
    ("cover.title", "project_title"),
    ("cover.gateway_number", "project_number"),
    ("cover.report_date", "report_date"),
    ("cover.recipients", "recipients"),
    ("cover.recipients.id", "recipient_id"),
    ("cover.recipients.name", "recipient_name"),
    ("cover.recipients.short_name", "recipient_short_name"),
    ("cover.recipients.lead", "lead"),
    ("cover.recipients.budget", "recipient_budget"),
    ("cover.budget_total", "budget_total"),
    ("cover.tranches_received", "tranches_received"),
    ("outcomes", "outcomes"),
    ("outcomes.statement", "outcome_statement"),
    ("outcomes.outputs", "outputs"),
    ("outcomes.outputs.statement", "output_statement"),
    ("outcomes.outputs.activities", "activities"),
    ("finance.gender_planned", "gender_planned"),
    ("annex_a", "annex_a"),
];

/// The view's lists whose items it reads field by field; the activities' rows are read whole.
const LISTS: [&str; 3] = ["cover.recipients", "outcomes", "outcomes.outputs"];

/// The view's lists, with the activities' table: a path's positions count in these.
const NUMBERED: [&str; 4] = [
    "cover.recipients",
    "outcomes",
    "outcomes.outputs",
    "outcomes.outputs.activities",
];

/// Why `form`, which declares Annex A's figures, cannot be read as the view: a role no field
/// plays, or a field out of its list.
pub fn problems(form: &Form) -> Vec<String> {
    let mut problems = Vec::new();
    for (place, role) in ROLES {
        let Some(path) = form.role_path(role) else {
            problems.push(format!(
                "role {role}: Annex A and the budget rules read it (the 2019 form's {place}), \
                 and no field of this form plays it"
            ));
            continue;
        };
        let list = NUMBERED
            .iter()
            .filter(|l| place.starts_with(&format!("{l}.")))
            .max_by_key(|l| l.len());
        if let Some(list) = list {
            let under = source_of(form, list);
            if let Some(under) = under.filter(|u| !path.starts_with(&format!("{u}."))) {
                problems.push(format!(
                    "{path}: role {role} is read in each item of {under}, where this form does not ask it"
                ));
            }
        }
    }
    problems
}

/// The path in `form` of the field read at the view's `place`.
fn source_of<'f>(form: &'f Form, place: &str) -> Option<&'f str> {
    let (_, role) = ROLES.iter().find(|(at, _)| *at == place)?;
    form.role_path(role)
}

/// The typed report of `tree`, a checked source of `form`.
pub fn read(form: &Form, tree: &Json) -> Result<Report, serde_json::Error> {
    let places: Vec<(&str, &str)> = ROLES
        .iter()
        .filter_map(|(place, role)| Some((*place, form.role_path(role)?)))
        .collect();
    Report::deserialize(view(&places, "", "", tree))
}

/// The object of the view at `at` (empty: the root), read from `node`, the source's object at
/// `from`.
fn view(places: &[(&str, &str)], at: &str, from: &str, node: &Json) -> Json {
    let mut out = Json::Object(Map::new());
    for (place, path) in places {
        let (Some(here), Some(there)) = (relative(place, at), relative(path, from)) else {
            continue;
        };
        // What stands under a list of the view is read within each of its items.
        let nested = LISTS.iter().any(|l| {
            l != place && place.starts_with(&format!("{l}.")) && relative(l, at).is_some()
        });
        if nested {
            continue;
        }
        let value = there
            .split('.')
            .try_fold(node, |n, key| n.get(key))
            .cloned()
            .unwrap_or(Json::Null);
        let value = match (LISTS.contains(place), value) {
            (true, Json::Array(items)) => Json::Array(
                items
                    .iter()
                    .map(|item| view(places, place, path, item))
                    .collect(),
            ),
            (_, value) => value,
        };
        if !value.is_null() {
            set(&mut out, here, value);
        }
    }
    out
}

/// `path` below `base` (`a.b.c` below `a` is `b.c`; everything is below the root, ``).
fn relative<'a>(path: &'a str, base: &str) -> Option<&'a str> {
    match base.is_empty() {
        true => Some(path),
        false => path.strip_prefix(base)?.strip_prefix('.'),
    }
}

fn set(object: &mut Json, path: &str, value: Json) {
    let mut node = object;
    let mut keys = path.split('.').peekable();
    while let Some(key) = keys.next() {
        let map = match node {
            Json::Object(map) => map,
            _ => return,
        };
        if keys.peek().is_none() {
            map.insert(key.to_string(), value);
            return;
        }
        node = map
            .entry(key.to_string())
            .or_insert_with(|| Json::Object(Map::new()));
    }
}

/// The source's path of the view's `place` (`cover.recipients[2].id`): the path of the field
/// that plays its role, with the positions of its lists, then what follows inside it.
pub fn source_path(form: &Form, place: &str) -> String {
    let plain = unnumbered(place);
    let found = ROLES
        .iter()
        .filter(|(at, _)| plain == *at || plain.starts_with(&format!("{at}.")))
        .max_by_key(|(at, _)| at.len());
    let Some((at, role)) = found else {
        return place.to_string();
    };
    let Some(path) = form.role_path(role) else {
        return place.to_string();
    };
    let mut out = path.to_string();
    // Each list's position, deepest first, after its path in the source.
    let mut lists: Vec<(&str, String)> = NUMBERED
        .iter()
        .filter(|l| at == *l || at.starts_with(&format!("{l}.")))
        .filter_map(|l| Some((*l, position(place, l)?)))
        .collect();
    lists.sort_by_key(|(l, _)| std::cmp::Reverse(l.len()));
    for (list, n) in lists {
        if let Some(under) = source_of(form, list)
            && out.starts_with(under)
        {
            out.insert_str(under.len(), &n);
        }
    }
    out + &rest(place, at)
}

/// The position written after the list `list` in `place` (`[2]`), if any.
fn position(place: &str, list: &str) -> Option<String> {
    let mut plain = String::new();
    let mut inside = false;
    for (i, c) in place.char_indices() {
        match c {
            '[' if plain == list => {
                let end = place[i..].find(']')? + i;
                return Some(place[i..=end].to_string());
            }
            '[' => inside = true,
            ']' => inside = false,
            _ if inside => {}
            c => plain.push(c),
        }
    }
    None
}

/// What follows the view's `at` in `place`, past its own position: the names inside it
/// (`.budget.wfp`).
fn rest(place: &str, at: &str) -> String {
    let mut plain = String::new();
    let mut inside = false;
    for (i, c) in place.char_indices() {
        match c {
            '[' => inside = true,
            ']' => inside = false,
            _ if inside => {}
            c => plain.push(c),
        }
        let next = i + c.len_utf8();
        if !inside && c != ']' && plain == at {
            let after = &place[next..];
            if after.is_empty() || after.starts_with('.') {
                return after.to_string();
            }
            if after.starts_with('[') {
                let end = after.find(']').map_or(after.len(), |e| e + 1);
                return after[end..].to_string();
            }
        }
    }
    String::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_place_of_the_view_is_said_as_the_source_path_of_its_role() {
        let form = Form::pbf_2019();
        for place in [
            "cover.budget_total",
            "cover.recipients",
            "cover.recipients[2].lead",
            "outcomes[1].outputs[2].activities[3].budget.wfp",
            "annex_a.by_category.wfp",
            "finance.gender_planned",
        ] {
            assert_eq!(source_path(form, place), place);
        }
        assert!(problems(form).is_empty(), "{:?}", problems(form));
    }
}
