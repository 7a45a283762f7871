//! What the console's pages send and receive: the one definition of the console's JSON, from
//! which `ui/src/console/bindings.ts` is generated (`UPDATE_BINDINGS=1 cargo test -p
//! liaison-server console_bindings`). Records themselves (an operation, a tension reading) are
//! the core's types, never redefined here.

use chrono::{DateTime, Utc};
use liaison_core::records::{Operation, Record};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

/// What a member of staff may do in the console. The route matrix
/// ([`super::matrix::ROUTES`]) names, for every route, the roles allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum StaffRole {
    /// Force IT: staff, people, tablets, governance.
    Admin,
    /// Strategic commander.
    Gold,
    /// Tactical commander.
    Silver,
    /// Operational commander.
    Bronze,
    /// Sergeant or PLT leader.
    Supervisor,
    /// A liaison officer, PCSO or LGBT liaison officer: sees the operations they are on.
    Officer,
}

impl StaffRole {
    pub const ALL: [StaffRole; 6] = [
        Self::Admin,
        Self::Gold,
        Self::Silver,
        Self::Bronze,
        Self::Supervisor,
        Self::Officer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Gold => "gold",
            Self::Silver => "silver",
            Self::Bronze => "bronze",
            Self::Supervisor => "supervisor",
            Self::Officer => "officer",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Commanders and supervisors see every operation; officers only those they are on.
    pub fn sees_every_operation(self) -> bool {
        self != Self::Officer
    }
}

/// A member of staff as the console lists them (never their password hash).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Staff {
    pub username: String,
    pub display_name: String,
    pub role: StaffRole,
    /// The officer (collar number) this account belongs to, when its holder is an officer in
    /// the directory of people: their operations and their edits are theirs.
    pub officer: Option<String>,
    pub created_at: DateTime<Utc>,
    /// Locked after too many wrong passwords, until this time.
    pub locked_until: Option<DateTime<Utc>>,
    pub disabled: bool,
}

/// Sign-in form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    pub username: String,
    pub password: String,
}

/// Who is signed in, and the token every change must carry in `X-CSRF-Token`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Me {
    pub staff: Staff,
    pub csrf: String,
    pub expires_at: DateTime<Utc>,
}

/// A new staff account (force admin only).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct NewStaff {
    pub username: String,
    pub display_name: String,
    pub role: StaffRole,
    pub officer: Option<String>,
    /// At least 12 characters.
    pub password: String,
}

/// A change to a staff account (force admin only): role, name, the officer it belongs to,
/// disabled or not, and a new password when one is given. Disabling an account or setting
/// its password ends every session it has.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct StaffUpdate {
    pub display_name: String,
    pub role: StaffRole,
    pub officer: Option<String>,
    pub disabled: bool,
    /// A new password (at least 12 characters); empty or absent keeps the current one.
    #[serde(default)]
    pub password: Option<String>,
}

/// An officer in the directory of people: who carries tablets and goes on operations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct OfficerEntry {
    /// Collar number, e.g. "PC 4521": the officer id devices are enrolled for.
    pub officer: String,
    pub name: String,
    /// PC, PS, Insp, PCSO…
    pub rank: String,
    /// PLO, PCSO, LGBT liaison, PLT leader…
    pub role: String,
    pub team: String,
    /// The officer id of their supervisor, if any (must be in the directory).
    pub supervisor: Option<String>,
}

/// An operation as the list shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct OperationSummary {
    pub id: Uuid,
    pub name: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub sectors: u32,
    pub team: u32,
}

/// An operation with the revision an edit must name as its parent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct OperationView {
    pub id: Uuid,
    /// The current revision: an edit is refused unless it names this one.
    pub revision: Uuid,
    pub operation: Operation,
    pub edited_by: String,
    pub edited_at: DateTime<Utc>,
}

/// A new operation, or an edit of one (`parent` = the revision it was made from).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct OperationEdit {
    pub parent: Option<Uuid>,
    pub operation: Operation,
    /// Why it was changed (edits only).
    pub reason: Option<String>,
}

