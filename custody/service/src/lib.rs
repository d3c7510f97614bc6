//! The custody service of an ehr-chain custodian node (docs/ARCHITECTURE.md §3, §4), apart from the
//! node: what it takes, keeps, serves and releases, decided from the chain through the small
//! [`Chain`] trait, and served over HTTP ([`http`]) with pieces as bytes.
//!
//! - **Put** ([`CustodyService::put`]): the writer's request must be signed by the account the
//!   chain lets write it right now (the author of a new record, at the best block) or by a
//!   repairer holding a live ticket for the record (in the finalised chain), for this chain and
//!   this custodian. Then the piece is opened (it travels sealed to this custodian), checked
//!   against the commitments it came with, and kept pending within the quota; the answer is a
//!   receipt usable on chain until `valid_until`, a receipt lifetime past the best block, and
//!   the piece stays pending at least until that block is final.
//! - **Get** ([`CustodyService::get`]): the reader's signed request must name a record for
//!   which the reader holds a live ticket in the finalised chain; then its freshness is checked
//!   (no replay: after the ticket, so that only authorised readers take room in the guard), and
//!   this custodian's place in the record's archive; the piece is re-checked on disk and sealed
//!   to the request.
//! - **Settling** ([`CustodyService::settle`]): for archives the chain's finalised state
//!   touched, keep exactly the pieces it assigns to this custodian, delete the others and the
//!   pieces of erased records, and expire pending pieces whose receipts can no longer be used.
//!
//! Every call is first admitted by the [`limits`]: a rate per client address and a cap on
//! calls in flight; over HTTP, before its body is read, and its connection was before that
//! (connections per client address and node-wide, timeouts: [`http::HttpConfig`]).
pub mod chain;
pub mod http;
pub mod keys;
pub mod limits;
mod settle;

pub use chain::{Account, ArchiveView, Chain, ChainError};
pub use keys::{CustodianKeys, ReceiptSigner};

use ehr_archive_codec::{Commitments, Piece};
use ehr_custody_protocol::{
	seal_piece, CustodyReceipt, CustodyStatus, PutPurpose, PutReceipt, ReceiptFor, Refusal,
	ReplayGuard, SealedPiece, SignedGetRequest, SignedPutRequest,
};
use ehr_custody_store::{PieceKey, PieceStore, StoreError};
use ehr_types::AccessDecision;
use std::{
	net::IpAddr,
	num::NonZeroU32,
	sync::{Mutex, MutexGuard},
	time::{SystemTime, UNIX_EPOCH},
};

/// How much a custodian takes, and for how long its receipts count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServiceConfig {
	/// Blocks past the best block during which a receipt may be used on chain; the piece is
	/// kept pending at least that long.
	pub receipt_lifetime: u32,
	/// Milliseconds either side of the custodian's clock within which a get must be issued.
	pub request_window_ms: u64,
	/// Most gets remembered against replay at once.
	pub max_recent_requests: usize,
	/// Most calls a minute from one client address.
	pub rate_limit_per_minute: NonZeroU32,
	/// Most calls running at once.
	pub max_in_flight: usize,
	/// Largest piece taken, in bytes of its wire form (the store's limit).
	pub max_piece_bytes: u64,
}

/// The custody service of one custodian over the chain `C`.
pub struct CustodyService<C> {
	chain: C,
	keys: CustodianKeys,
	config: ServiceConfig,
	store: Mutex<PieceStore>,
	replay_guard: Mutex<ReplayGuard>,
	limits: limits::RequestLimits,
	http: http::HttpConfig,
}

impl<C: Chain> CustodyService<C> {
	/// The service of the custodian `keys` over `chain`, keeping its pieces in `store`.
	pub fn new(chain: C, keys: CustodianKeys, store: PieceStore, config: ServiceConfig) -> Self {
		Self {
			chain,
			keys,
			store: Mutex::new(store),
			replay_guard: Mutex::new(ReplayGuard::new(
				config.request_window_ms,
				config.max_recent_requests,
			)),
			limits: limits::RequestLimits::new(config.rate_limit_per_minute, config.max_in_flight),
			config,
			http: http::HttpConfig::default(),
		}
	}

