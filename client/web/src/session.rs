//! The page's custody session: a session key whose grant the account signs once in its wallet
//! (`signRaw`), after which every custody request of the session is signed in the page.
use crate::error::{bytes32, WebError};
use ehr_custody_protocol::{Delegation, SessionGrant, SessionKey};
use wasm_bindgen::prelude::*;

/// A session key, its grant, and (once the wallet signed it) the delegation requests carry.
#[wasm_bindgen]
pub struct Session {
	key: SessionKey,
	grant: SessionGrant,
	delegation: Option<Delegation>,
}

#[wasm_bindgen]
impl Session {
	/// A fresh session key granted by `account` on the chain `genesis_hash` from `now_ms` for
	/// `lifetime_ms` (custodians accept at most 12 hours); the grant still needs the account's
	/// signature ([`Session::grant_payload`], [`Session::accept_signature`]).
	#[wasm_bindgen(constructor)]
	pub fn new(
		genesis_hash: &[u8],
		account: &[u8],
		now_ms: f64,
		lifetime_ms: f64,
	) -> Result<Session, WebError> {
		let key = SessionKey::generate()?;
		let grant = key.grant(
			bytes32("genesis hash", genesis_hash)?,
			bytes32("account", account)?,
			now_ms as u64,
			lifetime_ms as u64,
		);
		Ok(Session { key, grant, delegation: None })
	}

	/// The bytes the account signs to grant the session (a wallet's `signRaw` wraps them in
	/// `<Bytes>…</Bytes>` first, which custodians accept).
	#[wasm_bindgen(js_name = grantPayload)]
	pub fn grant_payload(&self) -> Vec<u8> {
		self.grant.signing_payload()
	}

	/// Completes the grant with the account's 64-byte sr25519 `signature`.
	#[wasm_bindgen(js_name = acceptSignature)]
	pub fn accept_signature(&mut self, signature: &[u8]) -> Result<(), WebError> {
		let signature = signature.try_into().map_err(|_| WebError::Input {
			what: "grant signature",
			reason: format!("{} bytes, not 64 (an sr25519 signature)", signature.len()),
		})?;
		self.delegation = Some(Delegation { grant: self.grant.clone(), signature });
		Ok(())
	}

	/// When the grant expires, in milliseconds since the Unix epoch.
	#[wasm_bindgen(getter, js_name = expiresAtMs)]
	pub fn expires_at_ms(&self) -> f64 {
		self.grant.expires_at_ms as f64
	}

	/// The account that granted the session.
	#[wasm_bindgen(getter)]
	pub fn account(&self) -> Vec<u8> {
		self.grant.account.to_vec()
	}
}

impl Session {
	/// The key and its signed grant, to sign a request with.
	pub(crate) fn signer(&self) -> Result<(&SessionKey, Delegation), WebError> {
		let delegation = self.delegation.clone().ok_or(WebError::NoGrant)?;
		Ok((&self.key, delegation))
	}

	/// The chain the session is for.
	pub(crate) fn genesis_hash(&self) -> [u8; 32] {
		self.grant.genesis_hash
	}
}
