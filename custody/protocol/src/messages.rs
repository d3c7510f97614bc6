//! The messages of the custody protocol and the checks and sealing on both sides.

use std::collections::{HashMap, VecDeque};

use crate::{Delegation, ProtocolError, Refusal, SessionKey};
use ehr_types::Category;

use codec::{Decode, Encode};
use hpke::{
	aead::ChaCha20Poly1305, kdf::HkdfSha256, kem::X25519HkdfSha256, Deserializable, Kem as _,
	OpModeR, OpModeS, Serializable,
};
use rand_core::SeedableRng;
use zeroize::Zeroizing;

/// Domain tag of the bytes a reader signs, so a request signature is never valid as anything else.
pub const GET_REQUEST_CONTEXT: &[u8] = b"ehr-chain custody get v1";
/// Domain tag of the bytes a writer or repairer signs.
pub const PUT_REQUEST_CONTEXT: &[u8] = b"ehr-chain custody put v2";
/// HPKE `info` of pieces sealed to a reader.
const GET_INFO: &[u8] = b"ehr-chain custody get v1";
/// HPKE `info` of pieces sealed to a custodian.
const PUT_INFO: &[u8] = b"ehr-chain custody put v1";
/// sr25519 signing context of Substrate accounts.
pub(crate) const SIGNING_CONTEXT: &[u8] = b"substrate";

/// A reader's request for the custodian's piece of a record.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct GetRequest {
	/// Genesis hash of the chain whose tickets authorise the read.
	pub genesis_hash: [u8; 32],
	/// The custodian's account: a request is valid at one custodian only.
	pub custodian: [u8; 32],
	/// The `pallet-ehr-access` record.
	pub record: u64,
	/// The reader's account (its sr25519 public key), which holds the ticket.
	pub reader: [u8; 32],
	/// X25519 public key the answer is sealed to; fresh for every request.
	pub ephemeral_public: [u8; 32],
	/// Random, never reused by the reader.
	pub nonce: [u8; 16],
	/// When the reader made the request, milliseconds since the Unix epoch.
	pub issued_at_ms: u64,
}

/// A [`GetRequest`] with the reader's sr25519 signature over [`GetRequest::signing_payload`],
/// or its session key's with the reader's [`Delegation`].
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct SignedGetRequest {
	/// The request.
	pub request: GetRequest,
	/// sr25519 signature by `request.reader`, or by the session key `delegation` grants.
	pub signature: [u8; 64],
	/// The reader's grant of the session key that signed, if a session key did.
	pub delegation: Option<Delegation>,
}

/// A custodian's receipt for a piece it keeps, as [`api::Put`] answers it: what a writer
/// submits per piece with its record (`EhrAccess::add_record`, checked by
/// `pallet-shamir-archive`).
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct PutReceipt {
	/// The piece's index.
	pub index: u8,
	/// The piece's commitment `h_i`.
	pub piece_hash: [u8; 32],
	/// The last block at which the chain accepts the receipt; the custodian keeps the piece
	/// pending at least until that block is final.
	pub valid_until: u32,
	/// sr25519 signature by the custodian's receipt key over the [`CustodyReceipt`] of the
	/// piece.
	pub signature: [u8; 64],
}

impl PutReceipt {
	/// Whether this is the receipt the chain will accept for the piece (`index`, `piece_hash`)
	/// of `write` that was sent to `custodian` on the chain `genesis_hash`: for that piece, and
	/// signed with the custodian's registered `receipt_key` over its [`CustodyReceipt`].
	pub fn check(
		&self,
		genesis_hash: [u8; 32],
		write: &Write,
		(index, piece_hash): (u8, [u8; 32]),
		(custodian, receipt_key): ([u8; 32], &[u8; 32]),
	) -> Result<(), BadReceipt> {
		if (self.index, self.piece_hash) != (index, piece_hash) {
			return Err(BadReceipt::OtherPiece { index: self.index, piece_hash: self.piece_hash });
		}
		let message = crate::CustodyReceipt::new(
			genesis_hash,
			crate::ReceiptFor {
				patient: &write.patient,
				author: &write.author,
				archive_id: write.archive_id,
			},
			(index, piece_hash),
			custodian,
			self.valid_until,
		);
		verify_sr25519(receipt_key, &message.payload(), &self.signature)
			.map_err(|_| BadReceipt::NotSignedByReceiptKey)
	}
}

