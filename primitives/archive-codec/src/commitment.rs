//! Commitments: `h_i = BLAKE3(piece context; F_i, S_i, i, |F_i|)` per piece and a
//! root over the record id, the parameters and every `h_i`.
//!
//! BLAKE3 rather than BLAKE2b-256: fragments are hashed by clients and custodians
//! (native code, where BLAKE3 runs at several GB/s against about 1 GB/s for
//! BLAKE2b), while the runtime only ever recomputes the root over at most 255
//! hashes (8 KiB), which is cheap even in Wasm without a host function. The two
//! hashes use BLAKE3's key-derivation mode with distinct context strings, which
//! is BLAKE3's own domain separation.

use codec::Encode;

use crate::{Commitments, Error, Hash, KeyShare, Piece, Reason, RecordId};

/// BLAKE3 context of piece hashes.
const PIECE_CONTEXT: &str = "ehr-chain archive-codec v1 piece commitment";
/// BLAKE3 context of the root.
const ROOT_CONTEXT: &str = "ehr-chain archive-codec v1 root";
/// BLAKE3 context of the record id an archive is encoded under.
const ARCHIVE_CONTEXT: &str = "ehr-chain archive-codec v1 archive record id";

/// The record id that an archive is encoded under (AEAD associated data and root), from what
/// its writer knows before the record exists on chain: the chain's genesis hash, the patient's
/// account (its SCALE bytes) and the archive id the writer drew at random.
///
/// Archive ids are unique on chain, so a piece, a ciphertext or a root of one archive never
/// passes as one of another archive, nor of the same archive id for another patient or chain.
pub fn archive_record_id(genesis_hash: &[u8], archive_id: &[u8; 32], patient: &[u8]) -> RecordId {
	let mut hasher = blake3::Hasher::new_derive_key(ARCHIVE_CONTEXT);
	// Length-prefixed, so that the two fields of variable length cannot run into each other.
	hasher.update(&(genesis_hash.len() as u64).to_le_bytes());
	hasher.update(genesis_hash);
	hasher.update(archive_id);
	hasher.update(patient);
	*hasher.finalize().as_bytes()
}

/// `h_i` of a piece.
pub fn piece_hash(index: u8, fragment: &[u8], share: &KeyShare) -> Hash {
	let mut hasher = PieceHasher::new();
	hasher.update(fragment);
	hasher.finalize(index, share)
}

/// Incremental `h_i`, so the encoder can hash a fragment stripe by stripe while
/// the stripe is still in cache.
///
/// Hashed: `fragment || share || index || fragment length (u64 LE)`. The fixed-size
/// fields go last so the fragment starts at offset 0 and BLAKE3 hashes it at full
/// SIMD width; read from the end, the encoding is unambiguous.
pub(crate) struct PieceHasher(blake3::Hasher);

impl PieceHasher {
	pub(crate) fn new() -> Self {
		Self(blake3::Hasher::new_derive_key(PIECE_CONTEXT))
	}

	/// Appends the next bytes of the fragment.
	pub(crate) fn update(&mut self, fragment_bytes: &[u8]) {
		self.0.update(fragment_bytes);
	}

	pub(crate) fn finalize(mut self, index: u8, share: &KeyShare) -> Hash {
		let fragment_len = self.0.count();
		self.0.update(share);
		self.0.update(&[index]);
		self.0.update(&fragment_len.to_le_bytes());
		*self.0.finalize().as_bytes()
	}
}

impl Commitments {
	/// The value to anchor on chain: a hash of the record id and of the SCALE
	/// encoding of the commitments (version, k, payload length, segment size and
	/// every `h_i`), so a changed header, hash or record id changes the root.
	pub fn root(&self, record_id: &RecordId) -> Hash {
		let mut hasher = blake3::Hasher::new_derive_key(ROOT_CONTEXT);
		hasher.update(record_id);
		self.using_encoded(|bytes| hasher.update(bytes));
		*hasher.finalize().as_bytes()
	}

	/// Checks `root` against these commitments and `record_id`.
	pub fn verify_root(&self, record_id: &RecordId, root: &Hash) -> bool {
		// A root is public, so a plain comparison leaks nothing worth a constant-time one.
		self.root(record_id) == *root
	}

