//! Committed test vectors (`tests/vectors/*.json`).
//!
//! Encryption is randomized, so a vector fixes the key and the seed of the
//! ChaCha20 generator that draws the Shamir coefficients, and is checked both
//! ways: decoding the committed pieces gives the payload, and the deterministic
//! encoder reproduces the committed commitments and pieces byte for byte.
//!
//! `the_generator_writes_the_committed_vectors` checks that the committed files are exactly what
//! the generator writes. Regenerate them (only after a deliberate format change, with a new
//! version byte): `EHR_REGENERATE_VECTORS=1 cargo test -p ehr-archive-codec --test vectors`

use std::{fs, path::PathBuf};

use ehr_archive_codec::{
	decode, encode_with_key_and_rng, Commitments, Piece, RecordId, SEGMENT_SIZE,
};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
struct Vector {
	description: String,
	record_id: String,
	k: u8,
	n: u8,
	segment_size: u32,
	key: String,
	shamir_rng_seed: String,
	payload: String,
	/// SCALE encoding of the commitments.
	commitments: String,
	root: String,
	/// SCALE encoding of each piece, in index order.
	pieces: Vec<String>,
}

fn dir() -> PathBuf {
	PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/vectors")
}

fn array<const N: usize>(hex_str: &str) -> [u8; N] {
	hex::decode(hex_str).unwrap().try_into().unwrap()
}

fn load() -> Vec<(String, Vector)> {
	let mut vectors: Vec<_> = fs::read_dir(dir())
		.unwrap()
		.map(|entry| entry.unwrap().path())
		.filter(|path| path.extension().is_some_and(|e| e == "json"))
		.map(|path| {
			let name = path.file_name().unwrap().to_string_lossy().into_owned();
			(name, serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap())
		})
		.collect();
	vectors.sort_by(|a, b| a.0.cmp(&b.0));
	assert!(vectors.len() >= 5, "vectors missing from {}", dir().display());
	vectors
}

fn encode_vector(v: &Vector) -> ehr_archive_codec::Encoded {
	encode_with_key_and_rng(
		&hex::decode(&v.payload).unwrap(),
		&array(&v.record_id),
		v.k,
		v.n,
		v.segment_size,
		&array(&v.key),
		ChaCha20Rng::from_seed(array(&v.shamir_rng_seed)),
	)
	.unwrap()
}

#[test]
fn committed_pieces_decode_to_the_payload() {
	for (name, v) in load() {
		let record_id: RecordId = array(&v.record_id);
		let commitments = Commitments::from_bytes(&hex::decode(&v.commitments).unwrap()).unwrap();
		assert!(commitments.verify_root(&record_id, &array(&v.root)), "{name}");
		let pieces: Vec<Piece> =
			v.pieces.iter().map(|p| Piece::from_bytes(&hex::decode(p).unwrap()).unwrap()).collect();
		let payload = hex::decode(&v.payload).unwrap();
		let k = usize::from(v.k);
		for chosen in [&pieces[..k], &pieces[pieces.len() - k..]] {
			let decoded = decode(&record_id, &commitments, chosen).unwrap();
			assert_eq!(decoded.payload, payload, "{name}");
		}
	}
}

#[test]
fn deterministic_encoder_reproduces_the_vectors() {
	for (name, v) in load() {
		let encoded = encode_vector(&v);
		assert_eq!(hex::encode(encoded.commitments.to_bytes()), v.commitments, "{name}");
		assert_eq!(hex::encode(encoded.root), v.root, "{name}");
		let pieces: Vec<String> =
			encoded.pieces.iter().map(|p| hex::encode(p.to_bytes())).collect();
		assert_eq!(pieces, v.pieces, "{name}");
	}
}

#[test]
fn the_generator_writes_the_committed_vectors() {
	let text = |len: usize| -> Vec<u8> {
		let line = b"ehr-chain archive codec test vector: not a health record. ";
		line.iter().copied().cycle().take(len).collect()
	};
	let s = SEGMENT_SIZE;
	let cases = [
		(
			"01-empty-1-of-1",
			"empty payload, k = n = 1: one empty segment; the share is the key",
			1,
			1,
			s,
			vec![],
		),
		(
			"02-short-2-of-3",
			"short payload, one segment per part",
			2,
			3,
			s,
			b"hello, ehr-chain".to_vec(),
		),
		(
			"03-segments-3-of-5",
			"three parts of 334 bytes, two 256-byte segments each",
			3,
			5,
			256,
			text(1000),
		),
		("04-replicated-1-of-3", "k = 1: every share is the key", 1, 3, s, text(300)),
		(
			"05-no-parity-4-of-4",
			"k = n: no parity fragments; 128-byte segments",
			4,
			4,
			128,
			text(500),
		),
		(
			"06-exact-fit-2-of-7",
			"two parts of 176 bytes plus one tag fill 192-byte fragments: no padding",
			2,
			7,
			s,
			text(352),
		),
	];
	for (i, (name, description, k, n, segment_size, payload)) in cases.into_iter().enumerate() {
		let mut v = Vector {
			description: description.into(),
			record_id: hex::encode(blake3::hash(name.as_bytes()).as_bytes()),
			k,
			n,
			segment_size,
			key: hex::encode(blake3::derive_key(
				"ehr-chain archive-codec test vector key",
				&[i as u8],
			)),
			shamir_rng_seed: hex::encode(blake3::derive_key(
				"ehr-chain archive-codec test vector rng",
				&[i as u8],
			)),
			payload: hex::encode(payload),
			commitments: String::new(),
			root: String::new(),
			pieces: vec![],
		};
		let encoded = encode_vector(&v);
		v.commitments = hex::encode(encoded.commitments.to_bytes());
		v.root = hex::encode(encoded.root);
		v.pieces = encoded.pieces.iter().map(|p| hex::encode(p.to_bytes())).collect();
		let json = serde_json::to_string_pretty(&v).unwrap() + "\n";
		let path = dir().join(format!("{name}.json"));
		if std::env::var_os("EHR_REGENERATE_VECTORS").is_some() {
			fs::write(&path, json).unwrap();
		} else {
			let committed = fs::read_to_string(&path).unwrap_or_default();
			assert_eq!(committed, json, "{name}: regenerate with EHR_REGENERATE_VECTORS=1");
		}
	}
}
