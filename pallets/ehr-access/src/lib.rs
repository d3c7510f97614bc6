//! # EHR access pallet
//!
//! The on-chain heart of ehr-chain: who is who (hospitals, doctors, patients, guardians), which
//! records exist (anchors: commitments, never content), who may read or write them (consent and
//! emergency access), and a record of every read (access tickets and their events).
//!
//! It replaces the four contracts of the Ethereum EHR app that ehr-chain re-founds (hospital,
//! doctor, patient, records) and fixes their faults: no personal data on chain, and the role
//! rules ("only a hospital invites its doctors", "a patient's or doctor's own key confirms
//! them") are enforced.
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
//! - **Registrar** (`RegistrarOrigin`: two thirds of the `Registrars` collective in ehr-runtime,
//!   never one key on a network): registers, updates, suspends and reinstates **hospitals** (the
//!   administrator's account and a public profile: name, address, specialities), and may suspend
//!   or reinstate any **doctor**.
//! - **Hospital**: invites **its own doctors** (account and public profile: name, speciality,
//!   professional contact), and suspends, reinstates and removes them; no other hospital can. A
//!   doctor is registered only when the doctor's own key accepts the invitation
//!   ([`Pallet::accept_doctor_invitation`]), and then keeps their profile themselves
//!   ([`Pallet::update_doctor`]): nobody is made a doctor, or has a profile published, without
//!   consent, and a pending invitation gives no role and blocks none. A suspended hospital cannot
//!   act, except to suspend its own doctors.
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
//! Anchors are permanent, so a doctor's writes for one patient are bounded: at most
//! `MaxWritesPerPeriod` records per window of `WriteRatePeriod` blocks ([`WriteWindows`]), on
//! top of each record's deposit. A writer with a grant or an emergency session therefore cannot
//! fill a patient's `MaxRecordsPerPatient` in one go, and the patient has time to revoke. The
//! patient's own records are not limited.
//!
//! ## Consent
//!
//! The patient or a guardian grants a [`Grantee`] (a doctor in person, or a whole hospital) a
//! [`GrantScope`] (all records, one category, or listed records), a [`Right`] (read, or read and
//! write) and an optional expiry block; either revokes it at any time. A grant works while
//! `now < expires_at`, with no transaction needed for it to lapse. A hospital grant works for the
//! active doctors of that hospital while the hospital is active.
//!
//! Consent follows the authority it was given with and the person it was given to:
//! - the grants a guardian made end when the patient removes that guardian;
//! - a grant to a doctor in person holds for the registration it was made under: a doctor
//!   removed and registered again (by any hospital) starts without it.
//!
//! Revoking consent does not cut off a record's **author**: a doctor may still read the
//! records they wrote themselves (reason `Author`), by choice. They hold that content already,
//! continuity of care and medico-legal duty call for it, and a patient can still make a record
//! unreadable to everyone by erasing it. The CLI and the web app say so where a patient revokes.
//!
//! ## Emergency access
//!
//! An active doctor of an active hospital opens break-glass access to a patient with an
//! [`EmergencyReason`] code. It lasts `EmergencyDuration` blocks, emits
//! [`Event::EmergencyAccessOpened`] (which patients and guardians watch for) and is counted per
//! doctor ([`DoctorInfo::emergencies_opened`]). The doctor, the patient or a guardian may close it
//! early.
//!
//! Any doctor may open it for any patient, as an emergency demands, so it is bounded instead:
//! - **rate**: a doctor opens at most `MaxEmergenciesPerPeriod` sessions in any
//!   `EmergencyRatePeriod` blocks (a sliding window, [`EmergencyOpenings`]);
//! - **cool-down**: when the patient or a guardian closes a doctor's session, that doctor cannot
//!   open another for that patient for `EmergencyCooldown` blocks. Other doctors still can: a
//!   patient who is able to close a session is not the unconscious patient break-glass is for,
//!   and a real emergency brings in the team on duty.
//!
//! A session lets the doctor add records too; those count against the write bound below.
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
//! | doctor (from the invitation on) | the hospital (`DoctorDeposit`) | `DoctorRegistration` | the invitation is withdrawn or declined, or the hospital removes the doctor |
//! | patient proposal | the doctor (`ProposalDeposit`) | `PatientProposal` | the patient registers, or either withdraws it |
//! | patient | the patient (`PatientDeposit`) | `PatientRegistration` | the patient deregisters (only with no records, grants or guardians) |
//! | guardian | the patient (`GuardianDeposit`) | `Guardian` | the patient removes the guardian |
//! | grant | who signed it (`GrantDeposit`) | `Grant` | the grant is revoked (expired grants too) |
//! | record anchor | the author (`RecordDeposit`, and the archive entry's deposit in the archive pallet) | `RecordAnchor` | never: anchors, erased ones too, are the permanent audit trail of who wrote what about whom and when (the archive's own deposit comes back on erasure) |
//! | emergency session | nobody: at most `MaxEmergenciesPerDoctor` per doctor, covered by the doctor's deposit | - | - |
//! | emergency opening (rate and cool-down memory) | nobody: at most `MaxEmergenciesPerPeriod` per doctor, covered by the doctor's deposit, dropped with the doctor | - | - |
//! | write window | nobody: one per writer who added a record for the patient, covered by that record's deposit | - | - |
//! | access ticket | nobody: short-lived, at most `MaxTicketsPerReader` per reader, pruned in `on_idle`; every reader is a deposit-backed role | - | - |
//!
//! ## Calls
//!
//! | index | call | origin |
//! |---|---|---|
//! | 0 | [`Pallet::register_hospital`] | registrar |
//! | 1 | [`Pallet::update_hospital`] | registrar |
//! | 2 | [`Pallet::set_hospital_status`] | registrar |
//! | 3 | [`Pallet::invite_doctor`] | active hospital |
//! | 4 | [`Pallet::update_doctor`] | the doctor |
//! | 5 | [`Pallet::set_doctor_status`] | registrar, or the doctor's hospital |
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
//! | 19 | [`Pallet::accept_doctor_invitation`] | the invited doctor |
//! | 20 | [`Pallet::withdraw_doctor_invitation`] | the inviting hospital or the invited doctor |
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
mod call_fuzz;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod model;
#[cfg(test)]
mod no_phi;
#[cfg(test)]
mod tests;