	/// Checks one piece: index in range, fragment of the expected length, and hash
	/// equal to the committed `h_i`. This is what a custodian runs before accepting
	/// a piece, and what `decode` runs on every piece it is given. Fails with
	/// [`Error::BadPiece`], or with the error that makes the commitments invalid.
	pub fn verify_piece(&self, piece: &Piece) -> Result<(), Error> {
		let layout = self.layout()?;
		check_piece(self, layout.fragment_len(), piece).map_err(Error::BadPiece)
	}
}

/// Checks a piece against commitments whose layout is already validated.
pub(crate) fn check_piece(
	commitments: &Commitments,
	fragment_len: u64,
	piece: &Piece,
) -> Result<(), Reason> {
	let committed =
		commitments.piece_hashes.get(usize::from(piece.index)).ok_or(Reason::IndexOutOfRange {
			// Validated layout: n <= 255.
			n: u8::try_from(commitments.n()).unwrap_or(u8::MAX),
		})?;
	let got = piece.fragment.len() as u64;
	if got != fragment_len {
		return Err(Reason::FragmentLength { expected: fragment_len, got });
	}
	if piece_hash(piece.index, &piece.fragment, &piece.share) != *committed {
		return Err(Reason::CommitmentMismatch);
	}
	Ok(())
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::Version;

	fn commitments() -> (Commitments, Piece) {
		let piece =
			Piece { version: Version::V1, index: 1, fragment: alloc::vec![5; 64], share: [7; 32] };
		let c = Commitments {
			version: Version::V1,
			threshold: 1,
			payload_len: 0,
			segment_size: 16,
			piece_hashes: alloc::vec![[0; 32], piece_hash(1, &piece.fragment, &piece.share)],
		};
		(c, piece)
	}

	#[test]
	fn verifies_a_good_piece_and_names_what_is_wrong_with_a_bad_one() {
		let (c, piece) = commitments();
		assert_eq!(c.verify_piece(&piece), Ok(()));

		let mut p = piece.clone();
		p.index = 0;
		assert_eq!(c.verify_piece(&p), Err(Error::BadPiece(Reason::CommitmentMismatch)));
		p.index = 2;
		assert_eq!(c.verify_piece(&p), Err(Error::BadPiece(Reason::IndexOutOfRange { n: 2 })));

		let mut p = piece.clone();
		p.fragment[63] ^= 1;
		assert_eq!(c.verify_piece(&p), Err(Error::BadPiece(Reason::CommitmentMismatch)));
		p.fragment.push(0);
		assert_eq!(
			c.verify_piece(&p),
			Err(Error::BadPiece(Reason::FragmentLength { expected: 64, got: 65 }))
		);

		let mut p = piece;
		p.share[0] ^= 1;
		assert_eq!(c.verify_piece(&p), Err(Error::BadPiece(Reason::CommitmentMismatch)));
	}

	#[test]
	fn the_archive_record_id_binds_chain_archive_and_patient() {
		let id = archive_record_id(&[1; 32], &[2; 32], &[3; 32]);
		assert_eq!(id, archive_record_id(&[1; 32], &[2; 32], &[3; 32]));
		assert_ne!(id, archive_record_id(&[9; 32], &[2; 32], &[3; 32]));
		assert_ne!(id, archive_record_id(&[1; 32], &[9; 32], &[3; 32]));
		assert_ne!(id, archive_record_id(&[1; 32], &[2; 32], &[9; 32]));
		assert_ne!(id, archive_record_id(&[1; 32], &[2; 32], &[3; 31]));
	}

	#[test]
	fn root_binds_record_id_and_every_field() {
		let (c, _) = commitments();
		let root = c.root(&[1; 32]);
		assert!(c.verify_root(&[1; 32], &root));
		assert!(!c.verify_root(&[2; 32], &root));
		let mut changed = c.clone();
		changed.payload_len = 1;
		assert_ne!(changed.root(&[1; 32]), root);
		let mut changed = c.clone();
		changed.segment_size = 17;
		assert_ne!(changed.root(&[1; 32]), root);
		let mut changed = c.clone();
		changed.threshold = 2;
		assert_ne!(changed.root(&[1; 32]), root);
		let mut changed = c;
		changed.piece_hashes[0][0] = 1;
		assert_ne!(changed.root(&[1; 32]), root);
	}
}
