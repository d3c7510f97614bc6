//! Round trips: every (k, n) up to 16 at every size boundary, loss of any n - k
//! pieces, corrupted, missing, reordered and duplicated pieces, large payloads.

mod common;

use common::{encode, payload, pick, subsets, RECORD};
use ehr_archive_codec::{decode, Error, Layout, Reason, Rejected, FRAGMENT_ALIGN, SEGMENT_SIZE};

/// Payload lengths around every boundary for threshold `k` and segment size `s`:
/// empty, one byte, one and two segments ±1, one and two segments per part ±1,
/// and the first lengths from 1 and from `2ks` that split into `k` equal parts
/// filling their fragments exactly (no alignment padding), ±1.
fn boundary_sizes(k: u8, s: usize) -> Vec<usize> {
	let ks = usize::from(k) * s;
	let mut sizes = vec![0, 1, s - 1, s, s + 1, 2 * s - 1, 2 * s + 1, ks - 1, ks, ks + 1];
	sizes.extend([2 * ks - 1, 2 * ks + 1]);
	for from in [1, 2 * ks] {
		let exact = (from..).find(|&len| is_exact(len, k, s)).unwrap();
		sizes.extend([exact - 1, exact, exact + 1]);
	}
	sizes.sort_unstable();
	sizes.dedup();
	sizes
}

fn is_exact(len: usize, k: u8, s: usize) -> bool {
	let layout = Layout::new(len as u64, s as u32, k, usize::from(k)).unwrap();
	let content = layout.part_len() + 16 * layout.segments_per_part();
	len.is_multiple_of(usize::from(k)) && layout.fragment_len() == content
}

#[test]
fn boundary_sizes_include_exactly_aligned_ciphertexts() {
	for k in 1..=16u8 {
		let sizes = boundary_sizes(k, 200);
		assert!(sizes.iter().filter(|&&len| is_exact(len, k, 200)).count() >= 1, "k {k}");
		// Just past an exact fit, a fragment gains a whole 64-byte block of padding.
		let exact = sizes.iter().copied().find(|&len| is_exact(len, k, 200)).unwrap();
		let at = Layout::new(exact as u64, 200, k, usize::from(k)).unwrap();
		let past = Layout::new(exact as u64 + 1, 200, k, usize::from(k)).unwrap();
		assert_eq!(past.fragment_len(), at.fragment_len() + FRAGMENT_ALIGN, "k {k}");
	}
}

#[test]
fn every_k_and_n_up_to_16_round_trips_at_every_boundary() {
	// A small segment size keeps this fast in debug builds; the real segment size
	// is covered below for the widest parameters.
	let segment = 200;
	for n in 1..=16u8 {
		for k in 1..=n {
			for len in boundary_sizes(k, segment) {
				let data = payload(len, n ^ k);
				let encoded = encode(&data, k, n, segment as u32);
				let layout = encoded.commitments.layout().unwrap();
				assert_eq!(encoded.pieces.len(), usize::from(n));
				for piece in &encoded.pieces {
					assert_eq!(piece.fragment.len() as u64, layout.fragment_len());
				}
				let (k, n) = (usize::from(k), usize::from(n));
				// First k (originals only) and last k (parity as much as possible).
				for positions in [(0..k).collect::<Vec<_>>(), (n - k..n).collect()] {
					let decoded =
						decode(&RECORD, &encoded.commitments, &pick(&encoded.pieces, &positions))
							.unwrap_or_else(|e| panic!("k {k} n {n} len {len}: {e}"));
					assert_eq!(decoded.payload, data, "k {k} n {n} len {len}");
					assert!(decoded.rejected.is_empty());
				}
			}
		}
	}
}

#[test]
fn real_segment_size_boundaries_round_trip() {
	let s = SEGMENT_SIZE as usize;
	for (k, n) in [(1, 1), (1, 2), (2, 3), (3, 5), (16, 16), (5, 16)] {
		// Up to three segments: larger sizes only repeat these boundaries, slowly in debug builds.
		for len in boundary_sizes(k, s).into_iter().filter(|&len| len <= 3 * s + 1) {
			let data = payload(len, k);
			let encoded = ehr_archive_codec::encode(&data, &RECORD, k, n).unwrap();
			assert_eq!(encoded.commitments.segment_size, SEGMENT_SIZE);
			let parity_first: Vec<_> = encoded.pieces.iter().rev().cloned().collect();
			for pieces in [&encoded.pieces[..], &parity_first[..usize::from(k)]] {
				let decoded = decode(&RECORD, &encoded.commitments, pieces).unwrap();
				assert_eq!(decoded.payload, data, "k {k} n {n} len {len}");
			}
		}
	}
}

