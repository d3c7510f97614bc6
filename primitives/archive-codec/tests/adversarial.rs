//! A wrong key, a tampered fragment, a swapped index, a wrong record id, a
//! tampered header or forged commitments never yield bytes.

mod common;

use common::{encode, payload, RECORD};
use ehr_archive_codec::{
	decode, encode_with_key_and_rng, piece_hash, Commitments, Error, Piece, Reason, Version,
	MAX_SEGMENT_SIZE,
};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

/// Recomputes every piece hash: what an attacker who controls the commitments
/// (or a malicious author) can do. Only the AEAD stands in the way then.
fn recommit(commitments: &mut Commitments, pieces: &[Piece]) {
	for piece in pieces {
		commitments.piece_hashes[usize::from(piece.index)] =
			piece_hash(piece.index, &piece.fragment, &piece.share);
	}
}

#[test]
fn wrong_record_id_fails_authentication() {
	let data = payload(10_000, 1);
	let encoded = encode(&data, 3, 5, 1000);
	let other = *b"record-0000000000000000000000002";
	for pieces in [&encoded.pieces[..3], &encoded.pieces[2..]] {
		assert_eq!(decode(&other, &encoded.commitments, pieces), Err(Error::Authentication));
	}
	// The root also tells the two records apart, before any decryption.
	assert!(encoded.commitments.verify_root(&RECORD, &encoded.root));
	assert!(!encoded.commitments.verify_root(&other, &encoded.root));
}

#[test]
fn wrong_key_fails_authentication() {
	let data = payload(3000, 2);
	let encoded = encode(&data, 3, 5, 1000);
	// Shares of another key, committed as if they were the right ones.
	let other = encode_with_key_and_rng(
		&data,
		&RECORD,
		3,
		5,
		1000,
		&[0x43; 32],
		ChaCha20Rng::from_seed([7; 32]),
	)
	.unwrap();
	let mut pieces = encoded.pieces.clone();
	for (piece, other) in pieces.iter_mut().zip(&other.pieces) {
		piece.share = other.share;
	}
	let mut commitments = encoded.commitments.clone();
	recommit(&mut commitments, &pieces);
	assert_eq!(decode(&RECORD, &commitments, &pieces[..3]), Err(Error::Authentication));
	// One wrong share among k is enough to get a wrong key.
	let mut pieces = encoded.pieces.clone();
	pieces[1].share[0] ^= 1;
	let mut commitments = encoded.commitments.clone();
	recommit(&mut commitments, &pieces);
	assert_eq!(decode(&RECORD, &commitments, &pieces[..3]), Err(Error::Authentication));
}

#[test]
fn tampered_fragment_never_yields_bytes() {
	let data = payload(3000, 3);
	let encoded = encode(&data, 2, 4, 1000);
	let layout = encoded.commitments.layout().unwrap();
	let last_tag_byte = (layout.part_len() + 16 * layout.segments_per_part()) as usize - 1;
	for (position, byte) in [(0, 0), (0, last_tag_byte), (1, 5), (2, 17), (3, 100)] {
		let mut pieces = encoded.pieces.clone();
		pieces[position].fragment[byte] ^= 0x20;
		// Against the honest commitments the piece is dropped and decode still succeeds
		// from the others.
		let decoded = decode(&RECORD, &encoded.commitments, &pieces).unwrap();
		assert_eq!(decoded.payload, data);
		assert_eq!(decoded.rejected.len(), 1);
		// Against commitments forged to match it, the AEAD rejects it. (Pieces 0 and 1
		// are the ciphertext; parity pieces are used when an original is left out.)
		let mut commitments = encoded.commitments.clone();
		recommit(&mut commitments, &pieces);
		let used: Vec<Piece> = match position {
			0 | 1 => pieces[..2].to_vec(),
			_ => vec![pieces[position].clone(), pieces[if position == 2 { 3 } else { 2 }].clone()],
		};
		assert_eq!(decode(&RECORD, &commitments, &used), Err(Error::Authentication));
	}
}

#[test]
fn swapped_indexes_are_caught_by_the_commitments() {
	let data = payload(2000, 4);
	let encoded = encode(&data, 3, 5, 500);
	let mut pieces = encoded.pieces.clone();
	pieces[0].index = 1;
	pieces[1].index = 0;
	match decode(&RECORD, &encoded.commitments, &pieces[..3]) {
		Err(Error::TooFewGoodPieces { good: 1, needed: 3, rejected }) => {
			assert!(rejected.iter().all(|r| r.reason == Reason::CommitmentMismatch));
			assert_eq!(rejected.len(), 2);
		},
		other => panic!("expected TooFewGoodPieces, got {other:?}"),
	}
	// Even with forged commitments, swapped fragments do not decrypt.
	let mut commitments = encoded.commitments.clone();
	recommit(&mut commitments, &pieces);
	assert_eq!(decode(&RECORD, &commitments, &pieces[..3]), Err(Error::Authentication));
}

