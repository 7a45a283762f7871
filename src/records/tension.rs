//! A tension reading (sensing): the crowd's mood on a fixed scale, at a place and time.

use super::{labelled_enum, validate::Checker, ValidationError};
use serde::{Deserialize, Serialize};

labelled_enum!(
    /// The fixed mood scale, calm (1) to hostile (5). Fixed so readings by different
    /// officers in different sectors can be drawn on one chart.
    Mood {
        Calm => "Calm",
        GoodNatured => "Good-natured",
        Uneasy => "Uneasy",
        Tense => "Tense",
        Hostile => "Hostile",
    }
);

impl Mood {
    /// 1 (calm) to 5 (hostile).
    pub fn level(self) -> u8 {
        match self {
            Mood::Calm => 1,
            Mood::GoodNatured => 2,
            Mood::Uneasy => 3,
            Mood::Tense => 4,
            Mood::Hostile => 5,
        }
    }
}

/// Largest crowd estimate accepted; above this the figure is a typo.
pub const CROWD_MAX: u32 = 2_000_000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct TensionReading {
    pub mood: Mood,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crowd_estimate: Option<u32>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

impl TensionReading {
    pub(super) fn check(&self, c: &mut Checker) {
        if let Some(n) = self.crowd_estimate {
            if n > CROWD_MAX {
                c.push(ValidationError::Invalid {
                    field: "body.crowd_estimate".into(),
                    reason: format!("must be at most {CROWD_MAX}"),
                });
            }
        }
        c.text("body.note", &self.note);
    }
}
