//! End-to-end tests against a real `ehr-node --dev`.
//!
//! Each test starts its own node on free ports (so the tests may run in parallel) and stops it
//! when the test ends, even by a panic (see `common`). The node binary is `$EHR_NODE_BIN` if
//! set, else `ehr-node` in the cargo target directory. A failing test prints the node's log.

mod common;

use std::time::{Duration, Instant};

use common::{network::register_custodians, TestNode};
use ehr_client::subxt_signer::sr25519::Keypair;
use ehr_client::{
	ehr::{
		self,
		runtime_types::{ehr_runtime::RuntimeCall, pallet_shamir_archive::pallet::Call},
	},
	subxt::{
		config::RpcConfigFor,
		ext::codec::{Decode, Encode},
		rpcs::{client::rpc_params, methods::LegacyRpcMethods},
	},
	subxt_signer::sr25519::dev,
	EhrConfig,
};
use ehr_custody_protocol::{api, PutPurpose, Refusal};
use serde_json::Value;

#[tokio::test]
async fn metadata_is_fresh() {
	let node = TestNode::dev().await;
	let rpc = LegacyRpcMethods::<RpcConfigFor<EhrConfig>>::new(node.rpc().await);

	// What `scripts/refresh-metadata.sh` fetches: the newest stable metadata version.
	let versions = rpc
		.state_call("Metadata_metadata_versions", None, None)
		.await
		.expect("Metadata_metadata_versions failed");
	let version = Vec::<u32>::decode(&mut &versions[..])
		.expect("undecodable metadata versions")
		.into_iter()
		.filter(|version| *version != u32::MAX)
		.max()
		.expect("no stable metadata version");
	let response = rpc
		.state_call("Metadata_metadata_at_version", Some(&version.encode()), None)
		.await
		.expect("Metadata_metadata_at_version failed");
	// A SCALE `Option<Vec<u8>>`.
	let node_metadata = Option::<Vec<u8>>::decode(&mut &response[..])
		.expect("undecodable metadata")
		.expect("no metadata at the newest version");

	assert!(
		node_metadata == ehr_client::RUNTIME_METADATA,
		"metadata is stale: run scripts/refresh-metadata.sh \
		 (node: {} bytes of V{version}, client/metadata/ehr-runtime.scale: {} bytes)",
		node_metadata.len(),
		ehr_client::RUNTIME_METADATA.len(),
	);
}

#[tokio::test]
async fn sudo_registers_a_custodian_and_it_is_finalised() {
	let node = TestNode::dev().await;
	let api = node.client().await;
	let alice = dev::alice();
	let bob = dev::bob().public_key().to_account_id();
	let endpoint = b"ws://127.0.0.1:9944".to_vec();
	let x25519_public = [7u8; 32];
	let receipt_key = [8u8; 32];

	let call = ehr::tx().sudo().sudo(RuntimeCall::ShamirArchive(Call::register_custodian {
		custodian: bob,
		endpoint: endpoint.clone(),
		x25519_public,
		receipt_key,
	}));
	let signed = api
		.tx()
		.await
		.expect("cannot get a transactions client")
		.create_signed(&call, &alice, Default::default())
		.await
		.expect("cannot sign the transaction");

	let submitted = Instant::now();
	let finalised = signed
		.submit_and_watch()
		.await
		.expect("cannot submit the transaction")
		.wait_for_finalized()
		.await
		.expect("the transaction was not finalised");
	let latency = submitted.elapsed();
	println!("submit -> finalised: {latency:?} (block {})", finalised.block_hash());

	let events = finalised.wait_for_success().await.expect("the transaction failed");
	let sudid = events
		.find_first::<ehr::sudo::events::Sudid>()
		.expect("no Sudo::Sudid event")
		.expect("undecodable Sudo::Sudid event");
	assert!(sudid.sudo_result.is_ok(), "the sudo call failed: {:?}", sudid.sudo_result);
	let registered = events
		.find::<ehr::shamir_archive::events::CustodianRegistered>()
		.map(|event| event.expect("undecodable ShamirArchive::CustodianRegistered event"))
		.collect::<Vec<_>>();
	assert!(
		registered.iter().any(|event| event.custodian == bob),
		"no CustodianRegistered {{ custodian: Bob }} among {registered:?}",
	);

	let at_finalised = finalised.at().await.expect("cannot read the finalised block");
	let custodian = at_finalised
		.storage()
		.try_fetch(ehr::storage().shamir_archive().custodians(), (bob,))
		.await
		.expect("cannot read ShamirArchive::Custodians")
		.expect("Bob is not in ShamirArchive::Custodians")
		.decode()
		.expect("undecodable ShamirArchive::Custodians entry");
	assert_eq!(custodian.endpoint.0, endpoint);
	assert_eq!(custodian.x25519_public, x25519_public);
	assert_eq!(custodian.receipt_key, receipt_key);
}

