//! The HTTP edge under hostile clients, in-process on loopback with small limits and timeouts: a
//! burst of connections, headers or a body sent slowly, a body over the limit. Each attacker
//! sends from its own loopback address (127.0.0.2, …) and the honest client from 127.0.0.1,
//! as clients on other hosts would. Nothing here asserts how fast anything is: a timeout of
//! the tests' own only turns a hang into a failure.
use crate::{
	http::{serve, HttpConfig},
	tests::{config, fixture_with, Fixture},
	CustodyService, ServiceConfig,
};
use ehr_custody_protocol::{api, Refusal};
use std::{
	net::{Ipv4Addr, SocketAddr},
	sync::Arc,
	time::Duration,
};
use tokio::{
	io::{AsyncReadExt, AsyncWriteExt},
	net::{TcpSocket, TcpStream},
};

/// Longer than anything here should take; reaching it fails the test rather than hang it.
const HANG: Duration = Duration::from_secs(30);
/// Long enough never to expire during a test.
const NEVER: Duration = Duration::from_secs(3600);

/// A custodian over a fake chain served on a loopback port with `http` as its limits.
async fn served(service: ServiceConfig, http: HttpConfig) -> (Fixture, SocketAddr) {
	let Fixture { service, chain, custodian, x25519_public, _dir } = fixture_with(service, 1 << 30);
	let service = Arc::try_unwrap(service)
		.unwrap_or_else(|_| panic!("the fixture's service is shared"))
		.with_http_config(http);
	let service: Arc<CustodyService<_>> = Arc::new(service);
	let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
	let addr = listener.local_addr().unwrap();
	tokio::spawn(serve(listener, service.clone()));
	(Fixture { service, chain, custodian, x25519_public, _dir }, addr)
}

fn limits(max_connections: usize, per_client: usize) -> HttpConfig {
	HttpConfig {
		max_connections,
		max_connections_per_client: per_client,
		header_timeout: NEVER,
		request_timeout: NEVER,
	}
}

/// A connection to `addr` from the loopback address `127.0.0.<host>`.
async fn connect_from(host: u8, addr: SocketAddr) -> TcpStream {
	let socket = TcpSocket::new_v4().unwrap();
	socket
		.bind(SocketAddr::from((Ipv4Addr::new(127, 0, 0, host), 0)))
		.expect("loopback routes 127.0.0.0/8");
	socket.connect(addr).await.unwrap()
}

/// The status line of the answer on `stream`, or `None` if the node closed it without one.
async fn answer(stream: &mut TcpStream) -> Option<String> {
	let mut answer = Vec::new();
	let read = async {
		let mut buf = [0u8; 1024];
		while !answer.windows(2).any(|w| w == b"\r\n") {
			match stream.read(&mut buf).await {
				Ok(0) | Err(_) => break,
				Ok(n) => answer.extend_from_slice(&buf[..n]),
			}
		}
	};
	tokio::time::timeout(HANG, read).await.expect("neither an answer nor the end");
	let line = answer.split(|b| *b == b'\r').next().unwrap_or_default();
	(!answer.is_empty()).then(|| String::from_utf8_lossy(line).into_owned())
}

/// The whole answer on `stream`, which the node closes after it. A node that closes with part
/// of the request unread resets the connection, after its answer: what came before is kept.
async fn whole_answer(stream: &mut TcpStream) -> Vec<u8> {
	let mut answer = Vec::new();
	let _ended_or_reset =
		tokio::time::timeout(HANG, stream.read_to_end(&mut answer)).await.expect("no end");
	answer
}

fn status_request(addr: SocketAddr) -> String {
	format!("GET {} HTTP/1.1\r\nHost: {addr}\r\n\r\n", api::STATUS_PATH)
}

/// Whether a fresh connection from 127.0.0.1 gets the status (and is closed after it).
async fn honest_client_served(addr: SocketAddr) -> bool {
	let mut stream = connect_from(1, addr).await;
	let request =
		format!("GET {} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n", api::STATUS_PATH);
	stream.write_all(request.as_bytes()).await.unwrap();
	whole_answer(&mut stream).await.starts_with(b"HTTP/1.1 200 OK\r\n")
}

