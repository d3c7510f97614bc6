//! # Shamir archive pallet
//!
//! The on-chain half of ehr-chain's record archive. A record's payload never touches the chain:
//! the client encrypts it, erasure-codes the ciphertext and Shamir-shares the key
//! (`ehr-archive-codec`), and each of `n` **custodian** nodes keeps one piece (a fragment and a
//! key share); any `k` of them rebuild the record. This pallet keeps the public facts that let
//! anyone find and check those pieces: who the custodians are, where they listen and with which
//! keys, and for each record its [`ArchiveEntry`] (codec parameters, piece commitments, and which
//! custodian keeps which piece).
//!
//! ## No PHI on chain
//!
//! Nothing here can carry personal health information: a custodian is an account, an endpoint
//! and public keys; an archive entry is hashes, sizes and accounts. The unit test
//! `no_phi::no_free_text_reachable_from_archive_data` walks the metadata of every storage item,
//! event and call to keep it so.
//!
//! ## Custodians
//!
//! The registrar (`RegistrarOrigin`) registers, suspends, reinstates and removes custodians. A
//! custodian rotates its own endpoint and keys with [`Pallet::update_custodian`] (allowed while
//! suspended, since a leaked key is a reason to be suspended). Only active custodians take new
//! pieces; the pieces of a suspended or removed custodian may be repaired onto another one.
//!
//! ## Anchoring, in the same transaction as the record
//!
//! The writer draws a random [`ArchiveId`] and encodes the record under the codec record id
//! `ehr_archive_codec::archive_record_id(genesis hash, archive id, patient)`
//! ([`Pallet::codec_record_id`]): what the writer knows before its record exists, and, since
//! archive ids are unique on chain, never the binding of another archive. It sends piece `i` to
//! custodian `i`, which checks it against the commitments and returns a signed
//! [`CustodyReceipt`] naming the patient, the **author** and the archive id. The writer then
//! submits one transaction, `EhrAccess::add_record`, with an [`ArchiveSubmission`]: ehr-access
//! makes its role and consent decision, and calls this pallet through
//! `pallet_ehr_access::RecordArchive`, which checks the layout, that the archive id is unused,
//! that the custodians are distinct, registered and active, and every receipt given, stores the
//! entry and holds its deposit from the author. The record's commitment is the root computed
//! here. If anything fails the whole call is rolled back: no anchor, no entry, no hold.
//!
//! Because a receipt names the author, pieces, commitments and receipts copied from somebody's
//! pending write cannot anchor a record of anyone else: the copier's write fails with
//! [`Error::BadReceipt`], and the original write still goes through.
//!
//! **Receipts expire.** A receipt names the last block at which it may be used
//! (`valid_until`, signed with it); later it fails with [`Error::ReceiptExpired`], in
//! `add_record` and [`Pallet::repair_piece`] alike. The custodian keeps a pending piece at
//! least until that block is final, so the chain never lists a piece nobody keeps, and an old
//! receipt (say, a custodian's anchoring receipt for a piece since repaired away from it and
//! deleted) cannot be replayed later to list that custodian again.
//!
//! **At least `k` receipts, not all `n`.** Pieces given without a receipt are stored as
//! [`PieceState::Missing`] and the entry as [`EntryState::Degraded`]. With `k` verified pieces
//! the record can already be rebuilt, so refusing the anchor would only leave the record with
//! no archive at all because one custodian was slow or offline; the degraded state is public
//! (events, runtime API) and [`Pallet::repair_piece`] restores full redundancy. Fewer than `k`
//! receipts fail: such an entry could not be rebuilt.
//!
//! The state follows receipts only. A custodian's suspension or removal does not rewrite the
//! entries it serves (that would mean scanning every entry); its pieces are simply repairable,
//! and readers see its status through the runtime API.
//!
//! **A chain-wide minimum.** Every new archive needs `k >= MinRedundancy.k` and
//! `n >= MinRedundancy.n` ([`Error::BelowMinRedundancy`]), set by the registrar
//! ([`Pallet::set_min_redundancy`]) or at genesis: without it a writer could keep a record on
//! one custodian (`k = 1`, `n = 1`), which then alone holds the key and alone can lose the
//! record. The `development` preset, with its one custodian, keeps 1 of 1; `local_testnet`
//! requires 2 of 3.
//!
//! ## Repair
//!
//! [`Pallet::repair_piece`] moves a missing piece, or the piece of a suspended or removed
//! custodian, to an active custodian not holding another piece of the record, against that
//! custodian's receipt over the same piece hash (the repairer regenerates the identical piece
//! from `k` others, so the commitments do not change). **Anyone may call it**: the receipt is
//! the proof that the new custodian checked and keeps the committed piece, the move can only
//! replace a piece that is missing or whose custodian is out of service, and nothing else
//! changes; custodians' own repair daemons need no role in ehr-access. A late receipt from the
//! original custodian of a missing piece is accepted the same way.
//!
//! ## Erasure
//!
//! [`Pallet::erase`]: the patient or one of their guardians marks the entry
//! [`EntryState::Erased`]; [`Event::ArchiveErased`] lists every custodian that must delete its
//! piece (with the key shares gone, the ciphertext is unreadable: crypto-shredding), and
//! ehr-access marks the record's anchor erased, so that nobody can open it again. The entry keeps
//! its archive id, codec header and root as a tombstone and drops its pieces. Nothing else is
//! possible on an erased entry, and its archive id stays taken.
//!
//! ## Deposits
//!
//! Whoever anchors an archive pays for its storage with a deposit (`Consideration`, in the
//! runtime a hold priced by the entry's encoded size): the entry and its archive-id index. On
//! erasure the deposit shrinks to the tombstone's size and the rest comes back to the depositor;
//! what is left pays for the tombstone, which stays for good. Custodians are added by the
//! registrar and pay nothing.
//!
//! ## Calls
//!
//! | index | call | origin |
//! |---|---|---|
//! | 0 | [`Pallet::register_custodian`] | registrar |
//! | 1 | [`Pallet::set_custodian_status`] | registrar |
//! | 2 | [`Pallet::remove_custodian`] | registrar |
//! | 3 | [`Pallet::update_custodian`] | the custodian |
//! | 5 | [`Pallet::repair_piece`] | anyone, with the new custodian's receipt |
//! | 6 | [`Pallet::erase`] | the record's patient or a guardian |
//! | 7 | [`Pallet::set_min_redundancy`] | registrar |
//!
//! ## Runtime API
//!
//! [`runtime_api::ShamirArchiveApi`]: `archive`, `archive_of`, `custodian`, `custodians`,
//! `read_plan` (the entry, its patient and author, and each piece's custodian, in one call).
//!
//! Call index 4 was `anchor_archive`, the second transaction of the former two-step write; it
//! is not reused.
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