#[tokio::test]
async fn generic_rpc_works() {
	let node = TestNode::dev().await;
	let rpc = node.rpc().await;
	let request = |method: &'static str| {
		let rpc = rpc.clone();
		async move {
			rpc.request::<Value>(method, rpc_params![])
				.await
				.unwrap_or_else(|e| panic!("{method} failed: {e}"))
		}
	};

	assert_eq!(request("system_chain").await, "ehr-chain development");

	let properties = request("system_properties").await;
	assert_eq!(properties["tokenSymbol"], "EHR", "{properties}");
	assert_eq!(properties["tokenDecimals"], 12, "{properties}");
	assert_eq!(properties["ss58Format"], 42, "{properties}");

	let methods = request("rpc_methods").await;
	let methods = methods["methods"].as_array().expect("rpc_methods lists no methods");
	for expected in [
		"author_submitAndWatchExtrinsic",
		"state_getMetadata",
		"payment_queryInfo",
		"system_accountNextIndex",
	] {
		assert!(
			methods.iter().any(|method| method == expected),
			"rpc_methods does not list {expected}: {methods:?}"
		);
	}
}

/// The original app's story on chain: a hospital registers a doctor, a patient registers and
/// consents, the patient adds a record (with its archive, in one transaction) and the doctor
/// opens it; a stranger is refused, a revoked grantee is refused, each refusal is an
/// `AccessDenied` event on the chain, and break-glass access works and is visible in events.
#[tokio::test(flavor = "multi_thread")]
async fn the_original_story_is_enforced_on_chain() {
	use ehr::runtime_types::pallet_ehr_access::types::GrantScope;
	use ehr_client::types::{Category, DenyReason, EmergencyReason, Grantee, Right};
	let node = TestNode::dev().await;
	let api = node.client().await;
	let (alice, hospital, doctor, patient, stranger, second_doctor) =
		(dev::alice(), dev::bob(), dev::charlie(), dev::dave(), dev::eve(), dev::ferdie());
	let account =
		|pair: &ehr_client::subxt_signer::sr25519::Keypair| pair.public_key().to_account_id();
	let tx = || ehr::tx().ehr_access();

	// Root (sudo) registers the hospital; only the hospital registers its doctors.
	let register_hospital = ehr::tx().sudo().sudo(RuntimeCall::EhrAccess(
		ehr::runtime_types::pallet_ehr_access::pallet::Call::register_hospital {
			hospital: account(&hospital),
			name: b"St Mary".to_vec(),
			address: b"1 Main Street".to_vec(),
			specialities: vec![b"cardiology".to_vec()],
		},
	));
	submit!(api, register_hospital, &alice).expect("sudo registers the hospital");
	let by_stranger =
		tx().invite_doctor(account(&doctor), b"Dr Who".to_vec(), b"gp".to_vec(), b"x".to_vec());
	let refused =
		submit!(api, by_stranger, &stranger).expect_err("only a hospital invites doctors");
	assert!(refused.contains("NotAHospital"), "{refused}");
	for d in [&doctor, &second_doctor] {
		let call =
			tx().invite_doctor(account(d), b"Dr".to_vec(), b"gp".to_vec(), b"desk 1".to_vec());
		submit!(api, call, &hospital).expect("the hospital invites its doctor");
		submit!(api, tx().accept_doctor_invitation(), d).expect("the doctor accepts");
	}

	// The patient registers with their own key and consents to the second doctor reading.
	submit!(api, tx().register_patient(), &patient).expect("the patient registers");
	let grant_call = tx().grant_access(
		account(&patient),
		Grantee::Doctor(account(&second_doctor)),
		GrantScope::All,
		Right::Read,
		None,
	);
	let events = submit!(api, grant_call, &patient).expect("the patient grants access");
	let grant = events
		.find_first::<ehr::ehr_access::events::AccessGranted>()
		.expect("undecodable AccessGranted")
		.expect("no AccessGranted event")
		.grant;

	// The patient adds a record with its archive in one transaction (on chain: commitments
	// to its ciphertext and receipts of the custodian keeping it, no health data).
	let custodians = register_custodians(&api, std::slice::from_ref(&node)).await;
	let record = ehr_client::archive::store_record(
		&api,
		&patient,
		&account(&patient),
		Category::Condition,
		None,
		b"an encrypted FHIR Condition, in the tests' stead",
		ehr_client::archive::Dispersal { k: 1, custodians: &custodians },
		&(),
	)
	.await
	.expect("the patient adds a record")
	.record;

	// The consented doctor opens it: a ticket and an audit event.
	let events = submit!(api, tx().open_access(record), &second_doctor).expect("grantee reads");
	let opened = events
		.find_first::<ehr::ehr_access::events::AccessOpened>()
		.expect("undecodable AccessOpened")
		.expect("no AccessOpened event");
	assert_eq!(opened.record, record);
	assert_eq!(opened.reader, account(&second_doctor));

	// A stranger, and a doctor without consent, are refused: the refusal is on chain.
	let denied = |events: ehr_client::subxt::extrinsics::ExtrinsicEvents<EhrConfig>| {
		let denied = events
			.find_first::<ehr::ehr_access::events::AccessDenied>()
			.expect("undecodable AccessDenied")
			.expect("no AccessDenied event");
		assert!(events.find_first::<ehr::ehr_access::events::AccessOpened>().is_none());
		denied
	};
	// What an allowed read costs, to compare the refusals' fees with.
	let fee_paid = |events: &ehr_client::subxt::extrinsics::ExtrinsicEvents<EhrConfig>| {
		events
			.find_first::<ehr::transaction_payment::events::TransactionFeePaid>()
			.expect("no TransactionFeePaid event")
			.expect("undecodable TransactionFeePaid")
	};
	let allowed_fee = fee_paid(&events).actual_fee;
	for reader in [&stranger, &doctor] {
		let events = submit!(api, tx().open_access(record), reader).expect("a refusal is included");
		// The bound on abuse is the fee: a refusal pays at least what an allowed read does.
		let paid = fee_paid(&events);
		assert_eq!(paid.who, account(reader));
		assert!(paid.actual_fee >= allowed_fee, "{} < {allowed_fee}", paid.actual_fee);
		let refusal = denied(events);
		assert_eq!((refusal.reader, refusal.record), (account(reader), record));
		assert_eq!(refusal.patient, Some(account(&patient)));
		assert!(matches!(refusal.reason, DenyReason::NoConsent), "{:?}", refusal.reason);
	}

	// After revocation the former grantee is refused too.
	submit!(api, tx().revoke_access(account(&patient), grant), &patient).expect("revoke");
	let events = submit!(api, tx().open_access(record), &second_doctor).expect("included");
	assert!(matches!(denied(events).reason, DenyReason::NoConsent));
	match ehr_client::archive::open_ticket(&api, &second_doctor, record).await {
		Err(ehr_client::Error::NotAuthorized { reason, .. }) => assert_eq!(reason, "NoConsent"),
		other => panic!("a revoked grantee opened the record: {other:?}"),
	}

	// Break-glass: loud, and it opens the record.
	let events =
		submit!(api, tx().open_emergency(account(&patient), EmergencyReason::Unconscious), &doctor)
			.expect("emergency access opens");
	let emergency = events
		.find_first::<ehr::ehr_access::events::EmergencyAccessOpened>()
		.expect("undecodable EmergencyAccessOpened")
		.expect("no EmergencyAccessOpened event");
	assert_eq!(emergency.patient, account(&patient));
	assert_eq!(emergency.doctor, account(&doctor));
	submit!(api, tx().open_access(record), &doctor).expect("emergency access reads the record");
}

