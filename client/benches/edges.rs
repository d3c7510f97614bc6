//! Resource limits at the node's two network edges, the custody service (HTTP) and the JSON-RPC
//! server, under hostile clients: one `ehr-node --dev`, everything on loopback, every attack
//! bounded in time. An honest client (127.0.0.1, a fresh connection a call) keeps calling the
//! custody status (`GET /custody/v1/status`) and `system_health` (HTTP `POST`) while an attacker
//! (127.0.0.2 where loopback allows it, else 127.0.0.1) does, against each edge in turn:
//! - **baseline**: nothing; the honest client's p50 and p95 over 50 calls;
//! - **idle burst**: opens up to 2,000 TCP connections (fewer if this process's open-file limit
//!   is lower) and holds them, sending nothing, for 15 s;
//! - **slowloris**: the same, each connection sending a request's headers one byte a second;
//! - **oversized**: a body far over the edge's limit, streamed as fast as it is read, once with
//!   its length declared and once chunked (no length);
//! - **slow bodies**: a body trickled at 4 bytes a second, and one that stalls after 1 KiB,
//!   watched for 75 s from the start of the bursts.
//!
//! Prints, for each attack: how many connections the node accepted (the TCP handshake completed)
//! and how many it closed, at once (within 1 s) or later, and when; the honest client's p50, p95
//! and failures meanwhile; and the node process's resident memory (VmRSS) and open file
//! descriptors (`/proc/<pid>/fd`), before, at their peak during the attack (sampled every
//! 50 ms), and 2 s after it. For an oversized body: the answer's status, the bytes sent before
//! it (what the node read, plus what the kernel's socket buffers held: up to a few MiB on
//! loopback), the time to the refusal and the node's memory.
//!
//! Run against the debug build the tests use (about two minutes after the node is up): build it
//! as `scripts/test.sh` does (`cargo build --workspace --all-targets --locked`), then run
//! `$CARGO_TARGET_DIR/debug/deps/edges-*` (it starts `debug/ehr-node`, or `EHR_NODE_BIN`).
//! `cargo bench` would build everything again in release.
#[path = "../tests/common/mod.rs"]
mod common;

use common::{ms, percentile, TestNode};
use ehr_client::subxt::ext::futures::{stream, StreamExt};
use std::{
	net::{IpAddr, Ipv4Addr, SocketAddr},
	path::Path,
	sync::{
		atomic::{AtomicBool, Ordering},
		Arc,
	},
	time::{Duration, Instant},
};
use tokio::{
	io::{AsyncReadExt, AsyncWriteExt},
	net::{TcpSocket, TcpStream},
	sync::Mutex,
	task::JoinHandle,
};

/// Connections an attack opens, at most.
const BURST: usize = 2_000;
/// How long an attack holds its connections.
const HOLD: Duration = Duration::from_secs(15);
/// Calls of the honest client for its baseline.
const BASELINE_CALLS: usize = 50;
/// The honest client's pause between calls during an attack.
const HONEST_EVERY: Duration = Duration::from_millis(100);
/// The honest client gives up on a call after this long.
const CALL_TIMEOUT: Duration = Duration::from_secs(5);
/// How long the slow bodies are watched.
const SLOW_WATCH: Duration = Duration::from_secs(75);
/// How long an oversized body is streamed, at most.
const OVERSIZED_FOR: Duration = Duration::from_secs(20);
const MIB: u64 = 1 << 20;

/// One of the node's network edges.
#[derive(Clone)]
struct Edge {
	name: &'static str,
	addr: SocketAddr,
	/// The honest client's call, a whole HTTP/1.1 request with `Connection: close`.
	honest: Arc<Vec<u8>>,
	/// Where requests with a body go.
	post_path: &'static str,
	content_type: &'static str,
	/// The first bytes of a body, the rest being filler.
	body_start: &'static [u8],
}

