//! Open exports and monitoring statistics in the console (issue 13, items 2 and 3): an
//! operation's records or the directory as CSV, GeoJSON or JSON with the full revision
//! history, and the statistics for partners as a page and as CSV. Each export is a disclosure
//! in the server's audit chain with its purpose ([`crate::export`]); one without a purpose is
//! refused before anything is read, and nothing is written.
//!
//! Who: an operation's records are exported by those who see them in the console (commanders
//! and supervisors); the directory also by force IT, who keep it; the statistics, published
//! only after small-number suppression, by commanders, supervisors and officers (the LGBT
//! liaison officer prepares them for partners). Never the raw counts: the page shows what a
//! partner would receive.

use super::matrix::Route;
use super::routes::{may_see, parse_id, require, Answer};
use super::sign_in::Signed;
use super::{ConsoleFailure, ConsoleState};
use crate::export::monitoring::{self, StatisticsForm};
use crate::export::{self, ExportError, Format, Subject};
use axum::extract::{Path, Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::Utc;
use liaison_core::statistics::MonitoringStatistics;
use serde::Deserialize;

pub(super) fn routes() -> Router<ConsoleState> {
    Router::new()
        .route("/operations/{id}/export", get(operation_export))
        .route("/directory/export", get(directory_export))
        .route("/statistics", get(statistics))
        .route("/statistics/export", get(statistics_export))
}

impl From<ExportError> for ConsoleFailure {
    fn from(e: ExportError) -> Self {
        match e {
            ExportError::Invalid { field, message } => ConsoleFailure::field(field, message),
            ExportError::Storage(e) => ConsoleFailure::Storage(e),
        }
    }
}

#[derive(Deserialize)]
struct ExportQuery {
    format: Option<String>,
    purpose: Option<String>,
}

/// The format and purpose asked for, or every problem with them beside its field.
fn asked(q: &ExportQuery) -> Result<(Format, String), ConsoleFailure> {
    let format = q.format.as_deref().and_then(Format::parse);
    let purpose = export::check_purpose(q.purpose.as_deref().unwrap_or(""));
    let mut fields = Vec::new();
    if format.is_none() {
        fields.push(super::model::FieldError {
            field: "format".into(),
            message: "must be csv, geojson or json".into(),
        });
    }
    if let Err(ExportError::Invalid { field, message }) = &purpose {
        fields.push(super::model::FieldError {
            field: (*field).into(),
            message: message.clone(),
        });
    }
    match (format, purpose) {
        (Some(f), Ok(p)) => Ok((f, p)),
        _ => Err(ConsoleFailure::Invalid {
            message: format!(
                "check the form: {}",
                fields
                    .iter()
                    .map(|f| format!("{} {}", f.field, f.message))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            fields,
        }),
    }
}

/// A file as a download.
fn file(bytes: Vec<u8>, content_type: &'static str, name: &str) -> Response {
    let mut response = ([(CONTENT_TYPE, HeaderValue::from_static(content_type))], bytes).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        response.headers_mut().insert(CONTENT_DISPOSITION, v);
    }
    response
}

async fn operation_export(
    State(state): State<ConsoleState>,
    signed: Signed,
    Path(id): Path<String>,
    Query(q): Query<ExportQuery>,
) -> Result<Response, ConsoleFailure> {
    require(&signed, Route::OperationExport)?;
    let id = parse_id(&id, "operation")?;
    let (format, purpose) = asked(&q)?;
    let made = state
        .blocking(move |s| {
            may_see(s, &signed.staff, id)?;
            Ok(export::export(
                s,
                Subject::Operation(id),
                format,
                &signed.staff.username,
                &purpose,
                Utc::now(),
            )?)
        })
        .await?;
    Ok(file(made.bytes, made.content_type, &made.file_name))
}

async fn directory_export(
    State(state): State<ConsoleState>,
    signed: Signed,
    Query(q): Query<ExportQuery>,
) -> Result<Response, ConsoleFailure> {
    require(&signed, Route::DirectoryExport)?;
    let (format, purpose) = asked(&q)?;
    let made = state
        .blocking(move |s| {
            Ok(export::export(
                s,
                Subject::Directory,
                format,
                &signed.staff.username,
                &purpose,
                Utc::now(),
            )?)
        })
        .await?;
    Ok(file(made.bytes, made.content_type, &made.file_name))
}

#[derive(Deserialize)]
struct StatisticsQuery {
    /// csv (the default) or pdf.
    format: Option<String>,
    from: Option<String>,
    to: Option<String>,
    purpose: Option<String>,
}

async fn statistics(
    State(state): State<ConsoleState>,
    signed: Signed,
    Query(q): Query<StatisticsQuery>,
) -> Answer<MonitoringStatistics> {
    require(&signed, Route::Statistics)?;
    let (from, to) = monitoring::period(q.from.as_deref(), q.to.as_deref(), Utc::now())?;
    Ok(Json(
        state
            .blocking(move |s| Ok(monitoring::statistics(s, from, to)?))
            .await?,
    ))
}

async fn statistics_export(
    State(state): State<ConsoleState>,
    signed: Signed,
    Query(q): Query<StatisticsQuery>,
) -> Result<Response, ConsoleFailure> {
    require(&signed, Route::StatisticsExport)?;
    let period = monitoring::period(q.from.as_deref(), q.to.as_deref(), Utc::now());
    let purpose = export::check_purpose(q.purpose.as_deref().unwrap_or(""));
    let form = match q.format.as_deref() {
        None => StatisticsForm::Csv,
        Some(f) => StatisticsForm::parse(f).ok_or_else(|| ConsoleFailure::field("format", "use csv or pdf"))?,
    };
    let ((from, to), purpose) = match (period, purpose) {
        (Ok(p), Ok(purpose)) => (p, purpose),
        (Err(e), _) | (_, Err(e)) => return Err(e.into()),
    };
    let (bytes, name) = state
        .blocking(move |s| {
            Ok(monitoring::export(
                s,
                from,
                to,
                form,
                &signed.staff.username,
                &purpose,
                Utc::now(),
            )?)
        })
        .await?;
    Ok(file(bytes, form.content_type(), &name))
}
