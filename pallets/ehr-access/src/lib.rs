//! # EHR access pallet
//!
//! The on-chain heart of ehr-chain: who is who (hospitals, doctors, patients, guardians), which
//! records exist (anchors: commitments, never content), who may read or write them (consent and
//! emergency access), and a record of every read (access tickets and their events).
//!
//! It replaces the four contracts of the Ethereum EHR app that ehr-chain re-founds (hospital,
//! doctor, patient, records) and fixes their faults: no personal data on chain, and the role
//! rules ("only a hospital registers its doctors", "a patient's own key confirms the patient")
//! are enforced.
//!
//! ## No PHI on chain
//!
//! **Nothing this pallet stores or emits can carry personal health information or free text about
//! a patient.** On chain, a patient is an account and a pseudonymous id (a counter), plus the
//! guardians they named, their consent grants and the anchors of their records (category,
//! 32-byte commitment to the ciphertext, size, dates, authors). Demographics (name, birth date,
//! address, phone, e-mail, next of kin) are an encrypted FHIR `Patient` record like any other
//! record, kept off chain by the custodians. Reason codes are enums, never strings. The only byte
//! strings anywhere in the pallet are the *public, professional* profiles of hospitals and
//! doctors. The unit test `no_phi::no_free_text_reachable_from_patient_data` walks the type
//! metadata of every storage item, event and call to keep it so.
//!
//! Note that the chain cannot stop a client from putting meaningful bytes where a hash belongs
//! (a commitment is 32 opaque bytes); clients must only ever put the hash of the ciphertext there.
//!
//! ## Roles
//!
//! - **Registrar** (`RegistrarOrigin`, root in ehr-runtime): registers, updates, suspends and
//!   reinstates **hospitals** (the administrator's account and a public profile: name, address,
//!   specialities).
//! - **Hospital**: registers, updates, suspends, reinstates and removes **its own doctors**
//!   (account and public profile: name, speciality, professional contact); no one else can. A
//!   suspended hospital cannot act.
//! - **Doctor**: authors records and reads them under consent or emergency access. A suspended
//!   doctor can do nothing. The doctors of a suspended hospital cannot author records, propose
//!   patients or open emergency access, and lose hospital-wide grants and emergency access; they
//!   keep reading under grants made to them *in person* and what they authored, because the
//!   patient's consent was given to the person (continuity of care does not hang on the
//!   hospital's administrative standing).
//! - **Patient**: registers with their own account ([`Pallet::register_patient`]). A doctor may
//!   start the registration ([`Pallet::propose_patient`]); the patient's own account then
//!   confirms it by registering. A proposal gives the doctor no right over the patient.
//! - **Guardian** (the "attendant" of the original app): named and removed by the patient only;
//!   manages consent (grants, revokes) on the patient's behalf and may read the patient's
//!   records; does not author records.
//!
//! An account holds at most one of the roles hospital, doctor and patient, and no hospital or
//! doctor account may be a guardian. So no professional account can ever be a patient or hold a
//! patient's consent powers: a doctor can never register a patient with their own key and then
//! consent on the patient's behalf, because registration needs the patient account's signature
//! and nothing in the pallet lets the proposing doctor (or any doctor) speak for a patient. (The
//! chain cannot know who holds a key: a key generated and kept by a doctor *outside* the system is
//! a compromised patient device, out of scope of the threat model.)
//!
//! ## Records
//!
//! A record is encrypted and dispersed off chain (see the shamir-archive pallet); on chain it is
//! an [`Anchor`]: id (a counter), patient, author, author's hospital, [`Category`] (each maps to a
//! FHIR R4 resource type), commitment, ciphertext size, creation block, the record it supersedes,
//! and its archive entry ([`ArchiveRef`]). [`Pallet::add_record`] stores the anchor and its
//! archive in **one transaction**: after this pallet's decision it hands the writer's archive
//! submission to [`Config::Archive`] ([`RecordArchive`], the shamir-archive pallet), whose root
//! becomes the commitment; if either fails, nothing is stored and nothing is held. Records are
//! never edited or removed: an amendment is a new record naming the record it supersedes (same
//! patient, same category). When the patient has the record's archive erased, the archive
//! pallet marks the anchor erased ([`Anchor::erased_at`]) through the [`ArchiveSlot`] trait;
//! from then on nobody can open it (`DenyReason::Erased`).
//!
//! Who may add a record for a patient: the patient; an active doctor of an active hospital with a
//! live read-and-write grant whose scope covers the category (or, for a scope of listed records,
//! the superseded record); or such a doctor with a live emergency session for the patient.
//!
//! ## Consent
//!
//! The patient or a guardian grants a [`Grantee`] (a doctor in person, or a whole hospital) a
//! [`GrantScope`] (all records, one category, or listed records), a [`Right`] (read, or read and
//! write) and an optional expiry block; either revokes it at any time. A grant works while
//! `now < expires_at`, with no transaction needed for it to lapse. A hospital grant works for the
//! active doctors of that hospital while the hospital is active.
//!
//! ## Emergency access
//!
//! An active doctor of an active hospital opens break-glass access to a patient with an
//! [`EmergencyReason`] code. It lasts `EmergencyDuration` blocks, emits
//! [`Event::EmergencyAccessOpened`] (which patients and guardians watch for) and is counted per
//! doctor ([`DoctorInfo::emergencies_opened`]). The doctor, the patient or a guardian may close it
//! early.
//!
//! ## Audited reads
//!
//! [`Pallet::open_access`] decides at the current block with the one decision function
//! [`Pallet::decide`] (owner, guardian, author, consent, emergency, in that order). It stores a
//! ticket (reader, record, expiry) and emits [`Event::AccessOpened`], or, refused, stores
//! nothing and emits [`Event::AccessDenied`] with the [`DenyReason`]: a refused read is on the
//! patient's trail like an allowed one. What bounds abuse is the fee: a refusal pays the full
//! weight of the decision, writes no state (the event lives in its block only), and blocks are
//! bounded by weight. A ticket lives `TicketLifetime` blocks, and never longer than the grant
//! or emergency session it rests on. Custodians honour only live tickets, through the
//! `EhrAccessApi::ticket` runtime API, which also re-checks the decision so that a revocation
//! takes effect at once. Ticket storage is bounded: at most `MaxTicketsPerReader` per reader
//! (expired ones are purged when a reader is at the bound), and `on_idle` prunes expired tickets
//! within the block's spare weight.
//!
//! ## Deposits
//!
//! Whatever a signed caller adds to state is paid for with a deposit (a hold, [`HoldReason`]) that
//! comes back when the item is removed:
//!
//! | item | paid by | hold reason | comes back when |
//! |---|---|---|---|
//! | hospital | nobody (the registrar adds it) | - | - |
//! | doctor | the hospital (`DoctorDeposit`) | `DoctorRegistration` | the hospital removes the doctor |
//! | patient proposal | the doctor (`ProposalDeposit`) | `PatientProposal` | the patient registers, or either withdraws it |
//! | patient | the patient (`PatientDeposit`) | `PatientRegistration` | the patient deregisters (only with no records, grants or guardians) |
//! | guardian | the patient (`GuardianDeposit`) | `Guardian` | the patient removes the guardian |
//! | grant | who signed it (`GrantDeposit`) | `Grant` | the grant is revoked (expired grants too) |
//! | record anchor | the author (`RecordDeposit`, and the archive entry's deposit in the archive pallet) | `RecordAnchor` | never: anchors, erased ones too, are the permanent audit trail of who wrote what about whom and when (the archive's own deposit comes back on erasure) |
//! | emergency session | nobody: at most `MaxEmergenciesPerDoctor` per doctor, covered by the doctor's deposit | - | - |
//! | access ticket | nobody: short-lived, at most `MaxTicketsPerReader` per reader, pruned in `on_idle`; every reader is a deposit-backed role | - | - |
//!
//! ## Calls
//!
//! | index | call | origin |
//! |---|---|---|
//! | 0 | [`Pallet::register_hospital`] | registrar |
//! | 1 | [`Pallet::update_hospital`] | registrar |
//! | 2 | [`Pallet::set_hospital_status`] | registrar |
//! | 3 | [`Pallet::register_doctor`] | active hospital |
//! | 4 | [`Pallet::update_doctor`] | the doctor's active hospital |
//! | 5 | [`Pallet::set_doctor_status`] | the doctor's active hospital |
//! | 6 | [`Pallet::remove_doctor`] | the doctor's active hospital |
//! | 7 | [`Pallet::propose_patient`] | active doctor of an active hospital |
//! | 8 | [`Pallet::withdraw_patient_proposal`] | the proposing doctor or the patient |
//! | 9 | [`Pallet::register_patient`] | the patient |
//! | 10 | [`Pallet::deregister_patient`] | the patient |
//! | 11 | [`Pallet::add_guardian`] | the patient |
//! | 12 | [`Pallet::remove_guardian`] | the patient |
//! | 13 | [`Pallet::grant_access`] | the patient or a guardian |
//! | 14 | [`Pallet::revoke_access`] | the patient or a guardian |
//! | 15 | [`Pallet::add_record`] (with its archive) | the patient, or an authorised doctor |
//! | 16 | [`Pallet::open_emergency`] | active doctor of an active hospital |
//! | 17 | [`Pallet::close_emergency`] | the doctor, the patient or a guardian |
//! | 18 | [`Pallet::open_access`] | anyone (refusals are audited) |
//!
//! ## Runtime API
//!
//! [`runtime_api::EhrAccessApi`]: `can_access`, `ticket`, `patient_records`, `patient_grants`.
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod model;
#[cfg(test)]
mod no_phi;
#[cfg(test)]
mod tests;

pub mod runtime_api;
pub mod types;
pub mod weights;

pub use runtime_api::MAX_PAGE_LEN;
pub use types::*;
pub use weights::WeightInfo;

use polkadot_sdk::{
	frame_support::{dispatch::DispatchResult, traits::fungible, weights::Weight},
	frame_system::pallet_prelude::BlockNumberFor,
	sp_runtime::DispatchError,
};

/// The most expired tickets `on_idle` looks at in one block.
pub const MAX_PRUNE_PER_BLOCK: u32 = 512;

/// The account type of a runtime.
pub type AccountIdOf<T> = <T as polkadot_sdk::frame_system::Config>::AccountId;
/// The balance type of the deposits.
pub type BalanceOf<T> = <<T as Config>::Currency as fungible::Inspect<AccountIdOf<T>>>::Balance;
/// A hospital's public profile in a runtime.
pub type HospitalProfileOf<T> =
	HospitalProfile<<T as Config>::MaxProfileFieldLen, <T as Config>::MaxSpecialities>;
/// A doctor's public profile in a runtime.
pub type DoctorProfileOf<T> = DoctorProfile<<T as Config>::MaxProfileFieldLen>;
/// A stored hospital in a runtime.
pub type HospitalInfoOf<T> = HospitalInfo<
	BlockNumberFor<T>,
	<T as Config>::MaxProfileFieldLen,
	<T as Config>::MaxSpecialities,
