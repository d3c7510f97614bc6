//! The `EhrAccessApi` runtime API: access decisions, tickets and paged listings for nodes
//! (custodians), clients and the UI.
//!
//! The runtime implements it with the pallet's functions of the same names
//! ([`crate::Pallet::can_access`], [`crate::Pallet::decide_write`], [`crate::Pallet::live_ticket`],
//! [`crate::Pallet::patient_records`], [`crate::Pallet::patient_grants`]), so every answer comes
//! from the same decision function as the `open_access` call. Answers are as of the queried block.

use crate::types::{AccessDecision, Anchor, Category, Grant, GrantId, RecordId, Ticket};
use alloc::vec::Vec;
use codec::Codec;
use polkadot_sdk::frame_support::traits::ConstU32;

/// The longest page that [`EhrAccessApi::patient_records`] and [`EhrAccessApi::patient_grants`]
/// return; a larger `limit` is capped to it.
pub const MAX_PAGE_LEN: u32 = 100;

/// The record-list bound of a grant's scope as the runtime API shows it. It is a view bound only
/// (it must be at least the runtime's `MaxScopeRecords`, which `integrity_test` checks).
pub type ApiMaxScopeRecords = ConstU32<1024>;

polkadot_sdk::sp_api::decl_runtime_apis! {
	/// Access decisions and listings of `pallet-ehr-access`.
	pub trait EhrAccessApi<AccountId, BlockNumber, Balance>
	where
		AccountId: Codec,
		BlockNumber: Codec,
		Balance: Codec,
	{
		/// Whether `who` may open `record` now, with the reason for the decision. This is the
		/// same decision that `open_access` makes.
		fn can_access(who: AccountId, record: RecordId) -> AccessDecision;

		/// Whether `author` may add a record of `category` (amending `supersedes`) for
		/// `patient` now, with the reason: the same decision that `add_record` makes.
		/// Custodians ask it before they take room for a writer's piece.
		fn can_write(
			author: AccountId,
			patient: AccountId,
			category: Category,
			supersedes: Option<RecordId>,
		) -> AccessDecision;

		/// The live ticket of `reader` for `record`, if any. A ticket is returned only while it
		/// has not expired **and** its reader is still allowed to open the record, so that a
		/// revocation or suspension takes effect at once. Custodians serve pieces only against
		/// a ticket returned here.
		fn ticket(reader: AccountId, record: RecordId) -> Option<Ticket<AccountId, BlockNumber>>;

		/// Up to `limit` (at most [`MAX_PAGE_LEN`]) records of `patient` in ascending id order,
		/// starting after `start_after`.
		fn patient_records(
			patient: AccountId,
			start_after: Option<RecordId>,
			limit: u32,
		) -> Vec<(RecordId, Anchor<AccountId, Balance, BlockNumber>)>;

		/// Up to `limit` (at most [`MAX_PAGE_LEN`]) consent grants of `patient`, expired ones
		/// included, in ascending id order, starting after `start_after`.
		fn patient_grants(
			patient: AccountId,
			start_after: Option<GrantId>,
			limit: u32,
		) -> Vec<(GrantId, Grant<AccountId, Balance, BlockNumber, ApiMaxScopeRecords>)>;
	}
}
