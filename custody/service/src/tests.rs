//! The custody service against a fake chain: every refusal of a put and a get, in seconds and
//! without a node, and the settling of the store with what the chain finalised.
use super::*;
use codec::Encode;
use ehr_archive_codec::{encode, Encoded};
use ehr_custody_protocol::{
	ephemeral_keypair, open_piece, x25519_keypair_from_seed, GetRequest, PutRequest, Write,
};
use ehr_custody_store::StoreConfig;
use ehr_types::{Category, DenyReason};
use schnorrkel::{ExpansionMode, Keypair, MiniSecretKey};
use std::{
	collections::{BTreeMap, BTreeSet},
	net::Ipv4Addr,
	sync::{Arc, Mutex},
};

pub(crate) const GENESIS: [u8; 32] = [7; 32];
pub(crate) const LIFETIME: u32 = 100;
const CLIENT: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

pub(crate) fn keypair(seed: u8) -> Keypair {
	MiniSecretKey::from_bytes(&[seed; 32]).unwrap().expand_to_keypair(ExpansionMode::Ed25519)
}

pub(crate) fn account(pair: &Keypair) -> [u8; 32] {
	pair.public.to_bytes()
}

fn sign(pair: &Keypair, payload: &[u8]) -> [u8; 64] {
	pair.sign_simple(b"substrate", payload).to_bytes()
}

/// What the fake chain says; the tests change it as the real chain would change.
#[derive(Default)]
pub(crate) struct ChainState {
	pub best: u32,
	pub finalized: u32,
	/// (author, patient) pairs allowed to write.
	pub writers: BTreeSet<([u8; 32], [u8; 32])>,
	/// (reader, record) pairs with a live finalised ticket.
	pub tickets: BTreeSet<([u8; 32], u64)>,
	pub archives: BTreeMap<u64, ArchiveView>,
	pub receipt_keys: BTreeMap<[u8; 32], [u8; 32]>,
	/// Every call fails, as when the node's client cannot be asked.
	pub down: bool,
}

#[derive(Clone, Default)]
pub(crate) struct FakeChain(pub Arc<Mutex<ChainState>>);

impl FakeChain {
	fn state(&self) -> Result<std::sync::MutexGuard<'_, ChainState>, ChainError> {
		let state = self.0.lock().unwrap();
		if state.down {
			return Err(ChainError("the fake chain is down".into()));
		}
		Ok(state)
	}
}

impl Chain for FakeChain {
	fn genesis_hash(&self) -> [u8; 32] {
		GENESIS
	}
	fn best_number(&self) -> Result<u32, ChainError> {
		Ok(self.state()?.best)
	}
	fn finalized_number(&self) -> Result<u32, ChainError> {
		Ok(self.state()?.finalized)
	}
	fn may_write(
		&self,
		author: &Account,
		patient: &Account,
		_category: Category,
		_supersedes: Option<u64>,
	) -> Result<AccessDecision, ChainError> {
		Ok(if self.state()?.writers.contains(&(*author, *patient)) {
			AccessDecision::Allowed(ehr_types::AccessReason::Owner)
		} else {
			AccessDecision::Denied(DenyReason::NoConsent)
		})
	}
	fn has_ticket(&self, reader: &Account, record: u64) -> Result<bool, ChainError> {
		Ok(self.state()?.tickets.contains(&(*reader, record)))
	}
	fn archive(&self, record: u64) -> Result<Option<ArchiveView>, ChainError> {
		Ok(self.state()?.archives.get(&record).cloned())
	}
	fn archive_of(&self, archive_id: &[u8; 32]) -> Result<Option<ArchiveView>, ChainError> {
		Ok(self.state()?.archives.values().find(|a| a.archive_id == *archive_id).cloned())
	}
	fn receipt_key(&self, custodian: &Account) -> Result<Option<Account>, ChainError> {
		Ok(self.state()?.receipt_keys.get(custodian).copied())
	}
}

struct TestSigner(Keypair);

impl ReceiptSigner for TestSigner {
	fn sign(&self, payload: &[u8]) -> Result<[u8; 64], String> {
		Ok(sign(&self.0, payload))
	}
}