/// A record dispersed to the dev node's custodian and read back through the custody RPC, with
/// every refusal a custodian owes: no ticket, replayed, forged and stale requests get no bytes;
/// a receipt that does not verify is not taken; a piece corrupted on disk is detected; after
/// erasure the custodian deletes the piece.
#[tokio::test(flavor = "multi_thread")]
async fn a_record_is_kept_by_its_custodian_and_served_only_to_ticket_holders() {
	use ehr_client::types::Category;
	use ehr_client::{archive, Error};

	let node = TestNode::dev().await;
	let api = node.client().await;
	let (patient, stranger) = (dev::dave(), dev::eve());
	let patient_account = patient.public_key().to_account_id();

	// The dev node's custodian keys (`//Alice//custody`), registered by sudo at its endpoint.
	let custodians = register_custodians(&api, std::slice::from_ref(&node)).await;
	assert_eq!(archive::active_custodians(&api).await.expect("custodians"), custodians);
	let (custodian, x25519_public) = (custodians[0].account.0, custodians[0].x25519_public);
	assert_eq!(custodians[0].endpoint, node.custody_url());
	assert_ne!(x25519_public, [0; 32]);

	submit!(api, ehr::tx().ehr_access().register_patient(), &patient).expect("register_patient");
	let payload: Vec<u8> = (0..100_000u32).map(|i| (i * 7 + i / 255) as u8).collect();
	let stored = archive::store_record(
		&api,
		&patient,
		&patient_account,
		Category::Condition,
		None,
		&payload,
		archive::Dispersal { k: 1, custodians: &custodians },
		&(),
	)
	.await
	.expect("store_record");
	assert_eq!(stored.held, 1);
	let status = archive::node_status(&node.custody_url()).await.expect("custody status");
	assert_eq!((status.pieces, status.pending), (1, 0));

	// The patient reads the record back, byte for byte.
	let read = archive::read_record(&api, &patient, stored.record, &()).await.expect("read_record");
	assert!(read.payload == payload && read.rejected.is_empty() && read.refusals.is_empty());

	// A stranger gets no ticket from the chain, and no bytes from the custodian.
	match archive::read_record(&api, &stranger, stored.record, &()).await {
		Err(Error::NotAuthorized { .. }) => {},
		other => panic!("a stranger read the record: {other:?}"),
	}
	let genesis = api.genesis_hash().0;
	let custodian_id = custodian.into();
	let refused = |result: Result<_, Error>, why: fn(&Refusal) -> bool| match result {
		Err(Error::Custody(e)) if e.refusal().is_some_and(why) => {},
		Ok(_) => panic!("the custodian served a request it should refuse"),
		Err(other) => panic!("expected another refusal, got {other:?}"),
	};
	let custody = node.custody_url();
	let (no_ticket, _) =
		archive::get_request(genesis, &custodian_id, stored.record, &stranger, archive::now_ms())
			.unwrap();
	refused(archive::fetch_piece(&custody, &no_ticket).await, |r| {
		matches!(r, Refusal::NoTicket { .. })
	});

	// The patient's ticket is live: a request is served once, never replayed.
	let (request, secret) =
		archive::get_request(genesis, &custodian_id, stored.record, &patient, archive::now_ms())
			.unwrap();
	let sealed = archive::fetch_piece(&custody, &request).await.expect("a served piece");
	ehr_custody_protocol::open_piece(&sealed, &secret, &request.request).expect("it opens");
	refused(archive::fetch_piece(&custody, &request).await, |r| *r == Refusal::Replayed);
	// Forged: names the patient as reader but is signed by the stranger.
	let (mut forged, _) =
		archive::get_request(genesis, &custodian_id, stored.record, &stranger, archive::now_ms())
			.unwrap();
	forged.request.reader = patient_account.0;
	refused(archive::fetch_piece(&custody, &forged).await, |r| *r == Refusal::BadSignature);
	// Stale: issued ten minutes ago.
	let (stale, _) = archive::get_request(
		genesis,
		&custodian_id,
		stored.record,
		&patient,
		archive::now_ms() - 600_000,
	)
	.unwrap();
	refused(archive::fetch_piece(&custody, &stale).await, |r| matches!(r, Refusal::Stale { .. }));

	// A piece corrupted on disk is detected and never served.
	let store = node.dir.path().join("chain/chains/dev/custody");
	let piece_file = std::fs::read_dir(&store)
		.expect("the piece store")
		.map(|entry| entry.unwrap().path())
		.find(|path| path.extension().is_some_and(|e| e == "piece"))
		.expect("a piece file");
	let original = std::fs::read(&piece_file).unwrap();
	let mut corrupt = original.clone();
	let middle = corrupt.len() / 2;
	corrupt[middle] ^= 0x01;
	std::fs::write(&piece_file, &corrupt).unwrap();
	let (request, _) =
		archive::get_request(genesis, &custodian_id, stored.record, &patient, archive::now_ms())
			.unwrap();
	refused(
		archive::fetch_piece(&custody, &request).await,
		|r| matches!(r, Refusal::NotHeld { reason, .. } if reason.contains("corrupt")),
	);
	std::fs::write(&piece_file, &original).unwrap();

	// The patient erases the record: the custodian deletes the piece.
	submit!(api, ehr::tx().shamir_archive().erase(stored.record), &patient).expect("erase");
	let deadline = Instant::now() + Duration::from_secs(10);
	loop {
		let status = archive::node_status(&custody).await.expect("custody status");
		if status.pieces == 0 {
			break;
		}
		assert!(Instant::now() < deadline, "the piece was not deleted after erasure: {status:?}");
		tokio::time::sleep(Duration::from_millis(100)).await;
	}
	assert!(!piece_file.exists());

	// A receipt the chain would reject (here: checked against another receipt key than the
	// one it was signed with) counts as no receipt, before anything reaches the chain.
	let mut impostor = custodians.clone();
	impostor[0].receipt_key[0] ^= 1;
	let write = ehr_custody_protocol::Write {
		patient: patient_account.0,
		author: patient_account.0,
		archive_id: [0x5a; 32],
	};
	let codec_id = archive::codec_record_id(&api, &write);
	let encoded = ehr_archive_codec::encode(b"a short note", &codec_id, 1, 1).unwrap();
	let new_record = PutPurpose::NewRecord { category: Category::Condition, supersedes: None };
	let receipts =
		archive::put_pieces(&api, &patient, (write, new_record), &encoded, &impostor, &()).await;
	match &receipts[..] {
		[Err(Error::Custodian { message, .. })] if message.contains("receipt not signed") => {},
		other => panic!("an unverifiable receipt was taken: {other:?}"),
	}

	// A put over HTTP is refused with its typed reason and keeps nothing: by an author the
	// chain does not let write for the patient, for another chain or custodian, a piece that
	// fails its commitments, and another piece under an archive id and index already held
	// (the piece put just above).
	let other = ehr_archive_codec::encode(b"another note", &codec_id, 1, 1).unwrap();
	let custodians_client = ehr_custody_client::Custodians::new();
	let put = |(genesis, custodian): ([u8; 32], [u8; 32]),
	           signer: &Keypair,
	           commitments: &[u8],
	           piece: &[u8]| {
		let write = ehr_custody_protocol::Write { author: signer.public_key().0, ..write };
		let request = ehr_custody_protocol::PutRequest::seal(
			genesis,
			(custodian, &x25519_public),
			(write, new_record),
			commitments.to_vec(),
			piece,
		)
		.unwrap()
		.sign_with(|payload| signer.sign(payload).0);
		let (client, custody) = (&custodians_client, &custody);
		async move {
			match client.call::<api::Put>(custody, &request).await {
				Err(e) => e.refusal().cloned().expect("a typed refusal"),
				Ok(receipt) => panic!("a bad put was kept: {receipt:?}"),
			}
		}
	};
	let (commitments, piece) = (encoded.commitments.to_bytes(), encoded.pieces[0].to_bytes());
	let mut damaged = piece.clone();
	*damaged.last_mut().unwrap() ^= 1;
	let here = (genesis, custodian);
	assert_eq!(
		put(here, &stranger, &commitments, &piece).await,
		Refusal::NotAllowedToWrite { reason: ehr_client::types::DenyReason::NoConsent }
	);
	assert_eq!(
		put(([1; 32], custodian), &patient, &commitments, &piece).await,
		Refusal::WrongChain
	);
	assert_eq!(
		put((genesis, [2; 32]), &patient, &commitments, &piece).await,
		Refusal::WrongCustodian
	);
	assert!(matches!(put(here, &patient, &commitments, &damaged).await, Refusal::BadPiece { .. }));
	assert_eq!(
		put(here, &patient, &other.commitments.to_bytes(), &other.pieces[0].to_bytes()).await,
		Refusal::AlreadyHeld { index: 0 }
	);
	let status = archive::node_status(&custody).await.expect("custody status");
	assert_eq!(status.pieces, 1, "only the piece put above is kept: {status:?}");
}

