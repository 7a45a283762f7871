// Generated from the Rust types by src-tauri/src/bindings.rs. Do not edit by hand:
// run `UPDATE_BINDINGS=1 cargo test -p liaison-app bindings` after changing a type or a command.
/* eslint-disable */
import { invoke } from "@tauri-apps/api/core";

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

export type AbstractionCard = { record_id: string, occurred_at: string, abstraction: Abstraction, };

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

export type AppError = { kind: ErrorKind, message: string, 
/**
 * The first field concerned, if any.
 */
field: string | null, 
/**
 * Every field concerned (validation reports all problems at once).
 */
problems: Array<FieldProblem>, };

/**
 * What the status strip shows: who is signed in, and where sync stands.
 */
export type AppStatus = { officer: OfficerId, device_id: string, 
/**
 * Revisions made here that the force server does not hold yet (quarantined ones apart).
 */
waiting_to_sync: number, 
/**
 * Of those, escalations and rumours: they go first.
 */
urgent_waiting: number, 
/**
 * This device is enrolled with a force server.
 */
enrolled: boolean, last_success_at: string | null, 
/**
 * What went wrong with the last attempt, in words the officer can act on.
 */
last_error: string | null, 
/**
 * The server has revoked this device.
 */
revoked: boolean, 
/**
 * Revisions the server refused, with its reason; they are not retried.
 */
quarantined: Array<QuarantineNote>, 
/**
 * Present while a sync is running: for the progress bar.
 */
progress: SyncBar | null, 
/**
 * Photos, screenshots and audio notes waiting to go, counted apart from records.
 */
media_waiting: MediaWaiting, };

/**
 * The attachment as the record will name it, and what was taken out of the file.
 */
export type Attached = { attachment: Attachment, 
/**
 * "EXIF (location, camera, time)", …: empty when nothing was there or it was kept.
 */
removed: Array<string>, 
/**
 * The same file was already on this tablet (it is kept once).
 */
already_held: boolean, };

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
 * What a capture form starts with: now, the sectors to pick from and the officer's last one.
 */
export type CaptureDefaults = { occurred_at: string, sectors: Array<string>, sector: string | null, };

/**
 * One value of a closed list and how it is shown.
 */
export type Choice<T> = { value: T, label: string, };

/**
 * Recorded later: was the agreement kept?
 */
export type Compliance = "kept" | "partly_kept" | "not_kept";

/**
 * Concurrent edits of one record, side by side: every head, the shown one first.
 */
export type Conflict = { versions: Array<ConflictVersion>, };

export type ConflictVersion = { revision_id: string, author: OfficerId, recorded_at: string, reason: string | null, 
/**
 * The version every device shows until it is resolved (the highest clock wins).
 */
shown: boolean, 
/**
 * How this version differs from the shown one (`before`: shown, `after`: this one).
 */
differences: Array<FieldChange>, };

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
 * A record as it stands now, derived from its revisions.
 */
export type CurrentRecord = { record_id: string, kind: RecordKind, revision_id: string, record: Record, 
/**
 * Who created it.
 */
author: OfficerId, 
/**
 * Who made the current revision.
 */
updated_by: OfficerId, updated_at: string, revision_count: number, 
/**
 * More than one: concurrent edits on different devices are not yet resolved.
 */
open_heads: number, };

/**
 * Where the previous page ended (keyset paging).
 */
export type Cursor = { occurred_at: string, record_id: string, };

/**
 * The answer to "may a PCSO be sent to this first?".
 */
export type DeploymentCheck = { "verdict": "suitable" } | { "verdict": "unsuited_as_first_response", category: string, advice: string, };

/**
 * What an officer typed into a capture form and has not saved yet.
 */
export type Draft = { key: string, officer: OfficerId, saved_at: string, 
/**
 * The form's state as JSON; the store does not interpret it.
 */
content: string, };