/// Why a custodian's answer to a put is not a receipt the chain would accept.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BadReceipt {
	/// It is for another piece than the one sent.
	#[error("receipt for piece {index} (hash 0x{}), not for the piece sent", hex_of(piece_hash))]
	OtherPiece { index: u8, piece_hash: [u8; 32] },
	/// Its signature is not by the custodian's registered receipt key.
	#[error("receipt not signed with its registered receipt key")]
	NotSignedByReceiptKey,
}

fn hex_of(bytes: &[u8]) -> String {
	bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What a custodian node says of itself ([`api::STATUS_PATH`]): its keys, as the registrar
/// registers them, and its piece store's use. JSON, with camelCase names.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustodyStatus {
	/// The custodian's account (hex).
	pub custodian: String,
	/// Its sr25519 receipt-signing key (hex).
	pub receipt_key: String,
	/// Its X25519 public key (hex).
	pub x25519_public: String,
	/// Pieces held, pending or anchored.
	pub pieces: u64,
	/// Of which pending: waiting for their record's anchor.
	pub pending: u64,
	/// Bytes held.
	pub used_bytes: u64,
	/// The quota in bytes.
	pub quota_bytes: u64,
}

/// A piece sealed to a request's ephemeral key.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct SealedPiece {
	/// HPKE encapsulated key.
	pub encapsulated_key: [u8; 32],
	/// The piece's wire bytes, encrypted and authenticated.
	pub ciphertext: Vec<u8>,
}

impl GetRequest {
	/// The bytes the reader signs: the context tag, then the request's SCALE encoding.
	pub fn signing_payload(&self) -> Vec<u8> {
		let mut payload = GET_REQUEST_CONTEXT.to_vec();
		self.encode_to(&mut payload);
		payload
	}

	/// Signs the request with `sign`, the reader's sr25519 signing function over the
	/// `substrate` context (subxt-signer's `Keypair::sign`, or sp-core's `Pair::sign`).
	pub fn sign_with(self, sign: impl FnOnce(&[u8]) -> [u8; 64]) -> SignedGetRequest {
		let signature = sign(&self.signing_payload());
		SignedGetRequest { request: self, signature, delegation: None }
	}

	/// Signs the request with the session `key` that the reader granted by `delegation`.
	pub fn sign_in_session(self, key: &SessionKey, delegation: Delegation) -> SignedGetRequest {
		let signature = key.sign(&self.signing_payload());
		SignedGetRequest { request: self, signature, delegation: Some(delegation) }
	}
}

impl SignedGetRequest {
	/// What a custodian checks before looking at the chain, at its clock `now_ms`: signature
	/// (and session grant), chain and custodian. Freshness ([`ReplayGuard::check`], which
	/// records the nonce) comes after the chain authorised the reader, so that requests nobody
	/// authorised cannot fill the guard.
	pub fn verify(
		&self,
		genesis_hash: &[u8; 32],
		custodian: &[u8; 32],
		now_ms: u64,
	) -> Result<(), Refusal> {
		let request = &self.request;
		let payload = request.signing_payload();
		let signed = (&self.signature, self.delegation.as_ref());
		verify_signer((&request.reader, &payload), signed, genesis_hash, now_ms)?;
		check_addressee((&request.genesis_hash, &request.custodian), (genesis_hash, custodian))
	}
}

/// Whether `signature` over `payload` is by `account`, or, with a `delegation`, by the session
/// key `account` granted for the chain `genesis_hash` that is live at `now_ms`.
fn verify_signer(
	(account, payload): (&[u8; 32], &[u8]),
	(signature, delegation): (&[u8; 64], Option<&Delegation>),
	genesis_hash: &[u8; 32],
	now_ms: u64,
) -> Result<(), Refusal> {
	let signer = match delegation {
		None => account,
		Some(delegation) => delegation.session_key_for(account, genesis_hash, now_ms)?,
	};
	verify_sr25519(signer, payload, signature)
}

/// Whether `signature` is `signer`'s sr25519 signature of `payload` in the `substrate` context.
pub(crate) fn verify_sr25519(
	signer: &[u8; 32],
	payload: &[u8],
	signature: &[u8; 64],
) -> Result<(), Refusal> {
	let signer = schnorrkel::PublicKey::from_bytes(signer).map_err(|_| Refusal::BadSignature)?;
	let signature =
		schnorrkel::Signature::from_bytes(signature).map_err(|_| Refusal::BadSignature)?;
	signer.verify_simple(SIGNING_CONTEXT, payload, &signature).map_err(|_| Refusal::BadSignature)
}

