//! The CapabilityStatement (`GET /metadata`): exactly what this server implements, built from
//! the record categories of `ehr-types` (their FHIR resource types) and the few other types the
//! server serves, so that it cannot claim more than the routes do.
use ehr_types::Category;
use serde_json::{json, Value};

/// The record interactions: what `routes` does for every resource type a category holds, and
/// for Bundles (treatment summaries), except `search-type`.
const RECORD_INTERACTIONS: [&str; 7] =
	["create", "read", "vread", "update", "delete", "history-instance", "search-type"];

/// The resource types records are created as and searched by: each category's types, in
/// category order, from `ehr-types`.
pub fn record_types() -> Vec<&'static str> {
	Category::ALL.iter().flat_map(|c| c.fhir_resource_types().iter().copied()).collect()
}

/// The CapabilityStatement of a server at `base`, started at `date` (a FHIR dateTime).
pub fn capability_statement(base: &str, date: &str) -> Value {
	fn interactions(codes: &[&str]) -> Vec<Value> {
		codes.iter().map(|code| json!({ "code": code })).collect()
	}
	let patient_param = json!({
		"name": "patient",
		"type": "reference",
		"documentation": "The patient: Patient/<SS58 address> or the address alone; the acting account if not given",
	});
	let dates = "[eq|ne|ge|gt|le|lt|sa|eb] then YYYY, YYYY-MM, YYYY-MM-DD (UTC) or YYYY-MM-DDThh:mm:ss[.sss](Z|±hh:mm); may repeat";
	let updated_param = json!({
		"name": "_lastUpdated",
		"type": "date",
		"documentation": format!("When the current version was anchored (its block's time): {dates}"),
	});
	let count_param = json!({ "name": "_count", "type": "number", "documentation": "Page size (at most 100); pages follow with the next link" });
	let mut resources: Vec<Value> = record_types()
		.into_iter()
		.map(|resource_type| {
			let mut resource = json!({
				"type": resource_type,
				"interaction": interactions(&RECORD_INTERACTIONS),
				"versioning": "versioned",
				"readHistory": true,
				"updateCreate": false,
				"searchParam": [patient_param.clone(), updated_param.clone(), count_param.clone()],
			});
			if Category::from_fhir_resource_type(resource_type) == Some(Category::Demographics) {
				resource["operation"] = json!([{
					"name": "everything",
					"definition": "http://hl7.org/fhir/OperationDefinition/Patient-everything",
					"documentation": "GET /Patient/<SS58 address>/$everything: every record of the patient the acting account may read",
				}]);
			}
			resource
		})
		.collect();
	resources.push(json!({
		"type": "Bundle",
		"documentation": "A treatment summary, filed under the category of its entries (an Encounter's if it holds one)",
		"interaction": interactions(&RECORD_INTERACTIONS[..6]),
		"versioning": "versioned",
		"readHistory": true,
		"updateCreate": false,
	}));
	resources.push(json!({
		"type": "AuditEvent",
		"documentation": "The patient's on-chain audit trail (read-only)",
		"interaction": interactions(&["search-type"]),
		"searchParam": [
			patient_param.clone(),
			{ "name": "date", "type": "date", "documentation": format!("When it happened (its block's time): {dates}") },
			count_param.clone(),
		],
	}));
	resources.push(json!({
		"type": "Consent",
		"documentation": "Consent grants. Create grants; update only to status inactive, or delete, to revoke (the patient given by Consent.patient, or the patient parameter for delete)",
		"interaction": interactions(&["create", "update", "delete", "search-type"]),
		"updateCreate": false,
		"searchParam": [patient_param, count_param],
	}));
	json!({
		"resourceType": "CapabilityStatement",
		"status": "active",
		"date": date,
		"publisher": "ehr-chain",
		"kind": "instance",
		"software": { "name": "ehr-fhir-server", "version": env!("CARGO_PKG_VERSION") },
		"implementation": {
			"description": "FHIR R4 in front of ehr-chain, acting for one account",
			"url": base,
		},
		"fhirVersion": "4.0.1",
		"format": ["application/fhir+json", "json"],
		"rest": [{
			"mode": "server",
			"documentation": "Records are encrypted, dispersed over custodians and anchored on ehr-chain; every read is decided and audited by the chain.",
			"security": {
				"cors": false,
				"description": "No client authentication: the server acts for the one account whose key it holds, so it must only be reachable by that account's user (see the crate documentation).",
			},
			"resource": resources,
		}],
	})
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn the_statement_is_valid_fhir_and_lists_every_category() {
		let statement = capability_statement("http://127.0.0.1:8080", "2026-12-04T20:00:00Z");
		ehr_fhir::validate(statement.to_string().as_bytes()).unwrap();
		assert_eq!(statement["fhirVersion"], "4.0.1");
		let types: Vec<&str> = statement["rest"][0]["resource"]
			.as_array()
			.unwrap()
			.iter()
			.map(|r| r["type"].as_str().unwrap())
			.collect();
		for category in Category::ALL {
			for resource_type in category.fhir_resource_types() {
				assert!(types.contains(resource_type), "{resource_type} is missing");
			}
		}
		for other in ["Bundle", "AuditEvent", "Consent"] {
			assert!(types.contains(&other), "{other} is missing");
		}
		assert_eq!(types.len(), record_types().len() + 3);
	}
}
