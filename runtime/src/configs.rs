//! Configuration of every pallet in the runtime.
use super::*;
use polkadot_sdk::{
	frame_support::{
		derive_impl,
		dispatch::DispatchClass,
		parameter_types,
		traits::{
			fungible::HoldConsideration, ConstBool, ConstU128, ConstU32, ConstU64, ConstU8,
			EitherOfDiverse, LinearStoragePrice, Nothing, VariantCountOf,
		},
		weights::{
			constants::{RocksDbWeight, WEIGHT_REF_TIME_PER_SECOND},
			IdentityFee, Weight,
		},
	},
	frame_system::{limits, EnsureRoot, EnsureSigned},
	pallet_transaction_payment::{ConstFeeMultiplier, FungibleAdapter, Multiplier},
	sp_consensus_aura::sr25519::AuthorityId as AuraId,
	sp_runtime::{traits::One, Perbill},
};

const NORMAL_DISPATCH_RATIO: Perbill = Perbill::from_percent(75);

parameter_types! {
	pub const BlockHashCount: BlockNumber = 2400;
	pub const Version: RuntimeVersion = VERSION;
	/// Two seconds of compute per six-second block.
	pub RuntimeBlockWeights: limits::BlockWeights = limits::BlockWeights::with_sensible_defaults(
		Weight::from_parts(2u64 * WEIGHT_REF_TIME_PER_SECOND, u64::MAX),
		NORMAL_DISPATCH_RATIO,
	);
	/// 5 MiB blocks, of which normal extrinsics may fill 75%.
	pub RuntimeBlockLength: limits::BlockLength = limits::BlockLength::builder()
		.max_length(5 * 1024 * 1024)
		.modify_max_length_for_class(DispatchClass::Normal, |max| *max = NORMAL_DISPATCH_RATIO * *max)
		.build();
	pub const SS58Prefix: u16 = SS58_PREFIX;
}

#[derive_impl(frame_system::config_preludes::SolochainDefaultConfig)]
impl frame_system::Config for Runtime {
	type Block = Block;
	type BlockWeights = RuntimeBlockWeights;
	type BlockLength = RuntimeBlockLength;
	type AccountId = AccountId;
	type Nonce = Nonce;
	type Hash = Hash;
	type BlockHashCount = BlockHashCount;
	// RocksDB's costs although the node uses ParityDB (cheaper): conservative, and
	// pallet-contracts' integrity test (storage a block may write against validator memory) is
	// calibrated for them.
	type DbWeight = RocksDbWeight;
	type Version = Version;
	type AccountData = pallet_balances::AccountData<Balance>;
	type SS58Prefix = SS58Prefix;
	type MaxConsumers = ConstU32<16>;
}

impl pallet_aura::Config for Runtime {
	type AuthorityId = AuraId;
	type DisabledValidators = ();
	type MaxAuthorities = ConstU32<32>;
	type AllowMultipleBlocksPerSlot = ConstBool<false>;
	type SlotDuration = pallet_aura::MinimumPeriodTimesTwo<Runtime>;
}

impl pallet_grandpa::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = ();
	type MaxAuthorities = ConstU32<32>;
	type MaxNominators = ConstU32<0>;
	type MaxSetIdSessionEntries = ConstU64<0>;
	type KeyOwnerProof = sp_core::Void;
	type EquivocationReportSystem = ();
}

impl pallet_timestamp::Config for Runtime {
	/// Milliseconds since the Unix epoch.
	type Moment = u64;
	type OnTimestampSet = Aura;
	type MinimumPeriod = ConstU64<{ SLOT_DURATION / 2 }>;
	type WeightInfo = ();
}

impl pallet_balances::Config for Runtime {
	type MaxLocks = ConstU32<50>;
	type MaxReserves = ();
	type ReserveIdentifier = [u8; 8];
	type Balance = Balance;
	type RuntimeEvent = RuntimeEvent;
	type DustRemoval = ();
	type ExistentialDeposit = ConstU128<EXISTENTIAL_DEPOSIT>;
	type AccountStore = System;
	type WeightInfo = pallet_balances::weights::SubstrateWeight<Runtime>;
	type FreezeIdentifier = RuntimeFreezeReason;
	type MaxFreezes = VariantCountOf<RuntimeFreezeReason>;
	type RuntimeHoldReason = RuntimeHoldReason;
	type RuntimeFreezeReason = RuntimeFreezeReason;
	type DoneSlashHandler = ();
}