>;
/// A stored doctor in a runtime.
pub type DoctorInfoOf<T> =
	DoctorInfo<AccountIdOf<T>, BalanceOf<T>, BlockNumberFor<T>, <T as Config>::MaxProfileFieldLen>;
/// A stored patient in a runtime.
pub type PatientInfoOf<T> = PatientInfo<
	AccountIdOf<T>,
	BalanceOf<T>,
	BlockNumberFor<T>,
	<T as Config>::MaxGuardians,
	<T as Config>::MaxGrantsPerPatient,
>;
/// A stored patient proposal in a runtime.
pub type PatientProposalOf<T> = PatientProposal<AccountIdOf<T>, BalanceOf<T>, BlockNumberFor<T>>;
/// A grant scope in a runtime.
pub type GrantScopeOf<T> = GrantScope<<T as Config>::MaxScopeRecords>;
/// A stored grant in a runtime.
pub type GrantOf<T> =
	Grant<AccountIdOf<T>, BalanceOf<T>, BlockNumberFor<T>, <T as Config>::MaxScopeRecords>;
/// A grant as the runtime API shows it.
pub type ApiGrantOf<T> =
	Grant<AccountIdOf<T>, BalanceOf<T>, BlockNumberFor<T>, runtime_api::ApiMaxScopeRecords>;
/// A stored record anchor in a runtime.
pub type AnchorOf<T> = Anchor<AccountIdOf<T>, BalanceOf<T>, BlockNumberFor<T>>;
/// A stored emergency session in a runtime.
pub type EmergencySessionOf<T> = EmergencySession<AccountIdOf<T>, BlockNumberFor<T>>;
/// A stored ticket in a runtime.
pub type TicketInfoOf<T> = TicketInfo<BlockNumberFor<T>>;
/// A ticket as the runtime API shows it.
pub type TicketOf<T> = Ticket<AccountIdOf<T>, BlockNumberFor<T>>;

/// Where a new record's archive is checked and stored, in the same transaction as the record
/// ([`Pallet::add_record`]): the shamir-archive pallet in ehr-runtime.
///
/// A record and its archive exist together or not at all: `add_record` calls
/// [`RecordArchive::anchor`] after its own decision, and any error of either rolls back the
/// whole call (nothing stored, nothing held).
pub trait RecordArchive<AccountId> {
	/// What a writer submits about the archive (codec parameters, piece commitments, custodians
	/// and their receipts).
	type Submission: polkadot_sdk::frame_support::Parameter;

	/// Check `archive` as the archive of the new record `record` of `patient` written by
	/// `author`, store it and hold its deposit from `author`. The returned reference's root is
	/// the record's commitment.
	fn anchor(
		record: RecordId,
		patient: &AccountId,
		author: &AccountId,
		archive: Self::Submission,
	) -> Result<Archived, DispatchError>;

	/// The weight of [`RecordArchive::anchor`] for `archive` (an upper bound).
	fn anchor_weight(archive: &Self::Submission) -> Weight;

	/// A submission that [`RecordArchive::anchor`] accepts for a record of `patient` by
	/// `author`, with `pieces` pieces, after setting up what it needs (custodians, funds).
	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_submission(
		patient: &AccountId,
		author: &AccountId,
		pieces: u32,
	) -> Result<Self::Submission, DispatchError>;
}

/// What the shamir-archive pallet (or any runtime code) needs to know of records and may do to
/// them once archived. There is no extrinsic for it: only runtime code can call it.
pub trait ArchiveSlot {
	/// The account type of the runtime.
	type AccountId;
	/// The commitment of `record`, if it exists.
	fn commitment(record: RecordId) -> Option<Commitment>;
	/// The patient and the author of `record`, if it exists: who may archive it.
	fn patient_and_author(record: RecordId) -> Option<(Self::AccountId, Self::AccountId)>;
	/// Whether `who` is a guardian named by `patient`: who, besides the patient, may have a
	/// record erased.
	fn is_guardian(patient: &Self::AccountId, who: &Self::AccountId) -> bool;
	/// Mark `record` erased, once: its archive is gone and it can no longer be opened. Emits
	/// [`Event::RecordErased`].
	fn mark_erased(record: RecordId) -> DispatchResult;
	/// Whether `record` is marked erased.
	fn is_erased(record: RecordId) -> bool;
}