impl Edge {
	fn custody(port: u16) -> Edge {
		let honest = format!(
			"GET /custody/v1/status HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
		);
		Edge {
			name: "custody",
			addr: SocketAddr::from((Ipv4Addr::LOCALHOST, port)),
			honest: Arc::new(honest.into_bytes()),
			post_path: "/custody/v1/put",
			content_type: "application/octet-stream",
			body_start: b"",
		}
	}

	fn rpc(port: u16) -> Edge {
		let body = r#"{"jsonrpc":"2.0","id":1,"method":"system_health","params":[]}"#;
		let honest = format!(
			"POST / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n\
			 Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
			body.len()
		);
		Edge {
			name: "rpc",
			addr: SocketAddr::from((Ipv4Addr::LOCALHOST, port)),
			honest: Arc::new(honest.into_bytes()),
			post_path: "/",
			content_type: "application/json",
			body_start: br#"{"jsonrpc":"2.0","id":1,"method":"system_health","params":[""#,
		}
	}

	/// The headers of a `POST` with a body of `length` bytes, or chunked if `None`.
	fn post_headers(&self, length: Option<u64>) -> Vec<u8> {
		let length = match length {
			Some(n) => format!("Content-Length: {n}"),
			None => "Transfer-Encoding: chunked".to_owned(),
		};
		format!(
			"POST {} HTTP/1.1\r\nHost: {}\r\nContent-Type: {}\r\n{length}\r\n\r\n",
			self.post_path, self.addr, self.content_type
		)
		.into_bytes()
	}
}

/// The node process's resident memory (KiB) and open files.
#[derive(Clone, Copy, Default)]
struct Usage {
	rss_kib: u64,
	fds: u64,
}

impl Usage {
	fn of(pid: u32) -> Usage {
		let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
		let field = |text: &str, name: &str| {
			text.lines()
				.find_map(|line| line.strip_prefix(name))
				.and_then(|rest| rest.split_whitespace().next()?.parse().ok())
				.unwrap_or(0)
		};
		let fds = std::fs::read_dir(format!("/proc/{pid}/fd")).map_or(0, |dir| dir.count() as u64);
		Usage { rss_kib: field(&status, "VmRSS:"), fds }
	}

	fn max(self, other: Usage) -> Usage {
		Usage { rss_kib: self.rss_kib.max(other.rss_kib), fds: self.fds.max(other.fds) }
	}
}

/// Samples the node's usage every 50 ms until stopped, keeping the peak.
struct Sampler {
	stop: Arc<AtomicBool>,
	task: JoinHandle<Usage>,
}

impl Sampler {
	fn start(pid: u32) -> Sampler {
		let stop = Arc::new(AtomicBool::new(false));
		let flag = stop.clone();
		let task = tokio::spawn(async move {
			let mut peak = Usage::of(pid);
			while !flag.load(Ordering::Relaxed) {
				peak = peak.max(Usage::of(pid));
				tokio::time::sleep(Duration::from_millis(50)).await;
			}
			peak.max(Usage::of(pid))
		});
		Sampler { stop, task }
	}

	async fn peak(self) -> Usage {
		self.stop.store(true, Ordering::Relaxed);
		self.task.await.expect("the sampler")
	}
}

/// The pid of the node whose base path is under `dir` (the harness keeps its `Child` to itself).
fn node_pid(dir: &Path) -> u32 {
	let needle = dir.to_string_lossy().into_owned();
	std::fs::read_dir("/proc")
		.expect("/proc")
		.flatten()
		.filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
		.find(|pid| {
			std::fs::read(format!("/proc/{pid}/cmdline"))
				.is_ok_and(|cmdline| String::from_utf8_lossy(&cmdline).contains(&needle))
		})
		.expect("the node's process")
}

/// This process's soft limit on open files, and how many it has open.
fn own_files() -> (u64, u64) {
	let limits = std::fs::read_to_string("/proc/self/limits").unwrap_or_default();
	let soft = limits
		.lines()
		.find(|line| line.starts_with("Max open files"))
		.and_then(|line| line.split_whitespace().nth(3)?.parse().ok())
		.unwrap_or(1024);
	let open = std::fs::read_dir("/proc/self/fd").map_or(0, |dir| dir.count() as u64);
	(soft, open)
}

