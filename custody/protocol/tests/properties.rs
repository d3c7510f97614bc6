//! Property tests of the custody protocol.
//!
//! - A [`SignedGetRequest`] is accepted exactly as signed: for arbitrary requests, the signed
//!   one verifies; a single flipped bit anywhere in any field or in the signature is refused
//!   as [`Refusal::BadSignature`]; a request signed by another key, or checked against another
//!   chain or custodian, is refused; and no refusal costs the replay guard memory.
//! - Decoding arbitrary bytes, or a valid message cut short or with a flipped bit, as any
//!   protocol message never panics, and whatever decodes re-encodes to the bytes it came from.
//! - The [`ReplayGuard`] agrees with a plain model under random sequences of (reader, nonce,
//!   issued at, custodian clock), the clock also stepping back as a wall clock may: it never
//!   accepts a request twice, nor a (reader, nonce) again while an earlier request with it is
//!   within the window of the latest clock reading; it refuses requests issued outside its
//!   window; it never remembers more than its capacity and answers `Busy` only when full.
//! - HPKE: arbitrary pieces round-trip through [`seal_piece`]/[`open_piece`] and
//!   [`PutRequest::seal`]/[`PutRequest::open`]; any flipped bit of the sealed bytes, a cut or
//!   extended ciphertext, another secret, or another binding (a flipped bit of any request field;
//!   of the genesis hash, custodian, patient, author, archive id or commitments of a put) makes opening
//!   fail.
use std::collections::BTreeMap;

use codec::{Decode, Encode};
use ehr_custody_protocol::{
	open_piece, seal_piece, x25519_keypair_from_seed, GetRequest, ProtocolError, PutPurpose,
	PutReceipt, PutRequest, Refusal, ReplayGuard, SealedPiece, SignedGetRequest, SignedPutRequest,
	Write,
};

/// The purpose of the puts these properties seal (the binding covers it like any field).
const NEW: PutPurpose =
	PutPurpose::NewRecord { category: ehr_types::Category::Observation, supersedes: None };
use proptest::{prelude::*, sample::Index};
use schnorrkel::{ExpansionMode, Keypair, MiniSecretKey};

/// Bytes of a [`GetRequest`]'s SCALE encoding: four 32-byte keys, a record, a nonce, a time.
const REQUEST_LEN: usize = 4 * 32 + 8 + 16 + 8;

fn keypair(seed: &[u8; 32]) -> Keypair {
	MiniSecretKey::from_bytes(seed).unwrap().expand_to_keypair(ExpansionMode::Ed25519)
}

fn sign(request: GetRequest, pair: &Keypair) -> SignedGetRequest {
	request.sign_with(|payload| pair.sign_simple(b"substrate", payload).to_bytes())
}

/// An arbitrary request (its `reader` to be set by the signer).
fn request() -> impl Strategy<Value = GetRequest> {
	(
		any::<[u8; 32]>(),
		any::<[u8; 32]>(),
		any::<u64>(),
		any::<[u8; 32]>(),
		any::<[u8; 16]>(),
		any::<u64>(),
	)
		.prop_map(|(genesis_hash, custodian, record, ephemeral_public, nonce, issued_at_ms)| {
			GetRequest {
				genesis_hash,
				custodian,
				record,
				reader: [0; 32],
				ephemeral_public,
				nonce,
				issued_at_ms,
			}
		})
}

/// Verifies `signed` where the only possible refusal is its signature: against its own chain
/// and custodian, at its own time, with an empty guard. Returns the verdict and whether the
/// guard remembered anything.
fn verify_signature_only(signed: &SignedGetRequest) -> (Result<(), Refusal>, bool) {
	let mut guard = ReplayGuard::new(1_000, 4);
	let request = &signed.request;
	let verdict = signed
		.verify(&request.genesis_hash, &request.custodian, 0)
		.and_then(|()| guard.check(request, request.issued_at_ms));
	(verdict, !guard.is_empty())
}

fn flip(bytes: &mut [u8], bit: usize) {
	bytes[bit / 8] ^= 1 << (bit % 8);
}

/// Decodes `bytes` as `T`; if that consumes them all, the value must re-encode to them.
fn decodes_canonically<T: Decode + Encode>(bytes: &[u8]) -> Result<(), TestCaseError> {
	let mut input = bytes;
	if let Ok(value) = T::decode(&mut input) {
		if input.is_empty() {
			prop_assert_eq!(value.encode(), bytes, "decoded and re-encoded differently");
		}
	}
	Ok(())
}

