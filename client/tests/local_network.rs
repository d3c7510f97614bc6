//! End to end on a local network of `ehr-node`s (`--chain local`: Aura + GRANDPA with Alice and
//! Bob validating), each its own custodian: a record stored with k = 3 of n = 5 is read back
//! byte-identical with a piece corrupted on disk, and again with two custodian nodes stopped;
//! then a stopped custodian's piece is regenerated onto a sixth.
mod common;

use std::time::Instant;

use common::network::{register_custodians, start_network, wait_synced};
use ehr_archive_codec::Piece;
use ehr_client::{archive, ehr, subxt_signer::sr25519::dev, types::Category, types::EntryState};
use ehr_custody_protocol::open_piece;

#[tokio::test(flavor = "multi_thread")]
async fn five_custodians_rebuild_a_record_with_a_corrupt_piece_and_two_down_then_repair() {
	let started = Instant::now();
	let mut nodes = start_network(6).await;
	println!("6 nodes answer after {:?}", started.elapsed());
	let api = nodes[0].client().await;
	let patient = dev::ferdie();
	let patient_account = patient.public_key().to_account_id();

	let mut custodians = register_custodians(&api, &nodes).await;
	// Five keep the record's pieces; Ferdie's node stands by for the repair.
	let spare = custodians.pop().expect("six custodians");
	submit!(api, ehr::tx().ehr_access().register_patient(), &patient).expect("register_patient");
	println!("custodians and patient registered after {:?}", started.elapsed());

	let payload: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8 ^ (i >> 8) as u8).collect();
	let stored = archive::store_record(
		&api,
		&patient,
		&patient_account,
		Category::DiagnosticReport,
		None,
		&payload,
		archive::Dispersal { k: 3, custodians: &custodians },
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

	// The registrar suspends Charlie's custodian; the patient regenerates its piece from three
	// others onto the spare, and the chain takes the spare's receipt over the unchanged hash.
	let alice = dev::alice();
	archive::set_custodian_status(&api, &alice, &custodians[2].account, false)
		.await
		.expect("suspend Charlie's custodian");
	archive::open_ticket(&api, &patient, stored.record).await.expect("open_access");
	wait_synced(&api, &nodes.iter().collect::<Vec<_>>()).await;
	archive::repair(&api, &patient, stored.record, 2, &spare.account, &())
		.await
		.expect("repair onto the spare");
	let status = archive::status(&api, stored.record).await.expect("status");
	assert_eq!(status.pieces[2].custodian, spare.account);
	assert_eq!(status.state, EntryState::Anchored);

	// The spare serves the regenerated piece once its watcher has seen the repair finalised.
	let spare_node = nodes.last().expect("the spare's node");
	wait_synced(&api, &[spare_node]).await;
	let genesis = api.genesis_hash().0;
	let deadline = Instant::now() + std::time::Duration::from_secs(60);
	let served = loop {
		archive::open_ticket(&api, &patient, stored.record).await.expect("open_access");
		wait_synced(&api, &[spare_node]).await;
		let (request, secret) = archive::get_request(
			genesis,
			&spare.account,
			stored.record,
			&patient,
			archive::now_ms(),
		)
		.expect("a request");
		match archive::fetch_piece(&spare.endpoint, &request).await {
			Ok(sealed) => break open_piece(&sealed, &secret, &request.request).expect("opens"),
			Err(e) if Instant::now() < deadline => println!("the spare is not serving yet: {e}"),
			Err(e) => panic!("the spare never served its piece: {e}"),
		}
	};
	let piece = Piece::from_bytes(&served).expect("a piece");
	assert_eq!(piece.index, 2);
	assert_eq!(
		ehr_archive_codec::piece_hash(piece.index, &piece.fragment, &piece.share),
		status_hash(&api, stored.record).await
	);
	println!("piece repaired onto a sixth custodian after {:?}", started.elapsed());
}

/// The on-chain commitment of piece 2 of `record`.
async fn status_hash(api: &ehr_client::EhrClient, record: u64) -> [u8; 32] {
	let at = api.at_current_block().await.expect("a block");
	let entry = at
		.runtime_apis()
		.call(ehr::runtime_apis().shamir_archive_api().archive(record))
		.await
		.expect("archive")
		.expect("an entry");
	entry.pieces.0[2].hash
}
