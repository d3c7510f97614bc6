//! End to end on a local network of five `ehr-node`s (`--chain local`: Aura + GRANDPA with
//! Alice and Bob validating), each its own custodian: a record stored with k = 3 of n = 5 is
//! read back byte-identical with a piece corrupted on disk, and again with two custodian nodes
//! stopped.
mod common;

use std::time::{Duration, Instant};

use common::{free_port, TestNode};
use ehr_client::{
	archive::{self, CustodianInfo},
	ehr::{
		self,
		runtime_types::{
			ehr_runtime::RuntimeCall, pallet_ehr_access::types::Category,
			pallet_shamir_archive::pallet::Call,
		},
	},
	subxt::rpcs::client::rpc_params,
	subxt_signer::sr25519::dev,
	EhrClient, EhrConfig,
};
use serde_json::Value;

const NAMES: [&str; 5] = ["alice", "bob", "charlie", "dave", "eve"];
/// Alice's libp2p key, so the others can name her as their bootnode.
const ALICE_NODE_KEY: &str = "0000000000000000000000000000000000000000000000000000000000000001";
const ALICE_PEER_ID: &str = "12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp";

async fn start_network() -> Vec<TestNode> {
	let alice_p2p = free_port();
	let bootnode = format!("/ip4/127.0.0.1/tcp/{alice_p2p}/p2p/{ALICE_PEER_ID}");
	let args = |i: usize| {
		let p2p = if i == 0 { alice_p2p } else { free_port() };
		let mut args = vec![
			"--chain".to_owned(),
			"local".to_owned(),
			format!("--{}", NAMES[i]),
			"--no-mdns".to_owned(),
			"--port".to_owned(),
			p2p.to_string(),
			"--node-key".to_owned(),
			if i == 0 { ALICE_NODE_KEY.to_owned() } else { format!("{:064x}", i + 1) },
		];
		if i > 0 {
			args.extend(["--bootnodes".to_owned(), bootnode.clone()]);
		}
		args
	};
	let args: Vec<Vec<String>> = (0..NAMES.len()).map(args).collect();
	let (a, b, c, d, e) = tokio::join!(
		TestNode::start(&args[0]),
		TestNode::start(&args[1]),
		TestNode::start(&args[2]),
		TestNode::start(&args[3]),
		TestNode::start(&args[4]),
	);
	vec![a, b, c, d, e]
}

/// The node's custodian identity from `custody_status`.
async fn custodian_of(node: &TestNode) -> CustodianInfo {
	let status: Value =
		node.rpc().await.request("custody_status", rpc_params![]).await.expect("custody_status");
	let field = |name: &str| -> [u8; 32] {
		hex::decode(status[name].as_str().expect("hex").trim_start_matches("0x"))
			.expect("hex")
			.try_into()
			.expect("32 bytes")
	};
	CustodianInfo {
		account: field("custodian").into(),
		endpoint: node.ws_url(),
		x25519_public: field("x25519Public"),
	}
}

/// Waits until every node's best block is at least `api`'s finalised one, so that a ticket
/// finalised through `api` is visible to every custodian.
async fn wait_synced(api: &EhrClient, nodes: &[&TestNode]) {
	let target = api.at_current_block().await.expect("finalised block").block_number();
	let deadline = Instant::now() + Duration::from_secs(60);
	for node in nodes {
		loop {
			let header: Value = node
				.rpc()
				.await
				.request("chain_getHeader", rpc_params![])
				.await
				.expect("chain_getHeader");
			let number = header["number"]
				.as_str()
				.and_then(|n| u64::from_str_radix(n.trim_start_matches("0x"), 16).ok());
			if number.is_some_and(|n| n >= target) {
				break;
			}
			assert!(Instant::now() < deadline, "{} did not reach block {target}", node.ws_url());
			tokio::time::sleep(Duration::from_millis(200)).await;
		}
	}
}

#[tokio::test(flavor = "multi_thread")]
async fn five_custodians_rebuild_a_record_with_a_corrupt_piece_and_two_nodes_down() {
	let started = Instant::now();
	let mut nodes = start_network().await;
	println!("5 nodes answer after {:?}", started.elapsed());
	let api = nodes[0].client().await;
	let (alice, patient) = (dev::alice(), dev::ferdie());
	let patient_account = patient.public_key().to_account_id();

	let mut custodians = Vec::new();
	for node in &nodes {
		custodians.push(custodian_of(node).await);
	}
	// Five sudo calls in a row (consecutive nonces), then wait for all of them.
	let alice_id = alice.public_key().to_account_id();
	let first_nonce = api.tx().await.unwrap().account_nonce(&alice_id).await.expect("nonce");
	let mut pending = Vec::new();
	for (nonce, (custodian, node)) in (first_nonce..).zip(custodians.iter().zip(&nodes)) {
		let status: Value =
			node.rpc().await.request("custody_status", rpc_params![]).await.unwrap();
		let receipt_key: [u8; 32] =
			hex::decode(status["receiptKey"].as_str().unwrap().trim_start_matches("0x"))
				.unwrap()
				.try_into()
				.unwrap();
		let call = ehr::tx().sudo().sudo(RuntimeCall::ShamirArchive(Call::register_custodian {
			custodian: custodian.account.clone(),
			endpoint: custodian.endpoint.clone().into_bytes(),
			x25519_public: custodian.x25519_public,
			receipt_key,
		}));
		let progress = api
			.tx()
			.await
			.unwrap()
			.create_signed(
				&call,
				&alice,
				ehr_client::subxt::config::DefaultExtrinsicParamsBuilder::<EhrConfig>::new()
					.nonce(nonce)
					.build(),
			)
			.await
			.unwrap()
			.submit_and_watch()
			.await
			.expect("submit register_custodian");
		pending.push(progress);
	}
	for progress in pending {
		progress.wait_for_finalized_success().await.expect("register_custodian");
	}
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
	let read = archive::fetch_record(&api, &patient, stored.record).await.expect("fetch_record");
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
	let read = archive::fetch_record(&api, &patient, stored.record).await.expect("fetch_record");
	assert!(read.payload == payload, "the record read back differs");
	assert_eq!(read.refusals.len(), 2, "the two stopped custodians: {:?}", read.refusals);
	println!("read back with 2 of 5 custodians down after {:?}", started.elapsed());
}
