//! `encode` and `decode`: the pipeline of the codec (std only).

use alloc::vec::Vec;
use core::ops::Range;

use rand_core::{CryptoRng, SeedableRng};
use ring::rand::{SecureRandom, SystemRandom};
use zeroize::{Zeroize, Zeroizing};

use crate::{
	aead::SegmentCipher, commitment, commitment::PieceHasher, erasure, shares, Commitments, Error,
	Hash, Layout, Piece, Reason, RecordId, Rejected, Version, KEY_LEN, SEGMENT_SIZE,
};

/// Output of [`encode`]: what goes on chain and what goes to each custodian.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Encoded {
	/// Parameters and piece hashes, to store on chain.
	pub commitments: Commitments,
	/// `commitments.root(record_id)`, to anchor on chain.
	pub root: Hash,
	/// Piece `i` (at position `i`) goes to custodian `i`.
	pub pieces: Vec<Piece>,
}

/// Output of [`decode`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decoded {
	/// The payload, authenticated.
	pub payload: Vec<u8>,
	/// Pieces that were dropped, and why; empty when all were good.
	pub rejected: Vec<Rejected>,
}

/// Encrypts `payload`, erasure-codes the ciphertext into `n` pieces any `k` of
/// which rebuild it, Shamir-shares the key among the pieces, and commits to them.
///
/// Needs `1 <= k <= n <= 255` and `payload.len() <= MAX_PAYLOAD_LEN`. With `k == 1`
/// every piece carries the whole key: one custodian alone can decrypt.
/// Each fragment is `ceil(|payload| / k)` bytes plus 16 bytes per started MiB of
/// that, rounded up to a multiple of 64 (see [`Layout`]).
pub fn encode(payload: &[u8], record_id: &RecordId, k: u8, n: u8) -> Result<Encoded, Error> {
	let mut out = Encoded::empty(k);
	encode_into(payload, record_id, k, n, &mut out)?;
	Ok(out)
}

/// [`encode`] into `out`, reusing the fragment buffers of the pieces it holds
/// (from an earlier call), for callers that encode many records in a row.
///
/// Fresh output memory costs the operating system one page fault per 4 KiB
/// written, which is a large share of encoding a multi-MiB record; reused buffers
/// of at least the new fragment length cost none. Whatever `out` held before is
/// replaced; after an error its contents are unspecified and must not be sent.
pub fn encode_into(
	payload: &[u8],
	record_id: &RecordId,
	k: u8,
	n: u8,
	out: &mut Encoded,
) -> Result<(), Error> {
	let random = SystemRandom::new();
	let mut key = Zeroizing::new([0u8; KEY_LEN]);
	random.fill(key.as_mut()).map_err(|_| Error::Rng)?;
	// The Shamir coefficients come from ChaCha20 seeded by the OS: vsss-rs needs
	// an infallible RNG, and this keeps the OS RNG's failure a returned error.
	let mut seed = Zeroizing::new([0u8; 32]);
	random.fill(seed.as_mut()).map_err(|_| Error::Rng)?;
	let rng = rand_chacha::ChaCha20Rng::from_seed(*seed);
	seal(payload, record_id, (k, n), SEGMENT_SIZE, &key, rng, out)
}

/// [`encode`] with a given key, segment size and RNG for the Shamir
/// coefficients, for test vectors and tests only: a key must never be used for
/// two payloads, and only [`encode`] guarantees that.
#[doc(hidden)]
pub fn encode_with_key_and_rng(
	payload: &[u8],
	record_id: &RecordId,
	k: u8,
	n: u8,
	segment_size: u32,
	key: &[u8; KEY_LEN],
	rng: impl CryptoRng,
) -> Result<Encoded, Error> {
	let mut out = Encoded::empty(k);
	seal(payload, record_id, (k, n), segment_size, key, rng, &mut out)?;
	Ok(out)
}

impl Encoded {
	/// No pieces yet: the starting point of [`encode_into`].
	fn empty(k: u8) -> Self {
		let commitments = Commitments {
			version: Version::V1,
			threshold: k,
			payload_len: 0,
			segment_size: SEGMENT_SIZE,
			piece_hashes: Vec::new(),
		};
		Self { commitments, root: [0; 32], pieces: Vec::new() }
	}
}

