//! The FHIR server end to end, on one real `ehr-node --dev` and the clinic of
//! [`support::clinic`]; servers started in-process for the doctor, the patient and a stranger
//! (//Eve), driven over HTTP. Every sample is created and read
//! back identical, searched with paging, amended and its history read; a stranger is refused
//! (403), an erased record is gone (410), the audit trail shows the reads and the refusal,
//! consent is listed, granted and revoked; and every bad request gets its 4xx and leaves nothing
//! on chain.
#[path = "../../tests/common/mod.rs"]
mod common;
mod support;

use common::TestNode;
use ehr_client::{
	records,
	subxt_signer::sr25519::{dev, Keypair},
};
use ehr_fhir::samples;
use ehr_fhir_server::Options;
use reqwest::{header::HeaderMap, Method};
use serde_json::{json, Value};
use support::{clinic, id, Clinic};

/// The doctor's server takes bodies up to this size, so that the 413 check is quick.
const SMALL_LIMIT: usize = 256 << 10;

/// An in-process server acting for `signer`, and a client of it.
struct Fhir {
	http: reqwest::Client,
	base: String,
}

struct Answer {
	status: u16,
	headers: HeaderMap,
	body: Value,
}

impl Fhir {
	async fn start(node: &TestNode, signer: Keypair, max_body_bytes: usize) -> Fhir {
		let (api, rpc) = ehr_client::connect_with_rpc(&node.ws_url()).await.expect("connects");
		let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("binds");
		let base = format!("http://{}", listener.local_addr().unwrap());
		let options = Options { base_url: None, max_body_bytes };
		tokio::spawn(ehr_fhir_server::serve(listener, api, rpc, signer, options));
		Fhir { http: reqwest::Client::new(), base }
	}

	async fn call(&self, method: Method, path: &str, content_type: &str, body: Vec<u8>) -> Answer {
		let url =
			if path.starts_with("http") { path.to_owned() } else { format!("{}{path}", self.base) };
		let mut request = self.http.request(method, url);
		if !body.is_empty() {
			request = request.header("content-type", content_type).body(body);
		}
		let response = request.send().await.expect("the server answers");
		let status = response.status().as_u16();
		let headers = response.headers().clone();
		let bytes = response.bytes().await.expect("a body");
		let body = if bytes.is_empty() {
			Value::Null
		} else {
			serde_json::from_slice(&bytes)
				.unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&bytes)))
		};
		if status >= 400 {
			assert_eq!(body["resourceType"], "OperationOutcome", "{status} without an outcome");
			assert_eq!(headers["content-type"], "application/fhir+json; charset=utf-8", "{status}");
		}
		Answer { status, headers, body }
	}

	async fn get(&self, path: &str) -> Answer {
		self.call(Method::GET, path, "", Vec::new()).await
	}

	async fn post(&self, path: &str, body: &str) -> Answer {
		self.call(Method::POST, path, "application/fhir+json", body.as_bytes().to_vec()).await
	}
}

/// `resource` without what the server sets: `id` and `meta`.
fn content(resource: &Value) -> Value {
	let mut resource = resource.clone();
	if let Some(object) = resource.as_object_mut() {
		object.remove("id");
		object.remove("meta");
	}
	resource
}