#[test]
fn tampered_header_never_yields_bytes() {
	let data = payload(5000, 5);
	let encoded = encode(&data, 3, 5, 1000);
	let mut variants = Vec::new();
	for payload_len in [0, 4999, 5001, 4000, 6000] {
		variants.push(Commitments { payload_len, ..encoded.commitments.clone() });
	}
	for segment_size in [999, 1001, 500, 5000, 1 << 16] {
		variants.push(Commitments { segment_size, ..encoded.commitments.clone() });
	}
	for threshold in [1, 2, 4, 5] {
		variants.push(Commitments { threshold, ..encoded.commitments.clone() });
	}
	for tampered in variants {
		for pieces in [&encoded.pieces[..], &encoded.pieces[..3], &encoded.pieces[2..]] {
			let result = decode(&RECORD, &tampered, pieces);
			assert!(
				matches!(result, Err(Error::Authentication | Error::TooFewGoodPieces { .. })),
				"{tampered:?}: {result:?}"
			);
			// The root changes too, so the chain's anchor would not match.
			assert!(!tampered.verify_root(&RECORD, &encoded.root));
		}
	}
}

#[test]
fn invalid_commitments_are_errors() {
	let encoded = encode(b"x", 2, 3, 16);
	let c = &encoded.commitments;
	let cases = [
		(Commitments { threshold: 0, ..c.clone() }, Error::InvalidParameters { k: 0, n: 3 }),
		(Commitments { threshold: 4, ..c.clone() }, Error::InvalidParameters { k: 4, n: 3 }),
		(
			Commitments { piece_hashes: vec![[0; 32]; 256], ..c.clone() },
			Error::InvalidParameters { k: 2, n: 256 },
		),
		(
			Commitments { segment_size: 0, ..c.clone() },
			Error::InvalidSegmentSize { size: 0, max: MAX_SEGMENT_SIZE },
		),
		(
			Commitments { payload_len: u64::MAX, ..c.clone() },
			Error::PayloadTooLarge { len: u64::MAX, max: ehr_archive_codec::MAX_PAYLOAD_LEN },
		),
	];
	for (commitments, expected) in cases {
		assert_eq!(decode(&RECORD, &commitments, &encoded.pieces), Err(expected.clone()));
		assert_eq!(Commitments::from_bytes(&commitments.to_bytes()), Err(expected));
	}
}

#[test]
fn encode_rejects_invalid_parameters() {
	for (k, n) in [(0, 0), (0, 1), (2, 1), (255, 254)] {
		assert_eq!(
			ehr_archive_codec::encode(b"data", &RECORD, k, n),
			Err(Error::InvalidParameters { k, n: usize::from(n) })
		);
	}
	assert!(ehr_archive_codec::encode(b"data", &RECORD, 255, 255).is_ok());
}

#[test]
fn garbage_pieces_are_rejected_not_trusted() {
	let data = payload(1000, 6);
	let encoded = encode(&data, 2, 3, 256);
	let fragment_len = encoded.pieces[0].fragment.len();
	let garbage: Vec<Piece> = (0..10u8)
		.map(|i| Piece {
			version: Version::V1,
			index: i % 4,
			fragment: payload(fragment_len, i),
			share: [i; 32],
		})
		.collect();
	match decode(&RECORD, &encoded.commitments, &garbage) {
		Err(Error::TooFewGoodPieces { good: 0, needed: 2, rejected }) => {
			assert_eq!(rejected.len(), 10);
			assert!(rejected.iter().all(|r| matches!(
				r.reason,
				Reason::CommitmentMismatch | Reason::IndexOutOfRange { n: 3 }
			)));
		},
		other => panic!("expected TooFewGoodPieces, got {other:?}"),
	}
	// Mixed with good pieces, garbage is reported and the record still decodes.
	let mixed: Vec<Piece> = garbage.into_iter().chain(encoded.pieces.clone()).collect();
	let decoded = decode(&RECORD, &encoded.commitments, &mixed).unwrap();
	assert_eq!(decoded.payload, data);
	assert_eq!(decoded.rejected.len(), 10);
}

#[test]
fn pieces_and_commitments_survive_the_wire() {
	let data = payload(777, 7);
	let encoded = ehr_archive_codec::encode(&data, &RECORD, 3, 4).unwrap();
	let commitments = Commitments::from_bytes(&encoded.commitments.to_bytes()).unwrap();
	assert_eq!(commitments, encoded.commitments);
	let pieces: Vec<Piece> =
		encoded.pieces.iter().map(|p| Piece::from_bytes(&p.to_bytes()).unwrap()).collect();
	assert_eq!(pieces, encoded.pieces);
	for piece in &pieces {
		assert_eq!(commitments.verify_piece(piece), Ok(()));
		// version (1) + index (1) + compact length (2 here) + fragment + share (32)
		assert_eq!(piece.to_bytes().len(), 1 + 1 + 2 + piece.fragment.len() + 32);
	}
	assert_eq!(decode(&RECORD, &commitments, &pieces[1..]).unwrap().payload, data);
	// version (1) + k (1) + length (8) + segment size (4) + compact n (1) + 32 per piece
	assert_eq!(commitments.to_bytes().len(), 1 + 1 + 8 + 4 + 1 + 32 * 4);
}

#[test]
fn fresh_key_every_time() {
	let a = ehr_archive_codec::encode(b"same payload", &RECORD, 2, 3).unwrap();
	let b = ehr_archive_codec::encode(b"same payload", &RECORD, 2, 3).unwrap();
	assert_ne!(a.pieces[0].fragment, b.pieces[0].fragment);
	assert_ne!(a.root, b.root);
}
