//! Generates `ui/src/console/bindings.ts`: the TypeScript declaration of every type the
//! console's API takes or returns ([`super::model`], and the core's records they carry). The
//! test `console_bindings_are_current` fails when the checked-in file differs from what the
//! Rust types say now; run `UPDATE_BINDINGS=1 cargo test -p liaison-server console_bindings`
//! to regenerate it.

use super::model::*;
use liaison_core::typescript::Collector;

/// The whole generated file.
pub fn typescript() -> String {
    let mut c = Collector::default();
    c.add::<StaffRole>();
    c.add::<Staff>();
    c.add::<SignIn>();
    c.add::<Me>();
    c.add::<NewStaff>();
    c.add::<StaffUpdate>();
    c.add::<OfficerEntry>();
    c.add::<OperationSummary>();
    c.add::<OperationView>();
    c.add::<OperationEdit>();
    c.add::<FieldError>();
    c.add::<ConsoleError>();
    c.add::<DeviceView>();
    c.add::<EnrolmentRequest>();
    c.add::<EnrolmentIssued>();
    c.add::<RevokeRequest>();
    c.add::<LiveRecord>();
    c.add::<TeamDevice>();
    c.add::<Picture>();
    c.add::<ReviewView>();
    c.add::<ReviewDecisionView>();
    c.add::<ReviewDecision>();
    // Tasking from the briefing.
    c.add::<NewTasking>();
    c.add::<TaskingView>();
    c.add::<TaskingBoard>();
    c.add::<IncidentTypeCheck>();
    c.add::<AlertView>();
    c.add::<Alerts>();
    c.add::<AlertAcknowledge>();
    c.add::<AlertResponse>();
    c.add::<AbstractionView>();
    c.add::<TeamMonth>();
    c.add::<AbstractionBoard>();
    c.add::<NewAbstraction>();
    c.add::<AbstractionDecide>();
    c.add::<Handover>();
    c.add::<HandoverRequest>();
    // Intelligence quality assurance.
    c.add::<IntelligenceView>();
    c.add::<IntelligenceQueue>();
    c.add::<IntelligenceReviewForm>();
    // Conflicts.
    c.add::<ConflictVersion>();
    c.add::<ConflictField>();
    c.add::<Conflict>();
    c.add::<Conflicts>();
    c.add::<ConflictResolve>();
    // The debrief of an operation.
    c.add::<liaison_core::report::Priority>();
    c.add::<liaison_core::report::Recommendation>();
    c.add::<liaison_core::report::SignOff>();
    c.add::<liaison_core::report::DebriefNotes>();
    c.add::<super::debrief::DebriefView>();
    c.add::<super::debrief::DebriefEdit>();
    // Monitoring statistics for partners, as published (suppressed).
    c.add::<liaison_core::statistics::MonitoringStatistics>();
    let mut out = String::from(
        "// Generated from the Rust types by server/src/console/bindings.rs. Do not edit by hand:\n\
         // run `UPDATE_BINDINGS=1 cargo test -p liaison-server console_bindings` after changing a type.\n\
         /* eslint-disable */\n\n",
    );
    for (_, d) in c.declarations() {
        out.push_str(&d);
        out.push_str("\n\n");
    }
    out.push_str(
        "/** A server-sent event of the live picture (`event: record`). */\nexport type LiveEvent = LiveRecord;\n",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn console_bindings_are_current() {
        let now = typescript();
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../ui/src/console/bindings.ts");
        if std::env::var("UPDATE_BINDINGS").is_ok_and(|v| v == "1") {
            std::fs::write(&path, &now).expect("write ui/src/console/bindings.ts");
        }
        let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            on_disk == now,
            "ui/src/console/bindings.ts is out of date with the Rust types; run \
             `UPDATE_BINDINGS=1 cargo test -p liaison-server console_bindings`"
        );
        assert!(now.contains("export type Picture ="));
        assert!(now.contains("export type Body ="));
        assert!(
            !now.contains("bigint"),
            "every number reaches the console as a JSON number"
        );
    }
}
