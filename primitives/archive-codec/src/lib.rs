//! Archive codec of ehr-chain: "secret sharing made short" (Krawczyk, 1993).
//!
//! Instead of Shamir-sharing a whole record (every share as large as the record,
//! and one lost share loses it), [`encode`]:
//!
//! 1. draws a fresh 256-bit key `K` from the operating system;
//! 2. cuts the payload into `k` parts and encrypts each in place into its own
//!    fragment with segmented AES-256-GCM, the record id bound as associated
//!    data: the `k` fragments are `C = AEAD(K, payload, record id)`;
//! 3. adds `n - k` systematic Reed-Solomon parity fragments, each, like the `k`
//!    originals, `ceil(|payload| / k)` bytes plus a few tags and padding;
//! 4. Shamir-shares `K` into `n` shares, any `k` of which rebuild it;
//! 5. commits to every piece, `h_i = BLAKE3(F_i, S_i, i)`, and to all of them with
//!    a root that also binds the record id and the parameters.
//!
//! Piece `i` = (`i`, fragment `F_i`, key share `S_i`) goes to custodian `i`.
//! See the crate's README for the wire format, limits and measured speed.
//!
//! [`decode`] checks every piece against its commitment, drops and reports the
//! bad ones, rebuilds `K` and `C` from any `k` good pieces and decrypts. It never
//! returns bytes that failed a check.
//!
//! Without the `std` feature the crate keeps the wire types and the commitment
//! checks ([`Commitments::verify_piece`], [`Commitments::root`]) for the runtime.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

#[cfg(feature = "std")]
mod aead;
#[cfg(feature = "std")]
mod archive;
mod commitment;
#[cfg(feature = "std")]
mod erasure;
mod error;
mod layout;
#[cfg(feature = "std")]
mod shares;
mod wire;

pub use commitment::{archive_record_id, piece_hash};
pub use error::{Error, Reason, Rejected};
pub use layout::{
	Layout, FRAGMENT_ALIGN, HASH_LEN, KEY_LEN, MAX_PAYLOAD_LEN, MAX_PIECES, MAX_SEGMENT_SIZE,
	SEGMENT_SIZE, TAG_LEN, VERSION,
};
pub use wire::{Commitments, Hash, KeyShare, Piece, RecordId, Version};

#[cfg(feature = "std")]
pub use archive::{
	decode, encode, encode_into, encode_with_key_and_rng, regenerate, Decoded, Encoded,
};
