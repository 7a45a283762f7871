// Generated from the Rust types by server/src/console/bindings.rs. Do not edit by hand:
// run `UPDATE_BINDINGS=1 cargo test -p liaison-server console_bindings` after changing a type.
/* eslint-disable */

export type Abstraction = { from_duty?: string, to_duty: string, 
/**
 * A name typed by the officer (records made before authorisation in the console), or
 * the authorising supervisor's name once decided there.
 */
authorised_by?: string, reason: string, starts_at: string, ends_at?: string | null, 
/**
 * The supervisor's decision, made in the console.
 */
decision?: AbstractionDecision | null, };

/**
 * The abstractions page: requests and decisions, flags, and the monthly rate per team.
 */
export type AbstractionBoard = { items: Array<AbstractionView>, monthly: Array<TeamMonth>, 
/**
 * The contracted hours per officer per month the rate is worked out against.
 */
contracted_hours_per_month: number, };

/**
 * Authorising or refusing an abstraction (a refusal says why).
 */
export type AbstractionDecide = { revision: string, outcome: AbstractionOutcome, note: string, };

/**
 * A supervisor's decision on an abstraction.
 */
export type AbstractionDecision = { outcome: AbstractionOutcome, 
/**
 * The console username of who decided.
 */
by: string, 
/**
 * Their name and role as shown to the officer.
 */
name: string, at: string, note?: string, };

export type AbstractionOutcome = "authorised" | "refused";

/**
 * An abstraction as the console shows it (PCSO policy 1.3).
 */
export type AbstractionView = { record_id: string, 
/**
 * The current revision: a decision names it.
 */
revision: string, 
/**
 * The abstracted officer, with their name and team in the directory when listed.
 */
officer: string, officer_name: string | null, team: string | null, abstraction: Abstraction, 
/**
 * Hours abstracted (to its end, or to now while open-ended).
 */
hours: number, 
/**
 * Why it is flagged for supervisory review (repeated, prolonged), if it is.
 */
flags: Array<string>, 
/**
 * The person looking may authorise or refuse it (not their own; theirs to supervise).
 */
may_decide: boolean, };

/**
 * Who acknowledged an escalation, and when.
 */
export type Acknowledgement = { 
/**
 * The console username (or collar number) of the person.
 */
by: string, 
/**
 * Their name and role as shown to the officer, e.g. "Insp Hale (Bronze)".
 */
name: string, at: string, };

export type Agency = { name: string, 
/**
 * What they offer (hate-crime support, housing, mental health…).
 */
services?: string, phone?: string, email?: string, 
/**
 * How to refer someone to them.
 */
referral_route?: string, };

/**
 * Acknowledging an alert: the revision the person saw.
 */
export type AlertAcknowledge = { revision: string, };

/**
 * Answering an alert: the decision and its rationale (acknowledges it too, if not yet).
 */
export type AlertResponse = { revision: string, decision: EscalationDecision, rationale: string, };

/**
 * An escalation as an alert in the console: whom it is with now, whether it is for the
 * person looking, and how long it has waited or took to be acknowledged.
 */
export type AlertView = { record_id: string, 
/**
 * The current revision: acknowledging or answering names it.
 */
revision: string, 
/**
 * The officer who raised it, and their name in the directory when listed.
 */
officer: string, officer_name: string | null, operation: string | null, escalation: Escalation, 
/**
 * The role it is with now (after any steps up).
 */
addressee: EscalationTo | null, 
/**
 * Addressed to the person looking: by name, as the officer's supervisor, or by role.
 */
for_me: boolean, 
/**
 * The person looking may acknowledge or answer it.
 */
may_act: boolean, 
/**
 * Seconds it has waited with its current addressee (unacknowledged ones).
 */
waiting_s: number | null, time_to_acknowledge_s: number | null, };

/**
 * The alerts page: escalations, unacknowledged first, and the figures.
 */
export type Alerts = { alerts: Array<AlertView>, 
/**
 * The log position read up to: the event stream continues from it.
 */
position: number, 
/**
 * Median seconds from raising to acknowledgement, of those acknowledged.
 */
median_time_to_acknowledge_s: number | null, 
/**
 * An unacknowledged escalation goes to the next role up after this many seconds.
 */
escalate_after_s: number, };

