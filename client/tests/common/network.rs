//! A local network of up to six nodes, each its own custodian, for the tests and benchmarks
//! that need one.
use super::{free_port, TestNode};
use ehr_client::{
	archive::{self, CustodianInfo},
	ehr::{self, runtime_types::sp_weights::weight_v2::Weight},
	registrar, submit_batch,
	subxt::rpcs::client::rpc_params,
	subxt_signer::sr25519::dev,
	EhrClient,
};
use serde_json::Value;
use std::time::{Duration, Instant};

const NAMES: [&str; 6] = ["alice", "bob", "charlie", "dave", "eve", "ferdie"];
/// Alice's libp2p key, so the others can name her as their bootnode.
const ALICE_NODE_KEY: &str = "0000000000000000000000000000000000000000000000000000000000000001";
const ALICE_PEER_ID: &str = "12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp";

/// The first `count` (at most six) of Alice, Bob (validators), Charlie, Dave, Eve and Ferdie on
/// `--chain local`, each with its custody keys (`//<Name>//custody`), all started at once.
pub async fn start_network(count: usize) -> Vec<TestNode> {
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
	let args: Vec<Vec<String>> = (0..count.min(NAMES.len())).map(args).collect();
	ehr_client::subxt::ext::futures::future::join_all(args.iter().map(|a| TestNode::start(a))).await
}

/// The node's custodian identity from its custody status.
pub async fn custodian_of(node: &TestNode) -> CustodianInfo {
	archive::custodian_registration(&node.custody_url()).await.expect("custody status").0
}

/// Waits until every node's best block is at least `api`'s finalised one, so that a ticket
/// finalised through `api` is visible to every custodian.
pub async fn wait_synced(api: &EhrClient, nodes: &[&TestNode]) {
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

/// Registers every node as a custodian, by the registrars' motions: Alice proposes them all
/// at once; where one registrar is not the quorum (`--chain local`: two of Alice, Bob and
/// Charlie), Alice and Bob vote for them all at once, and then Bob closes them all at once.
pub async fn register_custodians(api: &EhrClient, nodes: &[TestNode]) -> Vec<CustodianInfo> {
	let (alice, bob) = (dev::alice(), dev::bob());
	let members = registrar::members(api).await.expect("the registrars");
	let threshold = ehr_types::registrar_threshold(members.len() as u32);
	let mut custodians = Vec::new();
	let mut calls = Vec::new();
	for node in nodes {
		let (custodian, call) =
			archive::custodian_registration(&node.custody_url()).await.expect("custody status");
		custodians.push(custodian);
		calls.push(call);
	}
	let mut motions = Vec::new();
	for call in &calls {
		motions.push(registrar::motion_of(api, call).await.expect("a motion"));
	}
	let proposals: Vec<_> = calls
		.iter()
		.zip(&motions)
		.map(|(call, (_, length))| {
			(ehr::tx().registrars().propose(threshold, call.clone(), *length), &alice)
		})
		.collect();
	submit_batch(api, &proposals).await.expect("propose register_custodian");
	if threshold > 1 {
		assert_eq!(threshold, 2, "Alice and Bob are the quorum of --chain local");
		let mut votes = Vec::new();
		let mut closes = Vec::new();
		for &(hash, length) in &motions {
			let at = api.at_current_block().await.expect("a block");
			let index = at
				.storage()
				.fetch(ehr::storage().registrars().voting(), (hash,))
				.await
				.expect("the motion")
				.decode()
				.expect("its votes")
				.index;
			votes.push((ehr::tx().registrars().vote(hash, index, true), &alice));
			votes.push((ehr::tx().registrars().vote(hash, index, true), &bob));
			// A bound far above what registering a custodian weighs; the rest is refunded.
			let bound = Weight { ref_time: 10_000_000_000, proof_size: 100_000 };
			closes.push((ehr::tx().registrars().close(hash, index, bound, length), &bob));
		}
		submit_batch(api, &votes).await.expect("vote for register_custodian");
		submit_batch(api, &closes).await.expect("close register_custodian");
	}
	let active = archive::active_custodians(api).await.expect("custodians");
	for custodian in &custodians {
		assert!(active.contains(custodian), "{} is not registered", custodian.endpoint);
	}
	custodians
}
