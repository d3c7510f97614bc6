//! The custody side: fixed keys, a small archive, signed requests, and a custodian's service
//! over a fake chain that answers from constants.

use std::{num::NonZeroU32, path::Path, sync::OnceLock};

use ehr_archive_codec::{archive_record_id, encode_with_key_and_rng, Encoded};
use ehr_custody_protocol::{
	x25519_keypair_from_seed, GetRequest, PutPurpose, PutRequest, SignedGetRequest,
	SignedPutRequest, Write,
};
use ehr_custody_service::{
	Account, ArchiveView, Chain, ChainError, CustodianKeys, CustodyService, ReceiptSigner,
	ServiceConfig,
};
use ehr_custody_store::{PieceStore, StoreConfig};
use ehr_types::{AccessDecision, AccessReason, Category, DenyReason};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use schnorrkel::{ExpansionMode, Keypair, MiniSecretKey};

/// The chain every request here is for.
pub const GENESIS: [u8; 32] = [7; 32];
/// The custodian's clock where the targets fix it, milliseconds since the Unix epoch.
pub const NOW_MS: u64 = 1_800_000_000_000;
/// How far from the custodian's clock a get may be issued.
pub const WINDOW_MS: u64 = 60_000;
/// The record whose archive lists this custodian at index 0.
pub const RECORD: u64 = 1;
/// A record the patient had erased.
pub const ERASED_RECORD: u64 = 2;
/// The archive id of [`archive`].
pub const ARCHIVE_ID: [u8; 32] = [0x22; 32];
/// Why a new record is put in the seeds.
pub const NEW_RECORD: PutPurpose =
	PutPurpose::NewRecord { category: Category::Observation, supersedes: None };

/// The parties' keys.
pub struct Keys {
	pub custodian: Keypair,
	pub author: Keypair,
	pub patient: Keypair,
	pub reader: Keypair,
	/// The custodian's X25519 key pair, to which writers seal pieces: (secret, public).
	pub custodian_x25519: ([u8; 32], [u8; 32]),
	/// The reader's ephemeral X25519 key pair, to which the custodian seals its answer.
	pub reader_x25519: ([u8; 32], [u8; 32]),
}

/// The keys, derived once from fixed seeds.
pub fn keys() -> &'static Keys {
	static KEYS: OnceLock<Keys> = OnceLock::new();
	KEYS.get_or_init(|| {
		let x25519 = |seed| {
			let (secret, public) = x25519_keypair_from_seed(&[seed; 32]);
			(*secret, public)
		};
		Keys {
			custodian: keypair(100),
			author: keypair(1),
			patient: keypair(2),
			reader: keypair(3),
			custodian_x25519: x25519(101),
			reader_x25519: x25519(102),
		}
	})
}

fn keypair(seed: u8) -> Keypair {
	MiniSecretKey::from_bytes(&[seed; 32])
		.expect("32 bytes")
		.expand_to_keypair(ExpansionMode::Ed25519)
}

/// The account (public key) of `pair`.
pub fn account(pair: &Keypair) -> [u8; 32] {
	pair.public.to_bytes()
}

/// `pair`'s signature of `payload` as a Substrate account signs (sr25519, `substrate` context).
pub fn sign(pair: &Keypair, payload: &[u8]) -> [u8; 64] {
	pair.sign_simple(b"substrate", payload).to_bytes()
}

/// The write of [`archive`]: the author's record about the patient.
pub fn write() -> Write {
	let keys = keys();
	Write { patient: account(&keys.patient), author: account(&keys.author), archive_id: ARCHIVE_ID }
}

/// A small archive of the write, 2 of 3 pieces, encoded deterministically.
pub fn archive() -> &'static Encoded {
	static ARCHIVE: OnceLock<Encoded> = OnceLock::new();
	ARCHIVE.get_or_init(|| {
		let record_id = archive_record_id(&GENESIS, &ARCHIVE_ID, &write().patient);
		let payload: Vec<u8> = (0..300u32).map(|i| (i * 13) as u8).collect();
		let rng = ChaCha20Rng::from_seed([6; 32]);
		encode_with_key_and_rng(&payload, &record_id, 2, 3, 64, &[8; 32], rng).expect("valid")
	})
}

/// The author's put of `piece` (wire bytes) for `purpose`, sealed to the custodian.
pub fn put_request(purpose: PutPurpose, piece: &[u8]) -> SignedPutRequest {
	let keys = keys();
	PutRequest::seal(
		GENESIS,
		(account(&keys.custodian), &keys.custodian_x25519.1),
		(write(), purpose),
		archive().commitments.to_bytes(),
		piece,
	)
	.expect("a valid X25519 key")
	.sign_with(|payload| sign(&keys.author, payload))
}

