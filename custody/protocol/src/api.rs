//! The custody service's HTTP interface, named once for the custodian (which serves it) and its
//! clients (the Rust client, the CLI, the browser through the same crate in WebAssembly).
//!
//! Each call is a `POST` of a SCALE-encoded request ([`BINARY`]) to the call's path; a `2xx`
//! answer carries the SCALE encoding of the call's answer, any other the SCALE encoding of a
//! [`Refusal`] under [`Refusal::http_status`]. Pieces travel as bytes: a 1 MiB piece is a
//! body of 1 MiB and some. [`STATUS_PATH`] answers JSON ([`CustodyStatus`]) to a `GET`.
//!
//! A client names a call by its type ([`Put`], [`Get`]), whose request and answer types are
//! fixed here, so that a renamed path or changed message cannot compile on one side only.

#[cfg(doc)]
use crate::CustodyStatus;
use crate::{PutReceipt, Refusal, SealedPiece, SignedGetRequest, SignedPutRequest};
use codec::{Decode, DecodeAll, Encode};

/// Content type of requests, answers and refusals.
pub const BINARY: &str = "application/octet-stream";

/// `GET`: the custodian's keys and store use, as JSON ([`CustodyStatus`]).
pub const STATUS_PATH: &str = "/custody/v1/status";

/// A call of the custody service.
pub trait Call {
	/// Where it is `POST`ed.
	const PATH: &'static str;
	/// What the client sends.
	type Request: Encode + Decode;
	/// What a custodian that accepts answers.
	type Answer: Encode + Decode;
}

/// Keep a piece: the writer's signed, sealed piece in; the custodian's receipt out.
pub struct Put;

impl Call for Put {
	const PATH: &'static str = "/custody/v1/put";
	type Request = SignedPutRequest;
	type Answer = PutReceipt;
}

/// Serve a piece: the reader's signed request in; the piece sealed to the request out.
pub struct Get;

impl Call for Get {
	const PATH: &'static str = "/custody/v1/get";
	type Request = SignedGetRequest;
	type Answer = SealedPiece;
}

/// The answer of a call as a custodian sends it: the answer's or the refusal's bytes, with
/// the HTTP status.
pub fn answer_bytes<C: Call>(answer: &Result<C::Answer, Refusal>) -> (u16, Vec<u8>) {
	match answer {
		Ok(answer) => (200, answer.encode()),
		Err(refusal) => (refusal.http_status(), refusal.encode()),
	}
}

/// What a client makes of a custodian's HTTP answer with `status` and `body`: the call's
/// answer, the custodian's refusal, or `Err(None)` if the body is neither (not a custodian).
pub fn read_answer<C: Call>(status: u16, body: &[u8]) -> Result<C::Answer, Option<Refusal>> {
	if (200..300).contains(&status) {
		C::Answer::decode_all(&mut &body[..]).map_err(|_| None)
	} else {
		Err(Refusal::decode_all(&mut &body[..]).ok())
	}
}