fn decodes_canonically_as_any_message(bytes: &[u8]) -> Result<(), TestCaseError> {
	decodes_canonically::<SignedGetRequest>(bytes)?;
	decodes_canonically::<GetRequest>(bytes)?;
	decodes_canonically::<PutRequest>(bytes)?;
	decodes_canonically::<SignedPutRequest>(bytes)?;
	decodes_canonically::<Refusal>(bytes)?;
	decodes_canonically::<SealedPiece>(bytes)?;
	decodes_canonically::<PutReceipt>(bytes)
}

/// A plain model of the replay guard. The custodian's clock may step back; `latest` is the
/// latest time it has read.
struct GuardModel {
	window: u64,
	capacity: usize,
	latest: u64,
	/// (reader, nonce) → issued at, of the accepted requests that could still be fresh at
	/// `latest`.
	remembered: BTreeMap<([u8; 32], [u8; 16]), u64>,
}

#[derive(Debug, PartialEq, Eq)]
enum Answer {
	Ok,
	Stale,
	Replayed,
	Busy,
}

impl GuardModel {
	fn check(&mut self, id: ([u8; 32], [u8; 16]), issued: u64, now: u64) -> Answer {
		self.latest = self.latest.max(now);
		let window = self.window;
		let latest = self.latest;
		self.remembered.retain(|_, at| at.saturating_add(window) >= latest);
		// Fresh: within the window of the clock, and not older than the window before the
		// latest time read (what was older is forgotten, so it must not be accepted).
		if issued.abs_diff(now) > window || issued.saturating_add(window) < latest {
			return Answer::Stale;
		}
		if self.remembered.contains_key(&id) {
			return Answer::Replayed;
		}
		if self.remembered.len() >= self.capacity {
			return Answer::Busy;
		}
		self.remembered.insert(id, issued);
		Answer::Ok
	}
}

fn answer(result: Result<(), Refusal>) -> Answer {
	match result {
		Ok(()) => Answer::Ok,
		Err(Refusal::Stale { .. }) => Answer::Stale,
		Err(Refusal::Replayed) => Answer::Replayed,
		Err(Refusal::Busy) => Answer::Busy,
		Err(other) => panic!("the guard refused with {other:?}"),
	}
}

/// A request for the guard: only the reader, nonce and issue time matter to it.
fn guard_request(reader: u8, nonce: u8, issued_at_ms: u64) -> GetRequest {
	GetRequest {
		genesis_hash: [1; 32],
		custodian: [2; 32],
		record: 0,
		reader: [reader; 32],
		ephemeral_public: [0; 32],
		nonce: [nonce; 16],
		issued_at_ms,
	}
}

/// The fields of a put that its sealed piece is bound to, as one byte string per field.
fn put_fields(put: &mut PutRequest) -> [&mut [u8]; 6] {
	[
		&mut put.genesis_hash,
		&mut put.custodian,
		&mut put.write.patient,
		&mut put.write.author,
		&mut put.write.archive_id,
		&mut put.commitments,
	]
}

