//! Errors and per-piece rejection reasons.

use alloc::vec::Vec;

/// Why a piece was not used by [`decode`](crate::decode) or rejected by
/// [`Commitments::verify_piece`](crate::Commitments::verify_piece).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Reason {
	/// The piece's index is not below the number of pieces `n` in the commitments.
	#[error("index out of range: the record has {n} pieces")]
	IndexOutOfRange {
		/// Number of pieces in the commitments.
		n: u8,
	},
	/// The fragment does not have the length the commitments imply.
	#[error("fragment is {got} bytes, the commitments imply {expected}")]
	FragmentLength {
		/// Length implied by the commitments.
		expected: u64,
		/// Length of the fragment received.
		got: u64,
	},
	/// The hash of (index, fragment, share) differs from the committed one.
	#[error("piece does not match its commitment")]
	CommitmentMismatch,
	/// A good piece with the same index came earlier in the input; this one is not used.
	#[error("duplicate of an earlier good piece with the same index")]
	DuplicateIndex,
}

/// A piece that [`decode`](crate::decode) dropped, and why.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rejected {
	/// Position of the piece in the slice given to `decode`: it identifies the
	/// custodian that sent it even when the claimed index is wrong.
	pub position: usize,
	/// Index the piece claims.
	pub index: u8,
	/// Why it was dropped.
	pub reason: Reason,
}

/// Everything that can go wrong when encoding, decoding or verifying.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum Error {
	/// `k` and `n` must satisfy `1 <= k <= n <= 255`.
	#[error("invalid parameters: need 1 <= k <= n <= 255, got k = {k}, n = {n}")]
	InvalidParameters {
		/// Pieces needed to rebuild (threshold).
		k: u8,
		/// Pieces produced.
		n: usize,
	},
	/// The segment size must be in `1..=MAX_SEGMENT_SIZE`.
	#[error("invalid segment size {size}: must be between 1 and {max} bytes")]
	InvalidSegmentSize {
		/// Segment size found.
		size: u32,
		/// Largest accepted segment size.
		max: u32,
	},
	/// The payload is larger than the format allows.
	#[error("payload of {len} bytes exceeds the limit of {max} bytes")]
	PayloadTooLarge {
		/// Payload length.
		len: u64,
		/// Largest accepted payload length.
		max: u64,
	},
	/// A piece or commitments starts with a version byte this codec does not know.
	#[error("unsupported wire format version {0}")]
	UnsupportedVersion(u8),
	/// SCALE decoding of a piece or commitments failed, or left trailing bytes.
	#[error("malformed {what}: not a valid SCALE encoding")]
	Malformed {
		/// What was being decoded.
		what: &'static str,
	},
	/// A piece does not match the commitments.
	#[error("bad piece: {0}")]
	BadPiece(Reason),
	/// Fewer than `k` pieces passed their commitment check.
	#[error("too few good pieces: {good} good, {needed} needed ({} rejected)", rejected.len())]
	TooFewGoodPieces {
		/// Distinct pieces that verified.
		good: usize,
		/// Pieces needed (k).
		needed: u8,
		/// Pieces dropped, and why.
		rejected: Vec<Rejected>,
	},
	/// The AEAD tag of a segment did not verify: wrong key (corrupt shares committed
	/// by the encoder), wrong record id, or tampered ciphertext or header.
	#[error("authentication failed: wrong key, wrong record id or tampered data")]
	Authentication,
	/// The operating system's random number generator failed.
	#[error("the operating system random number generator failed")]
	Rng,
	/// The AEAD refused to encrypt a segment (cannot happen within the format's limits).
	#[error("encryption failed")]
	Encryption,
	/// The Reed-Solomon library refused parameters or shards that were validated.
	#[cfg(feature = "std")]
	#[error("erasure coding failed: {0}")]
	ErasureCoding(reed_solomon_simd::Error),
	/// The Shamir library refused parameters or shares that were validated.
	#[cfg(feature = "std")]
	#[error("key sharing failed: {0}")]
	KeySharing(vsss_rs::Error),
}