parameter_types! {
	pub FeeMultiplier: Multiplier = Multiplier::one();
	/// Fee per byte of an extrinsic, so that large extrinsics cost what they occupy.
	pub const TransactionByteFee: Balance = MICRO_UNIT;
}

impl pallet_transaction_payment::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type OnChargeTransaction = FungibleAdapter<Balances, ()>;
	type OperationalFeeMultiplier = ConstU8<5>;
	type WeightToFee = IdentityFee<Balance>;
	type LengthToFee =
		polkadot_sdk::frame_support::weights::ConstantMultiplier<Balance, TransactionByteFee>;
	type FeeMultiplierUpdate = ConstFeeMultiplier<FeeMultiplier>;
	type WeightInfo = pallet_transaction_payment::weights::SubstrateWeight<Runtime>;
}

impl pallet_sudo::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type WeightInfo = pallet_sudo::weights::SubstrateWeight<Runtime>;
}

impl pallet_insecure_randomness_collective_flip::Config for Runtime {}

parameter_types! {
	/// A registrar motion not carried within a week lapses.
	pub const RegistrarMotionDuration: BlockNumber = 7 * DAYS;
	/// A registrar motion may dispatch a call of at most half a block.
	pub RegistrarMaxProposalWeight: Weight = Perbill::from_percent(50) * RuntimeBlockWeights::get().max_block;
}

/// The registrar: [`ehr_types::REGISTRAR_QUORUM`] of the `Registrars` collective (the
/// administrators of the hospitals that run the network), or root. Only the `development` preset
/// has a sudo key; on a network the collective alone acts, and no single key can.
pub type RegistrarOrigin = EitherOfDiverse<
	EnsureRoot<AccountId>,
	pallet_collective::EnsureProportionAtLeast<
		AccountId,
		(),
		{ ehr_types::REGISTRAR_QUORUM.0 },
		{ ehr_types::REGISTRAR_QUORUM.1 },
	>,
>;

/// The registrars: a member proposes a registrar call, the others vote, and it is dispatched
/// once the quorum is reached (at once when one member is the quorum). Members are named at
/// genesis and changed only by the registrar itself.
impl pallet_collective::Config for Runtime {
	type RuntimeOrigin = RuntimeOrigin;
	type Proposal = RuntimeCall;
	type RuntimeEvent = RuntimeEvent;
	type MotionDuration = RegistrarMotionDuration;
	type MaxProposals = ConstU32<100>;
	type MaxMembers = ConstU32<100>;
	type DefaultVote = pallet_collective::PrimeDefaultVote;
	type WeightInfo = pallet_collective::weights::SubstrateWeight<Runtime>;
	type SetMembersOrigin = RegistrarOrigin;
	type MaxProposalWeight = RegistrarMaxProposalWeight;
	type DisapproveOrigin = RegistrarOrigin;
	type KillOrigin = RegistrarOrigin;
	// Only members propose: no deposit needed to keep strangers out.
	type Consideration = ();
}

/// Storage deposit for `items` storage items holding `bytes` bytes in all.
pub const fn deposit(items: u32, bytes: u32) -> Balance {
	items as Balance * 15 * MILLI_UNIT + (bytes as Balance) * 6 * MICRO_UNIT
}

parameter_types! {
	pub const DepositPerItem: Balance = deposit(1, 0);
	pub const DepositPerByte: Balance = deposit(0, 1);
	pub const DefaultDepositLimit: Balance = deposit(1024, 1024 * 1024);
	pub Schedule: pallet_contracts::Schedule<Runtime> = Default::default();
	pub CodeHashLockupDepositPercent: Perbill = Perbill::from_percent(30);
}

