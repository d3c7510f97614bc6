//! `custody_put`, `custody_get` and `custody_status`.
//!
//! Requests and answers are the SCALE encodings of `ehr-custody-protocol`'s types, as hex
//! (`0x…`) strings, so a client builds them with the same crate the node checks them with.
//!
//! - `custody_put(PutRequest) -> PutReceipt`: opens the piece sealed to this custodian, checks
//!   it against the commitments it came with, keeps it pending (within the quota) and signs a
//!   custody receipt naming the write (patient, author, archive id) that
//!   `pallet-shamir-archive` checks when the record is added.
//! - `custody_get(SignedGetRequest) -> SealedPiece`: checks the reader's signature, the chain,
//!   the custodian, at the node's best block a live `pallet-ehr-access` ticket of the reader for
//!   the record, then the request's freshness (no replay; checked after the ticket so that
//!   unauthorised requests cannot fill the replay guard), and this custodian's place in the
//!   record's archive entry; then answers the piece sealed to the request's ephemeral key.
//! - `custody_status()`: what the node holds, its quota and use, and its keys.
//!
//! Anything else gets a JSON-RPC error naming the cause, and no piece bytes.
use super::{now_ms, Custody};
use codec::{Decode, Encode};
use ehr_archive_codec::{Commitments, Piece};
use ehr_custody_protocol::{CustodyStatus, PutReceipt, PutRequest, Refusal, SignedGetRequest};
use ehr_custody_store::{PieceKey, StoreError};
use ehr_runtime::{
	opaque::Block,
	pallet_ehr_access::runtime_api::EhrAccessApi,
	pallet_shamir_archive::{runtime_api::ShamirArchiveApi, EntryState, RECEIPT_KEY_TYPE},
	AccountId, Balance, BlockNumber,
};
use jsonrpsee::{
	core::RpcResult,
	proc_macros::rpc,
	types::{error::ErrorObjectOwned, ErrorObject},
	ConnectionId, Extensions,
};
use polkadot_sdk::{
	sp_api::ProvideRuntimeApi, sp_blockchain::HeaderBackend, sp_core::Bytes,
	sp_keystore::KeystorePtr,
};
use std::sync::Arc;

/// JSON-RPC error codes of the custody methods.
mod code {
	/// The request does not decode, or names another chain or custodian.
	pub const BAD_REQUEST: i32 = 4000;
	/// The piece does not match its commitments.
	pub const BAD_PIECE: i32 = 4001;
	/// The request's signature does not verify.
	pub const BAD_SIGNATURE: i32 = 4010;
	/// The reader has no live ticket for the record, or the record cannot be read.
	pub const NOT_AUTHORIZED: i32 = 4030;
	/// Stale or replayed request.
	pub const STALE_OR_REPLAYED: i32 = 4090;
	/// This custodian keeps no piece of the record.
	pub const NOT_FOUND: i32 = 4040;
	/// Quota or size limit.
	pub const LIMIT: i32 = 4130;
	/// Too many recent requests, on this connection or on the node.
	pub const BUSY: i32 = 4290;
	/// The stored piece is corrupt, or the node failed.
	pub const INTERNAL: i32 = 5000;
}

fn error(code: i32, message: impl ToString) -> ErrorObjectOwned {
	ErrorObject::owned(code, message.to_string(), None::<()>)
}

fn refusal(refusal: Refusal) -> ErrorObjectOwned {
	let code = match refusal {
		Refusal::BadSignature => code::BAD_SIGNATURE,
		Refusal::WrongChain | Refusal::WrongCustodian => code::BAD_REQUEST,
		Refusal::Stale { .. } | Refusal::Replayed => code::STALE_OR_REPLAYED,
		Refusal::Busy | Refusal::RateLimited { .. } => code::BUSY,
	};
	error(code, refusal)
}

fn store_error(e: StoreError) -> ErrorObjectOwned {
	let code = match &e {
		StoreError::BadPiece { .. } => code::BAD_PIECE,
		StoreError::PieceTooLarge { .. } | StoreError::QuotaExceeded { .. } => code::LIMIT,
		StoreError::AlreadyHeld { .. } => code::BAD_REQUEST,
		StoreError::NotFound { .. } => code::NOT_FOUND,
		StoreError::Corrupt { .. } | StoreError::Io { .. } => code::INTERNAL,
	};
	error(code, e)
}

fn internal(context: &str, e: impl std::fmt::Display) -> ErrorObjectOwned {
	log::warn!(target: "custody", "{context}: {e}");
	error(code::INTERNAL, format!("{context}: {e}"))
}

/// The custody methods.
#[rpc(server, namespace = "custody")]
pub trait CustodyApi {
	/// Keep a piece: takes a SCALE `PutRequest`, returns a SCALE `PutReceipt`.
	#[method(name = "put", blocking, with_extensions)]
	fn put(&self, request: Bytes) -> RpcResult<Bytes>;

	/// Serve this custodian's piece of a record: takes a SCALE `SignedGetRequest`, returns a
	/// SCALE `SealedPiece`.
	#[method(name = "get", blocking, with_extensions)]
	fn get(&self, request: Bytes) -> RpcResult<Bytes>;

	/// What this custodian holds and its keys.
	#[method(name = "status")]
	fn status(&self) -> RpcResult<CustodyStatus>;
}

/// The custody methods over a client of the chain.
pub struct CustodyRpc<C> {
	custody: Arc<Custody>,
	client: Arc<C>,
	keystore: KeystorePtr,
	genesis_hash: [u8; 32],
}

impl<C> CustodyRpc<C> {
	/// The methods of `custody` on the chain of `client` (whose genesis is `genesis_hash`).
	pub fn new(
		custody: Arc<Custody>,
		client: Arc<C>,
		keystore: KeystorePtr,
		genesis_hash: [u8; 32],
	) -> Self {
		Self { custody, client, keystore, genesis_hash }
	}

