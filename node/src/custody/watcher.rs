//! Keeps the piece store in step with the chain: at every finalised block it reads the
//! `pallet-shamir-archive` events and
//! - marks the pieces of a newly anchored archive anchored (so they no longer expire), and the
//!   piece this custodian received in a repair;
//! - deletes the pieces of an erased record;
//!
//! and once a minute it deletes pending pieces whose record was never anchored.
//!
//! Events seen while the node was down are missed, so the chain is also asked directly: at
//! start, about every archive the store holds (an erasure missed means pieces to delete, an
//! anchoring missed means pending pieces to keep), and before expiry, about every archive with
//! pieces due (an anchored record's piece is never expired).
use super::Custody;
use codec::Decode;
use ehr_custody_store::{PieceStore, StoreError};
use ehr_runtime::{
	opaque::Block,
	pallet_shamir_archive::{self, runtime_api::ShamirArchiveApi, EntryState},
	AccountId, BlockNumber, RuntimeEvent,
};
use futures::{FutureExt, StreamExt};
use polkadot_sdk::{
	frame_system::EventRecord,
	sc_client_api::{BlockchainEvents, StorageProvider},
	sp_api::ProvideRuntimeApi,
	sp_blockchain::HeaderBackend,
	sp_core::storage::StorageKey,
	sp_io::hashing::twox_128,
	sp_runtime::traits::Block as BlockT,
};
use std::{sync::Arc, time::Duration};

/// How often pending pieces are checked for expiry.
const EXPIRY_INTERVAL: Duration = Duration::from_secs(60);

type Hash = <Block as BlockT>::Hash;

/// `System::Events`' storage key.
fn events_key() -> StorageKey {
	StorageKey([twox_128(b"System"), twox_128(b"Events")].concat())
}

/// Runs until the node stops.
pub async fn run<C, B>(custody: Arc<Custody>, client: Arc<C>)
where
	C: BlockchainEvents<Block>
		+ StorageProvider<Block, B>
		+ ProvideRuntimeApi<Block>
		+ HeaderBackend<Block>
		+ Send
		+ Sync
		+ 'static,
	C::Api: ShamirArchiveApi<Block, AccountId, BlockNumber>,
	B: polkadot_sdk::sc_client_api::Backend<Block>,
{
	let held = lock_store(&custody).map(|store| store.archives(|_| true)).unwrap_or_default();
	settle(&custody, &*client, held);
	let mut finalized = client.finality_notification_stream().fuse();
	let mut tick = futures_timer::Delay::new(EXPIRY_INTERVAL).fuse();
	loop {
		futures::select! {
			notification = finalized.next() => match notification {
				Some(notification) => {
					// Blocks finalised together arrive as one notification: handle each.
					for hash in notification.tree_route.iter().chain([&notification.hash]) {
						on_finalized(&custody, &*client, *hash);
					}
				},
				None => return,
			},
			() = tick => {
				expire(&custody, &*client);
				tick = futures_timer::Delay::new(EXPIRY_INTERVAL).fuse();
			},
		}
	}
}

/// Expires pending pieces, once the chain confirmed that their record was not anchored.
fn expire<C>(custody: &Custody, client: &C)
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block>,
	C::Api: ShamirArchiveApi<Block, AccountId, BlockNumber>,
{
	let now = super::now_ms() / 1000;
	let due = lock_store(custody).map(|store| store.archives(|state| store.is_due(state, now)));
	settle(custody, client, due.unwrap_or_default());
	log_outcome(lock_store(custody).map(|mut store| store.expire(now)), "expiring pending pieces");
}

/// What the chain's finalised state says of an archive this node keeps pieces of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Verdict {
	/// Not anchored (yet): its pending pieces expire in time.
	NotAnchored,
	/// Anchored: keep its pieces.
	Anchored,
	/// Erased: delete its pieces.
	Erased,
}

impl Verdict {
	/// From the state of the archive's entry, if it has one.
	fn of(state: Option<EntryState>) -> Self {
		match state {
			None => Verdict::NotAnchored,
			Some(EntryState::Erased) => Verdict::Erased,
			Some(EntryState::Anchored | EntryState::Degraded) => Verdict::Anchored,
		}
	}
}

