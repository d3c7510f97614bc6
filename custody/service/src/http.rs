//! The custody service over HTTP/1.1 (axum), as `ehr_custody_protocol::api` defines it:
//! `POST` a call's SCALE request as the body, get its SCALE answer or refusal back; pieces are
//! bytes in the body, bounded by the largest piece the custodian takes.
//!
//! Browsers call it directly: every origin may (CORS, with the preflight for the binary
//! content type), since a call is authorised by the signatures and tickets it carries, never by
//! cookies or the caller's origin. The work of a call (HPKE, signatures, hashing and disk) runs
//! on the blocking pool, off the async workers.
//!
//! What a client may hold of the node is bounded ([`HttpConfig`]): its connections (per client
//! address and node-wide), how long it may take to send a request's headers and its body, and
//! the calls in flight, admitted before a body is read so that only that many bodies are held
//! in memory at once. A body whose declared length is over the limit is refused before any of
//! it is read.
use crate::{limits::Admitted, Chain, CustodyService};
use axum::{
	body::Body,
	extract::{ConnectInfo, Request, State},
	http::{header, HeaderMap, HeaderValue, Method, StatusCode},
	response::{IntoResponse, Response},
	routing::{get, post},
	Json, Router,
};
use codec::DecodeAll;
use ehr_custody_protocol::{
	api::{self, Call},
	Refusal,
};
use hyper_util::rt::{TokioIo, TokioTimer};
use std::{net::SocketAddr, sync::Arc, time::Duration};
use tower::ServiceExt;
use tower_http::{
	cors::{Any, CorsLayer},
	timeout::{TimeoutBody, TimeoutError, TimeoutLayer},
};

/// Bytes a request may carry beyond its piece: keys, signatures, commitments of up to 255
/// pieces and the HPKE tag.
const REQUEST_OVERHEAD: usize = 64 << 10;

/// How the HTTP connections of the custody service are bounded, so that a burst of
/// connections, slow clients or oversized requests cannot take the node's file descriptors or
/// memory, nor keep honest clients out for long.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HttpConfig {
	/// Most connections open at once, all clients together (at least one). Each holds one of
	/// the node's file descriptors, which its database and peer-to-peer network share; beyond
	/// it, new connections wait in the listener's backlog (bounded by the kernel) until one
	/// closes.
	pub max_connections: usize,
	/// Most connections open at once from one client address; more are closed as soon as they
	/// are accepted, so that one client cannot take all of `max_connections` (clients behind
	/// one NAT share it, as they share the rate limit).
	pub max_connections_per_client: usize,
	/// Time a client has to send a request's headers, from when its connection opens or its
	/// previous answer was sent: a connection left idle, or sending its headers a byte at a
	/// time (slowloris), is closed after it. Also the longest a body may pause.
	pub header_timeout: Duration,
	/// Time a call may take from its headers to its answer, its body's upload included: a
	/// body trickled slowly is refused (408) after it, freeing its place among the calls in
	/// flight. A put of the largest piece must arrive within it (64 MiB in 60 s: 9 Mbit/s).
	pub request_timeout: Duration,
}

impl Default for HttpConfig {
	fn default() -> Self {
		Self {
			max_connections: 1024,
			max_connections_per_client: 32,
			header_timeout: Duration::from_secs(10),
			request_timeout: Duration::from_secs(60),
		}
	}
}

/// A call the service answers.
pub trait Serve<M: Call> {
	/// The service's answer to `request`, a call already admitted.
	fn serve(&self, admitted: &Admitted, request: &M::Request) -> Result<M::Answer, Refusal>;
}

impl<C: Chain> Serve<api::Put> for CustodyService<C> {
	fn serve(
		&self,
		admitted: &Admitted,
		request: &ehr_custody_protocol::SignedPutRequest,
	) -> Result<ehr_custody_protocol::PutReceipt, Refusal> {
		self.put_admitted(admitted, request)
	}
}

