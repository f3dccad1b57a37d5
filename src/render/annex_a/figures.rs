//! The figures behind the Budget Table's formulas, in integer cents, so that each formula's
//! cached result is exact and equal to what the PDF prints.

use crate::model::{Activity, Usd};

/// Figures of one row of the Budget Table, in cents, for cached formula results.
#[derive(Clone, Default)]
pub struct Figures {
    pub by_recipient: Vec<Usd>,
    pub gender: Usd,
    pub spent: Usd,
}

impl Figures {
    pub fn of(line: &Activity, ids: &[&str]) -> Figures {
        Figures {
            by_recipient: ids
                .iter()
                .map(|id| line.budget.get(*id).copied().unwrap_or_default())
                .collect(),
            gender: line.gender,
            spent: line.spent,
        }
    }

    pub fn total(&self) -> Usd {
        self.by_recipient.iter().copied().sum()
    }

    pub fn add(&mut self, other: &Figures) {
        self.by_recipient.resize(other.by_recipient.len(), Usd(0));
        for (a, b) in self.by_recipient.iter_mut().zip(&other.by_recipient) {
            *a = *a + *b;
        }
        self.gender = self.gender + other.gender;
        self.spent = self.spent + other.spent;
    }
}

/// `part / whole`, and 0 for an empty whole: divided in dollars, as the spreadsheet divides
/// its cells, so that a reader that recalculates gets the same double.
pub fn ratio(part: Usd, whole: Usd) -> f64 {
    if whole.0 == 0 {
        0.0
    } else {
        f64::from(part) / f64::from(whole)
    }
}
