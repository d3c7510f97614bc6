//! A client of ehr-chain custodians: each call of `ehr_custody_protocol::api` is one `POST` of
//! SCALE bytes, answered with the call's answer or a typed [`Refusal`]. One [`Custodians`]
//! keeps a pool of keep-alive connections, so that repeated calls to a custodian reuse its
//! connection instead of opening one each time; share it (it is cheap to clone).
use codec::Encode;
use ehr_custody_protocol::{
	api::{self, Call},
	CustodyStatus, Refusal,
};
use std::time::Duration;

/// Why a custodian call gave no answer.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
	/// The custodian refused, and said why.
	#[error("custodian {endpoint} refused: {refusal}")]
	Refused { endpoint: String, refusal: Refusal },
	/// The custodian could not be reached, or the connection failed.
	#[error("custodian {endpoint} unreachable: {message}")]
	Unreachable { endpoint: String, message: String },
	/// Something answered that is not a custodian of this protocol.
	#[error("{endpoint} answered HTTP {status} with no custody answer in it")]
	NotACustodian { endpoint: String, status: u16 },
}

impl CallError {
	/// The custodian's refusal, if it refused.
	pub fn refusal(&self) -> Option<&Refusal> {
		match self {
			CallError::Refused { refusal, .. } => Some(refusal),
			_ => None,
		}
	}
}

/// Calls custodians, reusing connections.
#[derive(Clone, Debug)]
pub struct Custodians {
	http: reqwest::Client,
}

impl Default for Custodians {
	fn default() -> Self {
		Self::new()
	}
}

impl Custodians {
	/// A client with its own connection pool.
	pub fn new() -> Self {
		let builder = reqwest::Client::builder();
		#[cfg(not(target_arch = "wasm32"))]
		let builder = builder
			.connect_timeout(Duration::from_secs(10))
			.timeout(Duration::from_secs(300))
			.tcp_nodelay(true);
		// Only a TLS back end or a broken system resolver makes building fail; the default
		// client then still works for plain HTTP.
		Self { http: builder.build().unwrap_or_default() }
	}

	/// Makes the call `M` to the custodian at `endpoint` (its base URL, `http://host:port`).
	pub async fn call<M: Call>(
		&self,
		endpoint: &str,
		request: &M::Request,
	) -> Result<M::Answer, CallError> {
		let unreachable = |e: reqwest::Error| CallError::Unreachable {
			endpoint: endpoint.to_owned(),
			message: e.to_string(),
		};
		let answer = self
			.http
			.post(url(endpoint, M::PATH))
			.header(reqwest::header::CONTENT_TYPE, api::BINARY)
			.body(request.encode())
			.send()
			.await
			.map_err(unreachable)?;
		let status = answer.status().as_u16();
		let body = answer.bytes().await.map_err(unreachable)?;
		api::read_answer::<M>(status, &body).map_err(|refusal| match refusal {
			Some(refusal) => CallError::Refused { endpoint: endpoint.to_owned(), refusal },
			None => CallError::NotACustodian { endpoint: endpoint.to_owned(), status },
		})
	}

	/// What the custodian at `endpoint` says of itself.
	pub async fn status(&self, endpoint: &str) -> Result<CustodyStatus, CallError> {
		let unreachable = |e: reqwest::Error| CallError::Unreachable {
			endpoint: endpoint.to_owned(),
			message: e.to_string(),
		};
		let answer =
			self.http.get(url(endpoint, api::STATUS_PATH)).send().await.map_err(unreachable)?;
		let status = answer.status().as_u16();
		if !answer.status().is_success() {
			return Err(CallError::NotACustodian { endpoint: endpoint.to_owned(), status });
		}
		answer
			.json()
			.await
			.map_err(|_| CallError::NotACustodian { endpoint: endpoint.to_owned(), status })
	}
}

/// `endpoint` (with or without a trailing slash) joined with `path`.
fn url(endpoint: &str, path: &str) -> String {
	format!("{}{path}", endpoint.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
	#[test]
	fn paths_join_with_or_without_a_trailing_slash() {
		assert_eq!(super::url("http://h:1", "/custody/v1/get"), "http://h:1/custody/v1/get");
		assert_eq!(super::url("http://h:1/", "/custody/v1/get"), "http://h:1/custody/v1/get");
	}
}
