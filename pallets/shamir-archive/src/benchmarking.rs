//! Benchmarks for `pallet_shamir_archive`. Each sets up the worst case of its call: longest
//! endpoints, and for the archive calls `n = MaxPieces` pieces with every receipt verified.
use super::*;
use crate::Pallet as ShamirArchive;
use alloc::{vec, vec::Vec};
use polkadot_sdk::{
	frame_benchmarking::v2::*,
	frame_support::{
		traits::{Consideration, EnsureOrigin, Footprint, Get},
		BoundedVec,
	},
	frame_system::RawOrigin,
	sp_core::sr25519,
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

/// Register custodian `index` with a fresh receipt key.
fn custodian<T: Config>(index: u32) -> Result<(T::AccountId, sr25519::Public), BenchmarkError> {
	let who: T::AccountId = account("custodian", index, 0);
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

/// `key`'s receipt for piece `index` of `archive_id` of `patient`, kept by `custodian`.
fn receipt<T: Config>(
	key: &sr25519::Public,
	patient: &T::AccountId,
	archive_id: ArchiveId,
	index: u8,
	hash: PieceHash,
	custodian: &T::AccountId,
) -> Result<sr25519::Signature, BenchmarkError> {
	let payload = ShamirArchive::<T>::receipt_message(
		patient.clone(),
		archive_id,
		index,
		hash,
		custodian.clone(),
	)
	.payload();
	polkadot_sdk::sp_io::crypto::sr25519_sign(RECEIPT_KEY_TYPE, key, &payload)
		.ok_or(BenchmarkError::Stop("no receipt key in the keystore"))
}

fn bounded<V>(_: V) -> BenchmarkError {
	BenchmarkError::Stop("more than MaxPieces")
}

/// Everything `anchor_archive` takes for an archive of `n` pieces with every receipt given.
struct Anchoring<T: Config> {
	patient: T::AccountId,
	record: RecordId,
	archive_id: ArchiveId,
	header: CommitmentsHeader,
	hashes: BoundedVec<PieceHash, T::MaxPieces>,
	custodians: BoundedVec<T::AccountId, T::MaxPieces>,
	receipts: BoundedVec<Option<sr25519::Signature>, T::MaxPieces>,
}

fn anchoring<T: Config>(n: u32) -> Result<Anchoring<T>, BenchmarkError> {
	let patient: T::AccountId = account("patient", 0, 0);
	let archive_id = [0xa5; 32];
	let header = CommitmentsHeader {
		version: ehr_archive_codec::VERSION,
		threshold: 1,
		payload_len: 1 << 20,
		segment_size: ehr_archive_codec::SEGMENT_SIZE,
	};
	let hashes: Vec<PieceHash> = (0..n).map(|i| [i as u8; 32]).collect();
	let commitments = ehr_archive_codec::Commitments {
		version: ehr_archive_codec::Version::V1,
		threshold: header.threshold,
		payload_len: header.payload_len,
		segment_size: header.segment_size,
		piece_hashes: hashes.clone(),
	};
	let record = T::BenchmarkHelper::record(&patient, commitments.root(&archive_id))?;
	// Funds for the largest deposit an entry can take.
	let largest = <ArchiveEntryOf<T> as codec::MaxEncodedLen>::max_encoded_len().saturating_add(64);
	T::Consideration::ensure_successful(&patient, Footprint::from_parts(1, largest));
	let mut custodians = Vec::new();
	let mut receipts = Vec::new();
	for (i, hash) in hashes.iter().enumerate() {
		let (who, key) = custodian::<T>(i as u32)?;
		receipts.push(Some(receipt::<T>(&key, &patient, archive_id, i as u8, *hash, &who)?));
		custodians.push(who);
	}
	Ok(Anchoring {
		patient,
		record,
		archive_id,
		header,
		hashes: hashes.try_into().map_err(bounded)?,
		custodians: custodians.try_into().map_err(bounded)?,
		receipts: receipts.try_into().map_err(bounded)?,
	})
}

/// An anchored archive of `MaxPieces` pieces, every one held.
fn anchored<T: Config>() -> Result<Anchoring<T>, BenchmarkError> {
	let a = anchoring::<T>(T::MaxPieces::get())?;
	ShamirArchive::<T>::anchor_archive(
		RawOrigin::Signed(a.patient.clone()).into(),
		a.record,
		a.archive_id,
		a.header,
		a.hashes.clone(),
		a.custodians.clone(),
		a.receipts.clone(),
	)?;
	Ok(a)
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

	#[benchmark]
	fn anchor_archive(n: Linear<1, { T::MaxPieces::get() }>) -> Result<(), BenchmarkError> {
		let a = anchoring::<T>(n)?;

		#[extrinsic_call]
		_(
			RawOrigin::Signed(a.patient.clone()),
			a.record,
			a.archive_id,
			a.header,
			a.hashes,
			a.custodians,
			a.receipts,
		);

		assert_eq!(Archives::<T>::get(a.record).map(|e| e.held()), Some(n));
		assert!(Deposits::<T>::contains_key(a.record));
		Ok(())
	}

	/// The last piece's custodian is suspended (one more read than a missing piece), and the
	/// new custodian is checked against every other piece.
	#[benchmark]
	fn repair_piece() -> Result<(), BenchmarkError> {
		let a = anchored::<T>()?;
		let last = T::MaxPieces::get().saturating_sub(1);
		let index = last as u8;
		let old = a.custodians[last as usize].clone();
		ShamirArchive::<T>::set_custodian_status(registrar::<T>()?, old, Status::Suspended)?;
		let (new, key) = custodian::<T>(last.saturating_add(1))?;
		let signature =
			receipt::<T>(&key, &a.patient, a.archive_id, index, a.hashes[last as usize], &new)?;
		let caller: T::AccountId = whitelisted_caller();

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), a.record, index, new.clone(), signature);

		assert_eq!(
			Archives::<T>::get(a.record).map(|e| e.pieces[last as usize].custodian.clone()),
			Some(new)
		);
		Ok(())
	}

	/// Erasure by a guardian (one more read than by the patient) of `MaxPieces` pieces; the
	/// deposit shrinks to the tombstone's and the anchor is marked erased.
	#[benchmark]
	fn erase() -> Result<(), BenchmarkError> {
		let a = anchored::<T>()?;
		let guardian: T::AccountId = account("guardian", 0, 0);
		T::BenchmarkHelper::guardian(&a.patient, &guardian)?;

		#[extrinsic_call]
		_(RawOrigin::Signed(guardian), a.record);

		assert_eq!(Archives::<T>::get(a.record).map(|e| e.state), Some(EntryState::Erased));
		assert!(T::Records::is_erased(a.record));
		Ok(())
	}

	impl_benchmark_test_suite!(ShamirArchive, crate::mock::new_test_ext(), crate::mock::Test);
}
