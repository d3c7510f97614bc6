//! Records as FHIR resources: which patient a posted resource is about, which records are the
//! versions of one logical resource, and the `id` and `meta.versionId` a stored resource is
//! served with.
//!
//! # Logical ids and versions
//!
//! A resource created by `POST` is record `r` on chain, and its logical id is `r`. Every `PUT`
//! adds a record that supersedes the current version (the chain requires the same patient and
//! category), so the versions of resource `r` are `r` and every record that amends it, directly
//! or not, in record order: version 1 is `r`, version 2 the first amendment, and so on. Reading
//! `[type]/r` gives the last version, `[type]/r/_history/n` version `n`. A record that amends
//! another is not a logical id of its own (404, naming the resource and version it is).
//!
//! What is stored is the posted JSON as it was sent (byte for byte, so its content commitment
//! is the author's); `id` and `meta.versionId` are set when it is served, since the record id
//! is known only once the chain has stored it.
use crate::{mapping::parse_account, outcome::ApiError};
use ehr_client::{records::RecordSummary, subxt::utils::AccountId32};
use serde_json::Value;
use std::collections::BTreeMap;

/// The elements that name the patient of the resource types that records hold
/// (`Coverage.beneficiary`, `AllergyIntolerance.patient`, `Condition.subject`, ...).
const PATIENT_ELEMENTS: [&str; 3] = ["subject", "patient", "beneficiary"];

/// The `Patient/...` references of `resource`, and of its entries' resources for a Bundle.
pub fn patient_references(resource: &Value) -> Vec<String> {
	let mut found: Vec<String> = Vec::new();
	let mut add = |resource: &Value| {
		for element in PATIENT_ELEMENTS {
			if let Some(reference) = resource[element]["reference"].as_str() {
				if reference.starts_with("Patient/") && !found.iter().any(|r| r == reference) {
					found.push(reference.to_owned());
				}
			}
		}
	};
	add(resource);
	for entry in resource["entry"].as_array().into_iter().flatten() {
		add(&entry["resource"]);
	}
	found
}

/// The patient a posted `resource` is filed under: `explicit` (the `X-Ehr-Patient` header or
/// the `patient` parameter) if given, else the resource's one `Patient/<ss58>` reference. A
/// resource that names another patient than `explicit` is refused, so that a record is never
/// filed under someone it does not describe.
pub fn patient_of(explicit: Option<&str>, resource: &Value) -> Result<AccountId32, ApiError> {
	let references = patient_references(resource);
	let named: Vec<AccountId32> = references.iter().filter_map(|r| parse_account(r).ok()).collect();
	match explicit {
		Some(text) => {
			let patient = parse_account(text)?;
			match named.iter().find(|other| **other != patient) {
				Some(other) => Err(ApiError::Unprocessable(format!(
					"the resource is about Patient/{other}, not Patient/{patient}"
				))),
				None => Ok(patient),
			}
		},
		None => match (named.as_slice(), references.len()) {
			([patient], 1) => Ok(*patient),
			([], 0) => Err(ApiError::Unprocessable(
				"no patient: give the X-Ehr-Patient header (an SS58 address or Patient/<SS58>) or \
				 reference Patient/<SS58> in subject, patient or beneficiary"
					.into(),
			)),
			([], _) => Err(ApiError::Unprocessable(format!(
				"{} does not name an ehr-chain account: give the X-Ehr-Patient header",
				references.join(", ")
			))),
			_ => Err(ApiError::Unprocessable(format!(
				"the resource names several patients ({}): give the X-Ehr-Patient header",
				references.join(", ")
			))),
		},
	}
}

/// The record whose chain of amendments `record` belongs to: the one that amends nothing.
pub fn root_of(records: &[RecordSummary], record: u64) -> Option<u64> {
	let by_id: BTreeMap<u64, &RecordSummary> = records.iter().map(|r| (r.id, r)).collect();
	let mut at = by_id.get(&record)?;
	// An amendment names an older record, so this ends; the bound guards against a cycle anyway.
	for _ in 0..=records.len() {
		match at.supersedes.and_then(|old| by_id.get(&old)) {
			Some(older) => at = older,
			None => return Some(at.id),
		}
	}
	None
}

/// The versions of the logical resource `root`, oldest first: `root` and every record that
/// amends it, directly or not, in record order.
pub fn versions(records: &[RecordSummary], root: u64) -> Vec<&RecordSummary> {
	let mut versions: Vec<&RecordSummary> =
		records.iter().filter(|r| root_of(records, r.id) == Some(root)).collect();
	versions.sort_by_key(|r| r.id);
	versions
}