/**
 * One attached file, as the record's revision names it.
 */
export type Attachment = { 
/**
 * SHA-256 of the bytes as stored, lowercase hex.
 */
sha256: string, kind: AttachmentKind, media_type: MediaType, size: number, 
/**
 * The small picture shown in timelines and boards (a JPEG made on the device); none for
 * audio.
 */
thumbnail?: Thumbnail, 
/**
 * The officer kept the picture's location metadata (it is stripped unless they do).
 */
location_kept?: boolean, caption?: string, };

/**
 * What the officer attached.
 */
export type AttachmentKind = "photo" | "audio" | "screenshot";

/**
 * The kind-specific part of a record. Serialised with a `kind` tag.
 */
export type Body = { "kind": "operation" } & Operation | { "kind": "person" } & Person | { "kind": "group" } & Group | { "kind": "venue" } & Venue | { "kind": "agency" } & Agency | { "kind": "contact_note" } & ContactNote | { "kind": "rumour_report" } & RumourReport | { "kind": "negotiation_outcome" } & NegotiationOutcome | { "kind": "tension_reading" } & TensionReading | { "kind": "escalation" } & Escalation | { "kind": "tasking" } & Tasking | { "kind": "abstraction" } & Abstraction | { "kind": "referral" } & Referral | { "kind": "intelligence_submission" } & IntelligenceSubmission;

/**
 * Recorded later: was the agreement kept?
 */
export type Compliance = "kept" | "partly_kept" | "not_kept";

/**
 * A record with more than one current version (heads), side by side.
 */
export type Conflict = { record_id: string, kind: RecordKind, 
/**
 * The record's title as the shown version has it.
 */
title: string, operation: string | null, operation_name: string | null, 
/**
 * The officer whose own work it is (a record of neither an operation nor the directory).
 */
officer: string | null, 
/**
 * Oldest first (by receipt).
 */
versions: Array<ConflictVersion>, 
/**
 * Field by field, every field any version has.
 */
fields: Array<ConflictField>, };

/**
 * One field of a conflicted record, as each version has it (in the order of
 * [`Conflict::versions`]; empty where a version has none).
 */
export type ConflictField = { 
/**
 * The record's JSON path, e.g. `body.summary`, `location.lat`, `body.contacts[0].name`.
 */
field: string, 
/**
 * The path for a person: "Summary", "Location › Lat", "Contacts 1 › Name".
 */
label: string, values: Array<string>, 
/**
 * The versions do not all agree on it.
 */
differs: boolean, };

/**
 * Resolving a conflict: the version kept (its content goes forward) and the other version it
 * is merged with, both as the person saw them, and why.
 */
export type ConflictResolve = { keep: string, other: string, 
/**
 * Why this version: becomes the merge's reason, "Kept PC 1's version: <reason>".
 */
reason: string, };

/**
 * One version of a record edited on two devices at once: a head of the record.
 */
export type ConflictVersion = { revision: string, 
/**
 * The officer (or console user) who made it, and their name in the directory when listed.
 */
author: string, author_name: string | null, 
/**
 * The tablet it was made on (the server's own chain for a version made in the console).
 */
device_id: string, 
/**
 * The tablet's clock when it was saved.
 */
recorded_at: string, 
/**
 * When the server received it.
 */
received_at: string, 
/**
 * Why it was changed, as the officer wrote it.
 */
reason: string | null, record: Record, 
/**
 * The version tablets show until the conflict is resolved (the rule every device
 * applies: the latest clock wins).
 */
shown: boolean, };

/**
 * The conflicts page: every record the person may see that has more than one current
 * version, most recently changed first.
 */
export type Conflicts = { conflicts: Array<Conflict>, };

/**
 * Every refusal the console gets: a code, one sentence for a person, and field errors for a
 * form.
 */
export type ConsoleError = { 
/**
 * `unauthenticated`, `forbidden`, `csrf`, `locked`, `rate_limited`, `invalid`,
 * `not_found`, `conflict`, `internal`.
 */
code: string, message: string, fields: Array<FieldError>, };

