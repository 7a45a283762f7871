//! Neighbourhood tasking from the briefing, and the deployment check of the WMP PCSO policy
//! (section 2.8.3): incident types a PCSO must not be sent to as a first response.

use super::{labelled_enum, validate::Checker, OfficerId, ValidationError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

labelled_enum!(
    TaskStatus {
        Open => "Open",
        InProgress => "In progress",
        Done => "Done",
        Declined => "Declined",
    }
);

labelled_enum!(
    /// Incident types a task can concern. The first group is ordinary neighbourhood work; the
    /// rest are the policy's list of incidents unsuited to a PCSO first response.
    IncidentType {
        ReassurancePatrol => "Reassurance patrol",
        CommunityEngagement => "Community engagement",
        AntisocialBehaviour => "Anti-social behaviour",
        HateCrimeSupport => "Hate crime support",
        VictimVisit => "Victim visit",
        LowLevelDisorderAfterTheEvent => "Scene support after the event",
        AreaSearchSupport => "Area search support",
        Other => "Other",
        ViolenceInProgress => "Violence in progress",
        ThreatsWithWeapons => "Threats involving weapons",
        KnifeCrime => "Knife crime incident",
        Firearms => "Firearms related report",
        AffrayOrViolentDisorder => "Affray or violent disorder",
        DomesticAbuse => "Domestic abuse (current or recent)",
        StalkingSuspectPresent => "Stalking or harassment, suspect present",
        SelfHarmInProgress => "Self-harm or suicide attempt in progress",
        MentalHealthCrisisImmediateRisk => "Acute mental health crisis, immediate risk",
        SeriousSexualOffence => "Rape or serious sexual offence",
        SeriousAssault => "Serious assault",
        ChildAbuse => "Child abuse or neglect",
        HighRiskMissingPerson => "High-risk missing person recording",
        SuddenDeath => "Sudden or unexplained death",
        BurglaryInProgress => "Burglary in progress",
        RobberyInProgress => "Robbery in progress",
        RiotOrLargeScaleDisorder => "Riot or large-scale disorder",
        HostileProtest => "Hostile or escalation-prone protest",
        CounterProtest => "Counter-protest situation",
        FootballDisorder => "Football disorder or confrontational crowd",
        SuspectsFleeing => "Suspects fleeing or being contained",
        WarrantExecution => "Warrant execution",
        BailOrCourtOrderBreach => "Breach of bail or court order",
        PremisesSearch => "Search of premises or high-risk location",
        SeriousCollision => "Serious road traffic collision",
        FatalOrSeriousInjuryCollision => "Collision with fatality or serious injury",
        LiveLaneIncident => "Motorway or fast-road live lane incident",
        DrinkDrugDriving => "Drink/drug driving investigation",
        Terrorism => "Terrorism-related report",
        HazardousMaterials => "CBRN or hazardous material incident",
        WaterRescue => "Water rescue or high-risk missing search",
        DangerousAnimals => "Incident involving dangerous animals",
        StructuralCollapseOrFire => "Structural collapse or fire scene",
    }
);

impl IncidentType {
    /// The policy heading (2.8.3) under which this incident type is unsuited to a PCSO first
    /// response, or None when a PCSO may be sent.
    pub fn unsuited_category(self) -> Option<&'static str> {
        use IncidentType::*;
        Some(match self {
            ViolenceInProgress | ThreatsWithWeapons | KnifeCrime | Firearms | AffrayOrViolentDisorder => {
                "Violence & Threats"
            }
            DomesticAbuse | StalkingSuspectPresent | SelfHarmInProgress | MentalHealthCrisisImmediateRisk => {
                "Domestic & Personal Risk"
            }
            SeriousSexualOffence
            | SeriousAssault
            | ChildAbuse
            | HighRiskMissingPerson
            | SuddenDeath
            | BurglaryInProgress
            | RobberyInProgress => "Serious Crime",
            RiotOrLargeScaleDisorder | HostileProtest | CounterProtest | FootballDisorder => "High-Risk Public Order",
            SuspectsFleeing | WarrantExecution | BailOrCourtOrderBreach | PremisesSearch => {
                "Pursuits & Suspect Activity"
            }
            SeriousCollision | FatalOrSeriousInjuryCollision | LiveLaneIncident | DrinkDrugDriving => {
                "Traffic & Transport"
            }
            Terrorism | HazardousMaterials | WaterRescue | DangerousAnimals | StructuralCollapseOrFire => {
                "Specialist or Hazardous Incidents"
            }
            ReassurancePatrol
            | CommunityEngagement
            | AntisocialBehaviour
            | HateCrimeSupport
            | VictimVisit
            | LowLevelDisorderAfterTheEvent
            | AreaSearchSupport
            | Other => return None,
        })
    }
}