	/// The custody limits' decision on a call from the connection in `ext`.
	fn admit(&self, ext: &Extensions) -> RpcResult<super::limits::Admitted<'_>> {
		// The server tags every call with its connection; a call without one shares id 0.
		let connection = ext.get::<ConnectionId>().copied().unwrap_or_default();
		self.custody.limits.admit(connection).map_err(refusal)
	}
}

impl<C> CustodyApiServer for CustodyRpc<C>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: EhrAccessApi<Block, AccountId, BlockNumber, Balance>
		+ ShamirArchiveApi<Block, AccountId, BlockNumber>,
{
	fn put(&self, ext: &Extensions, request: Bytes) -> RpcResult<Bytes> {
		let _admitted = self.admit(ext)?;
		let request = PutRequest::decode(&mut &request[..])
			.map_err(|e| error(code::BAD_REQUEST, format!("not a PutRequest: {e}")))?;
		let keys = &self.custody.keys;
		if request.genesis_hash != self.genesis_hash {
			return Err(refusal(Refusal::WrongChain));
		}
		if request.custodian != keys.account {
			return Err(refusal(Refusal::WrongCustodian));
		}
		let commitments = Commitments::from_bytes(&request.commitments)
			.map_err(|e| error(code::BAD_REQUEST, format!("bad commitments: {e}")))?;
		let piece_bytes = request
			.open(&keys.x25519_secret)
			.map_err(|e| error(code::BAD_REQUEST, format!("the piece does not open: {e}")))?;
		let piece = Piece::from_bytes(&piece_bytes)
			.map_err(|e| error(code::BAD_PIECE, format!("not a piece: {e}")))?;
		let index = piece.index;
		let piece_hash = self
			.custody
			.store
			.lock()
			.map_err(|_| internal("piece store", "lock poisoned"))?
			.put(request.archive_id, &piece, &commitments, now_ms() / 1000)
			.map_err(store_error)?;

		let best = self.client.info().best_hash;
		let payload = self
			.client
			.runtime_api()
			.receipt_payload(
				best,
				AccountId::from(request.patient),
				AccountId::from(request.author),
				request.archive_id,
				index,
				piece_hash,
				AccountId::from(keys.account),
			)
			.map_err(|e| internal("runtime API receipt_payload", e))?;
		let signature = self
			.keystore
			.sr25519_sign(RECEIPT_KEY_TYPE, &keys.receipt_key, &payload)
			.map_err(|e| internal("keystore", e))?
			.ok_or_else(|| internal("keystore", "the receipt key is gone"))?;
		log::debug!(target: "custody", "kept piece {index} of archive 0x{}", hex::encode(request.archive_id));
		Ok(PutReceipt { index, piece_hash, signature: signature.0 }.encode().into())
	}

	fn get(&self, ext: &Extensions, request: Bytes) -> RpcResult<Bytes> {
		let _admitted = self.admit(ext)?;
		let signed = SignedGetRequest::decode(&mut &request[..])
			.map_err(|e| error(code::BAD_REQUEST, format!("not a SignedGetRequest: {e}")))?;
		let keys = &self.custody.keys;
		signed.verify(&self.genesis_hash, &keys.account).map_err(refusal)?;
		let request = &signed.request;
		let best = self.client.info().best_hash;
		let api = self.client.runtime_api();
		let reader = AccountId::from(request.reader);
		let not_authorized =
			|| error(code::NOT_AUTHORIZED, format!("no live ticket for record {}", request.record));
		api.ticket(best, reader, request.record)
			.map_err(|e| internal("runtime API ticket", e))?
			.ok_or_else(not_authorized)?;
		// Freshness last: only a reader the chain authorised takes room in the replay guard.
		self.custody
			.replay_guard
			.lock()
			.map_err(|_| internal("replay guard", "poisoned"))?
			.check(request, now_ms())
			.map_err(refusal)?;
		let entry = api
			.archive(best, request.record)
			.map_err(|e| internal("runtime API archive", e))?
			.ok_or_else(|| error(code::NOT_FOUND, "the record has no archive"))?;
		if entry.state == EntryState::Erased {
			return Err(error(code::NOT_FOUND, "the record was erased"));
		}
		let me = AccountId::from(keys.account);
		let index = entry
			.pieces
			.iter()
			.position(|piece| piece.custodian == me)
			.and_then(|i| u8::try_from(i).ok())
			.ok_or_else(|| error(code::NOT_FOUND, "this custodian keeps no piece of the record"))?;
		let key = PieceKey { archive_id: entry.archive_id, index };
		let piece = self
			.custody
			.store
			.lock()
			.map_err(|_| internal("piece store", "lock poisoned"))?
			.get(&key)
			.map_err(store_error)?;
		let sealed = ehr_custody_protocol::seal_piece(&piece.to_bytes(), request)
			.map_err(|e| internal("sealing the piece", e))?;
		log::debug!(target: "custody", "served piece {index} of record {}", request.record);
		Ok(sealed.encode().into())
	}

	fn status(&self) -> RpcResult<CustodyStatus> {
		let status = self
			.custody
			.store
			.lock()
			.map_err(|_| internal("piece store", "lock poisoned"))?
			.status();
		let keys = &self.custody.keys;
		Ok(CustodyStatus {
			custodian: format!("0x{}", hex::encode(keys.account)),
			receipt_key: format!("0x{}", hex::encode(keys.receipt_key.0)),
			x25519_public: format!("0x{}", hex::encode(keys.x25519_public)),
			pieces: status.pieces,
			pending: status.pending,
			used_bytes: status.used_bytes,
			quota_bytes: status.quota_bytes,
		})
	}
}
