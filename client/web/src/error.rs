//! Why a call of the web crate failed, as the page sees it: a JavaScript `Error` whose `name`
//! says what kind of failure it is (so the page can react: ask the wallet again, try another
//! custodian, name the FHIR field) and whose message says it in words.
use ehr_custody_protocol::{BadReceipt, ProtocolError, Refusal};
use wasm_bindgen::JsValue;

/// A failure of the web crate.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
	/// The payload is not valid FHIR R4, or not of a record category; `path` names the field.
	#[error("invalid FHIR at {path}: {reason}")]
	InvalidFhir { path: String, reason: String },
	/// The custodian refused, and said why.
	#[error("the custodian refused: {0}")]
	Refused(Refusal),
	/// What answered is not a custodian of this protocol.
	#[error("HTTP {status} without a custody answer in it: not a custodian")]
	NotACustodian { status: u16 },
	/// The custodian's receipt is not one the chain would accept.
	#[error("{0}")]
	BadReceipt(BadReceipt),
	/// The archive codec failed (a bad piece, too few pieces, a payload that does not open).
	#[error("{0}")]
	Codec(#[from] ehr_archive_codec::Error),
	/// Sealing, opening or randomness failed.
	#[error("{0}")]
	Protocol(#[from] ProtocolError),
	/// The page passed something malformed (a key of the wrong length, an unknown category).
	#[error("{what}: {reason}")]
	Input { what: &'static str, reason: String },
	/// The session key has no grant from the account yet.
	#[error("the session has no signed grant from the account yet")]
	NoGrant,
}

impl WebError {
	/// The error's kind, as the `name` of the JavaScript error: `InvalidFhir`, `Refused.NoTicket`
	/// (the custodian's refusal by name), `NotACustodian`, `BadReceipt`, `Codec`, `Protocol`,
	/// `Input`, `NoGrant`.
	pub fn name(&self) -> String {
		match self {
			WebError::InvalidFhir { .. } => "InvalidFhir".into(),
			WebError::Refused(refusal) => {
				let debug = format!("{refusal:?}");
				let variant = debug.split([' ', '{', '(']).next().unwrap_or_default();
				format!("Refused.{variant}")
			},
			WebError::NotACustodian { .. } => "NotACustodian".into(),
			WebError::BadReceipt(_) => "BadReceipt".into(),
			WebError::Codec(_) => "Codec".into(),
			WebError::Protocol(_) => "Protocol".into(),
			WebError::Input { .. } => "Input".into(),
			WebError::NoGrant => "NoGrant".into(),
		}
	}
}

impl From<WebError> for JsValue {
	fn from(error: WebError) -> JsValue {
		let js = js_sys::Error::new(&error.to_string());
		js.set_name(&error.name());
		if let WebError::InvalidFhir { path, reason } = &error {
			// The field to point the user at, and what is wrong with it; setting a property on
			// a fresh Error cannot fail.
			let _ = js_sys::Reflect::set(&js, &"field".into(), &path.into());
			let _ = js_sys::Reflect::set(&js, &"reason".into(), &reason.into());
		}
		js.into()
	}
}

impl From<ehr_fhir::FhirError> for WebError {
	fn from(error: ehr_fhir::FhirError) -> Self {
		match error {
			ehr_fhir::FhirError::InvalidFhir { path, reason } => {
				WebError::InvalidFhir { path, reason }
			},
			other => WebError::InvalidFhir { path: "$".into(), reason: other.to_string() },
		}
	}
}

/// `bytes` as a 32-byte key or account named `what`.
pub(crate) fn bytes32(what: &'static str, bytes: &[u8]) -> Result<[u8; 32], WebError> {
	bytes
		.try_into()
		.map_err(|_| WebError::Input { what, reason: format!("{} bytes, not 32", bytes.len()) })
}
