//! The `ShamirArchiveApi` runtime API: archive entries, custodians and read plans for
//! custodian nodes, clients and the UI. Answers are as of the queried block.

use crate::types::{ArchiveEntry, ArchiveId, Custodian, ReadPlan, RecordId};
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

		/// Everything a reader or custodian must know before asking custodians for pieces of
		/// `record`: its archive entry, patient and author, and each piece's custodian.
		fn read_plan(
			record: RecordId,
		) -> Option<ReadPlan<AccountId, BlockNumber, ApiMaxPieces, ApiMaxEndpointLen>>;
	}
}
