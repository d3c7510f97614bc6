//! # Shamir archive pallet
//!
//! The on-chain half of ehr-chain's record archive. A record's payload never touches the chain:
//! the client encrypts it, erasure-codes the ciphertext and Shamir-shares the key, and each of
//! `n` **custodian** nodes keeps one piece. This pallet keeps the public facts that let anyone
//! find and check those pieces: who the custodians are, where they listen, and which X25519 key
//! readers encrypt their requests to.
//!
//! No personal health information is stored here: a custodian is an account, a network endpoint
//! and a public key.
//!
//! ## Calls
//! - [`Pallet::register_custodian`]: the registrar admits a custodian node.
//! - [`Pallet::set_custodian_status`]: the registrar suspends or reinstates a custodian.
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod weights;
pub use weights::WeightInfo;

#[polkadot_sdk::frame_support::pallet]
pub mod pallet {
	use super::WeightInfo;
	use alloc::vec::Vec;
	use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
	use polkadot_sdk::{
		frame_support::{pallet_prelude::*, traits::EnsureOrigin},
		frame_system::pallet_prelude::*,
	};
	use scale_info::TypeInfo;

	/// Whether a custodian may take new pieces and serve reads.
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
	pub enum CustodianStatus {
		/// Takes pieces and serves reads.
		Active,
		/// Barred by the registrar: clients must not send it pieces, and its pieces are due for
		/// repair onto another custodian.
		Suspended,
	}

	/// A registered custodian node.
	#[derive(
		Clone, Encode, Decode, DecodeWithMemTracking, Eq, PartialEq, Debug, TypeInfo, MaxEncodedLen,
	)]
	#[scale_info(skip_type_params(MaxEndpointLen))]
	pub struct Custodian<BlockNumber, MaxEndpointLen: Get<u32>> {
		/// Where the custody service answers, e.g. `ws://10.0.0.5:9944` (UTF-8).
		pub endpoint: BoundedVec<u8, MaxEndpointLen>,
		/// The X25519 public key that custody answers are encrypted with.
		pub x25519_public: [u8; 32],
		/// Whether the custodian is active.
		pub status: CustodianStatus,
		/// The block it was registered at.
		pub registered_at: BlockNumber,
	}

	/// The stored form of a custodian in this runtime.
	pub type CustodianOf<T> = Custodian<BlockNumberFor<T>, <T as Config>::MaxEndpointLen>;

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: polkadot_sdk::frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// Who admits and suspends custodians (root, or a council, in a real deployment).
		type RegistrarOrigin: EnsureOrigin<Self::RuntimeOrigin>;
		/// Longest custody endpoint, in bytes.
		#[pallet::constant]
		type MaxEndpointLen: Get<u32>;
		/// Weights of this pallet's calls, from its benchmarks.
		type WeightInfo: WeightInfo;
	}

	/// Custodian nodes by their account.
	#[pallet::storage]
	pub type Custodians<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, CustodianOf<T>, OptionQuery>;

	/// How many custodians are registered, active or not.
	#[pallet::storage]
	pub type CustodianCount<T: Config> = StorageValue<_, u32, ValueQuery>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A custodian node was admitted.
		CustodianRegistered { custodian: T::AccountId, endpoint: BoundedVec<u8, T::MaxEndpointLen> },
		/// A custodian was suspended or reinstated.
		CustodianStatusChanged { custodian: T::AccountId, status: CustodianStatus },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The account is already a custodian.
		AlreadyCustodian,
		/// The account is not a custodian.
		UnknownCustodian,
		/// The endpoint is empty or longer than `MaxEndpointLen`.
		BadEndpoint,
		/// The custodian already has that status.
		StatusUnchanged,
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Admit `custodian` as a custody node that listens on `endpoint` and encrypts its
		/// answers with `x25519_public`.
		///
		/// Origin: `RegistrarOrigin`. Emits `CustodianRegistered`.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::register_custodian())]
		pub fn register_custodian(
			origin: OriginFor<T>,
			custodian: T::AccountId,
			endpoint: Vec<u8>,
			x25519_public: [u8; 32],
		) -> DispatchResult {
			T::RegistrarOrigin::ensure_origin(origin)?;
			ensure!(!Custodians::<T>::contains_key(&custodian), Error::<T>::AlreadyCustodian);
			ensure!(!endpoint.is_empty(), Error::<T>::BadEndpoint);
			let endpoint: BoundedVec<u8, T::MaxEndpointLen> =
				endpoint.try_into().map_err(|_| Error::<T>::BadEndpoint)?;
			Custodians::<T>::insert(
				&custodian,
				Custodian {
					endpoint: endpoint.clone(),
					x25519_public,
					status: CustodianStatus::Active,
					registered_at: polkadot_sdk::frame_system::Pallet::<T>::block_number(),
				},
			);
			CustodianCount::<T>::mutate(|count| *count = count.saturating_add(1));
			Self::deposit_event(Event::CustodianRegistered { custodian, endpoint });
			Ok(())
		}

		/// Suspend or reinstate `custodian`.
		///
		/// Origin: `RegistrarOrigin`. Emits `CustodianStatusChanged`.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::set_custodian_status())]
		pub fn set_custodian_status(
			origin: OriginFor<T>,
			custodian: T::AccountId,
			status: CustodianStatus,
		) -> DispatchResult {
			T::RegistrarOrigin::ensure_origin(origin)?;
			Custodians::<T>::try_mutate(&custodian, |entry| -> DispatchResult {
				let entry = entry.as_mut().ok_or(Error::<T>::UnknownCustodian)?;
				ensure!(entry.status != status, Error::<T>::StatusUnchanged);
				entry.status = status;
				Ok(())
			})?;
			Self::deposit_event(Event::CustodianStatusChanged { custodian, status });
			Ok(())
		}
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		#[cfg(feature = "try-runtime")]
		fn try_state(
			_n: BlockNumberFor<T>,
		) -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	impl<T: Config> Pallet<T> {
		/// The count matches the map, and no endpoint is empty.
		#[cfg(any(test, feature = "try-runtime"))]
		pub fn do_try_state() -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
			let mut counted = 0u32;
			for (_, custodian) in Custodians::<T>::iter() {
				ensure!(!custodian.endpoint.is_empty(), "custodian with an empty endpoint");
				counted = counted.saturating_add(1);
			}
			ensure!(counted == CustodianCount::<T>::get(), "CustodianCount out of step");
			Ok(())
		}
	}
}