/// Policy contracts (ink!, Wasm). Contracts only compute: `CallFilter = Nothing` forbids them
/// from dispatching runtime calls, so a contract can never grant itself access to a record.
/// Every byte they store is paid for with a deposit.
impl pallet_contracts::Config for Runtime {
	type Time = Timestamp;
	/// pallet-contracts 51 still requires a source of randomness for the deprecated
	/// `seal_random`, so the runtime keeps `pallet-insecure-randomness-collective-flip`. It is
	/// insecure: its value is a hash of the last 81 block hashes, which the author of the next
	/// block knows in advance and can bias by choosing what to author or withhold. No contract
	/// of ours may call `seal_random`: an access policy must be a deterministic function of
	/// the chain's facts (roles, consent, the block number and timestamp), which every node
	/// re-checks and nobody can steer, and the policy samples are reviewed for it.
	type Randomness = RandomnessCollectiveFlip;
	type Currency = Balances;
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type RuntimeHoldReason = RuntimeHoldReason;
	type CallFilter = Nothing;
	type WeightPrice = TransactionPayment;
	type WeightInfo = pallet_contracts::weights::SubstrateWeight<Runtime>;
	type ChainExtension = ();
	type Schedule = Schedule;
	type CallStack = [pallet_contracts::Frame<Self>; 5];
	type DepositPerByte = DepositPerByte;
	type DefaultDepositLimit = DefaultDepositLimit;
	type DepositPerItem = DepositPerItem;
	type CodeHashLockupDepositPercent = CodeHashLockupDepositPercent;
	type AddressGenerator = pallet_contracts::DefaultAddressGenerator;
	type MaxCodeLen = ConstU32<{ 123 * 1024 }>;
	type MaxStorageKeyLen = ConstU32<128>;
	type MaxTransientStorageSize = ConstU32<{ 1024 * 1024 }>;
	type MaxDelegateDependencies = ConstU32<32>;
	type UnsafeUnstableInterface = ConstBool<false>;
	type MaxDebugBufferLen = ConstU32<{ 2 * 1024 * 1024 }>;
	type UploadOrigin = EnsureSigned<AccountId>;
	type InstantiateOrigin = EnsureSigned<AccountId>;
	type Migrations = ();
	type Debug = ();
	type Environment = ();
	type ApiVersion = ();
	type Xcm = ();
}

parameter_types! {
	pub const MaxEndpointLen: u32 = 128;
	/// Most custodians (pieces) of one record: far above any sensible `n`, and it bounds an
	/// archive entry to about 4 KiB.
	pub const MaxPieces: u32 = 64;
	/// An archive entry's deposit, priced like any other storage by `deposit`: two items (the
	/// entry and its archive-id index) plus their encoded bytes (one `Footprint`, see
	/// `pallet_shamir_archive::Pallet::footprint`).
	pub const ArchiveDepositBase: Balance = deposit(2, 0);
	pub const ArchiveDepositPerByte: Balance = deposit(0, 1);
	pub const ArchiveHoldReason: RuntimeHoldReason =
		RuntimeHoldReason::ShamirArchive(pallet_shamir_archive::HoldReason::ArchiveEntry);
}

