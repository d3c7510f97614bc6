//! The test harness shared by the end-to-end tests: real `ehr-node` processes on free ports,
//! killed (and their directories removed) when the test ends, even by a panic; a failing test
//! prints their logs.
#![allow(dead_code)] // each test binary uses a part

pub mod network;

use std::{
	fs::File,
	net::TcpListener,
	path::{Path, PathBuf},
	process::{Child, Command, Stdio},
	time::{Duration, Instant},
};

use ehr_client::{
	subxt::{
		config::RpcConfigFor,
		rpcs::{methods::LegacyRpcMethods, RpcClient},
	},
	EhrConfig,
};

/// Sign `$call` with `$signer`, wait until it is finalised, and give its events or the reason it
/// failed.
#[macro_export]
macro_rules! submit {
	($api:expr, $call:expr, $signer:expr) => {
		ehr_client::sign(&$api, &$call, $signer, None)
			.await
			.expect("cannot sign the transaction")
			.submit_and_watch()
			.await
			.expect("cannot submit the transaction")
			.wait_for_finalized()
			.await
			.expect("the transaction was not finalised")
			.wait_for_success()
			.await
			.map_err(|error| error.to_string())
	};
}

/// The sample at quantile `p` (0 to 1) of `samples`, which it sorts; for the benches' figures.
pub fn percentile(samples: &mut [Duration], p: f64) -> Duration {
	samples.sort();
	let rank = ((samples.len() as f64 - 1.0) * p).round() as usize;
	samples[rank]
}

/// `d` in milliseconds, one decimal.
pub fn ms(d: Duration) -> String {
	format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

/// Signs `call` with `signer`, submits it, and gives how long it took to reach a best block and
/// a finalised one; panics if it fails.
pub async fn timed_submit<Call: ehr_client::subxt::transactions::Payload>(
	api: &ehr_client::EhrClient,
	call: &Call,
	signer: &ehr_client::subxt_signer::sr25519::Keypair,
) -> (Duration, Duration) {
	use ehr_client::subxt::transactions::TransactionStatus;
	let started = Instant::now();
	let mut progress = ehr_client::sign(api, call, signer, None)
		.await
		.expect("cannot sign the transaction")
		.submit_and_watch()
		.await
		.expect("cannot submit the transaction");
	let mut in_block = None;
	while let Some(status) = progress.next().await {
		match status.expect("a transaction status") {
			TransactionStatus::InBestBlock(_) => in_block = Some(started.elapsed()),
			TransactionStatus::InFinalizedBlock(_) => {
				let finalised = started.elapsed();
				return (in_block.unwrap_or(finalised), finalised);
			},
			TransactionStatus::Dropped { message }
			| TransactionStatus::Invalid { message }
			| TransactionStatus::Error { message } => panic!("the transaction failed: {message}"),
			_ => {},
		}
	}
	panic!("the transaction's status stream ended before finality")
}

/// How long a node may take to answer RPC after it is started. Most of a start is building the
/// genesis state in the runtime's wasm: 30 to 75 s for a debug build on a busy 2-core machine,
/// and several nodes may start at once. A node that exits fails the test at once.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(180);
/// How many times to start a node again when a port it was given was taken meanwhile.
const START_ATTEMPTS: usize = 3;

/// A running `ehr-node`, killed when dropped.
pub struct TestNode {
	child: Child,
	/// The arguments it was started with (besides its directory and ports).
	args: Vec<String>,
	/// Its RPC port on 127.0.0.1.
	pub rpc_port: u16,
	/// Its custody service's port on 127.0.0.1.
	pub custody_port: u16,
	/// Holds the node's log and database; removed when dropped.
	pub dir: tempfile::TempDir,
}

impl TestNode {
	/// Start `ehr-node --dev` and wait until its RPC answers `system_health`.
	pub async fn dev() -> TestNode {
		TestNode::start(&["--dev".to_owned()]).await
	}

	/// Start `ehr-node <args>` with its own base path and RPC port, and wait until its RPC
	/// answers `system_health`.
	pub async fn start(args: &[String]) -> TestNode {
		let bin = node_binary();
		let started = Instant::now();
		for attempt in 1..=START_ATTEMPTS {
			let mut node = TestNode::spawn(&bin, args);
			match node.wait_for_rpc().await {
				Ok(()) => {
					println!("ehr-node answers on {} after {:?}", node.ws_url(), started.elapsed());
					return node;
				},
				// Another process took one of its ports between `free_port` and the node's bind.
				Err(reason) if attempt < START_ATTEMPTS && node.log().contains("in use") => {
					eprintln!("ehr-node lost a port race ({reason}); starting it again");
				},
				// The node's log is printed as `node` is dropped while panicking.
				Err(reason) => panic!("ehr-node did not start: {reason}"),
			}
		}
		unreachable!("the last attempt returns or panics")
	}

	fn spawn(bin: &Path, args: &[String]) -> TestNode {
		let dir = tempfile::Builder::new()
			.prefix("ehr-node-test-")
			.tempdir()
			.expect("cannot create a temporary directory");
		let (rpc_port, custody_port) = (free_port(), free_port());
		let child = Self::launch(bin, args, dir.path(), (rpc_port, custody_port));
		TestNode { child, args: args.to_vec(), rpc_port, custody_port, dir }
	}

	/// Stops the node and starts it again on the same database and RPC port, with `extra`
	/// arguments; waits until its RPC answers.
	pub async fn restart(&mut self, extra: &[String]) {
		self.stop();
		let args = [self.args.clone(), extra.to_vec()].concat();
		let ports = (self.rpc_port, self.custody_port);
		self.child = Self::launch(&node_binary(), &args, self.dir.path(), ports);
		if let Err(reason) = self.wait_for_rpc().await {
			panic!("ehr-node did not start again: {reason}");
		}
	}

	/// Stops the node (a hard kill), keeping its directory.
	pub fn stop(&mut self) {
		let _ = self.child.kill();
		let _ = self.child.wait();
	}

	/// `ehr-node <args>` on `dir`'s database and log (appended to), its RPC and custody
	/// services on the ports given.
	fn launch(
		bin: &Path,
		args: &[String],
		dir: &Path,
		(rpc_port, custody_port): (u16, u16),
	) -> Child {
		let log = File::options()
			.create(true)
			.append(true)
			.open(dir.join("node.log"))
			.expect("cannot open the node's log");
		// A p2p port of the caller's (a bootnode's must be known), else a free one.
		let own_port = ["--port".to_owned(), free_port().to_string()];
		let p2p_port: &[String] = if args.iter().any(|a| a == "--port") { &[] } else { &own_port };
		Command::new(bin)
			.args(args)
			// Our own directory rather than `--tmp`: it is removed even when the node is killed.
			.arg("--base-path")
			.arg(dir.join("chain"))
			.args(["--rpc-port", &rpc_port.to_string()])
			.args(["--custody-listen", &format!("127.0.0.1:{custody_port}")])
			.args(p2p_port)
			.arg("--no-prometheus")
			.stdin(Stdio::null())
			.stdout(log.try_clone().expect("cannot share the node's log"))
			.stderr(log)
			.spawn()
			.unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()))
	}

	/// Poll until `system_health` answers, the node exits, or [`STARTUP_TIMEOUT`] passes.
	async fn wait_for_rpc(&mut self) -> Result<(), String> {
		let started = Instant::now();
		loop {
			if let Ok(rpc) = RpcClient::from_insecure_url(self.ws_url()).await {
				let legacy = LegacyRpcMethods::<RpcConfigFor<EhrConfig>>::new(rpc);
				if legacy.system_health().await.is_ok() {
					return Ok(());
				}
			}
			if let Ok(Some(status)) = self.child.try_wait() {
				return Err(format!("it exited ({status})"));
			}
			if started.elapsed() > STARTUP_TIMEOUT {
				return Err(format!("no RPC answer within {STARTUP_TIMEOUT:?}"));
			}
			tokio::time::sleep(Duration::from_millis(100)).await;
		}
	}

	pub fn ws_url(&self) -> String {
		format!("ws://127.0.0.1:{}", self.rpc_port)
	}

	/// The node's custody endpoint, as a custodian registers it.
	pub fn custody_url(&self) -> String {
		format!("http://127.0.0.1:{}", self.custody_port)
	}

	pub fn log(&self) -> String {
		std::fs::read_to_string(self.dir.path().join("node.log")).unwrap_or_default()
	}

	/// A typed client of this node.
	pub async fn client(&self) -> ehr_client::EhrClient {
		ehr_client::connect(&self.ws_url()).await.expect("cannot connect to ehr-node")
	}

	/// A raw JSON-RPC client of this node.
	pub async fn rpc(&self) -> RpcClient {
		RpcClient::from_insecure_url(self.ws_url()).await.expect("cannot connect to ehr-node")
	}
}