/// A custodian over a fake chain, with its keys, the chain and a store in a temporary dir.
pub(crate) struct Fixture {
	pub service: Arc<CustodyService<FakeChain>>,
	pub chain: FakeChain,
	pub custodian: Keypair,
	pub x25519_public: [u8; 32],
	pub _dir: tempfile::TempDir,
}

pub(crate) fn config() -> ServiceConfig {
	ServiceConfig {
		receipt_lifetime: LIFETIME,
		request_window_ms: 60_000,
		max_recent_requests: 1000,
		rate_limit_per_minute: NonZeroU32::new(10_000).unwrap(),
		max_in_flight: 8,
		max_piece_bytes: 1 << 20,
	}
}

pub(crate) fn fixture_with(config: ServiceConfig, quota_bytes: u64) -> Fixture {
	let dir = tempfile::tempdir().unwrap();
	let store = PieceStore::open(
		dir.path(),
		StoreConfig { quota_bytes, max_piece_bytes: config.max_piece_bytes },
	)
	.unwrap();
	let custodian = keypair(100);
	let (x25519_secret, x25519_public) = x25519_keypair_from_seed(&[101; 32]);
	let keys = CustodianKeys {
		account: account(&custodian),
		receipt_key: account(&custodian),
		x25519_secret,
		x25519_public,
		signer: Box::new(TestSigner(custodian.clone())),
	};
	let chain = FakeChain::default();
	chain.0.lock().unwrap().best = 10;
	chain.0.lock().unwrap().receipt_keys.insert(account(&custodian), account(&custodian));
	let service = Arc::new(CustodyService::new(chain.clone(), keys, store, config));
	Fixture { service, chain, custodian, x25519_public, _dir: dir }
}

pub(crate) fn fixture() -> Fixture {
	fixture_with(config(), 1 << 30)
}

/// A write of `patient` by `author` and its encoding: 2 of 3 pieces.
pub(crate) fn write(author: &Keypair, patient: &Keypair, seed: u8) -> (Write, Encoded) {
	let write =
		Write { patient: account(patient), author: account(author), archive_id: [seed; 32] };
	let payload: Vec<u8> = (0..5000u32).map(|i| (i * 7 + u32::from(seed)) as u8).collect();
	(write, encode(&payload, &[seed; 32], 2, 3).unwrap())
}

pub(crate) const NEW_RECORD: PutPurpose =
	PutPurpose::NewRecord { category: Category::Observation, supersedes: None };

impl Fixture {
	pub(crate) fn allow_write(&self, author: &Keypair, patient: &Keypair) {
		self.chain.0.lock().unwrap().writers.insert((account(author), account(patient)));
	}

	/// The put of `encoded`'s piece `index`, sealed to this custodian, signed by `signer`.
	pub(crate) fn put_request(
		&self,
		(write, purpose): (Write, PutPurpose),
		encoded: &Encoded,
		index: usize,
		signer: &Keypair,
	) -> SignedPutRequest {
		PutRequest::seal(
			GENESIS,
			(account(&self.custodian), &self.x25519_public),
			(write, purpose),
			encoded.commitments.to_bytes(),
			&encoded.pieces[index].to_bytes(),
		)
		.unwrap()
		.sign_with(|payload| sign(signer, payload))
	}

	/// Anchors `write` as `record` with this custodian at `index` and others elsewhere, and
	/// finalises it.
	pub(crate) fn anchor(&self, record: u64, write: &Write, encoded: &Encoded, index: usize) {
		let pieces = encoded
			.commitments
			.piece_hashes
			.iter()
			.enumerate()
			.map(|(i, hash)| {
				(if i == index { account(&self.custodian) } else { [i as u8 + 200; 32] }, *hash)
			})
			.collect();
		let view = ArchiveView {
			record,
			archive_id: write.archive_id,
			patient: write.patient,
			author: write.author,
			erased: false,
			pieces,
		};
		self.chain.0.lock().unwrap().archives.insert(record, view);
		self.service.settle(&[write.archive_id]);
	}

	pub(crate) fn get_request(
		&self,
		reader: &Keypair,
		record: u64,
		issued_at_ms: u64,
	) -> (SignedGetRequest, zeroize::Zeroizing<[u8; 32]>) {
		let (secret, ephemeral_public) = ephemeral_keypair().unwrap();
		let mut nonce = [0u8; 16];
		getrandom_nonce(&mut nonce);
		let request = GetRequest {
			genesis_hash: GENESIS,
			custodian: account(&self.custodian),
			record,
			reader: account(reader),
			ephemeral_public,
			nonce,
			issued_at_ms,
		};
		(request.sign_with(|payload| sign(reader, payload)), secret)
	}
}