#[test]
fn any_k_pieces_rebuild_the_payload() {
	let data = payload(3000, 1);
	for n in 1..=7u8 {
		for k in 1..=n {
			let encoded = encode(&data, k, n, 256);
			for positions in subsets(usize::from(n), usize::from(k)) {
				let decoded =
					decode(&RECORD, &encoded.commitments, &pick(&encoded.pieces, &positions))
						.unwrap();
				assert_eq!(decoded.payload, data, "k {k} n {n} {positions:?}");
			}
		}
	}
	// Wider parameters: a spread of subsets rather than all of them.
	for (k, n) in [(5u8, 9u8), (10, 16), (3, 16), (16, 16), (100, 255), (1, 255), (254, 255)] {
		let encoded = encode(&data, k, n, 256);
		let (k, n) = (usize::from(k), usize::from(n));
		let spread = [
			(0..k).collect::<Vec<_>>(),
			(n - k..n).collect(),
			(0..n).step_by(n.div_ceil(k).max(1)).chain(n - k..n).take(k).collect(),
			(0..n).rev().step_by(2).chain(0..n).take(n).collect::<Vec<_>>()[..k].to_vec(),
		];
		for positions in spread {
			let mut positions = positions;
			positions.sort_unstable();
			positions.dedup();
			if positions.len() < k {
				continue;
			}
			let decoded =
				decode(&RECORD, &encoded.commitments, &pick(&encoded.pieces, &positions)).unwrap();
			assert_eq!(decoded.payload, data, "k {k} n {n} {positions:?}");
		}
	}
}

/// Damages piece `position` in one of several ways and returns the reason decode must give.
fn damage(pieces: &mut [ehr_archive_codec::Piece], position: usize, how: usize) -> Reason {
	let n = pieces.len();
	let piece = &mut pieces[position];
	match how % 5 {
		0 => {
			let middle = piece.fragment.len() / 2;
			piece.fragment[middle] ^= 0x01;
			Reason::CommitmentMismatch
		},
		1 => {
			piece.share[31] ^= 0x80;
			Reason::CommitmentMismatch
		},
		2 => {
			// Claims another custodian's index; that index's hash does not match.
			piece.index = ((usize::from(piece.index) + 1) % n) as u8;
			Reason::CommitmentMismatch
		},
		3 => {
			let expected = piece.fragment.len() as u64;
			piece.fragment.pop();
			Reason::FragmentLength { expected, got: expected - 1 }
		},
		_ => {
			piece.index = 255;
			Reason::IndexOutOfRange { n: n as u8 }
		},
	}
}

#[test]
fn up_to_n_minus_k_corrupted_pieces_are_dropped_and_reported() {
	let data = payload(5000, 2);
	for (k, n) in [(1u8, 2u8), (2, 5), (3, 5), (5, 9), (4, 10), (10, 16)] {
		let encoded = encode(&data, k, n, 512);
		let (k, n) = (usize::from(k), usize::from(n));
		for bad in 1..=n - k {
			for start in [0, n - bad, n / 3] {
				let mut pieces = encoded.pieces.clone();
				let mut expected = Vec::new();
				for (j, position) in (start..start + bad).map(|p| p % n).enumerate() {
					let reason = damage(&mut pieces, position, bad + j);
					expected.push(Rejected { position, index: pieces[position].index, reason });
				}
				expected.sort_by_key(|r| r.position);
				let decoded = decode(&RECORD, &encoded.commitments, &pieces)
					.unwrap_or_else(|e| panic!("k {k} n {n} bad {bad}: {e}"));
				assert_eq!(decoded.payload, data);
				assert_eq!(decoded.rejected, expected, "k {k} n {n} bad {bad} start {start}");
			}
		}
		// One more bad piece than the code tolerates.
		let mut pieces = encoded.pieces.clone();
		for position in 0..=n - k {
			damage(&mut pieces, position, position);
		}
		match decode(&RECORD, &encoded.commitments, &pieces) {
			Err(Error::TooFewGoodPieces { good, needed, rejected }) => {
				assert_eq!((good, usize::from(needed), rejected.len()), (k - 1, k, n - k + 1));
			},
			other => panic!("k {k} n {n}: expected TooFewGoodPieces, got {other:?}"),
		}
	}
}

#[test]
fn fewer_than_k_pieces_is_a_clear_error() {
	let data = payload(100, 3);
	for (k, n) in [(1u8, 1u8), (2, 3), (3, 5), (10, 16)] {
		let encoded = encode(&data, k, n, 64);
		let k = usize::from(k);
		for given in 0..k {
			let err = decode(&RECORD, &encoded.commitments, &encoded.pieces[..given]).unwrap_err();
			assert_eq!(
				err,
				Error::TooFewGoodPieces { good: given, needed: k as u8, rejected: vec![] }
			);
			assert_eq!(
				err.to_string(),
				format!("too few good pieces: {given} good, {k} needed (0 rejected)")
			);
		}
	}
}

