//! Which runtime events are audit events, and on whose trail each goes: pure logic.
use ehr_runtime::{pallet_ehr_access::Event, AccountId, RuntimeEvent};
use ehr_types::{
	audit::{AuditCursor, AuditEntry, AuditEvent},
	RecordId,
};

/// A patient's account, as the index keys trails.
pub type Patient = [u8; 32];

/// The audit entries of the events of block `number` (time `time_ms`), each with the patient
/// whose trail it is on. `patient_of` gives a record's patient (for `RecordErased`, which names
/// only the record); a record without one is left out, and its failure fails the whole block.
pub fn audit_entries<E>(
	number: u32,
	time_ms: u64,
	events: impl IntoIterator<Item = RuntimeEvent>,
	patient_of: impl Fn(RecordId) -> Result<Option<AccountId>, E>,
) -> Result<Vec<(Patient, AuditEntry<AccountId>)>, E> {
	let mut entries = Vec::new();
	for (index, event) in events.into_iter().enumerate() {
		let RuntimeEvent::EhrAccess(event) = event else { continue };
		let on = |patient: &AccountId, event| Some((super::account_bytes(patient), event));
		let found = match event {
			Event::AccessOpened { ticket, reader, record, patient, reason, expires_at } => {
				on(&patient, AuditEvent::Read { record, reader, ticket, reason, expires_at })
			},
			Event::AccessDenied { reader, record, patient: Some(patient), reason } => {
				on(&patient, AuditEvent::Denied { record, reader, reason })
			},
			Event::EmergencyAccessOpened {
				doctor, hospital, patient, reason, expires_at, ..
			} => on(&patient, AuditEvent::EmergencyOpened { doctor, hospital, reason, expires_at }),
			Event::EmergencyAccessClosed { doctor, patient, by } => {
				on(&patient, AuditEvent::EmergencyClosed { doctor, by })
			},
			Event::AccessGranted { patient, grant, grantee, right, expires_at, by, .. } => {
				on(&patient, AuditEvent::ConsentGranted { grant, grantee, right, expires_at, by })
			},
			Event::AccessRevoked { patient, grant, by } => {
				on(&patient, AuditEvent::ConsentRevoked { grant, by })
			},
			Event::RecordAdded { record, patient, author, category, .. } => {
				on(&patient, AuditEvent::RecordAdded { record, author, category })
			},
			Event::RecordErased { record } => {
				patient_of(record)?.and_then(|p| on(&p, AuditEvent::RecordErased { record }))
			},
			Event::GuardianAdded { patient, guardian } => {
				on(&patient, AuditEvent::GuardianAdded { guardian })
			},
			Event::GuardianRemoved { patient, guardian } => {
				on(&patient, AuditEvent::GuardianRemoved { guardian })
			},
			_ => None,
		};
		if let Some((patient, event)) = found {
			let at = AuditCursor { block: number, event: index as u32 };
			entries.push((patient, AuditEntry { at, time_ms, event }));
		}
	}
	Ok(entries)
}

#[cfg(test)]
mod tests {
	use super::*;
	use ehr_types::{AccessReason, DenyReason, EmergencyReason};

	fn account(byte: u8) -> AccountId {
		AccountId::from([byte; 32])
	}

	#[test]
	fn audit_events_go_on_their_patients_trail_in_block_order() {
		let (patient, other, doctor, stranger) = (account(1), account(2), account(3), account(9));
		let events = vec![
			RuntimeEvent::EhrAccess(Event::AccessOpened {
				ticket: 4,
				reader: doctor.clone(),
				record: 7,
				patient: patient.clone(),
				reason: AccessReason::Author,
				expires_at: 20,
			}),
			// Not an audit event.
			RuntimeEvent::EhrAccess(Event::HospitalRegistered { hospital: doctor.clone() }),
			RuntimeEvent::EhrAccess(Event::AccessDenied {
				reader: stranger.clone(),
				record: 7,
				patient: Some(patient.clone()),
				reason: DenyReason::NoConsent,
			}),
			// A refusal for a record that does not exist is on nobody's trail.
			RuntimeEvent::EhrAccess(Event::AccessDenied {
				reader: stranger.clone(),
				record: 99,
				patient: None,
				reason: DenyReason::UnknownRecord,
			}),
			RuntimeEvent::EhrAccess(Event::EmergencyAccessOpened {
				doctor: doctor.clone(),
				hospital: account(4),
				patient: other.clone(),
				reason: EmergencyReason::Unconscious,
				expires_at: 30,
				total: 1,
			}),
			RuntimeEvent::EhrAccess(Event::RecordErased { record: 7 }),
			RuntimeEvent::EhrAccess(Event::RecordErased { record: 8 }),
		];
		let patient_of = |record| Ok::<_, ()>((record == 7).then(|| patient.clone()));
		let entries = audit_entries(5, 1_000, events, patient_of).unwrap();
		let summary: Vec<_> = entries
			.iter()
			.map(|(p, e)| (p[0], e.at, e.time_ms, std::mem::discriminant(&e.event)))
			.collect();
		let cursor = |event| AuditCursor { block: 5, event };
		let kind = |e: &AuditEvent<AccountId>| std::mem::discriminant(e);
		assert_eq!(
			summary,
			vec![
				(1, cursor(0), 1_000, kind(&entries[0].1.event)),
				(1, cursor(2), 1_000, kind(&entries[1].1.event)),
				(2, cursor(4), 1_000, kind(&entries[2].1.event)),
				(1, cursor(5), 1_000, kind(&entries[3].1.event)),
			]
		);
		assert!(matches!(entries[0].1.event, AuditEvent::Read { ticket: 4, record: 7, .. }));
		assert!(matches!(
			&entries[1].1.event,
			AuditEvent::Denied { reader, reason: DenyReason::NoConsent, .. } if *reader == stranger
		));
		assert!(matches!(entries[3].1.event, AuditEvent::RecordErased { record: 7 }));
		let added = vec![RuntimeEvent::EhrAccess(Event::GuardianAdded {
			patient: patient.clone(),
			guardian: other.clone(),
		})];
		let entries = audit_entries(6, 2_000, added, |_| Ok::<_, ()>(None)).unwrap();
		// A record's patient that cannot be read fails the block instead of dropping the event.
		let erased = vec![RuntimeEvent::EhrAccess(Event::RecordErased { record: 7 })];
		assert_eq!(audit_entries(6, 2_000, erased, |_| Err("unreadable")), Err("unreadable"));
		assert!(
			matches!(&entries[0].1.event, AuditEvent::GuardianAdded { guardian } if *guardian == other)
		);
	}
}