export type ContactNote = { 
/**
 * Who was spoken to, as the officer would write it ("march organiser, J. Smith").
 * Directory entries go in the record's `links`.
 */
spoke_with: string, function: PltFunction, 
/**
 * What was said.
 */
summary: string, mood?: Mood | null, 
/**
 * Follow-up needed, if any.
 */
follow_up?: string | null, 
/**
 * Hate-crime strands, when the conversation was about a hate incident (monitoring).
 */
monitored?: Array<MonitoredStrand>, };

/**
 * What the console sends to keep the notes. A change after sign-off withdraws it.
 */
export type DebriefEdit = { went_well: string, even_better_if: string, recommendations: Array<Recommendation>, };

/**
 * What the debrief meeting adds, entered in the console.
 */
export type DebriefNotes = { went_well: string, even_better_if: string, recommendations: Array<Recommendation>, signed_off: SignOff | null, };

/**
 * The debrief's notes as the console edits them, and the records they would sign off.
 */
export type DebriefView = { operation_id: string, name: string, notes: DebriefNotes, 
/**
 * How many records (the operation's own among them) the report is made from now.
 */
records: number, 
/**
 * Their SHA-256 now (see `liaison_core::report::records_digest`).
 */
records_sha256: string, 
/**
 * Signed off, and the records have changed since.
 */
changed_since_sign_off: boolean, };

/**
 * The answer to "may a PCSO be sent to this first?".
 */
export type DeploymentCheck = { "verdict": "suitable" } | { "verdict": "unsuited_as_first_response", category: string, advice: string, };

/**
 * A tablet as force IT sees it.
 */
export type DeviceView = { device_id: string, officer: string, enrolled_at: string, 
/**
 * The last time it pushed or pulled.
 */
last_contact: string | null, 
/**
 * What it said it still had to send at its last sync.
 */
waiting: number | null, app_version: string | null, revoked_at: string | null, 
/**
 * lost, stolen or retired.
 */
revoked_reason: string | null, };

/**
 * The enrolment, shown once.
 */
export type EnrolmentIssued = { officer: string, enrolment_string: string, 
/**
 * The enrolment string as an SVG QR code.
 */
qr_svg: string, expires_at: string, };

/**
 * Issue an enrolment for an officer.
 */
export type EnrolmentRequest = { officer: string, };

export type Escalation = { category: EscalationKind, summary: string, 
/**
 * Who was told in person or by radio, in words (optional once addressed).
 */
told?: string, told_at: string, 
/**
 * The role it is addressed to: the console alerts them.
 */
addressed_to?: EscalationTo | null, 
/**
 * A named person it is addressed to (console username or collar number), if any.
 */
addressed_person?: string, escalated?: Array<EscalationStep>, acknowledged?: Acknowledgement | null, decision?: EscalationDecision | null, 
/**
 * The response, or the decision's rationale.
 */
response?: string, response_at?: string | null, 
/**
 * Who responded, as in [`Acknowledgement::name`].
 */
responded_by?: string, 
/**
 * Hate-crime strands, when the concern arises from hostility towards a group
 * (monitoring). The officer's part: a supervisor's revision carries it on unchanged.
 */
monitored?: Array<MonitoredStrand>, };

/**
 * What the person who answered an escalation decided.
 */
export type EscalationDecision = "advice_given" | "resources_sent" | "referred" | "command_took_over" | "no_further_action";

export type EscalationKind = "safeguarding" | "threat" | "risk" | "withdraw_observe_report";

/**
 * A step up the chain, made because nobody acknowledged in time.
 */
export type EscalationStep = { to: EscalationTo, at: string, reason: string, };

/**
 * Whom an escalation is addressed to, as a role the console resolves to people.
 */
export type EscalationTo = "supervisor" | "bronze" | "duty_inspector" | "silver" | "gold";

/**
 * What sort of event it is.
 */
export type EventKind = "protest" | "march" | "static_demo" | "football" | "community_event" | "pride" | "other";

/**
 * A form refused: each problem beside its field (`field` is the core validator's path, e.g.
 * `body.sectors[1].boundary`, or the form's own field name).
 */
export type FieldError = { field: string, message: string, };

