//! Property tests of the custody protocol: a signed request is accepted exactly as signed (any
//! flipped bit of it or of its signature is refused); decoding arbitrary bytes never panics;
//! the replay guard agrees with a plain model (each (reader, nonce) served once while fresh,
//! stale and future requests refused, memory bounded with `Busy` when full); a sealed piece
//! opens only unchanged and only for the request it was sealed to.
use std::collections::BTreeMap;

use codec::{Decode, Encode};
use ehr_custody_protocol::{
	ephemeral_keypair, open_piece, seal_piece, GetRequest, PutRequest, Refusal, ReplayGuard,
	SealedPiece, SignedGetRequest,
};
use proptest::prelude::*;
use schnorrkel::{ExpansionMode, MiniSecretKey};

const GENESIS: [u8; 32] = [1; 32];
const CUSTODIAN: [u8; 32] = [2; 32];
const NOW: u64 = 1_000_000;

fn signed(seed: [u8; 32], record: u64, nonce: [u8; 16], issued_at_ms: u64) -> SignedGetRequest {
	let pair = MiniSecretKey::from_bytes(&seed).unwrap().expand_to_keypair(ExpansionMode::Ed25519);
	let request = GetRequest {
		genesis_hash: GENESIS,
		custodian: CUSTODIAN,
		record,
		reader: pair.public.to_bytes(),
		ephemeral_public: [3; 32],
		nonce,
		issued_at_ms,
	};
	request.sign_with(|payload| pair.sign_simple(b"substrate", payload).to_bytes())
}

/// A model of the replay guard: what it must answer, given what it accepted before.
struct GuardModel {
	window: u64,
	capacity: usize,
	/// (reader, nonce) → issued at, for accepted requests.
	accepted: BTreeMap<([u8; 32], [u8; 16]), u64>,
}

impl GuardModel {
	fn check(&mut self, reader: [u8; 32], nonce: [u8; 16], issued: u64, now: u64) -> &'static str {
		// Forgotten once it can no longer be fresh.
		self.accepted.retain(|_, at| at.saturating_add(self.window) >= now);
		if issued.abs_diff(now) > self.window {
			return "stale";
		}
		if self.accepted.contains_key(&(reader, nonce)) {
			return "replayed";
		}
		if self.accepted.len() >= self.capacity {
			return "busy";
		}
		self.accepted.insert((reader, nonce), issued);
		"ok"
	}
}

fn answer(result: Result<(), Refusal>) -> &'static str {
	match result {
		Ok(()) => "ok",
		Err(Refusal::Stale { .. }) => "stale",
		Err(Refusal::Replayed) => "replayed",
		Err(Refusal::Busy) => "busy",
		Err(other) => panic!("unexpected refusal {other:?}"),
	}
}

proptest! {
	#![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

	#[test]
	fn a_request_is_accepted_exactly_as_signed(
		seed in any::<[u8; 32]>(),
		record in any::<u64>(),
		nonce in any::<[u8; 16]>(),
		bit in 0usize..(8 * 64),
		flip_signature in any::<bool>(),
	) {
		let good = signed(seed, record, nonce, NOW);
		prop_assert_eq!(good.verify(&GENESIS, &CUSTODIAN, &mut ReplayGuard::new(1000, 8), NOW), Ok(()));

		let mut bytes = good.encode();
		// A bit of the request's fields (all but the signature) or of the signature.
		let request_len = bytes.len() - 64;
		let at = if flip_signature { request_len + bit / 8 } else { (bit / 8) % request_len };
		bytes[at] ^= 1 << (bit % 8);
		let altered = SignedGetRequest::decode(&mut bytes.as_slice()).unwrap();
		let verdict = altered.verify(&GENESIS, &CUSTODIAN, &mut ReplayGuard::new(u64::MAX, 8), NOW);
		prop_assert!(verdict.is_err(), "an altered request was accepted");
	}

	#[test]
	fn decoding_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
		let _ = SignedGetRequest::decode(&mut bytes.as_slice());
		let _ = PutRequest::decode(&mut bytes.as_slice());
		let _ = SealedPiece::decode(&mut bytes.as_slice());
	}

	#[test]
	fn the_replay_guard_agrees_with_its_model(
		steps in proptest::collection::vec((0u8..4, 0u8..6, 0u64..3_000, 0u64..400), 1..80),
		window in 1u64..1_000,
		capacity in 1usize..6,
	) {
		let mut guard = ReplayGuard::new(window, capacity);
		let mut model = GuardModel { window, capacity, accepted: BTreeMap::new() };
		let mut now = NOW;
		for (reader, nonce, issued_offset, advance) in steps {
			now += advance;
			// Issued from well before to well after `now`.
			let issued = (now + issued_offset).saturating_sub(1_500);
			let request = GetRequest {
				genesis_hash: GENESIS,
				custodian: CUSTODIAN,
				record: 0,
				reader: [reader; 32],
				ephemeral_public: [0; 32],
				nonce: [nonce; 16],
				issued_at_ms: issued,
			};
			let got = answer(guard.check(&request, now));
			prop_assert_eq!(got, model.check([reader; 32], [nonce; 16], issued, now));
			prop_assert!(guard.len() <= capacity);
		}
	}

	#[test]
	fn a_sealed_piece_opens_only_unchanged_and_for_its_request(
		piece in proptest::collection::vec(any::<u8>(), 0..2_000),
		bit in any::<prop::sample::Index>(),
		record in any::<u64>(),
	) {
		let (secret, public) = ephemeral_keypair().unwrap();
		let request = GetRequest {
			genesis_hash: GENESIS,
			custodian: CUSTODIAN,
			record,
			reader: [4; 32],
			ephemeral_public: public,
			nonce: [5; 16],
			issued_at_ms: NOW,
		};
		let sealed = seal_piece(&piece, &request).unwrap();
		prop_assert_eq!(open_piece(&sealed, &secret, &request).unwrap(), piece);

		let mut bytes = sealed.encode();
		let at = bit.index(bytes.len() * 8);
		bytes[at / 8] ^= 1 << (at % 8);
		if let Ok(altered) = SealedPiece::decode(&mut bytes.as_slice()) {
			prop_assert!(open_piece(&altered, &secret, &request).is_err(), "a flipped bit opened");
		}
		let other = GetRequest { record: record.wrapping_add(1), ..request };
		prop_assert!(open_piece(&sealed, &secret, &other).is_err(), "opened for another request");
	}
}