use pallet_ehr_access::ArchiveSlot;
use polkadot_sdk::frame_system::pallet_prelude::BlockNumberFor;

/// A stored custodian in a runtime.
pub type CustodianOf<T> = Custodian<BlockNumberFor<T>, <T as Config>::MaxEndpointLen>;
/// A stored archive entry in a runtime.
pub type ArchiveEntryOf<T> = ArchiveEntry<
	<T as polkadot_sdk::frame_system::Config>::AccountId,
	BlockNumberFor<T>,
	<T as Config>::MaxPieces,
>;
/// A custodian as the runtime API shows it.
pub type ApiCustodianOf<T> = Custodian<BlockNumberFor<T>, runtime_api::ApiMaxEndpointLen>;
/// An archive entry as the runtime API shows it.
pub type ApiArchiveEntryOf<T> = ArchiveEntry<
	<T as polkadot_sdk::frame_system::Config>::AccountId,
	BlockNumberFor<T>,
	runtime_api::ApiMaxPieces,
>;
/// A read plan as the runtime API shows it, in a runtime.
pub type ApiReadPlanOf<T> = ReadPlan<
	<T as polkadot_sdk::frame_system::Config>::AccountId,
	BlockNumberFor<T>,
	runtime_api::ApiMaxPieces,
	runtime_api::ApiMaxEndpointLen,
>;
/// A record's archive as its writer submits it, in a runtime.
pub type ArchiveSubmissionOf<T> = ArchiveSubmission<
	<T as polkadot_sdk::frame_system::Config>::AccountId,
	BlockNumberFor<T>,
	<T as Config>::MaxPieces,
>;
/// A custody receipt message in a runtime.
pub type CustodyReceiptOf<T> = CustodyReceipt<
	<T as polkadot_sdk::frame_system::Config>::AccountId,
	<T as polkadot_sdk::frame_system::Config>::Hash,
	BlockNumberFor<T>,
>;

/// What the benchmarks need from the records pallet: an archived record, and a guardian (the
/// runtime uses `pallet_ehr_access::Pallet<Runtime>`).
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
	/// A new record of `patient`, written by the patient, archived with `pieces` pieces
	/// (through the records pallet's own `add_record`).
	fn record(
		patient: &AccountId,
		pieces: u32,
	) -> Result<RecordId, polkadot_sdk::sp_runtime::DispatchError>;
	/// Make `guardian` a guardian of `patient`.
	fn guardian(
		patient: &AccountId,
		guardian: &AccountId,
	) -> Result<(), polkadot_sdk::sp_runtime::DispatchError>;
}