/// A form refused: each problem beside its field (`field` is the core validator's path, e.g.
/// `body.sectors[1].boundary`, or the form's own field name).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// Every refusal the console gets: a code, one sentence for a person, and field errors for a
/// form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ConsoleError {
    /// `unauthenticated`, `forbidden`, `csrf`, `locked`, `rate_limited`, `invalid`,
    /// `not_found`, `conflict`, `internal`.
    pub code: String,
    pub message: String,
    pub fields: Vec<FieldError>,
}

/// A tablet as force IT sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct DeviceView {
    pub device_id: Uuid,
    pub officer: String,
    pub enrolled_at: DateTime<Utc>,
    /// The last time it pushed or pulled.
    pub last_contact: Option<DateTime<Utc>>,
    /// What it said it still had to send at its last sync.
    pub waiting: Option<u32>,
    pub app_version: Option<String>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// lost, stolen or retired.
    pub revoked_reason: Option<String>,
}

/// Issue an enrolment for an officer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct EnrolmentRequest {
    pub officer: String,
}

/// The enrolment, shown once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct EnrolmentIssued {
    pub officer: String,
    pub enrolment_string: String,
    /// The enrolment string as an SVG QR code.
    pub qr_svg: String,
    pub expires_at: DateTime<Utc>,
}

/// Revoke a tablet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct RevokeRequest {
    /// lost, stolen or retired.
    pub reason: String,
}

/// One record of an operation as the live picture holds it: its current revision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct LiveRecord {
    pub record_id: Uuid,
    pub revision: Uuid,
    /// The server's log position of this revision (the event stream's id).
    #[ts(type = "number")]
    pub position: i64,
    pub author: String,
    pub received_at: DateTime<Utc>,
    pub record: Record,
}

/// A team member's tablets, for the live picture.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct TeamDevice {
    pub officer: String,
    pub role: String,
    pub device_id: Option<Uuid>,
    pub last_contact: Option<DateTime<Utc>>,
}

/// The live picture of an operation at a log position; the event stream continues from
/// `position`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Picture {
    pub operation: OperationView,
    #[ts(type = "number")]
    pub position: i64,
    /// Every record of the operation at its current revision, newest first.
    pub records: Vec<LiveRecord>,
    pub team: Vec<TeamDevice>,
}

/// One server-sent event's data (`event: record`): the event's id is `record.position`.
/// Other events: `reload` (data: a sentence) when the page is too far behind to replay.
pub type LiveEvent = LiveRecord;

/// A record due for review, with the decision if one was recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ReviewView {
    pub record_id: Uuid,
    pub kind: String,
    pub class: String,
    pub operation_id: Option<Uuid>,
    pub last_change: DateTime<Utc>,
    pub review_date: DateTime<Utc>,
    pub decision: Option<ReviewDecisionView>,
}

/// What was decided on review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ReviewDecisionView {
    /// retain, erase or extend.
    pub decision: String,
    pub rationale: String,
    pub by: String,
    pub at: DateTime<Utc>,
}

/// Record a review decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ReviewDecision {
    pub decision: String,
    pub rationale: String,
}

// --- tasking from the briefing (issue 12, item 4) ----------------------------------------------

/// A task given to an officer from the console. The deployment check of policy 2.8.3 runs
/// when it is given: an incident type unsuited to a PCSO first response is refused for a PCSO
/// unless `override_reason` says why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct NewTasking {
    /// The officer given the task (in the directory of officers).
    pub officer: String,
    pub title: String,
    pub incident_type: liaison_core::records::IncidentType,
    #[serde(default)]
    pub briefing_ref: String,
    #[serde(default)]
    pub details: String,
    #[serde(default)]
    pub due: Option<DateTime<Utc>>,
    /// Required for an unsuited type given to a PCSO; refused otherwise.
    #[serde(default)]
    pub override_reason: String,
}

/// A task given from the console, at its current revision: the officer's status and result
/// come back by the ordinary sync.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct TaskingView {
    pub record_id: Uuid,
    /// The current revision.
    pub revision: Uuid,
    pub tasking: liaison_core::records::Tasking,
    /// The assignee as the directory names them, when listed.
    pub assignee_name: Option<String>,
    pub assignee_is_pcso: bool,
    /// The deployment check of the incident type (policy 2.8.3).
    pub check: liaison_core::records::DeploymentCheck,
    /// Who gave it (the first revision's author) and when the server stored it.
    pub given_by: String,
    pub given_at: DateTime<Utc>,
    /// Who made the current revision, and when the server received it.
    pub updated_by: String,
    pub updated_at: DateTime<Utc>,
}

