//! `regenerate`: every piece of an archive is rebuilt byte for byte from `k` others, bad pieces
//! are skipped, and nothing unverified or unauthenticated is ever returned.

mod common;

use common::{encode, payload, RECORD};
use ehr_archive_codec::{
	decode, piece_hash, regenerate, Commitments, Encoded, Error, Piece, Reason, SEGMENT_SIZE,
};

/// The (k, n) pairs the repair tests cover.
const PARAMETERS: [(u8, u8); 6] = [(1, 1), (1, 3), (2, 3), (3, 5), (5, 9), (10, 16)];
/// A small segment size, so that payloads of a few KiB span many segments per part.
const SEGMENT: u32 = 256;

/// Payload sizes: empty, one byte, a few KiB (a multiple of the segment size and not), parts of
/// exactly two segments, and one byte more.
fn sizes(k: u8) -> Vec<usize> {
	let two_segments = 2 * SEGMENT as usize * usize::from(k);
	vec![0, 1, 3 * 1024 + 5, 4 * 1024, two_segments, two_segments + 1]
}

/// A pseudo-random permutation of `items` (xorshift; deterministic per seed).
fn shuffled<T>(mut items: Vec<T>, seed: u64) -> Vec<T> {
	let mut state = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
	for i in (1..items.len()).rev() {
		state ^= state << 13;
		state ^= state >> 7;
		state ^= state << 17;
		items.swap(i, (state % (i as u64 + 1)) as usize);
	}
	items
}

/// A pseudo-random `k`-subset of the pieces other than `lost`, in a pseudo-random order.
fn k_others(encoded: &Encoded, lost: usize, seed: u64) -> Vec<Piece> {
	let k = usize::from(encoded.commitments.threshold);
	let others: Vec<Piece> =
		encoded.pieces.iter().filter(|p| usize::from(p.index) != lost).cloned().collect();
	let mut chosen = shuffled(others, seed);
	chosen.truncate(k);
	chosen
}

/// Regenerates every piece of `encoded` from a random `k`-subset of the others and checks it is
/// the original piece, byte for byte and on the wire.
fn every_piece_regenerates(encoded: &Encoded, seed: u64, what: &str) {
	let (k, n) = (usize::from(encoded.commitments.threshold), encoded.pieces.len());
	for (lost, original) in encoded.pieces.iter().enumerate() {
		if n - 1 < k {
			// (1, 1): no other piece; the piece itself is its own source.
			let itself = regenerate(&RECORD, &encoded.commitments, &encoded.pieces, lost as u8);
			assert_eq!(itself.as_ref(), Ok(original), "{what}: piece {lost} from itself");
			continue;
		}
		let others = k_others(encoded, lost, seed ^ lost as u64);
		assert_eq!(others.len(), k);
		assert!(others.iter().all(|p| usize::from(p.index) != lost));
		let regenerated = regenerate(&RECORD, &encoded.commitments, &others, lost as u8)
			.unwrap_or_else(|e| panic!("{what}: piece {lost}: {e}"));
		assert_eq!(&regenerated, original, "{what}: piece {lost}");
		assert_eq!(regenerated.to_bytes(), original.to_bytes(), "{what}: piece {lost} on the wire");
		assert_eq!(encoded.commitments.verify_piece(&regenerated), Ok(()));
	}
}

#[test]
fn every_piece_is_regenerated_byte_for_byte_from_k_others() {
	for (k, n) in PARAMETERS {
		for len in sizes(k) {
			let data = payload(len, k ^ n);
			let encoded = encode(&data, k, n, SEGMENT);
			every_piece_regenerates(
				&encoded,
				len as u64 + u64::from(n),
				&format!("{k}-of-{n}, {len} B"),
			);
		}
	}
}

#[test]
fn every_piece_is_regenerated_with_the_real_segment_size() {
	// Parts of one real segment and a bit: two segments each, the last one short.
	let segment = SEGMENT_SIZE as usize;
	for (k, n) in [(1, 3), (2, 3), (3, 5)] {
		let len = usize::from(k) * segment + 4097;
		let encoded = encode(&payload(len, k), k, n, SEGMENT_SIZE);
		assert_eq!(encoded.commitments.layout().unwrap().segments_per_part(), 2);
		every_piece_regenerates(&encoded, u64::from(k), &format!("{k}-of-{n}, {len} B"));
	}
}

