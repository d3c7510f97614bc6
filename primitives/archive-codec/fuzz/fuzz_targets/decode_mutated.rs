//! Decode valid records after fuzzer-chosen damage: pieces dropped, reordered,
//! duplicated or edited (fragment, share, index, length), header fields changed,
//! and hashes optionally re-committed so damaged pieces reach the Reed-Solomon
//! decoder and the AEAD. Decode may fail, but must never panic, and when it
//! succeeds it must return exactly the original payload.
#![no_main]

use std::sync::OnceLock;

use ehr_archive_codec::{decode, encode_with_key_and_rng, piece_hash, Encoded};
use libfuzzer_sys::fuzz_target;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

const RECORD: [u8; 32] = [0x11; 32];
/// (payload length, k, n, segment size)
const SHAPES: [(usize, u8, u8, u32); 6] = [
	(0, 1, 1, 64),
	(300, 3, 5, 64),
	(1000, 2, 7, 100),
	(77, 1, 3, 16),
	(500, 4, 4, 128),
	(2000, 5, 9, 256),
];

fn records() -> &'static Vec<(Vec<u8>, Encoded)> {
	static RECORDS: OnceLock<Vec<(Vec<u8>, Encoded)>> = OnceLock::new();
	RECORDS.get_or_init(|| {
		SHAPES
			.iter()
			.map(|&(len, k, n, segment)| {
				let payload: Vec<u8> = (0..len).map(|i| (i * 7 + 3) as u8).collect();
				let encoded = encode_with_key_and_rng(
					&payload,
					&RECORD,
					k,
					n,
					segment,
					&[9; 32],
					ChaCha20Rng::from_seed([5; 32]),
				)
				.unwrap();
				(payload, encoded)
			})
			.collect()
	})
}

fuzz_target!(|data: &[u8]| {
	let Some((&shape, ops)) = data.split_first() else { return };
	let (payload, encoded) = &records()[usize::from(shape) % SHAPES.len()];
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
	if let Ok(decoded) = decode(&RECORD, &commitments, &pieces) {
		assert_eq!(&decoded.payload, payload, "decode returned bytes other than the payload");
	}
});