/// An escalation as an alert in the console: whom it is with now, whether it is for the
/// person looking, and how long it has waited or took to be acknowledged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct AlertView {
    pub record_id: Uuid,
    /// The current revision: acknowledging or answering names it.
    pub revision: Uuid,
    /// The officer who raised it, and their name in the directory when listed.
    pub officer: String,
    pub officer_name: Option<String>,
    pub operation: Option<Uuid>,
    pub escalation: liaison_core::records::Escalation,
    /// The role it is with now (after any steps up).
    pub addressee: Option<liaison_core::records::EscalationTo>,
    /// Addressed to the person looking: by name, as the officer's supervisor, or by role.
    pub for_me: bool,
    /// The person looking may acknowledge or answer it.
    pub may_act: bool,
    /// Seconds it has waited with its current addressee (unacknowledged ones).
    #[ts(type = "number | null")]
    pub waiting_s: Option<i64>,
    #[ts(type = "number | null")]
    pub time_to_acknowledge_s: Option<i64>,
}

/// The alerts page: escalations, unacknowledged first, and the figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Alerts {
    pub alerts: Vec<AlertView>,
    /// The log position read up to: the event stream continues from it.
    #[ts(type = "number")]
    pub position: i64,
    /// Median seconds from raising to acknowledgement, of those acknowledged.
    #[ts(type = "number | null")]
    pub median_time_to_acknowledge_s: Option<i64>,
    /// An unacknowledged escalation goes to the next role up after this many seconds.
    #[ts(type = "number")]
    pub escalate_after_s: i64,
}

/// Acknowledging an alert: the revision the person saw.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct AlertAcknowledge {
    pub revision: Uuid,
}

/// Answering an alert: the decision and its rationale (acknowledges it too, if not yet).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct AlertResponse {
    pub revision: Uuid,
    pub decision: liaison_core::records::EscalationDecision,
    pub rationale: String,
}

/// The tasks given, and what the form needs to run the deployment check as it is filled in
/// (the core's check of every incident type, so the page never keeps its own list).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct TaskingBoard {
    pub taskings: Vec<TaskingView>,
    pub incident_types: Vec<IncidentTypeCheck>,
}

/// One incident type with its label and its deployment check (policy 2.8.3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct IncidentTypeCheck {
    pub value: liaison_core::records::IncidentType,
    pub label: String,
    pub check: liaison_core::records::DeploymentCheck,
}

// --- intelligence quality assurance (issue 12, item 2) -----------------------------------------

/// An officer's intelligence submission in a supervisor's queue, at its current revision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct IntelligenceView {
    pub record_id: Uuid,
    /// The current revision: a review names it.
    pub revision: Uuid,
    /// The officer it is bound to, and their name in the directory when listed.
    pub officer: String,
    pub officer_name: Option<String>,
    pub submission: liaison_core::records::IntelligenceSubmission,
    /// The contact note it was made from, when the officer made it from one.
    pub from_note: Option<Uuid>,
    pub occurred_at: DateTime<Utc>,
    /// When the server received its current revision (a resubmission's, once resubmitted).
    pub received_at: DateTime<Utc>,
    /// Waiting for review, and not the person's own.
    pub may_review: bool,
    /// The person looking is the officer who submitted it (a commander's own): never theirs
    /// to grade.
    pub own: bool,
}

/// The quality-assurance queue: waiting submissions first (urgent, then oldest), then those
/// reviewed, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct IntelligenceQueue {
    pub submissions: Vec<IntelligenceView>,
}

/// A review: the revision the person read, the outcome, the 3x5x2 grading (required to
/// accept) and feedback (required to return).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct IntelligenceReviewForm {
    pub revision: Uuid,
    pub outcome: liaison_core::records::ReviewOutcome,
    #[serde(default)]
    pub grading: Option<liaison_core::records::IntelGrading>,
    #[serde(default)]
    pub feedback: String,
}