#[test]
fn reordered_and_duplicated_pieces() {
	let data = payload(4000, 4);
	let encoded = encode(&data, 3, 6, 300);
	let reversed: Vec<_> = encoded.pieces.iter().rev().cloned().collect();
	assert_eq!(decode(&RECORD, &encoded.commitments, &reversed).unwrap().payload, data);

	// Every piece twice, interleaved: the second copy of each is reported as a duplicate.
	let doubled: Vec<_> =
		encoded.pieces.iter().chain(encoded.pieces.iter().rev()).cloned().collect();
	let decoded = decode(&RECORD, &encoded.commitments, &doubled).unwrap();
	assert_eq!(decoded.payload, data);
	assert_eq!(decoded.rejected.len(), 6);
	assert!(decoded.rejected.iter().all(|r| r.reason == Reason::DuplicateIndex && r.position >= 6));

	// k copies of one piece are one good piece, not k.
	let same = pick(&encoded.pieces, &[4, 4, 4]);
	match decode(&RECORD, &encoded.commitments, &same) {
		Err(Error::TooFewGoodPieces { good: 1, needed: 3, rejected }) => {
			assert_eq!(rejected.len(), 2)
		},
		other => panic!("expected TooFewGoodPieces, got {other:?}"),
	}

	// A bad copy before a good one does not shadow it.
	let mut bad_first = pick(&encoded.pieces, &[5, 5, 1, 2]);
	bad_first[0].fragment[0] ^= 1;
	let decoded = decode(&RECORD, &encoded.commitments, &bad_first).unwrap();
	assert_eq!(decoded.payload, data);
	assert_eq!(
		decoded.rejected,
		[Rejected { position: 0, index: 5, reason: Reason::CommitmentMismatch }]
	);
}

#[test]
fn multi_stripe_payload_with_parity_recovery() {
	// Fragments of several MiB span several Reed-Solomon stripes on both sides.
	let data = payload(9 << 20, 5);
	for (k, n) in [(2u8, 4u8), (3, 5)] {
		let encoded = ehr_archive_codec::encode(&data, &RECORD, k, n).unwrap();
		let (k, n) = (usize::from(k), usize::from(n));
		let decoded = decode(&RECORD, &encoded.commitments, &encoded.pieces[n - k..]).unwrap();
		assert!(decoded.payload == data, "k {k} n {n}");
	}
}

/// 256 MiB, the size the codec must support (the workspace's dev profile optimises the codec
/// and its crypto and coding crates, so this takes seconds).
#[test]
fn payload_of_256_mib() {
	let data = payload(256 << 20, 6);
	let encoded = ehr_archive_codec::encode(&data, &RECORD, 3, 5).unwrap();
	let decoded = decode(&RECORD, &encoded.commitments, &encoded.pieces[2..]).unwrap();
	assert!(decoded.payload == data);
	let decoded = decode(&RECORD, &encoded.commitments, &encoded.pieces[..3]).unwrap();
	assert!(decoded.payload == data);
}

/// `encode_into` reuses buffers that held bigger, smaller or garbage fragments of other
/// records and other parameters: every piece still verifies and decodes, and every byte
/// that sealing does not cover (part and alignment padding) is zero again.
#[test]
fn encode_into_reuses_dirty_buffers() {
	let mut out = ehr_archive_codec::encode(&payload(3 << 20, 7), &RECORD, 5, 9).unwrap();
	for (len, k, n) in [(100_000, 3u8, 5u8), (1, 2, 2), (5 << 20, 4, 6), (0, 1, 3), (70_001, 3, 7)]
	{
		out.pieces.iter_mut().for_each(|piece| piece.fragment.fill(0xee));
		let data = payload(len, k);
		ehr_archive_codec::encode_into(&data, &RECORD, k, n, &mut out).unwrap();
		let layout = out.commitments.layout().unwrap();
		assert_eq!(out.pieces.len(), usize::from(n));
		assert_eq!(out.commitments.threshold, k);
		assert!(out.commitments.verify_root(&RECORD, &out.root));
		for (i, piece) in out.pieces.iter().enumerate() {
			assert_eq!(usize::from(piece.index), i);
			out.commitments.verify_piece(piece).unwrap();
		}
		let (part, tags) = (layout.part_len() as usize, 16 * layout.segments_per_part() as usize);
		for (i, piece) in out.pieces[..usize::from(k)].iter().enumerate() {
			let plain = len.saturating_sub(i * part).min(part);
			assert!(piece.fragment[plain..part].iter().all(|&b| b == 0), "part padding, {len} {i}");
			assert!(piece.fragment[part + tags..].iter().all(|&b| b == 0), "tail, {len} {i}");
		}
		let k_ = usize::from(k);
		for pieces in [&out.pieces[..k_], &out.pieces[usize::from(n) - k_..]] {
			assert!(decode(&RECORD, &out.commitments, pieces).unwrap().payload == data, "{len}");
		}
	}
}
