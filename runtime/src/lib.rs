//! # ehr-runtime
//!
//! The FRAME runtime of ehr-chain. Besides the usual solo-chain pallets (Aura block authoring,
//! GRANDPA finality, balances and fees, and sudo, whose key only the `development` preset sets)
//! it holds:
//!
//! - `Registrars`: a `pallet-collective` of hospital administrators, two thirds of whom act as the
//!   registrar (hospitals, custodians, the archive's minimum redundancy); no single key can;
//! - `EhrAccess`: hospitals, doctors, patients, consent, record anchors and audited access;
//! - `ShamirArchive`: custodian nodes and the commitments of records dispersed among them;
//! - `Contracts`: `pallet-contracts`, so that hospitals and patients can deploy policy contracts
//!   (ink!) that refine access decisions. Contracts may not dispatch runtime calls
//!   (`CallFilter = Nothing`) and pay storage deposits, so they cannot bypass `EhrAccess`.
//!
//! No personal health information is ever stored on chain: see the pallets' docs.
#![cfg_attr(not(feature = "std"), no_std)]
// `#[frame_support::runtime]` expands to deeply nested types.
#![recursion_limit = "256"]

#[cfg(feature = "std")]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

extern crate alloc;

use alloc::vec::Vec;

// Before `apis`, whose benchmark API uses the macros it defines.
#[cfg(feature = "runtime-benchmarks")]
#[macro_use]
mod benchmarks;
mod apis;
mod configs;
pub mod genesis_config_presets;

use polkadot_sdk::{
	sp_runtime::{
		generic, impl_opaque_keys,
		traits::{BlakeTwo256, IdentifyAccount, Verify},
		MultiAddress, MultiSignature,
	},
	sp_version::RuntimeVersion,
	*,
};

pub use apis::RuntimeApi;
pub use pallet_ehr_access;
pub use pallet_shamir_archive;

/// Opaque types for the node: it handles blocks and extrinsics without knowing their content.
pub mod opaque {
	use super::*;
	pub use polkadot_sdk::sp_runtime::OpaqueExtrinsic as UncheckedExtrinsic;

	/// Opaque block header type.
	pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
	/// Opaque block type.
	pub type Block = generic::Block<Header, UncheckedExtrinsic>;
	/// Opaque block hash type.
	pub type Hash = <BlakeTwo256 as polkadot_sdk::sp_runtime::traits::Hash>::Output;
}

impl_opaque_keys! {
	/// The keys a validator registers: Aura for authoring, GRANDPA for finality.
	pub struct SessionKeys {
		pub aura: Aura,
		pub grandpa: Grandpa,
	}
}

/// The runtime's version, read by nodes and clients to decide compatibility.
#[sp_version::runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
	spec_name: alloc::borrow::Cow::Borrowed("ehr-runtime"),
	impl_name: alloc::borrow::Cow::Borrowed("ehr-runtime"),
	authoring_version: 1,
	spec_version: 100,
	impl_version: 1,
	apis: apis::RUNTIME_API_VERSIONS,
	transaction_version: 1,
	system_version: 1,
};

/// Target block time of the Aura + GRANDPA network; `--dev` seals blocks on demand instead.
pub const MILLISECS_PER_BLOCK: u64 = 6000;
/// Aura slot length. It cannot change once a chain has started.
pub const SLOT_DURATION: u64 = MILLISECS_PER_BLOCK;

/// Blocks per minute, hour and day at the target block time.
pub const MINUTES: BlockNumber = 60_000 / (MILLISECS_PER_BLOCK as BlockNumber);
pub const HOURS: BlockNumber = MINUTES * 60;
pub const DAYS: BlockNumber = HOURS * 24;

