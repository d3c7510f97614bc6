//! Keeps the piece store in step with the chain: at every finalised block it reads the
//! `pallet-shamir-archive` events and, for each archive they touch that this custodian has a
//! part in, reads its entry and
//! - marks anchored the pieces the entry assigns to this custodian (so they no longer expire),
//!   among them a piece it received in a repair;
//! - deletes the archive's other pieces here: never anchored to this custodian, or repaired away
//!   from it;
//! - deletes the pieces of an erased record;
//!
//! and once a minute it deletes pending pieces whose record was never anchored.
//!
//! Events seen while the node was down are missed, so the chain is also asked directly: at
//! start, about every archive the store holds (an erasure missed means pieces to delete, an
//! anchoring missed means pending pieces to keep), and before expiry, about every archive with
//! pieces due (an anchored record's piece is never expired).
use super::Custody;
use crate::state::events_key;
use codec::Decode;
use ehr_custody_store::{PieceStore, StoreError};
use ehr_runtime::{
	opaque::Block,
	pallet_shamir_archive::{self, runtime_api::ShamirArchiveApi, ArchiveEntry, EntryState},
	AccountId, BlockNumber, RuntimeEvent,
};
use futures::{FutureExt, StreamExt};
use polkadot_sdk::{
	frame_system::EventRecord,
	sc_client_api::{BlockchainEvents, StorageProvider},
	sp_api::ProvideRuntimeApi,
	sp_blockchain::HeaderBackend,
	sp_core::Get,
	sp_runtime::traits::Block as BlockT,
};
use std::{sync::Arc, time::Duration};

/// How often pending pieces are checked for expiry.
const EXPIRY_INTERVAL: Duration = Duration::from_secs(60);

type Hash = <Block as BlockT>::Hash;

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

/// Expires the pending pieces due, of each archive the chain confirms it never anchored.
fn expire<C>(custody: &Custody, client: &C)
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block>,
	C::Api: ShamirArchiveApi<Block, AccountId, BlockNumber>,
{
	let now = super::now_ms() / 1000;
	let due = lock_store(custody).map(|store| store.archives(|state| store.is_due(state, now)));
	settle(custody, client, due.unwrap_or_default());
}

/// What the chain's finalised state says of an archive this node keeps pieces of.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Verdict {
	/// Not anchored (yet): its pending pieces expire once due.
	NotAnchored,
	/// Anchored: keep the pieces the entry assigns to this custodian, (index, commitment), and
	/// no other.
	Anchored(Vec<(u8, [u8; 32])>),
	/// Erased: delete its pieces.
	Erased,
}

impl Verdict {
	/// From the archive's entry, if it has one, for the custodian `me` (see [`registered_as`];
	/// `None`: any custodian the entry names, so every piece it commits to is kept).
	fn of<M: Get<u32>>(
		entry: Option<ArchiveEntry<AccountId, BlockNumber, M>>,
		me: Option<&AccountId>,
	) -> Self {
		match entry {
			None => Verdict::NotAnchored,
			Some(entry) if entry.state == EntryState::Erased => Verdict::Erased,
			Some(entry) => Verdict::Anchored(
				(0u8..)
					.zip(entry.pieces)
					.filter(|(_, piece)| me.is_none_or(|me| piece.custodian == *me))
					.map(|(index, piece)| (index, piece.hash))
					.collect(),
			),
		}
	}

	/// Brings the store's pieces of `archive_id` in line with the verdict.
	fn apply(self, custody: &Custody, archive_id: [u8; 32]) {
		let result = match self {
			Verdict::NotAnchored => {
				let now = super::now_ms() / 1000;
				lock_store(custody).map(|mut store| store.expire(archive_id, now).map(drop))
			},
			Verdict::Anchored(ours) => {
				lock_store(custody).map(|mut store| store.anchor(archive_id, &ours).map(drop))
			},
			Verdict::Erased => {
				lock_store(custody).map(|mut store| store.erase(archive_id).map(drop))
			},
		};
		log_outcome(result, "settling the piece store with the chain");
	}
}

/// This node's custodian account, if the chain at `at` has it registered with this node's
/// receipt key. Otherwise (its receipt key rotated on chain while the node still has the old
/// one, or the chain cannot be asked) the watcher releases no piece an entry commits to: it
/// cannot tell which ones are its own.
fn registered_as<C>(custody: &Custody, client: &C, at: Hash) -> Option<AccountId>
where
	C: ProvideRuntimeApi<Block>,
	C::Api: ShamirArchiveApi<Block, AccountId, BlockNumber>,
{
	let keys = &custody.keys;
	let me = AccountId::from(keys.account);
	match client.runtime_api().custodian(at, me.clone()) {
		Ok(Some(custodian)) if custodian.receipt_key == keys.receipt_key => Some(me),
		Ok(Some(_)) => {
			log::warn!(target: "custody", "custodian {me} is registered with another receipt key than this node's: keeping every committed piece");
			None
		},
		Ok(None) => None,
		Err(e) => {
			log::warn!(target: "custody", "runtime API custodian({me}) at {at}: {e}");
			None
		},
	}
}