export type Group = { name: string, group_kind: GroupKind, description?: string, 
/**
 * People who speak for the group.
 */
contacts?: Array<string>, website?: string, };

export type GroupKind = "organiser" | "participant" | "counter_protest" | "community" | "support" | "other";

/**
 * Whether it may be shared (the "2" of 3x5x2).
 */
export type HandlingCode = "lawful" | "conditions";

/**
 * A handover: `to` is named successor of `from`, and sees their neighbourhood and liaison
 * work (referrals, taskings, contact notes) from then on.
 */
export type Handover = { from: string, to: string, 
/**
 * The console username of who recorded it.
 */
by: string, at: string, };

/**
 * Recording a handover (both officers in the directory, not the same).
 */
export type HandoverRequest = { from: string, to: string, };

/**
 * Incident types a task can concern. The first group is ordinary neighbourhood work; the
 * rest are the policy's list of incidents unsuited to a PCSO first response.
 */
export type IncidentType = "reassurance_patrol" | "community_engagement" | "antisocial_behaviour" | "hate_crime_support" | "victim_visit" | "low_level_disorder_after_the_event" | "area_search_support" | "other" | "violence_in_progress" | "threats_with_weapons" | "knife_crime" | "firearms" | "affray_or_violent_disorder" | "domestic_abuse" | "stalking_suspect_present" | "self_harm_in_progress" | "mental_health_crisis_immediate_risk" | "serious_sexual_offence" | "serious_assault" | "child_abuse" | "high_risk_missing_person" | "sudden_death" | "burglary_in_progress" | "robbery_in_progress" | "riot_or_large_scale_disorder" | "hostile_protest" | "counter_protest" | "football_disorder" | "suspects_fleeing" | "warrant_execution" | "bail_or_court_order_breach" | "premises_search" | "serious_collision" | "fatal_or_serious_injury_collision" | "live_lane_incident" | "drink_drug_driving" | "terrorism" | "hazardous_materials" | "water_rescue" | "dangerous_animals" | "structural_collapse_or_fire";

/**
 * One incident type with its label and its deployment check (policy 2.8.3).
 */
export type IncidentTypeCheck = { value: IncidentType, label: string, check: DeploymentCheck, };

/**
 * How the source knows what it says (the "5" of 3x5x2).
 */
export type IntelAssessment = "known_directly" | "known_indirectly_corroborated" | "known_indirectly" | "not_known" | "suspected_false";

/**
 * The force's intelligence grading (National Intelligence Model 3x5x2).
 */
export type IntelGrading = { source: SourceEvaluation, assessment: IntelAssessment, handling: HandlingCode, 
/**
 * The conditions of a C handling code (required with it, empty with P).
 */
conditions?: string, };

/**
 * A supervisor's quality assurance of a submission.
 */
export type IntelReview = { outcome: ReviewOutcome, 
/**
 * Why it was returned (required), or a note with an acceptance.
 */
feedback?: string, 
/**
 * Required to accept; may be given with a return.
 */
grading?: IntelGrading | null, 
/**
 * The console username of the reviewer.
 */
by: string, 
/**
 * Their name and role as shown to the officer, e.g. "PS Kerr (supervisor)".
 */
reviewed_by: string, at: string, };

/**
 * The quality-assurance queue: waiting submissions first (urgent, then oldest), then those
 * reviewed, newest first.
 */
export type IntelligenceQueue = { submissions: Array<IntelligenceView>, };

/**
 * A review: the revision the person read, the outcome, the 3x5x2 grading (required to
 * accept) and feedback (required to return).
 */
export type IntelligenceReviewForm = { revision: string, outcome: ReviewOutcome, grading: IntelGrading | null, feedback: string, };

export type IntelligenceSubmission = { summary: string, detail: string, source: SourceKind, 
/**
 * Submitted promptly where it could be time-critical.
 */
urgent?: boolean, 
/**
 * The force intelligence system's reference, once submitted there.
 */
reference?: string, 
/**
 * Why something heard in an engagement is submitted as intelligence, when the submission
 * was made from a contact note (the record links to the note).
 */
reason_from_note?: string, 
/**
 * The supervisor's quality assurance, once made.
 */
review?: IntelReview | null, };

