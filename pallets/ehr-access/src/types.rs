//! Types of `pallet-ehr-access` that nodes, custodians, clients and the UI share with the runtime.
//!
//! None of these types can carry free text about a patient: the only byte strings are the public,
//! professional profiles of hospitals ([`HospitalProfile`]) and doctors ([`DoctorProfile`]). A
//! unit test walks the type metadata of every storage item, event and call to prove it.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use polkadot_sdk::frame_support::{stored, traits::Get, BoundedVec};
use scale_info::TypeInfo;

pub use ehr_types::{
	AccessDecision, AccessReason, Category, Commitment, DenyReason, EmergencyReason, GrantId,
	Grantee, PatientId, RecordId, Right, Status, TicketId,
};

/// The public profile of a hospital: public, professional information, never PHI.
///
/// Every field is UTF-8 of at most `S` bytes.
#[stored]
pub struct HospitalProfile<S: Get<u32>, N: Get<u32>> {
	/// The hospital's name; never empty.
	pub name: BoundedVec<u8, S>,
	/// Its postal address.
	pub address: BoundedVec<u8, S>,
	/// Its specialities, at most `N`.
	pub specialities: BoundedVec<BoundedVec<u8, S>, N>,
}

/// The public profile of a doctor: public, professional information, never PHI.
///
/// Every field is UTF-8 of at most `S` bytes.
#[stored]
pub struct DoctorProfile<S: Get<u32>> {
	/// The doctor's name; never empty.
	pub name: BoundedVec<u8, S>,
	/// Their speciality.
	pub speciality: BoundedVec<u8, S>,
	/// Their professional contact (e.g. a department's phone or e-mail), never a private one.
	pub contact: BoundedVec<u8, S>,
}

/// A registered hospital.
#[stored]
pub struct HospitalInfo<BlockNumber, S: Get<u32>, N: Get<u32>> {
	/// Its public profile.
	pub profile: HospitalProfile<S, N>,
	/// Whether it may act.
	pub status: Status,
	/// The block it was registered at.
	pub registered_at: BlockNumber,
	/// How many doctors it has registered and not removed.
	pub doctors: u32,
}

/// A registered doctor: invited by a hospital, confirmed by the doctor's own key.
#[stored]
pub struct DoctorInfo<AccountId, Balance, BlockNumber, S: Get<u32>> {
	/// The hospital that registered the doctor, and the only one that may change them.
	pub hospital: AccountId,
	/// Their public profile.
	pub profile: DoctorProfile<S>,
	/// Whether they may act.
	pub status: Status,
	/// The block they were registered at.
	pub registered_at: BlockNumber,
	/// The deposit held from `hospital` for this entry.
	pub deposit: Balance,
	/// How many emergency (break-glass) accesses they have ever opened, so that abuse shows.
	pub emergencies_opened: u32,
}

/// A hospital's invitation to an account to become its doctor with a public profile. Until the
/// doctor's own key accepts it, nothing is published as the doctor's and the account holds no
/// role: it may still become a patient or a guardian.
#[stored]
pub struct DoctorInvitation<AccountId, Balance, BlockNumber, S: Get<u32>> {
	/// The inviting hospital.
	pub hospital: AccountId,
	/// The public profile the doctor is asked to publish.
	pub profile: DoctorProfile<S>,
	/// When the hospital invited the doctor.
	pub invited_at: BlockNumber,
	/// The deposit held from `hospital`, kept for the doctor's registration once accepted.
	pub deposit: Balance,
}

/// A guardian of a patient and the deposit the patient placed for naming them.
#[derive(Clone, Encode, Decode, Eq, PartialEq, Debug, TypeInfo, MaxEncodedLen)]
pub struct GuardianEntry<AccountId, Balance> {
	/// The guardian's account.
	pub account: AccountId,
	/// The deposit held from the patient for this entry.
	pub deposit: Balance,
}

/// A registered patient: an account and a pseudonymous id, and nothing about the person.
#[stored]
pub struct PatientInfo<AccountId, Balance, BlockNumber, G: Get<u32>, M: Get<u32>> {
	/// The pseudonymous id.
	pub id: PatientId,
	/// The block the patient registered at.
	pub registered_at: BlockNumber,
	/// The deposit held from the patient for this entry.
	pub deposit: Balance,
	/// The guardians the patient named, sorted by account, without duplicates.
	pub guardians: BoundedVec<GuardianEntry<AccountId, Balance>, G>,
	/// The patient's consent grants, in ascending id order.
	pub grants: BoundedVec<GrantId, M>,
	/// How many records the patient has (records are never removed).
	pub records: u32,
}

