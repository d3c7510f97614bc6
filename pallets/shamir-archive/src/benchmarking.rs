//! Benchmarks for `pallet_shamir_archive`. Each sets up the worst case of its call: longest
//! endpoints, and for the archive calls `n = MaxPieces` pieces with every receipt verified.
use super::*;
use crate::Pallet as ShamirArchive;
use alloc::{vec, vec::Vec};
use polkadot_sdk::{
	frame_benchmarking::v2::*,
	frame_support::traits::{Consideration, EnsureOrigin, Footprint, Get},
	frame_system::RawOrigin,
	sp_core::sr25519,
	sp_runtime::traits::Saturating,
};

fn longest_endpoint<T: Config>() -> Vec<u8> {
	vec![b'e'; T::MaxEndpointLen::get() as usize]
}

fn registrar<T: Config>() -> Result<T::RuntimeOrigin, BenchmarkError> {
	T::RegistrarOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)
}

/// A new receipt key in the keystore, as a custodian node makes one.
fn receipt_key() -> sr25519::Public {
	polkadot_sdk::sp_io::crypto::sr25519_generate(RECEIPT_KEY_TYPE, None)
}

/// Custodian `index`, registered with a fresh receipt key unless it already is, and its key.
fn custodian<T: Config>(index: u32) -> Result<(T::AccountId, sr25519::Public), BenchmarkError> {
	let who: T::AccountId = account("custodian", index, 0);
	if let Some(info) = Custodians::<T>::get(&who) {
		return Ok((who, info.receipt_key));
	}
	let key = receipt_key();
	ShamirArchive::<T>::register_custodian(
		registrar::<T>()?,
		who.clone(),
		longest_endpoint::<T>(),
		[7u8; 32],
		key,
	)?;
	Ok((who, key))
}

/// `key`'s receipt for piece `index` of the write `of`, kept by `custodian`, valid for 100
/// blocks from now (so that it is checked in full, expiry and signature).
fn receipt<T: Config>(
	key: &sr25519::Public,
	of: ReceiptFor<'_, T::AccountId>,
	index: u8,
	hash: PieceHash,
	custodian: &T::AccountId,
) -> Result<Receipt<BlockNumberFor<T>>, BenchmarkError> {
	let valid_until = polkadot_sdk::frame_system::Pallet::<T>::block_number()
		.saturating_add(BlockNumberFor::<T>::from(100u32));
	let payload =
		ShamirArchive::<T>::receipt_message(of, (index, hash), custodian.clone(), valid_until)
			.payload();
	let signature = polkadot_sdk::sp_io::crypto::sr25519_sign(RECEIPT_KEY_TYPE, key, &payload)
		.ok_or(BenchmarkError::Stop("no receipt key in the keystore"))?;
	Ok(Receipt { signature, valid_until })
}

/// The archive id of the benchmarks' archives: a new one for each archive made.
fn next_archive_id<T: Config>() -> ArchiveId {
	let mut id = [0xa5; 32];
	id[..8].copy_from_slice(&(ArchiveIds::<T>::iter().count() as u64).to_le_bytes());
	id
}

/// A valid archive of `n` pieces, every receipt given, for a new record of `patient` by
/// `author`, who is funded for its largest deposit; custodians `0..n` are registered.
pub(crate) fn submission<T: Config>(
	patient: &T::AccountId,
	author: &T::AccountId,
	n: u32,
) -> Result<ArchiveSubmissionOf<T>, BenchmarkError> {
	let archive_id = next_archive_id::<T>();
	let header = CommitmentsHeader {
		version: ehr_archive_codec::VERSION,
		threshold: 1,
		payload_len: 1 << 20,
		segment_size: ehr_archive_codec::SEGMENT_SIZE,
	};
	// Funds for the largest deposit an entry can take.
	let largest = <ArchiveEntryOf<T> as codec::MaxEncodedLen>::max_encoded_len().saturating_add(64);
	T::Consideration::ensure_successful(author, Footprint::from_parts(1, largest));
	let write = ReceiptFor { patient, author, archive_id };
	let mut pieces = Vec::new();
	for i in 0..n {
		let hash = [i as u8; 32];
		let (custodian, key) = custodian::<T>(i)?;
		let receipt = Some(receipt::<T>(&key, write, i as u8, hash, &custodian)?);
		pieces.push(PieceSubmission { custodian, hash, receipt });
	}
	let pieces = pieces.try_into().map_err(|_| BenchmarkError::Stop("more than MaxPieces"))?;
	Ok(ArchiveSubmission { archive_id, header, pieces })
}