/// The pipeline of [`encode`], into `out`. The payload is sealed into the
/// original fragments one segment row (segment `j` of every part) at a time,
/// just ahead of the Reed-Solomon coder, which hashes every stripe it codes:
/// the payload is read from memory once and every fragment written once.
fn seal(
	payload: &[u8],
	record_id: &RecordId,
	(k, n): (u8, u8),
	segment_size: u32,
	key: &[u8; KEY_LEN],
	rng: impl CryptoRng,
	out: &mut Encoded,
) -> Result<(), Error> {
	let payload_len = payload.len() as u64;
	let layout = Layout::new(payload_len, segment_size, k, usize::from(n))?;
	let too_large = || Error::PayloadTooLarge { len: payload_len, max: usize::MAX as u64 };
	let fragment_len = usize::try_from(layout.fragment_len()).map_err(|_| too_large())?;
	let segments = usize::try_from(layout.segments_per_part()).map_err(|_| too_large())?;
	let segment_size = usize::try_from(segment_size).map_err(|_| too_large())?;
	let cipher = SegmentCipher::new(key, record_id, &layout)?;

	out.pieces.truncate(usize::from(n));
	let mut fragments: Vec<Vec<u8>> =
		out.pieces.iter_mut().map(|piece| core::mem::take(&mut piece.fragment)).collect();
	fragments.resize_with(usize::from(n), Vec::new);
	for (index, fragment) in fragments.iter_mut().enumerate() {
		if fragment.capacity() < fragment_len {
			// Zeroed by the allocator (fresh pages), not by a pass over the bytes.
			*fragment = alloc::vec![0u8; fragment_len];
		} else {
			fragment.resize(fragment_len, 0);
		}
		if index < usize::from(k) {
			cipher.clear_padding(part(payload, &layout, index).len(), fragment)?;
		}
	}

	let mut sealed = 0;
	let seal_up_to = |end: usize, originals: &mut [Vec<u8>]| -> Result<(), Error> {
		// Segment rows that start below `end`; by the tags' columns, all of them.
		while sealed < segments && sealed * segment_size < end {
			for (index, fragment) in originals.iter_mut().enumerate() {
				cipher.seal_segment(index, sealed, part(payload, &layout, index), fragment)?;
			}
			sealed += 1;
		}
		Ok(())
	};
	let mut hashers: Vec<PieceHasher> = (0..n).map(|_| PieceHasher::new()).collect();
	erasure::encode(usize::from(k), &mut fragments, seal_up_to, |index, bytes| {
		if let Some(hasher) = hashers.get_mut(index) {
			hasher.update(bytes);
		}
	})?;
	let shares = shares::split(key, k, n, rng)?;

	let mut piece_hashes = Vec::with_capacity(usize::from(n));
	out.pieces.clear();
	for (index, ((fragment, share), hasher)) in
		(0..n).zip(fragments.into_iter().zip(shares).zip(hashers))
	{
		piece_hashes.push(hasher.finalize(index, &share));
		out.pieces.push(Piece { version: Version::V1, index, fragment, share });
	}
	out.commitments = Commitments {
		version: Version::V1,
		threshold: k,
		payload_len,
		segment_size: layout.segment_size(),
		piece_hashes,
	};
	out.root = out.commitments.root(record_id);
	Ok(())
}

/// Rebuilds the payload of record `record_id` from any `k` good pieces.
///
/// `commitments` must be the ones anchored on chain for `record_id` (check them
/// with [`Commitments::verify_root`] if they came from elsewhere). Every piece
/// given is checked; those with an index out of range, a fragment of the wrong
/// length, a hash that differs from its commitment, or the index of an earlier
/// good piece are dropped and listed in [`Decoded::rejected`]. The original
/// fragments (indexes below `k`) are preferred, so parity is decoded only when
/// some are missing. Fails with [`Error::TooFewGoodPieces`] when fewer than `k`
/// pieces are good, and with [`Error::Authentication`] when the rebuilt key does
/// not open the ciphertext for this record id; no plaintext is returned then.
pub fn decode(
	record_id: &RecordId,
	commitments: &Commitments,
	pieces: &[Piece],
) -> Result<Decoded, Error> {
	let layout = commitments.layout()?;
	let Opened { payload, rejected, .. } = open(record_id, commitments, &layout, pieces)?;
	Ok(Decoded { payload, rejected })
}