/// Waits until `calls` calls are in flight on `f`'s service.
async fn in_flight(f: &Fixture, calls: usize) {
	let wait = async {
		while f.service.limits.in_flight() != calls {
			tokio::time::sleep(Duration::from_millis(10)).await;
		}
	};
	tokio::time::timeout(HANG, wait).await.expect("the calls in flight never reached the count");
}

/// The `Refusal` at the end of a whole answer.
fn refusal(answer: &[u8]) -> Refusal {
	let at = answer.windows(4).position(|w| w == b"\r\n\r\n").expect("headers") + 4;
	codec::Decode::decode(&mut &answer[at..]).expect("a SCALE refusal")
}

/// One address cannot take more than its share of the connections: the extra ones are closed
/// as soon as they are accepted, its others are served, and so is everyone else. Over the
/// node-wide cap, a new connection is served only once another closes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_connections_is_capped_and_honest_clients_are_served() {
	let (_f, addr) = served(config(), limits(5, 3)).await;
	// The attacker opens 10 and sends nothing.
	let mut attacker = Vec::new();
	for _ in 0..10 {
		attacker.push(connect_from(2, addr).await);
	}
	let mut closed = 0;
	let mut kept = Vec::new();
	for mut stream in attacker {
		// Ask for the status on each: the kept ones answer it, the others were closed.
		let _ = stream.write_all(status_request(addr).as_bytes()).await;
		match answer(&mut stream).await {
			None => closed += 1,
			Some(line) => {
				assert_eq!(line, "HTTP/1.1 200 OK");
				kept.push(stream);
			},
		}
	}
	assert_eq!((kept.len(), closed), (3, 7), "3 kept of 10 from one address");
	assert!(honest_client_served(addr).await, "the honest client is served meanwhile");

	// Two more from another address reach the node-wide cap of 5: the next waits.
	let _second = [connect_from(3, addr).await, connect_from(3, addr).await];
	let mut waiting = connect_from(4, addr).await;
	waiting.write_all(status_request(addr).as_bytes()).await.unwrap();
	let mut buf = [0u8; 1];
	assert!(
		tokio::time::timeout(Duration::from_millis(300), waiting.read(&mut buf)).await.is_err(),
		"over the node-wide cap, a connection waits for a place"
	);
	drop(kept.pop());
	assert_eq!(answer(&mut waiting).await.as_deref(), Some("HTTP/1.1 200 OK"));
}

/// Headers sent a byte at a time, or not at all, keep a connection only until the header
/// timeout: its place is then free for others.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_or_missing_headers_are_dropped_after_the_header_timeout() {
	let http = HttpConfig { header_timeout: Duration::from_millis(300), ..limits(2, 2) };
	let (_f, addr) = served(config(), http).await;
	// Idle: connected, nothing sent.
	let mut idle = connect_from(2, addr).await;
	// Slowloris: a request line, then a header a byte every 50 ms that never ends.
	let mut slow = connect_from(2, addr).await;
	let trickle = async {
		slow.write_all(format!("GET / HTTP/1.1\r\nHost: {addr}\r\nX-Slow: ").as_bytes()).await?;
		loop {
			tokio::time::sleep(Duration::from_millis(50)).await;
			slow.write_all(b"a").await?;
			let mut buf = [0u8; 64];
			// The node closed it (a read of 0), or it is still open (nothing to read yet).
			if let Ok(Ok(0) | Err(_)) =
				tokio::time::timeout(Duration::ZERO, slow.read(&mut buf)).await
			{
				return Ok::<_, std::io::Error>(());
			}
		}
	};
	// Dropped while trickling: a failed write (reset) or the end of the stream.
	let _ = tokio::time::timeout(HANG, trickle).await.expect("the slow header was never dropped");
	assert_eq!(answer(&mut idle).await, None, "the idle connection is closed, unanswered");
	// Their places are free again, whatever the address.
	assert!(honest_client_served(addr).await);
	assert!(honest_client_served(addr).await);
}

