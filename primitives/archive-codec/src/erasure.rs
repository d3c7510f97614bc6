//! Systematic Reed-Solomon over the ciphertext with reed-solomon-simd: the `k`
//! original fragments are the ciphertext itself, the `n - k` recovery fragments
//! are parity, and any `k` of the `n` rebuild the ciphertext.
//!
//! reed-solomon-simd works in GF(2^16) with O(n log n) FFT coding; it needs a
//! non-zero even shard size (ours is a multiple of 64, see
//! [`FRAGMENT_ALIGN`](crate::FRAGMENT_ALIGN)), at least one recovery shard
//! (`k == n` skips it) and at most 65 535 shards in all (ours: 255).
//!
//! Every 64-byte column of the shards is coded independently, so the fragments
//! are coded in stripes (column ranges of a multiple of 64 bytes) with the same
//! result as coding them whole: the working set of a stripe stays in cache
//! instead of streaming multi-MiB shards through memory once per FFT layer.

use alloc::vec::Vec;
use core::{cell::RefCell, ops::Range};

use reed_solomon_simd::{ReedSolomonDecoder, ReedSolomonEncoder};

use crate::{Error, Layout, Piece, FRAGMENT_ALIGN};

std::thread_local! {
	// The coders' working space is kept per thread between calls: allocating a
	// fresh MiB-sized buffer every time costs page faults that, on a VM, take
	// longer than the coding itself. At most about ENCODE_STRIPE_BYTES and
	// DECODE_WORK_BYTES stay allocated per thread that used the codec.
	static ENCODER: RefCell<Option<ReedSolomonEncoder>> = const { RefCell::new(None) };
	static DECODER: RefCell<Option<ReedSolomonDecoder>> = const { RefCell::new(None) };
}

/// Runs `f` with this thread's encoder, reset to `(k, r, stripe)`.
fn with_encoder<T>(
	k: usize,
	r: usize,
	stripe: usize,
	f: impl FnOnce(&mut ReedSolomonEncoder) -> Result<T, Error>,
) -> Result<T, Error> {
	ENCODER.with(|cell| {
		// Never borrowed twice (`f` does not re-enter); a fresh coder if it were.
		let mut fresh = None;
		let mut cached = cell.try_borrow_mut().ok();
		let slot = cached.as_deref_mut().unwrap_or(&mut fresh);
		let encoder = match slot {
			Some(encoder) => {
				encoder.reset(k, r, stripe).map_err(Error::ErasureCoding)?;
				encoder
			},
			None => {
				slot.insert(ReedSolomonEncoder::new(k, r, stripe).map_err(Error::ErasureCoding)?)
			},
		};
		f(encoder)
	})
}

/// Runs `f` with this thread's decoder, reset to `(k, r, stripe)`.
fn with_decoder<T>(
	k: usize,
	r: usize,
	stripe: usize,
	f: impl FnOnce(&mut ReedSolomonDecoder) -> Result<T, Error>,
) -> Result<T, Error> {
	DECODER.with(|cell| {
		let mut fresh = None;
		let mut cached = cell.try_borrow_mut().ok();
		let slot = cached.as_deref_mut().unwrap_or(&mut fresh);
		let decoder = match slot {
			Some(decoder) => {
				decoder.reset(k, r, stripe).map_err(Error::ErasureCoding)?;
				decoder
			},
			None => {
				slot.insert(ReedSolomonDecoder::new(k, r, stripe).map_err(Error::ErasureCoding)?)
			},
		};
		f(decoder)
	})
}

/// Bytes of all shards of one encoding stripe: fits the L2 cache.
const ENCODE_STRIPE_BYTES: usize = 1 << 20;
/// Bytes of the decoder's working space for one stripe. The decoder works on up
/// to `2 * n.next_power_of_two()` shards (512 at n = 255), so the stripe is sized
/// from that, not from the input: decoding memory stays bounded whatever `k` and
/// `n` are. Each decoding call pays a fixed cost (the erasure locator over
/// GF(2^16)), so decoding stripes are larger than encoding ones.
const DECODE_WORK_BYTES: usize = 8 << 20;

