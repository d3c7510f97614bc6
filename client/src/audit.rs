//! A patient's audit trail, from the node's audit index (`ehr_auditTrail`): who opened which of
//! their records and when, on what grounds, who tried and was refused, and every change to who
//! may (consent, emergency access, guardians, records added and erased).
//!
//! The chain's events are the trail: it emits one for every ticket it issues, so a read that
//! leaves no event cannot have happened (custodians serve only live tickets), and one for every
//! read it refuses. The node indexes the events of finalised blocks by patient, so a trail costs
//! its own length, not a scan of the chain.
use crate::{chain, EhrClient, Error};
use codec::Decode;
use ehr_types::audit::{AuditCursor, AuditPage, AUDIT_TRAIL_METHOD};
use std::time::{Duration, Instant};
use subxt::{
	rpcs::{client::rpc_params, RpcClient},
	utils::AccountId32,
};

/// What happened, as the chain recorded it (the shared definition, with this client's
/// accounts).
pub type AuditEvent = ehr_types::audit::AuditEvent<AccountId32>;
/// One event of a patient's trail: where in the chain, when, and what.
pub type AuditEntry = ehr_types::audit::AuditEntry<AccountId32>;

/// How long [`trail`] waits for the node's index to reach the block asked for.
const INDEX_WAIT: Duration = Duration::from_secs(30);

/// One page of `patient`'s trail in blocks `from..=to`, after `after`.
pub async fn page(
	rpc: &RpcClient,
	patient: &AccountId32,
	from: u32,
	to: u32,
	after: Option<AuditCursor>,
) -> Result<AuditPage<AccountId32>, Error> {
	let none: Option<u32> = None;
	let answer: String = rpc
		.request(AUDIT_TRAIL_METHOD, rpc_params![patient.to_string(), from, to, after, none])
		.await
		.map_err(chain)?;
	let bytes = hex::decode(answer.trim_start_matches("0x")).map_err(chain)?;
	AuditPage::decode(&mut &bytes[..]).map_err(chain)
}

/// What the node's index holds now of `patient`'s trail in blocks `from..=to`, without waiting
/// for it to reach `to`: entries of blocks not yet final and indexed are missing.
pub async fn indexed(
	rpc: &RpcClient,
	patient: &AccountId32,
	from: u32,
	to: u32,
) -> Result<Vec<AuditEntry>, Error> {
	let first = page(rpc, patient, from, to, None).await?;
	with_rest(rpc, patient, from, to, first).await
}

/// The audit trail of `patient` in blocks `from..=to` (`to` defaults to the last finalised
/// block), oldest first, page by page. Waits (up to 30 s) for the node's index to reach `to`.
pub async fn trail(
	api: &EhrClient,
	rpc: &RpcClient,
	patient: &AccountId32,
	from: u32,
	to: Option<u32>,
) -> Result<Vec<AuditEntry>, Error> {
	let to = match to {
		Some(to) => to,
		None => api.at_current_block().await.map_err(chain)?.block_number() as u32,
	};
	let deadline = Instant::now() + INDEX_WAIT;
	loop {
		let first = page(rpc, patient, from, to, None).await?;
		if first.indexed_to >= to {
			return with_rest(rpc, patient, from, to, first).await;
		}
		if Instant::now() > deadline {
			return Err(chain(format!(
				"the node's audit index is at block {}, not yet at {to}",
				first.indexed_to
			)));
		}
		futures_timer::Delay::new(Duration::from_millis(50)).await;
	}
}

/// The entries of `first` and of the pages after it.
async fn with_rest(
	rpc: &RpcClient,
	patient: &AccountId32,
	from: u32,
	to: u32,
	first: AuditPage<AccountId32>,
) -> Result<Vec<AuditEntry>, Error> {
	let mut entries = first.entries;
	let mut after = first.next;
	while let Some(cursor) = after {
		let page = page(rpc, patient, from, to, Some(cursor)).await?;
		entries.extend(page.entries);
		after = page.next;
	}
	Ok(entries)
}