/// A nonce unique within the test run.
fn getrandom_nonce(nonce: &mut [u8; 16]) {
	static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
	let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
	nonce[..8].copy_from_slice(&n.to_le_bytes());
}

#[test]
fn a_piece_put_by_an_allowed_writer_is_kept_with_a_receipt_the_chain_would_accept() {
	let f = fixture();
	let (doctor, patient) = (keypair(1), keypair(2));
	f.allow_write(&doctor, &patient);
	let (write, encoded) = write(&doctor, &patient, 1);
	let receipt = f
		.service
		.put(CLIENT, &f.put_request((write, NEW_RECORD), &encoded, 1, &doctor))
		.expect("an allowed put");
	assert_eq!(receipt.index, 1);
	assert_eq!(receipt.piece_hash, encoded.commitments.piece_hashes[1]);
	assert_eq!(receipt.valid_until, 10 + LIFETIME);
	// The signature covers exactly the receipt message the pallet rebuilds.
	let message = CustodyReceipt::new(
		GENESIS,
		ReceiptFor { patient: &write.patient, author: &write.author, archive_id: write.archive_id },
		(1, receipt.piece_hash),
		account(&f.custodian),
		receipt.valid_until,
	);
	let signature = schnorrkel::Signature::from_bytes(&receipt.signature).unwrap();
	f.custodian.public.verify_simple(b"substrate", &message.encode(), &signature).unwrap();
	let status = f.service.status().unwrap();
	assert_eq!((status.pieces, status.pending), (1, 1));
}

#[test]
fn a_put_is_refused_unless_signed_by_an_account_that_may_write_now() {
	let f = fixture();
	let (doctor, patient, mallory) = (keypair(1), keypair(2), keypair(3));
	let (write, encoded) = write(&doctor, &patient, 1);
	// Nobody allowed the doctor yet: the chain's reason comes back.
	let put = f.put_request((write, NEW_RECORD), &encoded, 0, &doctor);
	assert_eq!(
		f.service.put(CLIENT, &put),
		Err(Refusal::NotAllowedToWrite { reason: DenyReason::NoConsent })
	);
	f.allow_write(&doctor, &patient);
	// Signed by someone else than the author it names.
	let forged = f.put_request((write, NEW_RECORD), &encoded, 0, &mallory);
	assert_eq!(f.service.put(CLIENT, &forged), Err(Refusal::BadSignature));
	// Altered after signing.
	let mut altered = put.clone();
	altered.request.write.archive_id[0] ^= 1;
	assert_eq!(f.service.put(CLIENT, &altered), Err(Refusal::BadSignature));
	// For another chain or custodian.
	let mut other = put.request.clone();
	other.genesis_hash = [8; 32];
	let other = other.sign_with(|p| sign(&doctor, p));
	assert_eq!(f.service.put(CLIENT, &other), Err(Refusal::WrongChain));
	let mut other = put.request.clone();
	other.custodian = [9; 32];
	let other = other.sign_with(|p| sign(&doctor, p));
	assert_eq!(f.service.put(CLIENT, &other), Err(Refusal::WrongCustodian));
	// None of that kept anything.
	assert_eq!(f.service.status().unwrap().pieces, 0);
	assert!(f.service.put(CLIENT, &put).is_ok());
}

