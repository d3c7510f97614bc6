//! Segmented AES-256-GCM (the STREAM construction of Hoang, Reyhanitabar, Rogaway
//! and Vizár, 2015) with ring, sealing each part of the payload into its
//! original fragment in place (see [`Layout`] for where the bytes go).
//!
//! Segment `g` (counted across parts: part `i`, segment `j` is `g = i * m + j`)
//! has the nonce `0^3 || g (u64, big endian) || last`, where `last` is 1 only for
//! the final segment of the final part. The counter stops reordering and moving
//! segments, the last flag stops truncation, and every segment's associated data
//! binds the record id, the payload length, the segment size and k, so a swapped
//! record id or a tampered header fails the tag check. Nonces repeat across
//! records, which is safe because every record has a fresh random key.

use core::ops::Range;

use ring::aead::{Aad, LessSafeKey, Nonce, Tag, UnboundKey, AES_256_GCM, NONCE_LEN};

use crate::{Error, Layout, RecordId, KEY_LEN, TAG_LEN, VERSION};

/// Prefix of the associated data, separating this use of the key from any other.
const AAD_CONTEXT: &[u8] = b"ehr-chain archive-codec v1 aead";
/// Associated data: context, version, record id, payload length, segment size, k.
const AAD_LEN: usize = AAD_CONTEXT.len() + 1 + 32 + 8 + 4 + 1;

/// The key, associated data and segmentation of one record.
pub(crate) struct SegmentCipher {
	key: LessSafeKey,
	aad: [u8; AAD_LEN],
	part_len: usize,
	segment_size: usize,
	segments_per_part: u64,
	segments: u64,
}

impl SegmentCipher {
	/// Prepares the key. ring expands it into its own key schedule (which ring
	/// does not zeroize on drop; the caller zeroizes the raw key).
	pub(crate) fn new(
		key: &[u8; KEY_LEN],
		record_id: &RecordId,
		layout: &Layout,
	) -> Result<Self, Error> {
		let too_large = Error::PayloadTooLarge { len: layout.payload_len, max: usize::MAX as u64 };
		let key = UnboundKey::new(&AES_256_GCM, key).map_err(|_| Error::Encryption)?;
		let mut aad = [0u8; AAD_LEN];
		let fields: [&[u8]; 6] = [
			AAD_CONTEXT,
			&[VERSION],
			record_id,
			&layout.payload_len.to_le_bytes(),
			&layout.segment_size.to_le_bytes(),
			&[layout.k],
		];
		let mut rest = &mut aad[..];
		for field in fields {
			let (head, tail) = rest.split_at_mut(field.len());
			head.copy_from_slice(field);
			rest = tail;
		}
		Ok(Self {
			key: LessSafeKey::new(key),
			aad,
			part_len: usize::try_from(layout.part_len).map_err(|_| too_large.clone())?,
			segment_size: usize::try_from(layout.segment_size).map_err(|_| too_large)?,
			segments_per_part: layout.segments_per_part,
			segments: layout.segments_per_part * u64::from(layout.k),
		})
	}

	fn nonce(&self, part: usize, segment: usize) -> Nonce {
		let g = (part as u64) * self.segments_per_part + segment as u64;
		let mut nonce = [0u8; NONCE_LEN];
		nonce[3..11].copy_from_slice(&g.to_be_bytes());
		nonce[11] = u8::from(g + 1 == self.segments);
		Nonce::assume_unique_for_key(nonce)
	}

	/// Offsets of segment `segment` in a part of `len` bytes; empty past the end.
	fn range(&self, segment: usize, len: usize) -> Range<usize> {
		let start = segment.saturating_mul(self.segment_size).min(len);
		start..start.saturating_add(self.segment_size).min(len)
	}

	/// Bytes of a part's tags: 16 per segment.
	fn tags_len(&self) -> Option<usize> {
		usize::try_from(self.segments_per_part).ok()?.checked_mul(TAG_LEN)
	}

	/// Zeroes the parts of a fragment that no segment or tag covers: the part's
	/// padding after its `plain_len` bytes, and the alignment padding after the
	/// tags. A reused buffer then needs no zeroing of the bytes sealing overwrites.
	pub(crate) fn clear_padding(&self, plain_len: usize, fragment: &mut [u8]) -> Result<(), Error> {
		let tags_end = self.tags_len().and_then(|t| self.part_len.checked_add(t));
		let padding = fragment.get_mut(plain_len..self.part_len).ok_or(Error::Encryption)?;
		padding.fill(0);
		let tail = tags_end.and_then(|end| fragment.get_mut(end..)).ok_or(Error::Encryption)?;
		tail.fill(0);
		Ok(())
	}