/// The attacker's address: 127.0.0.2 if this host routes it to loopback, else 127.0.0.1.
fn attacker_ip() -> IpAddr {
	let other = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2));
	match std::net::TcpListener::bind((other, 0)) {
		Ok(_) => other,
		Err(_) => IpAddr::V4(Ipv4Addr::LOCALHOST),
	}
}

async fn connect_from(from: IpAddr, to: SocketAddr) -> std::io::Result<TcpStream> {
	let socket = TcpSocket::new_v4()?;
	socket.bind(SocketAddr::new(from, 0))?;
	let stream = tokio::time::timeout(Duration::from_secs(2), socket.connect(to))
		.await
		.map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "connect"))??;
	stream.set_nodelay(true)?;
	Ok(stream)
}

/// One honest call: its latency, or why it failed.
async fn honest_call(edge: &Edge) -> Result<Duration, String> {
	let started = Instant::now();
	let call = async {
		let mut stream =
			TcpStream::connect(edge.addr).await.map_err(|e| format!("connect: {e}"))?;
		stream.write_all(&edge.honest).await.map_err(|e| format!("write: {e}"))?;
		let mut answer = Vec::new();
		stream.read_to_end(&mut answer).await.map_err(|e| format!("read: {e}"))?;
		if answer.starts_with(b"HTTP/1.1 200") {
			Ok(started.elapsed())
		} else {
			let line = answer.split(|b| *b == b'\r').next().unwrap_or_default();
			Err(format!("answer {:?}", String::from_utf8_lossy(line)))
		}
	};
	tokio::time::timeout(CALL_TIMEOUT, call).await.unwrap_or_else(|_| Err("timed out".into()))
}

/// The honest client's latencies and failures.
#[derive(Default)]
struct Honest {
	latencies: Vec<Duration>,
	failures: usize,
	first_failure: Option<String>,
}

impl Honest {
	fn record(&mut self, result: Result<Duration, String>) {
		match result {
			Ok(latency) => self.latencies.push(latency),
			Err(reason) => {
				self.failures += 1;
				self.first_failure.get_or_insert(reason);
			},
		}
	}

	fn summary(&mut self) -> String {
		let calls = self.latencies.len() + self.failures;
		let figures = if self.latencies.is_empty() {
			"no answer".to_owned()
		} else {
			format!(
				"p50 {}, p95 {}",
				ms(percentile(&mut self.latencies, 0.5)),
				ms(percentile(&mut self.latencies, 0.95))
			)
		};
		let failures = match &self.first_failure {
			Some(reason) => format!("{} of {calls} failed (first: {reason})", self.failures),
			None => format!("0 of {calls} failed"),
		};
		format!("{figures}; {failures}")
	}
}

/// The honest client calling every [`HONEST_EVERY`] until `stop` is set.
fn honest_during(edge: Edge, stop: Arc<AtomicBool>) -> JoinHandle<Honest> {
	tokio::spawn(async move {
		let mut honest = Honest::default();
		while !stop.load(Ordering::Relaxed) {
			honest.record(honest_call(&edge).await);
			tokio::time::sleep(HONEST_EVERY).await;
		}
		honest
	})
}

#[derive(Clone, Copy, PartialEq)]
enum Attack {
	Idle,
	Slowloris,
}

/// What happened to an attack's connections.
#[derive(Default)]
struct Burst {
	tried: usize,
	opened: usize,
	/// When the node closed each connection it closed, after it was opened.
	closed_after: Vec<Duration>,
	connect_error: Option<String>,
}

