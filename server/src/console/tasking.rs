//! Tasking from the briefing (docs/supervision-tasking.md): a supervisor or commander gives an
//! officer a task in the console, and reads back its status and result.
//!
//! A task is a `tasking` record with no operation, so it is author-only (visibility.rs). Made
//! here, it is a revision in the server's own chain authored by the signed-in person, and its
//! record is bound to the officer given it (`OwnRevision::owner`): their tablets pull it and
//! only they may write its next revisions (status, result), which come back by the ordinary
//! sync. The deployment check of policy 2.8.3 runs when the task is given, against the
//! assignee's role in the officer directory ([`check_assignment`]); a refusal writes nothing.
//! This module never edits a task after it is given: that is the officer's.

use super::live;
use super::matrix::Route;
use super::model::{IncidentTypeCheck, NewTasking, OfficerEntry, TaskingBoard, TaskingView};
use super::routes::{author_of, form, require, validation, Answer};
use super::sign_in::Signed;
use super::{ConsoleFailure, ConsoleState};
use crate::storage::console::OwnRevision;
use crate::storage::Storage;
use axum::body::Bytes;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use chrono::Utc;
use liaison_core::records::{
    check_assignment, deployment_check, Body, IncidentType, Record, RecordKind, TaskStatus, Tasking, ValidationError,
};
use liaison_core::OfficerId;
use std::collections::HashMap;
use uuid::Uuid;

pub(super) fn routes() -> Router<ConsoleState> {
    Router::new().route("/taskings", get(tasking_list).post(tasking_create))
}

/// Whether the directory lists the officer as a PCSO (by role or by rank): the PCSO policy's
/// deployment check applies to them.
pub fn is_pcso(entry: &OfficerEntry) -> bool {
    [&entry.role, &entry.rank]
        .iter()
        .any(|v| v.trim().eq_ignore_ascii_case("PCSO"))
}

async fn tasking_create(State(state): State<ConsoleState>, signed: Signed, body: Bytes) -> Answer<TaskingView> {
    require(&signed, Route::TaskingCreate)?;
    let new: NewTasking = form(&body)?;
    let author = author_of(&signed)?;
    let actor = signed.staff.username.clone();
    let view = state
        .blocking(move |s| {
            let directory = s.officer_directory()?;
            let officer =
                OfficerId::new(new.officer.as_str()).map_err(|e| ConsoleFailure::field("officer", e.to_string()))?;
            let Some(entry) = directory.iter().find(|e| e.officer == officer.as_str()) else {
                return Err(ConsoleFailure::field("officer", "must be an officer in the directory"));
            };
            let pcso = is_pcso(entry);
            let tasking = Tasking {
                title: new.title.trim().to_string(),
                incident_type: new.incident_type,
                briefing_ref: new.briefing_ref.trim().to_string(),
                details: new.details,
                due: new.due,
                status: TaskStatus::Open,
                result: String::new(),
                assigned_to: Some(officer.clone()),
                override_reason: new.override_reason.trim().to_string(),
            };
            let record = Record {
                operation_id: None,
                occurred_at: Utc::now(),
                location: None,
                sector: None,
                links: vec![],
                tags: vec![],
                attachments: vec![],
                body: Body::Tasking(tasking.clone()),
            };
            // Every problem at once: the record's own and the deployment check's.
            let problems: Vec<ValidationError> = [record.validate(), check_assignment(&tasking, pcso)]
                .into_iter()
                .filter_map(Result::err)
                .collect();
            match problems.len() {
                0 => {}
                1 => return Err(validation(problems.into_iter().next().expect("one problem"))),
                _ => return Err(validation(ValidationError::Several(problems))),
            }
            let id = Uuid::now_v7();
            let own = OwnRevision {
                id,
                record_id: id,
                parent: None,
                merges: None,
                author,
                reason: None,
                record,
                owner: Some(officer),
            };
            s.append_own(&[own], &actor)?;
            taskings(s)?
                .into_iter()
                .find(|t| t.record_id == id)
                .ok_or_else(|| ConsoleFailure::NotFound(format!("tasking {id}")))
        })
        .await?;
    Ok(Json(view))
}

async fn tasking_list(State(state): State<ConsoleState>, signed: Signed) -> Answer<TaskingBoard> {
    require(&signed, Route::TaskingList)?;
    let taskings = state.blocking(taskings).await?;
    let incident_types = IncidentType::ALL
        .iter()
        .map(|t| IncidentTypeCheck {
            value: *t,
            label: t.label().to_string(),
            check: deployment_check(*t),
        })
        .collect();
    Ok(Json(TaskingBoard {
        taskings,
        incident_types,
    }))
}

/// Every task given to an officer (a tasking with an assignee), at its current revision,
/// newest given first. An officer's own neighbourhood tasks (no assignee) are theirs alone.
fn taskings(s: &dyn Storage) -> Result<Vec<TaskingView>, ConsoleFailure> {
    let (log, _) = super::alerts::log_of_kind(s, RecordKind::Tasking)?;
    // The first revision of each record: who gave the task, and when.
    let first: HashMap<Uuid, (String, chrono::DateTime<Utc>)> = log
        .iter()
        .filter(|l| l.revision.parent.is_none())
        .map(|l| (l.revision.record_id, (l.revision.author.to_string(), l.received_at)))
        .collect();
    let directory: HashMap<String, OfficerEntry> = s
        .officer_directory()?
        .into_iter()
        .map(|e| (e.officer.clone(), e))
        .collect();
    let mut out: Vec<TaskingView> = live::current(log)
        .into_iter()
        .filter_map(|l| {
            let Body::Tasking(tasking) = l.revision.body.body else {
                return None;
            };
            let assignee = directory.get(tasking.assigned_to.as_ref()?.as_str());
            let (given_by, given_at) = first.get(&l.revision.record_id).cloned()?;
            Some(TaskingView {
                record_id: l.revision.record_id,
                revision: l.revision.id,
                assignee_name: assignee.map(|e| e.name.clone()),
                assignee_is_pcso: assignee.is_some_and(is_pcso),
                check: deployment_check(tasking.incident_type),
                tasking,
                given_by,
                given_at,
                updated_by: l.revision.author.to_string(),
                updated_at: l.received_at,
            })
        })
        .collect();
    out.sort_by_key(|t| std::cmp::Reverse((t.given_at, t.record_id)));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(rank: &str, role: &str) -> OfficerEntry {
        OfficerEntry {
            officer: "PCSO 7781".into(),
            name: "Sam Okafor".into(),
            rank: rank.into(),
            role: role.into(),
            team: "Ladywood NHT".into(),
            supervisor: None,
        }
    }

    #[test]
    fn an_officer_is_a_pcso_when_the_directory_says_so_by_role_or_by_rank() {
        assert!(is_pcso(&entry("PCSO", "Neighbourhood")));
        assert!(is_pcso(&entry("", " pcso ")));
        assert!(!is_pcso(&entry("PC", "PLO")));
        assert!(!is_pcso(&entry("PS", "PLT leader")));
    }
}
