//! Records as FHIR resources: which patient a posted resource is about, which records are the
//! versions of one logical resource, and the `id`, `meta.versionId` and `meta.lastUpdated` a
//! stored resource is served with.
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
//! is known only once the chain has stored it. `meta.lastUpdated` is the time of the block that
//! anchored the version, from the node's audit index (its `RecordAdded` entry), and is left out
//! while the index has not reached that block (it indexes final blocks only).
use crate::{
	mapping::{instant, parse_account},
	outcome::ApiError,
};
use ehr_client::{
	audit::{AuditEntry, AuditEvent},
	records::RecordSummary,
	subxt::utils::AccountId32,
};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

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

/// When each record added among `entries` was anchored: its block's time, in ms since the epoch.
pub fn added_times(entries: &[AuditEntry]) -> HashMap<u64, u64> {
	entries
		.iter()
		.filter_map(|entry| match entry.event {
			AuditEvent::RecordAdded { record, .. } => Some((record, entry.time_ms)),
			_ => None,
		})
		.collect()
}

/// The stored `json` served as version `version` of logical resource `id`, last updated at
/// `last_updated` (ms since the epoch) if known: `id` and `meta` set, the rest as stored.
pub fn stamp(
	json: &str,
	id: u64,
	version: usize,
	last_updated: Option<u64>,
) -> Result<Value, ApiError> {
	let mut resource: Value = serde_json::from_str(json)
		.map_err(|e| ApiError::Internal(format!("a stored record is not JSON: {e}")))?;
	let Some(object) = resource.as_object_mut() else {
		return Err(ApiError::Internal("a stored record is not a JSON object".into()));
	};
	object.insert("id".into(), Value::String(id.to_string()));
	let meta = object.entry("meta").or_insert_with(|| Value::Object(Default::default()));
	if let Some(meta) = meta.as_object_mut() {
		meta.insert("versionId".into(), Value::String(version.to_string()));
		match last_updated {
			Some(ms) => meta.insert("lastUpdated".into(), Value::String(instant(ms))),
			// The author's own claim is not the chain's: never serve it as ours.
			None => meta.remove("lastUpdated"),
		};
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
		let served = stamp(stored, 7, 2, None).unwrap();
		assert_eq!(served["id"], "7");
		assert_eq!(served["meta"], json!({ "profile": ["x"], "versionId": "2" }));
		assert_eq!(served["subject"], json!({}));
		assert_eq!(stamp("{}", 1, 1, None).unwrap()["meta"]["versionId"], "1");
		assert!(stamp("[]", 1, 1, None).is_err());
	}

	#[test]
	fn last_updated_is_the_anchoring_block_time_or_absent() {
		let claimed =
			r#"{"resourceType":"Condition","meta":{"lastUpdated":"1999-01-01T00:00:00Z"}}"#;
		let served = stamp(claimed, 7, 1, Some(1_796_302_029_123)).unwrap();
		assert_eq!(served["meta"]["lastUpdated"], "2026-12-03T12:47:09.123Z");
		assert!(stamp(claimed, 7, 1, None).unwrap()["meta"].get("lastUpdated").is_none());
	}

	#[test]
	fn added_times_come_from_record_added_entries_only() {
		use ehr_client::types::{Category, DenyReason};
		use ehr_types::audit::AuditCursor;
		let entry = |block: u32, event| AuditEntry {
			at: AuditCursor { block, event: 0 },
			time_ms: u64::from(block) * 1_000,
			event,
		};
		let author = account(3);
		let entries = [
			entry(5, AuditEvent::RecordAdded { record: 1, author, category: Category::Condition }),
			entry(
				6,
				AuditEvent::Denied { record: 2, reader: author, reason: DenyReason::NoConsent },
			),
			entry(7, AuditEvent::RecordAdded { record: 2, author, category: Category::Condition }),
		];
		assert_eq!(added_times(&entries), HashMap::from([(1, 5_000), (2, 7_000)]));
	}
}