/// Holds one connection for `until`, idle or as slowloris: when the node closed it, if it did.
async fn hold(
	mut stream: TcpStream,
	attack: Attack,
	headers: Vec<u8>,
	until: Instant,
) -> Option<Duration> {
	let opened = Instant::now();
	let (mut reader, mut writer) = stream.split();
	let mut buf = [0u8; 1024];
	let mut written = 0;
	let mut tick = tokio::time::interval(Duration::from_secs(1));
	let deadline = tokio::time::Instant::from_std(until);
	loop {
		tokio::select! {
			_ = tokio::time::sleep_until(deadline) => return None,
			read = reader.read(&mut buf) => match read {
				// An answer (a timeout's 408) or the end: the node is done with it.
				Ok(0) | Err(_) => return Some(opened.elapsed()),
				Ok(_) => {},
			},
			_ = tick.tick(), if attack == Attack::Slowloris => {
				// The request line and a first header at once, then one byte a second of a
				// header that never ends.
				let next: &[u8] = if written == 0 { &headers } else { b"a" };
				if writer.write_all(next).await.is_err() {
					return Some(opened.elapsed());
				}
				written += next.len();
			},
		}
	}
}

async fn burst(edge: &Edge, attack: Attack, from: IpAddr, count: usize) -> Burst {
	let headers =
		format!("POST {} HTTP/1.1\r\nHost: {}\r\nX-Slow: ", edge.post_path, edge.addr).into_bytes();
	let until = Instant::now() + HOLD;
	let addr = edge.addr;
	let mut result = Burst { tried: count, ..Burst::default() };
	let mut holders = Vec::new();
	let mut connects =
		stream::iter(0..count).map(|_| connect_from(from, addr)).buffer_unordered(128);
	while let Some(connected) = connects.next().await {
		match connected {
			Ok(stream) => {
				result.opened += 1;
				holders.push(tokio::spawn(hold(stream, attack, headers.clone(), until)));
			},
			Err(e) => {
				result.connect_error.get_or_insert(e.to_string());
			},
		}
	}
	for holder in holders {
		if let Ok(Some(after)) = holder.await {
			result.closed_after.push(after);
		}
	}
	result
}

fn kib(k: u64) -> String {
	format!("{:.1} MiB", k as f64 / 1024.0)
}

fn usage_row(before: Usage, peak: Usage, after: Usage) -> String {
	format!(
		"RSS {} / peak {} / after {}; fds {} / peak {} / after {}",
		kib(before.rss_kib),
		kib(peak.rss_kib),
		kib(after.rss_kib),
		before.fds,
		peak.fds,
		after.fds
	)
}

async fn settle() {
	tokio::time::sleep(Duration::from_secs(2)).await;
}

async fn baseline(edge: &Edge) -> String {
	let mut honest = Honest::default();
	for _ in 0..BASELINE_CALLS {
		honest.record(honest_call(edge).await);
	}
	honest.summary()
}

async fn attack(edge: &Edge, attack: Attack, pid: u32, from: IpAddr, count: usize) {
	let name = match attack {
		Attack::Idle => "idle burst",
		Attack::Slowloris => "slowloris",
	};
	let before = Usage::of(pid);
	let sampler = Sampler::start(pid);
	let stop = Arc::new(AtomicBool::new(false));
	let honest = honest_during(edge.clone(), stop.clone());
	let started = Instant::now();
	let mut burst = burst(edge, attack, from, count).await;
	stop.store(true, Ordering::Relaxed);
	let peak = sampler.peak().await;
	let mut honest = honest.await.expect("the honest client");
	settle().await;
	let after = Usage::of(pid);
	let at_once = burst.closed_after.iter().filter(|d| **d < Duration::from_secs(1)).count();
	let later = burst.closed_after.len() - at_once;
	let when = if later > 0 {
		let mut late: Vec<_> =
			burst.closed_after.iter().copied().filter(|d| *d >= Duration::from_secs(1)).collect();
		format!(" (after p50 {:.1} s, max {:.1} s)", percentile(&mut late, 0.5).as_secs_f64(), {
			late.iter().max().copied().unwrap_or_default().as_secs_f64()
		})
	} else {
		String::new()
	};
	let open = burst.opened - burst.closed_after.len();
	let failed = burst.tried - burst.opened;
	let connect_error = burst.connect_error.take().map(|e| format!(" ({e})")).unwrap_or_default();
	println!(
		"{:<8} {name:<11} | {} connections from {from}, the attack over after {:.1} s",
		edge.name,
		burst.tried,
		started.elapsed().as_secs_f64()
	);
	println!("{:<8} {:<11} |   accepted {}, not accepted {failed}{connect_error}; closed by the node: {at_once} at once, {later} later{when}; {open} still open after {} s", "", "", burst.opened, HOLD.as_secs());
	println!("{:<8} {:<11} |   honest client meanwhile: {}", "", "", honest.summary());
	println!("{:<8} {:<11} |   node {}", "", "", usage_row(before, peak, after));
}

