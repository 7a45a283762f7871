//! A realistic demonstration operation: a march through Birmingham city centre ending in a
//! static rally, with an organising group, a trades union bloc and a counter-protest; a PLT of
//! five; a dozen contacts; dozens of engagement notes; rumours at every stage of their
//! lifecycle; negotiations with every outcome; tension readings in four sectors over five
//! hours; and some neighbourhood work. Deterministic for a given seed, so tests can rely on it.
//!
//! All names are invented.

use crate::records::*;
use crate::store::{Result, Store};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

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

struct Gen<'a> {
    store: &'a mut Store,
    rng: fastrand::Rng,
    start: DateTime<Utc>,
    op: Option<RecordId>,
    summary: DemoSummary,
}

impl Gen<'_> {
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
    ) -> Result<RecordId> {
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
        let record = Record {
            operation_id,
            occurred_at: self.at(minutes),
            location,
            sector: None,
            links,
            tags: vec![],
            body,
        };
        let saved = self.store.create(&officer(who), record)?;
        self.summary.records += 1;
        self.summary.revisions += 1;
        Ok(saved.record_id)
    }

    fn edit(&mut self, who: &str, id: RecordId, reason: &str, change: impl FnOnce(&mut Record)) -> Result<()> {
        let access = crate::audit::Access {
            officer: officer(who),
            purpose: "demo data".into(),
        };
        let mut record = self.store.get(id, &access)?.record;
        change(&mut record);
        self.store.edit(&officer(who), id, record, reason)?;
        self.summary.revisions += 1;
        Ok(())
    }
}

/// Fills `store` with the demonstration operation, starting at `start` (the march's
/// assembly time). Returns what it made.
pub fn generate(store: &mut Store, start: DateTime<Utc>, seed: u64) -> Result<DemoSummary> {
    let mut g = Gen {
        store,
        rng: fastrand::Rng::with_seed(seed),
        start,
        op: None,
        summary: DemoSummary::default(),
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
                        b.status = status;
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
            told: "Public order Bronze (Insp Cole)".into(),
            told_at: g.at(171),
            response: "Serial deployed to the barrier; PLOs withdrawn to the march side.".into(),
            response_at: Some(g.at(176)),
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
            told: "PLT leader PS 2817".into(),
            told_at: g.at(201),
            response: String::new(),
            response_at: None,
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
        }),
    )?;
    Ok(g.summary)
}
