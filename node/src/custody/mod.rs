//! The custody service of a custodian node (docs/ARCHITECTURE.md §3, §4): the node keeps its pieces
//! of archived records in a piece store beside the chain database and serves them over HTTP
//! (`ehr-custody-service`, whose logic and refusals live in that crate). This module supplies what
//! the service needs from a node:
//!
//! - [`keys`]: the custodian's receipt-signing (sr25519) and X25519 keys, from the keystore.
//! - [`chain`]: the service's view of the chain, from the runtime APIs.
//! - [`watcher`]: follows finalised blocks to anchor, keep or delete pieces as the chain says,
//!   and expires pieces whose receipts can no longer be used.
//!
//! and the listener: `--custody-listen` (by default `127.0.0.1:9955`), whose URL
//! (`http://host:port`) is the endpoint a registrar registers for the custodian.
pub mod chain;
pub mod keys;
pub mod watcher;

use ehr_custody_service::{http::HttpConfig, CustodianKeys, CustodyService, ServiceConfig};
use ehr_custody_store::{PieceStore, StoreConfig};
use std::{net::SocketAddr, num::NonZeroU32, path::Path, sync::Arc, time::Duration};

/// Default of `--custody-rate-limit`: ten calls a second, on average, per client address.
// Evaluated at compile time, so it cannot fail at run time.
const DEFAULT_RATE_LIMIT: NonZeroU32 = NonZeroU32::new(600).unwrap();

/// The custody service of this node, over its client `C`.
pub type Custody<C> = CustodyService<chain::RuntimeChain<C>>;

/// Command-line options of the custody service.
#[derive(Debug, Clone, clap::Args)]
pub struct CustodyOptions {
	/// Where the custody service listens for HTTP (puts, gets and status). Register the
	/// custodian with the URL clients reach it at, e.g. `http://10.0.0.5:9955`.
	#[arg(long, value_name = "ADDR", default_value = "127.0.0.1:9955")]
	pub custody_listen: SocketAddr,

	/// The custodian's account, if not its receipt key's (after the receipt key was rotated
	/// on chain), as 32 bytes of hex.
	#[arg(long, value_name = "HEX", value_parser = parse_account)]
	pub custodian_account: Option<[u8; 32]>,

	/// Most bytes of pieces this node keeps, in MiB.
	#[arg(long, value_name = "MIB", default_value_t = 10 * 1024)]
	pub custody_quota_mib: u64,

	/// Largest piece accepted, in MiB: with k = 3, the default takes records up to about
	/// 190 MiB. A put carries the piece as bytes, so this also bounds the request body.
	#[arg(long, value_name = "MIB", default_value_t = 64)]
	pub custody_max_piece_mib: u64,

	/// Blocks past the best block during which a custody receipt may be used on chain. The
	/// piece stays pending at least until that block is final, then expires unless anchored.
	#[arg(long, value_name = "BLOCKS", default_value_t = 600)]
	pub custody_receipt_blocks: u32,

	/// Milliseconds either side of this node's clock within which a get request must have
	/// been issued.
	#[arg(long, value_name = "MS", default_value_t = 60_000)]
	pub custody_request_window: u64,

	/// Most get requests remembered at once against replay: beyond it, requests are refused
	/// as busy until older ones leave the window.
	#[arg(long, value_name = "COUNT", default_value_t = 100_000)]
	pub custody_max_recent_requests: usize,

	/// Most puts and gets a minute from one client address (all at once at best); beyond it a
	/// call is refused with the time to wait.
	#[arg(long, value_name = "PER_MINUTE", default_value_t = DEFAULT_RATE_LIMIT)]
	pub custody_rate_limit: NonZeroU32,

	/// Most puts and gets running at once on the node, over all clients; each holds a piece in
	/// memory.
	#[arg(long, value_name = "COUNT", default_value_t = 16)]
	pub custody_max_in_flight: usize,

	/// Most custody connections open at once, over all clients: each takes one of the node's
	/// file descriptors (shared with its database and network). Beyond it, new connections
	/// wait until one closes.
	#[arg(long, value_name = "COUNT", default_value_t = HttpConfig::default().max_connections)]
	pub custody_max_connections: usize,

	/// Most custody connections open at once from one client address; more are closed at once.
	#[arg(long, value_name = "COUNT", default_value_t = HttpConfig::default().max_connections_per_client)]
	pub custody_max_connections_per_client: usize,

	/// Seconds a custody client has to send a request's headers (and the longest its body may
	/// pause); an idle or slow connection is closed after it.
	#[arg(long, value_name = "SECONDS", default_value_t = HttpConfig::default().header_timeout.as_secs())]
	pub custody_header_timeout: u64,

	/// Seconds a custody call may take from its headers to its answer, its body's upload
	/// included: a put of the largest piece must arrive within it.
	#[arg(long, value_name = "SECONDS", default_value_t = HttpConfig::default().request_timeout.as_secs())]
	pub custody_request_timeout: u64,
}

fn parse_account(hex_account: &str) -> Result<[u8; 32], String> {
	let mut account = [0u8; 32];
	hex::decode_to_slice(hex_account.trim_start_matches("0x"), &mut account)
		.map_err(|e| format!("not 32 bytes of hex: {e}"))?;
	Ok(account)
}

/// Opens the piece store in `<chain data dir>/custody` and the service over `chain`.
pub fn open<C>(
	data_path: &Path,
	options: &CustodyOptions,
	keys: CustodianKeys,
	chain: chain::RuntimeChain<C>,
) -> Result<Arc<Custody<C>>, ehr_custody_store::StoreError>
where
	chain::RuntimeChain<C>: ehr_custody_service::Chain,
{
	const MIB: u64 = 1 << 20;
	let max_piece_bytes = options.custody_max_piece_mib.saturating_mul(MIB);
	let store = PieceStore::open(
		data_path.join("custody"),
		StoreConfig { quota_bytes: options.custody_quota_mib.saturating_mul(MIB), max_piece_bytes },
	)?;
	let config = ServiceConfig {
		receipt_lifetime: options.custody_receipt_blocks,
		request_window_ms: options.custody_request_window,
		max_recent_requests: options.custody_max_recent_requests,
		rate_limit_per_minute: options.custody_rate_limit,
		max_in_flight: options.custody_max_in_flight,
		max_piece_bytes,
	};
	let http = HttpConfig {
		max_connections: options.custody_max_connections,
		max_connections_per_client: options.custody_max_connections_per_client,
		header_timeout: Duration::from_secs(options.custody_header_timeout),
		request_timeout: Duration::from_secs(options.custody_request_timeout),
	};
	Ok(Arc::new(CustodyService::new(chain, keys, store, config).with_http_config(http)))
}
