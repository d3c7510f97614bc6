use super::*;
use codec::{Decode, Encode};
use schnorrkel::{ExpansionMode, Keypair, MiniSecretKey};

const GENESIS: [u8; 32] = [1; 32];
const CUSTODIAN: [u8; 32] = [2; 32];
const NOW: u64 = 1_800_000_000_000;
const WINDOW: u64 = 30_000;

fn reader(seed: u8) -> Keypair {
	MiniSecretKey::from_bytes(&[seed; 32]).unwrap().expand_to_keypair(ExpansionMode::Ed25519)
}

fn request(reader: &Keypair, nonce: u8, issued_at_ms: u64) -> GetRequest {
	GetRequest {
		genesis_hash: GENESIS,
		custodian: CUSTODIAN,
		record: 42,
		reader: reader.public.to_bytes(),
		ephemeral_public: [9; 32],
		nonce: [nonce; 16],
		issued_at_ms,
	}
}

/// Signs as a Substrate account does: sr25519 with the `substrate` context.
trait SignAs {
	fn sign(self, reader: &Keypair) -> SignedGetRequest;
}

impl SignAs for GetRequest {
	fn sign(self, reader: &Keypair) -> SignedGetRequest {
		self.sign_with(|payload| {
			reader.sign(schnorrkel::signing_context(b"substrate").bytes(payload)).to_bytes()
		})
	}
}

fn verify(signed: &SignedGetRequest, guard: &mut ReplayGuard, now: u64) -> Result<(), Refusal> {
	// The node's order, less the ticket check between the two.
	signed.verify(&GENESIS, &CUSTODIAN, now).and_then(|()| guard.check(&signed.request, now))
}

#[test]
fn a_signed_fresh_request_is_accepted_once() {
	let alice = reader(1);
	let signed = request(&alice, 1, NOW).sign(&alice);
	let mut guard = ReplayGuard::new(WINDOW, 100);
	assert_eq!(verify(&signed, &mut guard, NOW + 5), Ok(()));
	assert_eq!(verify(&signed, &mut guard, NOW + 6), Err(Refusal::Replayed));
	// Another nonce is another request.
	assert_eq!(verify(&request(&alice, 2, NOW).sign(&alice), &mut guard, NOW + 7), Ok(()));
}

#[test]
fn a_forged_or_altered_request_is_refused() {
	let (alice, mallory) = (reader(1), reader(2));
	let mut guard = ReplayGuard::new(WINDOW, 100);
	// Signed by someone else than the reader it names.
	let forged = request(&alice, 1, NOW).sign(&mallory);
	assert_eq!(verify(&forged, &mut guard, NOW), Err(Refusal::BadSignature));
	// Any field changed after signing.
	let signed = request(&alice, 1, NOW).sign(&alice);
	let mut altered = signed.clone();
	altered.request.record = 43;
	assert_eq!(verify(&altered, &mut guard, NOW), Err(Refusal::BadSignature));
	let mut altered = signed.clone();
	altered.request.ephemeral_public = [8; 32];
	assert_eq!(verify(&altered, &mut guard, NOW), Err(Refusal::BadSignature));
	let mut garbage = signed;
	garbage.signature = [0xff; 64];
	assert_eq!(verify(&garbage, &mut guard, NOW), Err(Refusal::BadSignature));
	// Nothing was remembered: refusals cost no memory.
	assert!(guard.is_empty());
}

#[test]
fn a_request_for_another_chain_or_custodian_is_refused() {
	let alice = reader(1);
	let mut guard = ReplayGuard::new(WINDOW, 100);
	let mut other_chain = request(&alice, 1, NOW);
	other_chain.genesis_hash = [7; 32];
	assert_eq!(verify(&other_chain.sign(&alice), &mut guard, NOW), Err(Refusal::WrongChain));
	let mut other_custodian = request(&alice, 1, NOW);
	other_custodian.custodian = [7; 32];
	assert_eq!(
		verify(&other_custodian.sign(&alice), &mut guard, NOW),
		Err(Refusal::WrongCustodian)
	);
}

#[test]
fn stale_and_future_requests_are_refused() {
	let alice = reader(1);
	let mut guard = ReplayGuard::new(WINDOW, 100);
	let old = request(&alice, 1, NOW - WINDOW - 1).sign(&alice);
	assert_eq!(
		verify(&old, &mut guard, NOW),
		Err(Refusal::Stale { issued_at_ms: NOW - WINDOW - 1, now_ms: NOW, window_ms: WINDOW })
	);
	let future = request(&alice, 2, NOW + WINDOW + 1).sign(&alice);
	assert!(matches!(verify(&future, &mut guard, NOW), Err(Refusal::Stale { .. })));
	let edge = request(&alice, 3, NOW - WINDOW).sign(&alice);
	assert_eq!(verify(&edge, &mut guard, NOW), Ok(()));
}