/// A record of a patient, archived with `MaxPieces` pieces, every one held: the record and
/// its patient.
fn anchored<T: Config>() -> Result<(RecordId, T::AccountId), BenchmarkError> {
	let patient: T::AccountId = account("patient", 0, 0);
	let record = T::BenchmarkHelper::record(&patient, T::MaxPieces::get())?;
	Ok((record, patient))
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn register_custodian() -> Result<(), BenchmarkError> {
		let origin = registrar::<T>()?;
		let custodian: T::AccountId = account("custodian", 0, 0);

		#[extrinsic_call]
		_(
			origin as T::RuntimeOrigin,
			custodian.clone(),
			longest_endpoint::<T>(),
			[7u8; 32],
			receipt_key(),
		);

		assert!(Custodians::<T>::contains_key(&custodian));
		Ok(())
	}

	#[benchmark]
	fn set_custodian_status() -> Result<(), BenchmarkError> {
		let (custodian, _) = custodian::<T>(0)?;

		#[extrinsic_call]
		_(registrar::<T>()? as T::RuntimeOrigin, custodian.clone(), Status::Suspended);

		assert_eq!(Custodians::<T>::get(&custodian).map(|c| c.status), Some(Status::Suspended));
		Ok(())
	}

	#[benchmark]
	fn remove_custodian() -> Result<(), BenchmarkError> {
		let (custodian, _) = custodian::<T>(0)?;

		#[extrinsic_call]
		_(registrar::<T>()? as T::RuntimeOrigin, custodian.clone());

		assert!(!Custodians::<T>::contains_key(&custodian));
		Ok(())
	}

	#[benchmark]
	fn update_custodian() -> Result<(), BenchmarkError> {
		let (custodian, _) = custodian::<T>(0)?;
		let key = receipt_key();

		#[extrinsic_call]
		_(RawOrigin::Signed(custodian.clone()), longest_endpoint::<T>(), [8u8; 32], key);

		assert_eq!(Custodians::<T>::get(&custodian).map(|c| c.receipt_key), Some(key));
		Ok(())
	}

	/// The archive half of `EhrAccess::add_record`, which adds this weight to its own.
	#[benchmark]
	fn anchor(n: Linear<1, { T::MaxPieces::get() }>) -> Result<(), BenchmarkError> {
		let patient: T::AccountId = account("patient", 0, 0);
		let author: T::AccountId = account("author", 0, 0);
		let archive = submission::<T>(&patient, &author, n)?;
		let record = RecordId::MAX;

		#[block]
		{
			ShamirArchive::<T>::anchor(record, &patient, &author, archive)?;
		}

		assert_eq!(Archives::<T>::get(record).map(|e| e.held()), Some(n));
		assert!(Deposits::<T>::contains_key(record));
		Ok(())
	}

	/// The last piece's custodian is suspended (one more read than a missing piece), and the
	/// new custodian is checked against every other piece.
	#[benchmark]
	fn repair_piece() -> Result<(), BenchmarkError> {
		let (record, patient) = anchored::<T>()?;
		let entry = Archives::<T>::get(record).ok_or(BenchmarkError::Stop("not anchored"))?;
		let last = T::MaxPieces::get().saturating_sub(1);
		let index = last as u8;
		let piece = entry.pieces[last as usize].clone();
		ShamirArchive::<T>::set_custodian_status(
			registrar::<T>()?,
			piece.custodian,
			Status::Suspended,
		)?;
		let (new, key) = custodian::<T>(last.saturating_add(1))?;
		// The benchmark helper writes records as their patient.
		let write =
			ReceiptFor { patient: &patient, author: &patient, archive_id: entry.archive_id };
		let new_receipt = receipt::<T>(&key, write, index, piece.hash, &new)?;
		let caller: T::AccountId = whitelisted_caller();

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), record, index, new.clone(), new_receipt);

		assert_eq!(
			Archives::<T>::get(record).map(|e| e.pieces[last as usize].custodian.clone()),
			Some(new)
		);
		Ok(())
	}

	/// Erasure by a guardian (one more read than by the patient) of `MaxPieces` pieces; the
	/// deposit shrinks to the tombstone's and the anchor is marked erased.
	#[benchmark]
	fn erase() -> Result<(), BenchmarkError> {
		let (record, patient) = anchored::<T>()?;
		let guardian: T::AccountId = account("guardian", 0, 0);
		T::BenchmarkHelper::guardian(&patient, &guardian)?;

		#[extrinsic_call]
		_(RawOrigin::Signed(guardian), record);

		assert_eq!(Archives::<T>::get(record).map(|e| e.state), Some(EntryState::Erased));
		assert!(T::Records::is_erased(record));
		Ok(())
	}

	impl_benchmark_test_suite!(ShamirArchive, crate::mock::new_test_ext(), crate::mock::Test);
}
