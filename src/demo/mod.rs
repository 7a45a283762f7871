//! A realistic demonstration operation: a march through Birmingham city centre ending in a
//! static rally, with an organising group, a trades union bloc and a counter-protest; a PLT of
//! five; a dozen contacts; dozens of engagement notes; rumours at every stage of their
//! lifecycle; negotiations with every outcome; tension readings in four sectors over five
//! hours; and some neighbourhood work. Deterministic for a given seed, so tests can rely on it.
//!
//! All names are invented. Demonstration data never goes into a real tablet's evidence: the
//! force server's `liaison-server demo` writes [`plan`] into the server's own chain, and the demo
//! tablet receives it by the ordinary pull. [`generate`] writes the same records straight into a
//! store, for tests and benchmarks only.

use crate::records::*;
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use std::collections::HashMap;

/// What the generator made, for tests and the run command's log.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DemoSummary {
    pub operation_id: Option<RecordId>,
    pub records: usize,
    pub revisions: usize,
    pub contact_notes: usize,
    pub rumours: usize,
    pub negotiations: usize,
    pub tension_readings: usize,
}

pub const TEAM_LEADER: &str = "PS 2817";
pub const OFFICERS: [&str; 4] = ["PC 4521", "PC 1190", "PC 3342", "PC 5067"];
pub const PCSO: &str = "PCSO 7781";

/// Everyone on the demo operation's team: the leader and the PLOs (the PCSO is not on it).
pub fn team() -> Vec<&'static str> {
    std::iter::once(TEAM_LEADER).chain(OFFICERS).collect()
}

/// One revision of the demonstration data, as an officer would have made it: a new record
/// (no reason) or an edit of one made earlier in the plan (with its reason).
#[derive(Debug, Clone, PartialEq)]
pub struct DemoRevision {
    pub author: OfficerId,
    pub record_id: RecordId,
    /// The whole record after this revision, normalised and valid.
    pub record: Record,
    /// Why it was changed; None for a record's first revision.
    pub reason: Option<String>,
}

/// The demonstration data as a list of revisions in the order they were made, with what it
/// holds. Record ids are made here (deterministic for a seed) and links refer to them.
#[derive(Debug, Clone)]
pub struct DemoPlan {
    pub revisions: Vec<DemoRevision>,
    pub summary: DemoSummary,
}

/// Where the generator's records go: a list ([`plan`]) or a store ([`generate`]).
trait Sink {
    type Error;
    fn create(&mut self, author: &OfficerId, record: Record) -> std::result::Result<RecordId, Self::Error>;
    fn edit(
        &mut self,
        author: &OfficerId,
        id: RecordId,
        record: Record,
        reason: &str,
    ) -> std::result::Result<(), Self::Error>;
}

#[cfg(feature = "device")]
impl Sink for crate::store::Store {
    type Error = crate::store::StoreError;
    fn create(&mut self, author: &OfficerId, record: Record) -> crate::store::Result<RecordId> {
        Ok(crate::store::Store::create(self, author, record)?.record_id)
    }
    fn edit(&mut self, author: &OfficerId, id: RecordId, record: Record, reason: &str) -> crate::store::Result<()> {
        crate::store::Store::edit(self, author, id, record, reason).map(|_| ())
    }
}

/// Collects revisions, checking each record as a device would before saving it.
struct Collect {
    rng: fastrand::Rng,
    revisions: Vec<DemoRevision>,
}

impl Sink for Collect {
    type Error = ValidationError;
    fn create(&mut self, author: &OfficerId, mut record: Record) -> std::result::Result<RecordId, ValidationError> {
        record.normalise();
        record.validate()?;
        let id = uuid::Builder::from_random_bytes(self.rng.u128(..).to_le_bytes()).into_uuid();
        self.revisions.push(DemoRevision {
            author: author.clone(),
            record_id: id,
            record,
            reason: None,
        });
        Ok(id)
    }
    fn edit(
        &mut self,
        author: &OfficerId,
        id: RecordId,
        mut record: Record,
        reason: &str,
    ) -> std::result::Result<(), ValidationError> {
        record.normalise();
        record.validate()?;
        self.revisions.push(DemoRevision {
            author: author.clone(),
            record_id: id,
            record,
            reason: Some(reason.to_string()),
        });
        Ok(())
    }
}

fn officer(s: &str) -> OfficerId {
    OfficerId::new(s).expect("demo officer ids are valid")
}

