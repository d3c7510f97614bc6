//! The audit index: every audit event of the finalised chain, keyed by patient, in an embedded
//! ParityDB under `<base path>/chains/<chain>/audit`, so that a patient's trail costs O(its
//! length) instead of a scan of every block (`ehr_auditTrail`, see [`rpc`]).
//!
//! - Only finalised blocks are indexed, so a reorganisation of unfinalised blocks never reaches
//!   the index.
//! - The follower ([`follow`]) catches up at start from the last block indexed to the last
//!   finalised one, then indexes each block as it is finalised; each block is written in one
//!   ParityDB commit together with the new "last indexed" mark, so a crash loses nothing and
//!   indexes nothing twice.
//! - `--audit-reindex` drops the index at start and rebuilds it from block 1.
//!
//! What counts as an audit event, and whose trail it is on, is [`events::audit_entries`]: pure
//! logic, unit-tested without a node.
pub mod events;
pub mod index;
pub mod rpc;

use crate::state::{events_key, read, Hash};
use ehr_runtime::{opaque::Block, pallet_ehr_access, AccountId, Runtime, RuntimeEvent};
use futures::StreamExt;
use index::AuditIndex;
use polkadot_sdk::{
	frame_system::EventRecord,
	sc_client_api::{BlockchainEvents, StorageProvider},
	sp_blockchain::HeaderBackend,
	sp_core::storage::StorageKey,
	sp_io::hashing::twox_128,
};
use std::sync::Arc;

/// The audit index's options.
#[derive(Debug, Clone, clap::Args)]
pub struct AuditOptions {
	/// Drop the audit index at start and rebuild it from the first block.
	#[arg(long)]
	pub audit_reindex: bool,
}

/// Index block `number` (hash `hash`) of `client`: its audit events, on their patients' trails.
/// A block whose state cannot be read or decoded is not marked indexed, so that it is tried
/// again rather than its events lost.
fn index_block<C, B>(index: &AuditIndex, client: &C, number: u32, hash: Hash) -> Result<(), String>
where
	C: StorageProvider<Block, B>,
	B: polkadot_sdk::sc_client_api::Backend<Block>,
{
	let records: Vec<EventRecord<RuntimeEvent, Hash>> =
		read(client, hash, &events_key())?.unwrap_or_default();
	let now_key = StorageKey([twox_128(b"Timestamp"), twox_128(b"Now")].concat());
	let time_ms: u64 = read(client, hash, &now_key)?.unwrap_or_default();
	let patient_of = |record| {
		let key = StorageKey(pallet_ehr_access::Records::<Runtime>::hashed_key_for(record));
		let anchor: Option<pallet_ehr_access::AnchorOf<Runtime>> = read(client, hash, &key)?;
		Ok::<_, String>(anchor.map(|a| a.patient))
	};
	let events = records.into_iter().map(|r| r.event);
	let entries = events::audit_entries(number, time_ms, events, patient_of)?;
	index.insert_block(number, hash.into(), &entries).map_err(|e| e.to_string())
}

/// Follows the finalised chain into `index` until the node stops.
pub async fn follow<C, B>(index: Arc<AuditIndex>, client: Arc<C>)
where
	C: BlockchainEvents<Block> + StorageProvider<Block, B> + HeaderBackend<Block> + 'static,
	B: polkadot_sdk::sc_client_api::Backend<Block>,
{
	let mut finalized = client.finality_notification_stream();
	loop {
		// Catch up to the last finalised block: at start, and whenever notifications skip.
		let target = client.info().finalized_number;
		let mut next = index.indexed_to().map_or(1, |n| n.saturating_add(1));
		while next <= target {
			let Ok(Some(hash)) = client.hash(next) else {
				log::warn!(target: "audit", "no finalised block {next}: audit index stops at {}", next - 1);
				break;
			};
			if let Err(e) = index_block(&index, &*client, next, hash) {
				log::warn!(target: "audit", "indexing block {next}: {e}");
				break;
			}
			next += 1;
		}
		if finalized.next().await.is_none() {
			return;
		}
	}
}

/// Opens (or, with `--audit-reindex`, rebuilds) the audit index under `data_path`.
pub fn open(
	data_path: &std::path::Path,
	options: &AuditOptions,
) -> Result<Arc<AuditIndex>, index::IndexError> {
	let path = data_path.join("audit");
	if options.audit_reindex && path.exists() {
		log::info!(target: "audit", "--audit-reindex: dropping the audit index at {}", path.display());
		std::fs::remove_dir_all(&path).map_err(|e| index::IndexError::Db(e.to_string()))?;
	}
	AuditIndex::open(&path).map(Arc::new)
}

/// The account bytes of a runtime account, as the index keys trails.
pub fn account_bytes(account: &AccountId) -> [u8; 32] {
	*account.as_ref()
}
