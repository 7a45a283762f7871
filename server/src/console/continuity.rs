//! Continuity (seed 004: the continuity record): an officer's neighbourhood and liaison work
//! (referrals, taskings, contact notes kept outside an operation) is visible to their team in
//! the directory, and to a successor named here when they move on. The visibility itself is
//! the pull's rule (storage: `record_bindings` joined with the directory's teams and the
//! handovers); this module records handovers. Writing stays with each record's own officer.

use super::abstractions::oversees;
use super::matrix::Route;
use super::model::{Handover, HandoverRequest, StaffRole};
use super::routes::{form, require, Answer};
use super::sign_in::Signed;
use super::{ConsoleFailure, ConsoleState};
use axum::body::Bytes;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};

pub(super) fn routes() -> Router<ConsoleState> {
    Router::new().route("/handovers", get(list).post(record))
}

async fn list(State(state): State<ConsoleState>, signed: Signed) -> Answer<Vec<Handover>> {
    require(&signed, Route::HandoverList)?;
    Ok(Json(state.blocking(|s| Ok(s.handovers()?)).await?))
}

async fn record(State(state): State<ConsoleState>, signed: Signed, body: Bytes) -> Answer<Vec<Handover>> {
    require(&signed, Route::HandoverRecord)?;
    let req: HandoverRequest = form(&body)?;
    let (from, to) = (req.from.trim().to_string(), req.to.trim().to_string());
    if from == to {
        return Err(ConsoleFailure::field(
            "to",
            "must be another officer than the one handing over",
        ));
    }
    Ok(Json(
        state
            .blocking(move |s| {
                let directory = s.officer_directory()?;
                for (field, officer) in [("from", &from), ("to", &to)] {
                    if !directory.iter().any(|d| &d.officer == officer) {
                        return Err(ConsoleFailure::field(field, "must be an officer in the directory"));
                    }
                }
                // A handover opens an officer's referrals and contact notes to another tablet:
                // force IT (who keep the directory) or a commander, or the officer's own
                // supervisor, may record it; not any sergeant for anyone.
                let may = signed.staff.role == StaffRole::Admin || oversees(&signed, &from, &directory);
                if !may {
                    return Err(ConsoleFailure::field(
                        "from",
                        "is not one of your officers: their own supervisor, a commander or force IT records the handover",
                    ));
                }
                s.hand_over(&from, &to, &signed.staff.username)?;
                Ok(s.handovers()?)
            })
            .await?,
    ))
}
