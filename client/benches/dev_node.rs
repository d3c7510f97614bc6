//! Latency and throughput of one `ehr-node --dev` (a block sealed as soon as transactions are
//! ready, finalised at once). Prints:
//! - **transfers**: a balances transfer from submission to finality, one at a time (p50, p95 and
//!   transfers per second), and then 50 accounts submitting one each at the same moment (how many
//!   reach finality, and how long the last one takes);
//! - **a 1 MiB read**: `open_access` and the read together, and the read alone from the ticket in
//!   hand (the node is the chain's one custodian, so k = 1 of 1);
//! - **the audit trail** of one patient with 100 events on a chain of 10,000 blocks: from the
//!   node's index (`ehr_auditTrail`), against a scan of every block's events (what `ehr audit`
//!   did before the index: a header and the events of each block, 16 blocks in flight).
//!
//! Release figures (README): `scripts/bench-release.sh`, or by hand
//! `cargo build --release --locked --workspace --bins --benches` and then
//! `$CARGO_TARGET_DIR/release/deps/dev_node-*` (a release bench starts `release/ehr-node`).
//! Takes about five minutes in release.
#[path = "../tests/common/mod.rs"]
mod common;

use common::{ms, network::register_custodians, percentile, timed_submit, TestNode};
use ehr_client::{
	archive, audit, ehr, submit_batch,
	subxt::ext::futures,
	subxt_signer::sr25519::{dev, Keypair},
	types::Category,
	EhrClient,
};
use futures::{StreamExt, TryStreamExt};
use std::time::{Duration, Instant};

const SEQUENTIAL_TRANSFERS: usize = 100;
const CONCURRENT_WRITERS: usize = 50;
const READ_SAMPLES: usize = 20;
const CHAIN_LENGTH: u64 = 10_000;
const TRAIL_EVENTS: usize = 100;

fn p50_p95(samples: &mut [Duration]) -> String {
	format!("p50 {}, p95 {}", ms(percentile(samples, 0.5)), ms(percentile(samples, 0.95)))
}

/// A key derived from the dev phrase.
fn derived(path: &str) -> Keypair {
	let uri = format!("{}{path}", ehr_client::subxt_signer::DEV_PHRASE);
	Keypair::from_uri(&uri.parse().expect("a URI")).expect("a dev key")
}

/// A transfer of `from` to `to`: how long it took to be in a block and to be final.
async fn timed_transfer(api: &EhrClient, from: &Keypair, to: &Keypair) -> (Duration, Duration) {
	let dest = to.public_key().to_account_id().into();
	timed_submit(api, &ehr::tx().balances().transfer_keep_alive(dest, 1_000_000_000), from).await
}

#[tokio::main]
async fn main() {
	let node = TestNode::dev().await;
	let api = node.client().await;
	transfers(&node, &api).await;
	reads(&node, &api).await;
	drop(node);
	trail().await;
}

async fn transfers(node: &TestNode, api: &EhrClient) {
	let (alice, bob) = (dev::alice(), dev::bob());
	let log_before = node.log().len();
	let (mut in_block, mut finalised) = (Vec::new(), Vec::new());
	let started = Instant::now();
	for _ in 0..SEQUENTIAL_TRANSFERS {
		let (b, f) = timed_transfer(api, &alice, &bob).await;
		in_block.push(b);
		finalised.push(f);
	}
	let rate = SEQUENTIAL_TRANSFERS as f64 / started.elapsed().as_secs_f64();
	println!("\ntransfers one at a time ({SEQUENTIAL_TRANSFERS}): {rate:.1}/s");
	println!("  submission to best block: {}", p50_p95(&mut in_block));
	println!("  submission to finality:   {}", p50_p95(&mut finalised));
	let mut building = proposer_times(&node.log()[log_before..]);
	println!(
		"  building each block (the proposer's own figure, whole ms): {}",
		p50_p95(&mut building)
	);

	let writers: Vec<Keypair> =
		(0..CONCURRENT_WRITERS).map(|i| derived(&format!("//Writer{i}"))).collect();
	let funding: Vec<_> = writers
		.iter()
		.map(|w| {
			let to = w.public_key().to_account_id().into();
			(ehr::tx().balances().transfer_keep_alive(to, 1_000_000_000_000_000), &alice)
		})
		.collect();
	submit_batch(api, &funding).await.expect("funding the writers");
	let (started, bob) = (Instant::now(), &bob);
	let all = writers.iter().map(|w| async move {
		tokio::time::timeout(Duration::from_secs(60), timed_transfer(api, w, bob)).await
	});
	let results = futures::future::join_all(all).await;
	let mut done: Vec<Duration> = results.iter().flatten().map(|(_, f)| *f).collect();
	println!(
		"transfers from {CONCURRENT_WRITERS} accounts at once: {} of {CONCURRENT_WRITERS} final within 60 s, \
		 the last after {}; {}",
		done.len(),
		ms(started.elapsed()),
		p50_p95(&mut done),
	);
	assert_eq!(done.len(), CONCURRENT_WRITERS, "some transfers never reached finality");
}

/// The time the proposer took for each block with transactions in it, from the node's log
/// (`Prepared block for proposing at <n> (<ms> ms) …; extrinsics_count: <count>`).
fn proposer_times(log: &str) -> Vec<Duration> {
	log.lines()
		.filter(|line| line.contains("Prepared block for proposing"))
		// The timestamp inherent is always there: a block with one more has transactions.
		.filter(|line| line.rsplit("extrinsics_count: ").next().is_some_and(|n| n.trim() != "1"))
		.filter_map(|line| {
			let ms = line.split(" ms)").next()?.rsplit('(').next()?;
			Some(Duration::from_millis(ms.parse().ok()?))
		})
		.collect()
}