fn ring(points: &[(f64, f64)]) -> Vec<LatLon> {
    points.iter().map(|&(lat, lon)| LatLon { lat, lon }).collect()
}

/// The four sectors, west to east along the route, and a point inside each.
pub const SECTORS: [(&str, (f64, f64)); 4] = [
    ("Sector 1: Centenary Square", (52.4795, -1.9075)),
    ("Sector 2: Broad Street", (52.4775, -1.9135)),
    ("Sector 3: New Street", (52.4785, -1.8985)),
    ("Sector 4: Victoria Square", (52.4800, -1.9030)),
];

fn sector_boundaries() -> Vec<Sector> {
    vec![
        Sector {
            name: SECTORS[0].0.into(),
            boundary: ring(&[
                (52.4780, -1.9100),
                (52.4780, -1.9050),
                (52.4810, -1.9050),
                (52.4810, -1.9100),
            ]),
        },
        Sector {
            name: SECTORS[1].0.into(),
            boundary: ring(&[
                (52.4760, -1.9170),
                (52.4760, -1.9100),
                (52.4790, -1.9100),
                (52.4790, -1.9170),
            ]),
        },
        Sector {
            name: SECTORS[2].0.into(),
            boundary: ring(&[
                (52.4770, -1.9010),
                (52.4770, -1.8950),
                (52.4800, -1.8950),
                (52.4800, -1.9010),
            ]),
        },
        Sector {
            name: SECTORS[3].0.into(),
            boundary: ring(&[
                (52.4790, -1.9050),
                (52.4790, -1.9010),
                (52.4815, -1.9010),
                (52.4815, -1.9050),
            ]),
        },
    ]
}

struct Gen<'a, S: Sink> {
    sink: &'a mut S,
    rng: fastrand::Rng,
    start: DateTime<Utc>,
    op: Option<RecordId>,
    summary: DemoSummary,
    /// Each record as last saved, for the edits.
    current: HashMap<RecordId, Record>,
}

impl<S: Sink> Gen<'_, S> {
    fn at(&self, minutes: i64) -> DateTime<Utc> {
        self.start + Duration::minutes(minutes)
    }

    fn located(&mut self, sector: usize) -> Option<Location> {
        let (lat, lon) = SECTORS[sector].1;
        Some(Location {
            lat: lat + (self.rng.f64() - 0.5) * 0.0006,
            lon: lon + (self.rng.f64() - 0.5) * 0.0006,
            accuracy_m: Some(4.0 + self.rng.f64() * 12.0),
        })
    }

    fn save(
        &mut self,
        who: &str,
        minutes: i64,
        sector: Option<usize>,
        links: Vec<RecordId>,
        body: Body,
    ) -> std::result::Result<RecordId, S::Error> {
        let location = match sector {
            Some(s) => self.located(s),
            None => None,
        };
        let operation_id = match body.kind() {
            RecordKind::Operation | RecordKind::Person | RecordKind::Group | RecordKind::Venue | RecordKind::Agency => {
                None
            }
            RecordKind::Tasking
            | RecordKind::Abstraction
            | RecordKind::Referral
            | RecordKind::IntelligenceSubmission => None,
            _ => self.op,
        };
        // Placed in its sector here, as a tablet would place it from the location, so the
        // records read the same wherever they are stored.
        let sector_name = match (operation_id, sector) {
            (Some(_), Some(s)) => Some(SECTORS[s].0.to_string()),
            _ => None,
        };
        let record = Record {
            operation_id,
            occurred_at: self.at(minutes),
            location,
            sector: sector_name,
            links,
            tags: vec![],
            attachments: vec![],
            body,
        };
        let id = self.sink.create(&officer(who), record.clone())?;
        self.current.insert(id, record);
        self.summary.records += 1;
        self.summary.revisions += 1;
        Ok(id)
    }

    /// A record of neighbourhood or liaison work outside the operation (no place: the area
    /// it counts in is the officer's team).
    fn save_outside(
        &mut self,
        who: &str,
        minutes: i64,
        links: Vec<RecordId>,
        body: Body,
    ) -> std::result::Result<RecordId, S::Error> {
        let record = Record {
            operation_id: None,
            occurred_at: self.at(minutes),
            location: None,
            sector: None,
            links,
            tags: vec![],
            attachments: vec![],
            body,
        };
        let id = self.sink.create(&officer(who), record.clone())?;
        self.current.insert(id, record);
        self.summary.records += 1;
        self.summary.revisions += 1;
        Ok(id)
    }

    fn edit(
        &mut self,
        who: &str,
        id: RecordId,
        reason: &str,
        change: impl FnOnce(&mut Record),
    ) -> std::result::Result<(), S::Error> {
        let mut record = self
            .current
            .get(&id)
            .cloned()
            .expect("the demo edits only records it made");
        change(&mut record);
        self.sink.edit(&officer(who), id, record.clone(), reason)?;
        self.current.insert(id, record);
        self.summary.revisions += 1;
        Ok(())
    }
}