/// Streams a body of `total` bytes (declared, or chunked) until the node answers or closes, or
/// [`OVERSIZED_FOR`] passes.
async fn oversized(edge: &Edge, pid: u32, total: u64, declared: bool) {
	let before = Usage::of(pid);
	let sampler = Sampler::start(pid);
	let started = Instant::now();
	let mut stream = TcpStream::connect(edge.addr).await.expect("connect");
	let (mut reader, mut writer) = stream.split();
	let headers = edge.post_headers(declared.then_some(total));
	let sent = Arc::new(Mutex::new(0u64));
	let sending = {
		let sent = sent.clone();
		async move {
			writer.write_all(&headers).await?;
			let chunk = vec![b'a'; 64 << 10];
			let mut body_start = edge.body_start.to_vec();
			let mut left = total;
			while left > 0 {
				let n = left.min(chunk.len() as u64) as usize;
				let mut piece = std::mem::take(&mut body_start);
				piece.extend_from_slice(&chunk[..n - piece.len().min(n)]);
				if declared {
					writer.write_all(&piece).await?;
				} else {
					writer.write_all(format!("{:x}\r\n", piece.len()).as_bytes()).await?;
					writer.write_all(&piece).await?;
					writer.write_all(b"\r\n").await?;
				}
				*sent.lock().await += piece.len() as u64;
				left -= piece.len() as u64;
			}
			if !declared {
				writer.write_all(b"0\r\n\r\n").await?;
			}
			// All sent: wait for the answer.
			std::future::pending::<std::io::Result<()>>().await
		}
	};
	let mut buf = vec![0u8; 4096];
	let outcome = tokio::time::timeout(OVERSIZED_FOR, async {
		let first = tokio::select! {
			n = reader.read(&mut buf) => Ok(n.unwrap_or(0)),
			sent = sending => Err(sent.err().map(|e| e.to_string()).unwrap_or_default()),
		};
		let n = match first {
			Ok(n) => n,
			// Closed while sending: the answer may have come before the end.
			Err(error) => {
				match tokio::time::timeout(Duration::from_secs(1), reader.read(&mut buf)).await {
					Ok(Ok(n)) if n > 0 => n,
					_ => return format!("closed while sending ({error}), no answer"),
				}
			},
		};
		let line = String::from_utf8_lossy(&buf[..n]).lines().next().map(str::to_owned);
		line.unwrap_or_else(|| "closed, no answer".to_owned())
	})
	.await
	.unwrap_or_else(|_| format!("no answer within {} s", OVERSIZED_FOR.as_secs()));
	let elapsed = started.elapsed();
	let sent = *sent.lock().await;
	let peak = sampler.peak().await;
	drop(stream);
	settle().await;
	let after = Usage::of(pid);
	let how = if declared { "length declared" } else { "chunked" };
	println!(
		"{:<8} {:<11} | {} MiB, {how}: {outcome:?} after {}; {:.1} MiB sent before it",
		edge.name,
		"oversized",
		total / MIB,
		ms(elapsed),
		sent as f64 / MIB as f64,
	);
	println!("{:<8} {:<11} |   node {}", "", "", usage_row(before, peak, after));
}