#[polkadot_sdk::frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use polkadot_sdk::{
		frame_support::{
			defensive,
			pallet_prelude::*,
			traits::{fungible::MutateHold, tokens::Precision, EnsureOrigin},
		},
		frame_system::pallet_prelude::*,
		sp_runtime::traits::{Saturating, Zero},
	};

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: polkadot_sdk::frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// Who registers, updates and suspends hospitals (root, or a council).
		type RegistrarOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// The runtime's hold reason, into which this pallet's [`HoldReason`] converts.
		type RuntimeHoldReason: From<HoldReason>;

		/// The currency in which deposits are held.
		#[cfg(not(feature = "runtime-benchmarks"))]
		type Currency: MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;
		/// The currency in which deposits are held (and, for benchmarks, minted).
		#[cfg(feature = "runtime-benchmarks")]
		type Currency: MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
			+ fungible::Mutate<Self::AccountId>;

		/// Held from a patient while they are registered.
		#[pallet::constant]
		type PatientDeposit: Get<BalanceOf<Self>>;
		/// Held from a doctor while their proposal that an account registers as a patient is
		/// pending.
		#[pallet::constant]
		type ProposalDeposit: Get<BalanceOf<Self>>;
		/// Held from a patient for each guardian they name.
		#[pallet::constant]
		type GuardianDeposit: Get<BalanceOf<Self>>;
		/// Held from whoever signs a consent grant, until it is revoked.
		#[pallet::constant]
		type GrantDeposit: Get<BalanceOf<Self>>;
		/// Held from the author of each record anchor.
		#[pallet::constant]
		type RecordDeposit: Get<BalanceOf<Self>>;
		/// Held from a hospital for each doctor it registers.
		#[pallet::constant]
		type DoctorDeposit: Get<BalanceOf<Self>>;

		/// Longest text field of a hospital or doctor profile, in bytes.
		#[pallet::constant]
		type MaxProfileFieldLen: Get<u32>;
		/// Most specialities in a hospital profile.
		#[pallet::constant]
		type MaxSpecialities: Get<u32>;
		/// Most guardians per patient.
		#[pallet::constant]
		type MaxGuardians: Get<u32>;
		/// Most consent grants per patient, expired ones included until revoked.
		#[pallet::constant]
		type MaxGrantsPerPatient: Get<u32>;
		/// Most records listed in one grant's scope.
		#[pallet::constant]
		type MaxScopeRecords: Get<u32>;
		/// Most records per patient.
		#[pallet::constant]
		type MaxRecordsPerPatient: Get<u32>;
		/// Most tickets stored per reader, expired but not yet pruned ones included.
		#[pallet::constant]
		type MaxTicketsPerReader: Get<u32>;
		/// How many blocks an access ticket lives (at most).
		#[pallet::constant]
		type TicketLifetime: Get<BlockNumberFor<Self>>;
		/// How many blocks an emergency session lasts.
		#[pallet::constant]
		type EmergencyDuration: Get<BlockNumberFor<Self>>;
		/// Most emergency sessions stored per doctor, expired ones included until replaced.
		#[pallet::constant]
		type MaxEmergenciesPerDoctor: Get<u32>;

		/// Where each new record's archive is checked and stored, in the same transaction.
		type Archive: RecordArchive<Self::AccountId>;

		/// Weights of this pallet's calls and of its `on_idle` pruning, from its benchmarks.
		type WeightInfo: WeightInfo;
	}

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// A patient's registration.
		#[codec(index = 0)]
		PatientRegistration,
		/// A doctor's pending proposal that an account registers as a patient.
		#[codec(index = 1)]
		PatientProposal,
		/// A guardian named by a patient.
		#[codec(index = 2)]
		Guardian,
		/// A consent grant.
		#[codec(index = 3)]
		Grant,
		/// A record anchor.
		#[codec(index = 4)]
		RecordAnchor,
		/// A doctor registered by a hospital.
		#[codec(index = 5)]
		DoctorRegistration,
	}

	/// Registered hospitals, by administrator account.
	#[pallet::storage]
	pub type Hospitals<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, HospitalInfoOf<T>, OptionQuery>;

	/// Registered doctors, by account.
	#[pallet::storage]
	pub type Doctors<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, DoctorInfoOf<T>, OptionQuery>;

	/// Registered patients, by account.
	#[pallet::storage]
	pub type Patients<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, PatientInfoOf<T>, OptionQuery>;

	/// The account of each registered patient's pseudonymous id.
	#[pallet::storage]
	pub type PatientIds<T: Config> =
		StorageMap<_, Twox64Concat, PatientId, T::AccountId, OptionQuery>;

	/// The next pseudonymous patient id.
	#[pallet::storage]
	pub type NextPatientId<T: Config> = StorageValue<_, PatientId, ValueQuery>;

	/// Pending doctor proposals that an account registers as a patient, by that account.
	#[pallet::storage]
	pub type PendingPatients<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, PatientProposalOf<T>, OptionQuery>;

	/// Reverse index of guardians: `(guardian, patient)` for each guardian a patient named.
	#[pallet::storage]
	pub type Guardianships<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Blake2_128Concat,
		T::AccountId,
		(),
		OptionQuery,
	>;

	/// Consent grants, by id. Each patient lists theirs in [`PatientInfo::grants`].
	#[pallet::storage]
	pub type Grants<T: Config> = StorageMap<_, Twox64Concat, GrantId, GrantOf<T>, OptionQuery>;

	/// The next grant id.
	#[pallet::storage]
	pub type NextGrantId<T: Config> = StorageValue<_, GrantId, ValueQuery>;

	/// Record anchors, by id.
	#[pallet::storage]
	pub type Records<T: Config> = StorageMap<_, Twox64Concat, RecordId, AnchorOf<T>, OptionQuery>;

	/// Each patient's records in the order they were added: `(patient, n) -> record id`, for
	/// `n` in `0..records`. Records are never removed, so the ordinals stay dense.
	#[pallet::storage]
	pub type PatientRecords<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Twox64Concat,
		u32,
		RecordId,
		OptionQuery,
	>;

	/// The next record id.
	#[pallet::storage]
	pub type NextRecordId<T: Config> = StorageValue<_, RecordId, ValueQuery>;

	/// Each doctor's emergency sessions (expired ones are dropped when the doctor opens another).
	#[pallet::storage]
	pub type EmergencySessions<T: Config> = StorageMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		BoundedVec<EmergencySessionOf<T>, T::MaxEmergenciesPerDoctor>,
		ValueQuery,
	>;

	/// Access tickets: `(reader, record) -> ticket`. A ticket at or past its expiry block is
	/// ignored, and pruned in `on_idle`.
	#[pallet::storage]
	pub type Tickets<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Twox64Concat,
		RecordId,
		TicketInfoOf<T>,
		OptionQuery,
	>;

	/// How many tickets each reader has stored, at most `MaxTicketsPerReader`.
	#[pallet::storage]
	pub type TicketCount<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, u32, ValueQuery>;

	/// The next ticket id.
	#[pallet::storage]
	pub type NextTicketId<T: Config> = StorageValue<_, TicketId, ValueQuery>;

	/// Where `on_idle` resumes pruning expired tickets: the last ticket it looked at.
	#[pallet::storage]
	pub type TicketPruneCursor<T: Config> = StorageValue<_, (T::AccountId, RecordId), OptionQuery>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A hospital was registered.
		HospitalRegistered { hospital: T::AccountId },
		/// A hospital's public profile was replaced.
		HospitalUpdated { hospital: T::AccountId },
		/// A hospital was suspended or reinstated.
		HospitalStatusChanged { hospital: T::AccountId, status: Status },
		/// A hospital registered a doctor.
		DoctorRegistered { doctor: T::AccountId, hospital: T::AccountId },
		/// A doctor's public profile was replaced.
		DoctorUpdated { doctor: T::AccountId, hospital: T::AccountId },
		/// A doctor was suspended or reinstated by their hospital.
		DoctorStatusChanged { doctor: T::AccountId, hospital: T::AccountId, status: Status },
		/// A hospital removed one of its doctors; its deposit was released.
		DoctorRemoved { doctor: T::AccountId, hospital: T::AccountId },
		/// A doctor proposed that `patient` registers as a patient.
		PatientProposed { patient: T::AccountId, doctor: T::AccountId },
		/// A pending proposal was withdrawn by the doctor or the patient (`by`).
		PatientProposalWithdrawn { patient: T::AccountId, doctor: T::AccountId, by: T::AccountId },
		/// A patient registered, confirming the proposal of `proposed_by` if any.
		PatientRegistered {
			patient: T::AccountId,
			id: PatientId,
			proposed_by: Option<T::AccountId>,
		},
		/// A patient deregistered; their deposit was released.
		PatientDeregistered { patient: T::AccountId, id: PatientId },
		/// A patient named a guardian.
		GuardianAdded { patient: T::AccountId, guardian: T::AccountId },
		/// A patient removed a guardian.
		GuardianRemoved { patient: T::AccountId, guardian: T::AccountId },
		/// A consent grant was made by the patient or a guardian (`by`).
		AccessGranted {
			patient: T::AccountId,
			grant: GrantId,
			grantee: Grantee<T::AccountId>,
			scope: GrantScopeOf<T>,
			right: Right,
			expires_at: Option<BlockNumberFor<T>>,
			by: T::AccountId,
		},
		/// A consent grant was revoked by the patient or a guardian (`by`).
		AccessRevoked { patient: T::AccountId, grant: GrantId, by: T::AccountId },
		/// A record was anchored with its archive (`k` of `n` pieces, root `commitment`),
		/// allowed for `basis`.
		RecordAdded {
			record: RecordId,
			patient: T::AccountId,
			author: T::AccountId,
			hospital: Option<T::AccountId>,
			category: Category,
			commitment: Commitment,
			archive: ArchiveRef,
			supersedes: Option<RecordId>,
			basis: AccessReason,
		},
		/// The patient had a record erased: it can no longer be opened.
		RecordErased { record: RecordId },
		/// A doctor opened emergency (break-glass) access to a patient. `total` is how many the
		/// doctor has ever opened.
		EmergencyAccessOpened {
			doctor: T::AccountId,
			hospital: T::AccountId,
			patient: T::AccountId,
			reason: EmergencyReason,
			expires_at: BlockNumberFor<T>,
			total: u32,
		},
		/// An emergency session was closed early by the doctor, the patient or a guardian (`by`).
		EmergencyAccessClosed { doctor: T::AccountId, patient: T::AccountId, by: T::AccountId },
		/// A read was allowed: `reader` holds ticket `ticket` for `record` (of `patient`) until
		/// block `expires_at`.
		AccessOpened {
			ticket: TicketId,
			reader: T::AccountId,
			record: RecordId,
			patient: T::AccountId,
			reason: AccessReason,
			expires_at: BlockNumberFor<T>,
		},
		/// A read was refused for `reason`: `reader` got no ticket for `record` (of `patient`,
		/// if the record exists). On the patient's audit trail like every read.
		AccessDenied {
			reader: T::AccountId,
			record: RecordId,
			patient: Option<T::AccountId>,
			reason: DenyReason,
		},
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The account is already a hospital.
		AlreadyHospital,
		/// The account is not a registered hospital.
		NotAHospital,
		/// The hospital is suspended, so it cannot act (nor can its doctors author records,
		/// propose patients or open emergency access).
		HospitalNotActive,
		/// The account is already a doctor.
		AlreadyDoctor,
		/// The account is not a registered doctor.
		NotADoctor,
		/// The doctor belongs to another hospital.
		NotYourDoctor,
		/// The doctor is suspended.
		DoctorNotActive,
		/// The hospital or doctor already has that status.
		StatusUnchanged,
		/// The account already holds another role (hospital, doctor or patient), or is a
		/// guardian and so cannot become a hospital or doctor, or is a hospital or doctor and so
		/// cannot become a guardian.
		RoleConflict,
		/// A profile's name is empty.
		EmptyName,
		/// A profile field is longer than `MaxProfileFieldLen`.
		ProfileFieldTooLong,
		/// A profile field is not UTF-8.
		ProfileNotUtf8,
		/// A hospital profile lists more than `MaxSpecialities` specialities.
		TooManySpecialities,
		/// The account is already a patient.
		AlreadyPatient,
		/// The account is not a registered patient.
		NotAPatient,
		/// A proposal for that account is already pending.
		ProposalExists,
		/// No proposal is pending for that account.
		NoProposal,
		/// Only the proposing doctor or the patient may withdraw a proposal.
		NotProposalParty,
		/// The patient still has records, so cannot deregister.
		PatientHasRecords,
		/// The patient still has consent grants; revoke them first.
		PatientHasGrants,
		/// The patient still has guardians; remove them first.
		PatientHasGuardians,
		/// A patient cannot be their own guardian.
		CannotGuardSelf,
		/// The account is already a guardian of the patient.
		AlreadyGuardian,
		/// The account is not a guardian of the patient.
		NotGuardian,
		/// The patient already has `MaxGuardians` guardians.
		TooManyGuardians,
		/// Only the patient or one of their guardians may manage the patient's consent.
		NotPatientOrGuardian,
		/// The grantee is not a registered doctor or hospital.
		UnknownGrantee,
		/// A scope of listed records lists none.
		EmptyScope,
		/// A scope of listed records lists a record twice.
		DuplicateRecordInScope,
		/// No such record.
		UnknownRecord,
		/// The record belongs to another patient.
		RecordNotOfPatient,
		/// The expiry block is not after the current block.
		ExpiryInPast,
		/// The patient already has `MaxGrantsPerPatient` grants.
		TooManyGrants,
		/// No such grant for that patient.
		UnknownGrant,
		/// A record's ciphertext size is zero, or its archive reference does not have
		/// `1 <= k <= n`.
		EmptyRecord,
		/// The superseded record is of another patient or another category.
		SupersededMismatch,
		/// The patient already has `MaxRecordsPerPatient` records.
		TooManyRecords,
		/// The caller may not do this to this record or patient (see `EhrAccessApi::can_access`
		/// for the reason).
		NotAuthorized,
		/// The doctor already has a live emergency session for the patient.
		EmergencyAlreadyOpen,
		/// The doctor has `MaxEmergenciesPerDoctor` live emergency sessions.
		TooManyEmergencies,
		/// No live emergency session of that doctor for that patient.
		NoEmergency,
		/// Only the doctor, the patient or a guardian may close an emergency session.
		NotEmergencyParty,
		/// The reader has `MaxTicketsPerReader` live tickets.
		TooManyTickets,
		/// The record is already marked erased.
		AlreadyErased,
		/// An id counter is exhausted.
		Overflow,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// Prune expired tickets within the block's spare weight.
		fn on_idle(now: BlockNumberFor<T>, remaining: Weight) -> Weight {
			Self::prune_tickets_within(now, remaining)
		}

		fn integrity_test() {
			assert!(!T::TicketLifetime::get().is_zero(), "TicketLifetime must be at least 1");
			assert!(!T::EmergencyDuration::get().is_zero(), "EmergencyDuration must be at least 1");
			assert!(T::MaxTicketsPerReader::get() > 0, "MaxTicketsPerReader must be at least 1");
			assert!(
				T::MaxEmergenciesPerDoctor::get() > 0,
				"MaxEmergenciesPerDoctor must be at least 1"
			);
			assert!(T::MaxScopeRecords::get() > 0, "MaxScopeRecords must be at least 1");
			assert!(
				T::MaxScopeRecords::get() <= <runtime_api::ApiMaxScopeRecords as Get<u32>>::get(),
				"MaxScopeRecords must fit the runtime API's view of a grant"
			);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(
			_n: BlockNumberFor<T>,
		) -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Register `hospital` (its administrator's account) with a public profile: `name`
		/// (non-empty), postal `address` and `specialities`, each UTF-8 of at most
		/// `MaxProfileFieldLen` bytes.
		///
		/// Origin: `RegistrarOrigin`. No deposit. Emits [`Event::HospitalRegistered`].
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::register_hospital())]
		pub fn register_hospital(
			origin: OriginFor<T>,
			hospital: T::AccountId,
			name: Vec<u8>,
			address: Vec<u8>,
			specialities: Vec<Vec<u8>>,
		) -> DispatchResult {
			T::RegistrarOrigin::ensure_origin(origin)?;
			ensure!(!Hospitals::<T>::contains_key(&hospital), Error::<T>::AlreadyHospital);
			ensure!(
				!Doctors::<T>::contains_key(&hospital)
					&& !Patients::<T>::contains_key(&hospital)
					&& !Self::is_guardian_of_anyone(&hospital),
				Error::<T>::RoleConflict
			);
			let profile = Self::hospital_profile(name, address, specialities)?;
			Hospitals::<T>::insert(
				&hospital,
				HospitalInfo {
					profile,
					status: Status::Active,
					registered_at: Self::now(),
					doctors: 0,
				},
			);
			Self::deposit_event(Event::HospitalRegistered { hospital });
			Ok(())
		}

		/// Replace the public profile of `hospital` (same rules as at registration).
		///
		/// Origin: `RegistrarOrigin`. Emits [`Event::HospitalUpdated`].
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::update_hospital())]
		pub fn update_hospital(
			origin: OriginFor<T>,
			hospital: T::AccountId,
			name: Vec<u8>,
			address: Vec<u8>,
			specialities: Vec<Vec<u8>>,
		) -> DispatchResult {
			T::RegistrarOrigin::ensure_origin(origin)?;
			ensure!(Hospitals::<T>::contains_key(&hospital), Error::<T>::NotAHospital);
			let profile = Self::hospital_profile(name, address, specialities)?;
			Hospitals::<T>::mutate(&hospital, |info| {
				if let Some(info) = info {
					info.profile = profile;
				}
			});
			Self::deposit_event(Event::HospitalUpdated { hospital });
			Ok(())
		}

		/// Suspend or reinstate `hospital`. While suspended it cannot act, and its doctors cannot
		/// author records, propose patients or open emergency access, and lose hospital-wide
		/// grants and emergency access (they keep personal grants and their own records).
		///
		/// Origin: `RegistrarOrigin`. Emits [`Event::HospitalStatusChanged`].
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::set_hospital_status())]
		pub fn set_hospital_status(
			origin: OriginFor<T>,
			hospital: T::AccountId,
			status: Status,
		) -> DispatchResult {
			T::RegistrarOrigin::ensure_origin(origin)?;
			Hospitals::<T>::try_mutate(&hospital, |info| -> DispatchResult {
				let info = info.as_mut().ok_or(Error::<T>::NotAHospital)?;
				ensure!(info.status != status, Error::<T>::StatusUnchanged);
				info.status = status;
				Ok(())
			})?;
			Self::deposit_event(Event::HospitalStatusChanged { hospital, status });
			Ok(())
		}

		/// Register `doctor` as a doctor of the calling hospital, with a public profile: `name`
		/// (non-empty), `speciality` and professional `contact`, each UTF-8 of at most
		/// `MaxProfileFieldLen` bytes.
		///
		/// Origin: an active hospital. Holds `DoctorDeposit` from the hospital. Emits
		/// [`Event::DoctorRegistered`].
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::register_doctor())]
		pub fn register_doctor(
			origin: OriginFor<T>,
			doctor: T::AccountId,
			name: Vec<u8>,
			speciality: Vec<u8>,
			contact: Vec<u8>,
		) -> DispatchResult {
			let hospital = ensure_signed(origin)?;
			Self::acting_hospital(&hospital)?;
			ensure!(!Doctors::<T>::contains_key(&doctor), Error::<T>::AlreadyDoctor);
			ensure!(
				!Hospitals::<T>::contains_key(&doctor)
					&& !Patients::<T>::contains_key(&doctor)
					&& !Self::is_guardian_of_anyone(&doctor),
				Error::<T>::RoleConflict
			);
			let profile = Self::doctor_profile(name, speciality, contact)?;
			let deposit = T::DoctorDeposit::get();
			Self::hold(HoldReason::DoctorRegistration, &hospital, deposit)?;
			Hospitals::<T>::mutate(&hospital, |info| {
				if let Some(info) = info {
					info.doctors = info.doctors.saturating_add(1);
				}
			});
			Doctors::<T>::insert(
				&doctor,
				DoctorInfo {
					hospital: hospital.clone(),
					profile,
					status: Status::Active,
					registered_at: Self::now(),
					deposit,
					emergencies_opened: 0,
				},
			);
			Self::deposit_event(Event::DoctorRegistered { doctor, hospital });
			Ok(())
		}

		/// Replace the public profile of `doctor` (same rules as at registration).
		///
		/// Origin: the doctor's hospital, active. Emits [`Event::DoctorUpdated`].
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::update_doctor())]
		pub fn update_doctor(
			origin: OriginFor<T>,
			doctor: T::AccountId,
			name: Vec<u8>,
			speciality: Vec<u8>,
			contact: Vec<u8>,
		) -> DispatchResult {
			let hospital = ensure_signed(origin)?;
			Self::acting_hospital(&hospital)?;
			let mut info = Self::own_doctor(&hospital, &doctor)?;
			info.profile = Self::doctor_profile(name, speciality, contact)?;
			Doctors::<T>::insert(&doctor, info);
			Self::deposit_event(Event::DoctorUpdated { doctor, hospital });
			Ok(())
		}

		/// Suspend or reinstate `doctor`. A suspended doctor can neither read nor write nor open
		/// emergency access.
		///
		/// Origin: the doctor's hospital, active. Emits [`Event::DoctorStatusChanged`].
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::set_doctor_status())]
		pub fn set_doctor_status(
			origin: OriginFor<T>,
			doctor: T::AccountId,
			status: Status,
		) -> DispatchResult {
			let hospital = ensure_signed(origin)?;
			Self::acting_hospital(&hospital)?;
			let mut info = Self::own_doctor(&hospital, &doctor)?;
			ensure!(info.status != status, Error::<T>::StatusUnchanged);
			info.status = status;
			Doctors::<T>::insert(&doctor, info);
			Self::deposit_event(Event::DoctorStatusChanged { doctor, hospital, status });
			Ok(())
		}

		/// Remove `doctor`, drop their emergency sessions and release the hospital's deposit.
		/// Records they authored stay; grants naming them stay with the patients (who may revoke
		/// them) and work again only if the account is registered as a doctor again.
		///
		/// Origin: the doctor's hospital, active. Emits [`Event::DoctorRemoved`].
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::remove_doctor())]
		pub fn remove_doctor(origin: OriginFor<T>, doctor: T::AccountId) -> DispatchResult {
			let hospital = ensure_signed(origin)?;
			Self::acting_hospital(&hospital)?;
			let info = Self::own_doctor(&hospital, &doctor)?;
			Doctors::<T>::remove(&doctor);
			EmergencySessions::<T>::remove(&doctor);
			Hospitals::<T>::mutate(&hospital, |h| {
				if let Some(h) = h {
					h.doctors = h.doctors.saturating_sub(1);
				}
			});
			Self::release(HoldReason::DoctorRegistration, &hospital, info.deposit);
			Self::deposit_event(Event::DoctorRemoved { doctor, hospital });
			Ok(())
		}

		/// Propose that `patient` registers as a patient. The patient's own account confirms by
		/// calling [`Pallet::register_patient`]; the proposal gives the doctor no right over the
		/// patient.
		///
		/// Origin: an active doctor of an active hospital. Holds `ProposalDeposit` from the
		/// doctor until the patient registers or either withdraws the proposal. Emits
		/// [`Event::PatientProposed`].
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::propose_patient())]
		pub fn propose_patient(origin: OriginFor<T>, patient: T::AccountId) -> DispatchResult {
			let doctor = ensure_signed(origin)?;
			Self::active_clinician(&doctor)?;
			ensure!(!Patients::<T>::contains_key(&patient), Error::<T>::AlreadyPatient);
			ensure!(
				!Hospitals::<T>::contains_key(&patient) && !Doctors::<T>::contains_key(&patient),
				Error::<T>::RoleConflict
			);
			ensure!(!PendingPatients::<T>::contains_key(&patient), Error::<T>::ProposalExists);
			let deposit = T::ProposalDeposit::get();
			Self::hold(HoldReason::PatientProposal, &doctor, deposit)?;
			PendingPatients::<T>::insert(
				&patient,
				PatientProposal { doctor: doctor.clone(), proposed_at: Self::now(), deposit },
			);
			Self::deposit_event(Event::PatientProposed { patient, doctor });
			Ok(())
		}

		/// Withdraw the pending proposal for `patient` and release the doctor's deposit.
		///
		/// Origin: the proposing doctor (whatever their status) or `patient`. Emits
		/// [`Event::PatientProposalWithdrawn`].
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::withdraw_patient_proposal())]
		pub fn withdraw_patient_proposal(
			origin: OriginFor<T>,
			patient: T::AccountId,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let proposal = PendingPatients::<T>::get(&patient).ok_or(Error::<T>::NoProposal)?;
			ensure!(who == proposal.doctor || who == patient, Error::<T>::NotProposalParty);
			PendingPatients::<T>::remove(&patient);
			Self::release(HoldReason::PatientProposal, &proposal.doctor, proposal.deposit);
			Self::deposit_event(Event::PatientProposalWithdrawn {
				patient,
				doctor: proposal.doctor,
				by: who,
			});
			Ok(())
		}

		/// Register the caller as a patient with a fresh pseudonymous id. If a doctor proposed
		/// it, this is the patient's confirmation: the proposal is consumed and the doctor's
		/// deposit released.
		///
		/// Origin: the patient's own account, which must not be a hospital or doctor. Holds
		/// `PatientDeposit` from the patient. Emits [`Event::PatientRegistered`].
		#[pallet::call_index(9)]
		#[pallet::weight(T::WeightInfo::register_patient())]
		pub fn register_patient(origin: OriginFor<T>) -> DispatchResult {
			let patient = ensure_signed(origin)?;
			ensure!(!Patients::<T>::contains_key(&patient), Error::<T>::AlreadyPatient);
			ensure!(
				!Hospitals::<T>::contains_key(&patient) && !Doctors::<T>::contains_key(&patient),
				Error::<T>::RoleConflict
			);
			let id = NextPatientId::<T>::get();
			let next = id.checked_add(1).ok_or(Error::<T>::Overflow)?;
			let deposit = T::PatientDeposit::get();
			Self::hold(HoldReason::PatientRegistration, &patient, deposit)?;
			let proposed_by = PendingPatients::<T>::take(&patient).map(|proposal| {
				Self::release(HoldReason::PatientProposal, &proposal.doctor, proposal.deposit);
				proposal.doctor
			});
			NextPatientId::<T>::put(next);
			PatientIds::<T>::insert(id, &patient);
			Patients::<T>::insert(
				&patient,
				PatientInfo {
					id,
					registered_at: Self::now(),
					deposit,
					guardians: BoundedVec::new(),
					grants: BoundedVec::new(),
					records: 0,
				},
			);
			Self::deposit_event(Event::PatientRegistered { patient, id, proposed_by });
			Ok(())
		}

		/// Deregister the caller and release their deposit. Only a patient without records,
		/// grants or guardians may deregister (records are a permanent audit trail).
		///
		/// Origin: the patient. Emits [`Event::PatientDeregistered`].
		#[pallet::call_index(10)]
		#[pallet::weight(T::WeightInfo::deregister_patient())]
		pub fn deregister_patient(origin: OriginFor<T>) -> DispatchResult {
			let patient = ensure_signed(origin)?;
			let info = Patients::<T>::get(&patient).ok_or(Error::<T>::NotAPatient)?;
			ensure!(info.records == 0, Error::<T>::PatientHasRecords);
			ensure!(info.grants.is_empty(), Error::<T>::PatientHasGrants);
			ensure!(info.guardians.is_empty(), Error::<T>::PatientHasGuardians);
			Patients::<T>::remove(&patient);
			PatientIds::<T>::remove(info.id);
			Self::release(HoldReason::PatientRegistration, &patient, info.deposit);
			Self::deposit_event(Event::PatientDeregistered { patient, id: info.id });
			Ok(())
		}

		/// Name `guardian` as a guardian of the calling patient. Guardians manage consent on the
		/// patient's behalf and may read the patient's records. A hospital or doctor account
		/// cannot be a guardian.
		///
		/// Origin: the patient. Holds `GuardianDeposit` from the patient. Emits
		/// [`Event::GuardianAdded`].
		#[pallet::call_index(11)]
		#[pallet::weight(T::WeightInfo::add_guardian())]
		pub fn add_guardian(origin: OriginFor<T>, guardian: T::AccountId) -> DispatchResult {
			let patient = ensure_signed(origin)?;
			let mut info = Patients::<T>::get(&patient).ok_or(Error::<T>::NotAPatient)?;
			ensure!(guardian != patient, Error::<T>::CannotGuardSelf);
			ensure!(
				!Hospitals::<T>::contains_key(&guardian) && !Doctors::<T>::contains_key(&guardian),
				Error::<T>::RoleConflict
			);
			let pos = match info.guardians.binary_search_by(|g| g.account.cmp(&guardian)) {
				Ok(_) => return Err(Error::<T>::AlreadyGuardian.into()),
				Err(pos) => pos,
			};
			let deposit = T::GuardianDeposit::get();
			info.guardians
				.try_insert(pos, GuardianEntry { account: guardian.clone(), deposit })
				.map_err(|_| Error::<T>::TooManyGuardians)?;
			Self::hold(HoldReason::Guardian, &patient, deposit)?;
			Patients::<T>::insert(&patient, info);
			Guardianships::<T>::insert(&guardian, &patient, ());
			Self::deposit_event(Event::GuardianAdded { patient, guardian });
			Ok(())
		}

		/// Remove `guardian` from the calling patient's guardians and release the deposit.
		/// Grants the guardian made stay until revoked.
		///
		/// Origin: the patient. Emits [`Event::GuardianRemoved`].
		#[pallet::call_index(12)]
		#[pallet::weight(T::WeightInfo::remove_guardian())]
		pub fn remove_guardian(origin: OriginFor<T>, guardian: T::AccountId) -> DispatchResult {
			let patient = ensure_signed(origin)?;
			let mut info = Patients::<T>::get(&patient).ok_or(Error::<T>::NotAPatient)?;
			let pos = info
				.guardians
				.binary_search_by(|g| g.account.cmp(&guardian))
				.map_err(|_| Error::<T>::NotGuardian)?;
			let entry = info.guardians.remove(pos);
			Patients::<T>::insert(&patient, info);
			Guardianships::<T>::remove(&guardian, &patient);
			Self::release(HoldReason::Guardian, &patient, entry.deposit);
			Self::deposit_event(Event::GuardianRemoved { patient, guardian });
			Ok(())
		}

		/// Grant `grantee` (a registered doctor or hospital) the `right` to the records of
		/// `patient` within `scope`, until block `expires_at` (exclusive) if given. A scope of
		/// listed records must list at least one record of `patient`, each once.
		///
		/// Origin: the patient or one of their guardians. Holds `GrantDeposit` from the caller
		/// until the grant is revoked. Emits [`Event::AccessGranted`].
		#[pallet::call_index(13)]
		#[pallet::weight(T::WeightInfo::grant_access(scope.listed()))]
		pub fn grant_access(
			origin: OriginFor<T>,
			patient: T::AccountId,
			grantee: Grantee<T::AccountId>,
			scope: GrantScopeOf<T>,
			right: Right,
			expires_at: Option<BlockNumberFor<T>>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut info = Self::consent_manager(&who, &patient)?;
			let known = match &grantee {
				Grantee::Doctor(d) => Doctors::<T>::contains_key(d),
				Grantee::Hospital(h) => Hospitals::<T>::contains_key(h),
			};
			ensure!(known, Error::<T>::UnknownGrantee);
			let scope = Self::checked_scope(&patient, scope)?;
			let now = Self::now();
			if let Some(expiry) = expires_at {
				ensure!(expiry > now, Error::<T>::ExpiryInPast);
			}
			let id = NextGrantId::<T>::get();
			let next = id.checked_add(1).ok_or(Error::<T>::Overflow)?;
			// Ids only grow, so pushing keeps the list sorted.
			info.grants.try_push(id).map_err(|_| Error::<T>::TooManyGrants)?;
			let deposit = T::GrantDeposit::get();
			Self::hold(HoldReason::Grant, &who, deposit)?;
			NextGrantId::<T>::put(next);
			Patients::<T>::insert(&patient, info);
			Grants::<T>::insert(
				id,
				Grant {
					patient: patient.clone(),
					grantee: grantee.clone(),
					scope: scope.clone(),
					right,
					granted_by: who.clone(),
					granted_at: now,
					expires_at,
					deposit,
				},
			);
			Self::deposit_event(Event::AccessGranted {
				patient,
				grant: id,
				grantee,
				scope,
				right,
				expires_at,
				by: who,
			});
			Ok(())
		}

		/// Revoke grant `grant` of `patient` (live or expired) and release its deposit to whoever
		/// signed it. Tickets already issued under it stop being honoured at once (see
		/// `EhrAccessApi::ticket`).
		///
		/// Origin: the patient or one of their guardians. Emits [`Event::AccessRevoked`].
		#[pallet::call_index(14)]
		#[pallet::weight(T::WeightInfo::revoke_access())]
		pub fn revoke_access(
			origin: OriginFor<T>,
			patient: T::AccountId,
			grant: GrantId,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut info = Self::consent_manager(&who, &patient)?;
			let pos = info.grants.binary_search(&grant).map_err(|_| Error::<T>::UnknownGrant)?;
			let stored = Grants::<T>::take(grant).ok_or(Error::<T>::UnknownGrant)?;
			info.grants.remove(pos);
			Patients::<T>::insert(&patient, info);
			Self::release(HoldReason::Grant, &stored.granted_by, stored.deposit);
			Self::deposit_event(Event::AccessRevoked { patient, grant, by: who });
			Ok(())
		}

		/// Add a new record of `patient` of `category`, amending the record it `supersedes` if
		/// any (same patient, same category), together with its `archive`: the pieces of its
		/// ciphertext held by custodians, with their receipts, checked and stored by
		/// [`Config::Archive`] in this same call. The record's commitment is the archive's root.
		/// If anything fails, nothing is stored and nothing is held.
		///
		/// Origin: the patient, or a doctor allowed by [`Pallet::decide_write`] (an active
		/// doctor of an active hospital with a live read-and-write grant covering the record, or
		/// with a live emergency session). Holds `RecordDeposit` and the archive's deposit from
		/// the author. Emits [`Event::RecordAdded`] (and the archive's own event).
		#[pallet::call_index(15)]
		#[pallet::weight(
			T::WeightInfo::add_record(T::MaxGrantsPerPatient::get())
				.saturating_add(T::Archive::anchor_weight(archive))
		)]
		pub fn add_record(
			origin: OriginFor<T>,
			patient: T::AccountId,
			category: Category,
			supersedes: Option<RecordId>,
			archive: <T::Archive as RecordArchive<T::AccountId>>::Submission,
		) -> DispatchResultWithPostInfo {
			let author = ensure_signed(origin)?;
			let mut info = Patients::<T>::get(&patient).ok_or(Error::<T>::NotAPatient)?;
			if let Some(old) = supersedes {
				let old = Records::<T>::get(old).ok_or(Error::<T>::UnknownRecord)?;
				ensure!(
					old.patient == patient && old.category == category,
					Error::<T>::SupersededMismatch
				);
			}
			let now = Self::now();
			let (basis, scanned) =
				Self::evaluate_write(&author, &patient, category, supersedes, now)
					.map_err(|_| Error::<T>::NotAuthorized)?;
			ensure!(info.records < T::MaxRecordsPerPatient::get(), Error::<T>::TooManyRecords);
			let id = NextRecordId::<T>::get();
			let next = id.checked_add(1).ok_or(Error::<T>::Overflow)?;
			let archive_weight = T::Archive::anchor_weight(&archive);
			let Archived { archive, size } = T::Archive::anchor(id, &patient, &author, archive)?;
			ensure!(size > 0 && archive.is_valid(), Error::<T>::EmptyRecord);
			let deposit = T::RecordDeposit::get();
			Self::hold(HoldReason::RecordAnchor, &author, deposit)?;
			let hospital = Doctors::<T>::get(&author).map(|d| d.hospital);
			NextRecordId::<T>::put(next);
			PatientRecords::<T>::insert(&patient, info.records, id);
			info.records = info.records.saturating_add(1);
			Patients::<T>::insert(&patient, info);
			let commitment = archive.root;
			Records::<T>::insert(
				id,
				Anchor {
					id,
					patient: patient.clone(),
					author: author.clone(),
					hospital: hospital.clone(),
					category,
					commitment,
					size,
					created_at: now,
					supersedes,
					archive,
					erased_at: None,
					deposit,
				},
			);
			Self::deposit_event(Event::RecordAdded {
				record: id,
				patient,
				author,
				hospital,
				category,
				commitment,
				archive,
				supersedes,
				basis,
			});
			Ok(Some(T::WeightInfo::add_record(scanned).saturating_add(archive_weight)).into())
		}

		/// Open emergency (break-glass) access to `patient` for `EmergencyDuration` blocks, giving
		/// `reason`. Loud on purpose: emits [`Event::EmergencyAccessOpened`] and counts it in the
		/// doctor's `emergencies_opened`. Expired sessions of the doctor are dropped first.
		///
		/// Origin: an active doctor of an active hospital.
		#[pallet::call_index(16)]
		#[pallet::weight(T::WeightInfo::open_emergency())]
		pub fn open_emergency(
			origin: OriginFor<T>,
			patient: T::AccountId,
			reason: EmergencyReason,
		) -> DispatchResult {
			let doctor = ensure_signed(origin)?;
			let mut info = Self::active_clinician(&doctor)?;
			ensure!(Patients::<T>::contains_key(&patient), Error::<T>::NotAPatient);
			let now = Self::now();
			let expires_at = now.saturating_add(T::EmergencyDuration::get());
			let mut sessions = EmergencySessions::<T>::get(&doctor);
			sessions.retain(|s| now < s.expires_at);
			ensure!(
				!sessions.iter().any(|s| s.patient == patient),
				Error::<T>::EmergencyAlreadyOpen
			);
			sessions
				.try_push(EmergencySession {
					patient: patient.clone(),
					reason,
					opened_at: now,
					expires_at,
				})
				.map_err(|_| Error::<T>::TooManyEmergencies)?;
			EmergencySessions::<T>::insert(&doctor, sessions);
			info.emergencies_opened = info.emergencies_opened.saturating_add(1);
			let total = info.emergencies_opened;
			let hospital = info.hospital.clone();
			Doctors::<T>::insert(&doctor, info);
			Self::deposit_event(Event::EmergencyAccessOpened {
				doctor,
				hospital,
				patient,
				reason,
				expires_at,
				total,
			});
			Ok(())
		}

		/// Close the live emergency session of `doctor` for `patient` before it expires.
		///
		/// Origin: the doctor, the patient or one of the patient's guardians. Emits
		/// [`Event::EmergencyAccessClosed`].
		#[pallet::call_index(17)]
		#[pallet::weight(T::WeightInfo::close_emergency())]
		pub fn close_emergency(
			origin: OriginFor<T>,
			patient: T::AccountId,
			doctor: T::AccountId,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let party = who == doctor
				|| who == patient
				|| Patients::<T>::get(&patient).is_some_and(|p| p.is_guardian(&who));
			ensure!(party, Error::<T>::NotEmergencyParty);
			let now = Self::now();
			let mut sessions = EmergencySessions::<T>::get(&doctor);
			let pos = sessions
				.iter()
				.position(|s| s.patient == patient && now < s.expires_at)
				.ok_or(Error::<T>::NoEmergency)?;
			sessions.remove(pos);
			if sessions.is_empty() {
				EmergencySessions::<T>::remove(&doctor);
			} else {
				EmergencySessions::<T>::insert(&doctor, sessions);
			}
			Self::deposit_event(Event::EmergencyAccessClosed { doctor, patient, by: who });
			Ok(())
		}

		/// Ask to read `record`. Decided now by [`Pallet::decide`]: on success stores a ticket
		/// `(reader, record)` that expires after `TicketLifetime` blocks (or when its grant or
		/// emergency session does, if sooner) and emits [`Event::AccessOpened`]; opening again
		/// replaces the reader's ticket for the record. A reader with `MaxTicketsPerReader`
		/// stored tickets first has their expired ones purged.
		///
		/// A refusal is audited: the call succeeds without a ticket, writes nothing, and emits
		/// [`Event::AccessDenied`] with the reason, so that the attempt is on the patient's
		/// trail. The reader pays the full fee of the decision; that fee is the bound on abuse
		/// (the event lives in its block only, and adds nothing to state).
		///
		/// Origin: anyone.
		#[pallet::call_index(18)]
		#[pallet::weight(T::WeightInfo::open_access(
			T::MaxGrantsPerPatient::get(),
			T::MaxTicketsPerReader::get(),
		))]
		pub fn open_access(origin: OriginFor<T>, record: RecordId) -> DispatchResultWithPostInfo {
			let reader = ensure_signed(origin)?;
			let now = Self::now();
			let basis = match Self::evaluate_read(&reader, record, now) {
				Ok(basis) => basis,
				Err(reason) => {
					let patient = Records::<T>::get(record).map(|anchor| anchor.patient);
					Self::deposit_event(Event::AccessDenied { reader, record, patient, reason });
					// The decision's full weight: a refusal costs what an allowed read does.
					return Ok(().into());
				},
			};
			let mut expires_at = now.saturating_add(T::TicketLifetime::get());
			if let Some(until) = basis.until {
				expires_at = expires_at.min(until);
			}
			let mut purged = 0;
			if !Tickets::<T>::contains_key(&reader, record) {
				let mut count = TicketCount::<T>::get(&reader);
				if count >= T::MaxTicketsPerReader::get() {
					purged = Self::purge_expired_tickets_of(&reader, now);
					count = count.saturating_sub(purged);
				}
				ensure!(count < T::MaxTicketsPerReader::get(), Error::<T>::TooManyTickets);
				TicketCount::<T>::insert(&reader, count.saturating_add(1));
			}
			let id = NextTicketId::<T>::get();
			let next = id.checked_add(1).ok_or(Error::<T>::Overflow)?;
			NextTicketId::<T>::put(next);
			let reason = basis.reason;
			Tickets::<T>::insert(
				&reader,
				record,
				TicketInfo { id, reason, opened_at: now, expires_at },
			);
			Self::deposit_event(Event::AccessOpened {
				ticket: id,
				reader,
				record,
				patient: basis.patient,
				reason,
				expires_at,
			});
			Ok(Some(T::WeightInfo::open_access(basis.scanned, purged)).into())
		}
	}

	impl<T: Config> Pallet<T> {
		/// The current block number.
		pub(crate) fn now() -> BlockNumberFor<T> {
			polkadot_sdk::frame_system::Pallet::<T>::block_number()
		}

		/// Whether `who` may read `record` at block `now`, and why: **the** access decision,
		/// used by [`Pallet::open_access`], [`Pallet::can_access`] and the `EhrAccessApi`.
		///
		/// In order: the patient (`Owner`); a guardian of the patient (`Guardian`); then, for an
		/// active doctor only, the record's author (`Author`); a live grant to the doctor in
		/// person, or to the doctor's hospital while it is active, whose scope covers the record
		/// (`Consent`, naming the grant that lasts longest, the lowest id on a tie); a live
		/// emergency session for the patient while the doctor's hospital is active
		/// (`Emergency`). Refusals: `UnknownRecord`; `Erased` for an erased record, whoever
		/// asks; `DoctorSuspended` for a suspended doctor;
		/// `HospitalSuspended` for a doctor of a suspended hospital with no personal basis;
		/// otherwise `NoConsent`.
		pub fn decide(
			who: &T::AccountId,
			record: RecordId,
			now: BlockNumberFor<T>,
		) -> Result<AccessReason, DenyReason> {
			Self::evaluate_read(who, record, now).map(|basis| basis.reason)
		}

		/// Whether `who` may add a record of `category` (superseding `supersedes`) for
		/// `patient` at block `now`, and why: used by [`Pallet::add_record`].
		///
		/// The patient may (`Owner`). Otherwise only an active doctor of an active hospital
		/// with a live read-and-write grant (to them in person or to their hospital) whose scope
		/// covers the category, or for listed records the superseded record (`Consent`); or with
		/// a live emergency session for the patient (`Emergency`). Guardians do not author
		/// records. Refusals: `UnknownPatient`, `DoctorSuspended`, `HospitalSuspended`,
		/// `NoConsent`.
		pub fn decide_write(
			who: &T::AccountId,
			patient: &T::AccountId,
			category: Category,
			supersedes: Option<RecordId>,
			now: BlockNumberFor<T>,
		) -> Result<AccessReason, DenyReason> {
			Self::evaluate_write(who, patient, category, supersedes, now).map(|(reason, _)| reason)
		}

		/// [`Pallet::decide_write`], with how many grants it looked at.
		fn evaluate_write(
			who: &T::AccountId,
			patient: &T::AccountId,
			category: Category,
			supersedes: Option<RecordId>,
			now: BlockNumberFor<T>,
		) -> Result<(AccessReason, u32), DenyReason> {
			let info = Patients::<T>::get(patient).ok_or(DenyReason::UnknownPatient)?;
			if who == patient {
				return Ok((AccessReason::Owner, 0));
			}
			let doctor = Doctors::<T>::get(who).ok_or(DenyReason::NoConsent)?;
			if doctor.status != Status::Active {
				return Err(DenyReason::DoctorSuspended);
			}
			if !Self::hospital_active(&doctor.hospital) {
				return Err(DenyReason::HospitalSuspended);
			}
			let scanned = info.grants.len() as u32;
			if let Some((grant, _)) =
				Self::best_grant(&info, who, &doctor.hospital, true, now, |scope, right| {
					right == Right::ReadWrite && scope.covers_write(category, supersedes)
				}) {
				return Ok((AccessReason::Consent { grant }, scanned));
			}
			if Self::live_emergency(who, patient, now).is_some() {
				return Ok((AccessReason::Emergency, scanned));
			}
			Err(DenyReason::NoConsent)
		}

		/// The read decision with what a ticket needs: see [`ReadBasis`].
		pub(crate) fn evaluate_read(
			who: &T::AccountId,
			record: RecordId,
			now: BlockNumberFor<T>,
		) -> Result<ReadBasis<T::AccountId, BlockNumberFor<T>>, DenyReason> {
			let anchor = Records::<T>::get(record).ok_or(DenyReason::UnknownRecord)?;
			if anchor.erased_at.is_some() {
				return Err(DenyReason::Erased);
			}
			let patient = anchor.patient;
			let allowed =
				|patient, reason, until, scanned| Ok(ReadBasis { patient, reason, until, scanned });
			if *who == patient {
				return allowed(patient, AccessReason::Owner, None, 0);
			}
			let info = Patients::<T>::get(&patient);
			if info.as_ref().is_some_and(|p| p.is_guardian(who)) {
				return allowed(patient, AccessReason::Guardian, None, 0);
			}
			let doctor = Doctors::<T>::get(who).ok_or(DenyReason::NoConsent)?;
			if doctor.status != Status::Active {
				return Err(DenyReason::DoctorSuspended);
			}
			if *who == anchor.author {
				return allowed(patient, AccessReason::Author, None, 0);
			}
			let hospital_active = Self::hospital_active(&doctor.hospital);
			let mut scanned = 0;
			if let Some(info) = &info {
				scanned = info.grants.len() as u32;
				if let Some((grant, until)) = Self::best_grant(
					info,
					who,
					&doctor.hospital,
					hospital_active,
					now,
					|scope, _| scope.covers_read(record, anchor.category),
				) {
					return allowed(patient, AccessReason::Consent { grant }, until, scanned);
				}
			}
			if !hospital_active {
				return Err(DenyReason::HospitalSuspended);
			}
			match Self::live_emergency(who, &patient, now) {
				Some(until) => allowed(patient, AccessReason::Emergency, Some(until), scanned),
				None => Err(DenyReason::NoConsent),
			}
		}

		/// The live grant of `patient` to `doctor` (in person, or through `hospital` when
		/// `hospital_active`) that satisfies `covers` and lasts longest (lowest id on a tie),
		/// with its expiry.
		fn best_grant(
			patient: &PatientInfoOf<T>,
			doctor: &T::AccountId,
			hospital: &T::AccountId,
			hospital_active: bool,
			now: BlockNumberFor<T>,
			covers: impl Fn(&GrantScopeOf<T>, Right) -> bool,
		) -> Option<(GrantId, Option<BlockNumberFor<T>>)> {
			let mut best: Option<(GrantId, Option<BlockNumberFor<T>>)> = None;
			for id in patient.grants.iter() {
				let Some(grant) = Grants::<T>::get(id) else { continue };
				let for_caller = match &grant.grantee {
					Grantee::Doctor(d) => d == doctor,
					Grantee::Hospital(h) => hospital_active && h == hospital,
				};
				if !for_caller || !grant.is_live(&now) || !covers(&grant.scope, grant.right) {
					continue;
				}
				let better = match &best {
					None => true,
					Some((_, best_until)) => lasts_longer(grant.expires_at, *best_until),
				};
				if better {
					best = Some((*id, grant.expires_at));
				}
			}
			best
		}

		/// The expiry of the live emergency session of `doctor` for `patient`, if any.
		fn live_emergency(
			doctor: &T::AccountId,
			patient: &T::AccountId,
			now: BlockNumberFor<T>,
		) -> Option<BlockNumberFor<T>> {
			EmergencySessions::<T>::get(doctor)
				.iter()
				.find(|s| s.patient == *patient && now < s.expires_at)
				.map(|s| s.expires_at)
		}

		/// Whether `hospital` is registered and active.
		fn hospital_active(hospital: &T::AccountId) -> bool {
			Hospitals::<T>::get(hospital).is_some_and(|h| h.status == Status::Active)
		}

		/// [`Pallet::decide`] at the current block, as the runtime API answers it.
		pub fn can_access(who: &T::AccountId, record: RecordId) -> AccessDecision {
			Self::decide(who, record, Self::now()).into()
		}

		/// The ticket of `reader` for `record` if it is live at the current block **and** the
		/// reader is still allowed to read the record.
		pub fn live_ticket(reader: &T::AccountId, record: RecordId) -> Option<TicketOf<T>> {
			let now = Self::now();
			let info = Tickets::<T>::get(reader, record)?;
			if now >= info.expires_at || Self::decide(reader, record, now).is_err() {
				return None;
			}
			Some(Ticket {
				id: info.id,
				reader: reader.clone(),
				record,
				reason: info.reason,
				opened_at: info.opened_at,
				expires_at: info.expires_at,
			})
		}

		/// Up to `limit` (capped at [`MAX_PAGE_LEN`]) records of `patient` in ascending id
		/// order, after `start_after`.
		pub fn patient_records(
			patient: &T::AccountId,
			start_after: Option<RecordId>,
			limit: u32,
		) -> Vec<(RecordId, AnchorOf<T>)> {
			let limit = limit.min(MAX_PAGE_LEN);
			let Some(info) = Patients::<T>::get(patient) else { return Vec::new() };
			// Record ids grow with the ordinals, so binary-search the first ordinal after
			// `start_after`.
			let mut lo = 0u32;
			if let Some(after) = start_after {
				let mut hi = info.records;
				while lo < hi {
					let mid = lo + (hi - lo) / 2;
					match PatientRecords::<T>::get(patient, mid) {
						Some(id) if id <= after => lo = mid + 1,
						_ => hi = mid,
					}
				}
			}
			let mut page = Vec::new();
			let mut ordinal = lo;
			while ordinal < info.records && (page.len() as u32) < limit {
				if let Some(id) = PatientRecords::<T>::get(patient, ordinal) {
					if let Some(anchor) = Records::<T>::get(id) {
						page.push((id, anchor));
					}
				}
				ordinal = ordinal.saturating_add(1);
			}
			page
		}

		/// Up to `limit` (capped at [`MAX_PAGE_LEN`]) grants of `patient` (expired ones too) in
		/// ascending id order, after `start_after`.
		pub fn patient_grants(
			patient: &T::AccountId,
			start_after: Option<GrantId>,
			limit: u32,
		) -> Vec<(GrantId, ApiGrantOf<T>)> {
			let limit = limit.min(MAX_PAGE_LEN) as usize;
			let Some(info) = Patients::<T>::get(patient) else { return Vec::new() };
			let start = match start_after {
				Some(after) => info.grants.partition_point(|id| *id <= after),
				None => 0,
			};
			info.grants
				.iter()
				.skip(start)
				.filter_map(|id| Grants::<T>::get(id).map(|g| (*id, g)))
				.take(limit)
				.map(|(id, g)| {
					let scope = match g.scope {
						GrantScope::All => GrantScope::All,
						GrantScope::Category(c) => GrantScope::Category(c),
						GrantScope::Records(list) => {
							GrantScope::Records(BoundedVec::truncate_from(list.into_inner()))
						},
					};
					(
						id,
						Grant {
							patient: g.patient,
							grantee: g.grantee,
							scope,
							right: g.right,
							granted_by: g.granted_by,
							granted_at: g.granted_at,
							expires_at: g.expires_at,
							deposit: g.deposit,
						},
					)
				})
				.collect()
		}

		/// Remove the expired tickets of `reader`, returning how many.
		fn purge_expired_tickets_of(reader: &T::AccountId, now: BlockNumberFor<T>) -> u32 {
			let expired: Vec<RecordId> = Tickets::<T>::iter_prefix(reader)
				.filter(|(_, t)| t.expires_at <= now)
				.map(|(record, _)| record)
				.collect();
			for record in &expired {
				Tickets::<T>::remove(reader, record);
			}
			expired.len() as u32
		}

		/// Prune as many expired tickets as `remaining` weight allows (at most
		/// [`MAX_PRUNE_PER_BLOCK`] looked at), returning the weight used.
		pub(crate) fn prune_tickets_within(now: BlockNumberFor<T>, remaining: Weight) -> Weight {
			let base = T::WeightInfo::prune_tickets(0);
			let per_ticket = T::WeightInfo::prune_tickets(1).saturating_sub(base);
			let Some(spare) = remaining.checked_sub(&base) else { return Weight::zero() };
			let by_time = spare.ref_time().checked_div(per_ticket.ref_time()).unwrap_or(u64::MAX);
			let by_proof =
				spare.proof_size().checked_div(per_ticket.proof_size()).unwrap_or(u64::MAX);
			let max = by_time.min(by_proof).min(MAX_PRUNE_PER_BLOCK as u64) as u32;
			if max == 0 {
				return Weight::zero();
			}
			let examined = Self::prune_expired_tickets(now, max);
			T::WeightInfo::prune_tickets(examined)
		}

		/// Look at up to `max` tickets from the prune cursor on, remove the expired ones, and
		/// move the cursor (back to the start after the last ticket). Returns how many it looked
		/// at.
		pub(crate) fn prune_expired_tickets(now: BlockNumberFor<T>, max: u32) -> u32 {
			let mut iter = match TicketPruneCursor::<T>::get() {
				Some((reader, record)) => {
					Tickets::<T>::iter_from(Tickets::<T>::hashed_key_for(reader, record))
				},
				None => Tickets::<T>::iter(),
			};
			let mut examined = 0u32;
			let mut last = None;
			let mut expired = Vec::new();
			let mut at_end = false;
			while examined < max {
				match iter.next() {
					Some((reader, record, ticket)) => {
						examined = examined.saturating_add(1);
						if ticket.expires_at <= now {
							expired.push((reader.clone(), record));
						}
						last = Some((reader, record));
					},
					None => {
						at_end = true;
						break;
					},
				}
			}
			for (reader, record) in expired {
				Tickets::<T>::remove(&reader, record);
				TicketCount::<T>::mutate_exists(&reader, |count| {
					let left = count.unwrap_or(0).saturating_sub(1);
					*count = if left == 0 { None } else { Some(left) };
				});
			}
			match (at_end, last) {
				(false, Some(last)) => TicketPruneCursor::<T>::put(last),
				_ => TicketPruneCursor::<T>::kill(),
			}
			examined
		}

		/// Whether `who` is a guardian of any patient.
		fn is_guardian_of_anyone(who: &T::AccountId) -> bool {
			Guardianships::<T>::iter_key_prefix(who).next().is_some()
		}

		/// The caller as an active hospital.
		fn acting_hospital(who: &T::AccountId) -> Result<HospitalInfoOf<T>, DispatchError> {
			let info = Hospitals::<T>::get(who).ok_or(Error::<T>::NotAHospital)?;
			ensure!(info.status == Status::Active, Error::<T>::HospitalNotActive);
			Ok(info)
		}

		/// `doctor`, who must belong to `hospital`.
		fn own_doctor(
			hospital: &T::AccountId,
			doctor: &T::AccountId,
		) -> Result<DoctorInfoOf<T>, DispatchError> {
			let info = Doctors::<T>::get(doctor).ok_or(Error::<T>::NotADoctor)?;
			ensure!(info.hospital == *hospital, Error::<T>::NotYourDoctor);
			Ok(info)
		}

		/// The caller as an active doctor of an active hospital.
		fn active_clinician(who: &T::AccountId) -> Result<DoctorInfoOf<T>, DispatchError> {
			let info = Doctors::<T>::get(who).ok_or(Error::<T>::NotADoctor)?;
			ensure!(info.status == Status::Active, Error::<T>::DoctorNotActive);
			ensure!(Self::hospital_active(&info.hospital), Error::<T>::HospitalNotActive);
			Ok(info)
		}

		/// The patient's info, if `who` is the patient or one of their guardians.
		fn consent_manager(
			who: &T::AccountId,
			patient: &T::AccountId,
		) -> Result<PatientInfoOf<T>, DispatchError> {
			let info = Patients::<T>::get(patient).ok_or(Error::<T>::NotAPatient)?;
			ensure!(who == patient || info.is_guardian(who), Error::<T>::NotPatientOrGuardian);
			Ok(info)
		}

		/// `scope`, with a list of records sorted, and checked to be non-empty, without
		/// duplicates and all of `patient`.
		fn checked_scope(
			patient: &T::AccountId,
			scope: GrantScopeOf<T>,
		) -> Result<GrantScopeOf<T>, DispatchError> {
			let GrantScope::Records(mut list) = scope else { return Ok(scope) };
			ensure!(!list.is_empty(), Error::<T>::EmptyScope);
			list.sort();
			ensure!(list.windows(2).all(|w| w[0] < w[1]), Error::<T>::DuplicateRecordInScope);
			for record in list.iter() {
				let anchor = Records::<T>::get(record).ok_or(Error::<T>::UnknownRecord)?;
				ensure!(anchor.patient == *patient, Error::<T>::RecordNotOfPatient);
			}
			Ok(GrantScope::Records(list))
		}

		/// A profile text field: at most `MaxProfileFieldLen` bytes of UTF-8.
		fn text(bytes: Vec<u8>) -> Result<BoundedVec<u8, T::MaxProfileFieldLen>, Error<T>> {
			let bounded: BoundedVec<u8, T::MaxProfileFieldLen> =
				bytes.try_into().map_err(|_| Error::<T>::ProfileFieldTooLong)?;
			core::str::from_utf8(&bounded).map_err(|_| Error::<T>::ProfileNotUtf8)?;
			Ok(bounded)
		}

		/// A checked hospital profile.
		fn hospital_profile(
			name: Vec<u8>,
			address: Vec<u8>,
			specialities: Vec<Vec<u8>>,
		) -> Result<HospitalProfileOf<T>, Error<T>> {
			ensure!(!name.is_empty(), Error::<T>::EmptyName);
			ensure!(
				specialities.len() <= T::MaxSpecialities::get() as usize,
				Error::<T>::TooManySpecialities
			);
			let name = Self::text(name)?;
			let address = Self::text(address)?;
			let specialities = specialities
				.into_iter()
				.map(Self::text)
				.collect::<Result<Vec<_>, _>>()?
				.try_into()
				.map_err(|_| Error::<T>::TooManySpecialities)?;
			Ok(HospitalProfile { name, address, specialities })
		}

		/// A checked doctor profile.
		fn doctor_profile(
			name: Vec<u8>,
			speciality: Vec<u8>,
			contact: Vec<u8>,
		) -> Result<DoctorProfileOf<T>, Error<T>> {
			ensure!(!name.is_empty(), Error::<T>::EmptyName);
			Ok(DoctorProfile {
				name: Self::text(name)?,
				speciality: Self::text(speciality)?,
				contact: Self::text(contact)?,
			})
		}

		/// Hold `amount` from `who` for `reason` (nothing if zero).
		fn hold(reason: HoldReason, who: &T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
			if amount.is_zero() {
				return Ok(());
			}
			T::Currency::hold(&reason.into(), who, amount)
		}

		/// Release `amount` held from `who` for `reason` (nothing if zero).
		fn release(reason: HoldReason, who: &T::AccountId, amount: BalanceOf<T>) {
			if amount.is_zero() {
				return;
			}
			match T::Currency::release(&reason.into(), who, amount, Precision::BestEffort) {
				Ok(released) if released == amount => {},
				_ => {
					defensive!("a deposit of pallet-ehr-access was not fully released");
				},
			}
		}

		/// Check the pallet's invariants.
		#[cfg(any(test, feature = "try-runtime"))]
		pub fn do_try_state() -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
			use alloc::collections::btree_map::BTreeMap;
			use polkadot_sdk::frame_support::traits::fungible::InspectHold;
			let mut holds: BTreeMap<(u8, T::AccountId), BalanceOf<T>> = BTreeMap::new();
			let mut add_hold = |reason: HoldReason, who: &T::AccountId, amount: BalanceOf<T>| {
				let entry = holds.entry((reason as u8, who.clone())).or_insert_with(Zero::zero);
				*entry = entry.saturating_add(amount);
			};

			// Hospitals and doctors.
			let mut doctors_per_hospital: BTreeMap<T::AccountId, u32> = BTreeMap::new();
			for (doctor, info) in Doctors::<T>::iter() {
				ensure!(Hospitals::<T>::contains_key(&info.hospital), "doctor of unknown hospital");
				ensure!(!info.profile.name.is_empty(), "doctor with an empty name");
				ensure!(!Hospitals::<T>::contains_key(&doctor), "doctor is also a hospital");
				ensure!(!Patients::<T>::contains_key(&doctor), "doctor is also a patient");
				ensure!(
					Guardianships::<T>::iter_key_prefix(&doctor).next().is_none(),
					"doctor is a guardian"
				);
				let n = doctors_per_hospital.entry(info.hospital.clone()).or_insert(0);
				*n = n.saturating_add(1);
				add_hold(HoldReason::DoctorRegistration, &info.hospital, info.deposit);
			}
			for (hospital, info) in Hospitals::<T>::iter() {
				ensure!(!info.profile.name.is_empty(), "hospital with an empty name");
				ensure!(!Patients::<T>::contains_key(&hospital), "hospital is also a patient");
				ensure!(
					Guardianships::<T>::iter_key_prefix(&hospital).next().is_none(),
					"hospital is a guardian"
				);
				ensure!(
					info.doctors == doctors_per_hospital.get(&hospital).copied().unwrap_or(0),
					"hospital doctor count out of step"
				);
			}

			// Patients, guardians, grants and records.
			let next_patient = NextPatientId::<T>::get();
			let next_grant = NextGrantId::<T>::get();
			let next_record = NextRecordId::<T>::get();
			let mut patients = 0u32;
			let mut listed_grants = 0u32;
			let mut listed_records = 0u64;
			let mut guardianships = 0u32;
			for (patient, info) in Patients::<T>::iter() {
				patients = patients.saturating_add(1);
				ensure!(info.id < next_patient, "patient id not yet issued");
				ensure!(
					PatientIds::<T>::get(info.id).as_ref() == Some(&patient),
					"patient id index out of step"
				);
				ensure!(
					!PendingPatients::<T>::contains_key(&patient),
					"registered patient pending"
				);
				add_hold(HoldReason::PatientRegistration, &patient, info.deposit);
				ensure!(
					info.guardians.windows(2).all(|w| w[0].account < w[1].account),
					"guardians not sorted and unique"
				);
				for g in info.guardians.iter() {
					ensure!(g.account != patient, "patient is their own guardian");
					ensure!(
						Guardianships::<T>::contains_key(&g.account, &patient),
						"guardian missing from the reverse index"
					);
					add_hold(HoldReason::Guardian, &patient, g.deposit);
				}
				guardianships = guardianships.saturating_add(info.guardians.len() as u32);
				ensure!(info.grants.windows(2).all(|w| w[0] < w[1]), "grant ids not sorted");
				for id in info.grants.iter() {
					let grant = Grants::<T>::get(id).ok_or("listed grant missing")?;
					ensure!(grant.patient == patient, "grant listed under another patient");
				}
				listed_grants = listed_grants.saturating_add(info.grants.len() as u32);
				ensure!(
					info.records <= T::MaxRecordsPerPatient::get(),
					"more records than MaxRecordsPerPatient"
				);
				let mut previous: Option<RecordId> = None;
				for ordinal in 0..info.records {
					let id = PatientRecords::<T>::get(&patient, ordinal)
						.ok_or("patient record ordinal missing")?;
					let anchor = Records::<T>::get(id).ok_or("patient record anchor missing")?;
					ensure!(anchor.patient == patient, "record listed under another patient");
					ensure!(previous.is_none_or(|p| p < id), "patient records out of order");
					previous = Some(id);
				}
				ensure!(
					PatientRecords::<T>::get(&patient, info.records).is_none(),
					"patient record ordinal beyond the count"
				);
				listed_records = listed_records.saturating_add(info.records as u64);
			}
			ensure!(
				PatientIds::<T>::iter().count() as u32 == patients,
				"patient id index has stale entries"
			);
			ensure!(
				Guardianships::<T>::iter_keys().count() as u32 == guardianships,
				"guardian reverse index has stale entries"
			);
			for (_, proposal) in PendingPatients::<T>::iter() {
				add_hold(HoldReason::PatientProposal, &proposal.doctor, proposal.deposit);
			}
			let mut grants = 0u32;
			for (id, grant) in Grants::<T>::iter() {
				grants = grants.saturating_add(1);
				ensure!(id < next_grant, "grant id not yet issued");
				let info = Patients::<T>::get(&grant.patient).ok_or("grant of unknown patient")?;
				ensure!(info.grants.binary_search(&id).is_ok(), "grant not listed by its patient");
				if let GrantScope::Records(list) = &grant.scope {
					ensure!(!list.is_empty(), "grant lists no record");
					ensure!(list.windows(2).all(|w| w[0] < w[1]), "grant records not sorted");
					for record in list.iter() {
						let anchor = Records::<T>::get(record).ok_or("grant of unknown record")?;
						ensure!(anchor.patient == grant.patient, "grant of another's record");
					}
				}
				add_hold(HoldReason::Grant, &grant.granted_by, grant.deposit);
			}
			ensure!(grants == listed_grants, "grant count out of step");
			let mut records = 0u64;
			for (id, anchor) in Records::<T>::iter() {
				records = records.saturating_add(1);
				ensure!(anchor.id == id, "anchor id differs from its key");
				ensure!(id < next_record, "record id not yet issued");
				ensure!(Patients::<T>::contains_key(&anchor.patient), "anchor of unknown patient");
				ensure!(anchor.size > 0, "empty record");
				if let Some(old) = anchor.supersedes {
					ensure!(old < id, "record supersedes a later record");
					let old = Records::<T>::get(old).ok_or("superseded record missing")?;
					ensure!(
						old.patient == anchor.patient && old.category == anchor.category,
						"superseded record mismatch"
					);
				}
				ensure!(anchor.archive.is_valid(), "invalid archive reference");
				ensure!(
					anchor.archive.root == anchor.commitment,
					"archive root is not the commitment"
				);
				ensure!(anchor.archive.entry == id, "archive entry of another record");
				add_hold(HoldReason::RecordAnchor, &anchor.author, anchor.deposit);
			}
			ensure!(records == listed_records, "record count out of step");

			// Tickets.
			let mut tickets_per_reader: BTreeMap<T::AccountId, u32> = BTreeMap::new();
			let next_ticket = NextTicketId::<T>::get();
			for (reader, _, ticket) in Tickets::<T>::iter() {
				ensure!(ticket.id < next_ticket, "ticket id not yet issued");
				ensure!(ticket.opened_at < ticket.expires_at, "ticket expires before it opens");
				let n = tickets_per_reader.entry(reader).or_insert(0);
				*n = n.saturating_add(1);
			}
			for (reader, count) in TicketCount::<T>::iter() {
				ensure!(count > 0, "zero ticket count stored");
				ensure!(count <= T::MaxTicketsPerReader::get(), "more tickets than allowed");
				ensure!(
					tickets_per_reader.remove(&reader) == Some(count),
					"ticket count out of step"
				);
			}
			ensure!(tickets_per_reader.is_empty(), "tickets without a count");

			// Emergency sessions.
			for (doctor, sessions) in EmergencySessions::<T>::iter() {
				ensure!(Doctors::<T>::contains_key(&doctor), "emergency session of a non-doctor");
				for s in sessions.iter() {
					ensure!(
						s.opened_at < s.expires_at,
						"emergency session expires before it opens"
					);
				}
			}

			// Deposits are exactly what is held.
			for ((reason, who), amount) in holds {
				let reason = match reason {
					0 => HoldReason::PatientRegistration,
					1 => HoldReason::PatientProposal,
					2 => HoldReason::Guardian,
					3 => HoldReason::Grant,
					4 => HoldReason::RecordAnchor,
					_ => HoldReason::DoctorRegistration,
				};
				ensure!(
					T::Currency::balance_on_hold(&reason.into(), &who) == amount,
					"held deposits differ from the recorded ones"
				);
			}
			Ok(())
		}
	}

	impl<T: Config> ArchiveSlot for Pallet<T> {
		type AccountId = T::AccountId;

		fn commitment(record: RecordId) -> Option<Commitment> {
			Records::<T>::get(record).map(|a| a.commitment)
		}

		fn patient_and_author(record: RecordId) -> Option<(T::AccountId, T::AccountId)> {
			Records::<T>::get(record).map(|a| (a.patient, a.author))
		}

		fn is_guardian(patient: &T::AccountId, who: &T::AccountId) -> bool {
			Guardianships::<T>::contains_key(who, patient)
		}

		fn mark_erased(record: RecordId) -> DispatchResult {
			Records::<T>::try_mutate(record, |anchor| -> DispatchResult {
				let anchor = anchor.as_mut().ok_or(Error::<T>::UnknownRecord)?;
				ensure!(anchor.erased_at.is_none(), Error::<T>::AlreadyErased);
				anchor.erased_at = Some(Self::now());
				Ok(())
			})?;
			Self::deposit_event(Event::RecordErased { record });
			Ok(())
		}

		fn is_erased(record: RecordId) -> bool {
			Records::<T>::get(record).is_some_and(|anchor| anchor.erased_at.is_some())
		}
	}
}

/// What allows a read, as [`Pallet::open_access`] needs it.
pub(crate) struct ReadBasis<AccountId, BlockNumber> {
	/// The record's patient.
	pub patient: AccountId,
	/// Why the read is allowed.
	pub reason: AccessReason,
	/// When the grant or emergency session relied upon lapses, if it does.
	pub until: Option<BlockNumber>,
	/// How many grants the decision looked at (for the weight refund).
	pub scanned: u32,
}

/// Whether a basis lapsing at `a` lasts strictly longer than one lapsing at `b` (`None`: never
/// lapses).
fn lasts_longer<B: PartialOrd>(a: Option<B>, b: Option<B>) -> bool {
	match (a, b) {
		(None, Some(_)) => true,
		(Some(a), Some(b)) => a > b,
		_ => false,
	}
}