	/// Copies segment `segment` of `plain` (all of part `part`) into `fragment`,
	/// encrypts it there and writes its tag: the copy and the encryption run
	/// while the segment is in cache.
	pub(crate) fn seal_segment(
		&self,
		part: usize,
		segment: usize,
		plain: &[u8],
		fragment: &mut [u8],
	) -> Result<(), Error> {
		let range = self.range(segment, plain.len());
		let tag_at = segment
			.checked_mul(TAG_LEN)
			.and_then(|offset| offset.checked_add(self.part_len))
			.ok_or(Error::Encryption)?;
		let source = plain.get(range.clone()).ok_or(Error::Encryption)?;
		let in_out = fragment.get_mut(range).ok_or(Error::Encryption)?;
		in_out.copy_from_slice(source);
		let tag = self
			.key
			.seal_in_place_separate_tag(self.nonce(part, segment), Aad::from(&self.aad), in_out)
			.map_err(|_| Error::Encryption)?;
		let tag_out = fragment.get_mut(tag_at..tag_at + TAG_LEN).ok_or(Error::Encryption)?;
		tag_out.copy_from_slice(tag.as_ref());
		Ok(())
	}

	/// Decrypts part `part` from `fragment` into `out` (the part's length).
	/// Fails on the first segment whose tag does not verify; `out` then holds
	/// unauthenticated bytes that the caller must discard.
	pub(crate) fn open_part(
		&self,
		part: usize,
		fragment: &[u8],
		out: &mut [u8],
	) -> Result<(), Error> {
		let (body, rest) = fragment.split_at_checked(self.part_len).ok_or(Error::Authentication)?;
		out.copy_from_slice(body.get(..out.len()).ok_or(Error::Authentication)?);
		let tags = rest
			.get(..self.tags_len().ok_or(Error::Authentication)?)
			.ok_or(Error::Authentication)?;
		let len = out.len();
		for (segment, tag) in tags.chunks_exact(TAG_LEN).enumerate() {
			let tag = Tag::try_from(tag).map_err(|_| Error::Authentication)?;
			let in_out = out.get_mut(self.range(segment, len)).ok_or(Error::Authentication)?;
			self.key
				.open_in_place_separate_tag(
					self.nonce(part, segment),
					Aad::from(&self.aad),
					tag,
					in_out,
					0..,
				)
				.map_err(|_| Error::Authentication)?;
		}
		Ok(())
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use alloc::{vec, vec::Vec};

	const RECORD: RecordId = [3; 32];

	/// Seals `payload` into `k` fragments, as `encode` does.
	fn sealed(payload: &[u8], segment_size: u32, k: u8) -> (Layout, Vec<Vec<u8>>) {
		let layout = Layout::new(payload.len() as u64, segment_size, k, usize::from(k)).unwrap();
		let cipher = SegmentCipher::new(&[1; 32], &RECORD, &layout).unwrap();
		let p = layout.part_len() as usize;
		let fragments = (0..usize::from(k))
			.map(|i| {
				// Not zero-filled: sealing and clear_padding must write every byte.
				let mut fragment = vec![0xa5u8; layout.fragment_len() as usize];
				let part = &payload[(i * p).min(payload.len())..((i + 1) * p).min(payload.len())];
				cipher.clear_padding(part.len(), &mut fragment).unwrap();
				for segment in 0..layout.segments_per_part() as usize {
					cipher.seal_segment(i, segment, part, &mut fragment).unwrap();
				}
				fragment
			})
			.collect();
		(layout, fragments)
	}

	/// Opens every part with `cipher`, as `decode` does.
	fn opened(
		cipher: &SegmentCipher,
		layout: &Layout,
		fragments: &[Vec<u8>],
	) -> Result<Vec<u8>, Error> {
		let (len, p) = (layout.payload_len() as usize, layout.part_len() as usize);
		let mut out = vec![0u8; len];
		for (i, fragment) in fragments.iter().enumerate() {
			let part = &mut out[(i * p).min(len)..((i + 1) * p).min(len)];
			cipher.open_part(i, fragment, part)?;
		}
		Ok(out)
	}

	fn cipher(key: u8, record: RecordId, layout: &Layout) -> SegmentCipher {
		SegmentCipher::new(&[key; 32], &record, layout).unwrap()
	}

	#[test]
	fn round_trips_for_any_segmentation() {
		let payload: Vec<u8> = (0..1000u32).map(|i| i as u8).collect();
		for (segment_size, k) in [(1, 1), (7, 3), (64, 5), (334, 3), (999, 2), (1000, 4), (4096, 7)]
		{
			let (layout, fragments) = sealed(&payload, segment_size, k);
			assert_ne!(&fragments[0][..10], &payload[..10]);
			let out = opened(&cipher(1, RECORD, &layout), &layout, &fragments).unwrap();
			assert_eq!(out, payload, "segment {segment_size}, k {k}");
		}
	}

	#[test]
	fn padding_is_zeroed_whatever_the_buffer_held() {
		let payload = [0x77; 100];
		for (segment_size, k) in [(16, 3), (64, 2), (1000, 1)] {
			let (layout, fragments) = sealed(&payload, segment_size, k);
			let (p, tags) = (layout.part_len() as usize, 16 * layout.segments_per_part() as usize);
			for (i, fragment) in fragments.iter().enumerate() {
				let plain = payload.len().saturating_sub(i * p).min(p);
				assert!(fragment[plain..p].iter().all(|&b| b == 0));
				assert!(fragment[p + tags..].iter().all(|&b| b == 0));
			}
		}
	}

	#[test]
	fn empty_payload_is_authenticated() {
		let (layout, mut fragments) = sealed(&[], 16, 2);
		let c = cipher(1, RECORD, &layout);
		assert_eq!(opened(&c, &layout, &fragments), Ok(vec![]));
		fragments[1][0] ^= 1;
		assert_eq!(opened(&c, &layout, &fragments), Err(Error::Authentication));
	}

	#[test]
	fn any_flipped_bit_of_part_or_tag_fails() {
		let payload = [0x5a; 40];
		let (layout, fragments) = sealed(&payload, 16, 1);
		let authenticated = layout.part_len() as usize + 16 * layout.segments_per_part() as usize;
		for byte in 0..authenticated {
			let mut f = fragments.clone();
			f[0][byte] ^= 0x80;
			let c = cipher(1, RECORD, &layout);
			assert_eq!(opened(&c, &layout, &f), Err(Error::Authentication), "byte {byte}");
		}
	}

	#[test]
	fn swapped_parts_segments_and_tags_fail() {
		let payload = [0x11; 64];
		let (layout, fragments) = sealed(&payload, 16, 2);
		let c = cipher(1, RECORD, &layout);
		let swapped_parts = vec![fragments[1].clone(), fragments[0].clone()];
		assert_eq!(opened(&c, &layout, &swapped_parts), Err(Error::Authentication));
		let mut swapped_segments = fragments.clone();
		swapped_segments[0][..32].rotate_left(16);
		swapped_segments[0][32..64].rotate_left(16);
		assert_eq!(opened(&c, &layout, &swapped_segments), Err(Error::Authentication));
	}

	#[test]
	fn record_id_key_and_header_are_bound() {
		let payload = [0x22; 48];
		let (layout, fragments) = sealed(&payload, 16, 1);
		assert_eq!(
			opened(&cipher(1, [4; 32], &layout), &layout, &fragments),
			Err(Error::Authentication)
		);
		assert_eq!(
			opened(&cipher(2, RECORD, &layout), &layout, &fragments),
			Err(Error::Authentication)
		);
		// A payload cut to its first two segments: same bytes, but a different
		// length in the associated data and no last flag on the second segment.
		let shorter = Layout::new(32, 16, 1, 1).unwrap();
		let mut cut = fragments[0][..32].to_vec();
		cut.extend_from_slice(&fragments[0][48..80]);
		cut.resize(shorter.fragment_len() as usize, 0);
		assert_eq!(
			opened(&cipher(1, RECORD, &shorter), &shorter, &[cut]),
			Err(Error::Authentication)
		);
		// Same bytes read as k = 2 instead of 1.
		let other_k = Layout::new(48, 16, 2, 2).unwrap();
		let mut halves = vec![vec![0u8; other_k.fragment_len() as usize]; 2];
		halves[0][..24].copy_from_slice(&fragments[0][..24]);
		halves[1][..24].copy_from_slice(&fragments[0][24..48]);
		assert_eq!(
			opened(&cipher(1, RECORD, &other_k), &other_k, &halves),
			Err(Error::Authentication)
		);
	}
}