#[polkadot_sdk::frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use pallet_ehr_access::ArchiveRef;
	use polkadot_sdk::{
		frame_support::{
			pallet_prelude::*,
			traits::{Consideration, EnsureOrigin, Footprint},
		},
		frame_system::pallet_prelude::*,
		sp_core::sr25519,
		sp_runtime::traits::Zero,
	};

	/// The storage layout's version: 1 since entries are stored with their record in one call
	/// and receipts name the author. No chain ever ran version 0, so there is no migration from
	/// it.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: polkadot_sdk::frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// Who registers, suspends and removes custodians (root, or a council).
		type RegistrarOrigin: EnsureOrigin<Self::RuntimeOrigin>;
		/// The records pallet (ehr-access): anchors, their parties and their archive slots.
		type Records: ArchiveSlot<AccountId = Self::AccountId>;
		/// Longest custody endpoint, in bytes (at most [`runtime_api::ApiMaxEndpointLen`]).
		#[pallet::constant]
		type MaxEndpointLen: Get<u32>;
		/// Most pieces (`n`) of one record, at most 255 (the codec's limit).
		#[pallet::constant]
		type MaxPieces: Get<u32>;
		/// The deposit of an archive entry, held from whoever anchors it for the entry's
		/// [`Footprint`] (its archive-id index included).
		type Consideration: Consideration<Self::AccountId, Footprint>;
		/// Weights of this pallet's calls, from its benchmarks.
		type WeightInfo: WeightInfo;
		/// Sets up records and guardians for the benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId>;
	}

	/// Custodian nodes by their account.
	#[pallet::storage]
	pub type Custodians<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, CustodianOf<T>, OptionQuery>;

	/// How many custodians are registered, active or not.
	#[pallet::storage]
	pub type CustodianCount<T: Config> = StorageValue<_, u32, ValueQuery>;

	/// Archive entries, by the ehr-access record they archive.
	#[pallet::storage]
	pub type Archives<T: Config> =
		StorageMap<_, Twox64Concat, RecordId, ArchiveEntryOf<T>, OptionQuery>;

	/// The record of each archive id ever anchored, erased ones included: an archive id is
	/// anchored once, so a custodian can find the one record its piece belongs to.
	#[pallet::storage]
	pub type ArchiveIds<T: Config> = StorageMap<_, Identity, ArchiveId, RecordId, OptionQuery>;

	/// The least `k` and `n` of every new archive, set by the registrar
	/// ([`Pallet::set_min_redundancy`]) or at genesis; 1 of 1 if never set.
	#[pallet::storage]
	pub type MinRedundancy<T: Config> = StorageValue<_, Redundancy, ValueQuery>;

	/// Who paid for each archive entry, and the deposit ticket: for the whole entry while it is
	/// live, for its tombstone once erased.
	#[pallet::storage]
	pub type Deposits<T: Config> =
		StorageMap<_, Twox64Concat, RecordId, (T::AccountId, T::Consideration), OptionQuery>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A custodian node was admitted.
		CustodianRegistered { custodian: T::AccountId },
		/// A custodian was suspended or reinstated.
		CustodianStatusChanged { custodian: T::AccountId, status: Status },
		/// A custodian was removed; its pieces are due for repair.
		CustodianRemoved { custodian: T::AccountId },
		/// A custodian replaced its endpoint and keys.
		CustodianUpdated { custodian: T::AccountId },
		/// The registrar set the least redundancy of new archives.
		MinRedundancySet { min: Redundancy },
		/// A record's archive was anchored with `held` of its `n` pieces receipted.
		ArchiveAnchored {
			record: RecordId,
			archive_id: ArchiveId,
			k: u8,
			n: u8,
			held: u8,
			state: EntryState,
		},
		/// Piece `index` of `record` moved from custodian `from` to `to`, who proved it keeps it.
		PieceRepaired {
			record: RecordId,
			index: u8,
			from: T::AccountId,
			to: T::AccountId,
			state: EntryState,
		},
		/// The patient or a guardian (`by`) had the record erased: `custodians` must delete
		/// their pieces.
		ArchiveErased {
			record: RecordId,
			by: T::AccountId,
			custodians: BoundedVec<T::AccountId, T::MaxPieces>,
		},
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The account is already a custodian.
		AlreadyCustodian,
		/// The account is not a custodian.
		UnknownCustodian,
		/// The endpoint is empty, longer than `MaxEndpointLen`, or not UTF-8.
		BadEndpoint,
		/// The custodian already has that status.
		StatusUnchanged,
		/// No such record in ehr-access.
		UnknownRecord,
		/// The record already has an archive entry.
		AlreadyArchived,
		/// The archive id is already anchored for a record.
		ArchiveIdInUse,
		/// The codec version is not supported.
		UnsupportedVersion,
		/// The codec layout is invalid (`1 <= k <= n`, segment size, payload length).
		InvalidLayout,
		/// The archive's `k` or `n` is below the chain's minimum ([`MinRedundancy`]).
		BelowMinRedundancy,
		/// A minimum redundancy must have `1 <= k <= n <= MaxPieces`.
		InvalidRedundancy,
		/// A custodian is listed for two pieces.
		DuplicateCustodian,
		/// The custodian is suspended.
		CustodianNotActive,
		/// A custody receipt is not the custodian's signature over its receipt message.
		BadReceipt,
		/// A custody receipt's `valid_until` block has passed: the custodian may no longer keep
		/// the piece. Put it again for a fresh receipt.
		ReceiptExpired,
		/// Fewer than `k` receipts were given: the record could not be rebuilt.
		TooFewReceipts,
		/// The record has no archive entry.
		NoArchive,
		/// The archive entry is erased.
		ArchiveErased,
		/// The record has no piece at that index.
		BadPieceIndex,
		/// The piece is held by an active custodian, so it needs no repair.
		PieceNotRepairable,
		/// The new custodian already keeps another piece of the record.
		AlreadyHoldsPiece,
		/// Only the record's patient or a guardian may erase it.
		NotPatientOrGuardian,
	}

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// The deposit of an archive entry.
		#[codec(index = 0)]
		ArchiveEntry,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			assert!(
				(1..=u32::from(ehr_archive_codec::MAX_PIECES)).contains(&T::MaxPieces::get()),
				"MaxPieces must be within 1..=255"
			);
			assert!(
				T::MaxEndpointLen::get() <= <runtime_api::ApiMaxEndpointLen as Get<u32>>::get(),
				"MaxEndpointLen must fit the runtime API's view of a custodian"
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
		/// Admit `custodian` as a custody node that listens on `endpoint` (non-empty UTF-8 of
		/// at most `MaxEndpointLen` bytes), takes requests encrypted to `x25519_public` and signs
		/// receipts with `receipt_key`.
		///
		/// Origin: `RegistrarOrigin`. Emits [`Event::CustodianRegistered`].
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::register_custodian())]
		pub fn register_custodian(
			origin: OriginFor<T>,
			custodian: T::AccountId,
			endpoint: Vec<u8>,
			x25519_public: [u8; 32],
			receipt_key: sr25519::Public,
		) -> DispatchResult {
			T::RegistrarOrigin::ensure_origin(origin)?;
			ensure!(!Custodians::<T>::contains_key(&custodian), Error::<T>::AlreadyCustodian);
			let endpoint = Self::endpoint(endpoint)?;
			Custodians::<T>::insert(
				&custodian,
				Custodian {
					endpoint,
					x25519_public,
					receipt_key,
					status: Status::Active,
					registered_at: polkadot_sdk::frame_system::Pallet::<T>::block_number(),
				},
			);
			CustodianCount::<T>::mutate(|count| *count = count.saturating_add(1));
			Self::deposit_event(Event::CustodianRegistered { custodian });
			Ok(())
		}

		/// Suspend or reinstate `custodian`.
		///
		/// Origin: `RegistrarOrigin`. Emits [`Event::CustodianStatusChanged`].
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::set_custodian_status())]
		pub fn set_custodian_status(
			origin: OriginFor<T>,
			custodian: T::AccountId,
			status: Status,
		) -> DispatchResult {
			T::RegistrarOrigin::ensure_origin(origin)?;
			Self::mutate_custodian(&custodian, |info| {
				ensure!(info.status != status, Error::<T>::StatusUnchanged);
				info.status = status;
				Ok(())
			})?;
			Self::deposit_event(Event::CustodianStatusChanged { custodian, status });
			Ok(())
		}

		/// Remove `custodian`. Entries that list it keep doing so until its pieces are
		/// repaired onto other custodians.
		///
		/// Origin: `RegistrarOrigin`. Emits [`Event::CustodianRemoved`].
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::remove_custodian())]
		pub fn remove_custodian(origin: OriginFor<T>, custodian: T::AccountId) -> DispatchResult {
			T::RegistrarOrigin::ensure_origin(origin)?;
			Custodians::<T>::take(&custodian).ok_or(Error::<T>::UnknownCustodian)?;
			CustodianCount::<T>::mutate(|count| *count = count.saturating_sub(1));
			Self::deposit_event(Event::CustodianRemoved { custodian });
			Ok(())
		}

		/// Replace the caller's endpoint, X25519 key and receipt key (key rotation). Receipts
		/// already checked stay valid; new ones must be signed with the new key.
		///
		/// Origin: a custodian, active or suspended. Emits [`Event::CustodianUpdated`].
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::update_custodian())]
		pub fn update_custodian(
			origin: OriginFor<T>,
			endpoint: Vec<u8>,
			x25519_public: [u8; 32],
			receipt_key: sr25519::Public,
		) -> DispatchResult {
			let custodian = ensure_signed(origin)?;
			let endpoint = Self::endpoint(endpoint)?;
			Self::mutate_custodian(&custodian, |info| {
				info.endpoint = endpoint;
				info.x25519_public = x25519_public;
				info.receipt_key = receipt_key;
				Ok(())
			})?;
			Self::deposit_event(Event::CustodianUpdated { custodian });
			Ok(())
		}

		/// Move piece `index` of `record` to `new_custodian`, which signed `receipt` over the
		/// same piece hash. The piece must be missing, or its custodian suspended or removed;
		/// `new_custodian` must be active and keep no other piece of the record.
		///
		/// Origin: anyone (see the pallet docs). Emits [`Event::PieceRepaired`].
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::repair_piece())]
		pub fn repair_piece(
			origin: OriginFor<T>,
			record: RecordId,
			index: u8,
			new_custodian: T::AccountId,
			receipt: Receipt<BlockNumberFor<T>>,
		) -> DispatchResult {
			ensure_signed(origin)?;
			let mut entry = Self::live_entry(record)?;
			let slot = usize::from(index);
			let piece = entry.pieces.get(slot).ok_or(Error::<T>::BadPieceIndex)?;
			let in_service = piece.state == PieceState::Held
				&& Custodians::<T>::get(&piece.custodian)
					.is_some_and(|c| c.status == Status::Active);
			ensure!(!in_service, Error::<T>::PieceNotRepairable);
			let info = Self::active_custodian(&new_custodian)?;
			ensure!(!entry.holds_other_piece(&new_custodian, slot), Error::<T>::AlreadyHoldsPiece);
			let (patient, author) =
				T::Records::patient_and_author(record).ok_or(Error::<T>::UnknownRecord)?;
			Self::check_receipt(
				ReceiptFor { patient: &patient, author: &author, archive_id: entry.archive_id },
				(index, piece.hash),
				(&new_custodian, &info.receipt_key),
				&receipt,
			)?;

			let piece = entry.pieces.get_mut(slot).ok_or(Error::<T>::BadPieceIndex)?;
			let from = core::mem::replace(&mut piece.custodian, new_custodian.clone());
			piece.state = PieceState::Held;
			entry.state = entry.live_state();
			let state = entry.state;
			Archives::<T>::insert(record, entry);
			Self::deposit_event(Event::PieceRepaired {
				record,
				index,
				from,
				to: new_custodian,
				state,
			});
			Ok(())
		}

		/// Erase the archive of `record`: its entry becomes an [`EntryState::Erased`] tombstone
		/// without pieces, every custodian listed must delete its piece, the record's anchor is
		/// marked erased, and the deposit shrinks to the tombstone's.
		///
		/// Origin: the record's patient or one of their guardians. Emits
		/// [`Event::ArchiveErased`].
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::erase())]
		pub fn erase(origin: OriginFor<T>, record: RecordId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut entry = Self::live_entry(record)?;
			let (patient, _) =
				T::Records::patient_and_author(record).ok_or(Error::<T>::UnknownRecord)?;
			ensure!(
				who == patient || T::Records::is_guardian(&patient, &who),
				Error::<T>::NotPatientOrGuardian
			);
			entry.state = EntryState::Erased;
			// As long as `pieces`, which is bounded by `MaxPieces`.
			let custodians = BoundedVec::truncate_from(
				core::mem::take(&mut entry.pieces).into_iter().map(|p| p.custodian).collect(),
			);
			let (depositor, deposit) = Deposits::<T>::get(record).ok_or(Error::<T>::NoArchive)?;
			let deposit = deposit.update(&depositor, Self::footprint(&entry))?;
			T::Records::mark_erased(record)?;
			Archives::<T>::insert(record, entry);
			Deposits::<T>::insert(record, (depositor, deposit));
			Self::deposit_event(Event::ArchiveErased { record, by: who, custodians });
			Ok(())
		}

		/// Require every archive anchored from now on to have at least `min.k` pieces to
		/// rebuild it, spread over at least `min.n` custodians. Archives already anchored are
		/// not affected (their redundancy is restored by repair, not raised).
		///
		/// Origin: `RegistrarOrigin`. Weighed as [`Pallet::set_custodian_status`] (the same
		/// one-item write by the registrar) until it has its own benchmark. Emits
		/// [`Event::MinRedundancySet`].
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::set_custodian_status())]
		pub fn set_min_redundancy(origin: OriginFor<T>, min: Redundancy) -> DispatchResult {
			T::RegistrarOrigin::ensure_origin(origin)?;
			ensure!(min.is_valid(T::MaxPieces::get()), Error::<T>::InvalidRedundancy);
			MinRedundancy::<T>::put(min);
			Self::deposit_event(Event::MinRedundancySet { min });
			Ok(())
		}
	}

	#[pallet::genesis_config]
	pub struct GenesisConfig<T: Config> {
		/// The least `k` of new archives from the first block ([`MinRedundancy`]).
		pub min_k: u8,
		/// The least `n` of new archives from the first block.
		pub min_n: u8,
		#[serde(skip)]
		pub _config: core::marker::PhantomData<T>,
	}

	impl<T: Config> Default for GenesisConfig<T> {
		fn default() -> Self {
			let Redundancy { k, n } = Redundancy::default();
			Self { min_k: k, min_n: n, _config: Default::default() }
		}
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			let min = Redundancy { k: self.min_k, n: self.min_n };
			assert!(
				min.is_valid(T::MaxPieces::get()),
				"the genesis minimum redundancy must have 1 <= min_k <= min_n <= MaxPieces"
			);
			MinRedundancy::<T>::put(min);
		}
	}

	impl<T: Config> Pallet<T> {
		/// The chain's genesis hash, which every receipt message binds.
		pub fn genesis_hash() -> T::Hash {
			polkadot_sdk::frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero())
		}

		/// The receipt message for piece `index` (hash `piece_hash`) of the write `of`, kept by
		/// `custodian` until `valid_until`, on this chain.
		pub fn receipt_message(
			of: ReceiptFor<'_, T::AccountId>,
			piece: (u8, PieceHash),
			custodian: T::AccountId,
			valid_until: BlockNumberFor<T>,
		) -> CustodyReceiptOf<T> {
			CustodyReceipt::new(Self::genesis_hash(), of, piece, custodian, valid_until)
		}

		/// Checks `receipt` as `custodian`'s (registered with `receipt_key`) for `piece`
		/// (index, hash) of the write `of`: not expired, and its signature over the receipt
		/// message.
		fn check_receipt(
			of: ReceiptFor<'_, T::AccountId>,
			piece: (u8, PieceHash),
			(custodian, receipt_key): (&T::AccountId, &sr25519::Public),
			receipt: &Receipt<BlockNumberFor<T>>,
		) -> DispatchResult {
			let now = polkadot_sdk::frame_system::Pallet::<T>::block_number();
			ensure!(receipt.valid_until >= now, Error::<T>::ReceiptExpired);
			let message = Self::receipt_message(of, piece, custodian.clone(), receipt.valid_until);
			let valid = message.using_encoded(|bytes| {
				polkadot_sdk::sp_io::crypto::sr25519_verify(&receipt.signature, bytes, receipt_key)
			});
			ensure!(valid, Error::<T>::BadReceipt);
			Ok(())
		}

		/// The codec record id that archive `archive_id` of `patient` is encoded under on this
		/// chain (`ehr_archive_codec::archive_record_id`).
		pub fn codec_record_id(archive_id: &ArchiveId, patient: &T::AccountId) -> [u8; 32] {
			patient.using_encoded(|patient| {
				ehr_archive_codec::archive_record_id(
					Self::genesis_hash().as_ref(),
					archive_id,
					patient,
				)
			})
		}

		/// Check `archive` as the archive of the new record `record` of `patient` by
		/// `author`, store its entry and hold its deposit from `author`: see the pallet docs.
		pub(crate) fn anchor(
			record: RecordId,
			patient: &T::AccountId,
			author: &T::AccountId,
			archive: ArchiveSubmissionOf<T>,
		) -> Result<pallet_ehr_access::Archived, DispatchError> {
			let ArchiveSubmission { archive_id, header, pieces: submitted } = archive;
			ensure!(!Archives::<T>::contains_key(record), Error::<T>::AlreadyArchived);
			ensure!(!ArchiveIds::<T>::contains_key(archive_id), Error::<T>::ArchiveIdInUse);
			ensure!(header.version == ehr_archive_codec::VERSION, Error::<T>::UnsupportedVersion);
			let k = header.threshold;
			let layout = ehr_archive_codec::Layout::new(
				header.payload_len,
				header.segment_size,
				k,
				submitted.len(),
			)
			.map_err(|_| Error::<T>::InvalidLayout)?;
			let n = layout.n();
			let min = MinRedundancy::<T>::get();
			ensure!(k >= min.k && n >= min.n, Error::<T>::BelowMinRedundancy);
			let mut sorted: Vec<_> = submitted.iter().map(|p| &p.custodian).collect();
			sorted.sort();
			ensure!(sorted.windows(2).all(|w| w[0] != w[1]), Error::<T>::DuplicateCustodian);

			let write = ReceiptFor { patient, author, archive_id };
			let mut pieces = Vec::with_capacity(submitted.len());
			let mut held = 0u8;
			for (index, piece) in submitted.into_iter().enumerate() {
				let PieceSubmission { custodian, hash, receipt } = piece;
				let info = Self::active_custodian(&custodian)?;
				let state = match receipt {
					Some(receipt) => {
						// `index < n <= 255`, as the layout checked.
						Self::check_receipt(
							write,
							(index as u8, hash),
							(&custodian, &info.receipt_key),
							&receipt,
						)?;
						held = held.saturating_add(1);
						PieceState::Held
					},
					None => PieceState::Missing,
				};
				pieces.push(PieceInfo { custodian, hash, state });
			}
			ensure!(held >= k, Error::<T>::TooFewReceipts);

			let entry = ArchiveEntry {
				archive_id,
				version: header.version,
				k,
				payload_len: header.payload_len,
				segment_size: header.segment_size,
				root: [0; 32],
				// As long as the submission, which is bounded by `MaxPieces`.
				pieces: BoundedVec::truncate_from(pieces),
				state: EntryState::Anchored,
				anchored_at: polkadot_sdk::frame_system::Pallet::<T>::block_number(),
			};
			let root = entry.commitments().root(&Self::codec_record_id(&archive_id, patient));
			let entry = ArchiveEntry { root, state: entry.live_state(), ..entry };
			let state = entry.state;
			let deposit = T::Consideration::new(author, Self::footprint(&entry))?;
			Archives::<T>::insert(record, entry);
			ArchiveIds::<T>::insert(archive_id, record);
			Deposits::<T>::insert(record, (author.clone(), deposit));
			Self::deposit_event(Event::ArchiveAnchored { record, archive_id, k, n, held, state });
			Ok(pallet_ehr_access::Archived {
				archive: ArchiveRef { entry: record, k, n, root },
				size: header.payload_len,
			})
		}

		/// The archive entry of `record`, as the runtime API shows it.
		pub fn archive(record: RecordId) -> Option<ApiArchiveEntryOf<T>> {
			Archives::<T>::get(record).map(ArchiveEntry::rebound)
		}

		/// The record whose archive was encoded with `archive_id`, if anchored.
		pub fn archive_of(archive_id: ArchiveId) -> Option<RecordId> {
			ArchiveIds::<T>::get(archive_id)
		}

		/// What a reader or custodian needs to know before asking custodians for pieces of
		/// `record`, in one answer: its archive entry, its patient and author, and the
		/// custodian of each piece as registered now (`None`: no longer registered).
		pub fn read_plan(record: RecordId) -> Option<ApiReadPlanOf<T>> {
			let entry = Self::archive(record)?;
			let (patient, author) = T::Records::patient_and_author(record)?;
			let custodians = entry
				.pieces
				.iter()
				.map(|piece| Self::custodian(piece.custodian.clone()))
				.collect::<Vec<_>>();
			// As many as the entry's pieces, which the same bound holds.
			let custodians = BoundedVec::truncate_from(custodians);
			Some(ReadPlan { entry, patient, author, custodians })
		}

		/// A custodian, as the runtime API shows it.
		pub fn custodian(who: T::AccountId) -> Option<ApiCustodianOf<T>> {
			Custodians::<T>::get(who).map(Custodian::rebound)
		}

		/// Up to `limit` (at most [`MAX_PAGE_LEN`]) custodians, in storage order (by the hash
		/// of their account), starting after `start_after`, as the runtime API shows them.
		pub fn custodians(
			start_after: Option<T::AccountId>,
			limit: u32,
		) -> Vec<(T::AccountId, ApiCustodianOf<T>)> {
			let limit = limit.min(MAX_PAGE_LEN) as usize;
			let page = match start_after {
				Some(after) => {
					Custodians::<T>::iter_from(Custodians::<T>::hashed_key_for(after)).take(limit)
				},
				None => Custodians::<T>::iter().take(limit),
			};
			page.map(|(who, info)| (who, info.rebound())).collect()
		}

		/// What an entry keeps in storage: one footprint for the entry and its archive-id index
		/// (key and value), so that a linear price is a base for the two plus a price per byte.
		pub fn footprint(entry: &ArchiveEntryOf<T>) -> Footprint {
			let index = ArchiveId::max_encoded_len().saturating_add(RecordId::max_encoded_len());
			Footprint::from_parts(1, entry.encoded_size().saturating_add(index))
		}

		/// A bounded, UTF-8, non-empty endpoint.
		fn endpoint(endpoint: Vec<u8>) -> Result<BoundedVec<u8, T::MaxEndpointLen>, Error<T>> {
			ensure!(
				!endpoint.is_empty() && core::str::from_utf8(&endpoint).is_ok(),
				Error::<T>::BadEndpoint
			);
			endpoint.try_into().map_err(|_| Error::<T>::BadEndpoint)
		}

		/// Apply `change` to a registered custodian; one place for every custodian update.
		fn mutate_custodian(
			custodian: &T::AccountId,
			change: impl FnOnce(&mut CustodianOf<T>) -> DispatchResult,
		) -> DispatchResult {
			Custodians::<T>::try_mutate(custodian, |info| {
				change(info.as_mut().ok_or(Error::<T>::UnknownCustodian)?)
			})
		}

		/// A registered, active custodian.
		fn active_custodian(custodian: &T::AccountId) -> Result<CustodianOf<T>, Error<T>> {
			let info = Custodians::<T>::get(custodian).ok_or(Error::<T>::UnknownCustodian)?;
			ensure!(info.status == Status::Active, Error::<T>::CustodianNotActive);
			Ok(info)
		}

		/// The entry of `record`, unless missing or erased.
		fn live_entry(record: RecordId) -> Result<ArchiveEntryOf<T>, Error<T>> {
			let entry = Archives::<T>::get(record).ok_or(Error::<T>::NoArchive)?;
			ensure!(entry.state != EntryState::Erased, Error::<T>::ArchiveErased);
			Ok(entry)
		}

		/// Invariants: the custodian count matches the map and every endpoint is non-empty;
		/// every live entry has a valid layout, `n` distinct custodians, a root that is both the
		/// codec root of its commitments and the record anchor's commitment, at least `k` held
		/// pieces and a state that matches its pieces; an erased entry has no pieces, keeps the
		/// anchor's root, and its anchor is marked erased; archive ids, entries and deposits
		/// match one to one.
		#[cfg(any(test, feature = "try-runtime"))]
		pub fn do_try_state() -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
			let mut counted = 0u32;
			for (_, custodian) in Custodians::<T>::iter() {
				ensure!(!custodian.endpoint.is_empty(), "custodian with an empty endpoint");
				counted = counted.saturating_add(1);
			}
			ensure!(counted == CustodianCount::<T>::get(), "CustodianCount out of step");

			let mut entries = 0u32;
			for (record, entry) in Archives::<T>::iter() {
				entries = entries.saturating_add(1);
				ensure!(entry.version == ehr_archive_codec::VERSION, "unknown codec version");
				ensure!(
					T::Records::commitment(record) == Some(entry.root),
					"root differs from the record's commitment"
				);
				ensure!(
					ArchiveIds::<T>::get(entry.archive_id) == Some(record),
					"archive id not indexed"
				);
				ensure!(Deposits::<T>::contains_key(record), "archive entry without a deposit");
				ensure!(
					(entry.state == EntryState::Erased) == T::Records::is_erased(record),
					"entry and anchor disagree on erasure"
				);
				if entry.state == EntryState::Erased {
					ensure!(entry.pieces.is_empty(), "erased entry that keeps pieces");
					continue;
				}
				ensure!(
					ehr_archive_codec::Layout::new(
						entry.payload_len,
						entry.segment_size,
						entry.k,
						entry.pieces.len()
					)
					.is_ok(),
					"archive entry with an invalid layout"
				);
				let mut custodians: Vec<_> = entry.pieces.iter().map(|p| &p.custodian).collect();
				custodians.sort();
				ensure!(
					custodians.windows(2).all(|w| w[0] != w[1]),
					"a custodian keeps two pieces of one record"
				);
				let (patient, _) =
					T::Records::patient_and_author(record).ok_or("entry without a record")?;
				let codec_id = Self::codec_record_id(&entry.archive_id, &patient);
				ensure!(entry.commitments().root(&codec_id) == entry.root, "root mismatch");
				ensure!(entry.held() >= u32::from(entry.k), "fewer than k pieces held");
				ensure!(entry.state == entry.live_state(), "entry state does not match its pieces");
			}
			ensure!(
				Deposits::<T>::iter().count() == entries as usize,
				"Deposits out of step with Archives"
			);
			let ids = ArchiveIds::<T>::iter().count();
			ensure!(ids == entries as usize, "ArchiveIds out of step with Archives");
			Ok(())
		}
	}
}

