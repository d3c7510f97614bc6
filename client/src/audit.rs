//! A patient's audit trail, from the chain's events: who opened which of their records and when,
//! on what grounds, and every change to who may (consent, emergency access, new records).
//!
//! The events are the trail: the chain emits one for every ticket it issues, so a read that
//! leaves no event cannot have happened (custodians serve only live tickets), and one for every
//! read it refuses, so that a patient sees who tried and was turned away.
use crate::{
	chain,
	ehr::{self, ehr_access::events},
	types::{AccessReason, Category, DenyReason, EmergencyReason, Grantee, Right},
	EhrClient, Error,
};
use subxt::ext::futures::{stream, StreamExt, TryStreamExt};
use subxt::utils::AccountId32;

/// One event of a patient's trail.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct AuditEntry {
	/// The block it happened in.
	pub block: u64,
	/// The block's time, in milliseconds since the Unix epoch.
	pub time_ms: u64,
	/// What happened.
	pub event: AuditEvent,
}

/// What happened, as the chain recorded it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind")]
pub enum AuditEvent {
	/// `reader` was given ticket `ticket` to read `record`, for `reason`, until `expires_at`.
	Read { record: u64, reader: AccountId32, ticket: u64, reason: AccessReason, expires_at: u32 },
	/// `reader` asked to read `record` and the chain refused, for `reason`.
	Denied { record: u64, reader: AccountId32, reason: DenyReason },
	/// `doctor` of `hospital` opened emergency access for `reason`, until `expires_at`.
	EmergencyOpened {
		doctor: AccountId32,
		hospital: AccountId32,
		reason: EmergencyReason,
		expires_at: u32,
	},
	/// `by` closed `doctor`'s emergency access.
	EmergencyClosed { doctor: AccountId32, by: AccountId32 },
	/// `by` granted `grantee` the `right` (grant `grant`), until `expires_at` if given.
	ConsentGranted {
		grant: u64,
		grantee: Grantee<AccountId32>,
		right: Right,
		expires_at: Option<u32>,
		by: AccountId32,
	},
	/// `by` revoked grant `grant`.
	ConsentRevoked { grant: u64, by: AccountId32 },
	/// `author` added record `record` of `category`.
	RecordAdded { record: u64, author: AccountId32, category: Category },
}

/// How many blocks are fetched at once.
const CONCURRENT_BLOCKS: usize = 16;

/// The audit trail of `patient` in blocks `from..=to` (`to` defaults to the last finalised
/// block), oldest first.
pub async fn trail(
	api: &EhrClient,
	patient: &AccountId32,
	from: u64,
	to: Option<u64>,
) -> Result<Vec<AuditEntry>, Error> {
	let to = match to {
		Some(to) => to,
		None => api.at_current_block().await.map_err(chain)?.block_number(),
	};
	let per_block = stream::iter(from..=to)
		.map(|number| block_trail(api, patient, number))
		.buffered(CONCURRENT_BLOCKS)
		.try_collect::<Vec<_>>()
		.await?;
	Ok(per_block.into_iter().flatten().collect())
}

async fn block_trail(
	api: &EhrClient,
	patient: &AccountId32,
	number: u64,
) -> Result<Vec<AuditEntry>, Error> {
	let at = api.at_block(number).await.map_err(chain)?;
	let found = at.events().fetch().await.map_err(chain)?;
	let mut trail = Vec::new();
	for event in found.iter() {
		let event = event.map_err(chain)?;
		let decoded = if let Some(e) = event.decode_fields_as::<events::AccessOpened>() {
			let e = e.map_err(chain)?;
			(e.patient == *patient).then_some(AuditEvent::Read {
				record: e.record,
				reader: e.reader,
				ticket: e.ticket,
				reason: e.reason,
				expires_at: e.expires_at,
			})
		} else if let Some(e) = event.decode_fields_as::<events::AccessDenied>() {
			let e = e.map_err(chain)?;
			(e.patient.as_ref() == Some(patient)).then_some(AuditEvent::Denied {
				record: e.record,
				reader: e.reader,
				reason: e.reason,
			})
		} else if let Some(e) = event.decode_fields_as::<events::EmergencyAccessOpened>() {
			let e = e.map_err(chain)?;
			(e.patient == *patient).then_some(AuditEvent::EmergencyOpened {
				doctor: e.doctor,
				hospital: e.hospital,
				reason: e.reason,
				expires_at: e.expires_at,
			})
		} else if let Some(e) = event.decode_fields_as::<events::EmergencyAccessClosed>() {
			let e = e.map_err(chain)?;
			(e.patient == *patient)
				.then_some(AuditEvent::EmergencyClosed { doctor: e.doctor, by: e.by })
		} else if let Some(e) = event.decode_fields_as::<events::AccessGranted>() {
			let e = e.map_err(chain)?;
			(e.patient == *patient).then_some(AuditEvent::ConsentGranted {
				grant: e.grant,
				grantee: e.grantee,
				right: e.right,
				expires_at: e.expires_at,
				by: e.by,
			})
		} else if let Some(e) = event.decode_fields_as::<events::AccessRevoked>() {
			let e = e.map_err(chain)?;
			(e.patient == *patient)
				.then_some(AuditEvent::ConsentRevoked { grant: e.grant, by: e.by })
		} else if let Some(e) = event.decode_fields_as::<events::RecordAdded>() {
			let e = e.map_err(chain)?;
			(e.patient == *patient).then_some(AuditEvent::RecordAdded {
				record: e.record,
				author: e.author,
				category: e.category,
			})
		} else {
			None
		};
		if let Some(event) = decoded {
			trail.push(event);
		}
	}
	if trail.is_empty() {
		return Ok(Vec::new());
	}
	let time_ms = at
		.storage()
		.try_fetch(ehr::storage().timestamp().now(), ())
		.await
		.map_err(chain)?
		.map(|now| now.decode())
		.transpose()
		.map_err(chain)?
		.unwrap_or_default();
	Ok(trail.into_iter().map(|event| AuditEntry { block: number, time_ms, event }).collect())
}