/// An abstraction as the console shows it (PCSO policy 1.3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct AbstractionView {
    pub record_id: Uuid,
    /// The current revision: a decision names it.
    pub revision: Uuid,
    /// The abstracted officer, with their name and team in the directory when listed.
    pub officer: String,
    pub officer_name: Option<String>,
    pub team: Option<String>,
    pub abstraction: liaison_core::records::Abstraction,
    /// Hours abstracted (to its end, or to now while open-ended).
    pub hours: f64,
    /// Why it is flagged for supervisory review (repeated, prolonged), if it is.
    pub flags: Vec<String>,
    /// The person looking may authorise or refuse it (not their own; theirs to supervise).
    pub may_decide: bool,
}

/// One team's abstractions in one month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct TeamMonth {
    pub team: String,
    /// "2026-11".
    pub month: String,
    pub abstractions: u32,
    pub hours: f64,
    /// Officers in the team in the directory.
    pub officers: u32,
    /// Hours abstracted as a percentage of the team's contracted hours in the month.
    pub rate_percent: f64,
}

/// The abstractions page: requests and decisions, flags, and the monthly rate per team.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct AbstractionBoard {
    pub items: Vec<AbstractionView>,
    pub monthly: Vec<TeamMonth>,
    /// The contracted hours per officer per month the rate is worked out against.
    pub contracted_hours_per_month: f64,
}

/// A supervisor's request to abstract an officer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct NewAbstraction {
    pub officer: String,
    #[serde(default)]
    pub from_duty: String,
    pub to_duty: String,
    pub reason: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: Option<DateTime<Utc>>,
}

/// Authorising or refusing an abstraction (a refusal says why).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct AbstractionDecide {
    pub revision: Uuid,
    pub outcome: liaison_core::records::AbstractionOutcome,
    #[serde(default)]
    pub note: String,
}

/// A handover: `to` is named successor of `from`, and sees their neighbourhood and liaison
/// work (referrals, taskings, contact notes) from then on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Handover {
    pub from: String,
    pub to: String,
    /// The console username of who recorded it.
    pub by: String,
    pub at: DateTime<Utc>,
}

/// Recording a handover (both officers in the directory, not the same).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct HandoverRequest {
    pub from: String,
    pub to: String,
}

// --- conflicts (issue 12, item 6) --------------------------------------------------------------

/// One version of a record edited on two devices at once: a head of the record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ConflictVersion {
    pub revision: Uuid,
    /// The officer (or console user) who made it, and their name in the directory when listed.
    pub author: String,
    pub author_name: Option<String>,
    /// The tablet it was made on (the server's own chain for a version made in the console).
    pub device_id: Uuid,
    /// The tablet's clock when it was saved.
    pub recorded_at: DateTime<Utc>,
    /// When the server received it.
    pub received_at: DateTime<Utc>,
    /// Why it was changed, as the officer wrote it.
    pub reason: Option<String>,
    pub record: Record,
    /// The version tablets show until the conflict is resolved (the rule every device
    /// applies: the latest clock wins).
    pub shown: bool,
}

/// One field of a conflicted record, as each version has it (in the order of
/// [`Conflict::versions`]; empty where a version has none).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ConflictField {
    /// The record's JSON path, e.g. `body.summary`, `location.lat`, `body.contacts[0].name`.
    pub field: String,
    /// The path for a person: "Summary", "Location › Lat", "Contacts 1 › Name".
    pub label: String,
    pub values: Vec<String>,
    /// The versions do not all agree on it.
    pub differs: bool,
}

/// A record with more than one current version (heads), side by side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Conflict {
    pub record_id: Uuid,
    pub kind: liaison_core::records::RecordKind,
    /// The record's title as the shown version has it.
    pub title: String,
    pub operation: Option<Uuid>,
    pub operation_name: Option<String>,
    /// The officer whose own work it is (a record of neither an operation nor the directory).
    pub officer: Option<String>,
    /// Oldest first (by receipt).
    pub versions: Vec<ConflictVersion>,
    /// Field by field, every field any version has.
    pub fields: Vec<ConflictField>,
}

/// The conflicts page: every record the person may see that has more than one current
/// version, most recently changed first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Conflicts {
    pub conflicts: Vec<Conflict>,
}

/// Resolving a conflict: the version kept (its content goes forward) and the other version it
/// is merged with, both as the person saw them, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ConflictResolve {
    pub keep: Uuid,
    pub other: Uuid,
    /// Why this version: becomes the merge's reason, "Kept PC 1's version: <reason>".
    pub reason: String,
}