#[test]
fn pieces_of_a_real_encode_are_regenerated() {
	// `encode` itself: a key from the operating system and the real segment size.
	for (k, n) in [(1, 2), (3, 5), (4, 7)] {
		let data = payload(10_000, n);
		let encoded = ehr_archive_codec::encode(&data, &RECORD, k, n).unwrap();
		every_piece_regenerates(&encoded, 7, &format!("encode {k}-of-{n}"));
	}
}

#[test]
fn any_k_subset_regenerates_every_other_piece() {
	// 3-of-5 exhaustively: every lost piece from every 3-subset of the other four.
	let encoded = encode(&payload(2000, 1), 3, 5, SEGMENT);
	for lost in 0..5usize {
		let others: Vec<usize> = (0..5).filter(|&i| i != lost).collect();
		for subset in common::subsets(4, 3) {
			let pieces: Vec<Piece> =
				subset.iter().map(|&s| encoded.pieces[others[s]].clone()).collect();
			let regenerated = regenerate(&RECORD, &encoded.commitments, &pieces, lost as u8);
			assert_eq!(regenerated.as_ref(), Ok(&encoded.pieces[lost]), "{lost} from {subset:?}");
		}
	}
}

#[test]
fn fewer_than_k_good_pieces_is_the_error_decode_gives() {
	for (k, n) in PARAMETERS {
		let encoded = encode(&payload(3000, k), k, n, SEGMENT);
		for lost in 0..usize::from(n) {
			let mut pieces = k_others(&encoded, lost, 11);
			pieces.truncate(usize::from(k) - 1);
			// A bad piece does not count.
			let mut bad = encoded.pieces[(lost + 1) % usize::from(n)].clone();
			bad.share[0] ^= 1;
			pieces.push(bad);
			let got = regenerate(&RECORD, &encoded.commitments, &pieces, lost as u8);
			match &got {
				Err(Error::TooFewGoodPieces { good, needed, rejected }) => {
					assert_eq!((*good, *needed), (usize::from(k) - 1, k), "{k}-of-{n}");
					assert_eq!(rejected.len(), 1);
					assert_eq!(rejected[0].reason, Reason::CommitmentMismatch);
				},
				other => {
					panic!("{k}-of-{n}, piece {lost}: expected TooFewGoodPieces, got {other:?}")
				},
			}
			assert_eq!(got.map(drop), decode(&RECORD, &encoded.commitments, &pieces).map(drop));
		}
		assert!(matches!(
			regenerate(&RECORD, &encoded.commitments, &[], 0),
			Err(Error::TooFewGoodPieces { good: 0, .. })
		));
	}
}

/// Ways to damage a piece; each must make `regenerate` skip it.
fn damaged(piece: &Piece, how: usize) -> Piece {
	let mut bad = piece.clone();
	match how % 5 {
		0 => {
			let at = how % bad.fragment.len();
			bad.fragment[at] ^= 0x80;
		},
		1 => bad.share[how % 32] ^= 1,
		2 => bad.index = bad.index.wrapping_add(1),
		3 => {
			bad.fragment.pop();
		},
		_ => bad.fragment.extend_from_slice(&[0; 64]),
	}
	bad
}

/// `regenerate` gave back `expected`; on failure, says what it gave without printing fragments.
fn assert_regenerated(got: Result<Piece, Error>, expected: &Piece, what: &str) {
	match got {
		Ok(piece) => assert!(piece == *expected, "{what}: another piece ({})", piece.index),
		Err(error) => panic!("{what}: {error:?}"),
	}
}

