//! Weights for `pallet_ehr_access`.
//!
//! **ESTIMATES, NOT MEASUREMENTS.** The figures below were written by hand from each call's
//! storage reads and writes (counted from the code, including the `pallet-balances` hold entries
//! and account a deposit touches) plus a generous compute cost and proof size, so that they do
//! not under-charge. They have not been produced by running the benchmarks yet: that needs a
//! runtime built with `--features runtime-benchmarks` and `frame-omni-bencher`, which was not
//! run. The benchmarks themselves (`src/benchmarking.rs`) exist and pass as tests
//! (`cargo test -p pallet-ehr-access --features runtime-benchmarks`).
//!
//! Regenerate this file (replacing the estimates with measurements) from the workspace root with:
//!
//! ```sh
//! cargo install --locked frame-omni-bencher
//! cargo build --release -p ehr-runtime --features runtime-benchmarks
//! frame-omni-bencher v1 benchmark pallet \
//!   --runtime $CARGO_TARGET_DIR/release/wbuild/ehr-runtime/ehr_runtime.compact.compressed.wasm \
//!   --pallet pallet_ehr_access --extrinsic "*" \
//!   --steps 50 --repeat 20 --heap-pages 4096 \
//!   --template pallets/ehr-access/weight-template.hbs \
//!   --output pallets/ehr-access/src/weights.rs
//! ```
//!
//! (`$CARGO_TARGET_DIR` is `~/.cache/ehr-chain/target` in this project.) Components: `s` =
//! records listed in a grant's scope; `g` = grants of the patient that the decision looks at;
//! `t` = expired tickets of the reader purged by `open_access`; `n` = tickets `on_idle` looks at.

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use core::marker::PhantomData;
use polkadot_sdk::frame_support::{traits::Get, weights::{constants::RocksDbWeight, Weight}};

/// Weight functions needed for `pallet_ehr_access`.
pub trait WeightInfo {
	fn register_hospital() -> Weight;
	fn update_hospital() -> Weight;
	fn set_hospital_status() -> Weight;
	fn register_doctor() -> Weight;
	fn update_doctor() -> Weight;
	fn set_doctor_status() -> Weight;
	fn remove_doctor() -> Weight;
	fn propose_patient() -> Weight;
	fn withdraw_patient_proposal() -> Weight;
	fn register_patient() -> Weight;
	fn deregister_patient() -> Weight;
	fn add_guardian() -> Weight;
	fn remove_guardian() -> Weight;
	fn grant_access(s: u32) -> Weight;
	fn revoke_access() -> Weight;
	fn add_record(g: u32) -> Weight;
	fn open_emergency() -> Weight;
	fn close_emergency() -> Weight;
	fn open_access(g: u32, t: u32) -> Weight;
	fn prune_tickets(n: u32) -> Weight;
}