/**
 * An officer's intelligence submission in a supervisor's queue, at its current revision.
 */
export type IntelligenceView = { record_id: string, 
/**
 * The current revision: a review names it.
 */
revision: string, 
/**
 * The officer it is bound to, and their name in the directory when listed.
 */
officer: string, officer_name: string | null, submission: IntelligenceSubmission, 
/**
 * The contact note it was made from, when the officer made it from one.
 */
from_note: string | null, occurred_at: string, 
/**
 * When the server received its current revision (a resubmission's, once resubmitted).
 */
received_at: string, 
/**
 * Waiting for review, and not the person's own.
 */
may_review: boolean, 
/**
 * The person looking is the officer who submitted it (a commander's own): never theirs
 * to grade.
 */
own: boolean, };

/**
 * A vertex of an area or sector boundary (WGS84 degrees).
 */
export type LatLon = { lat: number, lon: number, };

/**
 * One record of an operation as the live picture holds it: its current revision.
 */
export type LiveRecord = { record_id: string, revision: string, 
/**
 * The server's log position of this revision (the event stream's id).
 */
position: number, author: string, received_at: string, record: Record, };

/**
 * Where something happened, as the platform reported it (or as the officer placed it on the map).
 */
export type Location = { lat: number, lon: number, 
/**
 * Radius of the 68% confidence circle, metres. None when placed by hand.
 */
accuracy_m?: number | null, };

/**
 * Who is signed in, and the token every change must carry in `X-CSRF-Token`.
 */
export type Me = { staff: Staff, csrf: string, expires_at: string, };

/**
 * The media types a record may carry, each recognised by its first bytes (the name or
 * the type a browser claims is never trusted).
 */
export type MediaType = "jpeg" | "png" | "webp" | "mp4_audio" | "ogg" | "webm" | "wav";

/**
 * A monitored hate-crime strand: the five the police monitor nationally (race, religion,
 * sexual orientation, disability, transgender identity) and alternative subculture, which
 * several forces monitor locally. A record may carry more than one (a crime can be
 * motivated by hostility on more than one ground); each is counted.
 */
export type MonitoredStrand = "sexual_orientation" | "transgender_identity" | "race" | "religion" | "disability" | "alternative_subculture";

/**
 * Everything published for a period: the only form in which monitoring counts leave the
 * server (the console page, its CSV, a PDF).
 */
export type MonitoringStatistics = { 
/**
 * First and last month, `2026-01`.
 */
from: string, to: string, by_month_and_strand: PublishedTable, by_area_and_month: PublishedTable, referrals_by_agency_and_outcome: PublishedTable, 
/**
 * How to read the tables, in words, for the page, the file and the report.
 */
notes: Array<string>, };

/**
 * The fixed mood scale, calm (1) to hostile (5). Fixed so readings by different
 * officers in different sectors can be drawn on one chart.
 */
export type Mood = "calm" | "good_natured" | "uneasy" | "tense" | "hostile";

export type NegotiationOutcome = { 
/**
 * The other party, in words; directory entries go in `links`.
 */
parties: string, subject: NegotiationSubject, police_position: string, 
/**
 * Conditions the police set or agreed.
 */
conditions?: Array<string>, other_position?: string, outcome: Outcome, 
/**
 * What was agreed, in words.
 */
agreed?: string, compliance?: Compliance | null, compliance_note?: string, };

export type NegotiationSubject = "route" | "timing" | "static_location" | "noise" | "conduct" | "numbers" | "other";

/**
 * A supervisor's request to abstract an officer.
 */
export type NewAbstraction = { officer: string, from_duty: string, to_duty: string, reason: string, starts_at: string, ends_at: string | null, };

/**
 * A new staff account (force admin only).
 */
export type NewStaff = { username: string, display_name: string, role: StaffRole, officer: string | null, 
/**
 * At least 12 characters.
 */
password: string, };

/**
 * A task given to an officer from the console. The deployment check of policy 2.8.3 runs
 * when it is given: an incident type unsuited to a PCSO first response is refused for a PCSO
 * unless `override_reason` says why.
 */
