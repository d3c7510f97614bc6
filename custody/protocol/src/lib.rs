//! What custodian nodes of ehr-chain and their clients say to each other, in one place: the
//! messages and their checks, the custody receipt the chain verifies ([`CustodyReceipt`], the
//! only part built `no_std`, for the runtime), the HTTP calls that carry them ([`api`]) and the
//! typed refusals ([`Refusal`]).
//!
//! Reading a piece (docs/ARCHITECTURE.md §4, "Read a record" step 2):
//!
//! 1. The reader, holding a live ticket of `pallet-ehr-access` for the record, sends a
//!    [`GetRequest`] naming the chain, the custodian, the record, a fresh X25519 key and a
//!    nonce, signed with its sr25519 account key ([`SignedGetRequest`]).
//! 2. The custodian checks the signature ([`SignedGetRequest::verify`]) and that the request is
//!    for this chain and this custodian; the node then checks the ticket against chain state
//!    (this crate has no chain); and last the request's freshness ([`ReplayGuard`]: issued
//!    within a window around the custodian's clock, nonce never seen in that window), so that
//!    only authorised requests take room in the guard.
//! 3. The custodian answers its piece sealed to the request's X25519 key with HPKE (RFC 9180,
//!    base mode, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20-Poly1305), the request's
//!    SCALE bytes as associated data ([`seal_piece`]); only the holder of the ephemeral secret
//!    opens it ([`open_piece`]), and only for that request. An eavesdropper, or a relay that
//!    swapped answers between requests, learns and changes nothing.
//!
//! Writers send pieces the other way, sealed to the custodian's registered X25519 key
//! ([`PutRequest`]), so a piece (which carries a key share) never crosses the network in clear,
//! signed by the author ([`SignedPutRequest`]) so that a custodian takes room only for writes
//! the chain allows; the custodian answers a [`PutReceipt`] whose signature covers the
//! [`CustodyReceipt`] of the piece.
//!
//! Signatures are schnorrkel's sr25519 with the `substrate` signing context, so a reader signs
//! with the same key (and the same library calls) as its transactions, and the node verifies as
//! `sp_core::sr25519` does.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

mod receipt;
pub use receipt::{CustodyReceipt, ReceiptFor, RECEIPT_DOMAIN};

#[cfg(feature = "std")]
pub mod api;
#[cfg(feature = "std")]
mod messages;
#[cfg(feature = "std")]
mod refusal;
#[cfg(feature = "std")]
mod session;
#[cfg(feature = "std")]
pub use {messages::*, refusal::*, session::*};

#[cfg(all(test, feature = "std"))]
mod tests;

/// The threshold `k` a writer uses when its caller gives none, for a record spread over
/// `custodians`: a majority, so that the record survives the loss of the others and a minority
/// learns nothing.
#[cfg(feature = "std")]
pub fn default_threshold(custodians: usize) -> u8 {
	u8::try_from(custodians.div_ceil(2).max(1)).unwrap_or(u8::MAX)
}
