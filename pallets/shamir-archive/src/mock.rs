//! A minimal runtime for the pallet's tests and benchmark tests: System, Balances, EhrAccess,
//! ShamirArchive, with an in-memory keystore so that tests sign receipts as nodes do.
use crate as pallet_shamir_archive;
use polkadot_sdk::{
	frame_support::{
		derive_impl, parameter_types,
		traits::{fungible::HoldConsideration, ConstU32, ConstU64, LinearStoragePrice},
	},
	frame_system::{self, EnsureRoot},
	pallet_balances, sp_io,
	sp_keystore::{testing::MemoryKeystore, KeystoreExt},
	sp_runtime::BuildStorage,
};

type Block = frame_system::mocking::MockBlock<Test>;

#[polkadot_sdk::frame_support::runtime]
mod runtime {
	#[runtime::runtime]
	#[runtime::derive(
		RuntimeCall,
		RuntimeEvent,
		RuntimeError,
		RuntimeOrigin,
		RuntimeTask,
		RuntimeHoldReason,
		RuntimeFreezeReason
	)]
	pub struct Test;

	#[runtime::pallet_index(0)]
	pub type System = frame_system;
	#[runtime::pallet_index(1)]
	pub type Balances = pallet_balances;
	#[runtime::pallet_index(2)]
	pub type EhrAccess = pallet_ehr_access;
	#[runtime::pallet_index(3)]
	pub type ShamirArchive = pallet_shamir_archive;
}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<u64>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type AccountStore = System;
}

parameter_types! {
	pub const Deposit: u64 = 1;
}

impl pallet_ehr_access::Config for Test {
	type RegistrarOrigin = EnsureRoot<u64>;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Currency = Balances;
	type PatientDeposit = Deposit;
	type ProposalDeposit = Deposit;
	type GuardianDeposit = Deposit;
	type GrantDeposit = Deposit;
	type RecordDeposit = Deposit;
	type DoctorDeposit = Deposit;
	type MaxProfileFieldLen = ConstU32<32>;
	type MaxSpecialities = ConstU32<2>;
	type MaxGuardians = ConstU32<2>;
	type MaxGrantsPerPatient = ConstU32<4>;
	type MaxScopeRecords = ConstU32<4>;
	type MaxRecordsPerPatient = ConstU32<64>;
	type MaxTicketsPerReader = ConstU32<4>;
	type TicketLifetime = ConstU64<5>;
	type EmergencyDuration = ConstU64<5>;
	type MaxEmergenciesPerDoctor = ConstU32<2>;
	type MaxEmergenciesPerPeriod = ConstU32<4>;
	type EmergencyRatePeriod = ConstU64<20>;
	type EmergencyCooldown = ConstU64<10>;
	// Above the records per patient: the archive's tests are not about the write rate.
	type MaxWritesPerPeriod = ConstU32<64>;
	type WriteRatePeriod = ConstU64<10>;
	type Archive = ShamirArchive;
	type WeightInfo = ();
}

/// Small bounds, so that tests reach them.
pub const MAX_ENDPOINT: u32 = 32;
pub const MAX_PIECES: u32 = 8;
/// An archive entry's deposit: this much, plus one per byte stored.
pub const ARCHIVE_DEPOSIT_BASE: u64 = 100;

parameter_types! {
	pub const ArchiveHoldReason: RuntimeHoldReason =
		RuntimeHoldReason::ShamirArchive(pallet_shamir_archive::HoldReason::ArchiveEntry);
}

/// The deposit of an archive entry: a hold in `Balances`, priced by its footprint.
pub type ArchiveDeposit = HoldConsideration<
	u64,
	Balances,
	ArchiveHoldReason,
	LinearStoragePrice<ConstU64<ARCHIVE_DEPOSIT_BASE>, ConstU64<1>, u64>,
>;

impl pallet_shamir_archive::Config for Test {
	type RegistrarOrigin = EnsureRoot<u64>;
	type Records = EhrAccess;
	type MaxEndpointLen = ConstU32<MAX_ENDPOINT>;
	type MaxPieces = ConstU32<MAX_PIECES>;
	type Consideration = ArchiveDeposit;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = EhrAccess;
}

/// Externalities at block 1 (so that events are recorded), with accounts 1..=99 funded and an
/// in-memory keystore for receipt keys.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: (1..100).map(|who| (who, 1_000_000)).collect(),
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.register_extension(KeystoreExt::new(MemoryKeystore::new()));
	ext.execute_with(|| System::set_block_number(1));
	ext
}