#[test]
fn a_put_whose_piece_or_commitments_do_not_hold_is_refused_and_keeps_nothing() {
	let f = fixture_with(ServiceConfig { max_piece_bytes: 4000, ..config() }, 5000);
	let (doctor, patient) = (keypair(1), keypair(2));
	f.allow_write(&doctor, &patient);
	let (write, encoded) = write(&doctor, &patient, 1);
	let refuse = |request: SignedPutRequest| f.service.put(CLIENT, &request).unwrap_err();
	// Commitments that do not decode.
	let mut bad = f.put_request((write, NEW_RECORD), &encoded, 0, &doctor).request;
	bad.commitments = vec![1, 2, 3];
	assert!(matches!(refuse(bad.sign_with(|p| sign(&doctor, p))), Refusal::Malformed { .. }));
	// A piece sealed to another custodian's key.
	let mut bad = f.put_request((write, NEW_RECORD), &encoded, 0, &doctor).request;
	bad.sealed_piece.ciphertext[0] ^= 1;
	assert!(matches!(refuse(bad.sign_with(|p| sign(&doctor, p))), Refusal::Malformed { .. }));
	// A piece of another encoding: index out of the commitments' range, or not matching.
	let wider = encode(&[5; 5000], &[1; 32], 2, 4).unwrap();
	let mut bad = f.put_request((write, NEW_RECORD), &wider, 3, &doctor).request;
	bad.commitments = encoded.commitments.to_bytes();
	let bad = PutRequest::seal(
		GENESIS,
		(account(&f.custodian), &f.x25519_public),
		(write, NEW_RECORD),
		bad.commitments,
		&wider.pieces[3].to_bytes(),
	)
	.unwrap();
	assert_eq!(refuse(bad.sign_with(|p| sign(&doctor, p))), Refusal::WrongIndex { index: 3, n: 3 });
	let other = encode(&[5; 5000], &[1; 32], 2, 3).unwrap();
	let bad = PutRequest::seal(
		GENESIS,
		(account(&f.custodian), &f.x25519_public),
		(write, NEW_RECORD),
		encoded.commitments.to_bytes(),
		&other.pieces[0].to_bytes(),
	)
	.unwrap();
	assert!(matches!(refuse(bad.sign_with(|p| sign(&doctor, p))), Refusal::BadPiece { .. }));
	assert_eq!(f.service.status().unwrap().pieces, 0);

	// Over the size limit, then over the quota.
	let (big_write, big) = {
		let write = Write { archive_id: [2; 32], ..write };
		(write, encode(&[9; 20_000], &[2; 32], 2, 3).unwrap())
	};
	assert!(matches!(
		refuse(f.put_request((big_write, NEW_RECORD), &big, 0, &doctor)),
		Refusal::TooLarge { max: 4000, .. }
	));
	f.service.put(CLIENT, &f.put_request((write, NEW_RECORD), &encoded, 0, &doctor)).unwrap();
	assert!(matches!(
		refuse(f.put_request((write, NEW_RECORD), &encoded, 1, &doctor)),
		Refusal::QuotaExceeded { quota: 5000, .. }
	));
	// A different piece under an id and index already held.
	let again = PutRequest::seal(
		GENESIS,
		(account(&f.custodian), &f.x25519_public),
		(write, NEW_RECORD),
		other.commitments.to_bytes(),
		&other.pieces[0].to_bytes(),
	)
	.unwrap();
	assert_eq!(refuse(again.sign_with(|p| sign(&doctor, p))), Refusal::AlreadyHeld { index: 0 });
}

#[test]
fn a_repair_put_needs_the_repairers_ticket_and_the_records_own_write() {
	let f = fixture();
	let (doctor, patient, guardian) = (keypair(1), keypair(2), keypair(4));
	let (write, encoded) = write(&doctor, &patient, 1);
	let repair = PutPurpose::Repair { record: 5, repairer: account(&guardian) };
	// No archive, no ticket.
	let put = f.put_request((write, repair), &encoded, 2, &guardian);
	assert_eq!(f.service.put(CLIENT, &put), Err(Refusal::NoTicket { record: 5 }));
	f.chain.0.lock().unwrap().tickets.insert((account(&guardian), 5));
	assert_eq!(f.service.put(CLIENT, &put), Err(Refusal::NoArchive { record: 5 }));
	// The record exists, with another custodian at index 2 (the one being replaced).
	f.anchor(5, &write, &encoded, 0);
	// A write that is not the record's (another author) is refused.
	let not_its = Write { author: account(&guardian), ..write };
	let put_other = f.put_request((not_its, repair), &encoded, 2, &guardian);
	assert!(matches!(f.service.put(CLIENT, &put_other), Err(Refusal::Malformed { .. })));
	// The guardian may not write records, but may repair them.
	let receipt = f.service.put(CLIENT, &put).expect("a repair put");
	assert_eq!(receipt.index, 2);
	// Signed by someone else than the repairer it names.
	let forged = f.put_request((write, repair), &encoded, 2, &doctor);
	assert_eq!(f.service.put(CLIENT, &forged), Err(Refusal::BadSignature));
}