export type NewTasking = { 
/**
 * The officer given the task (in the directory of officers).
 */
officer: string, title: string, incident_type: IncidentType, briefing_ref: string, details: string, due: string | null, 
/**
 * Required for an unsuited type given to a PCSO; refused otherwise.
 */
override_reason: string, };

/**
 * An officer in the directory of people: who carries tablets and goes on operations.
 */
export type OfficerEntry = { 
/**
 * Collar number, e.g. "PC 4521": the officer id devices are enrolled for.
 */
officer: string, name: string, 
/**
 * PC, PS, Insp, PCSO…
 */
rank: string, 
/**
 * PLO, PCSO, LGBT liaison, PLT leader…
 */
role: string, team: string, 
/**
 * The officer id of their supervisor, if any (must be in the directory).
 */
supervisor: string | null, };

/**
 * The officer who made a revision: collar number or staff id as the force issues it.
 *
 * However one arrives (typed, from the wire, from a database row) it passes the same checks:
 * deserialising refuses what [`OfficerId::new`] would refuse, and also an id with spaces
 * around it, which `new` would trim (the id is hashed into revisions as it is).
 */
export type OfficerId = string;

export type Operation = { name: string, event_kind: EventKind, starts_at: string, ends_at: string, 
/**
 * The whole area of the operation; empty when not drawn yet.
 */
area?: Array<LatLon>, sectors?: Array<Sector>, briefing?: string, 
/**
 * Gold / Silver / Bronze and the PLT chain, as briefed.
 */
command_structure?: string, 
/**
 * Group records expected at the event.
 */
groups_expected?: Array<string>, team?: Array<TeamMember>, };

/**
 * A new operation, or an edit of one (`parent` = the revision it was made from).
 */
export type OperationEdit = { parent: string | null, operation: Operation, 
/**
 * Why it was changed (edits only).
 */
reason: string | null, };

/**
 * An operation as the list shows it.
 */
export type OperationSummary = { id: string, name: string, starts_at: string, ends_at: string, sectors: number, team: number, };

/**
 * An operation with the revision an edit must name as its parent.
 */
export type OperationView = { id: string, 
/**
 * The current revision: an edit is refused unless it names this one.
 */
revision: string, operation: Operation, edited_by: string, edited_at: string, };

export type Outcome = "agreed" | "partly_agreed" | "not_agreed" | "deferred";

/**
 * Someone the team talks to. Personal data: every read is audited.
 */
export type Person = { name: string, role: PersonRole, phone?: string, email?: string, 
/**
 * Other ways to reach them (radio channel, social handle, "via the steward lead").
 */
other_contact?: string, groups?: Array<string>, notes?: string, };

export type PersonRole = "organiser" | "spokesperson" | "steward" | "community_leader" | "venue_manager" | "agency_contact" | "community_facilitator" | "member_of_public" | "other";

/**
 * The live picture of an operation at a log position; the event stream continues from
 * `position`.
 */
export type Picture = { operation: OperationView, position: number, 
/**
 * Every record of the operation at its current revision, newest first.
 */
records: Array<LiveRecord>, team: Array<TeamDevice>, };

/**
 * The five core functions of a Police Liaison Team officer (national role profile).
 */
export type PltFunction = "negotiation" | "mediation" | "initiation" | "communication" | "sensing";

/**
 * How urgent a recommendation is.
 */
export type Priority = "high" | "medium" | "low";

/**
 * A published table: each cell a count, "<5" or "[c]", with its row and column totals.
 */
export type PublishedTable = { title: string, 
/**
 * What the rows are ("Month", "Area", "Agency").
 */
row_heading: string, rows: Array<string>, columns: Array<string>, 
/**
 * By row, then column.
 */
cells: Array<Array<Shown>>, row_totals: Array<Shown>, column_totals: Array<Shown>, total: Shown, 
/**
 * No cell could be published safely: the table shows none.
 */
withheld: boolean, };

/**
 * One row of the recommendations table.
 */
export type Recommendation = { issue: string, recommendation: string, owner: string, priority: Priority, };

/**
 * One revision's content: the envelope every kind shares and the kind's own body.
 */