/// A body trickled (4 bytes a second) or stalled (1 KiB, then nothing): when and how the node
/// let go of it, if it did within [`SLOW_WATCH`].
async fn slow_body(edge: Edge, trickle: bool) -> String {
	let started = Instant::now();
	let Ok(mut stream) = TcpStream::connect(edge.addr).await else {
		return "could not connect".to_owned();
	};
	let (mut reader, mut writer) = stream.split();
	let sending = async {
		writer.write_all(&edge.post_headers(Some(MIB))).await?;
		writer.write_all(edge.body_start).await?;
		if trickle {
			loop {
				tokio::time::sleep(Duration::from_secs(1)).await;
				writer.write_all(b"aaaa").await?;
			}
		}
		writer.write_all(&[b'a'; 1024]).await?;
		std::future::pending::<std::io::Result<()>>().await
	};
	let answer = async {
		let mut buf = vec![0u8; 4096];
		let n = reader.read(&mut buf).await.unwrap_or(0);
		if n == 0 {
			"closed without an answer".to_owned()
		} else {
			String::from_utf8_lossy(&buf[..n]).lines().next().unwrap_or_default().to_owned()
		}
	};
	let outcome = tokio::time::timeout(SLOW_WATCH, async {
		tokio::select! {
			line = answer => line,
			sent = sending => format!("closed while sending ({})", sent.err().map(|e| e.to_string()).unwrap_or_default()),
		}
	})
	.await;
	match outcome {
		Ok(line) => format!("{line:?} after {:.1} s", started.elapsed().as_secs_f64()),
		Err(_) => format!("still held after {} s", SLOW_WATCH.as_secs()),
	}
}

#[tokio::main]
async fn main() {
	let node = TestNode::dev().await;
	let pid = node_pid(node.dir.path());
	let edges = [Edge::custody(node.custody_port), Edge::rpc(node.rpc_port)];
	let from = attacker_ip();
	let (soft, open) = own_files();
	// Room for this process's own files, the honest client and the slow bodies.
	let count = BURST.min(soft.saturating_sub(open + 256) as usize);
	println!(
		"\nehr-node --dev (pid {pid}): custody on {}, RPC on {}; attacker {from}, {count} connections an attack \
		 (open-file limit {soft})",
		edges[0].addr, edges[1].addr
	);
	// Wait for the custody service too (it starts with the node, after the RPC may).
	for _ in 0..100 {
		if honest_call(&edges[0]).await.is_ok() {
			break;
		}
		tokio::time::sleep(Duration::from_millis(100)).await;
	}
	println!("{:<8} {:<11} | ", "edge", "attack");
	for edge in &edges {
		println!(
			"{:<8} {:<11} | honest client, {BASELINE_CALLS} calls: {}; node {}",
			edge.name,
			"baseline",
			baseline(edge).await,
			{
				let u = Usage::of(pid);
				format!("RSS {}, fds {}", kib(u.rss_kib), u.fds)
			}
		);
	}
	let slow: Vec<_> = edges
		.iter()
		.flat_map(|edge| {
			[true, false].map(|trickle| {
				let edge = edge.clone();
				tokio::spawn(async move { (edge.name, trickle, slow_body(edge, trickle).await) })
			})
		})
		.collect();
	for edge in &edges {
		attack(edge, Attack::Idle, pid, from, count).await;
		attack(edge, Attack::Slowloris, pid, from, count).await;
	}
	for edge in &edges {
		oversized(edge, pid, 256 * MIB, true).await;
		oversized(edge, pid, 256 * MIB, false).await;
	}
	for task in slow {
		let (name, trickle, outcome) = task.await.expect("a slow body");
		let how =
			if trickle { "1 MiB declared, 4 B/s" } else { "1 MiB declared, stalls after 1 KiB" };
		println!("{name:<8} {:<11} | {how}: {outcome}", "slow body");
	}
	for edge in &edges {
		println!(
			"{:<8} {:<11} | honest client, {BASELINE_CALLS} calls: {}",
			edge.name,
			"after",
			baseline(edge).await
		);
	}
}