/// The answer to "may a PCSO be sent to this first?".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum DeploymentCheck {
    Suitable,
    /// Not as a first response (policy 2.8.3); support after the scene is safe is allowed (2.8.2).
    UnsuitedAsFirstResponse {
        category: String,
        advice: String,
    },
}

/// The deployment check of the PCSO policy for one incident type.
pub fn deployment_check(incident: IncidentType) -> DeploymentCheck {
    match incident.unsuited_category() {
        None => DeploymentCheck::Suitable,
        Some(category) => DeploymentCheck::UnsuitedAsFirstResponse {
            category: category.to_string(),
            advice: format!(
                "{} is on the policy's list of incidents unsuited to a PCSO first response ({category}, section 2.8.3). \
                 A PCSO may support after the event once the scene is safe and officers have control (2.8.2).",
                incident.label()
            ),
        },
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct Tasking {
    pub title: String,
    pub incident_type: IncidentType,
    /// The briefing item it comes from.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub briefing_ref: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub details: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<DateTime<Utc>>,
    pub status: TaskStatus,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub result: String,
    /// The officer given the task, when a supervisor gave it (from the console); None for an
    /// officer's own neighbourhood task. Absent from older records, so their hashes stand.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned_to: Option<OfficerId>,
    /// Why a task the deployment check marks unsuited (policy 2.8.3) is given to a PCSO
    /// anyway; see [`check_assignment`].
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub override_reason: String,
}

impl Tasking {
    pub(super) fn check(&self, c: &mut Checker) {
        c.required_short("body.title", &self.title);
        c.short("body.briefing_ref", &self.briefing_ref);
        c.text("body.details", &self.details);
        c.text("body.result", &self.result);
        c.text("body.override_reason", &self.override_reason);
    }
}

/// The deployment check applied when a task is given: an incident type unsuited to a PCSO
/// first response (policy 2.8.3) is refused for a PCSO unless `override_reason` says why it
/// is given anyway; an override is refused where there is nothing to override (the assignee
/// is not a PCSO, so the PCSO policy does not apply, or the type is suitable), so a record
/// never claims an override nobody needed. The caller says whether the assignee is a PCSO:
/// the console from the officer directory, the tablet by treating its own neighbourhood
/// tasking as a PCSO's.
pub fn check_assignment(tasking: &Tasking, assignee_is_pcso: bool) -> Result<(), ValidationError> {
    let field = "body.override_reason".to_string();
    let reason_given = !tasking.override_reason.trim().is_empty();
    let incident = tasking.incident_type.label();
    match (
        tasking.incident_type.unsuited_category(),
        assignee_is_pcso,
        reason_given,
    ) {
        (Some(category), true, false) => Err(ValidationError::Invalid {
            field,
            reason: format!(
                "is required: {incident} is on the list of incidents unsuited to a PCSO first response \
                 ({category}, policy 2.8.3). Give the reason this PCSO is sent anyway, or task a warranted officer"
            ),
        }),
        (_, false, true) => Err(ValidationError::Invalid {
            field,
            reason: "must be empty: an override of policy 2.8.3 is recorded only for a task given to a PCSO, \
                     and this officer is not a PCSO"
                .into(),
        }),
        (None, true, true) => Err(ValidationError::Invalid {
            field,
            reason: format!(
                "must be empty: {incident} is suitable for a PCSO (policy 2.8.3), so there is nothing to override"
            ),
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(incident_type: IncidentType, override_reason: &str) -> Tasking {
        Tasking {
            title: "Attend".into(),
            incident_type,
            briefing_ref: "B-12".into(),
            details: String::new(),
            due: None,
            status: TaskStatus::Open,
            result: String::new(),
            assigned_to: Some(OfficerId::new("PCSO 7781").unwrap()),
            override_reason: override_reason.into(),
        }
    }

    fn unsuited() -> Vec<IncidentType> {
        IncidentType::ALL
            .iter()
            .copied()
            .filter(|t| t.unsuited_category().is_some())
            .collect()
    }

    #[test]
    fn the_policy_lists_exactly_33_incident_types_unsuited_to_a_pcso_first_response() {
        assert_eq!(unsuited().len(), 33);
    }

    #[test]
    fn each_unsuited_type_is_refused_for_a_pcso_without_an_override_naming_the_policy_and_its_category() {
        for t in unsuited() {
            let Err(e) = check_assignment(&task(t, ""), true) else {
                panic!("{t:?} was accepted for a PCSO without an override")
            };
            assert_eq!(e.fields(), vec!["body.override_reason"], "{t:?}");
            let msg = e.to_string();
            assert!(msg.contains("2.8.3"), "{msg}");
            assert!(msg.contains(t.unsuited_category().unwrap()), "{msg}");
            // Blank is no reason.
            assert!(check_assignment(&task(t, "  "), true).is_err(), "{t:?}");
        }
    }

    #[test]
    fn each_unsuited_type_is_accepted_for_a_pcso_with_an_override_and_the_override_is_recorded() {
        for t in unsuited() {
            let given = task(t, "Scene secured by PC 4521; PCSO to support with the family");
            check_assignment(&given, true).unwrap_or_else(|e| panic!("{}: {e}", t.label()));
            let record = super::super::Record {
                operation_id: None,
                occurred_at: Utc::now(),
                location: None,
                sector: None,
                links: vec![],
                tags: vec![],
                attachments: vec![],
                body: super::super::Body::Tasking(given.clone()),
            };
            record.validate().unwrap();
            let stored = crate::evidence::canonical_body(&record);
            assert!(
                stored.contains("\"override_reason\":\"Scene secured by PC 4521"),
                "{stored}"
            );
            let back: super::super::Record = serde_json::from_str(&stored).unwrap();
            assert_eq!(back.body, super::super::Body::Tasking(given));
        }
    }

    #[test]
    fn suitable_types_are_accepted_for_anyone_without_an_override() {
        let suitable: Vec<_> = IncidentType::ALL
            .iter()
            .copied()
            .filter(|t| t.unsuited_category().is_none())
            .collect();
        assert_eq!(suitable.len() + 33, IncidentType::ALL.len());
        for t in suitable {
            check_assignment(&task(t, ""), true).unwrap_or_else(|e| panic!("{}: {e}", t.label()));
            check_assignment(&task(t, ""), false).unwrap_or_else(|e| panic!("{}: {e}", t.label()));
        }
        for t in unsuited() {
            // A warranted officer may be sent first: the PCSO policy does not apply.
            check_assignment(&task(t, ""), false).unwrap_or_else(|e| panic!("{}: {e}", t.label()));
        }
    }

    #[test]
    fn an_override_is_refused_where_there_is_nothing_to_override() {
        let e = check_assignment(&task(IncidentType::KnifeCrime, "because"), false).unwrap_err();
        assert_eq!(
            e.to_string(),
            "body.override_reason must be empty: an override of policy 2.8.3 is recorded only for a task given to \
             a PCSO, and this officer is not a PCSO"
        );
        let e = check_assignment(&task(IncidentType::ReassurancePatrol, "because"), true).unwrap_err();
        assert_eq!(
            e.to_string(),
            "body.override_reason must be empty: Reassurance patrol is suitable for a PCSO (policy 2.8.3), so there \
             is nothing to override"
        );
    }

    #[test]
    fn a_tasking_without_assignee_or_override_serialises_as_before() {
        let mut t = task(IncidentType::ReassurancePatrol, "");
        t.assigned_to = None;
        let json = serde_json::to_string(&t).unwrap();
        assert!(
            !json.contains("assigned_to") && !json.contains("override_reason"),
            "{json}"
        );
        let old = r#"{"title":"Walk","incident_type":"reassurance_patrol","status":"open"}"#;
        let read: Tasking = serde_json::from_str(old).unwrap();
        assert_eq!(read.assigned_to, None);
        assert_eq!(read.override_reason, "");
    }
}
