//! The original story through the `ehr` binary on a real `ehr-node --dev`, as a hospital's
//! script would drive it (`--json` on standard output), and the refused paths (stranger, wrong
//! role, invalid FHIR, revoked, expired, no key): each ends with a non-zero exit and one line on
//! standard error that names the cause.
#[path = "../../tests/common/mod.rs"]
mod common;

use common::TestNode;
use ehr_fhir::samples;
use serde_json::Value;
use std::process::Command;

/// The result of one `ehr` run.
struct Run {
	ok: bool,
	stdout: String,
	stderr: String,
}

impl Run {
	fn json(&self) -> Value {
		assert!(self.ok, "ehr failed: {}", self.stderr);
		serde_json::from_str(&self.stdout)
			.unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.stdout))
	}

	/// Asserts a refusal: a non-zero exit and one line on standard error containing `cause`.
	fn refused(&self, cause: &str) {
		assert!(!self.ok, "ehr succeeded: {}", self.stdout);
		assert_eq!(self.stderr.lines().count(), 1, "not one line: {:?}", self.stderr);
		assert!(self.stderr.starts_with("error: "), "{}", self.stderr);
		assert!(self.stderr.contains(cause), "no {cause:?} in {}", self.stderr);
	}
}

/// Runs `ehr --url <node> [--suri <suri>] <args>`.
fn ehr(node: &TestNode, suri: Option<&str>, args: &[&str]) -> Run {
	let mut command = Command::new(env!("CARGO_BIN_EXE_ehr"));
	command.env_remove("EHR_SURI").env_remove("EHR_KEY_FILE").args(["--url", &node.ws_url()]);
	if let Some(suri) = suri {
		command.args(["--suri", suri]);
	}
	let out = command.args(args).output().expect("cannot run ehr");
	Run {
		ok: out.status.success(),
		stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
		stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
	}
}

