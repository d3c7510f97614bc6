//! How the archive pallet and this one meet: the archive of a new record is checked and stored
//! by [`RecordArchive`] in the same call as the record ([`Pallet::add_record`]), and the archive
//! pallet reads and marks records through [`ArchiveSlot`].
use crate::*;
use polkadot_sdk::frame_support::pallet_prelude::*;

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