/// A body trickled in, or one that stops, is refused (408) and frees its place among the
/// calls in flight, which it took before any of it was read.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_bodies_are_refused_and_free_their_place() {
	let put = <api::Put as api::Call>::PATH;
	let post = |length: usize| {
		format!("POST {put} HTTP/1.1\r\nHost: x\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n")
	};
	let http = HttpConfig {
		header_timeout: Duration::from_millis(300),
		request_timeout: Duration::from_millis(1500),
		..limits(8, 8)
	};
	let (f, addr) = served(ServiceConfig { max_in_flight: 1, ..config() }, http).await;

	// A body of 1000 bytes, 1 byte every 50 ms: within the pause allowed, not the whole time.
	let mut trickled = connect_from(2, addr).await;
	trickled.write_all(post(1000).as_bytes()).await.unwrap();
	trickled.write_all(b"a").await.unwrap();
	in_flight(&f, 1).await;
	// It holds the one place in flight: another call is refused as busy, before its body.
	let mut other = connect_from(3, addr).await;
	other.write_all(post(10).as_bytes()).await.unwrap();
	let refused = whole_answer(&mut other).await;
	assert_eq!(refusal(&refused), Refusal::Busy);
	let trickle = async {
		loop {
			tokio::time::sleep(Duration::from_millis(50)).await;
			if trickled.write_all(b"a").await.is_err() {
				break;
			}
			let mut buf = [0u8; 64];
			if let Ok(Ok(n)) = tokio::time::timeout(Duration::ZERO, trickled.peek(&mut buf)).await {
				if n > 0 {
					break;
				}
			}
		}
	};
	tokio::time::timeout(HANG, trickle).await.expect("the trickled body was never refused");
	assert_eq!(answer(&mut trickled).await.as_deref(), Some("HTTP/1.1 408 Request Timeout"));

	// A body that stops after 10 of its 1000 bytes.
	let mut stalled = connect_from(2, addr).await;
	stalled.write_all(post(1000).as_bytes()).await.unwrap();
	stalled.write_all(&[0; 10]).await.unwrap();
	assert_eq!(answer(&mut stalled).await.as_deref(), Some("HTTP/1.1 408 Request Timeout"));

	// The place is free: a call is admitted, read and decoded (and refused as malformed).
	in_flight(&f, 0).await;
	let mut after = connect_from(3, addr).await;
	after.write_all(post(3).as_bytes()).await.unwrap();
	after.write_all(&[1, 2, 3]).await.unwrap();
	assert!(matches!(refusal(&whole_answer(&mut after).await), Refusal::Malformed { .. }));
}

/// A body declared over the limit is refused before any of it is sent; one of unknown length
/// (chunked) is refused once it passes the limit, the bytes read never more than it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_bodies_are_refused_at_the_limit() {
	let (f, addr) = served(config(), limits(8, 8)).await;
	let put = <api::Put as api::Call>::PATH;
	let max = f.service.config().max_piece_bytes + (64 << 10);
	let mut declared = connect_from(2, addr).await;
	declared
		.write_all(
			format!("POST {put} HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n", 1u64 << 40)
				.as_bytes(),
		)
		.await
		.unwrap();
	// Not a byte of the body sent: the answer comes from the headers alone.
	assert_eq!(
		refusal(&whole_answer(&mut declared).await),
		Refusal::TooLarge { size: 1 << 40, max }
	);

	let mut chunked = connect_from(2, addr).await;
	chunked
		.write_all(
			format!("POST {put} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
				.as_bytes(),
		)
		.await
		.unwrap();
	let chunk = vec![0u8; 64 << 10];
	let mut sent = 0u64;
	let sending = async {
		loop {
			chunked.write_all(format!("{:x}\r\n", chunk.len()).as_bytes()).await?;
			chunked.write_all(&chunk).await?;
			chunked.write_all(b"\r\n").await?;
			sent += chunk.len() as u64;
			if sent > 4 * max {
				return Ok::<_, std::io::Error>(());
			}
		}
	};
	tokio::time::timeout(HANG, sending).await.expect("sending hung").ok();
	assert_eq!(
		refusal(&whole_answer(&mut chunked).await),
		Refusal::TooLarge { size: max + 1, max }
	);
	// The place the call took is free again.
	assert!(honest_client_served(addr).await);
}