#[tokio::test(flavor = "multi_thread")]
async fn the_original_story_through_the_cli() {
	let node = TestNode::dev().await;
	let dir = tempfile::tempdir().unwrap();
	let file = |name: &str, text: &str| {
		let path = dir.path().join(name);
		std::fs::write(&path, text).unwrap();
		path.to_str().unwrap().to_owned()
	};
	let (alice, bob, charlie, dave, eve) =
		(Some("//Alice"), Some("//Bob"), Some("//Charlie"), Some("//Dave"), Some("//Eve"));

	// Set-up by the registrar: the node as custodian, the hospital.
	ehr(&node, alice, &["--json", "custodian", "register", &node.custody_url()]).json();
	let listed = ehr(&node, None, &["--json", "custodian", "list"]).json();
	assert_eq!(listed.as_array().map(Vec::len), Some(1));
	let hospital = [
		"--json",
		"hospital",
		"register",
		"//Bob",
		"--name",
		"St Mary",
		"--address",
		"1 Main St",
		"--speciality",
		"cardiology",
		"--speciality",
		"oncology",
	];
	ehr(&node, alice, &hospital).json();
	let shown = ehr(&node, None, &["--json", "hospital", "show", "//Bob"]).json();
	assert_eq!(shown["profile"]["name"], "St Mary");
	assert_eq!(shown["status"], "Active");

	// A wrong role is refused by name; the hospital invites its doctor, who accepts with their
	// own key (nobody else can) and is then registered.
	let doctor_args =
		["doctor", "invite", "//Charlie", "--name", "Dr Grey", "--speciality", "cardiology"];
	ehr(&node, eve, &doctor_args).refused("EhrAccess.NotAHospital");
	assert!(ehr(&node, bob, &doctor_args).ok);
	ehr(&node, None, &["doctor", "show", "//Charlie"]).refused("not found");
	ehr(&node, bob, &["doctor", "accept"]).refused("not found");
	let accepted = ehr(&node, charlie, &["--json", "doctor", "accept"]).json();
	assert!(accepted.is_string(), "{accepted}");
	assert_eq!(
		ehr(&node, None, &["--json", "doctor", "show", "//Charlie"]).json()["status"],
		"Active"
	);
	// The doctor keeps their own profile; the hospital cannot change it.
	let update = ["doctor", "update", "--name", "Dr M. Grey", "--speciality", "cardiology"];
	ehr(&node, bob, &update).refused("EhrAccess.NotADoctor");
	assert!(ehr(&node, charlie, &update).ok);
	let shown = ehr(&node, None, &["--json", "doctor", "show", "//Charlie"]).json();
	assert_eq!(shown["profile"]["name"], "Dr M. Grey");
	// A colleague, who reads only under consent (the author always may).
	let colleague = "//Charlie//stash";
	let colleague_args =
		["doctor", "invite", colleague, "--name", "Dr Yang", "--speciality", "surgery"];
	assert!(ehr(&node, bob, &colleague_args).ok);
	assert!(ehr(&node, Some(colleague), &["doctor", "accept"]).ok);
	// A declined invitation registers nobody.
	let declined = ["doctor", "invite", "//Ferdie", "--name", "Dr No", "--speciality", "none"];
	assert!(ehr(&node, bob, &declined).ok);
	assert!(ehr(&node, Some("//Ferdie"), &["doctor", "withdraw", "//Ferdie"]).ok);
	ehr(&node, Some("//Ferdie"), &["doctor", "accept"]).refused("not found");

	// The doctor proposes the patient; the patient registers with their own key and consents.
	assert!(ehr(&node, charlie, &["patient", "propose", "//Dave"]).ok);
	let registered = ehr(&node, dave, &["--json", "patient", "register"]).json();
	assert!(registered["id"].is_u64());
	ehr(&node, dave, &["--json", "consent", "grant", "--doctor", "//Charlie", "--write"]).json();
	let grant = ehr(&node, dave, &["--json", "consent", "grant", "--doctor", colleague]).json()
		["grant"]
		.as_u64()
		.expect("a grant id");

	// The doctor writes a record from a FHIR file; invalid FHIR is refused with its path.
	let condition = file("condition.json", samples::CONDITION_PRESENT);
	let added = ehr(
		&node,
		charlie,
		&["--json", "record", "add", "--patient", "//Dave", "--file", &condition],
	)
	.json();
	let record = added["record"].as_u64().expect("a record id").to_string();
	assert_eq!(added["held"], 1);
	let bad = file("bad.json", r#"{"resourceType":"Patient","birthDate":"yesterday"}"#);
	ehr(&node, charlie, &["record", "add", "--patient", "//Dave", "--file", &bad])
		.refused("invalid FHIR at Patient.birthDate");
	let listed = ehr(&node, dave, &["--json", "record", "list"]).json();
	assert_eq!(listed.as_array().map(Vec::len), Some(1));
	assert_eq!(listed[0]["category"], "Condition");

	// Display: byte-identical, to a file or as JSON.
	let out = dir.path().join("read.json");
	assert!(ehr(&node, charlie, &["record", "read", &record, "--out", out.to_str().unwrap()]).ok);
	assert_eq!(std::fs::read_to_string(&out).unwrap(), samples::CONDITION_PRESENT);
	let read = ehr(&node, dave, &["--json", "record", "read", &record]).json();
	assert_eq!(read["json"], samples::CONDITION_PRESENT);

	// Refused: a stranger; the colleague after revocation; a signing command without a key.
	ehr(&node, eve, &["record", "read", &record]).refused("not authorised to open record");
	assert!(ehr(&node, Some(colleague), &["record", "read", &record]).ok);
	assert!(ehr(&node, dave, &["consent", "revoke", &grant.to_string()]).ok);
	ehr(&node, Some(colleague), &["record", "read", &record]).refused("NoConsent");

	// Expired: a grant until three blocks on (each transaction seals one) reads once, then
	// lapses by itself.
	let now = node.client().await.at_current_block().await.unwrap().block_number();
	let until = (now + 3).to_string();
	let lapsing = ["consent", "grant", "--doctor", colleague, "--until", &until];
	assert!(ehr(&node, dave, &lapsing).ok);
	assert!(ehr(&node, Some(colleague), &["record", "read", &record]).ok);
	ehr(&node, Some(colleague), &["record", "read", &record]).refused("NoConsent");
	ehr(&node, None, &["patient", "register"]).refused("give --suri");
	ehr(&node, Some("not a secret"), &["patient", "register"]).refused("bad secret URI");

	// Break-glass is loud, and opens the record.
	let opened = ehr(
		&node,
		Some(colleague),
		&["emergency", "open", "--patient", "//Dave", "--reason", "unconscious"],
	);
	assert!(opened.stdout.contains("EMERGENCY ACCESS"), "{}", opened.stdout);
	assert!(ehr(&node, Some(colleague), &["record", "read", &record]).ok);

	// The patient's audit trail names every reader.
	let trail = ehr(&node, dave, &["--json", "audit"]).json();
	let readers: Vec<_> = trail
		.as_array()
		.unwrap()
		.iter()
		.filter(|e| e["event"]["kind"] == "Read")
		.map(|e| e["event"]["reader"].as_str().unwrap().to_owned())
		.collect();
	let account = |suri: &str| {
		let uri = suri.parse().unwrap();
		let pair = ehr_client::subxt_signer::sr25519::Keypair::from_uri(&uri).unwrap();
		pair.public_key().to_account_id().to_string()
	};
	let expected = ["//Charlie", "//Dave", colleague, colleague, colleague].map(account);
	assert_eq!(readers, expected);
	// And everyone the chain turned away: the stranger, the colleague revoked and lapsed.
	let denied: Vec<_> = trail
		.as_array()
		.unwrap()
		.iter()
		.filter(|e| e["event"]["kind"] == "Denied")
		.map(|e| (e["event"]["reader"].as_str().unwrap().to_owned(), e["event"]["reason"].clone()))
		.collect();
	let no_consent = serde_json::json!("NoConsent");
	let expected = [("//Eve", &no_consent), (colleague, &no_consent), (colleague, &no_consent)]
		.map(|(who, why)| (account(who), why.clone()));
	assert_eq!(denied, expected);

	// The archive: anchored, then erased by the patient.
	let status = ehr(&node, None, &["--json", "archive", "status", &record]).json();
	assert_eq!(status["state"], "Anchored");
	assert!(ehr(&node, dave, &["archive", "erase", &record]).ok);
	let status = ehr(&node, None, &["--json", "archive", "status", &record]).json();
	assert_eq!(status["state"], "Erased");
	assert_eq!(status["pieces"], serde_json::json!([]), "a tombstone keeps no pieces");
	ehr(&node, dave, &["record", "read", &record]).refused("Erased");
	let listed = ehr(&node, dave, &["--json", "record", "list"]).json();
	assert_eq!(listed.as_array().map(Vec::len), Some(1), "the anchor stays: {listed}");
	assert!(listed[0]["erased_at"].is_u64(), "{listed}");
}

#[test]
fn an_unreachable_node_is_one_line() {
	let out = Command::new(env!("CARGO_BIN_EXE_ehr"))
		.args(["--url", &format!("ws://127.0.0.1:{}", common::free_port()), "custodian", "list"])
		.output()
		.expect("cannot run ehr");
	let stderr = String::from_utf8_lossy(&out.stderr);
	assert!(!out.status.success());
	assert_eq!(stderr.lines().count(), 1, "{stderr}");
	assert!(stderr.starts_with("error: cannot connect to the ehr-chain node"), "{stderr}");
}