/// The token: 12 decimals, shown as `EHR`.
pub const TOKEN_SYMBOL: &str = "EHR";
pub const TOKEN_DECIMALS: u8 = 12;
pub const UNIT: Balance = 1_000_000_000_000;
pub const MILLI_UNIT: Balance = 1_000_000_000;
pub const MICRO_UNIT: Balance = 1_000_000;
/// Below this balance an account is reaped.
pub const EXISTENTIAL_DEPOSIT: Balance = MILLI_UNIT;
/// SS58 address prefix: 42, the generic Substrate prefix, until we register our own.
pub const SS58_PREFIX: u16 = 42;

/// Signature of a transaction.
pub type Signature = MultiSignature;
/// An account: the public key of the signing scheme.
pub type AccountId = <<Signature as Verify>::Signer as IdentifyAccount>::AccountId;
/// A balance.
pub type Balance = u128;
/// Transaction counter of an account.
pub type Nonce = u32;
/// A block hash.
pub type Hash = sp_core::H256;
/// A block number.
pub type BlockNumber = u32;
/// The address format for describing accounts.
pub type Address = MultiAddress<AccountId, ()>;
/// Block header type.
pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
/// Block type.
pub type Block = generic::Block<Header, UncheckedExtrinsic>;
/// Block type whose extrinsics are decoded lazily.
pub type LazyBlock = generic::LazyBlock<Header, UncheckedExtrinsic>;
/// The checks every signed transaction goes through.
pub type TxExtension = (
	frame_system::AuthorizeCall<Runtime>,
	frame_system::CheckNonZeroSender<Runtime>,
	frame_system::CheckSpecVersion<Runtime>,
	frame_system::CheckTxVersion<Runtime>,
	frame_system::CheckGenesis<Runtime>,
	frame_system::CheckEra<Runtime>,
	frame_system::CheckNonce<Runtime>,
	frame_system::CheckWeight<Runtime>,
	pallet_transaction_payment::ChargeTransactionPayment<Runtime>,
	frame_system::WeightReclaim<Runtime>,
);
/// An extrinsic as this runtime decodes it.
pub type UncheckedExtrinsic =
	generic::UncheckedExtrinsic<Address, RuntimeCall, Signature, TxExtension>;
/// The payload signed by transaction authors.
pub type SignedPayload = generic::SignedPayload<RuntimeCall, TxExtension>;
/// Dispatches blocks and extrinsics to the pallets.
pub type Executive = frame_executive::Executive<
	Runtime,
	Block,
	frame_system::ChainContext<Runtime>,
	Runtime,
	AllPalletsWithSystem,
>;

#[frame_support::runtime]
mod runtime {
	#[runtime::runtime]
	#[runtime::derive(
		RuntimeCall,
		RuntimeEvent,
		RuntimeError,
		RuntimeOrigin,
		RuntimeFreezeReason,
		RuntimeHoldReason,
		RuntimeSlashReason,
		RuntimeLockId,
		RuntimeTask,
		RuntimeViewFunction
	)]
	pub struct Runtime;

	#[runtime::pallet_index(0)]
	pub type System = frame_system;
	#[runtime::pallet_index(1)]
	pub type Timestamp = pallet_timestamp;
	#[runtime::pallet_index(2)]
	pub type Aura = pallet_aura;
	#[runtime::pallet_index(3)]
	pub type Grandpa = pallet_grandpa;
	#[runtime::pallet_index(4)]
	pub type Balances = pallet_balances;
	#[runtime::pallet_index(5)]
	pub type TransactionPayment = pallet_transaction_payment;
	#[runtime::pallet_index(6)]
	pub type Sudo = pallet_sudo;
	#[runtime::pallet_index(7)]
	pub type RandomnessCollectiveFlip = pallet_insecure_randomness_collective_flip;
	#[runtime::pallet_index(8)]
	pub type Contracts = pallet_contracts;
	#[runtime::pallet_index(9)]
	pub type Registrars = pallet_collective;

	#[runtime::pallet_index(20)]
	pub type EhrAccess = pallet_ehr_access;
	#[runtime::pallet_index(21)]
	pub type ShamirArchive = pallet_shamir_archive;
}