/// A ticket expires by itself: once `TicketLifetime` blocks have passed, the custodian refuses
/// the reader it served a moment before, with no transaction needed.
#[tokio::test(flavor = "multi_thread")]
async fn a_custodian_refuses_a_reader_whose_ticket_expired() {
	use ehr_client::types::Category;
	use ehr_client::{archive, Error};

	// A block every 20 ms, so that the ticket's lifetime passes in seconds.
	let node = TestNode::start(&["--dev".into(), "--dev-block-time".into(), "20".into()]).await;
	let api = node.client().await;
	let patient = dev::dave();
	let patient_account = patient.public_key().to_account_id();
	let custodians = register_custodians(&api, std::slice::from_ref(&node)).await;
	submit!(api, ehr::tx().ehr_access().register_patient(), &patient).expect("register_patient");
	let payload = b"an encrypted FHIR Condition, in the tests' stead".to_vec();
	let stored = archive::store_record(
		&api,
		&patient,
		&patient_account,
		Category::Condition,
		None,
		&payload,
		archive::Dispersal { k: 1, custodians: &custodians },
		&(),
	)
	.await
	.expect("store_record");

	archive::open_ticket(&api, &patient, stored.record).await.expect("open_access");
	let opened_at = api.at_current_block().await.unwrap().block_number();
	let read =
		archive::fetch_record(&api, &patient, stored.record, &()).await.expect("a live ticket");
	assert_eq!(read.payload, payload);

	let lifetime = api
		.at_current_block()
		.await
		.unwrap()
		.constants()
		.entry(ehr::constants().ehr_access().ticket_lifetime())
		.expect("TicketLifetime");
	let deadline = Instant::now() + Duration::from_secs(120);
	while api.at_current_block().await.unwrap().block_number() <= opened_at + u64::from(lifetime) {
		assert!(Instant::now() < deadline, "{lifetime} blocks did not pass within 120 s");
		tokio::time::sleep(Duration::from_millis(200)).await;
	}
	match archive::fetch_record(&api, &patient, stored.record, &()).await {
		Err(Error::TooFewGoodPieces { good: 0, refusals, .. }) => assert!(
			refusals.iter().all(|r| r.contains("no live ticket")),
			"unexpected refusals: {refusals:?}"
		),
		other => panic!("an expired ticket was honoured: {other:?}"),
	}
}

