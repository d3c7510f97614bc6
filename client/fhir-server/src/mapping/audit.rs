//! A patient's on-chain audit trail as FHIR `AuditEvent`s.
//!
//! Each trail entry becomes one AuditEvent whose id is `<block>-<event index>`: `recorded` is the
//! block's time (UTC), `outcome` is `0` for what the chain allowed and `4` for a read it refused
//! (with the chain's reason in `outcomeDesc`), the agent who asked is the `requestor`, and the
//! entities are the patient and, where there is one, the record or the consent grant.
//!
//! Where the mapping is not faithful:
//! - a record appears as an identifier (system [`RECORD_SYSTEM`]), not as a reference, since a
//!   read's event does not say the record's resource type (and a reference to `Condition/7`
//!   would name a version, not the logical resource, when records amend others); a record that
//!   was added is referenced as `<type>/<record>` from its category;
//! - the chain does not say who erased a record (the patient or a guardian) or who named a
//!   guardian (the patient): the agent is the patient;
//! - readers whose role the event does not give (a refused reader, a guardian) are identifiers
//!   in [`ACCOUNT_SYSTEM`](super::ACCOUNT_SYSTEM); emergency reasons, grant ids and ticket ids
//!   are `entity.detail`s.
use super::{account_identifier, account_reference, instant, RECORD_SYSTEM};
use ehr_client::{
	audit::{AuditEntry, AuditEvent},
	subxt::utils::AccountId32,
	types::{AccessReason, Grantee},
};
use serde_json::{json, Value};

const EVENT_TYPE: &str = "http://terminology.hl7.org/CodeSystem/audit-event-type";
const INTERACTION: &str = "http://hl7.org/fhir/restful-interaction";
/// The event kinds that are not a RESTful interaction, by the trail's own names.
const EHR_EVENT: &str = "urn:ehr-chain:audit-event";
const ACT_REASON: &str = "http://terminology.hl7.org/CodeSystem/v3-ActReason";

