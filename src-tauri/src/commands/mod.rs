//! The commands the UI may call, grouped by screen area, one file each. Every command is a
//! few lines: take the state, make one call into `liaison_core::service` (the session, or a
//! screen's function over the store), map the error. No logic and no SQL here.
//!
//! Every command is `#[tauri::command(async)]`: it runs on Tauri's worker pool, not on the main
//! thread, so a save waiting for its fsync never holds up the webview's rendering.
//!
//! [`app_commands!`] is the one list of commands: it builds the invoke handler, checks at
//! compile time that each command has exactly the signature listed, and gives
//! [`crate::bindings`] what it needs to generate the UI's typed wrappers.

pub mod drafts;
pub mod lock;
pub mod maps;
pub mod media;
pub mod neighbourhood;
pub mod operations;
pub mod records;
pub mod rumours;

use crate::error::AppError;
use crate::state::AppState;
use liaison_core::records::{Compliance, DeploymentCheck, IncidentType, IntelligenceSubmission, Record, RumourStatus};
use liaison_core::service::*;
use liaison_core::store::{Draft, RecordSummary, Saved, SearchHit, SearchQuery};
use liaison_core::tiles::ForceMap;
use liaison_core::RecordId;
use tauri::State;
use uuid::Uuid;

/// A command as the UI sees it.
pub struct Signature {
    pub name: &'static str,
    /// Argument names (as written in Rust) and their TypeScript types.
    pub args: Vec<(&'static str, String)>,
    pub returns: String,
    /// Declares the argument and return types for the bindings.
    pub visit: fn(&mut liaison_core::typescript::Collector),
}

macro_rules! app_commands {
    ($($module:ident :: $name:ident ( $($arg:ident : $ty:ty),* ) -> $ret:ty;)*) => {
        /// The invoke handler for every command in the list.
        pub fn handler() -> impl Fn(tauri::ipc::Invoke<tauri::Wry>) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$($module::$name),*]
        }

        /// Every command's name and types, for the generated bindings.
        pub fn signatures() -> Vec<Signature> {
            vec![$(Signature {
                name: stringify!($name),
                args: vec![$((stringify!($arg), <$ty as ts_rs::TS>::name())),*],
                returns: <$ret as ts_rs::TS>::name(),
                visit: |c| {
                    $(c.add::<$ty>();)*
                    c.add::<$ret>();
                },
            }),*]
        }

        // The list must say exactly what each command takes and returns: this fails to compile otherwise.
        #[allow(dead_code)]
        fn signatures_match_the_commands() {
            $(let _: for<'a> fn(State<'a, AppState>, $($ty),*) -> Result<$ret, AppError> = $module::$name;)*
        }
    };
}

app_commands! {
    lock::lock_state() -> LockView;
    lock::check_enrolment(enrolment: String) -> EnrolmentCheck;
    lock::enrolment_prefill() -> Option<String>;
    lock::set_up_passcode(passcode: String, enrolment: String) -> LockView;
    lock::enrol(replacement: Option<String>) -> LockView;
    lock::unlock(passcode: String) -> LockView;
    lock::lock_now() -> LockView;
    lock::change_passcode(current: String, new_passcode: String) -> bool;
    lock::acknowledge_wipe() -> LockView;
    lock::activity() -> LockView;
    operations::status() -> AppStatus;
    operations::sync_now() -> bool;
    operations::coverage_returned() -> bool;
    operations::vocabulary() -> Vocabulary;
    operations::operations() -> Vec<RecordSummary>;
    operations::resume_operation() -> Option<RecordId>;
    operations::operation_home(operation_id: RecordId) -> OperationHome;
    operations::tension_series(operation_id: RecordId) -> TensionSeries;
    operations::capture_defaults(operation_id: RecordId) -> CaptureDefaults;
    operations::debrief_pdf(operation_id: RecordId, purpose: String) -> SavedReport;
    maps::operation_map(operation_id: RecordId) -> OperationMap;
    maps::force_map() -> ForceMap;
    records::timeline(query: TimelineQuery) -> TimelinePage;
    records::search(query: SearchQuery) -> Vec<SearchHit>;
    records::directory() -> Vec<RecordSummary>;
    records::confirm_directory_entry(record_id: RecordId) -> Saved;
    records::record_detail(record_id: RecordId, purpose: Option<String>) -> RecordDetail;
    records::create_record(record: Record, draft: Option<String>) -> Saved;
    records::edit_record(record_id: RecordId, record: Record, reason: String, draft: Option<String>) -> Saved;
    records::merge_versions(record_id: RecordId, keep: Uuid, other: Uuid, reason: String) -> Saved;
    records::intelligence_draft_from_note(note_id: RecordId) -> IntelligenceSubmission;
    records::submit_note_as_intelligence(note_id: RecordId, submission: IntelligenceSubmission, reason: String) -> Saved;
    rumours::rumour_board(operation_id: RecordId) -> Vec<RumourCard>;
    rumours::set_rumour_status(record_id: RecordId, status: RumourStatus, findings: Option<String>) -> Saved;
    rumours::add_rumour_control(record_id: RecordId, told: String, message: String) -> Saved;
    rumours::negotiations(operation_id: RecordId) -> Vec<NegotiationCard>;
    rumours::record_compliance(record_id: RecordId, compliance: Compliance, note: String) -> Saved;
    neighbourhood::neighbourhood() -> Neighbourhood;
    neighbourhood::deployment_check(incident: IncidentType) -> DeploymentCheck;
    drafts::save_draft(key: String, content: String) -> Draft;
    drafts::load_draft(key: String) -> Option<Draft>;
    drafts::discard_draft(key: String) -> bool;
    media::attach_file(attachment: NewAttachment, file: String, thumbnail: Option<String>) -> Attached;
    media::media_file(sha256: String) -> String;
}