/// Whether a request names this chain and this custodian.
fn check_addressee(
	(genesis, custodian): (&[u8; 32], &[u8; 32]),
	(our_genesis, us): (&[u8; 32], &[u8; 32]),
) -> Result<(), Refusal> {
	if genesis != our_genesis {
		return Err(Refusal::WrongChain);
	}
	if custodian != us {
		return Err(Refusal::WrongCustodian);
	}
	Ok(())
}

/// A request as the replay guard remembers it: (reader, nonce).
type Seen = ([u8; 32], [u8; 16]);

/// Remembers the (reader, nonce) pairs of recent requests, so each request is served once.
///
/// A request is fresh while `|issued_at - now| <= window`; its nonce is remembered until the
/// request could no longer be fresh, then forgotten. Memory is bounded by `capacity`: when that
/// many requests are remembered, new ones are refused with [`Refusal::Busy`] instead of growing.
///
/// The clock is a wall clock and may step back. Nonces are forgotten by the latest time read,
/// so a request is also stale once issued more than the window before that time: a request
/// forgotten is never fresh again.
#[derive(Debug)]
pub struct ReplayGuard {
	window_ms: u64,
	capacity: usize,
	/// The latest clock reading: what is forgotten is stale from then on.
	latest_ms: u64,
	/// (reader, nonce) → when it may be forgotten.
	seen: HashMap<Seen, u64>,
	/// The same, oldest expiry first.
	expiries: VecDeque<(u64, Seen)>,
}

impl ReplayGuard {
	/// A guard accepting requests issued within `window_ms` of its clock, remembering at most
	/// `capacity` of them.
	pub fn new(window_ms: u64, capacity: usize) -> Self {
		Self { window_ms, capacity, latest_ms: 0, seen: HashMap::new(), expiries: VecDeque::new() }
	}

	/// Accepts `request` once if it is fresh at `now_ms`.
	pub fn check(&mut self, request: &GetRequest, now_ms: u64) -> Result<(), Refusal> {
		self.latest_ms = self.latest_ms.max(now_ms);
		self.forget_before(self.latest_ms);
		let expiry = request.issued_at_ms.saturating_add(self.window_ms);
		if request.issued_at_ms.abs_diff(now_ms) > self.window_ms || expiry < self.latest_ms {
			return Err(Refusal::Stale {
				issued_at_ms: request.issued_at_ms,
				now_ms,
				window_ms: self.window_ms,
			});
		}
		let id = (request.reader, request.nonce);
		if self.seen.contains_key(&id) {
			return Err(Refusal::Replayed);
		}
		if self.seen.len() >= self.capacity {
			return Err(Refusal::Busy);
		}
		// Fresh until issued_at + window: remember it until then, the queue sorted by expiry.
		let at = self.expiries.partition_point(|(e, _)| *e <= expiry);
		self.expiries.insert(at, (expiry, id));
		self.seen.insert(id, expiry);
		Ok(())
	}

	/// Requests remembered now.
	pub fn len(&self) -> usize {
		self.seen.len()
	}

	/// Whether no request is remembered.
	pub fn is_empty(&self) -> bool {
		self.seen.is_empty()
	}

	fn forget_before(&mut self, now_ms: u64) {
		while let Some((expiry, id)) = self.expiries.front().copied() {
			if expiry >= now_ms {
				break;
			}
			self.expiries.pop_front();
			self.seen.remove(&id);
		}
	}
}

/// An X25519 key pair for one request: `(secret, public)`. Keep the secret until the answers
/// are opened, then drop it.
pub fn ephemeral_keypair() -> Result<(Zeroizing<[u8; 32]>, [u8; 32]), ProtocolError> {
	let mut seed = Zeroizing::new([0u8; 32]);
	getrandom::fill(seed.as_mut()).map_err(|_| ProtocolError::Rng)?;
	Ok(x25519_keypair_from_seed(&seed))
}