/// Brings the store in step with the finalised state of each of `archives`: anchors what was
/// anchored, deletes what was erased. An archive the chain cannot be asked about is left as is.
fn settle<C>(custody: &Custody, client: &C, archives: Vec<[u8; 32]>)
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block>,
	C::Api: ShamirArchiveApi<Block, AccountId, BlockNumber>,
{
	if archives.is_empty() {
		return;
	}
	let at = client.info().finalized_hash;
	let api = client.runtime_api();
	for archive_id in archives {
		let asked = api.archive_of(at, archive_id).and_then(|record| {
			let state = match record {
				Some(record) => api.archive(at, record)?.map(|entry| entry.state),
				None => None,
			};
			Ok(Verdict::of(state))
		});
		let result = match asked {
			Ok(Verdict::NotAnchored) => continue,
			Ok(Verdict::Anchored) => lock_store(custody).map(|mut store| store.anchor(archive_id)),
			Ok(Verdict::Erased) => lock_store(custody).map(|mut store| store.erase(archive_id)),
			Err(e) => {
				log::warn!(target: "custody", "runtime API on archive 0x{}: {e}", hex::encode(archive_id));
				continue;
			},
		};
		log_outcome(result, "settling the piece store with the chain");
	}
}

fn lock_store(custody: &Custody) -> Result<std::sync::MutexGuard<'_, PieceStore>, ()> {
	custody.store.lock().map_err(|_| log::warn!(target: "custody", "piece store lock poisoned"))
}

fn log_outcome<T>(result: Result<Result<T, StoreError>, ()>, what: &str) {
	if let Ok(Err(e)) = result {
		log::warn!(target: "custody", "{what}: {e}");
	}
}

fn on_finalized<C, B>(custody: &Custody, client: &C, hash: Hash)
where
	C: StorageProvider<Block, B> + ProvideRuntimeApi<Block>,
	C::Api: ShamirArchiveApi<Block, AccountId, BlockNumber>,
	B: polkadot_sdk::sc_client_api::Backend<Block>,
{
	let events = match client.storage(hash, &events_key()) {
		Ok(Some(data)) => Vec::<EventRecord<RuntimeEvent, Hash>>::decode(&mut &data.0[..]),
		Ok(None) => return,
		Err(e) => {
			log::warn!(target: "custody", "reading the events of {hash}: {e}");
			return;
		},
	};
	let Ok(events) = events else {
		log::warn!(target: "custody", "the events of {hash} do not decode");
		return;
	};
	let me = AccountId::from(custody.keys.account);
	for record in events {
		let RuntimeEvent::ShamirArchive(event) = record.event else { continue };
		let result = match event {
			pallet_shamir_archive::Event::ArchiveAnchored { archive_id, .. } => {
				lock_store(custody).map(|mut store| store.anchor(archive_id))
			},
			pallet_shamir_archive::Event::PieceRepaired { record, to, .. } if to == me => {
				match archive_id_of(client, hash, record) {
					Some(archive_id) => {
						lock_store(custody).map(|mut store| store.anchor(archive_id))
					},
					None => continue,
				}
			},
			pallet_shamir_archive::Event::ArchiveErased { record, custodians, .. }
				if custodians.contains(&me) =>
			{
				match archive_id_of(client, hash, record) {
					Some(archive_id) => {
						lock_store(custody).map(|mut store| store.erase(archive_id))
					},
					None => continue,
				}
			},
			_ => continue,
		};
		log_outcome(result, "updating the piece store");
	}
}

fn archive_id_of<C>(client: &C, at: Hash, record: u64) -> Option<[u8; 32]>
where
	C: ProvideRuntimeApi<Block>,
	C::Api: ShamirArchiveApi<Block, AccountId, BlockNumber>,
{
	match client.runtime_api().archive(at, record) {
		Ok(entry) => entry.map(|entry| entry.archive_id),
		Err(e) => {
			log::warn!(target: "custody", "runtime API archive({record}) at {at}: {e}");
			None
		},
	}
}

#[cfg(test)]
mod tests {
	use super::{EntryState, Verdict};

	#[test]
	fn the_chain_decides_what_happens_to_held_pieces() {
		// No entry (the archive id was never anchored): pieces only expire.
		assert_eq!(Verdict::of(None), Verdict::NotAnchored);
		assert_eq!(Verdict::of(Some(EntryState::Anchored)), Verdict::Anchored);
		assert_eq!(Verdict::of(Some(EntryState::Degraded)), Verdict::Anchored);
		assert_eq!(Verdict::of(Some(EntryState::Erased)), Verdict::Erased);
	}

	#[test]
	fn events_key_is_system_events() {
		// The well-known key of `System::Events` on every FRAME chain.
		assert_eq!(
			hex::encode(super::events_key().0),
			"26aa394eea5630e07c48ae0c9558cef780d41e5e16056765bc8461851072c9d7"
		);
	}
}
