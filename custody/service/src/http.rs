//! The custody service over HTTP/1.1 (axum), as `ehr_custody_protocol::api` defines it:
//! `POST` a call's SCALE request as the body, get its SCALE answer or refusal back; pieces are
//! bytes in the body, bounded by the largest piece the custodian takes.
//!
//! Browsers call it directly: every origin may (CORS, with the preflight for the binary
//! content type), since a call is authorised by the signatures and tickets it carries, never by
//! cookies or the caller's origin. The work of a call (HPKE, signatures, hashing and disk) runs
//! on the blocking pool, off the async workers.
use crate::{Chain, CustodyService};
use axum::{
	body::Bytes,
	extract::{ConnectInfo, DefaultBodyLimit, State},
	http::{header, HeaderValue, Method, StatusCode},
	response::{IntoResponse, Response},
	routing::{get, post},
	Json, Router,
};
use codec::DecodeAll;
use ehr_custody_protocol::{
	api::{self, Call},
	Refusal,
};
use std::{net::SocketAddr, sync::Arc};
use tower_http::cors::{Any, CorsLayer};

/// Bytes a request may carry beyond its piece: keys, signatures, commitments of up to 255
/// pieces and the HPKE tag.
const REQUEST_OVERHEAD: usize = 64 << 10;

/// A call the service answers.
pub trait Serve<M: Call> {
	/// The service's answer to `request` from `client`.
	fn serve(&self, client: std::net::IpAddr, request: &M::Request) -> Result<M::Answer, Refusal>;
}

impl<C: Chain> Serve<api::Put> for CustodyService<C> {
	fn serve(
		&self,
		client: std::net::IpAddr,
		request: &ehr_custody_protocol::SignedPutRequest,
	) -> Result<ehr_custody_protocol::PutReceipt, Refusal> {
		self.put(client, request)
	}
}

impl<C: Chain> Serve<api::Get> for CustodyService<C> {
	fn serve(
		&self,
		client: std::net::IpAddr,
		request: &ehr_custody_protocol::SignedGetRequest,
	) -> Result<ehr_custody_protocol::SealedPiece, Refusal> {
		self.get(client, request)
	}
}

/// The routes of the custody service over `service`. Serve them with
/// `into_make_service_with_connect_info::<SocketAddr>()`: the rate limit is per client address.
pub fn router<C: Chain + 'static>(service: Arc<CustodyService<C>>) -> Router {
	let max_body = usize::try_from(service.config().max_piece_bytes)
		.unwrap_or(usize::MAX)
		.saturating_add(REQUEST_OVERHEAD);
	let cors = CorsLayer::new()
		.allow_origin(Any)
		.allow_methods([Method::GET, Method::POST])
		.allow_headers([header::CONTENT_TYPE]);
	Router::new()
		.route(api::Put::PATH, post(call::<C, api::Put>))
		.route(api::Get::PATH, post(call::<C, api::Get>))
		.route(api::STATUS_PATH, get(status::<C>))
		.layer(DefaultBodyLimit::max(max_body))
		.layer(cors)
		.with_state(service)
}

async fn call<C, M>(
	State(service): State<Arc<CustodyService<C>>>,
	ConnectInfo(peer): ConnectInfo<SocketAddr>,
	body: Bytes,
) -> Response
where
	C: Chain + 'static,
	M: Call + 'static,
	M::Request: Send,
	M::Answer: Send,
	CustodyService<C>: Serve<M>,
{
	let answer = tokio::task::spawn_blocking(move || {
		let request = M::Request::decode_all(&mut &body[..]).map_err(|e| Refusal::Malformed {
			reason: format!("the body is not the call's request: {e}"),
		})?;
		service.serve(peer.ip(), &request)
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

fn binary(status: u16, bytes: Vec<u8>) -> Response {
	let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
	(status, [(header::CONTENT_TYPE, HeaderValue::from_static(api::BINARY))], bytes).into_response()
}

/// Serves the custody routes of `service` on `listener` until the future is dropped.
///
/// Nagle's algorithm is off on every connection: with it, the last partial segment of an
/// answer may wait for the client's delayed acknowledgement (40 ms on Linux).
pub async fn serve<C: Chain + 'static>(
	listener: tokio::net::TcpListener,
	service: Arc<CustodyService<C>>,
) -> std::io::Result<()> {
	use axum::serve::ListenerExt;
	let listener = listener.tap_io(|tcp| {
		if let Err(e) = tcp.set_nodelay(true) {
			tracing::debug!(target: "custody", error = %e, "cannot turn Nagle's algorithm off");
		}
	});
	axum::serve(listener, router(service).into_make_service_with_connect_info::<SocketAddr>()).await
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
