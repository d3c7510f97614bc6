//! The shipped samples: each valid one passes with its types, each invalid one fails where it
//! is wrong.

use ehr_fhir::{samples, validate, FhirError, Validated};

fn fails_at(json: &str) -> String {
	match validate(json.as_bytes()) {
		Err(FhirError::InvalidFhir { path, .. }) => path,
		other => panic!("expected InvalidFhir, got {other:?}"),
	}
}

#[test]
fn every_valid_sample_validates_with_its_types() {
	let expected = [
		("patient-demographics.json", "Patient"),
		("condition-present.json", "Condition"),
		("condition-past.json", "Condition"),
		("medication-request.json", "MedicationRequest"),
		("coverage.json", "Coverage"),
		("encounter.json", "Encounter"),
		("diagnostic-report.json", "DiagnosticReport"),
		("bundle-visit.json", "Bundle"),
	];
	assert_eq!(samples::ALL.len(), expected.len());
	for ((name, json), (expected_name, resource_type)) in samples::ALL.iter().zip(expected) {
		assert_eq!(*name, expected_name);
		let validated = validate(json.as_bytes()).unwrap_or_else(|e| panic!("{name}: {e}"));
		assert_eq!(validated.resource_type, resource_type, "{name}");
		if resource_type != "Bundle" {
			assert!(validated.entry_types.is_empty(), "{name}");
		}
	}
}

#[test]
fn the_visit_bundle_reports_its_entry_types() {
	assert_eq!(
		validate(samples::BUNDLE_VISIT.as_bytes()),
		Ok(Validated {
			resource_type: "Bundle".into(),
			entry_types: vec![
				"Encounter".into(),
				"Condition".into(),
				"MedicationRequest".into(),
				"Procedure".into()
			],
		})
	);
}

#[test]
fn every_invalid_sample_fails_at_its_path() {
	let expected = [
		("patient-bad-gender.json", "Patient.gender"),
		("patient-bad-birthdate.json", "Patient.birthDate"),
		("patient-unknown-element.json", "Patient.birthdate"),
		("medication-request-missing-status.json", "MedicationRequest.status"),
		("unknown-resource-type.json", "resourceType"),
		("bundle-entry-without-resource.json", "Bundle.entry[1].resource"),
		("bundle-entry-bad-status.json", "Bundle.entry[2].resource.status"),
		("bundle-empty.json", "Bundle.entry"),
		("encounter-period-start-number.json", "Encounter.period.start"),
	];
	let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/samples/invalid");
	let mut files: Vec<_> = std::fs::read_dir(dir)
		.unwrap()
		.map(|e| e.unwrap().file_name().into_string().unwrap())
		.collect();
	files.sort();
	let mut listed: Vec<_> = expected.iter().map(|(name, _)| name.to_string()).collect();
	listed.sort();
	assert_eq!(files, listed, "every invalid sample has an expected path");
	for (name, path) in expected {
		let json = std::fs::read_to_string(format!("{dir}/{name}")).unwrap();
		assert_eq!(fails_at(&json), path, "{name}");
	}
}

#[test]
fn required_binding_reason_names_the_code() {
	let json = samples::PATIENT_DEMOGRAPHICS.replace("\"female\"", "\"robot\"");
	let error = validate(json.as_bytes()).unwrap_err();
	assert_eq!(
		error.to_string(),
		"invalid FHIR at Patient.gender: code \"robot\" is not in the required value set"
	);
}

#[test]
fn rejects_empty_oversized_and_non_json_payloads() {
	assert_eq!(validate(b""), Err(FhirError::Empty));
	assert_eq!(validate(b" \n\t"), Err(FhirError::Empty));
	let huge = vec![b' '; ehr_fhir::MAX_PAYLOAD_BYTES + 1];
	assert!(matches!(validate(&huge), Err(FhirError::TooLarge { .. })));
	assert_eq!(fails_at("{\"resourceType\": "), "$");
	assert_eq!(fails_at("[1, 2]"), "$");
	assert_eq!(fails_at("{\"id\": \"x\"}"), "resourceType");
	// A datatype is not a resource.
	assert_eq!(fails_at("{\"resourceType\": \"HumanName\"}"), "resourceType");
}

#[test]
fn bundle_without_entries_is_rejected() {
	assert_eq!(fails_at(r#"{"resourceType": "Bundle", "type": "collection"}"#), "Bundle.entry");
}

#[test]
fn nested_resources_are_checked_too() {
	let json = r#"{"resourceType": "Patient", "contained": [
		{"resourceType": "Patient", "id": "p2"},
		{"resourceType": "Observation", "code": {"text": "x"}}
	]}"#;
	assert_eq!(fails_at(json), "Patient.contained[1].status");
}

#[test]
fn choice_elements_and_primitive_extensions_are_understood() {
	let json = r#"{"resourceType": "Patient", "deceasedBoolean": false,
		"birthDate": "1970", "_birthDate": {"extension": [
			{"url": "http://example.org/accuracy", "valueCode": "estimated"}]}}"#;
	assert!(validate(json.as_bytes()).is_ok());
	assert_eq!(
		fails_at(r#"{"resourceType": "Patient", "deceasedCode": "x"}"#),
		"Patient.deceasedCode"
	);
	assert_eq!(fails_at(r#"{"resourceType": "Patient", "_gender": 1}"#), "Patient._gender");
}

/// Each of these passes `fhir`'s own parsing and `Validate`.
#[test]
fn catches_what_fhir_lets_through() {
	let cases = [
		(r#"{"resourceType": "Patient", "birthdate": "1970"}"#, "Patient.birthdate"),
		(r#"{"resourceType": "Patient", "birthDate": "1970-02-30"}"#, "Patient.birthDate"),
		(
			r#"{"resourceType": "Patient", "deceasedBoolean": true, "deceasedDateTime": "2020"}"#,
			"Patient.deceased[x]",
		),
		(r#"{"resourceType": "Patient", "id": "bad id!"}"#, "Patient.id"),
		(
			r#"{"resourceType": "Bundle", "type": "collection", "entry": [{"resource": {"resourceType": "Nope"}}]}"#,
			"Bundle.entry[0].resource.resourceType",
		),
	];
	for (json, path) in cases {
		assert_eq!(fails_at(json), path, "{json}");
	}
	let zero_frequency =
		samples::MEDICATION_REQUEST.replace(r#""frequency": 1"#, r#""frequency": 0"#);
	assert_eq!(
		fails_at(&zero_frequency),
		"MedicationRequest.dosageInstruction[0].timing.repeat.frequency"
	);
}