/**
 * What a checked enrolment string will do, shown before the passcode is set.
 */
export type EnrolmentCheck = { server_url: string, 
/**
 * The string names a force CA, which the tablet will trust and nothing else.
 */
pins_force_ca: boolean, };

/**
 * Why an enrolment attempt failed, in words for the officer.
 */
export type EnrolmentProblem = { message: string, 
/**
 * No coverage or a server in trouble: trying again later can work. Otherwise the string
 * itself was refused and a new one is needed.
 */
retry_may_help: boolean, };

/**
 * Where the tablet stands with its force, for the first screens.
 */
export type EnrolmentView = { "state": "unknown" } | { "state": "needed" } | { "state": "pending", server_url: string, 
/**
 * An attempt is under way.
 */
trying: boolean, 
/**
 * Why the last attempt failed, if it did.
 */
problem: EnrolmentProblem | null, } | { "state": "enrolled", officer: OfficerId, server_url: string, };

/**
 * The few situations the UI treats differently.
 */
export type ErrorKind = "validation" | "reason_required" | "purpose_required" | "not_found" | "storage" | "locked" | "passcode" | "wiped" | "enrolment" | "not_enrolled";

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
 * An escalation raised outside an operation: the officer's own, or (on a supervisor's
 * tablet) one of their officers', which the server sends to the supervisor too.
 */
export type EscalationCard = { record_id: string, raised_by: OfficerId, escalation: Escalation, };

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
 * One field that differs between a revision and its parent. Paths are the record's JSON
 * paths (`body.status`, `body.conditions[1]`), the same names validation errors use.
 */
export type FieldChange = { field: string, before: string | null, after: string | null, };

/**
 * One field's problem, with the field's path and a message that reads after its label.
 */
export type FieldProblem = { field: string, message: string, };

/**
 * What the map is told about the force's own tiles.
 */
export type ForceMap = { "state": "none" } | { "state": "ready", tiles: TilesInfo, } | { "state": "refused", file: string, message: string, };

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
 * An incident type, with the policy heading (2.8.3) when it is unsuited to a PCSO first response.
 */
export type IncidentChoice = { value: IncidentType, label: string, unsuited_category: string | null, };

/**
 * Incident types a task can concern. The first group is ordinary neighbourhood work; the
 * rest are the policy's list of incidents unsuited to a PCSO first response.
 */
export type IncidentType = "reassurance_patrol" | "community_engagement" | "antisocial_behaviour" | "hate_crime_support" | "victim_visit" | "low_level_disorder_after_the_event" | "area_search_support" | "other" | "violence_in_progress" | "threats_with_weapons" | "knife_crime" | "firearms" | "affray_or_violent_disorder" | "domestic_abuse" | "stalking_suspect_present" | "self_harm_in_progress" | "mental_health_crisis_immediate_risk" | "serious_sexual_offence" | "serious_assault" | "child_abuse" | "high_risk_missing_person" | "sudden_death" | "burglary_in_progress" | "robbery_in_progress" | "riot_or_large_scale_disorder" | "hostile_protest" | "counter_protest" | "football_disorder" | "suspects_fleeing" | "warrant_execution" | "bail_or_court_order_breach" | "premises_search" | "serious_collision" | "fatal_or_serious_injury_collision" | "live_lane_incident" | "drink_drug_driving" | "terrorism" | "hazardous_materials" | "water_rescue" | "dangerous_animals" | "structural_collapse_or_fire";

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
 * What keeps this tablet's database key, for the passcode screen.
 */
export type KeyGuardKind = "software" | "tpm" | "android_strongbox" | "secure_enclave";

/**
 * A vertex of an area or sector boundary (WGS84 degrees).
 */
export type LatLon = { lat: number, lon: number, };

/**
 * Where something happened, as the platform reported it (or as the officer placed it on the map).
 */