/// Seals `piece` (its wire bytes) to `request.ephemeral_public`, bound to `request`.
pub fn seal_piece(piece: &[u8], request: &GetRequest) -> Result<SealedPiece, ProtocolError> {
	seal_to(&request.ephemeral_public, GET_INFO, &request.encode(), piece)
}

/// Opens a piece sealed by [`seal_piece`] for `request`, with the request's ephemeral secret.
pub fn open_piece(
	sealed: &SealedPiece,
	ephemeral_secret: &[u8; 32],
	request: &GetRequest,
) -> Result<Vec<u8>, ProtocolError> {
	open_with(ephemeral_secret, GET_INFO, &request.encode(), sealed)
}

/// A writer's piece for a custodian to keep (docs/ARCHITECTURE.md §4, "Add a record" step 3). The
/// piece travels sealed to the custodian's registered X25519 key, bound to every other field, so
/// only that custodian reads it and nobody can re-address it.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct PutRequest {
	/// Genesis hash of the chain the archive will be anchored on.
	pub genesis_hash: [u8; 32],
	/// The custodian's account.
	pub custodian: [u8; 32],
	/// The write the piece belongs to (the receipt names it).
	pub write: Write,
	/// Why the piece is put: for a new record, or to repair a piece of an existing one.
	pub purpose: PutPurpose,
	/// The SCALE-encoded `ehr_archive_codec::Commitments` the client will anchor.
	pub commitments: Vec<u8>,
	/// The piece's wire bytes, sealed to the custodian.
	pub sealed_piece: SealedPiece,
}

/// The write a piece belongs to: the record's patient and author (accounts) and the archive id
/// the writer drew for it. A custody receipt names all three.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode)]
pub struct Write {
	/// The patient the record is about.
	pub patient: [u8; 32],
	/// Who writes the record.
	pub author: [u8; 32],
	/// The archive id the record is encoded under.
	pub archive_id: [u8; 32],
}

/// Why a piece is put, which says who signs the put and what the custodian asks the chain
/// before it takes room for the piece.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode)]
pub enum PutPurpose {
	/// A new record of `category` (amending `supersedes`) that the write's author is about to
	/// add: the author signs, and the chain must let them write it now.
	NewRecord { category: Category, supersedes: Option<u64> },
	/// Piece of the existing `record` that `repairer` regenerated: the repairer signs, and
	/// must hold a live ticket for the record; the write must be the record's.
	Repair { record: u64, repairer: [u8; 32] },
}

impl PutRequest {
	/// Who must sign the request: the author of a new record, the repairer of a piece.
	pub fn signer(&self) -> [u8; 32] {
		match self.purpose {
			PutPurpose::NewRecord { .. } => self.write.author,
			PutPurpose::Repair { repairer, .. } => repairer,
		}
	}

	/// Seals `piece` of `write` to the custodian's X25519 public key and builds the request.
	pub fn seal(
		genesis_hash: [u8; 32],
		(custodian, custodian_x25519): ([u8; 32], &[u8; 32]),
		(write, purpose): (Write, PutPurpose),
		commitments: Vec<u8>,
		piece: &[u8],
	) -> Result<Self, ProtocolError> {
		let binding = (genesis_hash, custodian, write, purpose, &commitments).encode();
		let sealed_piece = seal_to(custodian_x25519, PUT_INFO, &binding, piece)?;
		Ok(Self { genesis_hash, custodian, write, purpose, commitments, sealed_piece })
	}

	/// The piece's wire bytes, opened with the custodian's X25519 secret.
	pub fn open(&self, custodian_x25519_secret: &[u8; 32]) -> Result<Vec<u8>, ProtocolError> {
		let binding =
			(self.genesis_hash, self.custodian, self.write, self.purpose, &self.commitments)
				.encode();
		open_with(custodian_x25519_secret, PUT_INFO, &binding, &self.sealed_piece)
	}

	/// The bytes the signer signs: the context tag, then the request's SCALE encoding.
	pub fn signing_payload(&self) -> Vec<u8> {
		let mut payload = PUT_REQUEST_CONTEXT.to_vec();
		self.encode_to(&mut payload);
		payload
	}

	/// Signs the request with `sign`, the signer's sr25519 signing function over the
	/// `substrate` context (see [`GetRequest::sign_with`]).
	pub fn sign_with(self, sign: impl FnOnce(&[u8]) -> [u8; 64]) -> SignedPutRequest {
		let signature = sign(&self.signing_payload());
		SignedPutRequest { request: self, signature, delegation: None }
	}

