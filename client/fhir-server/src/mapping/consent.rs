//! Consent grants as FHIR `Consent`s, and the `Consent`s a patient (or guardian) posts as grants.
//!
//! A grant is a `permit` provision: `provision.actor` is the grantee (`Practitioner/<ss58>` for a
//! doctor, `Organization/<ss58>` for a whole hospital) in the role `PRCP` (primary information
//! recipient); `provision.action` is `access` for a read right, `access` and `correct` for
//! read-and-write; the scope is everything (no further element), one record category
//! (`provision.class`, the category's FHIR resource type from `ehr-types`), or listed records
//! (`provision.data`, `meaning = instance`, each an identifier in [`RECORD_SYSTEM`]).
//!
//! Where the mapping is not faithful:
//! - a grant lapses at a **block**, not at a time: the block is the extension
//!   [`EXPIRES_AT_BLOCK`] on `provision` (whose `period` FHIR would use), and `provision.period.start`
//!   is the time of the block the grant was made in, when the audit trail gives it;
//! - a revoked grant is deleted from the chain, so it is never listed; `status = inactive` marks
//!   a grant that lapsed; revocation is `PUT /Consent/<id>` with `status = inactive` (or
//!   `DELETE /Consent/<id>`), and nothing else of a grant can be changed;
//! - `Consent.scope` is always `patient-privacy`, `category` is LOINC `59284-0` (patient
//!   consent) and `policyRule` is `OPTIN`: the chain has no other kind of consent;
//! - a grant to a hospital opens records to its active doctors, not to its administrator
//!   account: FHIR's `Organization` actor says less than that.
use super::{account_reference, instant, parse_account, RECORD_SYSTEM};
use crate::outcome::ApiError;
use ehr_client::{
	consent::ConsentGrant,
	ehr::runtime_types::bounded_collections::bounded_vec::BoundedVec,
	subxt::utils::AccountId32,
	types::{Category, GrantScope, Grantee, Right},
};
use serde_json::{json, Value};

/// The extension on `Consent.provision` giving the block a grant lapses at.
pub const EXPIRES_AT_BLOCK: &str = "urn:ehr-chain:fhir:consent-expires-at-block";
const ACTION: &str = "http://terminology.hl7.org/CodeSystem/consentaction";
const RESOURCE_TYPES: &str = "http://hl7.org/fhir/resource-types";

/// A grant as the chain takes it ([`ehr_client::consent::grant`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GrantRequest {
	/// The patient named in `Consent.patient`, if any.
	pub patient: Option<AccountId32>,
	/// The doctor or hospital.
	pub grantee: Grantee<AccountId32>,
	/// Which records.
	pub scope: GrantScope,
	/// Read, or read and write.
	pub right: Right,
	/// The block it lapses at, if any.
	pub expires_at: Option<u32>,
}

/// `grant` as a Consent; `granted_ms` is the time of the block it was made in, if known.
pub fn consent_resource(grant: &ConsentGrant, granted_ms: Option<u64>) -> Value {
	let actor = match &grant.grantee {
		Grantee::Doctor(doctor) => account_reference("Practitioner", doctor),
		Grantee::Hospital(hospital) => account_reference("Organization", hospital),
	};
	let mut actions = vec![json!({ "coding": [{ "system": ACTION, "code": "access" }] })];
	if grant.right == Right::ReadWrite {
		actions.push(json!({ "coding": [{ "system": ACTION, "code": "correct" }] }));
	}
	let mut provision = json!({
		"type": "permit",
		"actor": [{
			"role": { "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "code": "PRCP" }] },
			"reference": actor,
		}],
		"action": actions,
	});
	match &grant.scope {
		GrantScope::All => {},
		GrantScope::Category(category) => {
			provision["class"] =
				json!([{ "system": RESOURCE_TYPES, "code": category.fhir_resource_type() }]);
		},
		GrantScope::Records(BoundedVec(records)) => {
			let data: Vec<Value> = records
				.iter()
				.map(|record| {
					json!({
						"meaning": "instance",
						"reference": { "identifier": { "system": RECORD_SYSTEM, "value": record.to_string() } },
					})
				})
				.collect();
			provision["data"] = json!(data);
		},
	}
	if let Some(block) = grant.expires_at {
		provision["extension"] = json!([{ "url": EXPIRES_AT_BLOCK, "valueUnsignedInt": block }]);
	}
	if let Some(ms) = granted_ms {
		provision["period"] = json!({ "start": instant(ms) });
	}
	let performer = if grant.granted_by == grant.patient {
		account_reference("Patient", &grant.granted_by)
	} else {
		super::account_identifier(&grant.granted_by)
	};
	json!({
		"resourceType": "Consent",
		"id": grant.id.to_string(),
		"status": if grant.live { "active" } else { "inactive" },
		"scope": { "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/consentscope", "code": "patient-privacy" }] },
		"category": [{ "coding": [{ "system": "http://loinc.org", "code": "59284-0" }] }],
		"patient": account_reference("Patient", &grant.patient),
		"performer": [performer],
		"policyRule": { "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "OPTIN" }] },
		"provision": provision,
	})
}