export type Location = { lat: number, lon: number, 
/**
 * Radius of the 68% confidence circle, metres. None when placed by hand.
 */
accuracy_m?: number | null, };

/**
 * Where the lock stands, for the lock screen and the status strip.
 */
export type LockState = { "state": "not_set_up" } | { "state": "locked" } | { "state": "unlocked", 
/**
 * Seconds until the idle lock, if nothing is done.
 */
idle_lock_in_s: number, };

/**
 * What the lock screen shows. Holds no record data, so it is answered while locked.
 */
export type LockView = { lock: LockState, 
/**
 * Why this device's data was destroyed, until the officer acknowledges it.
 */
wiped: WipeNotice | null, 
/**
 * Shortest passcode accepted.
 */
passcode_min: number, 
/**
 * What keeps the database key: the passcode screen says when no hardware does.
 */
key_guard: KeyGuardKind, 
/**
 * The passcode rule in words, shown under the new passcode's field.
 */
passcode_rule: string, 
/**
 * The idle lock, in seconds.
 */
idle_lock_after_s: number, enrolment: EnrolmentView, };

/**
 * A record with a position, as a pin that opens it.
 */
export type MapPin = { record_id: string, kind: RecordKind, title: string, occurred_at: string, location: Location, sector: string | null, };

/**
 * One sector, shaded by its latest tension reading.
 */
export type MapSector = { name: string, boundary: Array<LatLon>, latest: TensionPoint | null, };

/**
 * The media types a record may carry, each recognised by its first bytes (the name or
 * the type a browser claims is never trusted).
 */
export type MediaType = "jpeg" | "png" | "webp" | "mp4_audio" | "ogg" | "webm" | "wav";

/**
 * Attached files waiting to go to the force server, for the status strip.
 */
export type MediaWaiting = { photos: number, screenshots: number, audio_notes: number, 
/**
 * Their bytes, thumbnails included.
 */
bytes: number, };

/**
 * A monitored hate-crime strand: the five the police monitor nationally (race, religion,
 * sexual orientation, disability, transgender identity) and alternative subculture, which
 * several forces monitor locally. A record may carry more than one (a crime can be
 * motivated by hostility on more than one ground); each is counted.
 */
export type MonitoredStrand = "sexual_orientation" | "transgender_identity" | "race" | "religion" | "disability" | "alternative_subculture";

/**
 * The fixed mood scale, calm (1) to hostile (5). Fixed so readings by different
 * officers in different sectors can be drawn on one chart.
 */
export type Mood = "calm" | "good_natured" | "uneasy" | "tense" | "hostile";

export type NegotiationCard = { record_id: string, occurred_at: string, sector: string | null, revision_count: number, negotiation: NegotiationOutcome, 
/**
 * An agreement whose compliance has not been recorded yet.
 */
awaiting_compliance: boolean, };

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

export type Neighbourhood = { 
/**
 * Unacknowledged first, then newest first.
 */
escalations: Array<EscalationCard>, taskings: Array<TaskingCard>, abstractions: Array<AbstractionCard>, 
/**
 * Titles only: a referral names a member of the public, so opening it is logged.
 */
referrals: Array<RecordSummary>, intelligence: Array<RecordSummary>, };

/**
 * What the officer chose to attach.
 */
export type NewAttachment = { kind: AttachmentKind, 
/**
 * Keep the picture's location metadata (it is taken out otherwise).
 */
keep_location: boolean, caption: string, };

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
 * The team's picture of an operation at a glance.
 */
export type OperationHome = { operation_id: string, operation: Operation, 
/**
 * Names of the groups expected, in the order briefed.
 */
groups_expected: Array<RecordSummary>, rumours: RumourCounts, 
/**
 * Agreed or partly agreed negotiations.
 */
agreements: number, 
/**
 * Agreements whose compliance is still to be recorded.
 */
awaiting_compliance: number, 
/**
 * Agreements recorded as not (or only partly) kept.
 */
broken_agreements: number, escalations: number, tension: Array<SectorTension>, contact_notes: number, };

