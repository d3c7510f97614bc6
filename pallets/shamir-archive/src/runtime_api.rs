//! The `ShamirArchiveApi` runtime API: archive entries, custodians and receipt messages for
//! custodian nodes, clients and the UI. Answers are as of the queried block.

use crate::types::{ArchiveEntry, ArchiveId, Custodian, PieceHash, RecordId};
use alloc::vec::Vec;
use codec::Codec;
use polkadot_sdk::frame_support::traits::ConstU32;

/// The longest page that [`ShamirArchiveApi::custodians`] returns; a larger `limit` is capped
/// to it.
pub const MAX_PAGE_LEN: u32 = 100;

/// The piece bound of an archive entry as the runtime API shows it: the codec's limit, which
/// `MaxPieces` may not exceed (`integrity_test` checks it).
pub type ApiMaxPieces = ConstU32<255>;

/// The endpoint bound of a custodian as the runtime API shows it (a view bound only; the
/// runtime's `MaxEndpointLen` may not exceed it, which `integrity_test` checks).
pub type ApiMaxEndpointLen = ConstU32<1024>;

polkadot_sdk::sp_api::decl_runtime_apis! {
	/// Archive entries and custodians of `pallet-shamir-archive`.
	pub trait ShamirArchiveApi<AccountId, BlockNumber>
	where
		AccountId: Codec,
		BlockNumber: Codec,
	{
		/// The archive entry of `record`, if anchored (erased ones included).
		fn archive(record: RecordId) -> Option<ArchiveEntry<AccountId, BlockNumber, ApiMaxPieces>>;

		/// The record whose archive was encoded with `archive_id`, if anchored.
		fn archive_of(archive_id: ArchiveId) -> Option<RecordId>;

		/// A custodian's endpoint, keys and status.
		fn custodian(who: AccountId) -> Option<Custodian<BlockNumber, ApiMaxEndpointLen>>;

		/// Up to `limit` (at most [`MAX_PAGE_LEN`]) custodians in storage order (by the hash of
		/// their account), starting after `start_after`.
		fn custodians(
			start_after: Option<AccountId>,
			limit: u32,
		) -> Vec<(AccountId, Custodian<BlockNumber, ApiMaxEndpointLen>)>;

		/// The bytes `custodian` signs with its receipt key to prove it keeps piece `index`
		/// (hash `piece_hash`) of archive `archive_id` of `patient`, written by `author`: the
		/// SCALE encoding of the pallet's `CustodyReceipt` on this chain.
		fn receipt_payload(
			patient: AccountId,
			author: AccountId,
			archive_id: ArchiveId,
			index: u8,
			piece_hash: PieceHash,
			custodian: AccountId,
		) -> Vec<u8>;
	}
}
