//! `ehr-node --chain local`: Alice and Bob author with Aura and finalise with GRANDPA.
use std::{
	io::{Read, Write},
	net::{TcpListener, TcpStream},
	path::PathBuf,
	process::{Child, Command, Stdio},
	time::{Duration, Instant},
};

/// Fixed libp2p identities: validators of a non-dev chain must be given a network key.
const ALICE_NODE_KEY: &str = "0000000000000000000000000000000000000000000000000000000000000001";
const BOB_NODE_KEY: &str = "0000000000000000000000000000000000000000000000000000000000000002";
const ALICE_PEER_ID: &str = "12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp";

/// A node process that is killed when dropped, also when the test fails.
struct Node {
	child: Child,
	rpc_port: u16,
	log: PathBuf,
}

impl Node {
	fn start(name: &str, extra: &[String]) -> Node {
		let rpc_port = free_port();
		let log = std::env::temp_dir().join(format!("ehr-local-{name}-{rpc_port}.log"));
		let log_file = std::fs::File::create(&log).expect("log file");
		let child = Command::new(env!("CARGO_BIN_EXE_ehr-node"))
			.args(["--chain", "local", "--tmp", "--no-prometheus", "--no-mdns"])
			.arg(format!("--{name}"))
			.args(["--rpc-port", &rpc_port.to_string()])
			// Each its own custody port: two nodes on one machine cannot share the default.
			.args(["--custody-listen", &format!("127.0.0.1:{}", free_port())])
			.args(extra)
			.stdout(Stdio::null())
			.stderr(log_file)
			.spawn()
			.expect("ehr-node starts");
		Node { child, rpc_port, log }
	}

	/// One JSON-RPC call over HTTP; `None` while the node is not answering yet.
	fn rpc(&self, method: &str, params: serde_json::Value) -> Option<serde_json::Value> {
		let body =
			serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
				.to_string();
		let mut stream = TcpStream::connect(("127.0.0.1", self.rpc_port)).ok()?;
		stream.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
		write!(
			stream,
			"POST / HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Type: application/json\r\n\
			 Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
			self.rpc_port,
			body.len()
		)
		.ok()?;
		let mut response = String::new();
		stream.read_to_string(&mut response).ok()?;
		let (_, json) = response.split_once("\r\n\r\n")?;
		let value: serde_json::Value = serde_json::from_str(json).ok()?;
		value.get("result").cloned()
	}

	fn finalised_number(&self) -> Option<u64> {
		let hash = self.rpc("chain_getFinalizedHead", serde_json::json!([]))?;
		let header = self.rpc("chain_getHeader", serde_json::json!([hash]))?;
		u64::from_str_radix(header["number"].as_str()?.trim_start_matches("0x"), 16).ok()
	}

	fn exited(&mut self) -> bool {
		!matches!(self.child.try_wait(), Ok(None))
	}

	fn log(&self) -> String {
		std::fs::read_to_string(&self.log).unwrap_or_default()
	}
}

impl Drop for Node {
	fn drop(&mut self) {
		let _ = self.child.kill();
		let _ = self.child.wait();
	}
}

fn free_port() -> u16 {
	TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port()
}

#[test]
fn alice_and_bob_author_and_finalise_blocks() {
	let alice_p2p = free_port();
	let mut alice = Node::start(
		"alice",
		&["--port".into(), alice_p2p.to_string(), "--node-key".into(), ALICE_NODE_KEY.into()],
	);
	let mut bob = Node::start(
		"bob",
		&[
			"--port".into(),
			free_port().to_string(),
			"--node-key".into(),
			BOB_NODE_KEY.into(),
			"--bootnodes".into(),
			format!("/ip4/127.0.0.1/tcp/{alice_p2p}/p2p/{ALICE_PEER_ID}"),
		],
	);

	// Six-second slots shared by two authorities; GRANDPA needs both to finalise.
	let deadline = Instant::now() + Duration::from_secs(180);
	let mut finalised = (0, 0);
	while Instant::now() < deadline {
		finalised = (alice.finalised_number().unwrap_or(0), bob.finalised_number().unwrap_or(0));
		if finalised.0 >= 3 && finalised.1 >= 3 || alice.exited() || bob.exited() {
			break;
		}
		std::thread::sleep(Duration::from_secs(2));
	}
	assert!(
		finalised.0 >= 3 && finalised.1 >= 3,
		"finalised heads (alice, bob) = {finalised:?}\n--- alice ---\n{}\n--- bob ---\n{}",
		alice.log(),
		bob.log()
	);
	let chain = alice.rpc("system_chain", serde_json::json!([])).expect("system_chain");
	assert_eq!(chain, "ehr-chain local testnet");
	let authored_by_both =
		alice.log().contains("Pre-sealed block") && bob.log().contains("Pre-sealed block");
	assert!(authored_by_both, "both validators author blocks in their slots");
}
