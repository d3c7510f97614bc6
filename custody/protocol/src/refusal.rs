//! Why a custodian refuses a request, as one typed, SCALE-encoded answer that both sides share,
//! and the HTTP status each refusal travels with.

use codec::{Decode, Encode};
use ehr_types::DenyReason;

/// Why a custodian refuses a request. The custodian answers with the refusal (the SCALE
/// encoding of this enum, under the HTTP status of [`Refusal::http_status`]) and no piece bytes.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, thiserror::Error)]
pub enum Refusal {
	/// The request's bytes do not decode as the message of the call, or its commitments or
	/// sealed piece do not decode or open.
	#[codec(index = 0)]
	#[error("malformed request: {reason}")]
	Malformed { reason: String },
	/// The signature does not verify for the account it names.
	#[codec(index = 1)]
	#[error("the request's signature does not verify")]
	BadSignature,
	/// The request names another chain.
	#[codec(index = 2)]
	#[error("the request is for another chain")]
	WrongChain,
	/// The request names another custodian.
	#[codec(index = 3)]
	#[error("the request is for another custodian")]
	WrongCustodian,
	/// Issued too long before or after the custodian's clock.
	#[codec(index = 4)]
	#[error("stale request: issued at {issued_at_ms} ms, custodian time {now_ms} ms, window ±{window_ms} ms")]
	Stale { issued_at_ms: u64, now_ms: u64, window_ms: u64 },
	/// The same reader and nonce were seen within the window.
	#[codec(index = 5)]
	#[error("replayed request")]
	Replayed,
	/// The chain, at its best block, does not let the author write this record for the
	/// patient.
	#[codec(index = 6)]
	#[error("the chain does not let the author write for this patient: {reason:?}")]
	NotAllowedToWrite { reason: DenyReason },
	/// The reader holds no live ticket for the record in the finalised chain.
	#[codec(index = 7)]
	#[error("no live ticket for record {record} in the finalised chain")]
	NoTicket { record: u64 },
	/// The record has no archive (or none in the finalised chain yet).
	#[codec(index = 8)]
	#[error("record {record} has no archive")]
	NoArchive { record: u64 },
	/// The patient had the record erased.
	#[codec(index = 9)]
	#[error("record {record} was erased")]
	Erased { record: u64 },
	/// The record's archive lists no piece of this custodian.
	#[codec(index = 10)]
	#[error("this custodian keeps no piece of record {record}")]
	NotCustodian { record: u64 },
	/// The piece's index is not one of the archive's `n`.
	#[codec(index = 11)]
	#[error("piece index {index} out of range: the archive has {n} pieces")]
	WrongIndex { index: u8, n: u8 },
	/// The piece does not match the commitments it came with.
	#[codec(index = 12)]
	#[error("the piece does not match its commitment: {reason}")]
	BadPiece { reason: String },
	/// A different piece is already held under this archive id and index.
	#[codec(index = 13)]
	#[error("a different piece {index} of this archive is already held")]
	AlreadyHeld { index: u8 },
	/// The piece is larger than the custodian takes.
	#[codec(index = 14)]
	#[error("piece of {size} bytes is over the limit of {max} bytes")]
	TooLarge { size: u64, max: u64 },
	/// Keeping the piece would exceed the custodian's quota.
	#[codec(index = 15)]
	#[error("quota exceeded: {needed} bytes needed, {free} bytes free of {quota}")]
	QuotaExceeded { needed: u64, free: u64, quota: u64 },
	/// Too many recent requests to remember them all, or too many at once on the node: try
	/// again shortly.
	#[codec(index = 16)]
	#[error("too many recent requests; retry later")]
	Busy,
	/// This client sent requests faster than the custodian's rate limit.
	#[codec(index = 17)]
	#[error("rate limited: retry in {retry_after_ms} ms")]
	RateLimited { retry_after_ms: u64 },
	/// The custodian should hold the piece but does not, or holds it corrupt: ask another.
	#[codec(index = 18)]
	#[error("piece {index} is not available here: {reason}")]
	NotHeld { index: u8, reason: String },
	/// The custodian cannot ask its chain, or failed otherwise; nothing was kept or served.
	#[codec(index = 19)]
	#[error("custodian failure: {reason}")]
	Internal { reason: String },
	/// The session key's grant had expired by the custodian's clock: grant a new session.
	#[codec(index = 20)]
	#[error("the session expired at {expired_at_ms} ms (custodian time {now_ms} ms)")]
	SessionExpired { expired_at_ms: u64, now_ms: u64 },
	/// The session key's grant is not acceptable (another account's, too long, from the
	/// future).
	#[codec(index = 21)]
	#[error("the session grant is not acceptable: {reason}")]
	BadSession { reason: String },
}

impl Refusal {
	/// The HTTP status the refusal travels with: 4xx for what the client must change, 429 for
	/// what it must wait out, 5xx only for the custodian's own failures.
	pub fn http_status(&self) -> u16 {
		match self {
			Refusal::Malformed { .. }
			| Refusal::WrongChain
			| Refusal::WrongCustodian
			| Refusal::WrongIndex { .. } => 400,
			Refusal::BadSignature | Refusal::SessionExpired { .. } | Refusal::BadSession { .. } => {
				401
			},
			Refusal::NotAllowedToWrite { .. } | Refusal::NoTicket { .. } => 403,
			Refusal::NoArchive { .. } | Refusal::NotCustodian { .. } => 404,
			Refusal::Stale { .. } | Refusal::Replayed | Refusal::AlreadyHeld { .. } => 409,
			Refusal::Erased { .. } => 410,
			Refusal::TooLarge { .. } => 413,
			Refusal::BadPiece { .. } => 422,
			Refusal::QuotaExceeded { .. } => 507,
			Refusal::Busy | Refusal::RateLimited { .. } => 429,
			Refusal::NotHeld { .. } => 503,
			Refusal::Internal { .. } => 500,
		}
	}
}

/// Failures of the cryptography itself (not refusals).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProtocolError {
	/// The operating system's random number generator failed.
	#[error("the OS random number generator failed")]
	Rng,
	/// A key or signature has an invalid encoding.
	#[error("invalid key encoding")]
	InvalidKey,
	/// Sealing failed.
	#[error("sealing the piece failed")]
	Seal,
	/// The sealed piece does not open with this key for this request.
	#[error("the sealed piece does not open for this request")]
	Open,
}
