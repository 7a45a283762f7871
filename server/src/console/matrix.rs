//! Which roles may use which console route: the one table the handlers consult and the
//! tests walk (every route × every role). docs/console.md shows it as a table.

use super::model::StaffRole::{self, *};

/// A console route (its method and path pattern) and the roles allowed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteRule {
    pub route: Route,
    pub method: &'static str,
    /// The path under `/console/api`, with `{…}` for a parameter.
    pub path: &'static str,
    pub allowed: &'static [StaffRole],
    /// Officers see only the operations they are on (others answer 404, as if absent).
    pub own_operations_only: bool,
}

/// Every console API route a signed-in person can call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Route {
    Me,
    SignOut,
    StaffList,
    StaffCreate,
    StaffUpdate,
    OfficerList,
    OfficerPut,
    OperationList,
    OperationCreate,
    OperationGet,
    OperationEdit,
    Picture,
    Events,
    DeviceList,
    EnrolmentIssue,
    DeviceRevoke,
    ReviewList,
    ReviewDecide,
    AuditExport,
    AlertList,
    AlertEvents,
    AlertAcknowledge,
    AlertRespond,
    AbstractionList,
    AbstractionRequest,
    AbstractionDecide,
    HandoverList,
    HandoverRecord,
    // Tasking from the briefing (issue 12, item 4).
    TaskingList,
    TaskingCreate,
    // Intelligence quality assurance (issue 12, item 2).
    IntelligenceList,
    IntelligenceReview,
    // Conflicts: records edited on two devices at once, resolved by a merge (issue 12, item 6).
    ConflictList,
    ConflictResolve,
    // The debrief of an operation (issue 13, item 1).
    DebriefGet,
    DebriefSave,
    DebriefSignOff,
    DebriefPdf,
    // Open exports and monitoring statistics (issue 13, items 2 and 3).
    OperationExport,
    DirectoryExport,
    Statistics,
    StatisticsExport,
    // The files records name: photos, audio notes, screenshots, thumbnails (issue 16).
    Media,
}

const EVERYONE: &[StaffRole] = &StaffRole::ALL;
const COMMAND: &[StaffRole] = &[Admin, Gold, Silver, Bronze];
const ALERTED: &[StaffRole] = &[Gold, Silver, Bronze, Supervisor];
const COMMAND_AND_SUPERVISORS: &[StaffRole] = &[Admin, Gold, Silver, Bronze, Supervisor];
/// Who may task an officer: supervisors and commanders.
const TASKERS: &[StaffRole] = &[Gold, Silver, Bronze, Supervisor];
/// Who quality-assures intelligence: supervisors and commanders, never force IT or officers
/// (the submissions' content is theirs to see).
const INTELLIGENCE_REVIEWERS: &[StaffRole] = &[Gold, Silver, Bronze, Supervisor];
/// Who reads and resolves records edited on two devices at once: supervisors and commanders,
/// who see the records (force IT does not read record content here; officers resolve on
/// their tablets).
const CONFLICT_RESOLVERS: &[StaffRole] = &[Gold, Silver, Bronze, Supervisor];
/// Who holds the debrief: the PLT leader (a supervisor) and the commanders; it is signed off
/// by a commander.
const DEBRIEFERS: &[StaffRole] = &[Gold, Silver, Bronze, Supervisor];
const COMMANDERS: &[StaffRole] = &[Gold, Silver, Bronze];
/// Who exports an operation's records: those who see them here (commanders, supervisors).
const RECORD_EXPORTERS: &[StaffRole] = &[Gold, Silver, Bronze, Supervisor];
/// Who reads and exports the monitoring statistics, published only after suppression: those
/// who see the records, and officers (the LGBT liaison officer prepares them for partners).
const MONITORING: &[StaffRole] = &[Gold, Silver, Bronze, Supervisor, Officer];

const fn rule(route: Route, method: &'static str, path: &'static str, allowed: &'static [StaffRole]) -> RouteRule {
    RouteRule {
        route,
        method,
        path,
        allowed,
        own_operations_only: false,
    }
}

const fn own(route: Route, method: &'static str, path: &'static str) -> RouteRule {
    RouteRule {
        route,
        method,
        path,
        allowed: EVERYONE,
        own_operations_only: true,
    }
}