/// Rebuilds piece `index` exactly as [`encode`] made it, from any `k` good pieces of the same
/// archive, so that a new custodian can take the place of a lost one: its commitment, and so
/// the on-chain entry, stay unchanged.
///
/// The pieces go through [`decode`]'s own path first: each is checked against `commitments`
/// (bad ones are skipped, as `decode` drops them), `k` good ones rebuild the key and the
/// original fragments, and the ciphertext must authenticate for `record_id`, so nothing is
/// derived from pieces that fail it. The fragment is then the original fragment `index`
/// (`index < k`) or, for a parity piece, the Reed–Solomon parity re-encoded from the `k`
/// original fragments, padding and tags included, exactly as [`encode`] computed it; the key
/// share is the sharing polynomial evaluated at the piece's x-coordinate, by vsss-rs's own
/// interpolation. (When a good piece `index` is among the `k` chosen, it is itself the answer.)
///
/// The result is checked against `commitments.piece_hashes[index]` before it is returned.
/// Fails with [`Error::BadPiece`]`(`[`Reason::IndexOutOfRange`]`)` when `index` is not below
/// `n`, with the errors of [`decode`] (among them [`Error::TooFewGoodPieces`] and
/// [`Error::Authentication`]), and with [`Error::BadPiece`]`(`[`Reason::CommitmentMismatch`]`)`
/// when the rebuilt piece differs from its commitment, which only an encoder that committed
/// to pieces that are not one consistent encoding can cause.
///
/// Memory: like [`decode`] it holds the plaintext (wiped before returning) and, for a parity
/// piece, all `n` fragments while re-encoding, as [`encode`] does.
pub fn regenerate(
	record_id: &RecordId,
	commitments: &Commitments,
	pieces: &[Piece],
	index: u8,
) -> Result<Piece, Error> {
	let layout = commitments.layout()?;
	let (k, n) = (usize::from(layout.k()), usize::from(layout.n()));
	let wanted = usize::from(index);
	let out_of_range = || Error::BadPiece(Reason::IndexOutOfRange { n: layout.n() });
	if wanted >= n {
		return Err(out_of_range());
	}
	let Opened { mut payload, chosen, restored, .. } =
		open(record_id, commitments, &layout, pieces)?;
	// Authenticated; the plaintext itself is not needed.
	payload.zeroize();
	drop(payload);
	if let Some(piece) = chosen.iter().find(|piece| piece.index == index) {
		return Ok((*piece).clone());
	}

	let fragment = if wanted < k {
		restored
			.into_iter()
			.find_map(|(i, fragment)| (i == wanted).then_some(fragment))
			.ok_or_else(out_of_range)?
	} else {
		// All `n` fragments: the `k` originals (as chosen or restored) and zeroed room for
		// the parity, which reed-solomon-simd computes over the originals as `encode` did.
		let fragment_len = usize::try_from(layout.fragment_len()).map_err(|_| {
			Error::PayloadTooLarge { len: layout.payload_len(), max: usize::MAX as u64 }
		})?;
		let mut fragments: Vec<Vec<u8>> = Vec::with_capacity(n);
		fragments.resize_with(n, Vec::new);
		for piece in chosen.iter().filter(|piece| usize::from(piece.index) < k) {
			if let Some(slot) = fragments.get_mut(usize::from(piece.index)) {
				slot.clone_from(&piece.fragment);
			}
		}
		for (i, fragment) in restored {
			if let Some(slot) = fragments.get_mut(i) {
				*slot = fragment;
			}
		}
		for slot in fragments.iter_mut().skip(k) {
			*slot = alloc::vec![0u8; fragment_len];
		}
		erasure::encode(k, &mut fragments, |_, _| Ok(()), |_, _| {})?;
		fragments.get_mut(wanted).map(core::mem::take).ok_or_else(out_of_range)?
	};
	let share = *shares::share_at(layout.k(), &chosen, index)?;
	let piece = Piece { version: Version::V1, index, fragment, share };
	// Never return a piece that does not match its commitment.
	commitment::check_piece(commitments, layout.fragment_len(), &piece).map_err(Error::BadPiece)?;
	Ok(piece)
}

