//! Valid archives of a few shapes, and the damage the codec targets do to them.

use std::sync::OnceLock;

use ehr_archive_codec::{encode_with_key_and_rng, piece_hash, Commitments, Encoded, Piece};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

/// The record id every archive here is encoded under.
pub const RECORD: [u8; 32] = [0x11; 32];
/// (payload length, k, n, segment size): small and large k, one and many segments, empty.
pub const SHAPES: [(usize, u8, u8, u32); 6] = [
	(0, 1, 1, 64),
	(300, 3, 5, 64),
	(1000, 2, 7, 100),
	(77, 1, 3, 16),
	(500, 4, 4, 128),
	(2000, 5, 9, 256),
];

/// The payload and the encoding of every shape, made once, deterministically.
pub fn records() -> &'static [(Vec<u8>, Encoded)] {
	static RECORDS: OnceLock<Vec<(Vec<u8>, Encoded)>> = OnceLock::new();
	RECORDS.get_or_init(|| {
		SHAPES
			.iter()
			.map(|&(len, k, n, segment)| {
				let payload: Vec<u8> = (0..len).map(|i| (i * 7 + 3) as u8).collect();
				let rng = ChaCha20Rng::from_seed([5; 32]);
				let encoded =
					encode_with_key_and_rng(&payload, &RECORD, k, n, segment, &[9; 32], rng)
						.expect("a valid shape");
				(payload, encoded)
			})
			.collect()
	})
}

/// The commitments and pieces of `encoded` after the damage `ops` describe, four bytes per
/// operation: pieces dropped, duplicated, swapped or edited (fragment, share, index, length),
/// header fields changed, and the piece hashes optionally re-committed to the damaged pieces
/// so that the damage gets past the hash checks to Reed-Solomon, Shamir and the AEAD.
pub fn damage(encoded: &Encoded, ops: &[u8]) -> (Commitments, Vec<Piece>) {
	let mut commitments = encoded.commitments.clone();
	let mut pieces = encoded.pieces.clone();
	let mut recommit = false;
	for op in ops.chunks(4) {
		let [kind, a, b, c] = [0, 1, 2, 3].map(|i| op.get(i).copied().unwrap_or(0));
		let at = usize::from(a);
		let n = pieces.len();
		match kind % 12 {
			0 if n > 0 => drop(pieces.remove(at % n)),
			1 if n > 0 => pieces.push(pieces[at % n].clone()),
			2 if n > 1 => pieces.swap(at % n, usize::from(b) % n),
			3 if n > 0 => {
				let fragment = &mut pieces[at % n].fragment;
				if !fragment.is_empty() {
					let i = (usize::from(b) << 8 | usize::from(c)) % fragment.len();
					fragment[i] ^= c | 1;
				}
			},
			4 if n > 0 => pieces[at % n].share[usize::from(b) % 32] ^= c | 1,
			5 if n > 0 => pieces[at % n].index = b,
			6 if n > 0 => {
				let fragment = &mut pieces[at % n].fragment;
				fragment.truncate(fragment.len().saturating_sub(usize::from(b)));
			},
			7 if n > 0 => pieces[at % n].fragment.extend(std::iter::repeat_n(c, usize::from(b))),
			8 => {
				commitments.payload_len =
					commitments.payload_len.wrapping_add(u64::from(b)).wrapping_sub(u64::from(c))
			},
			9 => {
				commitments.segment_size =
					commitments.segment_size.wrapping_add(u32::from(b)).wrapping_sub(u32::from(c))
			},
			10 => commitments.threshold = b,
			11 => recommit = true,
			_ => {},
		}
	}
	if recommit {
		for piece in &pieces {
			if let Some(hash) = commitments.piece_hashes.get_mut(usize::from(piece.index)) {
				*hash = piece_hash(piece.index, &piece.fragment, &piece.share);
			}
		}
	}
	(commitments, pieces)
}