parameter_types! {
	/// Longest text field of a hospital or doctor profile, in bytes.
	pub const EhrMaxProfileFieldLen: u32 = 128;
	pub const EhrMaxSpecialities: u32 = 16;
	pub const EhrMaxGuardians: u32 = 8;
	pub const EhrMaxGrantsPerPatient: u32 = 64;
	pub const EhrMaxScopeRecords: u32 = 32;
	pub const EhrMaxRecordsPerPatient: u32 = 100_000;
	pub const EhrMaxTicketsPerReader: u32 = 64;
	/// An access ticket lives ten minutes (at most).
	pub const EhrTicketLifetime: BlockNumber = 10 * MINUTES;
	/// Break-glass access lasts four hours.
	pub const EhrEmergencyDuration: BlockNumber = 4 * HOURS;
	pub const EhrMaxEmergenciesPerDoctor: u32 = 16;
	/// A doctor opens at most 24 break-glass sessions in any 24 hours: one an hour on average,
	/// well above a busy emergency department shift, far below enumerating patients.
	pub const EhrMaxEmergenciesPerPeriod: u32 = 24;
	pub const EhrEmergencyRatePeriod: BlockNumber = 24 * HOURS;
	/// A doctor whose session the patient (or a guardian) closed waits 12 hours to open
	/// another for that patient.
	pub const EhrEmergencyCooldown: BlockNumber = 12 * HOURS;
	/// A doctor adds at most 500 records for one patient per 24-hour window: a long admission's
	/// notes and results, not a flood of permanent anchors.
	pub const EhrMaxWritesPerPeriod: u32 = 500;
	pub const EhrWriteRatePeriod: BlockNumber = 24 * HOURS;
	// Deposits: one storage item each plus its largest encoding (and its key), priced by
	// `deposit` like contract storage.
	pub EhrPatientDeposit: Balance = deposit(
		2,
		<pallet_ehr_access::PatientInfoOf<Runtime> as codec::MaxEncodedLen>::max_encoded_len() as u32 + 88,
	);
	pub EhrProposalDeposit: Balance = deposit(
		1,
		<pallet_ehr_access::PatientProposalOf<Runtime> as codec::MaxEncodedLen>::max_encoded_len() as u32 + 48,
	);
	pub EhrGuardianDeposit: Balance = deposit(
		1,
		<pallet_ehr_access::GuardianEntry<AccountId, Balance> as codec::MaxEncodedLen>::max_encoded_len() as u32 + 96,
	);
	pub EhrGrantDeposit: Balance = deposit(
		1,
		<pallet_ehr_access::GrantOf<Runtime> as codec::MaxEncodedLen>::max_encoded_len() as u32 + 16,
	);
	// The anchor, its patient index, and the writer's rate window (at most one per writer and
	// patient, so each record pays for one).
	pub EhrRecordDeposit: Balance = deposit(
		3,
		<pallet_ehr_access::AnchorOf<Runtime> as codec::MaxEncodedLen>::max_encoded_len() as u32 +
			<pallet_ehr_access::WriteWindowOf<Runtime> as codec::MaxEncodedLen>::max_encoded_len() as u32 +
			72 + 96,
	);
	pub EhrDoctorDeposit: Balance = deposit(
		2,
		<pallet_ehr_access::DoctorInfoOf<Runtime> as codec::MaxEncodedLen>::max_encoded_len() as u32 +
			EhrMaxEmergenciesPerDoctor::get() *
				<pallet_ehr_access::EmergencySessionOf<Runtime> as codec::MaxEncodedLen>::max_encoded_len() as u32 +
			EhrMaxEmergenciesPerPeriod::get() *
				<pallet_ehr_access::EmergencyOpeningOf<Runtime> as codec::MaxEncodedLen>::max_encoded_len() as u32 +
			96,
	);
}

/// Roles, consent, record anchors, emergency access and audited reads. Hospitals are registered
/// by the registrar ([`RegistrarOrigin`]); every other item is paid for with a deposit held in
/// `Balances`.
impl pallet_ehr_access::Config for Runtime {
	type RegistrarOrigin = RegistrarOrigin;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Currency = Balances;
	type PatientDeposit = EhrPatientDeposit;
	type ProposalDeposit = EhrProposalDeposit;
	type GuardianDeposit = EhrGuardianDeposit;
	type GrantDeposit = EhrGrantDeposit;
	type RecordDeposit = EhrRecordDeposit;
	type DoctorDeposit = EhrDoctorDeposit;
	type MaxProfileFieldLen = EhrMaxProfileFieldLen;
	type MaxSpecialities = EhrMaxSpecialities;
	type MaxGuardians = EhrMaxGuardians;
	type MaxGrantsPerPatient = EhrMaxGrantsPerPatient;
	type MaxScopeRecords = EhrMaxScopeRecords;
	type MaxRecordsPerPatient = EhrMaxRecordsPerPatient;
	type MaxTicketsPerReader = EhrMaxTicketsPerReader;
	type TicketLifetime = EhrTicketLifetime;
	type EmergencyDuration = EhrEmergencyDuration;
	type MaxEmergenciesPerDoctor = EhrMaxEmergenciesPerDoctor;
	type MaxEmergenciesPerPeriod = EhrMaxEmergenciesPerPeriod;
	type EmergencyRatePeriod = EhrEmergencyRatePeriod;
	type EmergencyCooldown = EhrEmergencyCooldown;
	type MaxWritesPerPeriod = EhrMaxWritesPerPeriod;
	type WriteRatePeriod = EhrWriteRatePeriod;
	type Archive = ShamirArchive;
	type WeightInfo = pallet_ehr_access::weights::SubstrateWeight<Runtime>;
}

impl pallet_shamir_archive::Config for Runtime {
	type RegistrarOrigin = RegistrarOrigin;
	type Records = EhrAccess;
	type MaxEndpointLen = MaxEndpointLen;
	type MaxPieces = MaxPieces;
	type Consideration = HoldConsideration<
		AccountId,
		Balances,
		ArchiveHoldReason,
		LinearStoragePrice<ArchiveDepositBase, ArchiveDepositPerByte, Balance>,
	>;
	type WeightInfo = pallet_shamir_archive::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = EhrAccess;
}