/// The demonstration operation as revisions, starting at `start` (the march's assembly time),
/// with no store: what the force server's `demo` command writes into its own chain.
pub fn plan(start: DateTime<Utc>, seed: u64) -> DemoPlan {
    let mut sink = Collect {
        rng: fastrand::Rng::with_seed(seed ^ 0x05ee_d1d5),
        revisions: Vec::new(),
    };
    // Every record is built from constants and checked in the tests: a failure is a bug here.
    let summary = build(&mut sink, start, seed).expect("the demonstration records are valid");
    DemoPlan {
        revisions: sink.revisions,
        summary,
    }
}

/// Fills `store` with the demonstration operation, starting at `start` (the march's
/// assembly time), as if its officers had recorded it on this device. For tests and
/// benchmarks: a real tablet never holds demonstration data in its evidence.
#[cfg(feature = "device")]
pub fn generate(store: &mut crate::store::Store, start: DateTime<Utc>, seed: u64) -> crate::store::Result<DemoSummary> {
    build(store, start, seed)
}

fn build<S: Sink>(sink: &mut S, start: DateTime<Utc>, seed: u64) -> std::result::Result<DemoSummary, S::Error> {
    let mut g = Gen {
        sink,
        rng: fastrand::Rng::with_seed(seed),
        start,
        op: None,
        summary: DemoSummary::default(),
        current: HashMap::new(),
    };

    // Directory: groups and their people.
    let coalition = g.save(
        TEAM_LEADER,
        -7 * 24 * 60,
        None,
        vec![],
        Body::Group(Group {
            name: "Midlands Clean Air Coalition".into(),
            group_kind: GroupKind::Organiser,
            description:
                "Organisers of the march. Experienced, cooperative; provide their own stewards in orange vests.".into(),
            contacts: vec![],
            website: "cleanair-midlands.example".into(),
        }),
    )?;
    let unions = g.save(
        TEAM_LEADER,
        -7 * 24 * 60,
        None,
        vec![],
        Body::Group(Group {
            name: "West Midlands Trades Bloc".into(),
            group_kind: GroupKind::Participant,
            description: "Union bloc joining at Broad Street with banners and a sound system.".into(),
            contacts: vec![],
            website: String::new(),
        }),
    )?;
    let counter = g.save(
        TEAM_LEADER,
        -7 * 24 * 60,
        None,
        vec![],
        Body::Group(Group {
            name: "Drivers' Rights Action".into(),
            group_kind: GroupKind::CounterProtest,
            description:
                "Counter-protest against the clean air zone; announced online two days before; no named organiser."
                    .into(),
            contacts: vec![],
            website: String::new(),
        }),
    )?;
    let people: Vec<(&str, PersonRole, RecordId)> = vec![
        ("Aisha Rahman", PersonRole::Organiser, coalition),
        ("Tom Whitfield", PersonRole::Spokesperson, coalition),
        ("Grace Okafor", PersonRole::Steward, coalition),
        ("Dev Patel", PersonRole::Steward, coalition),
        ("Sian Morgan", PersonRole::Organiser, unions),
        ("Kieran Doyle", PersonRole::Spokesperson, unions),
        ("Mark Bellamy", PersonRole::Spokesperson, counter),
        ("Lee Hammond", PersonRole::MemberOfPublic, counter),
        ("Revd. Ruth Adeyemi", PersonRole::CommunityLeader, coalition),
        ("Omar Siddiqui", PersonRole::CommunityFacilitator, coalition),
        ("Helen Price", PersonRole::VenueManager, coalition),
        ("Jo Carter", PersonRole::AgencyContact, coalition),
    ];
    let mut person_ids = Vec::new();
    for (i, (name, role, group)) in people.iter().enumerate() {
        let id = g.save(
            TEAM_LEADER,
            -6 * 24 * 60 + i as i64,
            None,
            vec![*group],
            Body::Person(Person {
                name: (*name).into(),
                role: *role,
                phone: format!("07700 900{:03}", 100 + i),
                email: if i % 3 == 0 {
                    format!(
                        "{}@example.org",
                        name.split(' ').next().unwrap_or("contact").to_lowercase()
                    )
                } else {
                    String::new()
                },
                other_contact: String::new(),
                groups: vec![*group],
                notes: String::new(),
            }),
        )?;
        person_ids.push(id);
    }
    let venue = g.save(
        TEAM_LEADER,
        -5 * 24 * 60,
        None,
        vec![person_ids[10]],
        Body::Venue(Venue {
            name: "The Old Mill Community Hall".into(),
            address: "12 Canal Street, Birmingham".into(),
            manager: Some(person_ids[10]),
            phone: "0121 496 0000".into(),
            notes: "Welfare point on the day; accessible toilets.".into(),
        }),
    )?;
    let agency = g.save(
        TEAM_LEADER,
        -5 * 24 * 60,
        None,
        vec![person_ids[11]],
        Body::Agency(Agency {
            name: "Midlands Hate Crime Support".into(),
            services: "Independent support and advocacy for victims of hate crime.".into(),
            phone: "0121 496 0123".into(),
            email: "referrals@hatecrime-support.example".into(),
            referral_route: "Phone or email with the person's consent; same-day callback.".into(),
        }),
    )?;
    let _ = venue;

    // The operation.
    let op = g.save(TEAM_LEADER, -3 * 24 * 60, None, vec![coalition, unions, counter], Body::Operation(Operation {
        name: "Operation KESTREL — Clean Air March".into(),
        event_kind: EventKind::March,
        starts_at: start,
        ends_at: start + Duration::hours(5),
        area: ring(&[(52.4755, -1.9180), (52.4755, -1.8940), (52.4820, -1.8940), (52.4820, -1.9180)]),
        sectors: sector_boundaries(),
        briefing: "Assembly at Centenary Square 11:00, march via Broad Street and New Street, static rally in Victoria Square \
                   from 13:30 to 16:00. Expected 3,000-5,000. Counter-protest announced online, expected near New Street. \
                   PLT to engage organisers early, support stewards, and feed sensing to Bronze. Facilitate peaceful protest."
            .into(),
        command_structure: "Gold: Ch Supt Reyes. Silver: Supt Lang. Public order Bronze: Insp Cole. Police Liaison Bronze: Insp Naylor. \
                            PLT leader: PS 2817."
            .into(),
        groups_expected: vec![coalition, unions, counter],
        team: std::iter::once(TeamMember { officer: officer(TEAM_LEADER), role: "PLT team leader".into() })
            .chain(OFFICERS.iter().map(|o| TeamMember { officer: officer(o), role: "Police Liaison Officer".into() }))
            .collect(),
    }))?;
    g.op = Some(op);
    g.summary.operation_id = Some(op);

    // Contact notes across the day.
    let topics = [
        ("Confirmed the assembly time and the route with the organiser; stewards briefed on the turn into New Street.", PltFunction::Communication, Some(Mood::GoodNatured)),
        ("Introduced the PLT to the stewards, explained the light-blue jackets and how to reach us.", PltFunction::Initiation, Some(Mood::Calm)),
        ("Trades bloc want to stop outside the council house for speeches; talked through the timing.", PltFunction::Negotiation, Some(Mood::GoodNatured)),
        ("Two marchers arguing with a shop owner about the banner on his window; calmed both and moved the banner on.", PltFunction::Mediation, Some(Mood::Uneasy)),
        ("Crowd near the sound system relaxed, families with children, plenty of chanting but good humour.", PltFunction::Sensing, Some(Mood::Calm)),
        ("Counter-protesters gathering by the station entrance, about thirty, some shouting at passing marchers.", PltFunction::Sensing, Some(Mood::Tense)),
        ("Explained to the counter-protest group where they can stand lawfully and that the march has priority on the route.", PltFunction::Communication, Some(Mood::Uneasy)),
        ("Organiser asked about the noise limit for the rally; passed on the council's condition for the PA system.", PltFunction::Communication, Some(Mood::GoodNatured)),
        ("Steward reported a man handing out leaflets about a second march; spoke to him, he is with the coalition.", PltFunction::Sensing, Some(Mood::Calm)),
        ("Community leader offered to speak to younger marchers who were taunting the counter-protest.", PltFunction::Mediation, Some(Mood::Uneasy)),
    ];
    for i in 0..48usize {
        let (text, function, mood) = topics[i % topics.len()];
        let sector = i % 4;
        let person = i % person_ids.len();
        let minutes = -30 + (i as i64) * 6 + g.rng.i64(0..4);
        let who = OFFICERS[i % OFFICERS.len()];
        g.save(
            who,
            minutes,
            Some(sector),
            vec![person_ids[person]],
            Body::ContactNote(ContactNote {
                spoke_with: people[person].0.to_string(),
                function,
                summary: text.to_string(),
                mood,
                follow_up: (i % 7 == 0).then(|| "Check back with them before the rally starts.".to_string()),
                monitored: vec![],
            }),
        )?;
        g.summary.contact_notes += 1;
    }

    // Rumours, at every stage of the lifecycle.
    let rumours: [(&str, RumourSource, RumourSpread, RumourRisk, &[RumourStatus]); 6] = [
        (
            "Police are going to kettle the march at New Street.",
            RumourSource::Crowd,
            RumourSpread::Widespread,
            RumourRisk::High,
            &[RumourStatus::BeingChecked, RumourStatus::Refuted],
        ),
        (
            "The counter-protest is bringing people from out of town by coach.",
            RumourSource::SocialMedia,
            RumourSpread::Local,
            RumourRisk::Medium,
            &[RumourStatus::BeingChecked, RumourStatus::Confirmed],
        ),
        (
            "The rally has been cancelled by the council.",
            RumourSource::SocialMedia,
            RumourSpread::Widespread,
            RumourRisk::Medium,
            &[RumourStatus::Refuted],
        ),
        (
            "Someone in the crowd has a knife.",
            RumourSource::Crowd,
            RumourSpread::Isolated,
            RumourRisk::High,
            &[RumourStatus::BeingChecked, RumourStatus::Unresolved],
        ),
        (
            "The trades bloc plans to sit down in the road at Victoria Square.",
            RumourSource::Organiser,
            RumourSpread::Local,
            RumourRisk::Medium,
            &[RumourStatus::BeingChecked],
        ),
        (
            "Marchers will be stopped and searched at the station.",
            RumourSource::Colleague,
            RumourSpread::Isolated,
            RumourRisk::Low,
            &[],
        ),
    ];
    for (i, (content, source, spread, risk, path)) in rumours.iter().enumerate() {
        let minutes = 20 + i as i64 * 35;
        let who = OFFICERS[i % OFFICERS.len()];
        let id = g.save(
            who,
            minutes,
            Some(i % 4),
            vec![],
            Body::RumourReport(RumourReport {
                content: (*content).into(),
                heard_at: SECTORS[i % 4].0.into(),
                source: *source,
                source_detail: String::new(),
                spread: *spread,
                risk: *risk,
                status: RumourStatus::Reported,
                findings: String::new(),
                control_actions: vec![],
                verified_at: None,
            }),
        )?;
        g.summary.rumours += 1;
        for (step, status) in path.iter().enumerate() {
            let when = g.at(minutes + 10 * (step as i64 + 1));
            let status = *status;
            g.edit(
                TEAM_LEADER,
                id,
                &format!("rumour {}", status.label().to_lowercase()),
                move |r| {
                    if let Body::RumourReport(b) = &mut r.body {
                        b.move_to(status, when);
                        match status {
                            RumourStatus::Refuted => {
                                b.findings = "Checked with Bronze and the organiser: not true.".into();
                                b.control_actions.push(RumourControlAction {
                                    at: when,
                                    told: "Stewards and organiser".into(),
                                    message:
                                        "Asked them to tell the crowd it is untrue; PLOs repeated it along the route."
                                            .into(),
                                });
                            }
                            RumourStatus::Confirmed => b.findings = "Confirmed by Bronze from CCTV.".into(),
                            RumourStatus::Unresolved => {
                                b.findings = "Area checked, nothing found; no further information.".into()
                            }
                            _ => {}
                        }
                    }
                },
            )?;
        }
    }

    // Negotiations, one with each outcome, and compliance recorded later.
    let negotiations = [
        (
            NegotiationSubject::Route,
            Outcome::Agreed,
            "Keep to the agreed route; no diversion into the Bull Ring.",
            Some(Compliance::Kept),
        ),
        (
            NegotiationSubject::Noise,
            Outcome::PartlyAgreed,
            "PA system below the council limit after 15:00; drums allowed.",
            Some(Compliance::PartlyKept),
        ),
        (NegotiationSubject::StaticLocation, Outcome::NotAgreed, "", None),
        (NegotiationSubject::Timing, Outcome::Deferred, "", None),
        (
            NegotiationSubject::Conduct,
            Outcome::Agreed,
            "Counter-protest to stay behind the barrier line on Corporation Street.",
            Some(Compliance::NotKept),
        ),
    ];
    for (i, (subject, outcome, agreed, compliance)) in negotiations.iter().enumerate() {
        let minutes = -20 + i as i64 * 50;
        let party = if i == 4 { 6 } else { i % 2 * 4 };
        let id = g.save(
            OFFICERS[i % 4],
            minutes,
            Some(i % 4),
            vec![person_ids[party]],
            Body::NegotiationOutcome(NegotiationOutcome {
                parties: people[party].0.to_string(),
                subject: *subject,
                police_position: "Facilitate the protest while keeping the road open for emergency access.".into(),
                conditions: vec!["Emergency access lane kept clear".into()],
                other_position: "Want to be seen and heard by the council.".into(),
                outcome: *outcome,
                agreed: (*agreed).into(),
                compliance: None,
                compliance_note: String::new(),
            }),
        )?;
        g.summary.negotiations += 1;
        if let Some(c) = *compliance {
            g.edit(TEAM_LEADER, id, "compliance observed", move |r| {
                if let Body::NegotiationOutcome(b) = &mut r.body {
                    b.compliance = Some(c);
                    b.compliance_note = "Observed by the PLO in the sector.".into();
                }
            })?;
        }
    }

    // Tension readings: every 20 minutes in each sector over five hours, rising near the
    // counter-protest in the afternoon and settling by the end.
    for step in 0..15i64 {
        for (sector, who) in OFFICERS.iter().enumerate() {
            let base: f64 = match sector {
                2 => 2.0 + (step as f64 / 3.0).min(2.5),
                3 => 1.5 + (step as f64 / 6.0),
                _ => 1.5,
            };
            let settle = if step > 11 { (step - 11) as f64 * 0.7 } else { 0.0 };
            let level = (base - settle + g.rng.f64() - 0.5).round().clamp(1.0, 5.0) as usize;
            let mood = Mood::ALL[level - 1];
            let crowd = 200 + g.rng.u32(0..1500);
            g.save(
                who,
                step * 20,
                Some(sector),
                vec![],
                Body::TensionReading(TensionReading {
                    mood,
                    crowd_estimate: Some(crowd),
                    note: String::new(),
                }),
            )?;
            g.summary.tension_readings += 1;
        }
    }

    // Escalations.
    g.save(
        OFFICERS[2],
        170,
        Some(2),
        vec![],
        Body::Escalation(Escalation {
            category: EscalationKind::Threat,
            summary: "Counter-protesters pushing the barrier at New Street; two bottles thrown.".into(),
            told: "Public order Bronze by radio".into(),
            told_at: g.at(171),
            addressed_to: Some(EscalationTo::Bronze),
            addressed_person: String::new(),
            escalated: vec![],
            acknowledged: Some(Acknowledgement {
                by: "insp.hale".into(),
                name: "Insp Hale (Bronze)".into(),
                at: g.at(172),
            }),
            decision: Some(EscalationDecision::ResourcesSent),
            response: "Serial deployed to the barrier; PLOs withdrawn to the march side.".into(),
            response_at: Some(g.at(176)),
            responded_by: "Insp Hale (Bronze)".into(),
            monitored: vec![],
        }),
    )?;
    g.save(
        OFFICERS[1],
        200,
        Some(1),
        vec![],
        Body::Escalation(Escalation {
            category: EscalationKind::Safeguarding,
            summary: "Lone child about 8 separated from family near the sound system.".into(),
            told: String::new(),
            told_at: g.at(201),
            addressed_to: Some(EscalationTo::Supervisor),
            addressed_person: String::new(),
            escalated: vec![],
            acknowledged: None,
            decision: None,
            response: String::new(),
            response_at: None,
            responded_by: String::new(),
            monitored: vec![],
        }),
    )?;

    // Neighbourhood work.
    let pcso = PCSO;
    for (i, (title, incident)) in [
        (
            "Reassurance patrol, Canal Street shops",
            IncidentType::ReassurancePatrol,
        ),
        (
            "Visit the Old Mill about the hate-crime poster",
            IncidentType::HateCrimeSupport,
        ),
        (
            "Report of affray outside the Red Lion",
            IncidentType::AffrayOrViolentDisorder,
        ),
    ]
    .into_iter()
    .enumerate()
    {
        g.save(
            pcso,
            -120 + i as i64 * 30,
            None,
            vec![],
            Body::Tasking(Tasking {
                title: title.into(),
                incident_type: incident,
                briefing_ref: "Morning briefing item 3".into(),
                details: String::new(),
                due: Some(g.at(240)),
                status: TaskStatus::Open,
                result: String::new(),
                assigned_to: None,
                override_reason: String::new(),
            }),
        )?;
    }
    g.save(
        pcso,
        60,
        None,
        vec![],
        Body::Abstraction(Abstraction {
            from_duty: "Neighbourhood patrol, Ladywood".into(),
            to_duty: "Cordon at Victoria Square".into(),
            authorised_by: "Insp Naylor".into(),
            reason: "Additional visible presence needed at the rally.".into(),
            starts_at: g.at(60),
            ends_at: Some(g.at(300)),
            decision: None,
        }),
    )?;
    g.save(
        pcso,
        90,
        None,
        vec![agency],
        Body::Referral(Referral {
            person: "Victim of homophobic abuse at the bus stop (details held)".into(),
            agency: Some(agency),
            agency_name: "Midlands Hate Crime Support".into(),
            reason: "Wants support and advice about reporting.".into(),
            consent: true,
            outcome: String::new(),
            result: None,
            monitored: vec![MonitoredStrand::SexualOrientation],
        }),
    )?;
    g.save(
        pcso,
        100,
        None,
        vec![],
        Body::IntelligenceSubmission(IntelligenceSubmission {
            summary: "Graffiti tags linked to the counter-protest group".into(),
            detail: "Fresh tags on the underpass near the station, same symbol as on the group's online posts.".into(),
            source: SourceKind::OfficerObservation,
            urgent: false,
            reference: String::new(),
            reason_from_note: String::new(),
            review: None,
        }),
    )?;
    monitoring_work(&mut g, agency)?;
    Ok(g.summary)
}