export type Record = { 
/**
 * The operation (event) this belongs to. None for operations themselves and for
 * standing directory entries and neighbourhood work.
 */
operation_id?: string | null, 
/**
 * When it happened (not when it was typed).
 */
occurred_at: string, location?: Location | null, 
/**
 * The operation sector it happened in. Filled from the location when left empty.
 */
sector?: string | null, 
/**
 * People, groups, venues or agencies this concerns.
 */
links?: Array<string>, tags?: Array<string>, 
/**
 * Photos, audio notes and screenshots, each named by its hash (see [`Attachment`]).
 * Skipped when empty, so every record made before attachments keeps its hash.
 */
attachments?: Array<Attachment>, body: Body, };

/**
 * The kind of a record without its content: for filters, indexes and the wire.
 */
export type RecordKind = "operation" | "person" | "group" | "venue" | "agency" | "contact_note" | "rumour_report" | "negotiation_outcome" | "tension_reading" | "escalation" | "tasking" | "abstraction" | "referral" | "intelligence_submission";

export type Referral = { 
/**
 * Who is referred, in words; a directory entry goes in `links`. Personal data.
 */
person: string, agency?: string | null, agency_name: string, reason: string, 
/**
 * The person agreed to the referral.
 */
consent: boolean, 
/**
 * What came of it, in the officer's words.
 */
outcome?: string, 
/**
 * What came of it, as monitoring counts it; None while awaited.
 */
result?: ReferralResult | null, 
/**
 * Hate-crime strands, when the referral follows a hate incident (monitoring).
 */
monitored?: Array<MonitoredStrand>, };

/**
 * What came of a referral, as monitoring counts it (the officer's words stay in
 * `Referral::outcome`).
 */
export type ReferralResult = "support_accepted" | "support_declined" | "no_contact" | "referred_on";

/**
 * Record a review decision.
 */
export type ReviewDecision = { decision: string, rationale: string, };

/**
 * What was decided on review.
 */
export type ReviewDecisionView = { 
/**
 * retain, erase or extend.
 */
decision: string, rationale: string, by: string, at: string, };

/**
 * What the supervisor decided.
 */
export type ReviewOutcome = "accepted" | "returned";

/**
 * A record due for review, with the decision if one was recorded.
 */
export type ReviewView = { record_id: string, kind: string, class: string, operation_id: string | null, last_change: string, review_date: string, decision: ReviewDecisionView | null, };

/**
 * Revoke a tablet.
 */
export type RevokeRequest = { 
/**
 * lost, stolen or retired.
 */
reason: string, };

/**
 * Rumour control: who was told what, when.
 */
export type RumourControlAction = { at: string, told: string, message: string, };

export type RumourReport = { 
/**
 * What is being said.
 */
content: string, 
/**
 * Where it was heard, in words ("queue at the Bull Ring entrance").
 */
heard_at?: string, source: RumourSource, source_detail?: string, spread: RumourSpread, risk: RumourRisk, status: RumourStatus, 
/**
 * What checking found.
 */
findings?: string, control_actions?: Array<RumourControlAction>, 
/**
 * When it was confirmed or refuted (set by the move, cleared when it is reopened):
 * with the record's `occurred_at`, the rumour's time to verify.
 */
verified_at?: string, };

export type RumourRisk = "low" | "medium" | "high";

export type RumourSource = "crowd" | "social_media" | "organiser" | "colleague" | "other";

export type RumourSpread = "isolated" | "local" | "widespread";

export type RumourStatus = "reported" | "being_checked" | "confirmed" | "refuted" | "unresolved";

/**
 * A named part of the operation's area, e.g. "Sector 2: Victoria Square".
 */
export type Sector = { name: string, 
/**
 * Boundary ring, at least three vertices; it need not repeat the first vertex at the end.
 */
boundary: Array<LatLon>, };

/**
 * How a count is published.
 */
export type Shown = { "shown": "count", "count": number } | { "shown": "small" } | { "shown": "suppressed" };

/**
 * Sign-in form.
 */
export type SignIn = { username: string, password: string, };

/**
 * Who signed the debrief off, and when.
 */