/// Weights for `pallet_ehr_access` using the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: polkadot_sdk::frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn register_hospital() -> Weight {
		Weight::from_parts(38_000_000, 0)
			.saturating_add(Weight::from_parts(0, 6100))
			.saturating_add(T::DbWeight::get().reads(4_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	fn update_hospital() -> Weight {
		Weight::from_parts(32_000_000, 0)
			.saturating_add(Weight::from_parts(0, 3500))
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	fn set_hospital_status() -> Weight {
		Weight::from_parts(22_000_000, 0)
			.saturating_add(Weight::from_parts(0, 3500))
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	fn register_doctor() -> Weight {
		Weight::from_parts(62_000_000, 0)
			.saturating_add(Weight::from_parts(0, 8200))
			.saturating_add(T::DbWeight::get().reads(7_u64))
			.saturating_add(T::DbWeight::get().writes(4_u64))
	}
	fn update_doctor() -> Weight {
		Weight::from_parts(34_000_000, 0)
			.saturating_add(Weight::from_parts(0, 4500))
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	fn set_doctor_status() -> Weight {
		Weight::from_parts(28_000_000, 0)
			.saturating_add(Weight::from_parts(0, 4500))
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	fn remove_doctor() -> Weight {
		Weight::from_parts(60_000_000, 0)
			.saturating_add(Weight::from_parts(0, 8600))
			.saturating_add(T::DbWeight::get().reads(4_u64))
			.saturating_add(T::DbWeight::get().writes(5_u64))
	}
	fn propose_patient() -> Weight {
		Weight::from_parts(55_000_000, 0)
			.saturating_add(Weight::from_parts(0, 7400))
			.saturating_add(T::DbWeight::get().reads(8_u64))
			.saturating_add(T::DbWeight::get().writes(3_u64))
	}
	fn withdraw_patient_proposal() -> Weight {
		Weight::from_parts(48_000_000, 0)
			.saturating_add(Weight::from_parts(0, 4300))
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().writes(3_u64))
	}
	fn register_patient() -> Weight {
		Weight::from_parts(80_000_000, 0)
			.saturating_add(Weight::from_parts(0, 9000))
			.saturating_add(T::DbWeight::get().reads(9_u64))
			.saturating_add(T::DbWeight::get().writes(8_u64))
	}
	fn deregister_patient() -> Weight {
		Weight::from_parts(50_000_000, 0)
			.saturating_add(Weight::from_parts(0, 4400))
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().writes(4_u64))
	}
	fn add_guardian() -> Weight {
		Weight::from_parts(60_000_000, 0)
			.saturating_add(Weight::from_parts(0, 7500))
			.saturating_add(T::DbWeight::get().reads(5_u64))
			.saturating_add(T::DbWeight::get().writes(4_u64))
	}
	fn remove_guardian() -> Weight {
		Weight::from_parts(55_000_000, 0)
			.saturating_add(Weight::from_parts(0, 4400))
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().writes(4_u64))
	}
	fn grant_access(s: u32) -> Weight {
		Weight::from_parts(65_000_000, 0)
			.saturating_add(Weight::from_parts(0, 6200))
			.saturating_add(Weight::from_parts(6_000_000, 0).saturating_mul(s.into()))
			.saturating_add(T::DbWeight::get().reads(5_u64))
			.saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(s.into())))
			.saturating_add(T::DbWeight::get().writes(5_u64))
			.saturating_add(Weight::from_parts(0, 2600).saturating_mul(s.into()))
	}
	fn revoke_access() -> Weight {
		Weight::from_parts(55_000_000, 0)
			.saturating_add(Weight::from_parts(0, 6200))
			.saturating_add(T::DbWeight::get().reads(4_u64))
			.saturating_add(T::DbWeight::get().writes(4_u64))
	}
	fn add_record(g: u32) -> Weight {
		Weight::from_parts(90_000_000, 0)
			.saturating_add(Weight::from_parts(0, 9500))
			.saturating_add(Weight::from_parts(8_000_000, 0).saturating_mul(g.into()))
			.saturating_add(T::DbWeight::get().reads(10_u64))
			.saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(g.into())))
			.saturating_add(T::DbWeight::get().writes(6_u64))
			.saturating_add(Weight::from_parts(0, 2700).saturating_mul(g.into()))
	}
	fn open_emergency() -> Weight {
		Weight::from_parts(62_000_000, 0)
			.saturating_add(Weight::from_parts(0, 7600))
			.saturating_add(T::DbWeight::get().reads(4_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	fn close_emergency() -> Weight {
		Weight::from_parts(42_000_000, 0)
			.saturating_add(Weight::from_parts(0, 4600))
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	fn open_access(g: u32, t: u32) -> Weight {
		Weight::from_parts(95_000_000, 0)
			.saturating_add(Weight::from_parts(0, 8800))
			.saturating_add(Weight::from_parts(8_000_000, 0).saturating_mul(g.into()))
			.saturating_add(Weight::from_parts(6_000_000, 0).saturating_mul(t.into()))
			.saturating_add(T::DbWeight::get().reads(9_u64))
			.saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(g.into())))
			.saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(t.into())))
			.saturating_add(T::DbWeight::get().writes(4_u64))
			.saturating_add(T::DbWeight::get().writes((1_u64).saturating_mul(t.into())))
			.saturating_add(Weight::from_parts(0, 2700).saturating_mul(g.into()))
			.saturating_add(Weight::from_parts(0, 2600).saturating_mul(t.into()))
	}
	fn prune_tickets(n: u32) -> Weight {
		Weight::from_parts(6_000_000, 0)
			.saturating_add(Weight::from_parts(0, 1500))
			.saturating_add(Weight::from_parts(12_000_000, 0).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().reads((2_u64).saturating_mul(n.into())))
			.saturating_add(T::DbWeight::get().writes(1_u64))
			.saturating_add(T::DbWeight::get().writes((2_u64).saturating_mul(n.into())))
			.saturating_add(Weight::from_parts(0, 2600).saturating_mul(n.into()))
	}
}