/// Brings the store in step with the finalised state of each of `archives`. An archive the
/// chain cannot be asked about is left as is.
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
	let me = registered_as(custody, client, at);
	for archive_id in archives {
		let entry = api.archive_of(at, archive_id).and_then(|record| match record {
			Some(record) => api.archive(at, record),
			None => Ok(None),
		});
		match entry {
			Ok(entry) => Verdict::of(entry, me.as_ref()).apply(custody, archive_id),
			Err(e) => {
				log::warn!(target: "custody", "runtime API on archive 0x{}: {e}", hex::encode(archive_id))
			},
		}
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
	let holds = |archive_id| {
		lock_store(custody).is_ok_and(|store| store.pieces_of(archive_id).next().is_some())
	};
	for record in events {
		let RuntimeEvent::ShamirArchive(event) = record.event else { continue };
		// The records whose pieces here may change: anchored with some of them, repaired
		// onto or away from this custodian, or erased. The entry decides which pieces stay.
		let record = match event {
			pallet_shamir_archive::Event::ArchiveAnchored { record, archive_id, .. }
				if holds(archive_id) =>
			{
				record
			},
			pallet_shamir_archive::Event::PieceRepaired { record, from, to, .. }
				if from == me || to == me =>
			{
				record
			},
			pallet_shamir_archive::Event::ArchiveErased { record, custodians, .. }
				if custodians.contains(&me) =>
			{
				record
			},
			_ => continue,
		};
		match client.runtime_api().archive(hash, record) {
			Ok(Some(entry)) => {
				let archive_id = entry.archive_id;
				let registered = registered_as(custody, client, hash);
				Verdict::of(Some(entry), registered.as_ref()).apply(custody, archive_id);
			},
			Ok(None) => {
				log::warn!(target: "custody", "no archive entry of record {record} at {hash}")
			},
			Err(e) => log::warn!(target: "custody", "runtime API archive({record}) at {hash}: {e}"),
		}
	}
}

#[cfg(test)]
mod tests {
	use super::{AccountId, ArchiveEntry, BlockNumber, EntryState, Verdict};
	use ehr_runtime::pallet_shamir_archive::{PieceInfo, PieceState};
	use polkadot_sdk::sp_core::ConstU32;

	#[test]
	fn the_chain_decides_what_happens_to_held_pieces() {
		let [me, other] = [[1u8; 32], [2u8; 32]].map(AccountId::from);
		let piece = |custodian: &AccountId, hash: u8| PieceInfo {
			custodian: custodian.clone(),
			hash: [hash; 32],
			state: PieceState::Held,
		};
		let entry = |state| ArchiveEntry::<AccountId, BlockNumber, ConstU32<8>> {
			archive_id: [9; 32],
			version: 1,
			k: 2,
			payload_len: 100,
			segment_size: 64,
			root: [0; 32],
			pieces: vec![piece(&other, 10), piece(&me, 11), piece(&other, 12), piece(&me, 13)]
				.try_into()
				.unwrap(),
			state,
			anchored_at: 1,
		};
		// No entry (the archive id was never anchored): pieces only expire.
		assert_eq!(
			Verdict::of(None::<ArchiveEntry<_, _, ConstU32<8>>>, Some(&me)),
			Verdict::NotAnchored
		);
		// Anchored or degraded: exactly this custodian's indices and commitments are kept.
		let ours = Verdict::Anchored(vec![(1, [11; 32]), (3, [13; 32])]);
		assert_eq!(Verdict::of(Some(entry(EntryState::Anchored)), Some(&me)), ours);
		assert_eq!(Verdict::of(Some(entry(EntryState::Degraded)), Some(&me)), ours);
		// A custodian the entry no longer lists (its piece was repaired away) keeps nothing.
		let stranger = AccountId::from([3u8; 32]);
		assert_eq!(
			Verdict::of(Some(entry(EntryState::Anchored)), Some(&stranger)),
			Verdict::Anchored(vec![])
		);
		// Not registered with this node's receipt key: every committed piece is kept.
		assert_eq!(
			Verdict::of(Some(entry(EntryState::Anchored)), None),
			Verdict::Anchored((0..4).map(|i| (i, [10 + i; 32])).collect())
		);
		assert_eq!(Verdict::of(Some(entry(EntryState::Erased)), Some(&me)), Verdict::Erased);
	}
}