	/// The service with `http` as the limits of its HTTP connections (else the defaults).
	pub fn with_http_config(self, http: http::HttpConfig) -> Self {
		Self { http, ..self }
	}

	/// The limits of the service's HTTP connections.
	pub fn http_config(&self) -> &http::HttpConfig {
		&self.http
	}

	/// Lets a call from `client` through the [`limits`] (its rate, the calls in flight), or
	/// says why not; it counts as in flight until the answer is dropped.
	pub fn admit(&self, client: IpAddr) -> Result<limits::Admitted, Refusal> {
		self.limits.admit(client)
	}

	/// The custodian's keys.
	pub fn keys(&self) -> &CustodianKeys {
		&self.keys
	}

	/// The service's limits.
	pub fn config(&self) -> &ServiceConfig {
		&self.config
	}

	/// Keeps the piece of `signed` from `client` pending and answers its receipt; see the
	/// crate docs for the checks, in their order.
	pub fn put(&self, client: IpAddr, signed: &SignedPutRequest) -> Result<PutReceipt, Refusal> {
		let admitted = self.admit(client)?;
		self.put_admitted(&admitted, signed)
	}

	/// [`Self::put`] of a call already [admitted](Self::admit).
	pub fn put_admitted(
		&self,
		_admitted: &limits::Admitted,
		signed: &SignedPutRequest,
	) -> Result<PutReceipt, Refusal> {
		let keys = &self.keys;
		signed.verify(&self.chain.genesis_hash(), &keys.account, now_ms())?;
		let request = &signed.request;
		let write = &request.write;
		match request.purpose {
			PutPurpose::NewRecord { category, supersedes } => {
				let decision =
					self.chain.may_write(&write.author, &write.patient, category, supersedes);
				if let AccessDecision::Denied(reason) = decision.map_err(internal)? {
					return Err(Refusal::NotAllowedToWrite { reason });
				}
			},
			PutPurpose::Repair { record, repairer } => {
				if !self.chain.has_ticket(&repairer, record).map_err(internal)? {
					return Err(Refusal::NoTicket { record });
				}
				let entry = self.live_archive(record)?;
				if (entry.patient, entry.author, entry.archive_id)
					!= (write.patient, write.author, write.archive_id)
				{
					return Err(Refusal::Malformed {
						reason: format!("the write is not record {record}'s"),
					});
				}
			},
		}
		let commitments = Commitments::from_bytes(&request.commitments)
			.map_err(|e| malformed("commitments", e))?;
		let piece_bytes =
			request.open(&keys.x25519_secret).map_err(|e| malformed("sealed piece", e))?;
		let piece = Piece::from_bytes(&piece_bytes).map_err(|e| malformed("piece", e))?;
		let n = commitments.piece_hashes.len();
		if usize::from(piece.index) >= n {
			return Err(Refusal::WrongIndex {
				index: piece.index,
				n: u8::try_from(n).unwrap_or(u8::MAX),
			});
		}
		let valid_until = self
			.chain
			.best_number()
			.map_err(internal)?
			.saturating_add(self.config.receipt_lifetime);
		let piece_hash = self
			.lock_store()?
			.put(write.archive_id, &piece, &commitments, valid_until)
			.map_err(store_refusal)?;
		let receipt = CustodyReceipt::new(
			self.chain.genesis_hash(),
			ReceiptFor {
				patient: &write.patient,
				author: &write.author,
				archive_id: write.archive_id,
			},
			(piece.index, piece_hash),
			keys.account,
			valid_until,
		);
		let signature = keys.signer.sign(&receipt.payload()).map_err(|e| internal(e.as_str()))?;
		tracing::debug!(target: "custody", archive = %hex::encode(write.archive_id), index = piece.index, valid_until, "kept a piece");
		Ok(PutReceipt { index: piece.index, piece_hash, valid_until, signature })
	}

	/// Serves this custodian's piece of the record `signed` asks for, sealed to the request;
	/// see the crate docs for the checks, in their order.
	pub fn get(&self, client: IpAddr, signed: &SignedGetRequest) -> Result<SealedPiece, Refusal> {
		let admitted = self.admit(client)?;
		self.get_admitted(&admitted, signed)
	}

