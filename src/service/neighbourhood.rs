//! Neighbourhood mode for PCSOs: the tasking list with the deployment check of policy 2.8.3 on
//! every task, the abstraction log, referrals and intelligence submissions.

use crate::records::{
    deployment_check, Abstraction, Body, DeploymentCheck, Escalation, OfficerId, RecordId, RecordKind, Tasking,
};
use crate::store::{ListFilter, RecordSummary, Result, Store};
use chrono::{DateTime, Utc};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct TaskingCard {
    pub record_id: RecordId,
    pub occurred_at: DateTime<Utc>,
    pub tasking: Tasking,
    pub check: DeploymentCheck,
    /// Who gave the task, when someone other than the officer it is for (a supervisor, from
    /// the console); None for the officer's own task.
    pub given_by: Option<OfficerId>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct AbstractionCard {
    pub record_id: RecordId,
    pub occurred_at: DateTime<Utc>,
    pub abstraction: Abstraction,
}

/// An escalation raised outside an operation: the officer's own, or (on a supervisor's
/// tablet) one of their officers', which the server sends to the supervisor too.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct EscalationCard {
    pub record_id: RecordId,
    pub raised_by: OfficerId,
    pub escalation: Escalation,
}

#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct Neighbourhood {
    /// Unacknowledged first, then newest first.
    pub escalations: Vec<EscalationCard>,
    pub taskings: Vec<TaskingCard>,
    pub abstractions: Vec<AbstractionCard>,
    /// Titles only: a referral names a member of the public, so opening it is logged.
    pub referrals: Vec<RecordSummary>,
    pub intelligence: Vec<RecordSummary>,
}

pub fn neighbourhood(store: &Store) -> Result<Neighbourhood> {
    let mut taskings = Vec::new();
    let mut abstractions = Vec::new();
    let mut escalations = Vec::new();
    let kinds = [RecordKind::Tasking, RecordKind::Abstraction, RecordKind::Escalation];
    for r in store.current_records(None, &kinds, 500)? {
        match r.record.body {
            Body::Escalation(e) if r.record.operation_id.is_none() => escalations.push(EscalationCard {
                record_id: r.record_id,
                raised_by: r.author.clone(),
                escalation: e,
            }),
            Body::Tasking(t) => taskings.push(TaskingCard {
                record_id: r.record_id,
                occurred_at: r.record.occurred_at,
                check: deployment_check(t.incident_type),
                given_by: t
                    .assigned_to
                    .as_ref()
                    .filter(|to| **to != r.author)
                    .map(|_| r.author.clone()),
                tasking: t,
            }),
            Body::Abstraction(a) => abstractions.push(AbstractionCard {
                record_id: r.record_id,
                occurred_at: r.record.occurred_at,
                abstraction: a,
            }),
            _ => {}
        }
    }
    let titles = |kind| {
        store.list(&ListFilter {
            kinds: vec![kind],
            limit: 200,
            ..ListFilter::default()
        })
    };
    escalations.sort_by_key(|c| {
        (
            c.escalation.acknowledged.is_some(),
            std::cmp::Reverse(c.escalation.told_at),
        )
    });
    Ok(Neighbourhood {
        escalations,
        taskings,
        abstractions,
        referrals: titles(RecordKind::Referral)?,
        intelligence: titles(RecordKind::IntelligenceSubmission)?,
    })
}