#[test]
fn a_reader_with_a_final_ticket_gets_the_piece_sealed_to_its_request_once() {
	let f = fixture();
	let (doctor, patient) = (keypair(1), keypair(2));
	f.allow_write(&doctor, &patient);
	let (write, encoded) = write(&doctor, &patient, 1);
	f.service.put(CLIENT, &f.put_request((write, NEW_RECORD), &encoded, 1, &doctor)).unwrap();
	f.anchor(9, &write, &encoded, 1);
	let (request, secret) = f.get_request(&patient, 9, now_ms());
	// No ticket in the finalised chain yet (one at the best block only does not count).
	assert_eq!(f.service.get(CLIENT, &request), Err(Refusal::NoTicket { record: 9 }));
	f.chain.0.lock().unwrap().tickets.insert((account(&patient), 9));
	let sealed = f.service.get(CLIENT, &request).expect("a live ticket");
	let bytes = open_piece(&sealed, &secret, &request.request).unwrap();
	assert_eq!(Piece::from_bytes(&bytes).unwrap(), encoded.pieces[1]);
	// The same request again is a replay; a stale one is refused too.
	assert_eq!(f.service.get(CLIENT, &request), Err(Refusal::Replayed));
	let (stale, _) = f.get_request(&patient, 9, now_ms() - 120_000);
	assert!(matches!(f.service.get(CLIENT, &stale), Err(Refusal::Stale { .. })));
	// Signed by someone else than the reader it names.
	let (mut forged, _) = f.get_request(&patient, 9, now_ms());
	forged.request.reader = account(&doctor);
	assert_eq!(f.service.get(CLIENT, &forged), Err(Refusal::BadSignature));
}

#[test]
fn a_get_is_refused_for_a_record_this_custodian_does_not_serve() {
	let f = fixture();
	let (doctor, patient) = (keypair(1), keypair(2));
	f.allow_write(&doctor, &patient);
	let (write, encoded) = write(&doctor, &patient, 1);
	{
		let mut chain = f.chain.0.lock().unwrap();
		for record in [1, 2, 3, 4] {
			chain.tickets.insert((account(&patient), record));
		}
	}
	let get = |record| f.service.get(CLIENT, &f.get_request(&patient, record, now_ms()).0);
	// No archive.
	assert_eq!(get(1), Err(Refusal::NoArchive { record: 1 }));
	// Anchored with this custodian at index 0, which it was never given.
	f.anchor(2, &write, &encoded, 0);
	assert!(matches!(get(2), Err(Refusal::NotHeld { index: 0, .. })));
	// Anchored on other custodians only.
	let (other_write, other) = self::write(&doctor, &patient, 3);
	f.anchor(3, &other_write, &other, 0);
	f.chain.0.lock().unwrap().archives.get_mut(&3).unwrap().pieces[0].0 = [1; 32];
	assert_eq!(get(3), Err(Refusal::NotCustodian { record: 3 }));
	// Erased.
	let anchored = f.chain.0.lock().unwrap().archives[&2].clone();
	let erased = ArchiveView { record: 4, erased: true, pieces: vec![], ..anchored };
	f.chain.0.lock().unwrap().archives.insert(4, erased);
	assert_eq!(get(4), Err(Refusal::Erased { record: 4 }));
	// The chain cannot be asked: an internal failure, nothing served.
	f.chain.0.lock().unwrap().down = true;
	assert!(matches!(get(2), Err(Refusal::Internal { .. })));
}

#[test]
fn calls_beyond_the_limits_are_refused_before_any_work() {
	let f = fixture_with(
		ServiceConfig { rate_limit_per_minute: NonZeroU32::new(2).unwrap(), ..config() },
		1 << 30,
	);
	let patient = keypair(2);
	let get = |client| f.service.get(client, &f.get_request(&patient, 1, now_ms()).0);
	assert_eq!(get(CLIENT), Err(Refusal::NoTicket { record: 1 }));
	assert_eq!(get(CLIENT), Err(Refusal::NoTicket { record: 1 }));
	assert!(matches!(get(CLIENT), Err(Refusal::RateLimited { .. })));
	// Another address has its own allowance.
	assert_eq!(get(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1))), Err(Refusal::NoTicket { record: 1 }));
	let f = fixture_with(ServiceConfig { max_in_flight: 0, ..config() }, 1 << 30);
	assert_eq!(f.service.get(CLIENT, &f.get_request(&patient, 1, now_ms()).0), Err(Refusal::Busy));
}