/// Hate-crime monitoring (seed 004): a contact note on the march flagged with the strands it
/// concerns, and six months of neighbourhood and liaison work before it (engagement with
/// victims and referrals to support agencies, each flagged), so the monitoring statistics
/// have figures to publish, some large enough to show and some small enough to suppress.
/// Made last, from no random numbers, so everything before it is as it always was.
fn monitoring_work<S: Sink>(g: &mut Gen<'_, S>, agency: RecordId) -> std::result::Result<(), S::Error> {
    use MonitoredStrand::*;
    g.save(
        OFFICERS[2],
        150,
        Some(2),
        vec![],
        Body::ContactNote(ContactNote {
            spoke_with: "Steward at New Street and the marcher concerned".into(),
            function: PltFunction::Mediation,
            summary: "A marcher in a turban was shoved and called names by two counter-protesters. Both spoken to; \
                      the marcher is unhurt and wants no further action today; details passed to Bronze."
                .into(),
            mood: Some(Mood::Tense),
            follow_up: Some("Offer the marcher a hate-crime support referral after the event.".into()),
            monitored: vec![Race, Religion],
        }),
    )?;
    // (strands, what happened, referred?) for each month before the march: a pattern of
    // larger and smaller counts, the same every time.
    let cases: [(&[MonitoredStrand], &str, bool); 8] = [
        (
            &[SexualOrientation],
            "Homophobic abuse shouted at two men outside the Nightingale bar",
            true,
        ),
        (
            &[SexualOrientation],
            "Same-sex couple threatened at the bus stop on Hurst Street",
            false,
        ),
        (
            &[TransgenderIdentity],
            "Transphobic graffiti about a resident painted on her front door",
            true,
        ),
        (
            &[SexualOrientation, TransgenderIdentity],
            "Leaflets attacking the LGBT youth group left at the library",
            false,
        ),
        (
            &[Race],
            "Racist abuse at the corner shop on Monument Road; owner shaken",
            true,
        ),
        (
            &[SexualOrientation],
            "Venue manager reports repeated homophobic calls to the bar",
            false,
        ),
        (
            &[Religion],
            "Eggs thrown at worshippers leaving the mosque on Friday",
            true,
        ),
        (
            &[Disability],
            "Wheelchair user mocked and filmed at the tram stop",
            false,
        ),
    ];
    for month in 1..=6i64 {
        // How many of the cases happened that month: between four and all eight.
        let n = 4 + ((month * 3) % 5) as usize;
        for (i, (strands, what, referred)) in cases.iter().take(n).enumerate() {
            // Some cases recur in a month: the first two happen twice.
            for repeat in 0..(if i < 2 { 2 } else { 1 }) {
                let minutes = -(month * 30 * 24 * 60) + (i as i64) * 24 * 60 + repeat * 180;
                let who = if i % 3 == 2 { OFFICERS[1] } else { PCSO };
                let note = g.save_outside(
                    who,
                    minutes,
                    vec![],
                    Body::ContactNote(ContactNote {
                        spoke_with: "The person affected (details held)".into(),
                        function: PltFunction::Communication,
                        summary: format!("{what}. Explained how to report it and the support on offer."),
                        mood: None,
                        follow_up: None,
                        monitored: strands.to_vec(),
                    }),
                )?;
                if *referred && repeat == 0 {
                    let result = [
                        Some(ReferralResult::SupportAccepted),
                        Some(ReferralResult::SupportAccepted),
                        Some(ReferralResult::SupportDeclined),
                        None,
                    ][(month as usize + i) % 4];
                    g.save_outside(
                        who,
                        minutes + 60,
                        vec![agency, note],
                        Body::Referral(Referral {
                            person: "The person affected (details held)".into(),
                            agency: Some(agency),
                            agency_name: "Midlands Hate Crime Support".into(),
                            reason: format!("{what}: wants support."),
                            consent: true,
                            outcome: String::new(),
                            result,
                            monitored: strands.to_vec(),
                        }),
                    )?;
                }
            }
        }
    }
    Ok(())
}