impl<AccountId: Ord, Balance, BlockNumber, G: Get<u32>, M: Get<u32>>
	PatientInfo<AccountId, Balance, BlockNumber, G, M>
{
	/// Whether `who` is one of the patient's guardians.
	pub fn is_guardian(&self, who: &AccountId) -> bool {
		self.guardians.binary_search_by(|g| g.account.cmp(who)).is_ok()
	}
}

/// A doctor's proposal that an account registers as a patient. It gives the doctor no right
/// over the patient; it only lets the patient's client show the invitation and the chain record
/// who onboarded the patient.
#[derive(Clone, Encode, Decode, Eq, PartialEq, Debug, TypeInfo, MaxEncodedLen)]
pub struct PatientProposal<AccountId, Balance, BlockNumber> {
	/// The proposing doctor.
	pub doctor: AccountId,
	/// When it was proposed.
	pub proposed_at: BlockNumber,
	/// The deposit held from the doctor until the proposal is consumed or withdrawn.
	pub deposit: Balance,
}

/// Which of a patient's records a consent grant covers.
#[stored]
pub enum GrantScope<R: Get<u32>> {
	/// Every record of the patient, present and future.
	#[codec(index = 0)]
	All,
	/// Every record of one category, present and future.
	#[codec(index = 1)]
	Category(Category),
	/// The listed records only (stored sorted, without duplicates). With a write right, the
	/// grantee may add amendments that supersede one of these records.
	#[codec(index = 2)]
	Records(BoundedVec<RecordId, R>),
}

impl<R: Get<u32>> GrantScope<R> {
	/// Whether the scope lets its grantee read `record`, of `category`.
	pub fn covers_read(&self, record: RecordId, category: Category) -> bool {
		match self {
			GrantScope::All => true,
			GrantScope::Category(c) => *c == category,
			GrantScope::Records(list) => list.binary_search(&record).is_ok(),
		}
	}

	/// Whether the scope (with a write right) lets its grantee add a record of `category` that
	/// supersedes `supersedes`.
	pub fn covers_write(&self, category: Category, supersedes: Option<RecordId>) -> bool {
		match self {
			GrantScope::All => true,
			GrantScope::Category(c) => *c == category,
			GrantScope::Records(list) => {
				supersedes.map(|s| list.binary_search(&s).is_ok()).unwrap_or(false)
			},
		}
	}

	/// How many records the scope lists.
	pub fn listed(&self) -> u32 {
		match self {
			GrantScope::Records(list) => list.len() as u32,
			_ => 0,
		}
	}
}

/// A consent grant: the patient (or a guardian) lets a grantee reach some records.
#[stored]
pub struct Grant<AccountId, Balance, BlockNumber, R: Get<u32>> {
	/// The patient whose records it covers.
	pub patient: AccountId,
	/// Who it is for.
	pub grantee: Grantee<AccountId>,
	/// Which records.
	pub scope: GrantScope<R>,
	/// What it allows.
	pub right: Right,
	/// Who signed it: the patient or one of their guardians. The deposit is theirs.
	pub granted_by: AccountId,
	/// When it was granted.
	pub granted_at: BlockNumber,
	/// The first block at which it no longer works, if any.
	pub expires_at: Option<BlockNumber>,
	/// The deposit held from `granted_by`.
	pub deposit: Balance,
}

impl<AccountId, Balance, BlockNumber: PartialOrd, R: Get<u32>>
	Grant<AccountId, Balance, BlockNumber, R>
{
	/// Whether the grant works at block `now`.
	pub fn is_live(&self, now: &BlockNumber) -> bool {
		self.expires_at.as_ref().is_none_or(|e| now < e)
	}
}

/// Where the shamir-archive pallet keeps a record's dispersed pieces: its archive entry, the
/// threshold `k` of `n`, and the root of the per-custodian commitments.
#[derive(
	Clone,
	Copy,
	Encode,
	Decode,
	DecodeWithMemTracking,
	Eq,
	PartialEq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub struct ArchiveRef {
	/// The archive entry in the shamir-archive pallet.
	pub entry: u64,
	/// Pieces needed to rebuild the record (`1 <= k <= n`).
	pub k: u8,
	/// Pieces made, one per custodian.
	pub n: u8,
	/// Root of the commitments `h_i = H(i, F_i, S_i)` of the pieces.
	pub root: [u8; 32],
}

/// What [`crate::RecordArchive::anchor`] stored for a new record: its archive reference, and
/// the ciphertext's size in bytes (the codec's payload length).
#[derive(Clone, Copy, Eq, PartialEq, Debug)]
pub struct Archived {
	/// Where the pieces are kept; its root is the record's commitment.
	pub archive: ArchiveRef,
	/// Size of the ciphertext, in bytes.
	pub size: u64,
}