/// The grant that `consent` (valid FHIR) asks for, or why ehr-chain cannot make it.
pub fn grant_request(consent: &Value) -> Result<GrantRequest, ApiError> {
	let unsupported =
		|what: &str| ApiError::Unprocessable(format!("a grant cannot express {what}"));
	if consent["status"] != "active" {
		return Err(unsupported("a Consent whose status is not active"));
	}
	let patient = match consent["patient"]["reference"].as_str() {
		Some(reference) => Some(parse_account(reference)?),
		None => None,
	};
	let provision = &consent["provision"];
	if provision.get("type").is_some_and(|t| t != "permit") {
		return Err(unsupported("a deny provision"));
	}
	if provision.get("provision").is_some() {
		return Err(unsupported("nested provisions"));
	}
	let actors = provision["actor"].as_array().map(Vec::as_slice).unwrap_or_default();
	let [actor] = actors else {
		return Err(unsupported("other than exactly one provision.actor (the grantee)"));
	};
	let reference = actor["reference"]["reference"].as_str().unwrap_or_default();
	let grantee = match reference.split_once('/') {
		Some(("Practitioner", _)) => Grantee::Doctor(parse_account(reference)?),
		Some(("Organization", _)) => Grantee::Hospital(parse_account(reference)?),
		_ => {
			return Err(unsupported(
				"a grantee other than Practitioner/<ss58> or Organization/<ss58>",
			))
		},
	};
	let codes: Vec<&str> = provision["action"]
		.as_array()
		.into_iter()
		.flatten()
		.flat_map(|action| action["coding"].as_array().into_iter().flatten())
		.filter_map(|coding| coding["code"].as_str())
		.collect();
	let right = match (codes.contains(&"access"), codes.contains(&"correct")) {
		(_, true) => Right::ReadWrite,
		(true, false) => Right::Read,
		(false, false) => {
			return Err(unsupported("a grant without provision.action access or correct"))
		},
	};
	let classes = provision["class"].as_array().map(Vec::as_slice).unwrap_or_default();
	let data = provision["data"].as_array().map(Vec::as_slice).unwrap_or_default();
	let scope = match (classes, data) {
		([], []) => GrantScope::All,
		([class], []) => {
			let code = class["code"].as_str().unwrap_or_default();
			GrantScope::Category(Category::from_fhir_resource_type(code).ok_or_else(|| {
				unsupported(&format!(
					"provision.class {code}: not a record category's resource type"
				))
			})?)
		},
		([], data) => {
			let mut records = Vec::with_capacity(data.len());
			for item in data {
				let value = item["reference"]["identifier"]["value"].as_str().unwrap_or_default();
				records.push(value.parse::<u64>().map_err(|_| {
					unsupported(
						"provision.data other than record identifiers (urn:ehr-chain:record)",
					)
				})?);
			}
			GrantScope::Records(BoundedVec(records))
		},
		_ => {
			return Err(unsupported("more than one provision.class, or a class and data together"))
		},
	};
	let extensions = provision["extension"].as_array().map(Vec::as_slice).unwrap_or_default();
	let expires_at = match extensions.iter().find(|e| e["url"] == EXPIRES_AT_BLOCK) {
		Some(extension) => Some(
			extension["valueUnsignedInt"]
				.as_u64()
				.and_then(|b| u32::try_from(b).ok())
				.ok_or_else(|| unsupported("an expiry block that is not a block number"))?,
		),
		None if provision.get("period").and_then(|p| p.get("end")).is_some() => {
			return Err(unsupported(&format!(
				"provision.period.end: grants lapse at a block, give the extension {EXPIRES_AT_BLOCK}"
			)))
		},
		None => None,
	};
	Ok(GrantRequest { patient, grantee, scope, right, expires_at })
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::mapping::tests::account;

	fn grant(scope: GrantScope, right: Right, expires_at: Option<u32>) -> ConsentGrant {
		ConsentGrant {
			id: 4,
			patient: account(4),
			grantee: Grantee::Doctor(account(3)),
			scope,
			right,
			granted_by: account(4),
			granted_at: 5,
			expires_at,
			live: true,
		}
	}

	fn valid(consent: &Value) {
		ehr_fhir::validate(consent.to_string().as_bytes())
			.unwrap_or_else(|e| panic!("invalid Consent {consent}: {e}"));
	}

	#[test]
	fn grants_round_trip_through_consent() {
		let scopes = [
			GrantScope::All,
			GrantScope::Category(Category::Condition),
			GrantScope::Records(BoundedVec(vec![1, 5])),
		];
		for scope in scopes {
			for right in [Right::Read, Right::ReadWrite] {
				for expires_at in [None, Some(90)] {
					let grant = grant(scope.clone(), right, expires_at);
					let consent = consent_resource(&grant, Some(1_796_302_029_123));
					valid(&consent);
					let back = grant_request(&consent).unwrap();
					assert_eq!(
						back,
						GrantRequest {
							patient: Some(grant.patient),
							grantee: grant.grantee.clone(),
							scope: grant.scope.clone(),
							right,
							expires_at,
						}
					);
				}
			}
		}
	}

	#[test]
	fn a_lapsed_grant_is_inactive_and_a_hospital_an_organization() {
		let mut lapsed = grant(GrantScope::All, Right::Read, Some(3));
		lapsed.live = false;
		lapsed.grantee = Grantee::Hospital(account(2));
		let consent = consent_resource(&lapsed, None);
		valid(&consent);
		assert_eq!(consent["status"], "inactive");
		let actor = &consent["provision"]["actor"][0]["reference"]["reference"];
		assert_eq!(actor, &json!(format!("Organization/{}", account(2))));
		assert!(consent["provision"].get("period").is_none());
	}

	#[test]
	fn what_a_grant_cannot_express_is_unprocessable() {
		let base = consent_resource(&grant(GrantScope::All, Right::Read, None), None);
		let with = |path: &[&str], value: Value| {
			let mut consent = base.clone();
			let mut at = &mut consent;
			for key in &path[..path.len() - 1] {
				at = &mut at[*key];
			}
			at[path[path.len() - 1]] = value;
			grant_request(&consent)
		};
		let unprocessable =
			|r: Result<GrantRequest, ApiError>| matches!(r, Err(ApiError::Unprocessable(_)));
		assert!(unprocessable(with(&["provision", "type"], json!("deny"))));
		assert!(unprocessable(with(&["status"], json!("draft"))));
		assert!(unprocessable(with(&["provision", "actor"], json!([]))));
		assert!(unprocessable(with(&["provision", "period"], json!({ "end": "2027-01-01" }))));
		assert!(unprocessable(with(&["provision", "class"], json!([{ "code": "Bundle" }]))));
		assert!(unprocessable(with(&["provision", "action"], json!([]))));
		let stranger = json!([{ "role": {}, "reference": { "reference": "Patient/x" } }]);
		assert!(unprocessable(with(&["provision", "actor"], stranger)));
		let bad_account =
			json!([{ "role": {}, "reference": { "reference": "Practitioner/nobody" } }]);
		assert!(matches!(with(&["provision", "actor"], bad_account), Err(ApiError::BadRequest(_))));
	}
}