#[test]
fn the_guard_is_bounded_and_forgets_what_can_no_longer_be_replayed() {
	let alice = reader(1);
	let mut guard = ReplayGuard::new(WINDOW, 3);
	for nonce in 0..3 {
		assert_eq!(guard.check(&request(&alice, nonce, NOW + u64::from(nonce)), NOW), Ok(()));
	}
	assert_eq!(guard.check(&request(&alice, 9, NOW), NOW), Err(Refusal::Busy));
	assert_eq!(guard.len(), 3);
	// Past the window of the first request only: one slot frees, the replay is still stale.
	assert_eq!(guard.check(&request(&alice, 9, NOW + WINDOW), NOW + WINDOW + 1), Ok(()));
	assert_eq!(guard.len(), 3);
	assert!(matches!(
		guard.check(&request(&alice, 0, NOW), NOW + WINDOW + 1),
		Err(Refusal::Stale { .. })
	));
	// Long after: everything is forgotten.
	assert_eq!(guard.check(&request(&alice, 5, NOW + 10 * WINDOW), NOW + 10 * WINDOW), Ok(()));
	assert_eq!(guard.len(), 1);
}

#[test]
fn a_sealed_piece_opens_only_with_the_request_secret_and_for_that_request() {
	let alice = reader(1);
	let (secret, public) = ephemeral_keypair().unwrap();
	let mut req = request(&alice, 1, NOW);
	req.ephemeral_public = public;
	let piece = b"piece bytes: fragment and key share".to_vec();
	let sealed = seal_piece(&piece, &req).unwrap();
	assert_ne!(sealed.ciphertext[..piece.len()], piece[..]);
	assert_eq!(open_piece(&sealed, &secret, &req).unwrap(), piece);

	let (other_secret, _) = ephemeral_keypair().unwrap();
	assert_eq!(open_piece(&sealed, &other_secret, &req), Err(ProtocolError::Open));
	let mut other_request = req.clone();
	other_request.nonce = [2; 16];
	assert_eq!(open_piece(&sealed, &secret, &other_request), Err(ProtocolError::Open));
	let mut tampered = sealed.clone();
	tampered.ciphertext[0] ^= 1;
	assert_eq!(open_piece(&tampered, &secret, &req), Err(ProtocolError::Open));
	// Two seals of the same piece differ (fresh encapsulation each time).
	assert_ne!(seal_piece(&piece, &req).unwrap(), sealed);
}

#[test]
fn messages_round_trip_through_scale() {
	let alice = reader(1);
	let signed = request(&alice, 1, NOW).sign(&alice);
	assert_eq!(SignedGetRequest::decode(&mut &signed.encode()[..]).unwrap(), signed);
	assert!(SignedGetRequest::decode(&mut &signed.encode()[..50]).is_err());
}

#[test]
fn a_put_opens_only_at_its_custodian_and_only_as_sent() {
	let (custodian_secret, custodian_public) = x25519_keypair_from_seed(&[5; 32]);
	assert_eq!(x25519_keypair_from_seed(&[5; 32]).1, custodian_public);
	let piece = b"fragment and share".to_vec();
	let write = Write { patient: [3; 32], author: [7; 32], archive_id: [4; 32] };
	let purpose =
		PutPurpose::NewRecord { category: ehr_types::Category::Observation, supersedes: None };
	let put = PutRequest::seal(
		GENESIS,
		(CUSTODIAN, &custodian_public),
		(write, purpose),
		vec![1, 2],
		&piece,
	)
	.unwrap();
	assert_eq!(put.open(&custodian_secret).unwrap(), piece);
	let (other_secret, _) = x25519_keypair_from_seed(&[6; 32]);
	assert_eq!(put.open(&other_secret), Err(ProtocolError::Open));
	// Re-addressed to another patient, author, archive, purpose or set of commitments: does
	// not open.
	for change in [
		|p: &mut PutRequest| p.write.patient = [9; 32],
		|p: &mut PutRequest| p.write.author = [9; 32],
		|p: &mut PutRequest| p.write.archive_id = [9; 32],
		|p: &mut PutRequest| p.purpose = PutPurpose::Repair { record: 1, repairer: [9; 32] },
		|p: &mut PutRequest| p.commitments.push(0),
		|p: &mut PutRequest| p.custodian = [9; 32],
	] {
		let mut altered = put.clone();
		change(&mut altered);
		assert_eq!(altered.open(&custodian_secret), Err(ProtocolError::Open));
	}
	// A piece sealed for a reader is not a put, and the other way round.
	let req = request(&reader(1), 1, NOW);
	let as_get = GetRequest { ephemeral_public: custodian_public, ..req };
	let sealed = seal_piece(&piece, &as_get).unwrap();
	assert_eq!(
		PutRequest { sealed_piece: sealed, ..put }.open(&custodian_secret),
		Err(ProtocolError::Open)
	);
}