impl<C: Chain> Serve<api::Get> for CustodyService<C> {
	fn serve(
		&self,
		admitted: &Admitted,
		request: &ehr_custody_protocol::SignedGetRequest,
	) -> Result<ehr_custody_protocol::SealedPiece, Refusal> {
		self.get_admitted(admitted, request)
	}
}

/// The largest body a call may carry under `service`'s limits.
fn max_body<C: Chain>(service: &CustodyService<C>) -> usize {
	usize::try_from(service.config().max_piece_bytes)
		.unwrap_or(usize::MAX)
		.saturating_add(REQUEST_OVERHEAD)
}

/// The routes of the custody service over `service`. [`serve`] them: the calls need the
/// client's address (`ConnectInfo<SocketAddr>`) for the rate limit, and the connections their
/// limits.
pub fn router<C: Chain + 'static>(service: Arc<CustodyService<C>>) -> Router {
	let cors = CorsLayer::new()
		.allow_origin(Any)
		.allow_methods([Method::GET, Method::POST])
		.allow_headers([header::CONTENT_TYPE]);
	let request_timeout = service.http_config().request_timeout;
	Router::new()
		.route(api::Put::PATH, post(call::<C, api::Put>))
		.route(api::Get::PATH, post(call::<C, api::Get>))
		.route(api::STATUS_PATH, get(status::<C>))
		.layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, request_timeout))
		.layer(cors)
		.with_state(service)
}

/// The length a request declares for its body, if it does.
fn declared_length(headers: &HeaderMap) -> Option<u64> {
	headers.get(header::CONTENT_LENGTH)?.to_str().ok()?.parse().ok()
}

/// Whether `error` or one of its causes is an `E`.
fn caused_by<E: std::error::Error + 'static>(error: &(dyn std::error::Error + 'static)) -> bool {
	let mut cause = Some(error);
	while let Some(error) = cause {
		if error.is::<E>() {
			return true;
		}
		cause = error.source();
	}
	false
}

async fn call<C, M>(
	State(service): State<Arc<CustodyService<C>>>,
	ConnectInfo(peer): ConnectInfo<SocketAddr>,
	request: Request,
) -> Response
where
	C: Chain + 'static,
	M: Call + 'static,
	M::Request: Send,
	M::Answer: Send,
	CustodyService<C>: Serve<M>,
{
	let max = max_body(&service);
	let max_u64 = u64::try_from(max).unwrap_or(u64::MAX);
	// Too large by its own account: refused before a byte of it is read.
	if let Some(size) = declared_length(request.headers()).filter(|size| *size > max_u64) {
		return refused(&Refusal::TooLarge { size, max: max_u64 });
	}
	// Admitted before the body is read: only the calls in flight hold a body in memory.
	let admitted = match service.admit(peer.ip()) {
		Ok(admitted) => admitted,
		Err(refusal) => return refused(&refusal),
	};
	let body = match axum::body::to_bytes(request.into_body(), max).await {
		Ok(body) => body,
		Err(e) if caused_by::<http_body_util::LengthLimitError>(&e) => {
			// A body without a declared length, cut at the limit: at least one byte over it.
			return refused(&Refusal::TooLarge { size: max_u64.saturating_add(1), max: max_u64 });
		},
		Err(e) if caused_by::<TimeoutError>(&e) => {
			return (StatusCode::REQUEST_TIMEOUT, "the body paused for too long").into_response();
		},
		Err(e) => {
			return refused(&Refusal::Malformed { reason: format!("the body was cut: {e}") });
		},
	};
	let answer = tokio::task::spawn_blocking(move || {
		let request = M::Request::decode_all(&mut &body[..]).map_err(|e| Refusal::Malformed {
			reason: format!("the body is not the call's request: {e}"),
		})?;
		service.serve(&admitted, &request)
	})
	.await
	.unwrap_or_else(|e| Err(Refusal::Internal { reason: format!("the call failed: {e}") }));
	let (status, bytes) = api::answer_bytes::<M>(&answer);
	binary(status, bytes)
}