	/// Signs the request with the session `key` that the signer granted by `delegation`.
	pub fn sign_in_session(self, key: &SessionKey, delegation: Delegation) -> SignedPutRequest {
		let signature = key.sign(&self.signing_payload());
		SignedPutRequest { request: self, signature, delegation: Some(delegation) }
	}
}

/// A [`PutRequest`] with its signer's sr25519 signature over [`PutRequest::signing_payload`],
/// or its session key's with the signer's [`Delegation`].
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct SignedPutRequest {
	/// The request.
	pub request: PutRequest,
	/// sr25519 signature by [`PutRequest::signer`], or by the session key `delegation` grants.
	pub signature: [u8; 64],
	/// The signer's grant of the session key that signed, if a session key did.
	pub delegation: Option<Delegation>,
}

impl SignedPutRequest {
	/// What a custodian checks before opening the piece or asking the chain, at its clock
	/// `now_ms`: the signature (and session grant), the chain and the custodian.
	pub fn verify(
		&self,
		genesis_hash: &[u8; 32],
		custodian: &[u8; 32],
		now_ms: u64,
	) -> Result<(), Refusal> {
		let request = &self.request;
		let signed = (&self.signature, self.delegation.as_ref());
		verify_signer(
			(&request.signer(), &request.signing_payload()),
			signed,
			genesis_hash,
			now_ms,
		)?;
		check_addressee((&request.genesis_hash, &request.custodian), (genesis_hash, custodian))
	}
}

/// The X25519 key pair a custodian derives from 32 secret bytes (its keystore seed):
/// `(secret, public)`, by HPKE's `DeriveKeyPair`.
pub fn x25519_keypair_from_seed(seed: &[u8; 32]) -> (Zeroizing<[u8; 32]>, [u8; 32]) {
	let (secret, public) = X25519HkdfSha256::derive_keypair(seed);
	let mut secret_bytes = Zeroizing::new([0u8; 32]);
	secret_bytes.copy_from_slice(&secret.to_bytes());
	let mut public_bytes = [0u8; 32];
	public_bytes.copy_from_slice(&public.to_bytes());
	(secret_bytes, public_bytes)
}

/// HPKE base mode to `public`, with a fresh encapsulation.
fn seal_to(
	public: &[u8; 32],
	info: &[u8],
	aad: &[u8],
	plaintext: &[u8],
) -> Result<SealedPiece, ProtocolError> {
	let public = <X25519HkdfSha256 as hpke::Kem>::PublicKey::from_bytes(public)
		.map_err(|_| ProtocolError::InvalidKey)?;
	let mut seed = Zeroizing::new([0u8; 32]);
	getrandom::fill(seed.as_mut()).map_err(|_| ProtocolError::Rng)?;
	let mut rng = rand_chacha::ChaCha20Rng::from_seed(*seed);
	let (encapsulated, ciphertext) = hpke::single_shot_seal::<
		ChaCha20Poly1305,
		HkdfSha256,
		X25519HkdfSha256,
		_,
	>(&OpModeS::Base, &public, info, plaintext, aad, &mut rng)
	.map_err(|_| ProtocolError::Seal)?;
	let mut encapsulated_key = [0u8; 32];
	encapsulated_key.copy_from_slice(&encapsulated.to_bytes());
	Ok(SealedPiece { encapsulated_key, ciphertext })
}

fn open_with(
	secret: &[u8; 32],
	info: &[u8],
	aad: &[u8],
	sealed: &SealedPiece,
) -> Result<Vec<u8>, ProtocolError> {
	let secret = <X25519HkdfSha256 as hpke::Kem>::PrivateKey::from_bytes(secret)
		.map_err(|_| ProtocolError::InvalidKey)?;
	let encapsulated =
		<X25519HkdfSha256 as hpke::Kem>::EncappedKey::from_bytes(&sealed.encapsulated_key)
			.map_err(|_| ProtocolError::InvalidKey)?;
	hpke::single_shot_open::<ChaCha20Poly1305, HkdfSha256, X25519HkdfSha256>(
		&OpModeR::Base,
		&secret,
		&encapsulated,
		info,
		&sealed.ciphertext,
		aad,
	)
	.map_err(|_| ProtocolError::Open)
}
