//! The pallets whose v2 benchmarks `frame-omni-bencher` runs against this runtime
//! (`scripts/bench-weights.sh`), giving their `weights.rs`. The other pallets keep the
//! upstream weights measured by their authors.

polkadot_sdk::frame_benchmarking::define_benchmarks!(
	[pallet_ehr_access, EhrAccess]
	[pallet_shamir_archive, ShamirArchive]
);
