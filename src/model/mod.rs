//! What the rules that span fields and Annex A read of a source of a form that declares Annex
//! A's figures (`role: annex_a`): the recipients and their budgets, the outcomes' and outputs'
//! statements with their activities, the gender figure and Annex A's own figures. Each is read
//! from the field that plays its role (`roles.rs`), wherever the form puts it; every other field
//! is the form description's alone: checked and drawn from there.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

mod filled;
pub mod roles;
mod values;

pub use filled::{Envelope, Filled};

pub use values::{
    AmountError, Cell, Date, Free, GENDER_MIN_PERCENT, INDIRECT_PERCENT, Line, Narrative, Note,
    Statement, Summary, Text, Usd, YearMonth, below_gender_minimum, civil_date, group_thousands,
    indirect, parse_date, parse_month, text_schema,
};

/// The figures of a report, read from its checked answers.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Report {
    pub cover: Cover,
    /// The outcomes, for their statements and their outputs' activities.
    pub outcomes: Vec<Outcome>,
    pub finance: Finance,
    /// Figures that only Annex A shows (activity budgets live under the outputs).
    pub annex_a: AnnexA,
}

/// What the workbook's headings and the budget rules read of the cover.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Cover {
    pub title: Line,
    pub gateway_number: String,
    pub report_date: Date,
    pub recipients: Vec<Recipient>,
    /// Must equal the recipients' sum.
    pub budget_total: Usd,
    pub tranches_received: u32,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Recipient {
    /// The key Annex A's figures name the recipient by.
    pub id: String,
    pub name: Line,
    /// The name of the workbook's columns, when it differs (`PAM` in French).
    #[serde(default)]
    pub short_name: Option<Line>,
    #[serde(default)]
    pub lead: bool,
    /// Approved budget in USD, 7% indirect support costs included.
    pub budget: Usd,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Outcome {
    pub statement: Statement,
    #[serde(default)]
    pub outputs: Vec<Output>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Output {
    pub statement: Statement,
    #[serde(default)]
    pub activities: Vec<Activity>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Finance {
    /// USD planned for gender equality and women's empowerment, which the activities' gender
    /// amounts must add up to.
    pub gender_planned: Usd,
}

/// Annex A figures beyond the activities: other costs and the budget by UN category.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AnnexA {
    /// Costs outside the outputs, each a budget line like an activity.
    #[serde(default)]
    pub additional_costs: AdditionalCosts,
    /// Direct costs per recipient (by recipient id) and UN budget category.
    pub by_category: BTreeMap<String, Categories>,
    /// Funds received so far per recipient id, in USD (7% included), from the tranches.
    #[serde(default)]
    pub funds_received: BTreeMap<String, Usd>,
}

impl AnnexA {
    /// What a new source shows of Annex A's figures, for its one recipient `agency1`.
    pub const EXAMPLE: &str = "\
# Costs outside the outcomes, each like an activity:
# additional_costs:
#   personnel: {formulation: \"\", budget: {agency1: 0}, spent: 0}
#   operational: {formulation: \"\", budget: {agency1: 0}, spent: 0}
#   monitoring: {formulation: \"\", budget: {agency1: 0}, spent: 0}
#   evaluation: {formulation: \"\", budget: {agency1: 0}, spent: 0}
# Funds received to date per recipient id, in USD:
# funds_received: {agency1: 0}
# Direct costs per recipient id and UN budget category; with 7% indirect costs they must
# equal the recipient's budget on the cover. A category at zero may be left out.
by_category:
  agency1:
    staff: {budget: 0, spent: 0}
    # supplies: {budget: 0, spent: 0}
    # equipment: {budget: 0, spent: 0}
    # contractual: {budget: 0, spent: 0}
    # travel: {budget: 0, spent: 0}
    # transfers: {budget: 0, spent: 0}
    # general_operating: {budget: 0, spent: 0}
";

    /// Indirect support costs on the expenditure to date: each recipient's expenditure by
    /// category takes its own, rounded to the cent, and the total is their sum — the rule the
    /// budget follows, so that both sheets agree to the cent.
    pub fn indirect_on_spent(&self, recipients: &[Recipient]) -> Usd {
        recipients
            .iter()
            .map(|r| {
                let spent = self.by_category.get(&r.id).map_or(Usd(0), |c| {
                    c.lines().iter().map(|(_, line)| line.spent).sum()
                });
                indirect(spent)
            })
            .sum()
    }
}

/// A budget line of the Budget Table: amounts per recipient id, direct costs in USD.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Activity {
    pub formulation: Statement,
    /// Direct cost per recipient id.
    pub budget: BTreeMap<String, Usd>,
    /// Part of the budget that goes to gender equality and women's empowerment.
    #[serde(default)]
    pub gender: Usd,
    /// Expenditure and commitments to date.
    #[serde(default)]
    pub spent: Usd,
    #[serde(default)]
    pub notes: Option<Statement>,
}

/// The form's "additional costs" block under the outputs.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AdditionalCosts {
    #[serde(default)]
    pub personnel: Option<Activity>,
    #[serde(default)]
    pub operational: Option<Activity>,
    #[serde(default)]
    pub monitoring: Option<Activity>,
    #[serde(default)]
    pub evaluation: Option<Activity>,
}

impl AdditionalCosts {
    /// The lines that are present, with their stable keys, in the form's order.
    pub fn lines(&self) -> impl Iterator<Item = (&'static str, &Activity)> {
        [
            ("personnel", &self.personnel),
            ("operational", &self.operational),
            ("monitoring", &self.monitoring),
            ("evaluation", &self.evaluation),
        ]
        .into_iter()
        .filter_map(|(key, line)| line.as_ref().map(|l| (key, l)))
    }
}

/// The seven UN budget categories, each with its budget and expenditure to date; a category
/// left out is zero.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Categories {
    pub staff: BudgetLine,
    pub supplies: BudgetLine,
    pub equipment: BudgetLine,
    pub contractual: BudgetLine,
    pub travel: BudgetLine,
    pub transfers: BudgetLine,
    pub general_operating: BudgetLine,
}

impl Default for Categories {
    fn default() -> Self {
        let zero = BudgetLine::default();
        Categories {
            staff: zero,
            supplies: zero,
            equipment: zero,
            contractual: zero,
            travel: zero,
            transfers: zero,
            general_operating: zero,
        }
    }
}

impl Categories {
    /// The categories' stable keys, in the order of the UN harmonised list.
    pub const KEYS: [&'static str; 7] = [
        "staff",
        "supplies",
        "equipment",
        "contractual",
        "travel",
        "transfers",
        "general_operating",
    ];

    /// The categories in that order, with their keys.
    pub fn lines(&self) -> [(&'static str, &BudgetLine); 7] {
        let lines = [
            &self.staff,
            &self.supplies,
            &self.equipment,
            &self.contractual,
            &self.travel,
            &self.transfers,
            &self.general_operating,
        ];
        std::array::from_fn(|k| (Self::KEYS[k], lines[k]))
    }
}

#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BudgetLine {
    pub budget: Usd,
    #[serde(default)]
    pub spent: Usd,
}

/// Whether `id` can name a project and its output folder: lower-case ASCII letters, digits and
/// dashes, not starting with a dash, at most 64 characters.
pub fn is_valid_project_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && !id.starts_with('-')
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}