fn diagnostics(answer: &Answer) -> String {
	answer.body["issue"][0]["diagnostics"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_fhir_server_in_front_of_the_chain() {
	let node = TestNode::dev().await;
	let api = node.client().await;
	let Clinic { hospital, doctor, patient, grant } = clinic(&node, &api).await;
	let stranger = dev::eve();

	let as_doctor = Fhir::start(&node, doctor.clone(), SMALL_LIMIT).await;
	let as_patient = Fhir::start(&node, patient.clone(), ehr_fhir::MAX_PAYLOAD_BYTES).await;
	let as_stranger = Fhir::start(&node, stranger.clone(), ehr_fhir::MAX_PAYLOAD_BYTES).await;
	let dave = id(&patient).to_string();

	// The CapabilityStatement.
	let metadata = as_doctor.get("/metadata").await;
	assert_eq!(metadata.status, 200);
	assert_eq!(metadata.body["resourceType"], "CapabilityStatement");
	assert_eq!(metadata.body["fhirVersion"], "4.0.1");
	assert_eq!(metadata.headers["content-type"], "application/fhir+json; charset=utf-8");

	// Every sample, created by the doctor for the patient and read back identical.
	let mut created = Vec::new();
	for (name, sample) in samples::ALL {
		let sent: Value = serde_json::from_str(sample).unwrap();
		let resource_type = sent["resourceType"].as_str().unwrap().to_owned();
		let answer = as_doctor
			.call(
				Method::POST,
				&format!("/{resource_type}?patient=Patient/{dave}"),
				"application/fhir+json",
				sample.as_bytes().to_vec(),
			)
			.await;
		assert_eq!(answer.status, 201, "{name}: {}", answer.body);
		let record = answer.body["id"].as_str().unwrap().to_owned();
		let location = answer.headers["location"].to_str().unwrap().to_owned();
		assert_eq!(location, format!("{}/{resource_type}/{record}/_history/1", as_doctor.base));
		assert_eq!(answer.headers["etag"], "W/\"1\"");
		assert_eq!(answer.body["meta"]["versionId"], "1");
		assert_eq!(content(&answer.body), content(&sent), "{name}");
		let read = as_doctor.get(&format!("/{resource_type}/{record}")).await;
		assert_eq!(read.status, 200, "{name}: {}", read.body);
		assert_eq!(read.body["id"], record.as_str());
		assert_eq!(read.headers["etag"], "W/\"1\"");
		assert_eq!(content(&read.body), content(&sent), "{name} read back");
		let updated = read.body["meta"]["lastUpdated"].as_str().unwrap_or_default();
		assert!(updated.ends_with('Z'), "{name}: lastUpdated {updated:?}, the block's time");
		created.push((name.to_string(), resource_type, record));
	}
	let record_of = |sample: &str| {
		let (_, resource_type, record) = created.iter().find(|(n, _, _)| n == sample).unwrap();
		(resource_type.clone(), record.clone())
	};

	// Search with paging: two Conditions, one a page.
	let first = as_doctor.get(&format!("/Condition?patient={dave}&_count=1")).await;
	assert_eq!(first.status, 200, "{}", first.body);
	assert_eq!(
		(first.body["type"].as_str(), first.body["total"].as_u64()),
		(Some("searchset"), Some(2))
	);
	assert_eq!(first.body["entry"].as_array().unwrap().len(), 1);
	let next = first.body["link"].as_array().unwrap().iter().find(|l| l["relation"] == "next");
	let second = as_doctor.get(next.expect("a next link")["url"].as_str().unwrap()).await;
	assert_eq!(second.body["entry"].as_array().unwrap().len(), 1);
	assert!(!second.body["link"].as_array().unwrap().iter().any(|l| l["relation"] == "next"));
	let found: Vec<&str> = [&first, &second]
		.iter()
		.map(|page| page.body["entry"][0]["resource"]["id"].as_str().unwrap())
		.collect();
	assert_eq!(
		found,
		vec![record_of("condition-present.json").1, record_of("condition-past.json").1]
	);
	let updated = first.body["entry"][0]["resource"]["meta"]["lastUpdated"].as_str().unwrap();
	let day = &updated[..10];
	for (filter, total) in [(format!("ge{day}"), 2), (format!("gt{day}"), 0), ("lt2000".into(), 0)]
	{
		let search =
			as_doctor.get(&format!("/Condition?patient={dave}&_lastUpdated={filter}")).await;
		assert_eq!(search.body["total"], total, "_lastUpdated={filter}: {}", search.body);
	}
	let bad = as_doctor.get(&format!("/Condition?patient={dave}&_lastUpdated=soon")).await;
	assert_eq!(bad.status, 400, "{}", bad.body);

	// An update is a new record superseding the old one: version 2, and the history.
	let (_, condition) = record_of("condition-present.json");
	let mut amended: Value = serde_json::from_str(samples::CONDITION_PRESENT).unwrap();
	amended["id"] = json!(condition);
	amended["code"]["text"] = json!("High blood pressure, treated");
	let put = as_doctor
		.call(
			Method::PUT,
			&format!("/Condition/{condition}"),
			"application/json",
			amended.to_string().into_bytes(),
		)
		.await;
	assert_eq!(put.status, 200, "{}", put.body);
	assert_eq!(put.headers["etag"], "W/\"2\"");
	let current = as_doctor.get(&format!("/Condition/{condition}")).await;
	assert_eq!(current.body["meta"]["versionId"], "2");
	assert_eq!(current.body["code"]["text"], "High blood pressure, treated");
	let history = as_doctor.get(&format!("/Condition/{condition}/_history")).await;
	assert_eq!(
		(history.body["type"].as_str(), history.body["total"].as_u64()),
		(Some("history"), Some(2))
	);
	let original = as_doctor.get(&format!("/Condition/{condition}/_history/1")).await;
	assert_eq!(
		content(&original.body),
		content(&serde_json::from_str(samples::CONDITION_PRESENT).unwrap())
	);
	let conditions = as_doctor.get(&format!("/Condition?patient={dave}")).await;
	assert_eq!(conditions.body["total"], 2, "an amendment is a version, not a resource");

	// A stranger is refused by the chain, with its reason.
	let refused = as_stranger.get(&format!("/Condition/{condition}")).await;
	assert_eq!(refused.status, 403, "{}", refused.body);
	assert!(diagnostics(&refused).contains("NoConsent"), "{}", refused.body);

	// Erasure: not the doctor's to do; the patient erases, and the record is gone.
	let (encounter_type, encounter) = record_of("encounter.json");
	let path = format!("/{encounter_type}/{encounter}");
	let by_doctor = as_doctor.call(Method::DELETE, &path, "", Vec::new()).await;
	assert_eq!(by_doctor.status, 403, "{}", by_doctor.body);
	let erased = as_patient.call(Method::DELETE, &path, "", Vec::new()).await;
	assert_eq!(erased.status, 204, "{}", erased.body);
	let gone = as_doctor.get(&path).await;
	assert_eq!(gone.status, 410, "{}", gone.body);

	// Everything the patient may read, the erased record left out.
	let everything = as_patient.get(&format!("/Patient/{dave}/$everything?_count=100")).await;
	assert_eq!(everything.status, 200, "{}", everything.body);
	assert_eq!(everything.body["total"].as_u64(), Some(samples::ALL.len() as u64 - 1));

	// The audit trail: the doctor's reads (outcome 0) and the stranger's refusal (outcome 4).
	let trail = as_doctor.get(&format!("/AuditEvent?patient={dave}&_count=100")).await;
	assert_eq!(trail.status, 200, "{}", trail.body);
	let events: Vec<&Value> =
		trail.body["entry"].as_array().unwrap().iter().map(|e| &e["resource"]).collect();
	let reads = events
		.iter()
		.filter(|e| e["action"] == "R" && e["outcome"] == "0" && who(e) == id(&doctor).to_string());
	assert!(reads.count() >= samples::ALL.len(), "{}", trail.body);
	let refusal = events.iter().find(|e| e["outcome"] == "4").expect("the refusal is in the trail");
	assert_eq!(who(refusal), id(&stranger).to_string());
	assert!(refusal["outcomeDesc"].as_str().unwrap().contains("NoConsent"));
	let today = chrono_free_today(&events);
	let dated =
		as_doctor.get(&format!("/AuditEvent?patient={dave}&date=ge{today}&_count=100")).await;
	assert_eq!(dated.body["total"], trail.body["total"]);
	let before = as_doctor.get(&format!("/AuditEvent?patient={dave}&date=lt2000-01-01")).await;
	assert_eq!(before.body["total"], 0);

	// Consent: listed, granted to the hospital, revoked by an update to inactive.
	let grants = as_patient.get(&format!("/Consent?patient={dave}")).await;
	assert_eq!(grants.body["total"], 1, "{}", grants.body);
	let listed = &grants.body["entry"][0]["resource"];
	assert_eq!(listed["id"], grant.to_string());
	assert_eq!(listed["status"], "active");
	assert_eq!(
		listed["provision"]["actor"][0]["reference"]["reference"],
		format!("Practitioner/{}", id(&doctor))
	);
	let mut to_hospital = listed.clone();
	to_hospital.as_object_mut().unwrap().remove("id");
	to_hospital["provision"]["actor"][0]["reference"] =
		json!({ "reference": format!("Organization/{}", id(&hospital)) });
	to_hospital["provision"]["action"] = json!([{ "coding": [{ "code": "access" }] }]);
	let granted = as_patient.post("/Consent", &to_hospital.to_string()).await;
	assert_eq!(granted.status, 201, "{}", granted.body);
	let new_grant = granted.body["id"].as_str().unwrap().to_owned();
	let by_stranger =
		as_stranger.post(&format!("/Consent?patient={dave}"), &to_hospital.to_string()).await;
	assert_eq!(by_stranger.status, 403, "{}", by_stranger.body);
	let mut inactive = granted.body.clone();
	inactive["status"] = json!("inactive");
	let revoked = as_patient
		.call(
			Method::PUT,
			&format!("/Consent/{new_grant}"),
			"application/fhir+json",
			inactive.to_string().into_bytes(),
		)
		.await;
	assert_eq!(revoked.status, 200, "{}", revoked.body);
	let grants = as_patient.get(&format!("/Consent?patient={dave}")).await;
	assert_eq!(grants.body["total"], 1, "the revoked grant is gone: {}", grants.body);

	// Bad requests: each its 4xx, and nothing on chain.
	let before = records::list(&api, &id(&patient)).await.unwrap();
	let condition_path = format!("/Condition?patient={dave}");
	let malformed = as_doctor.post(&condition_path, "{\"resourceType\": \"Condition\",").await;
	assert_eq!(malformed.status, 400, "{}", malformed.body);
	assert_eq!(malformed.body["issue"][0]["code"], "structure");
	let wrong_type = as_doctor
		.call(
			Method::POST,
			&condition_path,
			"text/plain",
			samples::CONDITION_PAST.as_bytes().to_vec(),
		)
		.await;
	assert_eq!(wrong_type.status, 415, "{}", wrong_type.body);
	let mut huge: Value = serde_json::from_str(samples::CONDITION_PAST).unwrap();
	huge["note"] = json!([{ "text": "x".repeat(SMALL_LIMIT) }]);
	let too_large = as_doctor.post(&condition_path, &huge.to_string()).await;
	assert_eq!(too_large.status, 413, "{}", too_large.body);
	let invalid = std::fs::read_to_string(
		std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
			.join("../fhir/samples/invalid/patient-bad-birthdate.json"),
	)
	.unwrap();
	let rejected = as_doctor.post(&format!("/Patient?patient={dave}"), &invalid).await;
	assert_eq!(rejected.status, 400, "{}", rejected.body);
	assert!(rejected.body["issue"][0]["expression"][0].as_str().unwrap().contains("birthDate"));
	let mismatched = as_doctor.post(&condition_path, samples::ENCOUNTER).await;
	assert_eq!(mismatched.status, 400, "{}", mismatched.body);
	let no_patient = as_doctor.post("/Condition", samples::CONDITION_PAST).await;
	assert_eq!(no_patient.status, 422, "{}", no_patient.body);
	let unknown_type = as_doctor.post("/Basic", "{\"resourceType\": \"Basic\"}").await;
	assert_eq!(unknown_type.status, 404, "{}", unknown_type.body);
	let unknown_record = as_doctor.get("/Condition/999999").await;
	assert_eq!(unknown_record.status, 404, "{}", unknown_record.body);
	assert_eq!(records::list(&api, &id(&patient)).await.unwrap(), before, "nothing was stored");
}

/// The account of an AuditEvent's first agent.
fn who(event: &Value) -> String {
	event["agent"][0]["who"]["identifier"]["value"].as_str().unwrap_or_default().to_owned()
}

/// The UTC day of the first event (from its `recorded` instant), as `YYYY-MM-DD`.
fn chrono_free_today(events: &[&Value]) -> String {
	events[0]["recorded"].as_str().unwrap()[..10].to_owned()
}