/**
 * What the operation's map shows.
 */
export type OperationMap = { operation_id: string, area: Array<LatLon>, sectors: Array<MapSector>, 
/**
 * Oldest first, so the newest is drawn on top.
 */
pins: Array<MapPin>, 
/**
 * More records have a position than [`PINS_MAX`]: only the newest are pinned.
 */
more_located: boolean, };

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
 * The five core functions of a Police Liaison Team officer (national role profile).
 */
export type PltFunction = "negotiation" | "mediation" | "initiation" | "communication" | "sensing";

/**
 * A revision the server refused, as the officer is told about it.
 */
export type QuarantineNote = { revision_id: string, reason: string, message: string, };

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

export type RecordDetail = { current: CurrentRecord, kind_label: string, 
/**
 * Oldest first.
 */
history: Array<RevisionView>, 
/**
 * Present while the record was edited on two devices at once and not yet resolved.
 */
conflict: Conflict | null, 
/**
 * This device's changes to the record that the force server refused, not yet corrected:
 * the next edit is the correction, and goes in their place.
 */
refusals: Array<Refusal>, };

/**
 * The kind of a record without its content: for filters, indexes and the wire.
 */
export type RecordKind = "operation" | "person" | "group" | "venue" | "agency" | "contact_note" | "rumour_report" | "negotiation_outcome" | "tension_reading" | "escalation" | "tasking" | "abstraction" | "referral" | "intelligence_submission";

/**
 * One line of a list or timeline.
 */
export type RecordSummary = { record_id: string, kind: RecordKind, title: string, operation_id: string | null, author: OfficerId, occurred_at: string, 
/**
 * When and by whom the current revision was made: for a directory entry, when it was
 * last confirmed (an edit, or a confirmation that it is still current).
 */
updated_at: string, updated_by: OfficerId, sector: string | null, revision_count: number, open_heads: number, };

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

export type Refusal = { revision_id: string, 
/**
 * A stable code (`invalid`, `not_assigned`, `clock_ahead`…).
 */
reason: string, message: string, at: string, };

/**
 * What the supervisor decided.
 */
export type ReviewOutcome = "accepted" | "returned";

export type RevisionView = { revision_id: string, author: OfficerId, recorded_at: string, 
/**
 * None for the first revision (the record's creation).
 */
reason: string | null, changes: Array<FieldChange>, hash: string, };

export type RumourCard = { record_id: string, occurred_at: string, sector: string | null, updated_at: string, revision_count: number, report: RumourReport, 
/**
 * The lifecycle moves allowed from the current status.
 */
next: Array<RumourStatus>, 
/**
 * From heard to confirmed or refuted, in seconds; None while not verified.
 */
time_to_verify_s: number | null, };

/**
 * Rumour control: who was told what, when.
 */
export type RumourControlAction = { at: string, told: string, message: string, };

export type RumourCounts = { open: number, reported: number, being_checked: number, confirmed: number, refuted: number, unresolved: number, };

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
 * What a successful save tells the caller. Once returned, the revision is on disk.
 */
export type Saved = { record_id: string, revision_id: string, device_seq: number, hash: string, 
/**
 * The sector the record was placed in (given, or found from its location).
 */
sector: string | null, };

/**
 * A debrief saved on the tablet, as the screen reports it.
 */
export type SavedReport = { 
/**
 * Where the PDF is (the `reports` folder beside the database, private to the app).
 */
path: string, bytes: number, records: number, records_sha256: string, };

export type SearchHit = { record_id: string, kind: RecordKind, title: string, operation_id: string | null, occurred_at: string, sector: string | null, author: OfficerId, snippet: Array<SnippetPart>, 
/**
 * BM25 score; lower is better.
 */
score: number, };

/**
 * A search as the officer typed it, with optional filters.
 */
