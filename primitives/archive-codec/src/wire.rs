//! Wire types (SCALE, versioned) shared by clients, custodians and the runtime.
//!
//! Every encoding starts with the version byte ([`VERSION`]); decoding an unknown
//! version fails at that byte, before anything else is read.

use alloc::vec::Vec;
use codec::{Decode, DecodeAll, Encode};
use scale_info::TypeInfo;

use crate::{Error, Layout, HASH_LEN, KEY_LEN, VERSION};

/// Identifier of a record, bound into the ciphertext (AEAD associated data) and the root.
pub type RecordId = [u8; 32];
/// A BLAKE3 commitment: a piece hash or the root.
pub type Hash = [u8; HASH_LEN];
/// One Shamir share of the 32-byte key (the share's x-coordinate is the piece index + 1).
pub type KeyShare = [u8; KEY_LEN];

/// Version of the wire format. Encoded as one byte equal to its number, so a
/// future version is a new variant and old decoders reject it at the first byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub enum Version {
	/// The format described in this crate's README.
	#[codec(index = 1)]
	V1,
}

/// What custodian `index` keeps: one fragment of the ciphertext and one share of the key.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct Piece {
	/// Wire format version.
	pub version: Version,
	/// Position of the piece, `0..n`; indexes `0..k` carry the ciphertext itself.
	pub index: u8,
	/// Reed-Solomon fragment of the ciphertext.
	pub fragment: Vec<u8>,
	/// Shamir share of the key.
	pub share: KeyShare,
}

/// What the chain stores for a record: the parameters needed to decode, and one
/// hash per piece. The root over all of it (and the record id) is [`Commitments::root`].
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct Commitments {
	/// Wire format version.
	pub version: Version,
	/// Pieces needed to rebuild the record (k); `n` is `piece_hashes.len()`.
	pub threshold: u8,
	/// Exact length of the payload.
	pub payload_len: u64,
	/// Plaintext bytes per AEAD segment.
	pub segment_size: u32,
	/// `h_i` for every piece `i` in `0..n`.
	pub piece_hashes: Vec<Hash>,
}

impl Piece {
	/// SCALE encoding of the piece (starts with the version byte).
	pub fn to_bytes(&self) -> Vec<u8> {
		self.encode()
	}

	/// Decodes a piece, rejecting unknown versions and trailing bytes.
	pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
		decode_versioned(bytes, "piece")
	}
}

impl Commitments {
	/// SCALE encoding of the commitments (starts with the version byte).
	pub fn to_bytes(&self) -> Vec<u8> {
		self.encode()
	}

	/// Decodes commitments, rejecting unknown versions, trailing bytes and
	/// parameters outside the format's limits.
	pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
		let commitments: Self = decode_versioned(bytes, "commitments")?;
		commitments.layout()?;
		Ok(commitments)
	}

	/// Number of pieces, `n`.
	pub fn n(&self) -> usize {
		self.piece_hashes.len()
	}

	/// Checks the parameters and returns the sizes they imply.
	pub fn layout(&self) -> Result<Layout, Error> {
		Layout::new(self.payload_len, self.segment_size, self.threshold, self.n())
	}
}

fn decode_versioned<T: Decode>(mut bytes: &[u8], what: &'static str) -> Result<T, Error> {
	match bytes.first() {
		None => Err(Error::Malformed { what }),
		Some(&v) if v != VERSION => Err(Error::UnsupportedVersion(v)),
		Some(_) => T::decode_all(&mut bytes).map_err(|_| Error::Malformed { what }),
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn piece() -> Piece {
		Piece { version: Version::V1, index: 7, fragment: alloc::vec![1, 2, 3], share: [9; 32] }
	}

	#[test]
	fn piece_layout_is_version_index_fragment_share() {
		let bytes = piece().to_bytes();
		let mut expected = alloc::vec![VERSION, 7, 3 << 2, 1, 2, 3];
		expected.extend_from_slice(&[9; 32]);
		assert_eq!(bytes, expected);
		assert_eq!(Piece::from_bytes(&bytes), Ok(piece()));
	}

	#[test]
	fn rejects_other_versions_and_trailing_bytes() {
		let mut bytes = piece().to_bytes();
		bytes[0] = 2;
		assert_eq!(Piece::from_bytes(&bytes), Err(Error::UnsupportedVersion(2)));
		bytes[0] = 0;
		assert_eq!(Piece::from_bytes(&bytes), Err(Error::UnsupportedVersion(0)));
		let mut bytes = piece().to_bytes();
		bytes.push(0);
		assert_eq!(Piece::from_bytes(&bytes), Err(Error::Malformed { what: "piece" }));
		assert_eq!(Piece::from_bytes(&[]), Err(Error::Malformed { what: "piece" }));
	}

	#[test]
	fn huge_declared_lengths_fail_without_allocating() {
		// Version, index, then a compact length of 2^30 - 1 with no data behind it.
		let bytes = [VERSION, 0, 0xfe, 0xff, 0xff, 0xff];
		assert_eq!(Piece::from_bytes(&bytes), Err(Error::Malformed { what: "piece" }));
		// Commitments declaring 2^30 - 1 hashes.
		let mut bytes = alloc::vec![VERSION, 3];
		bytes.extend_from_slice(&0u64.to_le_bytes());
		bytes.extend_from_slice(&1u32.to_le_bytes());
		bytes.extend_from_slice(&[0xfe, 0xff, 0xff, 0xff]);
		assert_eq!(Commitments::from_bytes(&bytes), Err(Error::Malformed { what: "commitments" }));
	}

	#[test]
	fn commitments_from_bytes_checks_parameters() {
		let c = Commitments {
			version: Version::V1,
			threshold: 3,
			payload_len: 10,
			segment_size: 16,
			piece_hashes: alloc::vec![[0; 32]; 2],
		};
		assert_eq!(
			Commitments::from_bytes(&c.to_bytes()),
			Err(Error::InvalidParameters { k: 3, n: 2 })
		);
	}
}