mod archive;
mod decision;
mod queries;
mod tickets;
#[cfg(any(test, feature = "try-runtime"))]
mod try_state;

pub mod runtime_api;
pub mod types;
pub mod weights;

pub use archive::{ArchiveSlot, RecordArchive};
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
/// A pending doctor invitation in a runtime.
pub type DoctorInvitationOf<T> = DoctorInvitation<
	AccountIdOf<T>,
	BalanceOf<T>,
	BlockNumberFor<T>,
	<T as Config>::MaxProfileFieldLen,
>;
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
/// A remembered break-glass opening in a runtime.
pub type EmergencyOpeningOf<T> = EmergencyOpening<AccountIdOf<T>, BlockNumberFor<T>>;
/// A writer's rate window for one patient in a runtime.
pub type WriteWindowOf<T> = WriteWindow<BlockNumberFor<T>>;
/// A stored ticket in a runtime.
pub type TicketInfoOf<T> = TicketInfo<BlockNumberFor<T>>;
/// A ticket as the runtime API shows it.
pub type TicketOf<T> = Ticket<AccountIdOf<T>, BlockNumberFor<T>>;

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

	/// The storage layout's version: 1 since every record is stored with its archive
	/// (`Anchor::archive`). No chain ever ran version 0, so there is no migration from it.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
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
		/// Most emergency sessions a doctor may open within any `EmergencyRatePeriod` blocks.
		#[pallet::constant]
		type MaxEmergenciesPerPeriod: Get<u32>;
		/// The sliding window, in blocks, over which `MaxEmergenciesPerPeriod` counts. At least
		/// `EmergencyDuration + EmergencyCooldown`, so that a cool-down is remembered to its end.
		#[pallet::constant]
		type EmergencyRatePeriod: Get<BlockNumberFor<Self>>;
		/// How many blocks a doctor must wait to open emergency access to a patient again after
		/// the patient or a guardian closed that doctor's session.
		#[pallet::constant]
		type EmergencyCooldown: Get<BlockNumberFor<Self>>;
		/// Most records one writer other than the patient may add for one patient in a window of
		/// `WriteRatePeriod` blocks (so at most twice that in any `WriteRatePeriod` blocks).
		#[pallet::constant]
		type MaxWritesPerPeriod: Get<u32>;
		/// The length, in blocks, of a writer's window for `MaxWritesPerPeriod`.
		#[pallet::constant]
		type WriteRatePeriod: Get<BlockNumberFor<Self>>;

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

	/// Hospitals' invitations awaiting the doctor's acceptance, by the invited account.
	#[pallet::storage]
	pub type PendingDoctors<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, DoctorInvitationOf<T>, OptionQuery>;

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

	/// Each doctor's emergency sessions opened in the last `EmergencyRatePeriod` blocks, oldest
	/// first: what the rate limit counts and the cool-down remembers. Older ones are dropped when
	/// the doctor opens another.
	#[pallet::storage]
	pub type EmergencyOpenings<T: Config> = StorageMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		BoundedVec<EmergencyOpeningOf<T>, T::MaxEmergenciesPerPeriod>,
		ValueQuery,
	>;

	/// `(patient, writer) -> window`: how many records each writer other than the patient added
	/// for the patient in the writer's current window of `WriteRatePeriod` blocks. At most one
	/// entry per writer who ever added a record for the patient (each record is deposit-backed
	/// and permanent).
	#[pallet::storage]
	pub type WriteWindows<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Blake2_128Concat,
		T::AccountId,
		WriteWindowOf<T>,
		OptionQuery,
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
		/// A hospital invited `doctor` to register as its doctor.
		DoctorInvited { doctor: T::AccountId, hospital: T::AccountId },
		/// A pending invitation was withdrawn by the hospital or declined by the doctor (`by`).
		DoctorInvitationWithdrawn { doctor: T::AccountId, hospital: T::AccountId, by: T::AccountId },
		/// A doctor accepted a hospital's invitation and is registered.
		DoctorRegistered { doctor: T::AccountId, hospital: T::AccountId },
		/// A doctor replaced their public profile.
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
		/// An invitation for that account is already pending.
		InvitationExists,
		/// No invitation is pending for that account.
		NoInvitation,
		/// Only the inviting hospital or the invited account may withdraw an invitation.
		NotInvitationParty,
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
		/// The patient or a guardian closed this doctor's emergency session for the patient less
		/// than `EmergencyCooldown` blocks ago.
		EmergencyCoolingDown,
		/// The doctor has opened `MaxEmergenciesPerPeriod` emergency sessions in the last
		/// `EmergencyRatePeriod` blocks.
		EmergencyRateExceeded,
		/// The writer has added `MaxWritesPerPeriod` records for this patient in their current
		/// window of `WriteRatePeriod` blocks.
		WriteRateExceeded,
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
				T::MaxEmergenciesPerPeriod::get() > 0,
				"MaxEmergenciesPerPeriod must be at least 1"
			);
			assert!(
				T::EmergencyRatePeriod::get()
					>= T::EmergencyDuration::get().saturating_add(T::EmergencyCooldown::get()),
				"EmergencyRatePeriod must cover EmergencyDuration + EmergencyCooldown"
			);
			assert!(T::MaxWritesPerPeriod::get() > 0, "MaxWritesPerPeriod must be at least 1");
			assert!(!T::WriteRatePeriod::get().is_zero(), "WriteRatePeriod must be at least 1");
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

		/// Invite `doctor` to register as a doctor of the calling hospital, with a public
		/// profile: `name` (non-empty), `speciality` and professional `contact`, each UTF-8 of at
		/// most `MaxProfileFieldLen` bytes. Nothing is registered until the doctor's own key
		/// accepts ([`Pallet::accept_doctor_invitation`]), so no account is made a doctor, nor has
		/// a profile published, without its consent; an invitation gives no role and blocks none.
		///
		/// Origin: an active hospital. Holds `DoctorDeposit` from the hospital until the
		/// invitation is withdrawn or the doctor is removed. Emits [`Event::DoctorInvited`].
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::invite_doctor())]
		pub fn invite_doctor(
			origin: OriginFor<T>,
			doctor: T::AccountId,
			name: Vec<u8>,
			speciality: Vec<u8>,
			contact: Vec<u8>,
		) -> DispatchResult {
			let hospital = ensure_signed(origin)?;
			Self::acting_hospital(&hospital)?;
			ensure!(!Doctors::<T>::contains_key(&doctor), Error::<T>::AlreadyDoctor);
			ensure!(!PendingDoctors::<T>::contains_key(&doctor), Error::<T>::InvitationExists);
			Self::may_become_doctor(&doctor)?;
			let profile = Self::doctor_profile(name, speciality, contact)?;
			let deposit = T::DoctorDeposit::get();
			Self::hold(HoldReason::DoctorRegistration, &hospital, deposit)?;
			PendingDoctors::<T>::insert(
				&doctor,
				DoctorInvitation {
					hospital: hospital.clone(),
					profile,
					invited_at: Self::now(),
					deposit,
				},
			);
			Self::deposit_event(Event::DoctorInvited { doctor, hospital });
			Ok(())
		}

		/// Replace the caller's own public profile (same rules as in the invitation): what is
		/// published about a doctor is the doctor's to confirm.
		///
		/// Origin: a doctor, whatever their or their hospital's status. Emits
		/// [`Event::DoctorUpdated`].
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::update_doctor())]
		pub fn update_doctor(
			origin: OriginFor<T>,
			name: Vec<u8>,
			speciality: Vec<u8>,
			contact: Vec<u8>,
		) -> DispatchResult {
			let doctor = ensure_signed(origin)?;
			let mut info = Doctors::<T>::get(&doctor).ok_or(Error::<T>::NotADoctor)?;
			info.profile = Self::doctor_profile(name, speciality, contact)?;
			let hospital = info.hospital.clone();
			Doctors::<T>::insert(&doctor, info);
			Self::deposit_event(Event::DoctorUpdated { doctor, hospital });
			Ok(())
		}

		/// Suspend or reinstate `doctor`. A suspended doctor can neither read nor write nor open
		/// emergency access.
		///
		/// Origin: `RegistrarOrigin`, or the doctor's hospital: active to reinstate, active or
		/// suspended to suspend (a hospital under suspension can still stop a doctor it no
		/// longer trusts). Emits [`Event::DoctorStatusChanged`].
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::set_doctor_status())]
		pub fn set_doctor_status(
			origin: OriginFor<T>,
			doctor: T::AccountId,
			status: Status,
		) -> DispatchResult {
			let mut info = if T::RegistrarOrigin::ensure_origin(origin.clone()).is_ok() {
				Doctors::<T>::get(&doctor).ok_or(Error::<T>::NotADoctor)?
			} else {
				let hospital = ensure_signed(origin)?;
				let acting = Hospitals::<T>::get(&hospital).ok_or(Error::<T>::NotAHospital)?;
				ensure!(
					acting.status == Status::Active || status == Status::Suspended,
					Error::<T>::HospitalNotActive
				);
				Self::own_doctor(&hospital, &doctor)?
			};
			ensure!(info.status != status, Error::<T>::StatusUnchanged);
			info.status = status;
			let hospital = info.hospital.clone();
			Doctors::<T>::insert(&doctor, info);
			Self::deposit_event(Event::DoctorStatusChanged { doctor, hospital, status });
			Ok(())
		}

		/// Remove `doctor`, drop their emergency sessions and release the hospital's deposit.
		/// Records they authored stay. Grants naming them in person stay with the patients (who
		/// may revoke them) but never work again: a later registration of the account, by any
		/// hospital, starts without them (see [`Pallet::decide`]).
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
			EmergencyOpenings::<T>::remove(&doctor);
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

		/// Remove `guardian` from the calling patient's guardians and release the deposit. The
		/// grants the guardian made end with them (each deposit back to the guardian, each an
		/// [`Event::AccessRevoked`] by the patient): consent given on the patient's behalf does
		/// not outlive the authority it was given with. The patient grants again what they
		/// want to keep.
		///
		/// Origin: the patient. Emits [`Event::GuardianRemoved`].
		#[pallet::call_index(12)]
		// The benchmark's worst case ends `MaxGrantsPerPatient` grants, but `weights.rs` was
		// generated before it did: the revocations are added on until it is regenerated.
		#[pallet::weight(T::WeightInfo::remove_guardian().saturating_add(
			T::WeightInfo::revoke_access().saturating_mul(T::MaxGrantsPerPatient::get().into())
		))]
		pub fn remove_guardian(origin: OriginFor<T>, guardian: T::AccountId) -> DispatchResult {
			let patient = ensure_signed(origin)?;
			let mut info = Patients::<T>::get(&patient).ok_or(Error::<T>::NotAPatient)?;
			let pos = info
				.guardians
				.binary_search_by(|g| g.account.cmp(&guardian))
				.map_err(|_| Error::<T>::NotGuardian)?;
			let entry = info.guardians.remove(pos);
			let mut ended = Vec::new();
			info.grants.retain(|id| match Grants::<T>::get(id) {
				Some(grant) if grant.granted_by == guardian => {
					ended.push((*id, grant.deposit));
					false
				},
				_ => true,
			});
			Patients::<T>::insert(&patient, info);
			Guardianships::<T>::remove(&guardian, &patient);
			Self::release(HoldReason::Guardian, &patient, entry.deposit);
			for (grant, deposit) in ended {
				Grants::<T>::remove(grant);
				Self::release(HoldReason::Grant, &guardian, deposit);
				Self::deposit_event(Event::AccessRevoked {
					patient: patient.clone(),
					grant,
					by: patient.clone(),
				});
			}
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
		/// with a live emergency session). A doctor adds at most `MaxWritesPerPeriod` records for
		/// one patient per window of `WriteRatePeriod` blocks (`WriteRateExceeded`); the
		/// patient's own records are not limited. Holds `RecordDeposit` and the archive's deposit
		/// from the author. Emits [`Event::RecordAdded`] (and the archive's own event).
		#[pallet::call_index(15)]
		#[pallet::weight(
			T::WeightInfo::add_record(T::MaxGrantsPerPatient::get())
				.saturating_add(T::Archive::anchor_weight(archive))
				.saturating_add(Pallet::<T>::rate_memory_weight())
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
			let window = Self::counted_write(&author, &patient, now)?;
			let id = NextRecordId::<T>::get();
			let next = id.checked_add(1).ok_or(Error::<T>::Overflow)?;
			let archive_weight = T::Archive::anchor_weight(&archive);
			let Archived { archive, size } = T::Archive::anchor(id, &patient, &author, archive)?;
			ensure!(size > 0 && archive.is_valid(), Error::<T>::EmptyRecord);
			let deposit = T::RecordDeposit::get();
			Self::hold(HoldReason::RecordAnchor, &author, deposit)?;
			let hospital = Doctors::<T>::get(&author).map(|d| d.hospital);
			NextRecordId::<T>::put(next);
			if let Some(window) = window {
				WriteWindows::<T>::insert(&patient, &author, window);
			}
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
			Ok(Some(
				T::WeightInfo::add_record(scanned)
					.saturating_add(archive_weight)
					.saturating_add(Self::rate_memory_weight()),
			)
			.into())
		}

		/// Open emergency (break-glass) access to `patient` for `EmergencyDuration` blocks, giving
		/// `reason`. Loud on purpose: emits [`Event::EmergencyAccessOpened`] and counts it in the
		/// doctor's `emergencies_opened`. Expired sessions of the doctor are dropped first.
		///
		/// Break-glass must work for any patient in a real emergency, so it is bounded rather
		/// than gated: a doctor opens at most `MaxEmergenciesPerPeriod` sessions in any
		/// `EmergencyRatePeriod` blocks (`EmergencyRateExceeded`), and after the patient or a
		/// guardian closes a doctor's session that doctor cannot open another for the patient for
		/// `EmergencyCooldown` blocks (`EmergencyCoolingDown`): the patient's "no" sticks.
		///
		/// Origin: an active doctor of an active hospital.
		#[pallet::call_index(16)]
		#[pallet::weight(T::WeightInfo::open_emergency().saturating_add(Pallet::<T>::rate_memory_weight()))]
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
			let mut openings = EmergencyOpenings::<T>::get(&doctor);
			let period = T::EmergencyRatePeriod::get();
			openings.retain(|o| now < o.opened_at.saturating_add(period));
			let cooldown = T::EmergencyCooldown::get();
			ensure!(
				!openings.iter().any(|o| o.patient == patient
					&& o.closed_by_patient_at.is_some_and(|at| now < at.saturating_add(cooldown))),
				Error::<T>::EmergencyCoolingDown
			);
			openings
				.try_push(EmergencyOpening {
					patient: patient.clone(),
					opened_at: now,
					closed_by_patient_at: None,
				})
				.map_err(|_| Error::<T>::EmergencyRateExceeded)?;
			sessions
				.try_push(EmergencySession {
					patient: patient.clone(),
					reason,
					opened_at: now,
					expires_at,
				})
				.map_err(|_| Error::<T>::TooManyEmergencies)?;
			EmergencySessions::<T>::insert(&doctor, sessions);
			EmergencyOpenings::<T>::insert(&doctor, openings);
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

		/// Close the live emergency session of `doctor` for `patient` before it expires. Closed by
		/// the patient or a guardian, it also keeps the doctor from opening another for the
		/// patient for `EmergencyCooldown` blocks.
		///
		/// Origin: the doctor, the patient or one of the patient's guardians. Emits
		/// [`Event::EmergencyAccessClosed`].
		#[pallet::call_index(17)]
		#[pallet::weight(T::WeightInfo::close_emergency().saturating_add(Pallet::<T>::rate_memory_weight()))]
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
			let closed = sessions.remove(pos);
			if who != doctor {
				EmergencyOpenings::<T>::mutate(&doctor, |openings| {
					// Remembered for `EmergencyRatePeriod`, which outlasts every live session.
					match openings
						.iter_mut()
						.find(|o| o.patient == patient && o.opened_at == closed.opened_at)
					{
						Some(opening) => opening.closed_by_patient_at = Some(now),
						None => {
							defensive!("a live emergency session was not remembered");
						},
					}
				});
			}
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

		/// Accept the pending invitation of a hospital: the caller becomes its doctor, active,
		/// with the profile the invitation proposed (which the caller may then change with
		/// [`Pallet::update_doctor`]).
		///
		/// Origin: the invited account, which must not have become a hospital, patient or
		/// guardian meanwhile; the hospital must be active. Weighed as `invite_doctor` (measured
		/// when it was the one-step registration, with the same reads and writes) until
		/// `weights.rs` is regenerated. Emits [`Event::DoctorRegistered`].
		#[pallet::call_index(19)]
		#[pallet::weight(T::WeightInfo::invite_doctor())]
		pub fn accept_doctor_invitation(origin: OriginFor<T>) -> DispatchResult {
			let doctor = ensure_signed(origin)?;
			let invitation = PendingDoctors::<T>::get(&doctor).ok_or(Error::<T>::NoInvitation)?;
			Self::acting_hospital(&invitation.hospital)?;
			Self::may_become_doctor(&doctor)?;
			PendingDoctors::<T>::remove(&doctor);
			let DoctorInvitation { hospital, profile, deposit, .. } = invitation;
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

		/// Withdraw the pending invitation of `doctor` (the hospital), or decline it (the
		/// doctor), and release the hospital's deposit.
		///
		/// Origin: the inviting hospital (whatever its status) or `doctor`. Weighed as
		/// `withdraw_patient_proposal`, its twin for patients, until `weights.rs` is
		/// regenerated. Emits
		/// [`Event::DoctorInvitationWithdrawn`].
		#[pallet::call_index(20)]
		#[pallet::weight(T::WeightInfo::withdraw_patient_proposal())]
		pub fn withdraw_doctor_invitation(
			origin: OriginFor<T>,
			doctor: T::AccountId,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let invitation = PendingDoctors::<T>::get(&doctor).ok_or(Error::<T>::NoInvitation)?;
			ensure!(who == invitation.hospital || who == doctor, Error::<T>::NotInvitationParty);
			PendingDoctors::<T>::remove(&doctor);
			Self::release(HoldReason::DoctorRegistration, &invitation.hospital, invitation.deposit);
			Self::deposit_event(Event::DoctorInvitationWithdrawn {
				doctor,
				hospital: invitation.hospital,
				by: who,
			});
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// Whether `who` may take the doctor role: not a hospital, patient or guardian.
		fn may_become_doctor(who: &T::AccountId) -> DispatchResult {
			ensure!(
				!Hospitals::<T>::contains_key(who)
					&& !Patients::<T>::contains_key(who)
					&& !Self::is_guardian_of_anyone(who),
				Error::<T>::RoleConflict
			);
			Ok(())
		}

		/// Whether `who` is a guardian of any patient.
		fn is_guardian_of_anyone(who: &T::AccountId) -> bool {
			Guardianships::<T>::iter_key_prefix(who).next().is_some()
		}

		/// The rate limits' storage item (`EmergencyOpenings` or `WriteWindows`), read and
		/// written, which `weights.rs` was measured without: added until it is regenerated.
		fn rate_memory_weight() -> Weight {
			T::DbWeight::get().reads_writes(1, 1)
		}

		/// The window of `author`'s writes for `patient` with one more record counted, or `None`
		/// for the patient's own records, which are not limited.
		fn counted_write(
			author: &T::AccountId,
			patient: &T::AccountId,
			now: BlockNumberFor<T>,
		) -> Result<Option<WriteWindowOf<T>>, DispatchError> {
			if author == patient {
				return Ok(None);
			}
			let window = WriteWindows::<T>::get(patient, author)
				.filter(|w| now < w.started_at.saturating_add(T::WriteRatePeriod::get()))
				.unwrap_or(WriteWindow { started_at: now, count: 0 });
			ensure!(window.count < T::MaxWritesPerPeriod::get(), Error::<T>::WriteRateExceeded);
			Ok(Some(WriteWindow { count: window.count.saturating_add(1), ..window }))
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
	}
}