proptest! {
	#![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

	#[test]
	fn a_request_is_accepted_exactly_as_signed(
		seed in any::<[u8; 32]>(),
		other_seed in any::<[u8; 32]>(),
		request in request(),
		bit in any::<Index>(),
		elsewhere in any::<[u8; 32]>(),
	) {
		let pair = keypair(&seed);
		let signed = sign(GetRequest { reader: pair.public.to_bytes(), ..request }, &pair);
		prop_assert_eq!(verify_signature_only(&signed), (Ok(()), true));

		// One flipped bit anywhere in the request's fields or in its signature.
		let mut bytes = signed.encode();
		// The fields, the signature, and the `None` of no session delegation.
		prop_assert_eq!(bytes.len(), REQUEST_LEN + 64 + 1);
		let at = bit.index((REQUEST_LEN + 64) * 8);
		flip(&mut bytes, at);
		let altered = SignedGetRequest::decode(&mut bytes.as_slice()).unwrap();
		prop_assert_eq!(altered.encode(), bytes);
		prop_assert_eq!(verify_signature_only(&altered), (Err(Refusal::BadSignature), false));

		// Signed by another key than the reader it names.
		if other_seed != seed {
			let forged = sign(signed.request.clone(), &keypair(&other_seed));
			prop_assert_eq!(verify_signature_only(&forged), (Err(Refusal::BadSignature), false));
		}

		// Well signed, but for another chain or another custodian.
		let request = &signed.request;
		if elsewhere != request.genesis_hash {
			prop_assert_eq!(
				signed.verify(&elsewhere, &request.custodian, 0),
				Err(Refusal::WrongChain)
			);
		}
		if elsewhere != request.custodian {
			prop_assert_eq!(
				signed.verify(&request.genesis_hash, &elsewhere, 0),
				Err(Refusal::WrongCustodian)
			);
		}
	}

	#[test]
	fn decoding_arbitrary_bytes_never_panics(
		bytes in proptest::collection::vec(any::<u8>(), 0..400),
	) {
		decodes_canonically_as_any_message(&bytes)?;
	}

	#[test]
	fn decoding_a_damaged_message_never_panics(
		seed in any::<[u8; 32]>(),
		request in request(),
		piece in proptest::collection::vec(any::<u8>(), 0..300),
		commitments in proptest::collection::vec(any::<u8>(), 0..100),
		cut in any::<Index>(),
		bit in any::<Index>(),
	) {
		let pair = keypair(&seed);
		let signed = sign(GetRequest { reader: pair.public.to_bytes(), ..request }, &pair);
		let (_, custodian_public) = x25519_keypair_from_seed(&seed);
		let write = Write { patient: [3; 32], author: [5; 32], archive_id: [4; 32] };
		let put = PutRequest::seal([1; 32], ([2; 32], &custodian_public), (write, NEW), commitments, &piece)
		.unwrap();
		for valid in [signed.encode(), put.encode(), put.sealed_piece.encode()] {
			decodes_canonically_as_any_message(&valid)?;
			decodes_canonically_as_any_message(&valid[..cut.index(valid.len())])?;
			let mut flipped = valid.clone();
			flip(&mut flipped, bit.index(valid.len() * 8));
			decodes_canonically_as_any_message(&flipped)?;
		}
	}

	#[test]
	fn the_replay_guard_agrees_with_its_model(
		// (replay of an earlier request?, reader, nonce, issued relative to the clock, clock step)
		steps in proptest::collection::vec(
			(
				proptest::option::weighted(0.3, any::<Index>()),
				0u8..3,
				0u8..4,
				-1_500i64..1_500,
				-300i64..500,
			),
			1..100,
		),
		window in 1u64..1_000,
		capacity in 1usize..6,
	) {
		let mut guard = ReplayGuard::new(window, capacity);
		let mut model = GuardModel { window, capacity, latest: 0, remembered: BTreeMap::new() };
		// Every request checked, to replay; every acceptance: (reader, nonce) → issued at.
		let mut sent: Vec<GetRequest> = Vec::new();
		let mut accepted: BTreeMap<([u8; 32], [u8; 16]), Vec<u64>> = BTreeMap::new();
		let mut now: u64 = 1_000_000;
		let mut latest = now;
		for (replay, reader, nonce, issued_offset, step) in steps {
			now = now.saturating_add_signed(step);
			latest = latest.max(now);
			let request = match replay {
				Some(which) if !sent.is_empty() => sent[which.index(sent.len())].clone(),
				_ => guard_request(reader, nonce, now.saturating_add_signed(issued_offset)),
			};
			let (id, issued) = ((request.reader, request.nonce), request.issued_at_ms);

			let got = answer(guard.check(&request, now));
			prop_assert_eq!(&got, &model.check(id, issued, now));
			sent.push(request);

			// The properties themselves, whatever the model says.
			prop_assert!(guard.len() <= capacity, "remembers {} > {capacity}", guard.len());
			match got {
				Answer::Ok => {
					prop_assert!(issued.abs_diff(now) <= window, "accepted a stale request");
					let earlier = accepted.entry(id).or_default();
					for &before in earlier.iter() {
						prop_assert!(before != issued, "accepted the same request twice");
						prop_assert!(
							before.saturating_add(window) < latest,
							"accepted a nonce again while a request with it was fresh"
						);
					}
					earlier.push(issued);
				},
				Answer::Stale => prop_assert!(
					issued.abs_diff(now) > window || issued.saturating_add(window) < latest
				),
				Answer::Busy => prop_assert_eq!(guard.len(), capacity),
				Answer::Replayed => {
					prop_assert!(accepted.contains_key(&id), "a replay of nothing accepted")
				},
			}
		}
	}

	#[test]
	fn a_sealed_piece_opens_only_unchanged_and_for_its_request(
		piece in proptest::collection::vec(any::<u8>(), 0..2_000),
		request in request(),
		seeds in any::<([u8; 32], [u8; 32])>(),
		bit in any::<Index>(),
		field_bit in any::<Index>(),
		extra in any::<u8>(),
	) {
		let (secret, public) = x25519_keypair_from_seed(&seeds.0);
		let request = GetRequest { ephemeral_public: public, ..request };
		let sealed = seal_piece(&piece, &request).unwrap();
		prop_assert_eq!(sealed.ciphertext.len(), piece.len() + 16);
		prop_assert_eq!(&open_piece(&sealed, &secret, &request).unwrap(), &piece);

		// A flipped bit of the encapsulated key or of the ciphertext.
		let mut altered = sealed.clone();
		let at = bit.index((32 + sealed.ciphertext.len()) * 8);
		if at < 32 * 8 {
			flip(&mut altered.encapsulated_key, at);
		} else {
			flip(&mut altered.ciphertext, at - 32 * 8);
		}
		prop_assert!(open_piece(&altered, &secret, &request).is_err(), "a flipped bit opened");
		// The ciphertext cut short or extended.
		let mut altered = sealed.clone();
		altered.ciphertext.truncate(bit.index(sealed.ciphertext.len()));
		prop_assert!(open_piece(&altered, &secret, &request).is_err(), "a cut ciphertext opened");
		let mut altered = sealed.clone();
		altered.ciphertext.push(extra);
		prop_assert!(open_piece(&altered, &secret, &request).is_err(), "an extended one opened");

		// Another secret.
		let (other_secret, _) = x25519_keypair_from_seed(&seeds.1);
		if seeds.1 != seeds.0 {
			prop_assert_eq!(open_piece(&sealed, &other_secret, &request), Err(ProtocolError::Open));
		}

		// Another request: one flipped bit in any of its fields (chain, custodian, record,
		// reader, ephemeral key, nonce, time).
		let mut bytes = request.encode();
		flip(&mut bytes, field_bit.index(REQUEST_LEN * 8));
		let other = GetRequest::decode(&mut bytes.as_slice()).unwrap();
		prop_assert_eq!(open_piece(&sealed, &secret, &other), Err(ProtocolError::Open));
	}

	#[test]
	fn a_put_opens_only_unchanged_at_its_custodian(
		piece in proptest::collection::vec(any::<u8>(), 0..2_000),
		ids in any::<([u8; 32], [u8; 32], [u8; 32], [u8; 32], [u8; 32])>(),
		commitments in proptest::collection::vec(any::<u8>(), 0..200),
		seeds in any::<([u8; 32], [u8; 32])>(),
		bit in any::<Index>(),
		field in 0usize..6,
		field_bit in any::<Index>(),
		extra in any::<u8>(),
	) {
		let (genesis, custodian, patient, author, archive) = ids;
		let (secret, public) = x25519_keypair_from_seed(&seeds.0);
		let write = Write { patient, author, archive_id: archive };
		let put = PutRequest::seal(genesis, (custodian, &public), (write, NEW), commitments.clone(), &piece)
			.unwrap();
		prop_assert_eq!(&put.open(&secret).unwrap(), &piece);
		prop_assert_eq!(
			(put.genesis_hash, put.custodian, put.write.patient, put.write.author, put.write.archive_id, &put.commitments),
			(genesis, custodian, patient, author, archive, &commitments)
		);
		// Through the wire and back.
		let decoded = PutRequest::decode(&mut put.encode().as_slice()).unwrap();
		prop_assert_eq!(&decoded.open(&secret).unwrap(), &piece);

		// A flipped bit of the sealed piece.
		let mut altered = put.clone();
		let at = bit.index((32 + put.sealed_piece.ciphertext.len()) * 8);
		if at < 32 * 8 {
			flip(&mut altered.sealed_piece.encapsulated_key, at);
		} else {
			flip(&mut altered.sealed_piece.ciphertext, at - 32 * 8);
		}
		prop_assert!(altered.open(&secret).is_err(), "a flipped bit opened");

		// Another custodian secret.
		if seeds.1 != seeds.0 {
			let (other_secret, _) = x25519_keypair_from_seed(&seeds.1);
			prop_assert_eq!(put.open(&other_secret), Err(ProtocolError::Open));
		}

		// Re-addressed: a flipped bit of the chain, custodian, patient, author, archive id or
		// commitments; or the commitments extended or cut short.
		let mut altered = put.clone();
		let fields = put_fields(&mut altered);
		let bytes = &mut *fields[field];
		if bytes.is_empty() {
			// Empty commitments: nothing to flip, extend them instead.
			altered.commitments.push(extra);
		} else {
			let len = bytes.len();
			flip(bytes, field_bit.index(len * 8));
		}
		prop_assert_eq!(altered.open(&secret), Err(ProtocolError::Open));
		let mut altered = put.clone();
		altered.commitments.push(extra);
		prop_assert_eq!(altered.open(&secret), Err(ProtocolError::Open));
		if !put.commitments.is_empty() {
			let mut altered = put.clone();
			altered.commitments.pop();
			prop_assert_eq!(altered.open(&secret), Err(ProtocolError::Open));
		}

		// A piece sealed to the same key for a reader does not open as a put.
		let as_get = GetRequest {
			genesis_hash: genesis,
			custodian,
			record: 0,
			reader: patient,
			ephemeral_public: public,
			nonce: [0; 16],
			issued_at_ms: 0,
		};
		let sealed = seal_piece(&piece, &as_get).unwrap();
		prop_assert_eq!(
			PutRequest { sealed_piece: sealed, ..put }.open(&secret),
			Err(ProtocolError::Open)
		);
	}
}