async fn status<C: Chain + 'static>(State(service): State<Arc<CustodyService<C>>>) -> Response {
	match service.status() {
		Ok(status) => Json(status).into_response(),
		Err(refusal) => binary(refusal.http_status(), codec::Encode::encode(&refusal)),
	}
}

fn refused(refusal: &Refusal) -> Response {
	binary(refusal.http_status(), codec::Encode::encode(refusal))
}

fn binary(status: u16, bytes: Vec<u8>) -> Response {
	let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
	(status, [(header::CONTENT_TYPE, HeaderValue::from_static(api::BINARY))], bytes).into_response()
}

/// Serves the custody routes of `service` on `listener` (HTTP/1.1), within the service's
/// [`HttpConfig`], until the future is dropped.
///
/// Nagle's algorithm is off on every connection: with it, the last partial segment of an
/// answer may wait for the client's delayed acknowledgement (40 ms on Linux).
pub async fn serve<C: Chain + 'static>(
	listener: tokio::net::TcpListener,
	service: Arc<CustodyService<C>>,
) -> std::io::Result<()> {
	let config = *service.http_config();
	let connections = crate::limits::ConnectionLimits::new(
		config.max_connections,
		config.max_connections_per_client,
	);
	let app = router(service);
	let mut http1 = hyper::server::conn::http1::Builder::new();
	http1.timer(TokioTimer::new()).header_read_timeout(config.header_timeout);
	loop {
		// Accept only with a place free: beyond the cap, the kernel's backlog holds them.
		let place = connections.free_place().await;
		let (tcp, peer) = match listener.accept().await {
			Ok(accepted) => accepted,
			Err(e) if is_connection_error(&e) => continue,
			Err(e) => {
				// Out of file descriptors, say: wait for some to be freed rather than spin
				// (as hyper and axum do).
				tracing::warn!(target: "custody", error = %e, "cannot accept a connection");
				tokio::time::sleep(Duration::from_secs(1)).await;
				continue;
			},
		};
		let Some(place) = connections.open(place, peer.ip()) else {
			tracing::debug!(target: "custody", client = %peer.ip(), "too many connections from one address: closed");
			continue;
		};
		if let Err(e) = tcp.set_nodelay(true) {
			tracing::debug!(target: "custody", error = %e, "cannot turn Nagle's algorithm off");
		}
		let app = app.clone();
		let body_timeout = config.header_timeout;
		let service = hyper::service::service_fn(move |request: Request<hyper::body::Incoming>| {
			// A body that pauses for longer than the headers may take fails to be read.
			let mut request = request.map(|body| Body::new(TimeoutBody::new(body_timeout, body)));
			request.extensions_mut().insert(ConnectInfo(peer));
			app.clone().oneshot(request)
		});
		let connection = http1.serve_connection(TokioIo::new(tcp), service);
		tokio::spawn(async move {
			if let Err(e) = connection.await {
				tracing::debug!(target: "custody", client = %peer.ip(), error = %e, "connection ended");
			}
			drop(place);
		});
	}
}

/// An error of one connection, not of the listener.
fn is_connection_error(e: &std::io::Error) -> bool {
	use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
	matches!(e.kind(), ConnectionRefused | ConnectionAborted | ConnectionReset)
}

#[cfg(test)]
mod tests {
	use crate::tests::{fixture, keypair, write, NEW_RECORD};
	use ehr_archive_codec::Piece;
	use ehr_custody_client::{CallError, Custodians};
	use ehr_custody_protocol::{api, open_piece, Refusal};

