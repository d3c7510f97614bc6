//! The custody receipt: what a custodian signs when it keeps a piece, and what
//! `pallet-shamir-archive` checks when the record is added or the piece repaired. `no_std`, so
//! that the runtime and the custodians build the very same bytes.

use codec::{Decode, Encode};

/// Domain tag that starts every custody receipt, so that a receipt signature can never be
/// mistaken for (or replayed as) a signature of anything else made with the same key.
pub const RECEIPT_DOMAIN: [u8; 28] = *b"ehr-chain/custody-receipt/v3";

/// What a custodian signs, with its receipt key, once it has checked a piece against the
/// commitments and stored it: "I, `custodian`, keep piece `index` with hash `piece_hash` of
/// archive `archive_id`, written by `author` for `patient`, on chain `genesis_hash`, and keep it
/// pending at least until block `valid_until`".
///
/// The signed bytes are the SCALE encoding of this struct ([`CustodyReceipt::payload`]):
/// `RECEIPT_DOMAIN (28 bytes) ++ genesis_hash ++ patient ++ author ++ archive_id ++ index (1
/// byte) ++ piece_hash ++ custodian ++ valid_until`. The domain tag and genesis hash keep a
/// receipt to this purpose and this chain. The patient and the author bind it to the one write
/// it was made for: receipts, commitments and pieces copied from somebody's pending write can
/// never anchor a record of another author or patient. The custodian binds it to one custodian
/// even if two registered the same key. `valid_until` bounds its use: the chain refuses it after
/// that block, so a custodian that deleted a piece once its receipt expired (or once the piece
/// was repaired away from it) is never listed again by replaying the old receipt.
#[derive(Clone, Encode, Decode, Eq, PartialEq, Debug)]
pub struct CustodyReceipt<AccountId, Hash, BlockNumber> {
	/// Always [`RECEIPT_DOMAIN`].
	pub domain: [u8; 28],
	/// The chain's genesis block hash.
	pub genesis_hash: Hash,
	/// The patient of the record the archive is for.
	pub patient: AccountId,
	/// Who writes the record (the patient, or a doctor).
	pub author: AccountId,
	/// The archive id the record was encoded with.
	pub archive_id: [u8; 32],
	/// The piece's index, `0..n`.
	pub index: u8,
	/// The piece's commitment `h_i`.
	pub piece_hash: [u8; 32],
	/// The custodian that keeps the piece.
	pub custodian: AccountId,
	/// The last block at which the chain accepts this receipt.
	pub valid_until: BlockNumber,
}

/// Which write a custody receipt is for: the patient, the author and the archive id.
#[derive(Debug)]
pub struct ReceiptFor<'a, AccountId> {
	/// The patient of the record.
	pub patient: &'a AccountId,
	/// The record's author.
	pub author: &'a AccountId,
	/// The archive id the record was encoded with.
	pub archive_id: [u8; 32],
}

// By hand: derived, they would require `AccountId: Copy`, which only the references need.
impl<AccountId> Clone for ReceiptFor<'_, AccountId> {
	fn clone(&self) -> Self {
		*self
	}
}
impl<AccountId> Copy for ReceiptFor<'_, AccountId> {}

impl<AccountId: Encode + Clone, Hash: Encode, BlockNumber: Encode>
	CustodyReceipt<AccountId, Hash, BlockNumber>
{
	/// The receipt message for piece `index` (hash `piece_hash`) of the write `of`, kept by
	/// `custodian` on the chain of `genesis_hash` until `valid_until`, with the domain tag.
	pub fn new(
		genesis_hash: Hash,
		of: ReceiptFor<'_, AccountId>,
		(index, piece_hash): (u8, [u8; 32]),
		custodian: AccountId,
		valid_until: BlockNumber,
	) -> Self {
		Self {
			domain: RECEIPT_DOMAIN,
			genesis_hash,
			patient: of.patient.clone(),
			author: of.author.clone(),
			archive_id: of.archive_id,
			index,
			piece_hash,
			custodian,
			valid_until,
		}
	}

	/// The bytes a custodian signs: the SCALE encoding of the message.
	pub fn payload(&self) -> alloc::vec::Vec<u8> {
		self.encode()
	}
}
