//! End to end on a local network of five `ehr-node`s (`--chain local`: Aura + GRANDPA with
//! Alice and Bob validating), each its own custodian: a record stored with k = 3 of n = 5 is
//! read back byte-identical with a piece corrupted on disk, and again with two custodian nodes
//! stopped.
mod common;

use std::time::Instant;

use common::network::{register_custodians, start_network, wait_synced};
use ehr_client::{
	archive,
	ehr::{self, runtime_types::pallet_ehr_access::types::Category},
	subxt_signer::sr25519::dev,
};

#[tokio::test(flavor = "multi_thread")]
async fn five_custodians_rebuild_a_record_with_a_corrupt_piece_and_two_nodes_down() {
	let started = Instant::now();
	let mut nodes = start_network().await;
	println!("5 nodes answer after {:?}", started.elapsed());
	let api = nodes[0].client().await;
	let patient = dev::ferdie();
	let patient_account = patient.public_key().to_account_id();

	let custodians = register_custodians(&api, &nodes).await;
	submit!(api, ehr::tx().ehr_access().register_patient(), &patient).expect("register_patient");
	println!("custodians and patient registered after {:?}", started.elapsed());

	let payload: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8 ^ (i >> 8) as u8).collect();
	let stored = archive::store_record(
		&api,
		&patient,
		&patient_account,
		Category::DiagnosticReport,
		&payload,
		3,
		&custodians,
		&(),
	)
	.await
	.expect("store_record");
	assert_eq!(stored.held, 5);
	println!("stored record {} after {:?}", stored.record, started.elapsed());

	// Alice's piece corrupted on disk: she refuses to serve it, the others rebuild the record.
	let store = nodes[0].dir.path().join("chain/chains/ehr_local_testnet/custody");
	let piece_file = std::fs::read_dir(&store)
		.unwrap_or_else(|e| panic!("no piece store at {}: {e}", store.display()))
		.map(|entry| entry.unwrap().path())
		.find(|path| path.extension().is_some_and(|e| e == "piece"))
		.expect("Alice keeps a piece");
	let original = std::fs::read(&piece_file).unwrap();
	let mut corrupt = original.clone();
	let at = corrupt.len() / 3;
	corrupt[at] ^= 0x80;
	std::fs::write(&piece_file, &corrupt).unwrap();
	archive::open_ticket(&api, &patient, stored.record).await.expect("open_access");
	wait_synced(&api, &nodes.iter().collect::<Vec<_>>()).await;
	let read =
		archive::fetch_record(&api, &patient, stored.record, &()).await.expect("fetch_record");
	assert!(read.payload == payload, "the record read back differs");
	assert!(
		read.refusals.len() == 1 && read.refusals[0].contains("corrupt"),
		"Alice's corrupt piece was not reported: {:?}",
		read.refusals
	);
	std::fs::write(&piece_file, &original).unwrap();

	// Two custodian nodes (not validators) stop: any three of five still rebuild the record.
	drop(nodes.remove(3));
	drop(nodes.remove(2));
	let read =
		archive::fetch_record(&api, &patient, stored.record, &()).await.expect("fetch_record");
	assert!(read.payload == payload, "the record read back differs");
	assert_eq!(read.refusals.len(), 2, "the two stopped custodians: {:?}", read.refusals);
	println!("read back with 2 of 5 custodians down after {:?}", started.elapsed());
}