impl Drop for TestNode {
	fn drop(&mut self) {
		let _ = self.child.kill();
		let _ = self.child.wait();
		if std::thread::panicking() {
			eprintln!("---- ehr-node log ({}) ----\n{}", self.ws_url(), self.log());
		}
	}
}

/// The node binary: `$EHR_NODE_BIN`, else `ehr-node` in the cargo target directory, of the
/// profile this harness was built in (debug for the tests, release for a release bench).
fn node_binary() -> PathBuf {
	let profile = if cfg!(debug_assertions) { "debug" } else { "release" };
	let target_dirs = [
		std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from),
		// `<target>/tmp`: the target directory this test was built in.
		PathBuf::from(env!("CARGO_TARGET_TMPDIR")).parent().map(PathBuf::from),
		std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache/ehr-chain/target")),
	];
	let bin = match std::env::var_os("EHR_NODE_BIN") {
		Some(bin) => PathBuf::from(bin),
		None => target_dirs
			.iter()
			.flatten()
			.map(|dir| dir.join(profile).join("ehr-node"))
			.find(|bin| bin.is_file())
			.unwrap_or_else(|| {
				panic!(
					"no {profile} ehr-node binary in {:?}: build the workspace, or set EHR_NODE_BIN",
					target_dirs.iter().flatten().collect::<Vec<_>>()
				)
			}),
	};
	assert!(bin.is_file(), "EHR_NODE_BIN={} is not a file", bin.display());
	bin
}

/// A TCP port that was free a moment ago.
pub fn free_port() -> u16 {
	TcpListener::bind("127.0.0.1:0")
		.and_then(|listener| listener.local_addr())
		.expect("cannot find a free port")
		.port()
}
