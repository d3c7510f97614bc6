//! The custody service of a custodian node (DESIGN.md §3, §4): the node keeps its pieces of
//! archived records in a piece store beside the chain database and serves them over JSON-RPC
//! (`custody_put`, `custody_get`, `custody_status`), enforcing the chain's access rules itself.
//!
//! - [`keys`]: the custodian's receipt-signing (sr25519) and X25519 keys, from the keystore.
//! - [`limits`]: request rate per connection and calls in flight.
//! - [`rpc`]: the JSON-RPC methods and their checks.
//! - [`watcher`]: follows finalised blocks to anchor, keep or delete pieces as the chain says,
//!   and expires pieces whose record was never anchored.
pub mod keys;
pub mod limits;
pub mod rpc;
pub mod watcher;

use ehr_custody_protocol::ReplayGuard;
use ehr_custody_store::{PieceStore, StoreConfig};
use std::{
	num::NonZeroU32,
	path::Path,
	sync::{Arc, Mutex},
	time::{SystemTime, UNIX_EPOCH},
};

/// Default of `--custody-rate-limit`: ten calls a second, on average, per connection.
// Evaluated at compile time, so it cannot fail at run time.
const DEFAULT_RATE_LIMIT: NonZeroU32 = NonZeroU32::new(600).unwrap();

/// Command-line options of the custody service.
#[derive(Debug, Clone, clap::Args)]
pub struct CustodyOptions {
	/// Most bytes of pieces this node keeps, in MiB.
	#[arg(long, value_name = "MIB", default_value_t = 10 * 1024)]
	pub custody_quota_mib: u64,

	/// Largest piece accepted by `custody_put`, in MiB. A piece travels as hex (twice its
	/// size), so it must also fit `--rpc-max-request-size` and `--rpc-max-response-size`
	/// (15 MiB by default): the default takes records up to about 21 MiB with k = 3.
	#[arg(long, value_name = "MIB", default_value_t = 7)]
	pub custody_max_piece_mib: u64,

	/// Seconds a piece stays pending before it is deleted unless its record is anchored.
	#[arg(long, value_name = "SECONDS", default_value_t = 3600)]
	pub custody_pending_timeout: u64,

	/// Milliseconds either side of this node's clock within which a `custody_get` request
	/// must have been issued.
	#[arg(long, value_name = "MS", default_value_t = 60_000)]
	pub custody_request_window: u64,

	/// Most `custody_get` requests remembered at once against replay: beyond it, requests
	/// are refused as busy until older ones leave the window.
	#[arg(long, value_name = "COUNT", default_value_t = 100_000)]
	pub custody_max_recent_requests: usize,

	/// Most `custody_put` and `custody_get` calls a minute on one RPC connection (all at once
	/// at best); beyond it a call is refused with the time to wait.
	#[arg(long, value_name = "PER_MINUTE", default_value_t = DEFAULT_RATE_LIMIT)]
	pub custody_rate_limit: NonZeroU32,

	/// Most `custody_put` and `custody_get` calls running at once on the node, over all
	/// connections; each holds a piece in memory.
	#[arg(long, value_name = "COUNT", default_value_t = 16)]
	pub custody_max_in_flight: usize,
}

/// What the RPC methods and the watcher share.
pub struct Custody {
	/// The pieces held.
	pub store: Mutex<PieceStore>,
	/// Requests seen within the freshness window.
	pub replay_guard: Mutex<ReplayGuard>,
	/// The custodian's keys.
	pub keys: keys::CustodianKeys,
	/// How much custody work clients may ask for.
	pub limits: limits::RequestLimits,
}

impl Custody {
	/// Opens the piece store in `<chain data dir>/custody`.
	pub fn open(
		data_path: &Path,
		options: &CustodyOptions,
		keys: keys::CustodianKeys,
	) -> Result<Arc<Self>, ehr_custody_store::StoreError> {
		const MIB: u64 = 1 << 20;
		let store = PieceStore::open(
			data_path.join("custody"),
			StoreConfig {
				quota_bytes: options.custody_quota_mib.saturating_mul(MIB),
				max_piece_bytes: options.custody_max_piece_mib.saturating_mul(MIB),
				pending_timeout_secs: options.custody_pending_timeout,
			},
		)?;
		Ok(Arc::new(Self {
			store: Mutex::new(store),
			replay_guard: Mutex::new(ReplayGuard::new(
				options.custody_request_window,
				options.custody_max_recent_requests,
			)),
			keys,
			limits: limits::RequestLimits::new(
				options.custody_rate_limit,
				options.custody_max_in_flight,
			),
		}))
	}
}

/// Milliseconds since the Unix epoch (0 if the clock is before it).
pub fn now_ms() -> u64 {
	SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}