	/// [`Self::get`] of a call already [admitted](Self::admit).
	pub fn get_admitted(
		&self,
		_admitted: &limits::Admitted,
		signed: &SignedGetRequest,
	) -> Result<SealedPiece, Refusal> {
		signed.verify(&self.chain.genesis_hash(), &self.keys.account, now_ms())?;
		let request = &signed.request;
		let record = request.record;
		if !self.chain.has_ticket(&request.reader, record).map_err(internal)? {
			return Err(Refusal::NoTicket { record });
		}
		// Freshness after the ticket: only a reader the chain authorised takes room here.
		self.replay_guard
			.lock()
			.map_err(|_| internal("replay guard lock poisoned"))?
			.check(request, now_ms())?;
		let entry = self.live_archive(record)?;
		let index = entry
			.pieces
			.iter()
			.position(|(custodian, _)| *custodian == self.keys.account)
			.and_then(|i| u8::try_from(i).ok())
			.ok_or(Refusal::NotCustodian { record })?;
		let key = PieceKey { archive_id: entry.archive_id, index };
		let piece = self
			.lock_store()?
			.get(&key)
			.map_err(|e| Refusal::NotHeld { index, reason: e.to_string() })?;
		let sealed = seal_piece(&piece.to_bytes(), request).map_err(internal)?;
		tracing::debug!(target: "custody", record, index, "served a piece");
		Ok(sealed)
	}

	/// What this custodian holds and its keys.
	pub fn status(&self) -> Result<CustodyStatus, Refusal> {
		let status = self.lock_store()?.status();
		let keys = &self.keys;
		Ok(CustodyStatus {
			custodian: format!("0x{}", hex::encode(keys.account)),
			receipt_key: format!("0x{}", hex::encode(keys.receipt_key)),
			x25519_public: format!("0x{}", hex::encode(keys.x25519_public)),
			pieces: status.pieces,
			pending: status.pending,
			used_bytes: status.used_bytes,
			quota_bytes: status.quota_bytes,
		})
	}

	/// Whether this custodian holds some piece of `archive_id`, pending or anchored.
	pub fn holds(&self, archive_id: &[u8; 32]) -> bool {
		self.lock_store().is_ok_and(|store| store.pieces_of(*archive_id).next().is_some())
	}

	/// The archive of `record` in the finalised chain, unless it has none or was erased.
	fn live_archive(&self, record: u64) -> Result<ArchiveView, Refusal> {
		let entry =
			self.chain.archive(record).map_err(internal)?.ok_or(Refusal::NoArchive { record })?;
		if entry.erased {
			return Err(Refusal::Erased { record });
		}
		Ok(entry)
	}

	fn lock_store(&self) -> Result<MutexGuard<'_, PieceStore>, Refusal> {
		self.store.lock().map_err(|_| internal("piece store lock poisoned"))
	}
}

fn internal(e: impl ToString) -> Refusal {
	let reason = e.to_string();
	tracing::warn!(target: "custody", %reason, "custody call failed");
	Refusal::Internal { reason }
}

fn malformed(what: &str, e: impl std::fmt::Display) -> Refusal {
	Refusal::Malformed { reason: format!("{what}: {e}") }
}

fn store_refusal(e: StoreError) -> Refusal {
	match e {
		StoreError::BadPiece { source, .. } => Refusal::BadPiece { reason: source.to_string() },
		StoreError::PieceTooLarge { size, max } => Refusal::TooLarge { size, max },
		StoreError::QuotaExceeded { needed, free, quota } => {
			Refusal::QuotaExceeded { needed, free, quota }
		},
		StoreError::AlreadyHeld { index } => Refusal::AlreadyHeld { index },
		e @ (StoreError::NotFound { .. } | StoreError::Corrupt { .. } | StoreError::Io { .. }) => {
			internal(e)
		},
	}
}

/// Milliseconds since the Unix epoch (0 if the clock is before it).
pub fn now_ms() -> u64 {
	SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

#[cfg(test)]
mod edge_tests;
#[cfg(test)]
mod tests;