/// Beyond `--custody-rate-limit` calls a minute from one client address, gets (and puts) are
/// refused with the time to wait, whatever connection they come on; the status is not limited.
#[tokio::test(flavor = "multi_thread")]
async fn custody_calls_beyond_the_rate_limit_are_refused_per_client() {
	use ehr_client::{archive, Error};
	let node = TestNode::start(&["--dev".into(), "--custody-rate-limit".into(), "3".into()]).await;
	let api = node.client().await;
	let custodian = archive::custodian_registration(&node.custody_url()).await.expect("status").0;
	let get = || async {
		let (request, _) = archive::get_request(
			api.genesis_hash().0,
			&custodian.account,
			1,
			&dev::eve(),
			archive::now_ms(),
		)
		.unwrap();
		match archive::fetch_piece(&node.custody_url(), &request).await {
			Err(Error::Custody(e)) => e.refusal().cloned().expect("a typed refusal"),
			other => panic!("expected a refusal, got {other:?}"),
		}
	};
	for _ in 0..3 {
		assert!(matches!(get().await, Refusal::NoTicket { record: 1 }), "refused on its merits");
	}
	assert!(matches!(get().await, Refusal::RateLimited { retry_after_ms } if retry_after_ms > 0));
	// A new connection (a new client) from the same address is no way around it.
	let status = archive::node_status(&node.custody_url()).await.expect("status");
	assert!(status.quota_bytes > 0, "{status:?}");
	assert!(matches!(get().await, Refusal::RateLimited { .. }));
}

