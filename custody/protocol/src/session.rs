//! Session keys: one wallet approval per browser session instead of one per custodian call
//! (docs/ARCHITECTURE.md §3.6).
//!
//! A browser wallet (the Polkadot.js extension, Talisman, SubWallet) asks its user to approve
//! every signature, and a write signs one request per custodian, a read one per piece. So a page
//! draws a [`SessionKey`], has the account sign a [`SessionGrant`] naming it once, and signs its
//! custody requests with the session key, each carrying the signed grant ([`Delegation`]). A
//! custodian checks the grant (the account's signature, this chain, issued and not expired by
//! its clock, no longer than [`MAX_SESSION_MS`]) and then the request's signature by the session
//! key; what the chain decides (the ticket, the right to write) is still asked of the account.
//!
//! Wallets sign raw bytes wrapped as `<Bytes>…</Bytes>`, so that a signed message can never pass
//! for a transaction; a grant signed either way is accepted.

use codec::{Decode, Encode};
use zeroize::Zeroizing;

use crate::{ProtocolError, Refusal};

/// Domain tag of the bytes an account signs to grant a session.
pub const SESSION_GRANT_CONTEXT: &[u8] = b"ehr-chain custody session v1";
/// The longest session a custodian accepts, from issue to expiry: 12 hours.
pub const MAX_SESSION_MS: u64 = 12 * 60 * 60 * 1000;
/// How far ahead of the custodian's clock a grant may be issued (clocks differ).
pub const SESSION_CLOCK_SKEW_MS: u64 = 5 * 60 * 1000;
/// What browser wallets put around raw bytes before they sign them.
const WRAP: (&[u8], &[u8]) = (b"<Bytes>", b"</Bytes>");

/// An account's word that `session_key` may sign custody requests for it on one chain until
/// `expires_at_ms`.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct SessionGrant {
	/// Genesis hash of the chain the session is for.
	pub genesis_hash: [u8; 32],
	/// The account (its sr25519 public key) that grants the session.
	pub account: [u8; 32],
	/// The session's sr25519 public key.
	pub session_key: [u8; 32],
	/// When it was issued, milliseconds since the Unix epoch.
	pub issued_at_ms: u64,
	/// When it ends, milliseconds since the Unix epoch.
	pub expires_at_ms: u64,
}

/// A [`SessionGrant`] with the account's signature over [`SessionGrant::signing_payload`], or
/// over that payload wrapped as browser wallets sign raw bytes.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct Delegation {
	/// The grant.
	pub grant: SessionGrant,
	/// sr25519 signature by `grant.account`.
	pub signature: [u8; 64],
}

impl SessionGrant {
	/// The bytes the account signs: the context tag, then the grant's SCALE encoding.
	pub fn signing_payload(&self) -> Vec<u8> {
		let mut payload = SESSION_GRANT_CONTEXT.to_vec();
		self.encode_to(&mut payload);
		payload
	}
}

impl Delegation {
	/// Whether the grant lets its session key sign for `account` on the chain `genesis_hash`
	/// at `now_ms`; then the session key that must have signed the request.
	pub(crate) fn session_key_for(
		&self,
		account: &[u8; 32],
		genesis_hash: &[u8; 32],
		now_ms: u64,
	) -> Result<&[u8; 32], Refusal> {
		let grant = &self.grant;
		if grant.account != *account {
			return Err(Refusal::BadSession { reason: "granted by another account".into() });
		}
		if grant.genesis_hash != *genesis_hash {
			return Err(Refusal::WrongChain);
		}
		if grant.expires_at_ms.saturating_sub(grant.issued_at_ms) > MAX_SESSION_MS {
			return Err(Refusal::BadSession {
				reason: format!("longer than {} hours", MAX_SESSION_MS / 3_600_000),
			});
		}
		if grant.issued_at_ms > now_ms.saturating_add(SESSION_CLOCK_SKEW_MS) {
			return Err(Refusal::BadSession { reason: "issued in the future".into() });
		}
		if now_ms >= grant.expires_at_ms {
			return Err(Refusal::SessionExpired { expired_at_ms: grant.expires_at_ms, now_ms });
		}
		let payload = grant.signing_payload();
		let wrapped = [WRAP.0, &payload, WRAP.1].concat();
		crate::messages::verify_sr25519(account, &payload, &self.signature)
			.or_else(|_| crate::messages::verify_sr25519(account, &wrapped, &self.signature))?;
		Ok(&grant.session_key)
	}
}

/// A session's sr25519 key pair, drawn from the operating system's (or the browser's) random
/// source; its secret never leaves the page.
pub struct SessionKey {
	keypair: schnorrkel::Keypair,
}

impl SessionKey {
	/// A fresh session key.
	pub fn generate() -> Result<Self, ProtocolError> {
		let mut seed = Zeroizing::new([0u8; 32]);
		getrandom::fill(seed.as_mut()).map_err(|_| ProtocolError::Rng)?;
		let mini = schnorrkel::MiniSecretKey::from_bytes(seed.as_ref())
			.map_err(|_| ProtocolError::InvalidKey)?;
		Ok(Self { keypair: mini.expand_to_keypair(schnorrkel::ExpansionMode::Ed25519) })
	}

	/// Its public key, as a [`SessionGrant`] names it.
	pub fn public(&self) -> [u8; 32] {
		self.keypair.public.to_bytes()
	}

	/// The grant `account` signs for this key on the chain `genesis_hash`, from `now_ms` for
	/// `lifetime_ms` (at most [`MAX_SESSION_MS`]).
	pub fn grant(
		&self,
		genesis_hash: [u8; 32],
		account: [u8; 32],
		now_ms: u64,
		lifetime_ms: u64,
	) -> SessionGrant {
		SessionGrant {
			genesis_hash,
			account,
			session_key: self.public(),
			issued_at_ms: now_ms,
			expires_at_ms: now_ms.saturating_add(lifetime_ms.min(MAX_SESSION_MS)),
		}
	}

	/// Its sr25519 signature of `payload` in the `substrate` context, as an account signs.
	pub fn sign(&self, payload: &[u8]) -> [u8; 64] {
		self.keypair.sign_simple(crate::messages::SIGNING_CONTEXT, payload).to_bytes()
	}
}
