//! A patient's audit trail as the node's audit index keeps and serves it (`ehr_auditTrail`):
//! every read and refusal, emergency session, consent change, record added or erased and
//! guardian named or removed, in chain order. Generic over the account type, so that the node
//! (`sp_runtime::AccountId32`) and the client (subxt's `AccountId32`) share one definition and
//! one SCALE encoding.
use crate::{
	shared_type, AccessReason, Category, DenyReason, EmergencyReason, GrantId, Grantee, RecordId,
	Right, TicketId,
};
use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// The node's RPC method that serves a patient's trail: `ehr_auditTrail(patient, from, to,
/// after, limit)`, answering the SCALE encoding of an [`AuditPage`] as hex.
pub const AUDIT_TRAIL_METHOD: &str = "ehr_auditTrail";

/// The most entries one page of the trail holds; a larger `limit` is capped to it.
pub const MAX_AUDIT_PAGE: u32 = 1_000;

shared_type! {
	/// Where an entry sits in the chain: its block and its event's index in the block. Entries
	/// are ordered by it, and a page continues after one.
	#[derive(Copy, PartialOrd, Ord)]
	pub struct AuditCursor {
		/// The block.
		pub block: u32,
		/// The event's index among the block's events.
		pub event: u32,
	}
}

shared_type! {
	/// What happened to a patient's records or access, as the chain recorded it.
	#[cfg_attr(feature = "serde", serde(tag = "kind"))]
	pub enum AuditEvent<AccountId> {
		/// `reader` was given ticket `ticket` to read `record`, for `reason`, until `expires_at`.
		#[codec(index = 0)]
		Read { record: RecordId, reader: AccountId, ticket: TicketId, reason: AccessReason, expires_at: u32 },
		/// `reader` asked to read `record` and the chain refused, for `reason`.
		#[codec(index = 1)]
		Denied { record: RecordId, reader: AccountId, reason: DenyReason },
		/// `doctor` of `hospital` opened emergency access for `reason`, until `expires_at`.
		#[codec(index = 2)]
		EmergencyOpened { doctor: AccountId, hospital: AccountId, reason: EmergencyReason, expires_at: u32 },
		/// `by` closed `doctor`'s emergency access.
		#[codec(index = 3)]
		EmergencyClosed { doctor: AccountId, by: AccountId },
		/// `by` granted `grantee` the `right` (grant `grant`), until `expires_at` if given.
		#[codec(index = 4)]
		ConsentGranted { grant: GrantId, grantee: Grantee<AccountId>, right: Right, expires_at: Option<u32>, by: AccountId },
		/// `by` revoked grant `grant`.
		#[codec(index = 5)]
		ConsentRevoked { grant: GrantId, by: AccountId },
		/// `author` added record `record` of `category`.
		#[codec(index = 6)]
		RecordAdded { record: RecordId, author: AccountId, category: Category },
		/// The patient (or a guardian) had record `record` erased.
		#[codec(index = 7)]
		RecordErased { record: RecordId },
		/// The patient named `guardian`.
		#[codec(index = 8)]
		GuardianAdded { guardian: AccountId },
		/// The patient removed `guardian`.
		#[codec(index = 9)]
		GuardianRemoved { guardian: AccountId },
	}
}

shared_type! {
	/// One event of a patient's trail, where and when it happened.
	pub struct AuditEntry<AccountId> {
		/// Where it is in the chain.
		pub at: AuditCursor,
		/// The block's time, in milliseconds since the Unix epoch.
		pub time_ms: u64,
		/// What happened.
		pub event: AuditEvent<AccountId>,
	}
}

/// A page of a patient's trail, oldest first.
#[derive(Clone, Encode, Decode, Eq, PartialEq, Debug, TypeInfo)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct AuditPage<AccountId> {
	/// The entries, at most the limit asked for.
	pub entries: Vec<AuditEntry<AccountId>>,
	/// Where the next page starts (pass it as `after`), if there may be more.
	pub next: Option<AuditCursor>,
	/// The last finalised block the index has seen: the trail is complete up to it.
	pub indexed_to: u32,
}
