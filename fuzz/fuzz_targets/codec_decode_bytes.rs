//! Decode from arbitrary bytes: the input is split into commitments and pieces
//! (each behind a little-endian length prefix), parsed from the wire and decoded.
//! Nothing may panic, and allocations must stay proportional to the input.
#![no_main]

use ehr_archive_codec::{decode, Commitments, Piece};
use libfuzzer_sys::fuzz_target;

/// Splits `len` bytes off the front, `len` read as a 2-byte little-endian prefix.
fn take(data: &[u8]) -> Option<(&[u8], &[u8])> {
	let (prefix, rest) = data.split_first_chunk::<2>()?;
	let len = usize::from(u16::from_le_bytes(*prefix)).min(rest.len());
	Some(rest.split_at(len))
}

fuzz_target!(|data: &[u8]| {
	let _ = Piece::from_bytes(data);
	let Some((commitments, mut rest)) = take(data) else { return };
	let Ok(commitments) = Commitments::from_bytes(commitments) else { return };
	let mut pieces = Vec::new();
	while let Some((piece, tail)) = take(rest) {
		if let Ok(piece) = Piece::from_bytes(piece) {
			let _ = commitments.verify_piece(&piece);
			pieces.push(piece);
		}
		rest = tail;
	}
	let _ = commitments.root(&[0; 32]);
	let _ = decode(&[0; 32], &commitments, &pieces);
});