/// The matrix.
pub const ROUTES: &[RouteRule] = &[
    rule(Route::Me, "GET", "/session", EVERYONE),
    rule(Route::SignOut, "DELETE", "/session", EVERYONE),
    rule(Route::StaffList, "GET", "/staff", &[Admin]),
    rule(Route::StaffCreate, "POST", "/staff", &[Admin]),
    rule(Route::StaffUpdate, "PUT", "/staff/{username}", &[Admin]),
    rule(Route::OfficerList, "GET", "/officers", COMMAND_AND_SUPERVISORS),
    rule(Route::OfficerPut, "PUT", "/officers/{officer}", &[Admin]),
    own(Route::OperationList, "GET", "/operations"),
    rule(Route::OperationCreate, "POST", "/operations", COMMAND),
    own(Route::OperationGet, "GET", "/operations/{id}"),
    rule(Route::OperationEdit, "PUT", "/operations/{id}", COMMAND),
    own(Route::Picture, "GET", "/operations/{id}/picture"),
    own(Route::Events, "GET", "/operations/{id}/events"),
    rule(Route::DeviceList, "GET", "/devices", &[Admin, Supervisor]),
    rule(Route::EnrolmentIssue, "POST", "/enrolments", &[Admin]),
    rule(Route::DeviceRevoke, "POST", "/devices/{id}/revoke", &[Admin]),
    rule(Route::ReviewList, "GET", "/reviews", &[Admin]),
    rule(Route::ReviewDecide, "POST", "/reviews/{record}/decision", &[Admin]),
    rule(Route::AuditExport, "GET", "/audit", &[Admin, Gold]),
    // Tasking from the briefing: those who direct officers, not force IT.
    rule(Route::TaskingList, "GET", "/taskings", TASKERS),
    rule(Route::TaskingCreate, "POST", "/taskings", TASKERS),
    // Escalations: supervisors and commanders, who are alerted and answer (which of them
    // sees which is decided by whom each is addressed to: console::alerts).
    rule(Route::AlertList, "GET", "/alerts", ALERTED),
    rule(Route::AlertEvents, "GET", "/alerts/events", ALERTED),
    rule(Route::AlertAcknowledge, "POST", "/alerts/{record}/acknowledge", ALERTED),
    rule(Route::AlertRespond, "POST", "/alerts/{record}/response", ALERTED),
    // Abstractions (policy 1.3): requested and decided by supervisors and commanders.
    rule(Route::AbstractionList, "GET", "/abstractions", ALERTED),
    rule(Route::AbstractionRequest, "POST", "/abstractions", ALERTED),
    rule(
        Route::AbstractionDecide,
        "POST",
        "/abstractions/{record}/decision",
        ALERTED,
    ),
    // Continuity: a successor named when an officer moves on (force IT or their supervisors).
    rule(Route::HandoverList, "GET", "/handovers", COMMAND_AND_SUPERVISORS),
    rule(Route::HandoverRecord, "POST", "/handovers", COMMAND_AND_SUPERVISORS),
    // Intelligence: a supervisor's queue of their officers' submissions (commanders see all:
    // console::intelligence), graded and accepted or returned.
    rule(Route::IntelligenceList, "GET", "/intelligence", INTELLIGENCE_REVIEWERS),
    rule(
        Route::IntelligenceReview,
        "POST",
        "/intelligence/{record}/review",
        INTELLIGENCE_REVIEWERS,
    ),
    // Conflicts: the records the person may see (console::conflicts) with more than one
    // current version, side by side, and a merge keeping one.
    rule(Route::ConflictList, "GET", "/conflicts", CONFLICT_RESOLVERS),
    rule(
        Route::ConflictResolve,
        "POST",
        "/conflicts/{record}/merge",
        CONFLICT_RESOLVERS,
    ),
    // The debrief: notes entered by those who held it, signed off by a commander, the report
    // as PDF for anyone who held it (each PDF a logged disclosure).
    rule(Route::DebriefGet, "GET", "/operations/{id}/debrief", DEBRIEFERS),
    rule(Route::DebriefSave, "PUT", "/operations/{id}/debrief", DEBRIEFERS),
    rule(
        Route::DebriefSignOff,
        "POST",
        "/operations/{id}/debrief/sign-off",
        COMMANDERS,
    ),
    rule(Route::DebriefPdf, "GET", "/operations/{id}/debrief.pdf", DEBRIEFERS),
    // Open exports, each a disclosure logged with its purpose: an operation's records, and the
    // directory (force IT keeps it); the statistics as a page and as CSV.
    rule(
        Route::OperationExport,
        "GET",
        "/operations/{id}/export",
        RECORD_EXPORTERS,
    ),
    rule(
        Route::DirectoryExport,
        "GET",
        "/directory/export",
        COMMAND_AND_SUPERVISORS,
    ),
    rule(Route::Statistics, "GET", "/statistics", MONITORING),
    rule(Route::StatisticsExport, "GET", "/statistics/export", MONITORING),
    // A file a record names, to anyone who may see a record naming it (console::sight): the
    // role alone decides nothing more, since every role sees some records (officers those of
    // their operations on the live picture).
    rule(Route::Media, "GET", "/media/{sha256}", EVERYONE),
];

/// The rule of `route`.
pub fn rule_of(route: Route) -> &'static RouteRule {
    ROUTES
        .iter()
        .find(|r| r.route == route)
        .expect("every route has a rule in ROUTES")
}

/// Whether `role` may use `route` at all.
pub fn allows(route: Route, role: StaffRole) -> bool {
    rule_of(route).allowed.contains(&role)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_has_one_rule_and_a_change_is_never_open_to_officers() {
        for r in ROUTES {
            assert_eq!(ROUTES.iter().filter(|o| o.route == r.route).count(), 1, "{:?}", r.route);
            assert_eq!(
                ROUTES
                    .iter()
                    .filter(|o| o.method == r.method && o.path == r.path)
                    .count(),
                1,
                "{} {}",
                r.method,
                r.path
            );
            if r.method != "GET" && r.route != Route::SignOut {
                assert!(!r.allowed.contains(&Officer), "{:?} is open to officers", r.route);
            }
        }
    }
}