/// Stripe width: about `budget / shards` bytes, a multiple of 64, at most the fragment.
fn stripe_len(fragment_len: usize, shards: usize, budget: usize) -> usize {
	let align = FRAGMENT_ALIGN as usize;
	(budget / shards.max(1)).next_multiple_of(align).clamp(align, fragment_len.max(align))
}

/// Column ranges `[start, end)` of width `stripe` (the last one may be shorter,
/// still a multiple of 64 because the fragment length is).
fn stripes(fragment_len: usize, stripe: usize) -> impl Iterator<Item = Range<usize>> {
	(0..fragment_len).step_by(stripe).map(move |start| start..(start + stripe).min(fragment_len))
}

fn slice(fragment: &[u8], columns: Range<usize>) -> Result<&[u8], Error> {
	let got = fragment.len();
	fragment.get(columns).ok_or(Error::ErasureCoding(
		reed_solomon_simd::Error::DifferentShardSize { shard_bytes: got, got },
	))
}

/// Fills the recovery fragments `fragments[k..]` (all fragments have one length)
/// with the parity of the originals `fragments[..k]`, stripe by stripe.
///
/// Before coding the columns `[start, end)`, `fill(end, originals)` must have
/// written every original byte below `end`: the caller seals the payload into
/// the originals just ahead of the coder, so each segment is still in cache when
/// it is coded. `visit(fragment index, bytes)` sees every fragment in order,
/// stripe by stripe, while the stripe is in cache, so the caller can hash it for
/// free. `k == fragments.len()` (no parity) still fills and visits.
pub(crate) fn encode(
	k: usize,
	fragments: &mut [Vec<u8>],
	mut fill: impl FnMut(usize, &mut [Vec<u8>]) -> Result<(), Error>,
	mut visit: impl FnMut(usize, &[u8]),
) -> Result<(), Error> {
	let (originals, recovery) = fragments.split_at_mut(k);
	let r = recovery.len();
	let fragment_len = originals.first().map_or(0, Vec::len);
	let stripe = stripe_len(fragment_len, k + r, ENCODE_STRIPE_BYTES);
	let mut code = |mut encoder: Option<&mut ReedSolomonEncoder>| -> Result<(), Error> {
		for columns in stripes(fragment_len, stripe) {
			fill(columns.end, originals)?;
			if let Some(encoder) = encoder.as_deref_mut().filter(|_| columns.len() != stripe) {
				encoder.reset(k, r, columns.len()).map_err(Error::ErasureCoding)?;
			}
			for (i, original) in originals.iter().enumerate() {
				let bytes = slice(original, columns.clone())?;
				if let Some(encoder) = encoder.as_deref_mut() {
					encoder.add_original_shard(bytes).map_err(Error::ErasureCoding)?;
				}
				visit(i, bytes);
			}
			let Some(encoder) = encoder.as_deref_mut() else { continue };
			let result = encoder.encode().map_err(Error::ErasureCoding)?;
			for ((j, fragment), parity) in
				recovery.iter_mut().enumerate().zip(result.recovery_iter())
			{
				let got = fragment.len();
				let dst = fragment.get_mut(columns.clone()).ok_or(Error::ErasureCoding(
					reed_solomon_simd::Error::DifferentShardSize { shard_bytes: fragment_len, got },
				))?;
				dst.copy_from_slice(parity);
				visit(k + j, dst);
			}
		}
		Ok(())
	};
	if r == 0 {
		code(None)
	} else {
		with_encoder(k, r, stripe, |encoder| code(Some(encoder)))
	}
}