/// The node's audit index serves a patient's trail over `ehr_auditTrail` and keeps it across
/// restarts: a node that missed blocks (its index set back while it was down) catches up at
/// start, and `--audit-reindex` rebuilds the same trail from the chain.
#[tokio::test(flavor = "multi_thread")]
async fn the_audit_index_survives_restarts_and_catches_up_on_missed_blocks() {
	use ehr_client::audit::{self, AuditEvent};
	let mut node = TestNode::dev().await;
	let (patient, guardian, stranger) = (dev::dave(), dev::eve(), dev::ferdie());
	let (patient_id, guardian_id) =
		(patient.public_key().to_account_id(), guardian.public_key().to_account_id());
	let access = || ehr::tx().ehr_access();
	let trail = |node: &TestNode| {
		let url = node.ws_url();
		async move {
			let (api, rpc) = ehr_client::connect_with_rpc(&url).await.expect("connect");
			audit::trail(&api, &rpc, &patient_id, 1, None).await.expect("ehr_auditTrail")
		}
	};
	{
		let api = node.client().await;
		submit!(api, access().register_patient(), &patient).expect("register_patient");
		submit!(api, access().add_guardian(guardian_id), &patient).expect("add_guardian");
		// A stranger's attempt on a record that does not exist is on nobody's trail.
		submit!(api, access().open_access(99), &stranger).expect("a refusal is included");
	}
	let first = trail(&node).await;
	assert!(
		matches!(&first[..], [e] if e.event == AuditEvent::GuardianAdded { guardian: guardian_id }),
		"{first:?}"
	);

	// Down, then up again: the index is where it was.
	node.restart(&[]).await;
	assert_eq!(trail(&node).await, first);

	// The index is set back to this point while the node runs on: the next start must catch
	// up on the blocks it then misses.
	node.stop();
	let index = node.dir.path().join("chain/chains/dev/audit");
	let saved = node.dir.path().join("audit-saved");
	copy_dir(&index, &saved);
	node.restart(&[]).await;
	{
		let api = node.client().await;
		submit!(api, access().remove_guardian(guardian_id), &patient).expect("remove_guardian");
	}
	let both = trail(&node).await;
	assert_eq!(both.len(), 2, "{both:?}");
	assert_eq!(both[1].event, AuditEvent::GuardianRemoved { guardian: guardian_id });
	node.stop();
	std::fs::remove_dir_all(&index).unwrap();
	copy_dir(&saved, &index);
	node.restart(&[]).await;
	assert_eq!(trail(&node).await, both, "the blocks missed are indexed at start");

	// Rebuilt from scratch: the same trail.
	node.restart(&["--audit-reindex".into()]).await;
	assert!(node.log().contains("--audit-reindex: dropping the audit index"));
	assert_eq!(trail(&node).await, both);

	// Bad input gets an error naming it, and the node serves on.
	let rpc = node.rpc().await;
	let method = ehr_types::audit::AUDIT_TRAIL_METHOD;
	let ask = |params| rpc.request::<String>(method, params);
	let backwards = ask(rpc_params![patient_id.to_string(), 9, 3]).await.unwrap_err();
	assert!(backwards.to_string().contains("from 9 is after to 3"), "{backwards}");
	let not_an_account = ask(rpc_params!["5NotAnAccount", 1, 3]).await.unwrap_err();
	assert!(not_an_account.to_string().to_lowercase().contains("invalid"), "{not_an_account}");
	assert_eq!(trail(&node).await, both);
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
	std::fs::create_dir_all(to).unwrap();
	for entry in std::fs::read_dir(from).unwrap() {
		let entry = entry.unwrap();
		std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
	}
}