#[test]
fn a_corrupt_piece_among_k_plus_one_is_skipped() {
	for (k, n) in PARAMETERS.into_iter().filter(|&(k, n)| k < n) {
		let (k_, n_) = (usize::from(k), usize::from(n));
		let encoded = encode(&payload(5000, n), k, n, SEGMENT);
		for lost in 0..n_ {
			for how in 0..5 {
				let what = format!("{k}-of-{n}: piece {lost}, damage {how}");
				let others: Vec<Piece> = shuffled(
					encoded
						.pieces
						.iter()
						.filter(|p| usize::from(p.index) != lost)
						.cloned()
						.collect(),
					(lost * 5 + how) as u64,
				);
				// k + 1 of the other pieces, when there are that many, one of them damaged ...
				if others.len() > k_ {
					let mut pieces = others[..=k_].to_vec();
					let at = how % pieces.len();
					pieces[at] = damaged(&pieces[at], how);
					let got = regenerate(&RECORD, &encoded.commitments, &pieces, lost as u8);
					assert_regenerated(got, &encoded.pieces[lost], &what);
				}
				// ... or k good others and a damaged copy of the lost piece itself.
				let mut pieces = others[..k_].to_vec();
				pieces.insert(how % (k_ + 1), damaged(&encoded.pieces[lost], how));
				let got = regenerate(&RECORD, &encoded.commitments, &pieces, lost as u8);
				assert_regenerated(
					got,
					&encoded.pieces[lost],
					&format!("{what}, lost one damaged"),
				);
			}
		}
	}
}

#[test]
fn an_index_out_of_range_is_an_error() {
	for (k, n) in PARAMETERS {
		let encoded = encode(&payload(100, k), k, n, SEGMENT);
		for index in [n, n.saturating_add(1), 255] {
			assert_eq!(
				regenerate(&RECORD, &encoded.commitments, &encoded.pieces, index),
				Err(Error::BadPiece(Reason::IndexOutOfRange { n })),
				"{k}-of-{n}, index {index}"
			);
		}
	}
}

#[test]
fn nothing_is_regenerated_without_authentication() {
	let encoded = encode(&payload(3000, 9), 3, 5, SEGMENT);
	let others = encoded.pieces[..3].to_vec();
	// The wrong record id: the ciphertext does not open.
	assert_eq!(regenerate(&[9; 32], &encoded.commitments, &others, 4), Err(Error::Authentication));
	// A tampered fragment that the commitments were changed to match (a lying encoder, or
	// commitments not checked against the chain): caught by the AEAD.
	let mut commitments = encoded.commitments.clone();
	let mut pieces = others.clone();
	pieces[1].fragment[0] ^= 1;
	commitments.piece_hashes[1] = piece_hash(1, &pieces[1].fragment, &pieces[1].share);
	for lost in [3, 4] {
		assert_eq!(regenerate(&RECORD, &commitments, &pieces, lost), Err(Error::Authentication));
	}
	// Invalid commitments.
	let mut invalid = encoded.commitments.clone();
	invalid.threshold = 0;
	assert!(matches!(
		regenerate(&RECORD, &invalid, &others, 4),
		Err(Error::InvalidParameters { k: 0, .. })
	));
}

#[test]
fn a_piece_that_does_not_match_its_commitment_is_never_returned() {
	// An encoder that committed to a piece outside the encoding (here: the committed hashes of
	// pieces 0 and 4 replaced by those of altered pieces). The rest still authenticates, but what
	// is rebuilt is the true piece, whose hash is not the committed one: an error, not a piece.
	let encoded = encode(&payload(3000, 4), 3, 5, SEGMENT);
	let mut commitments: Commitments = encoded.commitments.clone();
	let mut parity = encoded.pieces[4].clone();
	parity.fragment[10] ^= 1;
	commitments.piece_hashes[4] = piece_hash(4, &parity.fragment, &parity.share);
	let mut original = encoded.pieces[0].clone();
	original.share[5] ^= 1;
	commitments.piece_hashes[0] = piece_hash(0, &original.fragment, &original.share);

	let from = encoded.pieces[1..4].to_vec();
	assert_eq!(decode(&RECORD, &commitments, &from).map(|d| d.payload), Ok(payload(3000, 4)));
	for lost in [0, 4] {
		assert_eq!(
			regenerate(&RECORD, &commitments, &from, lost),
			Err(Error::BadPiece(Reason::CommitmentMismatch)),
			"piece {lost}"
		);
	}
	// The pieces that agree with their commitments are still rebuilt.
	let from: Vec<Piece> = [1, 2, 3].iter().map(|&i| encoded.pieces[i].clone()).collect();
	assert_eq!(regenerate(&RECORD, &commitments, &from, 2).as_ref(), Ok(&encoded.pieces[2]));
}
