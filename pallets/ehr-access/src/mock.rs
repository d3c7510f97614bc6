//! A minimal runtime for the pallet's tests and benchmark tests: System, Balances, EhrAccess.
use crate as pallet_ehr_access;
use crate::{ArchiveRef, Archived, RecordId};
use codec::{Decode, DecodeWithMemTracking, Encode};
use polkadot_sdk::{
	frame_support::{
		derive_impl, parameter_types,
		traits::{ConstU32, ConstU64, Hooks},
		weights::Weight,
	},
	frame_system::{self, EnsureRoot},
	pallet_balances, sp_io,
	sp_runtime::{BuildStorage, DispatchError},
};
use scale_info::TypeInfo;

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
	pub const PatientDeposit: u64 = 10;
	pub const ProposalDeposit: u64 = 4;
	pub const GuardianDeposit: u64 = 3;
	pub const GrantDeposit: u64 = 5;
	pub const RecordDeposit: u64 = 2;
	pub const DoctorDeposit: u64 = 20;
}

/// Small bounds, so that tests reach them.
pub const MAX_FIELD: u32 = 32;
pub const MAX_SPECIALITIES: u32 = 3;
pub const MAX_GUARDIANS: u32 = 2;
pub const MAX_GRANTS: u32 = 4;
pub const MAX_SCOPE: u32 = 3;
pub const MAX_RECORDS: u32 = 6;
pub const MAX_TICKETS: u32 = 3;
pub const TICKET_LIFETIME: u64 = 5;
pub const EMERGENCY_DURATION: u64 = 8;
pub const MAX_EMERGENCIES: u32 = 2;
pub const MAX_EMERGENCIES_PER_PERIOD: u32 = 3;
pub const EMERGENCY_RATE_PERIOD: u64 = 30;
pub const EMERGENCY_COOLDOWN: u64 = 12;
pub const MAX_WRITES_PER_PERIOD: u32 = 2;
pub const WRITE_RATE_PERIOD: u64 = 10;

impl pallet_ehr_access::Config for Test {
	type RegistrarOrigin = EnsureRoot<u64>;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Currency = Balances;
	type PatientDeposit = PatientDeposit;
	type ProposalDeposit = ProposalDeposit;
	type GuardianDeposit = GuardianDeposit;
	type GrantDeposit = GrantDeposit;
	type RecordDeposit = RecordDeposit;
	type DoctorDeposit = DoctorDeposit;
	type MaxProfileFieldLen = ConstU32<MAX_FIELD>;
	type MaxSpecialities = ConstU32<MAX_SPECIALITIES>;
	type MaxGuardians = ConstU32<MAX_GUARDIANS>;
	type MaxGrantsPerPatient = ConstU32<MAX_GRANTS>;
	type MaxScopeRecords = ConstU32<MAX_SCOPE>;
	type MaxRecordsPerPatient = ConstU32<MAX_RECORDS>;
	type MaxTicketsPerReader = ConstU32<MAX_TICKETS>;
	type TicketLifetime = ConstU64<TICKET_LIFETIME>;
	type EmergencyDuration = ConstU64<EMERGENCY_DURATION>;
	type MaxEmergenciesPerDoctor = ConstU32<MAX_EMERGENCIES>;
	type MaxEmergenciesPerPeriod = ConstU32<MAX_EMERGENCIES_PER_PERIOD>;
	type EmergencyRatePeriod = ConstU64<EMERGENCY_RATE_PERIOD>;
	type EmergencyCooldown = ConstU64<EMERGENCY_COOLDOWN>;
	type MaxWritesPerPeriod = ConstU32<MAX_WRITES_PER_PERIOD>;
	type WriteRatePeriod = ConstU64<WRITE_RATE_PERIOD>;
	type Archive = TestArchive;
	type WeightInfo = ();
}

/// A record's archive as the tests submit it: its root and ciphertext size. The shamir-archive
/// pallet's own tests check real archives; here an archive either anchors as given or, with
/// root [`REFUSED_ROOT`], fails as a bad receipt would, after the record's checks passed.
#[derive(Clone, Copy, Encode, Decode, DecodeWithMemTracking, Eq, PartialEq, Debug, TypeInfo)]
pub struct Archive {
	pub root: [u8; 32],
	pub size: u64,
}

/// The archive of a record with commitment `root` and ciphertext `size`.
pub fn archive(root: [u8; 32], size: u64) -> Archive {
	Archive { root, size }
}

/// The root of an archive that [`TestArchive`] refuses.
pub const REFUSED_ROOT: [u8; 32] = [0xee; 32];

/// The archive half of `add_record` in the tests: stores nothing, holds nothing.
pub struct TestArchive;

impl pallet_ehr_access::RecordArchive<u64> for TestArchive {
	type Submission = Archive;

	fn anchor(
		record: RecordId,
		_patient: &u64,
		_author: &u64,
		archive: Archive,
	) -> Result<Archived, DispatchError> {
		if archive.root == REFUSED_ROOT {
			return Err(DispatchError::Other("archive refused"));
		}
		Ok(Archived {
			archive: ArchiveRef { entry: record, k: 1, n: 1, root: archive.root },
			size: archive.size,
		})
	}

	fn anchor_weight(_archive: &Archive) -> Weight {
		Weight::zero()
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_submission(
		_patient: &u64,
		_author: &u64,
		_pieces: u32,
	) -> Result<Archive, DispatchError> {
		Ok(archive([1; 32], 1))
	}
}

/// What every account from 1 to 99 starts with. Account 100 and above start with nothing.
pub const ENDOWMENT: u64 = 1_000_000;

/// Externalities at block 1 (so that events are recorded), with accounts 1..=99 funded.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: (1..100).map(|who| (who, ENDOWMENT)).collect(),
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// Move to block `n`.
pub fn run_to_block(n: u64) {
	System::set_block_number(n);
}

/// Run `on_idle` at the current block with `weight` to spare.
pub fn idle(weight: Weight) -> Weight {
	EhrAccess::on_idle(System::block_number(), weight)
}