export type SearchQuery = { 
/**
 * Words to find; every word must match. A word ending in `*` matches as a prefix.
 */
text: string, operation_id: string | null, kind: RecordKind | null, from: string | null, to: string | null, sector: string | null, author: OfficerId | null, 
/**
 * At most this many hits (default 20, at most 100).
 */
limit: number, };

/**
 * A named part of the operation's area, e.g. "Sector 2: Victoria Square".
 */
export type Sector = { name: string, 
/**
 * Boundary ring, at least three vertices; it need not repeat the first vertex at the end.
 */
boundary: Array<LatLon>, };

/**
 * The latest mood in one sector.
 */
export type SectorTension = { sector: string, latest: TensionPoint | null, };

/**
 * A piece of a snippet: matched words are marked so the UI can highlight them without
 * interpreting any markup from the record text.
 */
export type SnippetPart = { text: string, hit: boolean, };

/**
 * How far the source can be relied on (the "3" of 3x5x2).
 */
export type SourceEvaluation = "reliable" | "untested" | "not_reliable";

export type SourceKind = "officer_observation" | "member_of_public" | "partner" | "other";

/**
 * A running sync's progress.
 */
export type SyncBar = { 
/**
 * "pushing", "pulling" or "sending_media" (done and total then in bytes).
 */
phase: string, done: number, total: number, };

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

export type TaskingCard = { record_id: string, occurred_at: string, tasking: Tasking, check: DeploymentCheck, 
/**
 * Who gave the task, when someone other than the officer it is for (a supervisor, from
 * the console); None for the officer's own task.
 */
given_by: OfficerId | null, };

/**
 * An officer deployed on the operation and their role ("PLT team leader", "PLO", "Bronze").
 */
export type TeamMember = { officer: OfficerId, role: string, };

/**
 * One tension reading on the chart.
 */
export type TensionPoint = { record_id: string, sector: string | null, at: string, mood: Mood, 
/**
 * 1 (calm) to 5 (hostile).
 */
level: number, crowd_estimate: number | null, };

export type TensionReading = { mood: Mood, crowd_estimate?: number | null, note?: string, };

/**
 * Mood by sector over time, oldest first, with the operation's sectors and time span.
 */
export type TensionSeries = { sectors: Array<string>, starts_at: string, ends_at: string, points: Array<TensionPoint>, };

/**
 * A picture's thumbnail: a JPEG of at most [`MAX_THUMBNAIL_BYTES`], by its SHA-256 and size.
 */
export type Thumbnail = { sha256: string, size: number, };

/**
 * The area the tiles cover, in degrees.
 */
export type TileBounds = { west: number, south: number, east: number, north: number, };

/**
 * An archive that passed its checks, as the map needs to know it.
 */
export type TilesInfo = { 
/**
 * The file's name (not its path).
 */
file: string, 
/**
 * "png", "jpeg" or "webp".
 */
format: string, min_zoom: number, max_zoom: number, 
/**
 * None when the file gives no usable bounds: tiles are then asked for anywhere.
 */
bounds: TileBounds | null, 
/**
 * Whose map it is, from the file's metadata ("© Ordnance Survey …"); may be empty.
 */
attribution: string, };

export type TimelinePage = { items: Array<RecordSummary>, 
/**
 * Pass as `after` for the next page; None at the end.
 */
next: Cursor | null, };

/**
 * A page of the timeline: all kinds unless filtered, newest first.
 */
export type TimelineQuery = { operation_id: string | null, kinds: Array<RecordKind>, sector: string | null, after: Cursor | null, 
/**
 * Page size: 1 to 200 (default 50).
 */
limit: number, };

export type Venue = { name: string, address?: string, manager?: string | null, phone?: string, notes?: string, };

