//! The one error type every command returns. The UI receives it as
//! `{ kind, message, field, problems }`: `kind` is what the UI branches on, `message` is for
//! the officer, and each problem names the field it concerns (a record's JSON path such as
//! `body.summary`, or `reason`) so the message can be shown beside that input.

use liaison_core::crypto::{KeyError, VaultError};
use liaison_core::service::SessionError;
use liaison_core::store::StoreError;
use liaison_core::ValidationError;
use serde::Serialize;

/// The few situations the UI treats differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// Something typed needs correcting; see `problems`.
    Validation,
    /// An edit was saved without saying why.
    ReasonRequired,
    /// Personal data was opened without saying why.
    PurposeRequired,
    NotFound,
    /// The device database cannot be used (newer schema, damaged file, disk failure).
    Storage,
    /// The app is locked (or has no passcode yet): nothing is returned until it is unlocked.
    Locked,
    /// The passcode was wrong, too short, or tried again too soon; see `message`.
    Passcode,
    /// Too many wrong passcodes: the key and the data on this device were destroyed.
    Wiped,
    /// The enrolment string was refused (damaged, not one of ours, or its code was refused by
    /// the force server); `field` is `enrolment`.
    Enrolment,
    /// The tablet is not enrolled yet: nothing can be recorded without the officer the force
    /// enrolled it for.
    NotEnrolled,
}

/// One field's problem, with the field's path and a message that reads after its label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct AppError {
    pub kind: ErrorKind,
    pub message: String,
    /// The first field concerned, if any.
    pub field: Option<String>,
    /// Every field concerned (validation reports all problems at once).
    pub problems: Vec<FieldProblem>,
}

impl AppError {
    fn new(kind: ErrorKind, message: String, problems: Vec<FieldProblem>) -> Self {
        AppError {
            kind,
            message,
            field: problems.first().map(|p| p.field.clone()),
            problems,
        }
    }
}

fn problems(e: &ValidationError) -> Vec<FieldProblem> {
    match e {
        ValidationError::Several(all) => all.iter().flat_map(problems).collect(),
        other => {
            let fields = other.fields();
            let text = other.to_string();
            fields
                .into_iter()
                .map(|f| FieldProblem {
                    field: f.to_string(),
                    // "body.summary is required" reads "is required" beside the Summary input.
                    message: text
                        .strip_prefix(f)
                        .map(|rest| rest.trim_start_matches(':').trim().to_string())
                        .unwrap_or_else(|| text.clone()),
                })
                .collect()
        }
    }
}

impl From<ValidationError> for AppError {
    fn from(e: ValidationError) -> Self {
        let problems = problems(&e);
        AppError::new(ErrorKind::Validation, e.to_string(), problems)
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Validation(v) => v.into(),
            StoreError::ReasonRequired => AppError::new(
                ErrorKind::ReasonRequired,
                e.to_string(),
                vec![FieldProblem {
                    field: "reason".into(),
                    message: "is required: say why the record is being changed".into(),
                }],
            ),
            StoreError::PurposeRequired => AppError::new(
                ErrorKind::PurposeRequired,
                e.to_string(),
                vec![FieldProblem {
                    field: "purpose".into(),
                    message: "is required: every access to personal data is logged".into(),
                }],
            ),
            // Erased here by the retention policy: the message says the force server keeps it.
            StoreError::RecordNotFound(_) | StoreError::Erased { .. } => {
                AppError::new(ErrorKind::NotFound, e.to_string(), vec![])
            }
            other => AppError::new(ErrorKind::Storage, other.to_string(), vec![]),
        }
    }
}

impl From<liaison_core::service::ReportFailure> for AppError {
    fn from(e: liaison_core::service::ReportFailure) -> Self {
        match e {
            liaison_core::service::ReportFailure::Store(s) => s.into(),
            other => AppError::new(ErrorKind::Storage, other.to_string(), vec![]),
        }
    }
}

