//! End to end on a local network of `ehr-node`s (`--chain local`: Aura + GRANDPA with Alice and
//! Bob validating; no sudo key, two of the three registrars act), each its own custodian: the
//! registrars suspend a custodian, by two approvals and never one, and its piece of a record
//! stored with k = 2 of n = 3 is regenerated onto a fourth, which then serves it. The faults a network
//! must survive (validators and custodians killed, a corrupt piece, a partition) are the
//! zombienet tests' (`zombienet/tests/local.zndsl`), on the network `zombienet/local.toml`
//! describes.
mod common;

use std::time::Instant;

use common::network::{register_custodians, start_network, wait_synced};
use ehr_archive_codec::Piece;
use ehr_client::{
	archive, ehr, registrar::Motion, subxt_signer::sr25519::dev, types::Category, types::EntryState,
};
use ehr_custody_protocol::open_piece;

#[tokio::test(flavor = "multi_thread")]
async fn a_suspended_custodians_piece_is_repaired_onto_another() {
	let started = Instant::now();
	let nodes = start_network(4).await;
	println!("4 nodes answer after {:?}", started.elapsed());
	let api = nodes[0].client().await;
	let patient = dev::ferdie();
	let patient_account = patient.public_key().to_account_id();

	let mut custodians = register_custodians(&api, &nodes).await;
	// Three keep the record's pieces; Dave's node stands by for the repair.
	let spare = custodians.pop().expect("four custodians");
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
		archive::Dispersal { k: 2, custodians: &custodians },
		&(),
	)
	.await
	.expect("store_record");
	assert_eq!(stored.held, 3);
	println!("stored record {} after {:?}", stored.record, started.elapsed());

	// No single key is the registrar of a network: there is no sudo key, a stranger is no
	// registrar, and one registrar's approval is not enough.
	let at = api.at_current_block().await.expect("a block");
	let sudo_key = at.storage().try_fetch(ehr::storage().sudo().key(), ()).await.expect("sudo");
	assert!(sudo_key.is_none(), "--chain local has no sudo key");
	let charlie_custodian = &custodians[2].account;
	match archive::set_custodian_status(&api, &dev::dave(), charlie_custodian, false).await {
		Err(ehr_client::Error::NotRegistrar { .. }) => {},
		other => panic!("Dave is no registrar, yet: {other:?}"),
	}
	let stranger_call = ehr::tx()
		.shamir_archive()
		.set_custodian_status(*charlie_custodian, ehr_client::types::Status::Suspended);
	match ehr_client::submit(&api, &stranger_call, &dev::alice()).await {
		Err(ehr_client::Error::Chain(message)) => {
			assert!(message.contains("Bad origin"), "{message}")
		},
		other => panic!("a registrar's own signature is not the registrar: {other:?}"),
	}

	// The registrars suspend Charlie's custodian (Alice proposes, Bob's approval carries it);
	// the patient regenerates its piece from the two others onto the spare, and the chain takes
	// the spare's receipt over the unchanged hash.
	let motion = archive::set_custodian_status(&api, &dev::alice(), charlie_custodian, false)
		.await
		.expect("Alice proposes suspending Charlie's custodian");
	assert_eq!(motion, Motion::Pending { approvals: 1, threshold: 2 });
	assert!(archive::active_custodians(&api)
		.await
		.unwrap()
		.iter()
		.any(|c| &c.account == charlie_custodian));
	let motion = archive::set_custodian_status(&api, &dev::bob(), charlie_custodian, false)
		.await
		.expect("Bob's approval suspends Charlie's custodian");
	assert_eq!(motion, Motion::Dispatched);
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
	println!("piece repaired onto the spare after {:?}", started.elapsed());
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
