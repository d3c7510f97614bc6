//! What the FHIR server costs over `ehr-client` itself: a 10 KiB Condition created and read
//! through `ehr-client` directly (`records::add`, `records::read`), then as `POST /Condition`
//! and `GET /Condition/[id]` from one HTTP client, then from 4 HTTP clients at once, all acting
//! for one doctor on one `ehr-node --dev` that is the chain's one custodian (k = 1 of 1). Prints
//! p50 and p95 of each, the server's overhead at the median, and the throughput of the 4 clients.
//!
//! The server is the library's (`ehr_fhir_server::serve`) in this process, as the binary runs it.
//! A `GET` does more chain work than `records::read`: it resolves the resource's versions and
//! looks up their anchoring time, so its overhead includes those queries, not only HTTP and JSON.
//!
//! Release figures (README): `scripts/bench-release.sh fhir-server`.
#[path = "../../tests/common/mod.rs"]
mod common;
#[path = "../tests/support/mod.rs"]
mod support;

use common::{ms, percentile, TestNode};
use ehr_client::{records, subxt::ext::futures, types::Category};
use ehr_fhir_server::Options;
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use support::{clinic, id};

/// Requests of each kind, one client.
const SAMPLES: usize = 40;
/// The HTTP clients at once.
const CLIENTS: usize = 4;
/// The resource's size in bytes.
const RESOURCE_BYTES: usize = 10 * 1024;

/// A Condition about `patient` of exactly [`RESOURCE_BYTES`], its note padded.
fn condition(patient: &str) -> String {
	let mut resource: Value = serde_json::from_str(ehr_fhir::samples::CONDITION_PAST).unwrap();
	resource["subject"] = json!({ "reference": format!("Patient/{patient}") });
	resource["note"] = json!([{ "text": "" }]);
	let padding = RESOURCE_BYTES - resource.to_string().len();
	resource["note"][0]["text"] = json!("x".repeat(padding));
	let text = resource.to_string();
	assert_eq!(text.len(), RESOURCE_BYTES);
	text
}

fn p50_p95(samples: &mut [Duration]) -> (Duration, Duration) {
	(percentile(samples, 0.5), percentile(samples, 0.95))
}

fn row(what: &str, samples: &mut [Duration]) -> Duration {
	let (p50, p95) = p50_p95(samples);
	println!("{what:<34} p50 {:>9}   p95 {:>9}", ms(p50), ms(p95));
	p50
}

/// `POST`s `count` resources about `patient` to the server at `base` and `GET`s each back: the
/// latencies of each.
async fn over_http(
	http: &reqwest::Client,
	base: &str,
	patient: &str,
	body: &str,
	count: usize,
) -> (Vec<Duration>, Vec<Duration>) {
	let (mut posts, mut gets, mut ids) = (Vec::new(), Vec::new(), Vec::new());
	for _ in 0..count {
		let started = Instant::now();
		let answer = http
			.post(format!("{base}/Condition?patient={patient}"))
			.header("content-type", "application/fhir+json")
			.body(body.to_owned())
			.send()
			.await
			.unwrap();
		assert_eq!(answer.status(), 201);
		let created: Value = answer.json().await.unwrap();
		posts.push(started.elapsed());
		ids.push(created["id"].as_str().unwrap().to_owned());
	}
	for record in ids {
		let started = Instant::now();
		let answer = http.get(format!("{base}/Condition/{record}")).send().await.unwrap();
		assert_eq!(answer.status(), 200);
		let read: Value = answer.json().await.unwrap();
		gets.push(started.elapsed());
		assert_eq!(read["id"], record.as_str());
	}
	(posts, gets)
}

#[tokio::main]
async fn main() {
	// The custody rate limit is per client address, and every client here is 127.0.0.1.
	let args = ["--dev", "--custody-rate-limit", "1000000"].map(String::from);
	let node = TestNode::start(&args).await;
	let api = node.client().await;
	let clinic = clinic(&node, &api).await;
	let patient = id(&clinic.patient);
	let body = condition(&patient.to_string());
	println!(
		"\nA {RESOURCE_BYTES}-byte Condition on ehr-node --dev (k = 1 of 1), {SAMPLES} of each\n"
	);

	let (mut adds, mut reads, mut records_added) = (Vec::new(), Vec::new(), Vec::new());
	for _ in 0..SAMPLES {
		let started = Instant::now();
		let stored = records::add(
			&api,
			&clinic.doctor,
			&patient,
			body.as_bytes(),
			Some(Category::Condition),
			None,
			&(),
		)
		.await
		.unwrap();
		adds.push(started.elapsed());
		records_added.push(stored.record);
	}
	for record in records_added {
		let started = Instant::now();
		let read = records::read(&api, &clinic.doctor, record, &()).await.unwrap();
		reads.push(started.elapsed());
		assert_eq!(read.json.len(), RESOURCE_BYTES);
	}

	let (server_api, rpc) = ehr_client::connect_with_rpc(&node.ws_url()).await.unwrap();
	let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
	let base = format!("http://{}", listener.local_addr().unwrap());
	let options = Options::default();
	tokio::spawn(ehr_fhir_server::serve(listener, server_api, rpc, clinic.doctor, options));
	let http = reqwest::Client::new();
	let patient = patient.to_string();
	// One request first, so that no figure includes the connection's set-up.
	over_http(&http, &base, &patient, &body, 1).await;
	let (mut posts, mut gets) = over_http(&http, &base, &patient, &body, SAMPLES).await;

	let add = row("ehr-client records::add", &mut adds);
	let post = row("POST /Condition, 1 client", &mut posts);
	println!("{:<34} {}", "  the server's overhead (p50)", ms(post.saturating_sub(add)));
	let read = row("ehr-client records::read", &mut reads);
	let get = row("GET /Condition/[id], 1 client", &mut gets);
	println!("{:<34} {}", "  the server's overhead (p50)", ms(get.saturating_sub(read)));

	let started = Instant::now();
	let clients = (0..CLIENTS).map(|_| over_http(&http, &base, &patient, &body, SAMPLES / CLIENTS));
	let results = futures::future::join_all(clients).await;
	let elapsed = started.elapsed();
	let (posts, gets): (Vec<_>, Vec<_>) = results.into_iter().unzip();
	let (mut posts, mut gets): (Vec<Duration>, Vec<Duration>) = (posts.concat(), gets.concat());
	row(&format!("POST /Condition, {CLIENTS} clients"), &mut posts);
	row(&format!("GET /Condition/[id], {CLIENTS} clients"), &mut gets);
	println!(
		"{:<34} {:.1} requests/s ({} POST and {} GET in {:.2} s)",
		format!("  {CLIENTS} clients together"),
		(posts.len() + gets.len()) as f64 / elapsed.as_secs_f64(),
		posts.len(),
		gets.len(),
		elapsed.as_secs_f64()
	);
}
