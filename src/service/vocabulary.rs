//! Every closed list of the record kinds with the label an officer sees, so the UI never
//! spells a label or a wire name itself.

use crate::records::*;
use serde::Serialize;

/// One value of a closed list and how it is shown.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct Choice<T> {
    pub value: T,
    pub label: String,
}

/// An incident type, with the policy heading (2.8.3) when it is unsuited to a PCSO first response.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct IncidentChoice {
    pub value: IncidentType,
    pub label: String,
    pub unsuited_category: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct Vocabulary {
    pub record_kind: Vec<Choice<RecordKind>>,
    pub event_kind: Vec<Choice<EventKind>>,
    pub plt_function: Vec<Choice<PltFunction>>,
    pub mood: Vec<Choice<Mood>>,
    pub rumour_status: Vec<Choice<RumourStatus>>,
    pub rumour_source: Vec<Choice<RumourSource>>,
    pub rumour_spread: Vec<Choice<RumourSpread>>,
    pub rumour_risk: Vec<Choice<RumourRisk>>,
    pub negotiation_subject: Vec<Choice<NegotiationSubject>>,
    pub outcome: Vec<Choice<Outcome>>,
    pub compliance: Vec<Choice<Compliance>>,
    pub escalation_kind: Vec<Choice<EscalationKind>>,
    pub escalation_to: Vec<Choice<EscalationTo>>,
    pub escalation_decision: Vec<Choice<EscalationDecision>>,
    pub abstraction_outcome: Vec<Choice<AbstractionOutcome>>,
    pub task_status: Vec<Choice<TaskStatus>>,
    pub incident_type: Vec<IncidentChoice>,
    pub source_kind: Vec<Choice<SourceKind>>,
    /// Intelligence grading (3x5x2) and quality-assurance outcome, as a review shows them.
    pub source_evaluation: Vec<Choice<SourceEvaluation>>,
    pub intel_assessment: Vec<Choice<IntelAssessment>>,
    pub handling_code: Vec<Choice<HandlingCode>>,
    pub review_outcome: Vec<Choice<ReviewOutcome>>,
    pub person_role: Vec<Choice<PersonRole>>,
    pub group_kind: Vec<Choice<GroupKind>>,
    /// Hate-crime monitoring: the strands a contact note, referral or escalation may carry,
    /// and what came of a referral.
    pub monitored_strand: Vec<Choice<MonitoredStrand>>,
    pub referral_result: Vec<Choice<ReferralResult>>,
}

/// How a record kind is named on screen.
pub fn kind_label(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::Operation => "Operation",
        RecordKind::Person => "Person",
        RecordKind::Group => "Group",
        RecordKind::Venue => "Venue",
        RecordKind::Agency => "Agency",
        RecordKind::ContactNote => "Contact note",
        RecordKind::RumourReport => "Rumour",
        RecordKind::NegotiationOutcome => "Negotiation",
        RecordKind::TensionReading => "Tension reading",
        RecordKind::Escalation => "Escalation",
        RecordKind::Tasking => "Tasking",
        RecordKind::Abstraction => "Abstraction",
        RecordKind::Referral => "Referral",
        RecordKind::IntelligenceSubmission => "Intelligence submission",
    }
}

macro_rules! choices {
    ($t:ty) => {
        <$t>::ALL
            .iter()
            .map(|v| Choice {
                value: *v,
                label: v.label().to_string(),
            })
            .collect()
    };
}

pub fn vocabulary() -> Vocabulary {
    Vocabulary {
        record_kind: RecordKind::ALL
            .iter()
            .map(|k| Choice {
                value: *k,
                label: kind_label(*k).to_string(),
            })
            .collect(),
        event_kind: choices!(EventKind),
        plt_function: choices!(PltFunction),
        mood: choices!(Mood),
        rumour_status: choices!(RumourStatus),
        rumour_source: choices!(RumourSource),
        rumour_spread: choices!(RumourSpread),
        rumour_risk: choices!(RumourRisk),
        negotiation_subject: choices!(NegotiationSubject),
        outcome: choices!(Outcome),
        compliance: choices!(Compliance),
        escalation_kind: choices!(EscalationKind),
        escalation_to: choices!(EscalationTo),
        escalation_decision: choices!(EscalationDecision),
        abstraction_outcome: choices!(AbstractionOutcome),
        task_status: choices!(TaskStatus),
        incident_type: IncidentType::ALL
            .iter()
            .map(|v| IncidentChoice {
                value: *v,
                label: v.label().to_string(),
                unsuited_category: v.unsuited_category().map(str::to_string),
            })
            .collect(),
        source_kind: choices!(SourceKind),
        source_evaluation: choices!(SourceEvaluation),
        intel_assessment: choices!(IntelAssessment),
        handling_code: choices!(HandlingCode),
        review_outcome: choices!(ReviewOutcome),
        person_role: choices!(PersonRole),
        group_kind: choices!(GroupKind),
        monitored_strand: choices!(MonitoredStrand),
        referral_result: choices!(ReferralResult),
    }
}
