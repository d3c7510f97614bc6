//! ehr-chain in the browser: the web app (`ui/`) validates, encrypts, disperses and reads
//! records with the Rust client's own crates, compiled to WebAssembly, instead of a second
//! implementation in JavaScript (docs/ARCHITECTURE.md §8).
//!
//! - [`validate_fhir`]: the FHIR R4 gate and the record category (`ehr-fhir`).
//! - [`Session`]: a session key the account grants once in its wallet, so that custody requests
//!   are signed in the page rather than one wallet prompt per custodian
//!   (`ehr_custody_protocol::SessionGrant`).
//! - [`RecordWrite`]: encode a record (`ehr-archive-codec`), seal and sign one put per
//!   custodian, check each receipt as the chain will.
//! - [`RecordRead`]: one signed get per custodian, each answer opened and checked against the
//!   on-chain commitment, then decoded.
//!
//! The page does the I/O (chain transactions with @polkadot/api, `fetch` to custodians at
//! [`put_path`] and [`get_path`]); everything here is pure, so it is tested natively
//! (`tests/`) and in the browser tests alike. Errors reach JavaScript as `Error`s named by kind
//! ([`WebError::name`]).
mod error;
mod read;
mod session;
mod write;

pub use error::WebError;
pub use read::{PieceRequest, RecordRead};
pub use session::Session;
pub use write::{Receipt, RecordWrite};

use ehr_custody_protocol::api::{self, Call};
use wasm_bindgen::prelude::*;

/// Validates `json` as FHIR R4 and gives the record category it files under, by name (e.g.
/// `Condition`); an `InvalidFhir` error names the field at fault.
#[wasm_bindgen(js_name = validateFhir)]
pub fn validate_fhir(json: &[u8]) -> Result<String, WebError> {
	Ok(format!("{:?}", ehr_fhir::validate_record(json, None)?))
}

/// The threshold `k` for a record spread over `custodians` when the user chooses none.
#[wasm_bindgen(js_name = defaultThreshold)]
pub fn default_threshold(custodians: usize) -> u8 {
	ehr_custody_protocol::default_threshold(custodians)
}

/// The approvals a registrars' motion needs among `members` registrars (the chain's quorum).
#[wasm_bindgen(js_name = registrarThreshold)]
pub fn registrar_threshold(members: u32) -> u32 {
	ehr_types::registrar_threshold(members)
}

/// Where a put is `POST`ed on a custodian's endpoint.
#[wasm_bindgen(js_name = putPath)]
pub fn put_path() -> String {
	api::Put::PATH.into()
}

/// Where a get is `POST`ed on a custodian's endpoint.
#[wasm_bindgen(js_name = getPath)]
pub fn get_path() -> String {
	api::Get::PATH.into()
}

/// The answer of call `C` in a custodian's HTTP answer, or its refusal.
fn answer<C: Call>(status: u16, body: &[u8]) -> Result<C::Answer, WebError> {
	match api::read_answer::<C>(status, body) {
		Ok(answer) => Ok(answer),
		Err(Some(refusal)) => Err(WebError::Refused(refusal)),
		Err(None) => Err(WebError::NotACustodian { status }),
	}
}