/// `entry` of `patient`'s trail as an AuditEvent.
pub fn audit_event(patient: &AccountId32, entry: &AuditEntry) -> Value {
	let patient_entity = json!({
		"what": account_reference("Patient", patient),
		"type": { "system": "http://terminology.hl7.org/CodeSystem/audit-entity-type", "code": "1", "display": "Person" },
		"role": { "system": "http://terminology.hl7.org/CodeSystem/object-role", "code": "1", "display": "Patient" },
	});
	let agent = |who: &AccountId32, requestor: bool| {
		let who = if who == patient {
			account_reference("Patient", who)
		} else {
			account_identifier(who)
		};
		json!({ "who": who, "requestor": requestor })
	};
	let doctor = |who: &AccountId32, requestor: bool| json!({ "who": account_reference("Practitioner", who), "requestor": requestor });
	let record = |record: u64, details: Vec<Value>| {
		let mut entity = json!({
			"what": { "identifier": { "system": RECORD_SYSTEM, "value": record.to_string() } },
			"type": { "system": "http://terminology.hl7.org/CodeSystem/audit-entity-type", "code": "2", "display": "System Object" },
		});
		if !details.is_empty() {
			entity["detail"] = Value::Array(details);
		}
		entity
	};
	let detail = |name: &str, value: String| json!({ "type": name, "valueString": value });
	let rest = |code: &'static str| -> (Value, Option<&'static str>) {
		(
			json!({ "system": EVENT_TYPE, "code": "rest", "display": "RESTful Operation" }),
			Some(code),
		)
	};
	let ehr = |code: &str| -> (Value, Option<&'static str>) {
		(json!({ "system": EHR_EVENT, "code": code }), None)
	};

	let mut outcome = "0";
	let mut outcome_desc = None;
	let mut purpose = None;
	let ((kind, subtype), action, agents, mut entities) = match &entry.event {
		AuditEvent::Read { record: id, reader, ticket, reason, expires_at } => {
			purpose = Some(purpose_of(reason));
			let details = vec![
				detail("ticket", ticket.to_string()),
				detail("ticket expires at block", expires_at.to_string()),
			];
			(rest("read"), "R", vec![agent(reader, true)], vec![record(*id, details)])
		},
		AuditEvent::Denied { record: id, reader, reason } => {
			outcome = "4";
			outcome_desc = Some(format!("refused by the chain: {reason:?}"));
			(rest("read"), "R", vec![agent(reader, true)], vec![record(*id, vec![])])
		},
		AuditEvent::EmergencyOpened { doctor: who, hospital, reason, expires_at } => {
			purpose = Some(json!({ "coding": [{ "system": ACT_REASON, "code": "ETREAT" }] }));
			let details = vec![
				detail("reason", format!("{reason:?}")),
				detail("expires at block", expires_at.to_string()),
			];
			let hospital =
				json!({ "who": account_reference("Organization", hospital), "requestor": false });
			let mut session = json!({ "what": account_reference("Practitioner", who) });
			session["detail"] = Value::Array(details);
			(ehr("EmergencyOpened"), "E", vec![doctor(who, true), hospital], vec![session])
		},
		AuditEvent::EmergencyClosed { doctor: who, by } => {
			let by_doctor = if by == who {
				vec![doctor(who, true)]
			} else {
				vec![agent(by, true), doctor(who, false)]
			};
			(ehr("EmergencyClosed"), "E", by_doctor, vec![])
		},
		AuditEvent::ConsentGranted { grant, grantee, right, expires_at, by } => {
			let mut details = vec![detail("right", format!("{right:?}"))];
			details.push(detail("grantee", grantee_reference(grantee)));
			if let Some(block) = expires_at {
				details.push(detail("expires at block", block.to_string()));
			}
			let consent =
				json!({ "what": { "reference": format!("Consent/{grant}") }, "detail": details });
			(ehr("ConsentGranted"), "C", vec![agent(by, true)], vec![consent])
		},
		AuditEvent::ConsentRevoked { grant, by } => {
			let consent = json!({ "what": { "reference": format!("Consent/{grant}") } });
			(ehr("ConsentRevoked"), "D", vec![agent(by, true)], vec![consent])
		},
		AuditEvent::RecordAdded { record: id, author, category } => {
			let mut added = record(*id, vec![]);
			added["what"]["reference"] = json!(format!("{}/{id}", category.fhir_resource_type()));
			let by = if author == patient { agent(author, true) } else { doctor(author, true) };
			(rest("create"), "C", vec![by], vec![added])
		},
		AuditEvent::RecordErased { record: id } => {
			(rest("delete"), "D", vec![agent(patient, true)], vec![record(*id, vec![])])
		},
		AuditEvent::GuardianAdded { guardian } => {
			let named = json!({ "what": account_identifier(guardian), "detail": [detail("guardian", "added".into())] });
			(ehr("GuardianAdded"), "U", vec![agent(patient, true)], vec![named])
		},
		AuditEvent::GuardianRemoved { guardian } => {
			let named = json!({ "what": account_identifier(guardian), "detail": [detail("guardian", "removed".into())] });
			(ehr("GuardianRemoved"), "U", vec![agent(patient, true)], vec![named])
		},
	};
	entities.insert(0, patient_entity);
	let mut event = json!({
		"resourceType": "AuditEvent",
		"id": format!("{}-{}", entry.at.block, entry.at.event),
		"type": kind,
		"action": action,
		"recorded": instant(entry.time_ms),
		"outcome": outcome,
		"agent": agents,
		"source": {
			"site": format!("block {}", entry.at.block),
			"observer": { "display": "ehr-chain audit index (ehr_auditTrail)" },
		},
		"entity": entities,
	});
	if let Some(code) = subtype {
		event["subtype"] = json!([{ "system": INTERACTION, "code": code }]);
	}
	if let Some(desc) = outcome_desc {
		event["outcomeDesc"] = json!(desc);
	}
	if let Some(purpose) = purpose {
		event["purposeOfEvent"] = json!([purpose]);
	}
	event
}

/// Why the chain let a reader in, as a v3 ActReason.
fn purpose_of(reason: &AccessReason) -> Value {
	let (code, text) = match reason {
		AccessReason::Owner => ("PATRQT", "the patient".to_owned()),
		AccessReason::Guardian => ("FAMRQT", "a guardian of the patient".to_owned()),
		AccessReason::Author => ("TREAT", "the record's author".to_owned()),
		AccessReason::Consent { grant } => ("TREAT", format!("consent grant {grant}")),
		AccessReason::Emergency => ("ETREAT", "emergency access".to_owned()),
	};
	json!({ "coding": [{ "system": ACT_REASON, "code": code }], "text": text })
}