/// What [`decode`] and [`regenerate`] share: `k` good pieces, the original fragments they
/// lacked, and the authenticated payload.
struct Opened<'a> {
	/// `k` good pieces with distinct indexes, lowest first.
	chosen: Vec<&'a Piece>,
	/// Pieces dropped, and why.
	rejected: Vec<Rejected>,
	/// The original fragments missing from `chosen`, decoded from its parity pieces.
	restored: Vec<(usize, Vec<u8>)>,
	/// The payload, authenticated.
	payload: Vec<u8>,
}

/// Checks every piece against `commitments` (of which `layout` is the validated layout),
/// chooses `k` good ones, rebuilds the key and the original fragments and opens the
/// ciphertext: the whole of [`decode`], keeping what [`regenerate`] needs as well.
fn open<'a>(
	record_id: &RecordId,
	commitments: &Commitments,
	layout: &Layout,
	pieces: &'a [Piece],
) -> Result<Opened<'a>, Error> {
	let k = layout.k();
	let (chosen, rejected) = choose(commitments, layout, pieces)?;

	let cipher = SegmentCipher::new(&*shares::combine(k, &chosen)?, record_id, layout)?;
	let restored = erasure::restore_missing(layout, &chosen)?;
	let mut originals: Vec<Option<&[u8]>> = alloc::vec![None; usize::from(k)];
	let present = chosen.iter().map(|piece| (usize::from(piece.index), piece.fragment.as_slice()));
	for (index, fragment) in present.chain(restored.iter().map(|(i, f)| (*i, f.as_slice()))) {
		if let Some(slot) = originals.get_mut(index) {
			*slot = Some(fragment);
		}
	}

	// `k` verified fragments of at least `part_len` bytes each are in memory, so a
	// forged header cannot make this allocation larger than the input.
	let mut payload = alloc::vec![0u8; usize::try_from(layout.payload_len()).map_err(|_| {
		Error::PayloadTooLarge { len: layout.payload_len(), max: usize::MAX as u64 }
	})?];
	let opened = originals.into_iter().enumerate().try_for_each(|(index, fragment)| {
		match (fragment, payload.get_mut(part_range(layout, index))) {
			(Some(fragment), Some(out)) => cipher.open_part(index, fragment, out),
			_ => Err(Error::Authentication),
		}
	});
	if let Err(error) = opened {
		// Parts before the failing segment were decrypted: wipe them.
		payload.zeroize();
		return Err(error);
	}
	Ok(Opened { chosen, rejected, restored, payload })
}

/// `k` pieces that match their commitments, with distinct indexes, lowest first (the
/// original fragments, which need no decoding), and the pieces dropped.
fn choose<'a>(
	commitments: &Commitments,
	layout: &Layout,
	pieces: &'a [Piece],
) -> Result<(Vec<&'a Piece>, Vec<Rejected>), Error> {
	let mut good: Vec<Option<&Piece>> = alloc::vec![None; commitments.n()];
	let mut rejected = Vec::new();
	for (position, piece) in pieces.iter().enumerate() {
		let checked =
			commitment::check_piece(commitments, layout.fragment_len(), piece).and_then(|()| {
				match good.get_mut(usize::from(piece.index)) {
					Some(slot @ None) => {
						*slot = Some(piece);
						Ok(())
					},
					_ => Err(Reason::DuplicateIndex),
				}
			});
		if let Err(reason) = checked {
			rejected.push(Rejected { position, index: piece.index, reason });
		}
	}
	let k = layout.k();
	let chosen: Vec<&Piece> = good.iter().flatten().copied().take(usize::from(k)).collect();
	if chosen.len() < usize::from(k) {
		return Err(Error::TooFewGoodPieces { good: chosen.len(), needed: k, rejected });
	}
	Ok((chosen, rejected))
}

/// Payload offsets of part `index`: `part_len` bytes from `index * part_len`,
/// clipped to the payload (the last parts may be short or empty).
fn part_range(layout: &Layout, index: usize) -> Range<usize> {
	let len = usize::try_from(layout.payload_len()).unwrap_or(usize::MAX);
	let part_len = usize::try_from(layout.part_len()).unwrap_or(usize::MAX);
	let start = index.saturating_mul(part_len).min(len);
	start..start.saturating_add(part_len).min(len)
}

fn part<'a>(payload: &'a [u8], layout: &Layout, index: usize) -> &'a [u8] {
	payload.get(part_range(layout, index)).unwrap_or_default()
}
