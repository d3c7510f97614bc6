//! Keeps the piece store in step with the chain: at every finalised block it reads the
//! `pallet-shamir-archive` events and has the custody service settle each archive they touch
//! that this custodian has a part in (anchored with pieces held here, repaired onto or away from
//! this custodian, erased); once a minute it has the service expire pending pieces whose
//! receipts can no longer be used. What to keep is the service's decision
//! (`ehr_custody_service::CustodyService::settle`).
//!
//! Events seen while the node was down are missed, so at start every archive the store holds
//! is settled against the finalised chain.
use super::Custody;
use crate::state::events_key;
use ehr_custody_service::Chain;
use ehr_runtime::{
	opaque::Block,
	pallet_shamir_archive::{self, runtime_api::ShamirArchiveApi},
	AccountId, BlockNumber, RuntimeEvent,
};
use futures::{FutureExt, StreamExt};
use polkadot_sdk::{
	frame_system::EventRecord,
	sc_client_api::{BlockchainEvents, StorageProvider},
	sp_api::ProvideRuntimeApi,
	sp_runtime::traits::Block as BlockT,
};
use std::{sync::Arc, time::Duration};

/// How often pending pieces are checked for expiry.
const EXPIRY_INTERVAL: Duration = Duration::from_secs(60);

type Hash = <Block as BlockT>::Hash;

/// Runs until the node stops.
pub async fn run<C, B>(custody: Arc<Custody<C>>, client: Arc<C>)
where
	C: BlockchainEvents<Block>
		+ StorageProvider<Block, B>
		+ ProvideRuntimeApi<Block>
		+ Send
		+ Sync
		+ 'static,
	C::Api: ShamirArchiveApi<Block, AccountId, BlockNumber>,
	B: polkadot_sdk::sc_client_api::Backend<Block>,
	super::chain::RuntimeChain<C>: Chain,
{
	custody.settle_all();
	let mut finalized = client.finality_notification_stream().fuse();
	let mut tick = futures_timer::Delay::new(EXPIRY_INTERVAL).fuse();
	loop {
		futures::select! {
			notification = finalized.next() => match notification {
				Some(notification) => {
					// Blocks finalised together arrive as one notification: handle each.
					let touched: Vec<[u8; 32]> = notification
						.tree_route
						.iter()
						.chain([&notification.hash])
						.flat_map(|hash| touched_archives(&custody, &*client, *hash))
						.collect();
					custody.settle(&touched);
				},
				None => return,
			},
			() = tick => {
				custody.expire();
				tick = futures_timer::Delay::new(EXPIRY_INTERVAL).fuse();
			},
		}
	}
}

/// The archives whose pieces here the events of block `hash` may change: anchored with some
/// of them held here, repaired onto or away from this custodian, or erased.
fn touched_archives<C, B>(custody: &Custody<C>, client: &C, hash: Hash) -> Vec<[u8; 32]>
where
	C: StorageProvider<Block, B> + ProvideRuntimeApi<Block>,
	C::Api: ShamirArchiveApi<Block, AccountId, BlockNumber>,
	B: polkadot_sdk::sc_client_api::Backend<Block>,
	super::chain::RuntimeChain<C>: Chain,
{
	let events = match crate::state::read::<C, B, Vec<EventRecord<RuntimeEvent, Hash>>>(
		client,
		hash,
		&events_key(),
	) {
		Ok(Some(events)) => events,
		Ok(None) => return Vec::new(),
		Err(e) => {
			log::warn!(target: "custody", "reading the events of {hash}: {e}");
			return Vec::new();
		},
	};
	let me = AccountId::from(custody.keys().account);
	let mut touched = Vec::new();
	for record in events {
		let RuntimeEvent::ShamirArchive(event) = record.event else { continue };
		let record = match event {
			pallet_shamir_archive::Event::ArchiveAnchored { archive_id, .. }
				if custody.holds(&archive_id) =>
			{
				touched.push(archive_id);
				continue;
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
			Ok(Some(entry)) => touched.push(entry.archive_id),
			Ok(None) => {
				log::warn!(target: "custody", "no archive entry of record {record} at {hash}")
			},
			Err(e) => log::warn!(target: "custody", "runtime API archive({record}) at {hash}: {e}"),
		}
	}
	touched
}