#[test]
fn a_request_is_not_accepted_again_when_the_clock_steps_back() {
	let alice = reader(1);
	let mut guard = ReplayGuard::new(WINDOW, 100);
	let signed = request(&alice, 1, NOW);
	assert_eq!(guard.check(&signed, NOW), Ok(()));
	// Another request past the first one's window: the first is forgotten.
	assert_eq!(guard.check(&request(&alice, 2, NOW + WINDOW + 1), NOW + WINDOW + 1), Ok(()));
	// The wall clock steps back (NTP): the first request is within the window of the clock
	// again, but it was served and forgotten; it must not be served a second time.
	assert!(matches!(guard.check(&signed, NOW + WINDOW - 10), Err(Refusal::Stale { .. })));
	assert_eq!(
		guard.check(&request(&alice, 2, NOW + WINDOW + 1), NOW + 10),
		Err(Refusal::Replayed)
	);
	// Requests as fresh as the latest clock reading still pass.
	assert_eq!(guard.check(&request(&alice, 3, NOW + 5), NOW), Ok(()));
}

#[test]
fn a_put_is_signed_by_the_author_of_a_new_record_or_the_repairer() {
	let (author, repairer) = (reader(1), reader(2));
	let (_, custodian_public) = x25519_keypair_from_seed(&[5; 32]);
	let write = Write { patient: [3; 32], author: author.public.to_bytes(), archive_id: [4; 32] };
	let seal = |purpose| {
		PutRequest::seal(GENESIS, (CUSTODIAN, &custodian_public), (write, purpose), vec![], b"p")
			.unwrap()
	};
	let sign = |put: PutRequest, pair: &Keypair| {
		put.sign_with(|payload| pair.sign_simple(b"substrate", payload).to_bytes())
	};
	let new = seal(PutPurpose::NewRecord {
		category: ehr_types::Category::Observation,
		supersedes: None,
	});
	assert_eq!(sign(new.clone(), &author).verify(&GENESIS, &CUSTODIAN, NOW), Ok(()));
	assert_eq!(
		sign(new.clone(), &repairer).verify(&GENESIS, &CUSTODIAN, NOW),
		Err(Refusal::BadSignature)
	);
	assert_eq!(
		sign(new.clone(), &author).verify(&[0; 32], &CUSTODIAN, NOW),
		Err(Refusal::WrongChain)
	);
	assert_eq!(sign(new, &author).verify(&GENESIS, &[0; 32], NOW), Err(Refusal::WrongCustodian));
	let repair = seal(PutPurpose::Repair { record: 8, repairer: repairer.public.to_bytes() });
	assert_eq!(sign(repair.clone(), &repairer).verify(&GENESIS, &CUSTODIAN, NOW), Ok(()));
	assert_eq!(sign(repair, &author).verify(&GENESIS, &CUSTODIAN, NOW), Err(Refusal::BadSignature));
}

#[test]
fn refusals_travel_as_scale_with_an_http_status_that_blames_the_right_side() {
	use codec::DecodeAll;
	let refusals = [
		Refusal::Malformed { reason: "x".into() },
		Refusal::BadSignature,
		Refusal::NoTicket { record: 1 },
		Refusal::Erased { record: 1 },
		Refusal::TooLarge { size: 2, max: 1 },
		Refusal::RateLimited { retry_after_ms: 5 },
		Refusal::Internal { reason: "disk".into() },
	];
	let statuses: Vec<u16> = refusals.iter().map(Refusal::http_status).collect();
	assert_eq!(statuses, [400, 401, 403, 410, 413, 429, 500]);
	for refusal in refusals {
		let (status, bytes) = api::answer_bytes::<api::Get>(&Err(refusal.clone()));
		assert_eq!(status, refusal.http_status());
		assert_eq!(Refusal::decode_all(&mut &bytes[..]), Ok(refusal.clone()));
		assert_eq!(api::read_answer::<api::Get>(status, &bytes), Err(Some(refusal)));
	}
	// Something that is not a custodian's answer.
	assert_eq!(api::read_answer::<api::Get>(502, b"<html>bad gateway</html>"), Err(None));
	assert_eq!(api::read_answer::<api::Get>(200, b"not a sealed piece"), Err(None));
}

