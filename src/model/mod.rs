//! The report source: every field of the 2019 "PBF project progress report" template, plus what
//! Annex A needs. This file is where a field is defined; its character limit is part of its type
//! (`Narrative` = 1,500, `Summary` = 3,000, `Cell` = 300, `Note` = 500) and nowhere else.
//!
//! Ratings and other choices are enums with stable keys; their display text lives in the language
//! catalogs under `templates/i18n/`.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

mod filled;
mod values;

pub use filled::{Envelope, Filled};

pub use values::{
    AmountError, Cell, Date, Free, GENDER_MIN_PERCENT, INDIRECT_PERCENT, Line, Narrative, Note,
    Statement, Summary, Text, Usd, YearMonth, below_gender_minimum, civil_date, group_thousands,
    indirect, parse_date, parse_month, text_schema,
};

/// A whole report, as one YAML source.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Report {
    /// Which form this report fills in: a folder of the templates with its description.
    pub template: String,
    /// Short identifier of the project, used for output folders (letters, digits and dashes).
    pub project_id: String,
    /// Languages the report is written in; the first is the language of the official submission.
    #[schemars(length(max = 8))]
    pub languages: Vec<String>,
    /// Languages whose text is a translation without official standing; the PDF says so.
    #[serde(default)]
    #[schemars(length(max = 8))]
    pub unofficial_translations: Vec<String>,
    /// The version this one replaces (its source's file name without `.yaml`), which must be
    /// archived; the PDF's footer and title say "revision of" it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[a-z0-9][a-z0-9-]{0,63}$"))]
    pub supersedes: Option<String>,
    /// Also write a Word copy of the report in each language (`<project>-<version>.<lang>.docx`),
    /// for review rounds.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub word_copy: bool,
    pub cover: Cover,
    /// Part 1.1: overall project progress.
    pub progress: Progress,
    /// Parts 1.2 and the indicator table, one entry per outcome (at most four).
    #[schemars(length(max = 4))]
    pub outcomes: Vec<Outcome>,
    /// Part 1.3: cross-cutting issues.
    pub cross_cutting: CrossCutting,
    /// Part 2: indicative financial progress.
    pub finance: Finance,
    /// Figures that only Annex A shows (activity budgets live under the outputs).
    pub annex_a: AnnexA,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Cover {
    pub country: Line,
    pub report_type: ReportType,
    pub report_date: Date,
    pub title: Line,
    /// Project number from the MPTF Office Gateway, e.g. "PBF IRF-217".
    #[schemars(length(max = 60))]
    pub gateway_number: String,
    pub modality: Modality,
    /// Set only when funds go into a national or regional trust fund.
    #[serde(default)]
    pub trust_fund: Option<TrustFund>,
    #[serde(default)]
    pub trust_fund_name: Option<Line>,
    /// Direct recipient organisations, convening (lead) agency first (at most eight: Annex A
    /// gives each a column).
    #[schemars(length(min = 1, max = 8))]
    pub recipients: Vec<Recipient>,
    /// Implementing partners not attached to one recipient.
    #[serde(default)]
    #[schemars(length(max = 30))]
    pub other_partners: Vec<Line>,
    /// Month the project started (YYYY-MM) or its exact date (YYYY-MM-DD).
    pub start_date: YearMonth,
    pub duration_months: u32,
    #[serde(default)]
    #[schemars(length(max = 4))]
    pub priority_windows: Vec<PriorityWindow>,
    /// Total approved PBF budget in USD as stated on the cover; must equal the recipients' sum.
    pub budget_total: Usd,
    pub tranches_received: u32,
    pub prepared_by: Line,
    pub approved_by: Line,
    /// Did the PBF Secretariat clear the report? Leave out while it has not said.
    #[serde(default)]
    pub secretariat_cleared: Option<bool>,
    #[serde(default)]
    pub secretariat_comments: Option<Free>,
    /// Evaluation exercises undertaken, if any.
    #[serde(default)]
    pub evaluation: Option<Free>,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Recipient {
    /// Stable key used by the Annex A figures (e.g. `wfp`).
    #[schemars(length(max = 40))]
    pub id: String,
    /// Name as listed on the cover, e.g. "WFP".
    pub name: Line,
    /// Name used in budget lines and workbook columns if it differs (e.g. "PAM" in French).
    #[serde(default)]
    pub short_name: Option<Line>,
    #[serde(rename = "type")]
    pub kind: OrganisationType,
    /// The convening (lead) agency.
    #[serde(default)]
    pub lead: bool,
    /// Approved PBF budget in USD, including 7% indirect support costs.
    pub budget: Usd,
    #[serde(default)]
    #[schemars(length(max = 30))]
    pub implementing_partners: Vec<Line>,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Progress {
    pub status: Narrative,
    pub relevance: Narrative,
    pub unique: Narrative,
    pub rating: Rating,
    pub peacebuilding_results: Narrative,
    pub human_impact: Narrative,
    /// Key challenges and measures, when progress is on track.
    #[serde(default)]
    pub challenges_on_track: Option<Narrative>,
    /// Reasons, impact and measures, when progress is off track.
    #[serde(default)]
    pub off_track: Option<Narrative>,
    /// What is attached to the report, with purpose and audience.
    #[serde(default)]
    #[schemars(length(max = 30))]
    pub attachments: Vec<Line>,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Outcome {
    /// The outcome as stated in Part 1.2.
    pub statement: Statement,
    /// The outcome as worded in the results framework, when the table uses other words.
    #[serde(default)]
    pub framework_statement: Option<Statement>,
    pub rating: Rating,
    pub summary: Summary,
    /// Outcome indicators (at most three).
    #[serde(default)]
    #[schemars(length(max = 3))]
    pub indicators: Vec<Indicator>,
    /// Outputs (at most three).
    #[serde(default)]
    #[schemars(length(max = 3))]
    pub outputs: Vec<Output>,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Output {
    pub statement: Statement,
    /// Output indicators (at most two).
    #[serde(default)]
    #[schemars(length(max = 2))]
    pub indicators: Vec<Indicator>,
    /// Annex A: the activities of this output with their budgets (at most twenty).
    #[serde(default)]
    #[schemars(length(max = 20))]
    pub activities: Vec<Activity>,
}

/// One row of the indicator table; every cell holds at most 300 characters.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    pub indicator: Cell,
    #[serde(default)]
    pub baseline: Option<Cell>,
    #[serde(default)]
    pub target: Option<Cell>,
    #[serde(default)]
    pub progress: Option<Cell>,
    #[serde(default)]
    pub variance_reason: Option<Cell>,
    #[serde(default)]
    pub target_adjustment: Option<Cell>,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CrossCutting {
    pub national_ownership: Narrative,
    pub monitoring: Narrative,
    pub evaluation: Narrative,
    pub catalytic_financial: Narrative,
    pub catalytic_non_financial: Narrative,
    pub exit_strategy: Narrative,
    pub risk_taking: Narrative,
    pub gender_equality: Narrative,
    #[serde(default)]
    pub other: Option<Narrative>,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Finance {
    pub rating: FinanceRating,
    /// Tranches received and overall expenditure against budget and tranches.
    pub tranches_and_expenditure: Free,
    /// When the next tranche will be sought, if any remain.
    #[serde(default)]
    pub next_tranche: Option<Free>,
    /// Why expenditure is delayed or off track.
    #[serde(default)]
    pub delay_explanation: Option<Note>,
    /// USD planned in the project document for gender equality and women's empowerment.
    pub gender_planned: Usd,
    /// USD actually allocated to it so far.
    pub gender_allocated: Usd,
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReportType {
    SemiAnnual,
    Annual,
    Final,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Modality {
    Irf,
    Prf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TrustFund {
    Country,
    Regional,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrganisationType {
    Un,
    Cso,
    Government,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PriorityWindow {
    Gender,
    Youth,
    Transition,
    CrossBorder,
}

/// Progress rating of the project (1.1) or of an outcome (1.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Rating {
    OnTrack,
    OffTrack,
    OnTrackWithResults,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FinanceRating {
    OnTrack,
    Delayed,
    OffTrack,
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

/// The JSON Schema of a report source, as `pbf-report schema` prints it.
pub fn schema() -> serde_json::Value {
    let mut schema = schemars::generate::SchemaSettings::draft2020_12()
        .into_generator()
        .into_root_schema_for::<Report>();
    schema.insert("title".into(), "PBF project progress report source".into());
    schema.to_value()
}
