//! Neighbourhood tasking from the briefing, and the deployment check of the WMP PCSO policy
//! (section 2.8.3): incident types a PCSO must not be sent to as a first response.

use super::{labelled_enum, validate::Checker};
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
}

impl Tasking {
    pub(super) fn check(&self, c: &mut Checker) {
        c.required_short("body.title", &self.title);
        c.short("body.briefing_ref", &self.briefing_ref);
        c.text("body.details", &self.details);
        c.text("body.result", &self.result);
    }
}