// For tests.
impl WeightInfo for () {
	fn register_hospital() -> Weight {
		Weight::from_parts(38_000_000, 0)
			.saturating_add(Weight::from_parts(0, 6100))
			.saturating_add(RocksDbWeight::get().reads(4_u64))
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
	fn update_hospital() -> Weight {
		Weight::from_parts(32_000_000, 0)
			.saturating_add(Weight::from_parts(0, 3500))
			.saturating_add(RocksDbWeight::get().reads(1_u64))
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
	fn set_hospital_status() -> Weight {
		Weight::from_parts(22_000_000, 0)
			.saturating_add(Weight::from_parts(0, 3500))
			.saturating_add(RocksDbWeight::get().reads(1_u64))
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
	fn register_doctor() -> Weight {
		Weight::from_parts(62_000_000, 0)
			.saturating_add(Weight::from_parts(0, 8200))
			.saturating_add(RocksDbWeight::get().reads(7_u64))
			.saturating_add(RocksDbWeight::get().writes(4_u64))
	}
	fn update_doctor() -> Weight {
		Weight::from_parts(34_000_000, 0)
			.saturating_add(Weight::from_parts(0, 4500))
			.saturating_add(RocksDbWeight::get().reads(2_u64))
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
	fn set_doctor_status() -> Weight {
		Weight::from_parts(28_000_000, 0)
			.saturating_add(Weight::from_parts(0, 4500))
			.saturating_add(RocksDbWeight::get().reads(2_u64))
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
	fn remove_doctor() -> Weight {
		Weight::from_parts(60_000_000, 0)
			.saturating_add(Weight::from_parts(0, 8600))
			.saturating_add(RocksDbWeight::get().reads(4_u64))
			.saturating_add(RocksDbWeight::get().writes(5_u64))
	}
	fn propose_patient() -> Weight {
		Weight::from_parts(55_000_000, 0)
			.saturating_add(Weight::from_parts(0, 7400))
			.saturating_add(RocksDbWeight::get().reads(8_u64))
			.saturating_add(RocksDbWeight::get().writes(3_u64))
	}
	fn withdraw_patient_proposal() -> Weight {
		Weight::from_parts(48_000_000, 0)
			.saturating_add(Weight::from_parts(0, 4300))
			.saturating_add(RocksDbWeight::get().reads(3_u64))
			.saturating_add(RocksDbWeight::get().writes(3_u64))
	}
	fn register_patient() -> Weight {
		Weight::from_parts(80_000_000, 0)
			.saturating_add(Weight::from_parts(0, 9000))
			.saturating_add(RocksDbWeight::get().reads(9_u64))
			.saturating_add(RocksDbWeight::get().writes(8_u64))
	}
	fn deregister_patient() -> Weight {
		Weight::from_parts(50_000_000, 0)
			.saturating_add(Weight::from_parts(0, 4400))
			.saturating_add(RocksDbWeight::get().reads(3_u64))
			.saturating_add(RocksDbWeight::get().writes(4_u64))
	}
	fn add_guardian() -> Weight {
		Weight::from_parts(60_000_000, 0)
			.saturating_add(Weight::from_parts(0, 7500))
			.saturating_add(RocksDbWeight::get().reads(5_u64))
			.saturating_add(RocksDbWeight::get().writes(4_u64))
	}
	fn remove_guardian() -> Weight {
		Weight::from_parts(55_000_000, 0)
			.saturating_add(Weight::from_parts(0, 4400))
			.saturating_add(RocksDbWeight::get().reads(3_u64))
			.saturating_add(RocksDbWeight::get().writes(4_u64))
	}
	fn grant_access(s: u32) -> Weight {
		Weight::from_parts(65_000_000, 0)
			.saturating_add(Weight::from_parts(0, 6200))
			.saturating_add(Weight::from_parts(6_000_000, 0).saturating_mul(s.into()))
			.saturating_add(RocksDbWeight::get().reads(5_u64))
			.saturating_add(RocksDbWeight::get().reads((1_u64).saturating_mul(s.into())))
			.saturating_add(RocksDbWeight::get().writes(5_u64))
			.saturating_add(Weight::from_parts(0, 2600).saturating_mul(s.into()))
	}
	fn revoke_access() -> Weight {
		Weight::from_parts(55_000_000, 0)
			.saturating_add(Weight::from_parts(0, 6200))
			.saturating_add(RocksDbWeight::get().reads(4_u64))
			.saturating_add(RocksDbWeight::get().writes(4_u64))
	}
	fn add_record(g: u32) -> Weight {
		Weight::from_parts(90_000_000, 0)
			.saturating_add(Weight::from_parts(0, 9500))
			.saturating_add(Weight::from_parts(8_000_000, 0).saturating_mul(g.into()))
			.saturating_add(RocksDbWeight::get().reads(10_u64))
			.saturating_add(RocksDbWeight::get().reads((1_u64).saturating_mul(g.into())))
			.saturating_add(RocksDbWeight::get().writes(6_u64))
			.saturating_add(Weight::from_parts(0, 2700).saturating_mul(g.into()))
	}
	fn open_emergency() -> Weight {
		Weight::from_parts(62_000_000, 0)
			.saturating_add(Weight::from_parts(0, 7600))
			.saturating_add(RocksDbWeight::get().reads(4_u64))
			.saturating_add(RocksDbWeight::get().writes(2_u64))
	}
	fn close_emergency() -> Weight {
		Weight::from_parts(42_000_000, 0)
			.saturating_add(Weight::from_parts(0, 4600))
			.saturating_add(RocksDbWeight::get().reads(2_u64))
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
	fn open_access(g: u32, t: u32) -> Weight {
		Weight::from_parts(95_000_000, 0)
			.saturating_add(Weight::from_parts(0, 8800))
			.saturating_add(Weight::from_parts(8_000_000, 0).saturating_mul(g.into()))
			.saturating_add(Weight::from_parts(6_000_000, 0).saturating_mul(t.into()))
			.saturating_add(RocksDbWeight::get().reads(9_u64))
			.saturating_add(RocksDbWeight::get().reads((1_u64).saturating_mul(g.into())))
			.saturating_add(RocksDbWeight::get().reads((1_u64).saturating_mul(t.into())))
			.saturating_add(RocksDbWeight::get().writes(4_u64))
			.saturating_add(RocksDbWeight::get().writes((1_u64).saturating_mul(t.into())))
			.saturating_add(Weight::from_parts(0, 2700).saturating_mul(g.into()))
			.saturating_add(Weight::from_parts(0, 2600).saturating_mul(t.into()))
	}
	fn prune_tickets(n: u32) -> Weight {
		Weight::from_parts(6_000_000, 0)
			.saturating_add(Weight::from_parts(0, 1500))
			.saturating_add(Weight::from_parts(12_000_000, 0).saturating_mul(n.into()))
			.saturating_add(RocksDbWeight::get().reads(1_u64))
			.saturating_add(RocksDbWeight::get().reads((2_u64).saturating_mul(n.into())))
			.saturating_add(RocksDbWeight::get().writes(1_u64))
			.saturating_add(RocksDbWeight::get().writes((2_u64).saturating_mul(n.into())))
			.saturating_add(Weight::from_parts(0, 2600).saturating_mul(n.into()))
	}
}