#[test]
fn pending_pieces_live_until_their_receipts_expire_on_the_final_chain() {
	let f = fixture();
	let (doctor, patient) = (keypair(1), keypair(2));
	f.allow_write(&doctor, &patient);
	let (write, encoded) = write(&doctor, &patient, 1);
	let receipt =
		f.service.put(CLIENT, &f.put_request((write, NEW_RECORD), &encoded, 0, &doctor)).unwrap();
	let (kept, other) = self::write(&doctor, &patient, 2);
	f.service.put(CLIENT, &f.put_request((kept, NEW_RECORD), &other, 0, &doctor)).unwrap();
	f.anchor(1, &kept, &other, 0);
	// Finalised up to the receipt's last block: the receipt may still be used, the piece stays.
	f.chain.0.lock().unwrap().finalized = receipt.valid_until;
	f.service.expire();
	assert_eq!(f.service.status().unwrap().pieces, 2);
	// One block later it can no longer anchor anything: the unanchored piece goes, the
	// anchored one stays.
	f.chain.0.lock().unwrap().finalized = receipt.valid_until + 1;
	f.service.expire();
	let status = f.service.status().unwrap();
	assert_eq!((status.pieces, status.pending), (1, 0));
	assert!(f.service.holds(&kept.archive_id) && !f.service.holds(&write.archive_id));
}

#[test]
fn settling_releases_pieces_repaired_away_and_erases_erased_records() {
	let f = fixture();
	let (doctor, patient) = (keypair(1), keypair(2));
	f.allow_write(&doctor, &patient);
	let (write, encoded) = write(&doctor, &patient, 1);
	f.service.put(CLIENT, &f.put_request((write, NEW_RECORD), &encoded, 0, &doctor)).unwrap();
	f.anchor(1, &write, &encoded, 0);
	assert_eq!(f.service.status().unwrap().pending, 0, "anchored");
	// The receipt key was rotated on chain and this node has the old one: it cannot tell
	// which pieces are its own, so it keeps every committed one.
	f.chain.0.lock().unwrap().receipt_keys.insert(account(&f.custodian), [1; 32]);
	f.chain.0.lock().unwrap().archives.get_mut(&1).unwrap().pieces[0].0 = [3; 32];
	f.service.settle(&[write.archive_id]);
	assert!(f.service.holds(&write.archive_id));
	// Registered with its key again: the piece was repaired away, so it is released.
	f.chain.0.lock().unwrap().receipt_keys.insert(account(&f.custodian), account(&f.custodian));
	f.service.settle(&[write.archive_id]);
	assert!(!f.service.holds(&write.archive_id));

	let (erased, other) = self::write(&doctor, &patient, 2);
	f.service.put(CLIENT, &f.put_request((erased, NEW_RECORD), &other, 0, &doctor)).unwrap();
	f.anchor(2, &erased, &other, 0);
	f.chain.0.lock().unwrap().archives.get_mut(&2).unwrap().erased = true;
	f.service.settle_all();
	assert_eq!(f.service.status().unwrap().pieces, 0);
}

#[test]
fn a_re_put_extends_the_pending_life_to_the_new_receipt() {
	let f = fixture();
	let (doctor, patient) = (keypair(1), keypair(2));
	f.allow_write(&doctor, &patient);
	let (write, encoded) = write(&doctor, &patient, 1);
	let put = f.put_request((write, NEW_RECORD), &encoded, 0, &doctor);
	let first = f.service.put(CLIENT, &put).unwrap();
	f.chain.0.lock().unwrap().best = 50;
	let second = f.service.put(CLIENT, &put).unwrap();
	assert_eq!(second.valid_until, 50 + LIFETIME);
	f.chain.0.lock().unwrap().finalized = first.valid_until + 1;
	f.service.expire();
	assert!(f.service.holds(&write.archive_id), "kept for the second receipt");
}
