//! Piece, commitments and header parsing: the same bytes read as a piece's wire form, as
//! commitments (what a custodian or the chain is sent), and their first 17 bytes as header
//! fields (payload length, segment size, k, n) through `Layout::new`.
//!
//! Must hold: no panic; a piece or commitments that parse re-encode to exactly the input (one
//! encoding per value, so hashes and the root commit to the bytes stored); parsed commitments
//! have a valid layout; a layout has the sizes its docs state.
#![no_main]

use ehr_archive_codec::{Commitments, Layout, Piece, FRAGMENT_ALIGN, TAG_LEN};
use libfuzzer_sys::fuzz_target;

fn check(layout: &Layout) {
	let (k, len) = (u64::from(layout.k()), layout.payload_len());
	assert!(layout.k() >= 1 && layout.k() <= layout.n());
	assert_eq!(layout.part_len(), len.div_ceil(k));
	let segments = layout.part_len().div_ceil(u64::from(layout.segment_size())).max(1);
	assert_eq!(layout.segments_per_part(), segments);
	let content = layout.part_len() + segments * TAG_LEN as u64;
	assert_eq!(layout.fragment_len() % FRAGMENT_ALIGN, 0);
	assert!(layout.fragment_len() >= content && layout.fragment_len() < content + FRAGMENT_ALIGN);
	assert_eq!(layout.fragment_overhead(), layout.fragment_len() - layout.part_len());
}

fuzz_target!(|data: &[u8]| {
	if let Ok(piece) = Piece::from_bytes(data) {
		assert_eq!(piece.to_bytes(), data, "a piece with two encodings");
	}
	if let Ok(commitments) = Commitments::from_bytes(data) {
		assert_eq!(commitments.to_bytes(), data, "commitments with two encodings");
		check(&commitments.layout().expect("parsed commitments have a valid layout"));
	}
	if let Some(header) = data.first_chunk::<17>() {
		let payload_len = u64::from_le_bytes(header[..8].try_into().unwrap());
		let segment_size = u32::from_le_bytes(header[8..12].try_into().unwrap());
		let n = u32::from_le_bytes(header[13..17].try_into().unwrap());
		if let Ok(layout) = Layout::new(payload_len, segment_size, header[12], n as usize) {
			assert_eq!(usize::from(layout.n()), n as usize);
			check(&layout);
		}
	}
});