	/// Puts and gets over a real HTTP listener, as the Rust client and a browser make them.
	#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
	async fn pieces_travel_as_bytes_and_refusals_as_typed_answers() {
		let f = fixture();
		let (doctor, patient) = (keypair(1), keypair(2));
		f.allow_write(&doctor, &patient);
		let (write, encoded) = write(&doctor, &patient, 1);
		let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
		let endpoint = format!("http://{}", listener.local_addr().unwrap());
		tokio::spawn(super::serve(listener, f.service.clone()));
		let custodians = Custodians::new();

		// A put: the sealed piece goes up as bytes (no hex), the receipt comes back.
		let put = f.put_request((write, NEW_RECORD), &encoded, 0, &doctor);
		let body_len = codec::Encode::encoded_size(&put);
		assert!(body_len < encoded.pieces[0].to_bytes().len() + 1024, "{body_len} bytes");
		let receipt = custodians.call::<api::Put>(&endpoint, &put).await.expect("put");
		assert_eq!(receipt.piece_hash, encoded.commitments.piece_hashes[0]);

		// A get refused, then served once the ticket is final.
		f.anchor(3, &write, &encoded, 0);
		let (get, _) = f.get_request(&patient, 3, crate::now_ms());
		match custodians.call::<api::Get>(&endpoint, &get).await {
			Err(CallError::Refused { refusal: Refusal::NoTicket { record: 3 }, .. }) => {},
			other => panic!("expected NoTicket, got {other:?}"),
		}
		f.chain.0.lock().unwrap().tickets.insert((crate::tests::account(&patient), 3));
		let (fresh, fresh_secret) = f.get_request(&patient, 3, crate::now_ms());
		let sealed = custodians.call::<api::Get>(&endpoint, &fresh).await.expect("get");
		let piece = open_piece(&sealed, &fresh_secret, &fresh.request).unwrap();
		assert_eq!(Piece::from_bytes(&piece).unwrap(), encoded.pieces[0]);

		// The status is JSON.
		let status = custodians.status(&endpoint).await.expect("status");
		assert_eq!((status.pieces, status.pending), (1, 0));

		let http = reqwest::Client::new();
		// A body that is not the call's request: 400 with the typed refusal.
		let answer = http
			.post(format!("{endpoint}{}", <api::Get as api::Call>::PATH))
			.body(vec![1, 2, 3])
			.send()
			.await
			.unwrap();
		assert_eq!(answer.status(), 400);
		let body = answer.bytes().await.unwrap();
		assert!(matches!(
			api::read_answer::<api::Get>(400, &body),
			Err(Some(Refusal::Malformed { .. }))
		));
		// A body over the largest piece and its overhead: 413, before any work.
		let answer = http
			.post(format!("{endpoint}{}", <api::Put as api::Call>::PATH))
			.body(vec![0u8; (1 << 20) + super::REQUEST_OVERHEAD + 1])
			.send()
			.await
			.unwrap();
		assert_eq!(answer.status(), 413);
	}

	/// What a page on another origin does before its binary `POST`: the CORS preflight, then
	/// the call with an `Origin`.
	#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
	async fn browsers_on_any_origin_may_call_after_the_preflight() {
		let f = fixture();
		let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
		let endpoint = format!("http://{}", listener.local_addr().unwrap());
		tokio::spawn(super::serve(listener, f.service.clone()));
		let http = reqwest::Client::new();
		let url = format!("{endpoint}{}", <api::Get as api::Call>::PATH);
		let preflight = http
			.request(reqwest::Method::OPTIONS, &url)
			.header("Origin", "http://localhost:5173")
			.header("Access-Control-Request-Method", "POST")
			.header("Access-Control-Request-Headers", "content-type")
			.send()
			.await
			.unwrap();
		assert!(preflight.status().is_success(), "{}", preflight.status());
		let headers = preflight.headers();
		assert_eq!(headers["access-control-allow-origin"], "*");
		assert!(headers["access-control-allow-methods"].to_str().unwrap().contains("POST"));
		assert!(headers["access-control-allow-headers"]
			.to_str()
			.unwrap()
			.to_ascii_lowercase()
			.contains("content-type"));
		let patient = keypair(2);
		let (get, _) = f.get_request(&patient, 1, crate::now_ms());
		let answer = http
			.post(&url)
			.header("Origin", "http://localhost:5173")
			.header("Content-Type", api::BINARY)
			.body(codec::Encode::encode(&get))
			.send()
			.await
			.unwrap();
		assert_eq!(answer.status(), 403);
		assert_eq!(answer.headers()["access-control-allow-origin"], "*");
	}
}