export type SignOff = { 
/**
 * The console username.
 */
by: string, name: string, at: string, 
/**
 * The [`records_digest`] of the records at sign-off.
 */
records_sha256: string, };

/**
 * How far the source can be relied on (the "3" of 3x5x2).
 */
export type SourceEvaluation = "reliable" | "untested" | "not_reliable";

export type SourceKind = "officer_observation" | "member_of_public" | "partner" | "other";

/**
 * A member of staff as the console lists them (never their password hash).
 */
export type Staff = { username: string, display_name: string, role: StaffRole, 
/**
 * The officer (collar number) this account belongs to, when its holder is an officer in
 * the directory of people: their operations and their edits are theirs.
 */
officer: string | null, created_at: string, 
/**
 * Locked after too many wrong passwords, until this time.
 */
locked_until: string | null, disabled: boolean, };

/**
 * What a member of staff may do in the console. The route matrix
 * ([`super::matrix::ROUTES`]) names, for every route, the roles allowed.
 */
export type StaffRole = "admin" | "gold" | "silver" | "bronze" | "supervisor" | "officer";

/**
 * A change to a staff account (force admin only): role, name, the officer it belongs to,
 * disabled or not, and a new password when one is given. Disabling an account or setting
 * its password ends every session it has.
 */
export type StaffUpdate = { display_name: string, role: StaffRole, officer: string | null, disabled: boolean, 
/**
 * A new password (at least 12 characters); empty or absent keeps the current one.
 */
password: string | null, };

export type TaskStatus = "open" | "in_progress" | "done" | "declined";

export type Tasking = { title: string, incident_type: IncidentType, 
/**
 * The briefing item it comes from.
 */
briefing_ref?: string, details?: string, due?: string | null, status: TaskStatus, result?: string, 
/**
 * The officer given the task, when a supervisor gave it (from the console); None for an
 * officer's own neighbourhood task. Absent from older records, so their hashes stand.
 */
assigned_to?: OfficerId | null, 
/**
 * Why a task the deployment check marks unsuited (policy 2.8.3) is given to a PCSO
 * anyway; see [`check_assignment`].
 */
override_reason?: string, };

/**
 * The tasks given, and what the form needs to run the deployment check as it is filled in
 * (the core's check of every incident type, so the page never keeps its own list).
 */
export type TaskingBoard = { taskings: Array<TaskingView>, incident_types: Array<IncidentTypeCheck>, };

/**
 * A task given from the console, at its current revision: the officer's status and result
 * come back by the ordinary sync.
 */
export type TaskingView = { record_id: string, 
/**
 * The current revision.
 */
revision: string, tasking: Tasking, 
/**
 * The assignee as the directory names them, when listed.
 */
assignee_name: string | null, assignee_is_pcso: boolean, 
/**
 * The deployment check of the incident type (policy 2.8.3).
 */
check: DeploymentCheck, 
/**
 * Who gave it (the first revision's author) and when the server stored it.
 */
given_by: string, given_at: string, 
/**
 * Who made the current revision, and when the server received it.
 */
updated_by: string, updated_at: string, };

/**
 * A team member's tablets, for the live picture.
 */
export type TeamDevice = { officer: string, role: string, device_id: string | null, last_contact: string | null, };

/**
 * An officer deployed on the operation and their role ("PLT team leader", "PLO", "Bronze").
 */
export type TeamMember = { officer: OfficerId, role: string, };

/**
 * One team's abstractions in one month.
 */
export type TeamMonth = { team: string, 
/**
 * "2026-11".
 */
month: string, abstractions: number, hours: number, 
/**
 * Officers in the team in the directory.
 */
officers: number, 
/**
 * Hours abstracted as a percentage of the team's contracted hours in the month.
 */
rate_percent: number, };

export type TensionReading = { mood: Mood, crowd_estimate?: number | null, note?: string, };

/**
 * A picture's thumbnail: a JPEG of at most [`MAX_THUMBNAIL_BYTES`], by its SHA-256 and size.
 */
export type Thumbnail = { sha256: string, size: number, };

export type Venue = { name: string, address?: string, manager?: string | null, phone?: string, notes?: string, };

/** A server-sent event of the live picture (`event: record`). */
export type LiveEvent = LiveRecord;
