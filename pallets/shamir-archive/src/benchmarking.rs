//! Benchmarks for `pallet_shamir_archive`.
use super::*;
use crate::Pallet as ShamirArchive;
use alloc::{vec, vec::Vec};
use polkadot_sdk::{
	frame_benchmarking::v2::*,
	frame_support::traits::{EnsureOrigin, Get},
	frame_system::RawOrigin,
};

fn longest_endpoint<T: Config>() -> Vec<u8> {
	vec![b'e'; T::MaxEndpointLen::get() as usize]
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn register_custodian() -> Result<(), BenchmarkError> {
		let origin =
			T::RegistrarOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let custodian: T::AccountId = account("custodian", 0, 0);

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, custodian.clone(), longest_endpoint::<T>(), [7u8; 32]);

		assert!(Custodians::<T>::contains_key(&custodian));
		Ok(())
	}

	#[benchmark]
	fn set_custodian_status() -> Result<(), BenchmarkError> {
		let origin =
			T::RegistrarOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let custodian: T::AccountId = account("custodian", 0, 0);
		ShamirArchive::<T>::register_custodian(
			origin.clone(),
			custodian.clone(),
			longest_endpoint::<T>(),
			[7u8; 32],
		)
		.map_err(|_| BenchmarkError::Stop("registration failed"))?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, custodian.clone(), CustodianStatus::Suspended);

		assert_eq!(
			Custodians::<T>::get(&custodian).map(|c| c.status),
			Some(CustodianStatus::Suspended)
		);
		Ok(())
	}

	impl_benchmark_test_suite!(ShamirArchive, crate::mock::new_test_ext(), crate::mock::Test);
}