/// The original fragments missing from `chosen` (k verified pieces with distinct
/// indexes), decoded from the parity pieces among them, as `(index, fragment)`.
/// Empty when all originals are present: the common case needs no decoding.
pub(crate) fn restore_missing(
	layout: &Layout,
	chosen: &[&Piece],
) -> Result<Vec<(usize, Vec<u8>)>, Error> {
	let k = usize::from(layout.k);
	let r = usize::from(layout.n) - k;
	let fragment_len = usize::try_from(layout.fragment_len)
		.map_err(|_| Error::PayloadTooLarge { len: layout.payload_len, max: usize::MAX as u64 })?;

	let mut restored: Vec<(usize, Vec<u8>)> = (0..k)
		.filter(|&i| !chosen.iter().any(|piece| usize::from(piece.index) == i))
		.map(|i| (i, Vec::with_capacity(fragment_len)))
		.collect();
	let missing = restored.len();
	if missing == 0 {
		return Ok(restored);
	}

	let work_shards = 2 * usize::from(layout.n).next_power_of_two();
	let stripe = stripe_len(fragment_len, work_shards, DECODE_WORK_BYTES);
	with_decoder(k, r, stripe, |decoder| {
		for columns in stripes(fragment_len, stripe) {
			if columns.len() != stripe {
				decoder.reset(k, r, columns.len()).map_err(Error::ErasureCoding)?;
			}
			for piece in chosen {
				let index = usize::from(piece.index);
				let bytes = slice(&piece.fragment, columns.clone())?;
				match index.checked_sub(k) {
					None => decoder.add_original_shard(index, bytes),
					Some(recovery) => decoder.add_recovery_shard(recovery, bytes),
				}
				.map_err(Error::ErasureCoding)?;
			}
			let result = decoder.decode().map_err(Error::ErasureCoding)?;
			for (index, fragment) in &mut restored {
				let stripe = result.restored_original(*index).ok_or(Error::ErasureCoding(
					reed_solomon_simd::Error::NotEnoughShards {
						original_count: k,
						original_received_count: k - missing,
						recovery_received_count: missing,
					},
				))?;
				fragment.extend_from_slice(stripe);
			}
		}
		Ok(())
	})?;
	Ok(restored)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn stripes_cover_the_fragment_in_aligned_ranges() {
		assert_eq!(stripe_len(64, 5, ENCODE_STRIPE_BYTES), 64);
		assert_eq!(stripe_len(1 << 30, 3, 3 * 1000), 1024);
		let ranges: Vec<_> = stripes(64 * 5, 128).collect();
		assert_eq!(ranges, [0..128, 128..256, 256..320]);
	}

	#[test]
	fn striped_coding_equals_whole_coding() {
		// Two stripes: one of ENCODE_STRIPE_BYTES / 5 (rounded up to 64), one shorter.
		let (k, n, fragment_len) = (3, 5, 64 * 5000);
		assert!(stripe_len(fragment_len, n, ENCODE_STRIPE_BYTES) < fragment_len);
		let originals: Vec<Vec<u8>> = (0..k)
			.map(|i| (0..fragment_len).map(|j| (i * 131 + j * 7 + j / 5) as u8).collect())
			.collect();
		let whole = reed_solomon_simd::encode(k, n - k, &originals).unwrap();
		let mut fragments = originals.clone();
		fragments.resize(n, alloc::vec![0u8; fragment_len]);
		let mut seen = alloc::vec![0usize; n];
		let mut filled = Vec::new();
		let fill = |end: usize, _: &mut [Vec<u8>]| {
			filled.push(end);
			Ok(())
		};
		encode(k, &mut fragments, fill, |i, bytes| seen[i] += bytes.len()).unwrap();
		assert_eq!(fragments[k..], whole[..]);
		assert_eq!(fragments[..k], originals[..]);
		assert_eq!(seen, [fragment_len; 5]);
		// Filled up to each stripe's end before coding it, in order, to the end.
		assert!(filled.len() > 1 && filled.is_sorted());
		assert_eq!(filled.last(), Some(&fragment_len));
	}
}
