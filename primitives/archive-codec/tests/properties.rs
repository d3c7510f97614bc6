//! Property tests: any k good pieces rebuild the payload; damaged pieces are
//! reported exactly; whatever is changed, decode returns the payload or an error;
//! any k other pieces regenerate a lost piece byte for byte.

mod common;

use common::{encode, RECORD};
use ehr_archive_codec::{decode, regenerate, Commitments, Error, Piece, Reason};
use proptest::{prelude::*, sample::subsequence};

/// (payload, k, n, segment size)
fn record() -> impl Strategy<Value = (Vec<u8>, u8, u8, u32)> {
	(1u8..=12, 0u8..=8, 1u32..=700, proptest::collection::vec(any::<u8>(), 0..3000))
		.prop_map(|(k, extra, segment, payload)| (payload, k, k.saturating_add(extra), segment))
}

proptest! {
	#![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

	#[test]
	fn any_k_other_pieces_regenerate_a_lost_piece_exactly(
		(payload, k, n, segment) in record(),
		lost in any::<prop::sample::Index>(),
		seed in any::<u64>(),
	) {
		let encoded = encode(&payload, k, n, segment);
		let lost = lost.index(usize::from(n));
		// k of the other pieces (when there are k others), in a pseudo-random order, with a
		// corrupt copy of one of them at a pseudo-random position: it must be skipped.
		let mut others: Vec<Piece> =
			(0..usize::from(n)).filter(|&i| i != lost).map(|i| encoded.pieces[i].clone()).collect();
		prop_assume!(others.len() >= usize::from(k));
		let turn = (seed as usize) % others.len();
		others.rotate_left(turn);
		others.truncate(usize::from(k));
		let mut corrupt = others[0].clone();
		if let Some(byte) = corrupt.fragment.first_mut() { *byte ^= 1 } else { corrupt.share[0] ^= 1 }
		let at = (seed >> 32) as usize % (others.len() + 1);
		others.insert(at, corrupt);
		let regenerated = regenerate(&RECORD, &encoded.commitments, &others, lost as u8).unwrap();
		prop_assert_eq!(&regenerated, &encoded.pieces[lost]);

		// One good piece fewer than k is not enough, even with a damaged copy of the lost one.
		others.remove(at);
		others.truncate(usize::from(k) - 1);
		let mut damaged_lost = encoded.pieces[lost].clone();
		damaged_lost.share[0] ^= 1;
		others.push(damaged_lost);
		let too_few = regenerate(&RECORD, &encoded.commitments, &others, lost as u8);
		prop_assert!(
			matches!(too_few, Err(Error::TooFewGoodPieces { .. })),
			"too few pieces: {:?}",
			too_few
		);
		// An index beyond n is refused.
		prop_assert_eq!(
			regenerate(&RECORD, &encoded.commitments, &encoded.pieces, n),
			Err(Error::BadPiece(Reason::IndexOutOfRange { n }))
		);
	}

	#[test]
	fn any_k_pieces_in_any_order_rebuild_the_payload(
		(payload, k, n, segment) in record(),
		seed in any::<u64>(),
	) {
		let encoded = encode(&payload, k, n, segment);
		// A pseudo-random k-subset in a pseudo-random order.
		let mut order: Vec<usize> = (0..usize::from(n)).collect();
		let mut state = seed | 1;
		for i in (1..order.len()).rev() {
			state ^= state << 13;
			state ^= state >> 7;
			state ^= state << 17;
			order.swap(i, (state % (i as u64 + 1)) as usize);
		}
		let pieces: Vec<Piece> =
			order[..usize::from(k)].iter().map(|&i| encoded.pieces[i].clone()).collect();
		let decoded = decode(&RECORD, &encoded.commitments, &pieces).unwrap();
		prop_assert_eq!(decoded.payload, payload);
		prop_assert!(decoded.rejected.is_empty());
	}

	#[test]
	fn damaged_pieces_are_reported_exactly(
		(payload, k, n, segment) in record(),
		damaged in subsequence((0..20usize).collect::<Vec<_>>(), 0..20),
		byte in any::<prop::sample::Index>(),
	) {
		let encoded = encode(&payload, k, n, segment);
		let damaged: Vec<usize> = damaged.into_iter().filter(|&d| d < usize::from(n)).collect();
		let mut pieces = encoded.pieces.clone();
		for &position in &damaged {
			let fragment = &mut pieces[position].fragment;
			let at = byte.index(fragment.len());
			fragment[at] ^= 0x5a;
		}
		let result = decode(&RECORD, &encoded.commitments, &pieces);
		let good = usize::from(n) - damaged.len();
		if good >= usize::from(k) {
			let decoded = result.unwrap();
			prop_assert_eq!(decoded.payload, payload);
			let reported: Vec<usize> = decoded.rejected.iter().map(|r| r.position).collect();
			prop_assert_eq!(reported, damaged);
			prop_assert!(decoded.rejected.iter().all(|r| r.reason == Reason::CommitmentMismatch));
		} else {
			match result {
				Err(Error::TooFewGoodPieces { good: g, needed, rejected }) => {
					prop_assert_eq!((g, needed, rejected.len()), (good, k, damaged.len()));
				},
				other => prop_assert!(false, "expected TooFewGoodPieces, got {:?}", other),
			}
		}
	}

	/// Arbitrary edits to the commitments (re-committed or not) and the pieces:
	/// decode may fail, but when it succeeds the bytes are the payload.
	#[test]
	fn whatever_is_changed_decode_never_returns_other_bytes(
		(payload, k, n, segment) in record(),
		edits in proptest::collection::vec((any::<u8>(), any::<u16>(), any::<u8>()), 1..6),
		recommit in any::<bool>(),
		header in any::<(u8, i8, i8)>(),
	) {
		let encoded = encode(&payload, k, n, segment);
		let mut pieces = encoded.pieces.clone();
		for &(piece, at, value) in &edits {
			let piece = &mut pieces[usize::from(piece) % usize::from(n)];
			match at % 3 {
				0 => piece.share[usize::from(at) % 32] ^= value | 1,
				1 => piece.index = value,
				_ => {
					let i = usize::from(at) % piece.fragment.len();
					piece.fragment[i] ^= value | 1;
				},
			}
		}
		let mut commitments: Commitments = encoded.commitments.clone();
		if recommit {
			for piece in &pieces {
				if let Some(h) = commitments.piece_hashes.get_mut(usize::from(piece.index)) {
					*h = ehr_archive_codec::piece_hash(piece.index, &piece.fragment, &piece.share);
				}
			}
		}
		let (field, delta_len, delta_segment) = header;
		match field % 4 {
			0 => {},
			1 => commitments.payload_len = commitments.payload_len.saturating_add_signed(delta_len.into()),
			2 => commitments.segment_size = commitments.segment_size.saturating_add_signed(delta_segment.into()),
			_ => commitments.threshold = commitments.threshold.wrapping_add(delta_len as u8),
		}
		if let Ok(decoded) = decode(&RECORD, &commitments, &pieces) {
			prop_assert_eq!(decoded.payload, payload);
		}
	}
}