async fn reads(node: &TestNode, api: &EhrClient) {
	let custodians = register_custodians(api, std::slice::from_ref(node)).await;
	let patient = dev::ferdie();
	let account = patient.public_key().to_account_id();
	ehr_client::submit(api, &ehr::tx().ehr_access().register_patient(), &patient)
		.await
		.expect("register_patient");
	let payload: Vec<u8> = (0..1usize << 20).map(|i| (i * 131 + i / 7) as u8).collect();
	let dispersal = archive::Dispersal { k: 1, custodians: &custodians };
	let stored = archive::store_record(
		api,
		&patient,
		&account,
		Category::DiagnosticReport,
		None,
		&payload,
		dispersal,
		&(),
	)
	.await
	.expect("store_record");
	let (mut with_open, mut from_ticket) = (Vec::new(), Vec::new());
	for _ in 0..READ_SAMPLES {
		let started = Instant::now();
		let read = archive::read_record(api, &patient, stored.record, &()).await.expect("read");
		with_open.push(started.elapsed());
		assert!(read.payload == payload);
		let started = Instant::now();
		let read = archive::fetch_record(api, &patient, stored.record, &()).await.expect("fetch");
		from_ticket.push(started.elapsed());
		assert!(read.payload == payload);
	}
	println!("\nread 1 MiB, k = 1 of 1 custodian ({READ_SAMPLES} samples)");
	println!("  open_access and read: {}", p50_p95(&mut with_open));
	println!("  from the ticket:      {}", p50_p95(&mut from_ticket));
}

async fn trail() {
	// A block every 10 ms, so that the chain is long before the patient's events are in; not
	// faster, since a transaction is mortal for 32 blocks from the one it was signed at.
	// Receipts live long enough for the record to be anchored however fast blocks come.
	// The scan reads every block's state, which a default node prunes after 256 blocks.
	let args = [
		"--dev",
		"--dev-block-time",
		"10",
		"--custody-receipt-blocks",
		"100000",
		"--state-pruning",
		"archive",
	];
	let node = TestNode::start(&args.map(String::from)).await;
	let (api, rpc) = ehr_client::connect_with_rpc(&node.ws_url()).await.expect("connect");
	let patient = dev::ferdie();
	let account = patient.public_key().to_account_id();
	ehr_client::submit(&api, &ehr::tx().ehr_access().register_patient(), &patient)
		.await
		.expect("register_patient");
	let custodians = register_custodians(&api, std::slice::from_ref(&node)).await;
	let dispersal = archive::Dispersal { k: 1, custodians: &custodians };
	let stored = archive::store_record(
		&api,
		&patient,
		&account,
		Category::Observation,
		None,
		b"a note",
		dispersal,
		&(),
	)
	.await
	.expect("store_record");
	// One event per CHAIN_LENGTH / TRAIL_EVENTS blocks: the record added, then reads of it.
	let spacing = CHAIN_LENGTH / TRAIL_EVENTS as u64;
	for i in 1..TRAIL_EVENTS as u64 {
		while best(&api).await < i * spacing {
			tokio::time::sleep(Duration::from_millis(20)).await;
		}
		archive::open_ticket(&api, &patient, stored.record).await.expect("open_access");
	}
	while best(&api).await < CHAIN_LENGTH {
		tokio::time::sleep(Duration::from_millis(100)).await;
	}
	let to = best(&api).await as u32;
	println!("\naudit trail of one patient on a chain of {to} blocks");
	// The first call also waits for the index to reach `to`.
	let entries = audit::trail(&api, &rpc, &account, 1, Some(to)).await.expect("trail");
	assert_eq!(entries.len(), TRAIL_EVENTS, "the trail has every event");
	let mut indexed = Vec::new();
	for _ in 0..READ_SAMPLES {
		let started = Instant::now();
		let again = audit::trail(&api, &rpc, &account, 1, Some(to)).await.expect("trail");
		indexed.push(started.elapsed());
		assert_eq!(again.len(), TRAIL_EVENTS);
	}
	println!("  from the node's index ({TRAIL_EVENTS} events): {}", p50_p95(&mut indexed));
	let started = Instant::now();
	let scanned = scan(&api, &account, u64::from(to)).await;
	println!("  scanning every block's events: {} ({scanned} reads found)", ms(started.elapsed()));
	assert_eq!(scanned, TRAIL_EVENTS - 1, "the scan finds every read");
}

async fn best(api: &EhrClient) -> u64 {
	api.at_current_block().await.expect("finalised block").block_number()
}

/// The reads of `patient`'s records in blocks 1..=to, found by fetching every block's events.
async fn scan(api: &EhrClient, patient: &ehr_client::subxt::utils::AccountId32, to: u64) -> usize {
	futures::stream::iter(1..=to)
		.map(|number| async move {
			let events = api.at_block(number).await?.events().fetch().await?;
			let reads = events
				.iter()
				.filter_map(Result::ok)
				.filter_map(|event| {
					event.decode_fields_as::<ehr::ehr_access::events::AccessOpened>()?.ok()
				})
				.filter(|read| read.patient == *patient)
				.count();
			Ok::<_, Box<dyn std::error::Error>>(reads)
		})
		.buffered(16)
		.try_fold(0, |total, reads| async move { Ok(total + reads) })
		.await
		.expect("scanning the chain")
}