#[cfg(all(test, feature = "device"))]
mod tests {
    use super::*;
    use crate::store::Store;
    use chrono::TimeZone;

    #[test]
    fn the_demo_plan_needs_no_store_and_holds_what_a_store_would() {
        let start = Utc.with_ymd_and_hms(2026, 6, 6, 10, 0, 0).unwrap();
        let plan = plan(start, 1);
        assert_eq!(plan.revisions.len(), plan.summary.revisions);
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path().join("demo.db")).unwrap();
        let stored = generate(&mut store, start, 1).unwrap();
        assert_eq!(
            (
                stored.records,
                stored.revisions,
                stored.tension_readings,
                stored.rumours
            ),
            (
                plan.summary.records,
                plan.summary.revisions,
                plan.summary.tension_readings,
                plan.summary.rumours
            )
        );
        assert_eq!(plan.revisions.len() as u64, store.revision_count().unwrap());

        // Every edit follows its record's creation, every link names a record made before it,
        // and the operation's records are placed in its sectors.
        let mut made = std::collections::HashSet::new();
        for r in &plan.revisions {
            assert_eq!(r.reason.is_some(), made.contains(&r.record_id), "{r:?}");
            for link in r.record.links.iter().chain(r.record.operation_id.iter()) {
                assert!(made.contains(link), "{link} is linked before it exists");
            }
            if r.record.location.is_some() && r.record.operation_id.is_some() {
                let sector = r.record.sector.as_deref().expect("placed in a sector");
                assert!(SECTORS.iter().any(|(name, _)| *name == sector));
            }
            made.insert(r.record_id);
        }
        let op = plan.summary.operation_id.expect("an operation");
        let team: Vec<String> = plan
            .revisions
            .iter()
            .find_map(|r| match &r.record.body {
                Body::Operation(o) if r.record_id == op => {
                    Some(o.team.iter().map(|m| m.officer.as_str().to_string()).collect())
                }
                _ => None,
            })
            .unwrap();
        assert_eq!(team, team_officers());
    }

    fn team_officers() -> Vec<String> {
        team().into_iter().map(String::from).collect()
    }

    #[test]
    fn the_demo_plan_is_the_same_for_the_same_seed() {
        let start = Utc.with_ymd_and_hms(2026, 6, 6, 10, 0, 0).unwrap();
        let ids = |seed| {
            plan(start, seed)
                .revisions
                .iter()
                .map(|r| r.record_id)
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(3), ids(3));
        assert_ne!(ids(3), ids(4));
    }
}