/// The logical resources among `records` (the records that amend nothing), oldest first, each
/// with its versions.
pub fn logical_resources(records: &[RecordSummary]) -> Vec<Vec<&RecordSummary>> {
	let mut roots: Vec<u64> =
		records.iter().filter(|r| root_of(records, r.id) == Some(r.id)).map(|r| r.id).collect();
	roots.sort();
	roots.into_iter().map(|root| versions(records, root)).collect()
}

/// The stored `json` served as version `version` of logical resource `id`: `id` and
/// `meta.versionId` set, the rest as stored.
pub fn stamp(json: &str, id: u64, version: usize) -> Result<Value, ApiError> {
	let mut resource: Value = serde_json::from_str(json)
		.map_err(|e| ApiError::Internal(format!("a stored record is not JSON: {e}")))?;
	let Some(object) = resource.as_object_mut() else {
		return Err(ApiError::Internal("a stored record is not a JSON object".into()));
	};
	object.insert("id".into(), Value::String(id.to_string()));
	let meta = object.entry("meta").or_insert_with(|| Value::Object(Default::default()));
	if let Some(meta) = meta.as_object_mut() {
		meta.insert("versionId".into(), Value::String(version.to_string()));
	}
	Ok(resource)
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::mapping::tests::account;
	use ehr_client::types::Category;
	use serde_json::json;

	fn record(id: u64, supersedes: Option<u64>) -> RecordSummary {
		RecordSummary {
			id,
			patient: account(4),
			author: account(3),
			hospital: Some(account(2)),
			category: Category::Condition,
			size: 10,
			created_at: 3,
			supersedes,
			erased_at: None,
		}
	}

	#[test]
	fn amendments_are_the_versions_of_their_root() {
		let records = [record(0, None), record(1, None), record(2, Some(0)), record(5, Some(2))];
		assert_eq!(root_of(&records, 5), Some(0));
		assert_eq!(root_of(&records, 1), Some(1));
		assert_eq!(root_of(&records, 9), None);
		let ids = |v: Vec<&RecordSummary>| v.iter().map(|r| r.id).collect::<Vec<_>>();
		assert_eq!(ids(versions(&records, 0)), vec![0, 2, 5]);
		assert_eq!(ids(versions(&records, 1)), vec![1]);
		let resources: Vec<Vec<u64>> = logical_resources(&records).into_iter().map(ids).collect();
		assert_eq!(resources, vec![vec![0, 2, 5], vec![1]]);
	}

	#[test]
	fn the_patient_comes_from_the_header_or_the_one_reference() {
		let dave = account(4);
		let about = |reference: &str| json!({ "resourceType": "Condition", "subject": { "reference": reference } });
		assert_eq!(patient_of(None, &about(&format!("Patient/{dave}"))).unwrap(), dave);
		let coverage = json!({ "beneficiary": { "reference": format!("Patient/{dave}") } });
		assert_eq!(patient_of(None, &coverage).unwrap(), dave);
		let sample = about("Patient/example-pat-001");
		assert!(matches!(patient_of(None, &sample), Err(ApiError::Unprocessable(_))));
		assert_eq!(patient_of(Some(&dave.to_string()), &sample).unwrap(), dave);
		assert_eq!(patient_of(Some(&format!("Patient/{dave}")), &json!({})).unwrap(), dave);
		assert!(matches!(patient_of(None, &json!({})), Err(ApiError::Unprocessable(_))));
		let other = about(&format!("Patient/{}", account(5)));
		assert!(matches!(
			patient_of(Some(&dave.to_string()), &other),
			Err(ApiError::Unprocessable(_))
		));
		assert!(matches!(patient_of(Some("nobody"), &sample), Err(ApiError::BadRequest(_))));
		let bundle = json!({ "entry": [
			{ "resource": about(&format!("Patient/{dave}")) },
			{ "resource": about(&format!("Patient/{}", account(5))) },
		] });
		assert!(matches!(patient_of(None, &bundle), Err(ApiError::Unprocessable(_))));
	}

	#[test]
	fn a_stored_resource_is_served_with_its_id_and_version() {
		let stored =
			r#"{"resourceType":"Condition","id":"mine","meta":{"profile":["x"]},"subject":{}}"#;
		let served = stamp(stored, 7, 2).unwrap();
		assert_eq!(served["id"], "7");
		assert_eq!(served["meta"], json!({ "profile": ["x"], "versionId": "2" }));
		assert_eq!(served["subject"], json!({}));
		assert_eq!(stamp("{}", 1, 1).unwrap()["meta"]["versionId"], "1");
		assert!(stamp("[]", 1, 1).is_err());
	}
}