fn grantee_reference(grantee: &Grantee<AccountId32>) -> String {
	match grantee {
		Grantee::Doctor(doctor) => format!("Practitioner/{doctor}"),
		Grantee::Hospital(hospital) => format!("Organization/{hospital}"),
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::mapping::tests::account;
	use ehr_client::types::{Category, DenyReason, EmergencyReason, Right};
	use ehr_types::audit::AuditCursor;

	fn entry(block: u32, event: AuditEvent) -> AuditEntry {
		AuditEntry { at: AuditCursor { block, event: 1 }, time_ms: 1_796_302_029_123, event }
	}

	fn valid(event: &Value) {
		ehr_fhir::validate(event.to_string().as_bytes())
			.unwrap_or_else(|e| panic!("invalid AuditEvent {event}: {e}"));
	}

	#[test]
	fn a_read_is_outcome_0_with_who_what_and_why() {
		let (patient, doctor) = (account(4), account(3));
		let read = AuditEvent::Read {
			record: 7,
			reader: doctor,
			ticket: 2,
			reason: AccessReason::Consent { grant: 0 },
			expires_at: 109,
		};
		let event = audit_event(&patient, &entry(9, read));
		valid(&event);
		assert_eq!(event["id"], "9-1");
		assert_eq!(event["outcome"], "0");
		assert_eq!(event["action"], "R");
		assert_eq!(event["recorded"], "2026-12-03T12:47:09.123Z");
		assert_eq!(event["agent"][0]["who"]["identifier"]["value"], doctor.to_string());
		assert_eq!(event["agent"][0]["requestor"], true);
		assert_eq!(event["entity"][0]["what"]["reference"], format!("Patient/{patient}"));
		assert_eq!(event["entity"][1]["what"]["identifier"]["value"], "7");
		assert_eq!(event["purposeOfEvent"][0]["text"], "consent grant 0");
	}

	#[test]
	fn a_refusal_is_outcome_4_with_the_chains_reason() {
		let denied =
			AuditEvent::Denied { record: 7, reader: account(5), reason: DenyReason::NoConsent };
		let event = audit_event(&account(4), &entry(10, denied));
		valid(&event);
		assert_eq!(event["outcome"], "4");
		assert!(event["outcomeDesc"].as_str().unwrap().contains("NoConsent"));
	}

	#[test]
	fn every_kind_of_event_is_a_valid_audit_event() {
		let (patient, doctor, hospital) = (account(4), account(3), account(2));
		let events = [
			AuditEvent::EmergencyOpened {
				doctor,
				hospital,
				reason: EmergencyReason::Unconscious,
				expires_at: 50,
			},
			AuditEvent::EmergencyClosed { doctor, by: patient },
			AuditEvent::EmergencyClosed { doctor, by: doctor },
			AuditEvent::ConsentGranted {
				grant: 1,
				grantee: Grantee::Hospital(hospital),
				right: Right::Read,
				expires_at: Some(9),
				by: patient,
			},
			AuditEvent::ConsentRevoked { grant: 1, by: account(6) },
			AuditEvent::RecordAdded { record: 3, author: doctor, category: Category::Condition },
			AuditEvent::RecordErased { record: 3 },
			AuditEvent::GuardianAdded { guardian: account(6) },
			AuditEvent::GuardianRemoved { guardian: account(6) },
		];
		for event in events {
			let mapped = audit_event(&patient, &entry(3, event.clone()));
			valid(&mapped);
			assert_eq!(mapped["outcome"], "0", "{event:?}");
		}
		let added =
			AuditEvent::RecordAdded { record: 3, author: doctor, category: Category::Condition };
		let mapped = audit_event(&patient, &entry(3, added));
		let expected = format!("{}/3", Category::Condition.fhir_resource_type());
		assert_eq!(mapped["entity"][1]["what"]["reference"], expected);
	}
}
