//! Custody latency and storage on a local network of five nodes (`--chain local`), each its own
//! custodian, at k = 3 of n = 5. Prints, for records of 1 KiB, 1 MiB and 16 MiB:
//! - put: encoding the record and sending its five pieces to the five custodians
//!   (a put over HTTP each, answered with a signed receipt), p50 and p95 over the samples;
//! - get: reading an anchored record under a live ticket (a get over HTTP to the first three
//!   custodians, every piece checked, decoded), p50 and p95;
//! - bytes on the wire per get: what loopback received during each read (every packet of every
//!   process, so the nodes' own gossip too; the median of the samples), against the record's size;
//! - bytes each custodian stores for one record, against the record's size;
//! - what counting only finalised tickets costs a read: `open_access` from submission to its best
//!   block, and to its finalised block (custodians serve the ticket from then on).
//!
//! Release figures (README): `scripts/bench-release.sh`. Against the debug build the tests use:
//! `cargo bench --profile dev --workspace --bench custody_network` (the codec and crypto crates
//! are optimised in the dev profile). A bench built in release starts `release/ehr-node`, one
//! built in dev `debug/ehr-node`, unless `EHR_NODE_BIN` names another. About five minutes.
#[path = "../tests/common/mod.rs"]
mod common;

use common::network::{register_custodians, start_network, wait_synced};
use common::{ms, percentile, timed_submit};
use ehr_client::{archive, ehr, subxt_signer::sr25519::dev, types::Category};
use std::time::{Duration, Instant};

const SIZES: [(&str, usize, usize); 3] =
	[("1 KiB", 1 << 10, 20), ("1 MiB", 1 << 20, 20), ("16 MiB", 16 << 20, 8)];
const K: u8 = 3;

/// Bytes received on the loopback interface so far (`/proc/net/dev`).
fn loopback_received() -> u64 {
	let table = std::fs::read_to_string("/proc/net/dev").expect("/proc/net/dev");
	table
		.lines()
		.find_map(|line| line.trim_start().strip_prefix("lo:"))
		.and_then(|counters| counters.split_whitespace().next()?.parse().ok())
		.expect("the loopback interface's counters")
}

#[tokio::main]
async fn main() {
	let nodes = start_network(5).await;
	let api = nodes[0].client().await;
	let custodians = register_custodians(&api, &nodes).await;
	let patient = dev::ferdie();
	let patient_account = patient.public_key().to_account_id();
	submit!(api, ehr::tx().ehr_access().register_patient(), &patient).expect("register_patient");
	let used = |nodes: &[common::TestNode]| {
		let nodes: Vec<_> = nodes.iter().map(|n| n.custody_url()).collect();
		async move {
			let mut used = Vec::new();
			for url in nodes {
				used.push(archive::node_status(&url).await.unwrap().used_bytes);
			}
			used
		}
	};

	println!("\nk = {K} of n = 5 custodians, one node each; samples per size in brackets");
	println!(
		"{:>8} | {:>10} {:>10} | {:>10} {:>10} | {:>14} {:>6} | {:>14} {:>6}",
		"record",
		"put p50",
		"put p95",
		"get p50",
		"get p95",
		"wire/get",
		"÷ size",
		"stored/node",
		"÷ size"
	);
	let mut opens = Vec::new();
	for (label, size, samples) in SIZES {
		let payload: Vec<u8> = (0..size).map(|i| (i * 131 + i / 7) as u8).collect();
		let mut puts = Vec::with_capacity(samples);
		for _ in 0..samples {
			let mut archive_id = [0u8; 32];
			getrandom::fill(&mut archive_id).unwrap();
			let started = Instant::now();
			let write = ehr_custody_protocol::Write {
				patient: patient_account.0,
				author: patient_account.0,
				archive_id,
			};
			let codec_id = archive::codec_record_id(&api, &write);
			let encoded = ehr_archive_codec::encode(&payload, &codec_id, K, 5).unwrap();
			let purpose = ehr_custody_protocol::PutPurpose::NewRecord {
				category: Category::Observation,
				supersedes: None,
			};
			let receipts =
				archive::put_pieces(&api, &patient, (write, purpose), &encoded, &custodians, &())
					.await;
			puts.push(started.elapsed());
			assert!(receipts.iter().all(Result::is_ok), "a put failed: {receipts:?}");
		}

		let before = used(&nodes).await;
		let stored = archive::store_record(
			&api,
			&patient,
			&patient_account,
			Category::DiagnosticReport,
			None,
			&payload,
			archive::Dispersal { k: K, custodians: &custodians },
			&(),
		)
		.await
		.expect("store_record");
		let after = used(&nodes).await;
		let per_node = after.iter().zip(&before).map(|(a, b)| a - b).max().unwrap();

		let open = ehr::tx().ehr_access().open_access(stored.record);
		opens.push(timed_submit(&api, &open, &patient).await);
		wait_synced(&api, &nodes.iter().collect::<Vec<_>>()).await;
		let mut gets = Vec::with_capacity(samples);
		let mut wire = Vec::with_capacity(samples);
		for _ in 0..samples {
			let received = loopback_received();
			let started = Instant::now();
			let read =
				archive::fetch_record(&api, &patient, stored.record, &()).await.expect("fetch");
			gets.push(started.elapsed());
			wire.push(loopback_received() - received);
			assert!(read.payload == payload);
		}
		wire.sort_unstable();
		let wire = wire[wire.len() / 2];
		println!(
			"{:>8} | {:>10} {:>10} | {:>10} {:>10} | {:>12} B {:>6.3} | {:>12} B {:>6.3}   [{samples}]",
			label,
			ms(percentile(&mut puts, 0.5)),
			ms(percentile(&mut puts, 0.95)),
			ms(percentile(&mut gets, 0.5)),
			ms(percentile(&mut gets, 0.95)),
			wire,
			wire as f64 / size as f64,
			per_node,
			per_node as f64 / size as f64,
		);
	}
	let mut in_block: Vec<Duration> = opens.iter().map(|(b, _)| *b).collect();
	let mut finalised: Vec<Duration> = opens.iter().map(|(_, f)| *f).collect();
	println!(
		"\nopen_access, submission to best block: p50 {}; to finalised block, when custodians \
		 serve the ticket: p50 {} ({} samples)",
		ms(percentile(&mut in_block, 0.5)),
		ms(percentile(&mut finalised, 0.5)),
		opens.len(),
	);
}