/// The reader's get of `record`, issued at `issued_at_ms`, answered to its ephemeral key.
pub fn get_request(record: u64, nonce: u8, issued_at_ms: u64) -> SignedGetRequest {
	let keys = keys();
	GetRequest {
		genesis_hash: GENESIS,
		custodian: account(&keys.custodian),
		record,
		reader: account(&keys.reader),
		ephemeral_public: keys.reader_x25519.1,
		nonce: [nonce; 16],
		issued_at_ms,
	}
	.sign_with(|payload| sign(&keys.reader, payload))
}

/// A chain on which the author may write for anyone, the reader and the author hold tickets
/// for every record, [`RECORD`] is [`archive`] with this custodian at index 0 and
/// [`ERASED_RECORD`] was erased.
pub struct FakeChain;

impl FakeChain {
	fn view(record: u64) -> ArchiveView {
		let write = write();
		let custodian = account(&keys().custodian);
		let hashes = &archive().commitments.piece_hashes;
		let erased = record == ERASED_RECORD;
		ArchiveView {
			record,
			archive_id: write.archive_id,
			patient: write.patient,
			author: write.author,
			erased,
			pieces: if erased {
				Vec::new()
			} else {
				hashes
					.iter()
					.enumerate()
					.map(|(i, hash)| (if i == 0 { custodian } else { [i as u8; 32] }, *hash))
					.collect()
			},
		}
	}
}

impl Chain for FakeChain {
	fn genesis_hash(&self) -> [u8; 32] {
		GENESIS
	}
	fn best_number(&self) -> Result<u32, ChainError> {
		Ok(10)
	}
	fn finalized_number(&self) -> Result<u32, ChainError> {
		Ok(10)
	}
	fn may_write(
		&self,
		author: &Account,
		_patient: &Account,
		_category: Category,
		_supersedes: Option<u64>,
	) -> Result<AccessDecision, ChainError> {
		Ok(if *author == account(&keys().author) {
			AccessDecision::Allowed(AccessReason::Owner)
		} else {
			AccessDecision::Denied(DenyReason::NoConsent)
		})
	}
	fn has_ticket(&self, reader: &Account, _record: u64) -> Result<bool, ChainError> {
		let keys = keys();
		Ok(*reader == account(&keys.reader) || *reader == account(&keys.author))
	}
	fn archive(&self, record: u64) -> Result<Option<ArchiveView>, ChainError> {
		Ok([RECORD, ERASED_RECORD].contains(&record).then(|| Self::view(record)))
	}
	fn archive_of(&self, archive_id: &[u8; 32]) -> Result<Option<ArchiveView>, ChainError> {
		Ok((*archive_id == ARCHIVE_ID).then(|| Self::view(RECORD)))
	}
	fn receipt_key(&self, custodian: &Account) -> Result<Option<Account>, ChainError> {
		let ours = account(&keys().custodian);
		Ok((*custodian == ours).then_some(ours))
	}
}

struct Signer;

impl ReceiptSigner for Signer {
	fn sign(&self, payload: &[u8]) -> Result<[u8; 64], String> {
		Ok(sign(&keys().custodian, payload))
	}
}

/// Largest piece the service takes, in bytes of its wire form.
pub const MAX_PIECE_BYTES: u64 = 1 << 16;

/// The custodian's service over [`FakeChain`], its store in `dir`: no rate limit to speak of,
/// a small quota so that the store stays small however many puts succeed.
pub fn service(dir: &Path) -> CustodyService<FakeChain> {
	let keys = keys();
	let config = ServiceConfig {
		receipt_lifetime: 100,
		request_window_ms: WINDOW_MS,
		max_recent_requests: 1 << 16,
		rate_limit_per_minute: NonZeroU32::MAX,
		max_in_flight: 1,
		max_piece_bytes: MAX_PIECE_BYTES,
	};
	let store = PieceStore::open(
		dir,
		StoreConfig { quota_bytes: 4 << 20, max_piece_bytes: MAX_PIECE_BYTES },
	)
	.expect("an empty store");
	let custodian_keys = CustodianKeys {
		account: account(&keys.custodian),
		receipt_key: account(&keys.custodian),
		x25519_secret: keys.custodian_x25519.0.into(),
		x25519_public: keys.custodian_x25519.1,
		signer: Box::new(Signer),
	};
	CustodyService::new(FakeChain, custodian_keys, store, config)
}