impl From<VaultError> for AppError {
    fn from(e: VaultError) -> Self {
        let passcode = |message: &str| {
            vec![FieldProblem {
                field: "passcode".into(),
                message: message.into(),
            }]
        };
        match e {
            VaultError::Locked | VaultError::NotSetUp => AppError::new(ErrorKind::Locked, e.to_string(), vec![]),
            VaultError::Key(
                KeyError::WrongPasscode { .. }
                | KeyError::TooSoon { .. }
                | KeyError::WeakPasscode(_)
                | KeyError::HardwareLockout { .. },
            ) => {
                let text = e.to_string();
                AppError::new(ErrorKind::Passcode, text.clone(), passcode(&text))
            }
            VaultError::Key(KeyError::Destroyed) => AppError::new(ErrorKind::Wiped, e.to_string(), vec![]),
            VaultError::Store(s) => s.into(),
            other => AppError::new(ErrorKind::Storage, other.to_string(), vec![]),
        }
    }
}

impl From<SessionError> for AppError {
    fn from(e: SessionError) -> Self {
        let enrolment = |text: String| {
            let problems = vec![FieldProblem {
                field: "enrolment".into(),
                message: text.clone(),
            }];
            AppError::new(ErrorKind::Enrolment, text, problems)
        };
        match e {
            SessionError::Vault(v) => v.into(),
            SessionError::Store(s) => s.into(),
            SessionError::Enrolment(e) => enrolment(e.to_string()),
            SessionError::Sync(e) => enrolment(e.to_string()),
            SessionError::NotEnrolled => AppError::new(ErrorKind::NotEnrolled, e.to_string(), vec![]),
            SessionError::MediaUnavailable(why) => AppError::new(ErrorKind::NotFound, why, vec![]),
        }
    }
}

pub type CmdResult<T> = Result<T, AppError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_errors_reach_the_ui_with_each_field_and_a_message_to_show_beside_it() {
        let e = ValidationError::Several(vec![
            ValidationError::Required {
                field: "body.summary".into(),
            },
            ValidationError::TooLong {
                field: "body.spoke_with".into(),
                max: 200,
                len: 201,
            },
        ]);
        let json = serde_json::to_value(AppError::from(StoreError::Validation(e))).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "kind": "validation",
                "message": "2 problems: body.summary is required; body.spoke_with is too long: 201 characters, the limit is 200",
                "field": "body.summary",
                "problems": [
                    { "field": "body.summary", "message": "is required" },
                    { "field": "body.spoke_with", "message": "is too long: 201 characters, the limit is 200" }
                ]
            })
        );
    }

    #[test]
    fn a_refused_enrolment_string_is_placed_on_the_enrolment_field() {
        let e = AppError::from(SessionError::Enrolment(liaison_core::sync::EnrolmentError::Missing(
            "code",
        )));
        assert_eq!((e.kind, e.field.as_deref()), (ErrorKind::Enrolment, Some("enrolment")));
        assert!(
            e.problems[0].message.contains("has no code"),
            "{}",
            e.problems[0].message
        );
        let e = AppError::from(SessionError::NotEnrolled);
        assert_eq!((e.kind, e.field), (ErrorKind::NotEnrolled, None));
    }

    #[test]
    fn a_missing_reason_is_placed_on_the_reason_field() {
        let e = AppError::from(StoreError::ReasonRequired);
        assert_eq!(e.kind, ErrorKind::ReasonRequired);
        assert_eq!(e.field.as_deref(), Some("reason"));
    }

    #[test]
    fn a_colon_after_the_field_is_not_part_of_the_message() {
        let e = AppError::from(ValidationError::UnknownValue {
            field: "body.mood".into(),
            value: "grumpy".into(),
        });
        assert_eq!(e.problems[0].message, "`grumpy` is not one of the allowed values");
        let e = AppError::from(StoreError::Migration("x".into()));
        assert_eq!((e.kind, e.field), (ErrorKind::Storage, None));
    }
}