export type Vocabulary = { record_kind: Array<Choice<RecordKind>>, event_kind: Array<Choice<EventKind>>, plt_function: Array<Choice<PltFunction>>, mood: Array<Choice<Mood>>, rumour_status: Array<Choice<RumourStatus>>, rumour_source: Array<Choice<RumourSource>>, rumour_spread: Array<Choice<RumourSpread>>, rumour_risk: Array<Choice<RumourRisk>>, negotiation_subject: Array<Choice<NegotiationSubject>>, outcome: Array<Choice<Outcome>>, compliance: Array<Choice<Compliance>>, escalation_kind: Array<Choice<EscalationKind>>, escalation_to: Array<Choice<EscalationTo>>, escalation_decision: Array<Choice<EscalationDecision>>, abstraction_outcome: Array<Choice<AbstractionOutcome>>, task_status: Array<Choice<TaskStatus>>, incident_type: Array<IncidentChoice>, source_kind: Array<Choice<SourceKind>>, 
/**
 * Intelligence grading (3x5x2) and quality-assurance outcome, as a review shows them.
 */
source_evaluation: Array<Choice<SourceEvaluation>>, intel_assessment: Array<Choice<IntelAssessment>>, handling_code: Array<Choice<HandlingCode>>, review_outcome: Array<Choice<ReviewOutcome>>, person_role: Array<Choice<PersonRole>>, group_kind: Array<Choice<GroupKind>>, 
/**
 * Hate-crime monitoring: the strands a contact note, referral or escalation may carry,
 * and what came of a referral.
 */
monitored_strand: Array<Choice<MonitoredStrand>>, referral_result: Array<Choice<ReferralResult>>, };

/**
 * What the officer is told after a wipe, until they acknowledge it. Kept in a small file
 * beside the (now absent) database; it holds no personal data.
 */
export type WipeNotice = { reason: WipeReason, at: string, 
/**
 * Records made here that the force server did not hold when the data was destroyed;
 * `None` when that could not be known (the database could no longer be opened).
 */
unsynced_lost: number | null, 
/**
 * The sentence the officer reads.
 */
message: string, };

/**
 * Why this device's data was destroyed.
 */
export type WipeReason = "too_many_attempts" | "revoked";

