//! Keeps the piece store in step with the chain: at every finalised block it reads the
//! `pallet-shamir-archive` events and
//! - marks the pieces of a newly anchored archive anchored (so they no longer expire), and the
//!   piece this custodian received in a repair;
//! - deletes the pieces of an erased record;
//!
//! and once a minute it deletes pending pieces whose record was never anchored.
use super::Custody;
use codec::Decode;
use ehr_runtime::{
	opaque::Block, pallet_shamir_archive, pallet_shamir_archive::runtime_api::ShamirArchiveApi,
	AccountId, BlockNumber, RuntimeEvent,
};
use futures::{FutureExt, StreamExt};
use polkadot_sdk::{
	frame_system::EventRecord,
	sc_client_api::{BlockchainEvents, StorageProvider},
	sp_api::ProvideRuntimeApi,
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
		+ Send
		+ Sync
		+ 'static,
	C::Api: ShamirArchiveApi<Block, AccountId, BlockNumber>,
	B: polkadot_sdk::sc_client_api::Backend<Block>,
{
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
				expire(&custody);
				tick = futures_timer::Delay::new(EXPIRY_INTERVAL).fuse();
			},
		}
	}
}

fn expire(custody: &Custody) {
	let now = super::now_ms() / 1000;
	match custody.store.lock().map(|mut store| store.expire(now)) {
		Ok(Ok(_)) => {},
		Ok(Err(e)) => log::warn!(target: "custody", "expiring pending pieces: {e}"),
		Err(_) => log::warn!(target: "custody", "piece store lock poisoned"),
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
				custody.store.lock().map(|mut store| store.anchor(archive_id))
			},
			pallet_shamir_archive::Event::PieceRepaired { record, to, .. } if to == me => {
				match archive_id_of(client, hash, record) {
					Some(archive_id) => {
						custody.store.lock().map(|mut store| store.anchor(archive_id))
					},
					None => continue,
				}
			},
			pallet_shamir_archive::Event::ArchiveErased { record, custodians, .. }
				if custodians.contains(&me) =>
			{
				match archive_id_of(client, hash, record) {
					Some(archive_id) => {
						custody.store.lock().map(|mut store| store.erase(archive_id))
					},
					None => continue,
				}
			},
			_ => continue,
		};
		match result {
			Ok(Ok(_)) => {},
			Ok(Err(e)) => log::warn!(target: "custody", "updating the piece store: {e}"),
			Err(_) => log::warn!(target: "custody", "piece store lock poisoned"),
		}
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
	#[test]
	fn events_key_is_system_events() {
		// The well-known key of `System::Events` on every FRAME chain.
		assert_eq!(
			hex::encode(super::events_key().0),
			"26aa394eea5630e07c48ae0c9558cef780d41e5e16056765bc8461851072c9d7"
		);
	}
}
