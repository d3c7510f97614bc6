//! Synthetic FHIR R4 samples (invented people, no real data), for tests here and in other crates.

/// A Patient with name, birth date, gender, address, telecom and a next-of-kin contact.
pub const PATIENT_DEMOGRAPHICS: &str = include_str!("../samples/patient-demographics.json");
/// A Condition that is still active (clinicalStatus `active`, onset only).
pub const CONDITION_PRESENT: &str = include_str!("../samples/condition-present.json");
/// A past Condition (clinicalStatus `resolved`, onset and abatement).
pub const CONDITION_PAST: &str = include_str!("../samples/condition-past.json");
/// A MedicationRequest with a dosage instruction.
pub const MEDICATION_REQUEST: &str = include_str!("../samples/medication-request.json");
/// A Coverage: the patient's health insurance.
pub const COVERAGE: &str = include_str!("../samples/coverage.json");
/// An Encounter whose period gives the dates of a previous visit.
pub const ENCOUNTER: &str = include_str!("../samples/encounter.json");
/// A DiagnosticReport with a conclusion.
pub const DIAGNOSTIC_REPORT: &str = include_str!("../samples/diagnostic-report.json");
/// A treatment summary: a `collection` Bundle of an Encounter, a Condition, a MedicationRequest
/// and a Procedure.
pub const BUNDLE_VISIT: &str = include_str!("../samples/bundle-visit.json");

/// Every sample above, with its file name under `samples/`.
pub const ALL: &[(&str, &str)] = &[
	("patient-demographics.json", PATIENT_DEMOGRAPHICS),
	("condition-present.json", CONDITION_PRESENT),
	("condition-past.json", CONDITION_PAST),
	("medication-request.json", MEDICATION_REQUEST),
	("coverage.json", COVERAGE),
	("encounter.json", ENCOUNTER),
	("diagnostic-report.json", DIAGNOSTIC_REPORT),
	("bundle-visit.json", BUNDLE_VISIT),
];