/** Every command of the shell. A rejected promise carries an `AppError`. */
export const commands = {
  lockState: (): Promise<LockView> => invoke<LockView>("lock_state"),
  checkEnrolment: (enrolment: string): Promise<EnrolmentCheck> => invoke<EnrolmentCheck>("check_enrolment", { enrolment }),
  enrolmentPrefill: (): Promise<string | null> => invoke<string | null>("enrolment_prefill"),
  setUpPasscode: (passcode: string, enrolment: string): Promise<LockView> => invoke<LockView>("set_up_passcode", { passcode, enrolment }),
  enrol: (replacement: string | null): Promise<LockView> => invoke<LockView>("enrol", { replacement }),
  unlock: (passcode: string): Promise<LockView> => invoke<LockView>("unlock", { passcode }),
  lockNow: (): Promise<LockView> => invoke<LockView>("lock_now"),
  changePasscode: (current: string, newPasscode: string): Promise<boolean> => invoke<boolean>("change_passcode", { current, newPasscode }),
  acknowledgeWipe: (): Promise<LockView> => invoke<LockView>("acknowledge_wipe"),
  activity: (): Promise<LockView> => invoke<LockView>("activity"),
  status: (): Promise<AppStatus> => invoke<AppStatus>("status"),
  syncNow: (): Promise<boolean> => invoke<boolean>("sync_now"),
  coverageReturned: (): Promise<boolean> => invoke<boolean>("coverage_returned"),
  vocabulary: (): Promise<Vocabulary> => invoke<Vocabulary>("vocabulary"),
  operations: (): Promise<Array<RecordSummary>> => invoke<Array<RecordSummary>>("operations"),
  resumeOperation: (): Promise<string | null> => invoke<string | null>("resume_operation"),
  operationHome: (operationId: string): Promise<OperationHome> => invoke<OperationHome>("operation_home", { operationId }),
  tensionSeries: (operationId: string): Promise<TensionSeries> => invoke<TensionSeries>("tension_series", { operationId }),
  captureDefaults: (operationId: string): Promise<CaptureDefaults> => invoke<CaptureDefaults>("capture_defaults", { operationId }),
  debriefPdf: (operationId: string, purpose: string): Promise<SavedReport> => invoke<SavedReport>("debrief_pdf", { operationId, purpose }),
  operationMap: (operationId: string): Promise<OperationMap> => invoke<OperationMap>("operation_map", { operationId }),
  forceMap: (): Promise<ForceMap> => invoke<ForceMap>("force_map"),
  timeline: (query: TimelineQuery): Promise<TimelinePage> => invoke<TimelinePage>("timeline", { query }),
  search: (query: SearchQuery): Promise<Array<SearchHit>> => invoke<Array<SearchHit>>("search", { query }),
  directory: (): Promise<Array<RecordSummary>> => invoke<Array<RecordSummary>>("directory"),
  confirmDirectoryEntry: (recordId: string): Promise<Saved> => invoke<Saved>("confirm_directory_entry", { recordId }),
  recordDetail: (recordId: string, purpose: string | null): Promise<RecordDetail> => invoke<RecordDetail>("record_detail", { recordId, purpose }),
  createRecord: (record: Record, draft: string | null): Promise<Saved> => invoke<Saved>("create_record", { record, draft }),
  editRecord: (recordId: string, record: Record, reason: string, draft: string | null): Promise<Saved> => invoke<Saved>("edit_record", { recordId, record, reason, draft }),
  mergeVersions: (recordId: string, keep: string, other: string, reason: string): Promise<Saved> => invoke<Saved>("merge_versions", { recordId, keep, other, reason }),
  intelligenceDraftFromNote: (noteId: string): Promise<IntelligenceSubmission> => invoke<IntelligenceSubmission>("intelligence_draft_from_note", { noteId }),
  submitNoteAsIntelligence: (noteId: string, submission: IntelligenceSubmission, reason: string): Promise<Saved> => invoke<Saved>("submit_note_as_intelligence", { noteId, submission, reason }),
  rumourBoard: (operationId: string): Promise<Array<RumourCard>> => invoke<Array<RumourCard>>("rumour_board", { operationId }),
  setRumourStatus: (recordId: string, status: RumourStatus, findings: string | null): Promise<Saved> => invoke<Saved>("set_rumour_status", { recordId, status, findings }),
  addRumourControl: (recordId: string, told: string, message: string): Promise<Saved> => invoke<Saved>("add_rumour_control", { recordId, told, message }),
  negotiations: (operationId: string): Promise<Array<NegotiationCard>> => invoke<Array<NegotiationCard>>("negotiations", { operationId }),
  recordCompliance: (recordId: string, compliance: Compliance, note: string): Promise<Saved> => invoke<Saved>("record_compliance", { recordId, compliance, note }),
  neighbourhood: (): Promise<Neighbourhood> => invoke<Neighbourhood>("neighbourhood"),
  deploymentCheck: (incident: IncidentType): Promise<DeploymentCheck> => invoke<DeploymentCheck>("deployment_check", { incident }),
  saveDraft: (key: string, content: string): Promise<Draft> => invoke<Draft>("save_draft", { key, content }),
  loadDraft: (key: string): Promise<Draft | null> => invoke<Draft | null>("load_draft", { key }),
  discardDraft: (key: string): Promise<boolean> => invoke<boolean>("discard_draft", { key }),
  attachFile: (attachment: NewAttachment, file: string, thumbnail: string | null): Promise<Attached> => invoke<Attached>("attach_file", { attachment, file, thumbnail }),
  mediaFile: (sha256: string): Promise<string> => invoke<string>("media_file", { sha256 }),
};
