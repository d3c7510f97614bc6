//! Helpers shared by the integration tests.
#![allow(dead_code)] // Each test crate uses a subset.

use ehr_archive_codec::{encode_with_key_and_rng, Encoded, Piece, RecordId};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

pub const RECORD: RecordId = *b"record-0000000000000000000000001";

/// Deterministic, incompressible-looking bytes.
pub fn payload(len: usize, seed: u8) -> Vec<u8> {
	let mut out = Vec::with_capacity(len);
	let mut hasher = blake3::Hasher::new();
	hasher.update(&[seed]);
	hasher.update(&(len as u64).to_le_bytes());
	let mut reader = hasher.finalize_xof();
	out.resize(len, 0);
	reader.fill(&mut out);
	out
}

/// Deterministic encode with a chosen segment size (small segments make many
/// segments out of small payloads).
pub fn encode(payload: &[u8], k: u8, n: u8, segment_size: u32) -> Encoded {
	encode_with_key_and_rng(
		payload,
		&RECORD,
		k,
		n,
		segment_size,
		&[0x42; 32],
		ChaCha20Rng::from_seed([7; 32]),
	)
	.expect("valid parameters")
}

/// The pieces at the given positions, cloned.
pub fn pick(pieces: &[Piece], positions: &[usize]) -> Vec<Piece> {
	positions.iter().map(|&i| pieces[i].clone()).collect()
}

/// All `k`-subsets of `0..n`, in lexicographic order.
pub fn subsets(n: usize, k: usize) -> Vec<Vec<usize>> {
	fn go(start: usize, n: usize, k: usize, current: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
		if current.len() == k {
			out.push(current.clone());
			return;
		}
		for i in start..n {
			current.push(i);
			go(i + 1, n, k, current, out);
			current.pop();
		}
	}
	let mut out = Vec::new();
	go(0, n, k, &mut Vec::new(), &mut out);
	out
}
