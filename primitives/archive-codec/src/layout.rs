//! Sizes of the parts, segments and fragments, derived from the header fields
//! (payload length, segment size, k, n), with the format's limits.
//!
//! The payload is cut into `k` parts of `part_len = ceil(len / k)` bytes (the
//! last ones shorter or empty). Original fragment `i` holds part `i` encrypted in
//! place, zero padding up to `part_len`, then the tags of the part's segments:
//!
//! ```text
//! fragment i = AES-GCM(part i) || 0^(part_len - |part i|) || tag_0 .. tag_(m-1) || 0^pad
//! ```
//!
//! Each part is `m = max(1, ceil(part_len / segment_size))` segments, so no
//! segment crosses a fragment boundary: every segment is sealed and opened in
//! place, with no copy through a scratch buffer. Fragments are padded to a
//! multiple of [`FRAGMENT_ALIGN`] bytes.

use crate::Error;

/// Wire format version: the first byte of every encoded piece and commitments.
pub const VERSION: u8 = 1;
/// Length of the AES-256-GCM key.
pub const KEY_LEN: usize = 32;
/// Length of an AES-GCM tag; one per segment.
pub const TAG_LEN: usize = 16;
/// Length of a commitment hash and of the root.
pub const HASH_LEN: usize = 32;
/// Segment size used by [`encode`](crate::encode). Tags cost 16 bytes per segment,
/// so large segments keep a piece within a few hundred bytes of `len / k` even
/// for multi-GiB payloads; ring seals 1 MiB as fast as 64 KiB.
pub const SEGMENT_SIZE: u32 = 1 << 20;
/// Largest segment size a header may declare.
pub const MAX_SEGMENT_SIZE: u32 = 1 << 24;
/// Largest number of pieces: the Shamir x-coordinate of piece `i` is `i + 1`,
/// a non-zero element of GF(256), and the index is one byte.
pub const MAX_PIECES: u8 = 255;
/// Largest payload (64 GiB): far above any record, and it keeps every size
/// computation within `u64`.
pub const MAX_PAYLOAD_LEN: u64 = 1 << 36;
/// Fragments are padded to a multiple of this: reed-solomon-simd needs an even
/// shard size and works fastest on whole 64-byte chunks.
pub const FRAGMENT_ALIGN: u64 = 64;

/// Validated sizes of an archived record. Built only by [`Layout::new`], so the
/// encoder and decoder can rely on its invariants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
	pub(crate) k: u8,
	pub(crate) n: u8,
	pub(crate) payload_len: u64,
	pub(crate) segment_size: u32,
	pub(crate) part_len: u64,
	pub(crate) segments_per_part: u64,
	pub(crate) fragment_len: u64,
}

impl Layout {
	/// Checks the parameters and derives the sizes.
	///
	/// `n` is a `usize` because, when it comes from commitments, it is the number
	/// of piece hashes, which an attacker may set to anything.
	pub fn new(payload_len: u64, segment_size: u32, k: u8, n: usize) -> Result<Self, Error> {
		let n = u8::try_from(n)
			.ok()
			.filter(|&n| k >= 1 && k <= n)
			.ok_or(Error::InvalidParameters { k, n })?;
		if segment_size == 0 || segment_size > MAX_SEGMENT_SIZE {
			return Err(Error::InvalidSegmentSize { size: segment_size, max: MAX_SEGMENT_SIZE });
		}
		if payload_len > MAX_PAYLOAD_LEN {
			return Err(Error::PayloadTooLarge { len: payload_len, max: MAX_PAYLOAD_LEN });
		}
		let part_len = payload_len.div_ceil(u64::from(k));
		// An empty part is still one (empty) authenticated segment, so every
		// fragment carries tags and an empty payload still checks key and record id.
		let segments_per_part = part_len.div_ceil(u64::from(segment_size)).max(1);
		// No overflow: part_len <= 2^36 and segments_per_part <= 2^36.
		let fragment_len =
			(part_len + segments_per_part * TAG_LEN as u64).next_multiple_of(FRAGMENT_ALIGN);
		Ok(Self { k, n, payload_len, segment_size, part_len, segments_per_part, fragment_len })
	}

	/// Pieces needed to rebuild the record.
	pub fn k(&self) -> u8 {
		self.k
	}

	/// Pieces produced.
	pub fn n(&self) -> u8 {
		self.n
	}

	/// Exact length of the payload.
	pub fn payload_len(&self) -> u64 {
		self.payload_len
	}

	/// Plaintext bytes per segment (a part's last segment may be shorter).
	pub fn segment_size(&self) -> u32 {
		self.segment_size
	}

	/// Payload bytes per original fragment, `ceil(payload_len / k)`.
	pub fn part_len(&self) -> u64 {
		self.part_len
	}

	/// AEAD segments in each part (at least one).
	pub fn segments_per_part(&self) -> u64 {
		self.segments_per_part
	}

	/// Length of every fragment, original or recovery.
	pub fn fragment_len(&self) -> u64 {
		self.fragment_len
	}

	/// Bytes a fragment holds beyond `ceil(payload_len / k)`: the part's tags and
	/// the alignment padding, `16 * segments_per_part + (0..=63)`.
	pub fn fragment_overhead(&self) -> u64 {
		self.fragment_len - self.part_len
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn sizes_at_boundaries() {
		let s = u64::from(SEGMENT_SIZE);
		for (len, k, parts_segments) in
			[(0, 3, 1), (1, 3, 1), (3 * s, 3, 1), (3 * s + 1, 3, 2), (s - 1, 1, 1), (s + 1, 1, 2)]
		{
			let l = Layout::new(len, SEGMENT_SIZE, k, 5).unwrap();
			assert_eq!(l.part_len(), len.div_ceil(u64::from(k)), "len {len}");
			assert_eq!(l.segments_per_part(), parts_segments, "len {len}");
			assert_eq!(l.fragment_len() % FRAGMENT_ALIGN, 0);
			let content = l.part_len() + 16 * l.segments_per_part();
			assert!(l.fragment_len() >= content && l.fragment_len() < content + FRAGMENT_ALIGN);
			assert_eq!(l.fragment_overhead(), l.fragment_len() - l.part_len());
		}
	}

	#[test]
	fn limits() {
		assert_eq!(Layout::new(0, 1, 0, 1), Err(Error::InvalidParameters { k: 0, n: 1 }));
		assert_eq!(Layout::new(0, 1, 3, 2), Err(Error::InvalidParameters { k: 3, n: 2 }));
		assert_eq!(Layout::new(0, 1, 1, 256), Err(Error::InvalidParameters { k: 1, n: 256 }));
		assert!(Layout::new(0, 1, 255, 255).is_ok());
		assert!(matches!(Layout::new(0, 0, 1, 1), Err(Error::InvalidSegmentSize { size: 0, .. })));
		assert!(Layout::new(0, MAX_SEGMENT_SIZE + 1, 1, 1).is_err());
		assert!(Layout::new(MAX_PAYLOAD_LEN, 1, 1, 1).is_ok());
		assert!(matches!(
			Layout::new(MAX_PAYLOAD_LEN + 1, 1, 1, 1),
			Err(Error::PayloadTooLarge { .. })
		));
	}
}