/// An account's signature of a session grant: raw, as subxt and sp-core sign, or wrapped in
/// `<Bytes>…</Bytes>`, as browser wallets sign raw bytes.
fn grant_signature(account: &Keypair, grant: &SessionGrant, wrapped: bool) -> [u8; 64] {
	let payload = grant.signing_payload();
	let payload = if wrapped { [b"<Bytes>", &payload[..], b"</Bytes>"].concat() } else { payload };
	account.sign_simple(b"substrate", &payload).to_bytes()
}

#[test]
fn a_session_key_signs_for_the_account_that_granted_it() {
	let alice = reader(1);
	let key = SessionKey::generate().unwrap();
	let grant = key.grant(GENESIS, alice.public.to_bytes(), NOW, 3_600_000);
	for wrapped in [false, true] {
		let delegation = Delegation {
			grant: grant.clone(),
			signature: grant_signature(&alice, &grant, wrapped),
		};
		let signed = request(&alice, 1, NOW).sign_in_session(&key, delegation);
		assert_eq!(signed.verify(&GENESIS, &CUSTODIAN, NOW + 1), Ok(()), "wrapped: {wrapped}");
		// The delegation travels in the request's SCALE bytes.
		assert_eq!(SignedGetRequest::decode(&mut &signed.encode()[..]).unwrap(), signed);
	}
	// A put signed in the session verifies for its author.
	let (_, custodian_public) = x25519_keypair_from_seed(&[5; 32]);
	let write = Write { patient: [3; 32], author: alice.public.to_bytes(), archive_id: [4; 32] };
	let purpose =
		PutPurpose::NewRecord { category: ehr_types::Category::Condition, supersedes: None };
	let put =
		PutRequest::seal(GENESIS, (CUSTODIAN, &custodian_public), (write, purpose), vec![], b"p")
			.unwrap();
	let delegation =
		Delegation { grant: grant.clone(), signature: grant_signature(&alice, &grant, true) };
	assert_eq!(put.sign_in_session(&key, delegation).verify(&GENESIS, &CUSTODIAN, NOW), Ok(()));
}

#[test]
fn a_session_grant_that_is_forged_expired_too_long_early_or_elsewhere_is_refused() {
	let (alice, mallory) = (reader(1), reader(2));
	let key = SessionKey::generate().unwrap();
	let verify_with = |grant: SessionGrant, signer: &Keypair, key: &SessionKey, now: u64| {
		let signature = grant_signature(signer, &grant, true);
		request(&alice, 1, now)
			.sign_in_session(key, Delegation { grant, signature })
			.verify(&GENESIS, &CUSTODIAN, now)
	};
	let grant = key.grant(GENESIS, alice.public.to_bytes(), NOW, 3_600_000);
	// Mallory cannot grant a session for Alice.
	assert_eq!(verify_with(grant.clone(), &mallory, &key, NOW), Err(Refusal::BadSignature));
	// A session granted by Mallory does not sign for Alice.
	let mallorys = key.grant(GENESIS, mallory.public.to_bytes(), NOW, 3_600_000);
	assert!(matches!(verify_with(mallorys, &mallory, &key, NOW), Err(Refusal::BadSession { .. })));
	// Another key than the one granted.
	let other = SessionKey::generate().unwrap();
	assert_eq!(verify_with(grant.clone(), &alice, &other, NOW), Err(Refusal::BadSignature));
	// Expired by the custodian's clock.
	assert_eq!(
		verify_with(grant.clone(), &alice, &key, grant.expires_at_ms),
		Err(Refusal::SessionExpired {
			expired_at_ms: grant.expires_at_ms,
			now_ms: grant.expires_at_ms
		})
	);
	// Longer than custodians accept (`grant` clamps; a hand-made grant is refused).
	assert_eq!(key.grant(GENESIS, [0; 32], NOW, u64::MAX).expires_at_ms, NOW + MAX_SESSION_MS);
	let too_long = SessionGrant { expires_at_ms: NOW + MAX_SESSION_MS + 1, ..grant.clone() };
	assert!(matches!(verify_with(too_long, &alice, &key, NOW), Err(Refusal::BadSession { .. })));
	// Issued in the future, past the allowed clock skew.
	let early =
		key.grant(GENESIS, alice.public.to_bytes(), NOW + SESSION_CLOCK_SKEW_MS + 1, 60_000);
	assert!(matches!(verify_with(early, &alice, &key, NOW), Err(Refusal::BadSession { .. })));
	// For another chain.
	let elsewhere = key.grant([7; 32], alice.public.to_bytes(), NOW, 60_000);
	assert_eq!(verify_with(elsewhere, &alice, &key, NOW), Err(Refusal::WrongChain));
}