/// The archive half of `EhrAccess::add_record`: the new record's archive is checked and stored
/// in the same transaction as its anchor, so a record never exists without its archive.
impl<T: Config> pallet_ehr_access::RecordArchive<T::AccountId> for Pallet<T> {
	type Submission = ArchiveSubmissionOf<T>;

	fn anchor(
		record: RecordId,
		patient: &T::AccountId,
		author: &T::AccountId,
		archive: Self::Submission,
	) -> Result<pallet_ehr_access::Archived, polkadot_sdk::sp_runtime::DispatchError> {
		Self::anchor(record, patient, author, archive)
	}

	fn anchor_weight(archive: &Self::Submission) -> polkadot_sdk::frame_support::weights::Weight {
		use polkadot_sdk::frame_support::traits::Get;
		// With the read of `MinRedundancy`, which the benchmark was measured without.
		T::WeightInfo::anchor(archive.pieces.len() as u32)
			.saturating_add(T::DbWeight::get().reads(1))
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_submission(
		patient: &T::AccountId,
		author: &T::AccountId,
		pieces: u32,
	) -> Result<Self::Submission, polkadot_sdk::sp_runtime::DispatchError> {
		benchmarking::submission::<T>(patient, author, pieces)
			.map_err(|_| polkadot_sdk::sp_runtime::DispatchError::Other("benchmark archive"))
	}
}

/// The runtime's benchmark helper: records and guardians made through ehr-access's own calls.
#[cfg(feature = "runtime-benchmarks")]
impl<T: pallet_ehr_access::Config> BenchmarkHelper<T::AccountId> for pallet_ehr_access::Pallet<T> {
	fn record(
		patient: &T::AccountId,
		pieces: u32,
	) -> Result<RecordId, polkadot_sdk::sp_runtime::DispatchError> {
		use polkadot_sdk::{
			frame_support::traits::{
				fungible::{Inspect, Mutate},
				Get,
			},
			frame_system::RawOrigin,
			sp_runtime::Saturating,
		};
		if !pallet_ehr_access::Patients::<T>::contains_key(patient) {
			let unit = T::PatientDeposit::get()
				.saturating_add(T::RecordDeposit::get())
				.saturating_add(T::GuardianDeposit::get())
				.saturating_add(T::Currency::minimum_balance());
			T::Currency::set_balance(patient, unit.saturating_mul(64u32.into()));
			Self::register_patient(RawOrigin::Signed(patient.clone()).into())?;
		}
		let record = pallet_ehr_access::NextRecordId::<T>::get();
		let archive =
			<T::Archive as pallet_ehr_access::RecordArchive<T::AccountId>>::benchmark_submission(
				patient, patient, pieces,
			)?;
		Self::add_record(
			RawOrigin::Signed(patient.clone()).into(),
			patient.clone(),
			pallet_ehr_access::Category::Condition,
			None,
			archive,
		)
		.map_err(|e| e.error)?;
		Ok(record)
	}

	fn guardian(
		patient: &T::AccountId,
		guardian: &T::AccountId,
	) -> Result<(), polkadot_sdk::sp_runtime::DispatchError> {
		Self::add_guardian(
			polkadot_sdk::frame_system::RawOrigin::Signed(patient.clone()).into(),
			guardian.clone(),
		)
	}
}