impl ArchiveRef {
	/// Whether `1 <= k <= n`.
	pub fn is_valid(&self) -> bool {
		self.k >= 1 && self.k <= self.n
	}
}

/// The on-chain anchor of a record. The record itself is encrypted, off chain.
#[derive(Clone, Encode, Decode, Eq, PartialEq, Debug, TypeInfo, MaxEncodedLen)]
pub struct Anchor<AccountId, Balance, BlockNumber> {
	/// The record's id (also its storage key).
	pub id: RecordId,
	/// The patient the record is about.
	pub patient: AccountId,
	/// Who added it: the patient, or a doctor.
	pub author: AccountId,
	/// The author's hospital when the author is a doctor.
	pub hospital: Option<AccountId>,
	/// What kind of record it is.
	pub category: Category,
	/// Commitment (32-byte hash) to the ciphertext.
	pub commitment: Commitment,
	/// Size of the ciphertext, in bytes.
	pub size: u64,
	/// The block it was added at.
	pub created_at: BlockNumber,
	/// The record this one amends, if any (same patient, same category). Records are never
	/// edited: an amendment is a new record.
	pub supersedes: Option<RecordId>,
	/// The shamir-archive entry holding the pieces, stored with the record.
	pub archive: ArchiveRef,
	/// The block at which the patient had the record erased (its pieces deleted, its key
	/// crypto-shredded), if they did. The anchor itself stays, as the audit trail.
	pub erased_at: Option<BlockNumber>,
	/// The deposit held from `author`.
	pub deposit: Balance,
}

/// An emergency access session of a doctor to a patient.
#[derive(Clone, Encode, Decode, Eq, PartialEq, Debug, TypeInfo, MaxEncodedLen)]
pub struct EmergencySession<AccountId, BlockNumber> {
	/// The patient.
	pub patient: AccountId,
	/// The reason code given.
	pub reason: EmergencyReason,
	/// When it was opened.
	pub opened_at: BlockNumber,
	/// The first block at which it no longer works.
	pub expires_at: BlockNumber,
}

/// A break-glass session as a doctor's rate limit and cool-down remember it: kept for
/// `EmergencyRatePeriod` blocks after it was opened, whether it is live, expired or closed.
#[derive(Clone, Encode, Decode, Eq, PartialEq, Debug, TypeInfo, MaxEncodedLen)]
pub struct EmergencyOpening<AccountId, BlockNumber> {
	/// The patient.
	pub patient: AccountId,
	/// When it was opened.
	pub opened_at: BlockNumber,
	/// When the patient or a guardian closed it, if they did: the doctor may not open another
	/// session for that patient until `EmergencyCooldown` blocks later.
	pub closed_by_patient_at: Option<BlockNumber>,
}

/// How many records one writer (other than the patient) added for one patient in the current
/// window of `WriteRatePeriod` blocks.
#[derive(Clone, Encode, Decode, Eq, PartialEq, Debug, TypeInfo, MaxEncodedLen)]
pub struct WriteWindow<BlockNumber> {
	/// The block of the window's first record.
	pub started_at: BlockNumber,
	/// Records added in the window, at most `MaxWritesPerPeriod`.
	pub count: u32,
}

/// A stored access ticket (its reader and record are the storage keys).
#[derive(Clone, Encode, Decode, Eq, PartialEq, Debug, TypeInfo, MaxEncodedLen)]
pub struct TicketInfo<BlockNumber> {
	/// The ticket's id.
	pub id: TicketId,
	/// Why the read was allowed when the ticket was opened.
	pub reason: AccessReason,
	/// When it was opened.
	pub opened_at: BlockNumber,
	/// The first block at which it is no longer honoured.
	pub expires_at: BlockNumber,
}

/// An access ticket as the runtime API returns it: custodians serve a record's pieces only to
/// the reader of a live ticket.
#[derive(Clone, Encode, Decode, Eq, PartialEq, Debug, TypeInfo, MaxEncodedLen)]
pub struct Ticket<AccountId, BlockNumber> {
	/// The ticket's id.
	pub id: TicketId,
	/// Who may read.
	pub reader: AccountId,
	/// What.
	pub record: RecordId,
	/// Why the read was allowed when the ticket was opened.
	pub reason: AccessReason,
	/// When it was opened.
	pub opened_at: BlockNumber,
	/// The first block at which it is no longer honoured.
	pub expires_at: BlockNumber,
}
