//! Records dispersed over custodian nodes (DESIGN.md §4): store one (encode → one piece to each
//! custodian → record anchor → archive anchor) and read one back (ticket → signed requests to the
//! custodians → every piece checked against the on-chain commitments → decode).
//!
//! The payload never leaves this process in clear: it is encrypted and erasure-coded by
//! `ehr-archive-codec`, each piece travels sealed to its custodian's X25519 key, and each answer
//! comes back sealed to a key made for that one request (`ehr-custody-protocol`).
use crate::{
	ehr::{
		self,
		runtime_types::{
			bounded_collections::bounded_vec::BoundedVec,
			pallet_ehr_access::types::{Category, Status},
			pallet_shamir_archive::types::{CommitmentsHeader, EntryState, PieceState},
		},
	},
	EhrClient, EhrConfig,
};
use codec::{Decode, Encode};
use ehr_archive_codec::{decode, encode, Commitments, Piece, Rejected, Version};
use ehr_custody_protocol::{
	ephemeral_keypair, open_piece, GetRequest, PutReceipt, PutRequest, SealedPiece,
	SignedGetRequest,
};
use subxt::ext::futures::future::join_all;
use subxt::{
	rpcs::{client::rpc_params, RpcClient},
	utils::AccountId32,
};
use subxt_signer::sr25519::Keypair;

/// What can go wrong storing or reading an archived record.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ArchiveError {
	/// The chain refused or failed a transaction, or a query failed.
	#[error("chain: {0}")]
	Chain(String),
	/// The codec refused the parameters or the pieces.
	#[error(transparent)]
	Codec(#[from] ehr_archive_codec::Error),
	/// Sealing or opening a piece failed.
	#[error(transparent)]
	Protocol(#[from] ehr_custody_protocol::ProtocolError),
	/// Fewer active custodians than pieces wanted.
	#[error("{available} active custodians, {needed} needed")]
	TooFewCustodians { available: usize, needed: usize },
	/// Fewer custodians than `k` kept their piece.
	#[error("only {got} custodians kept their piece, {needed} needed")]
	TooFewReceipts { got: usize, needed: usize },
	/// The record has no archive entry (or it was erased).
	#[error("record {record} has no readable archive")]
	NoArchive { record: u64 },
	/// The chain refused the reader a ticket.
	#[error("not authorised to open record {record}: {reason}")]
	NotAuthorized { record: u64, reason: String },
	/// Fewer than `k` custodians answered with a piece that matches its commitment.
	#[error("{good} good pieces, {needed} needed (refusals: {refusals:?})")]
	TooFewGoodPieces { good: usize, needed: usize, refusals: Vec<String> },
	/// A custodian refused or failed a request.
	#[error("custodian at {endpoint}: {message}")]
	Custodian { endpoint: String, message: String },
}

fn chain(e: impl std::fmt::Display) -> ArchiveError {
	ArchiveError::Chain(e.to_string())
}

/// A custodian as the chain lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CustodianInfo {
	/// Its account.
	pub account: AccountId32,
	/// Its custody endpoint (`ws://…`).
	pub endpoint: String,
	/// The X25519 key pieces are sealed to.
	pub x25519_public: [u8; 32],
}

/// A record stored by [`store_record`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredRecord {
	/// The `pallet-ehr-access` record id.
	pub record: u64,
	/// The archive id the payload was encoded with.
	pub archive_id: [u8; 32],
	/// How many custodians kept their piece (the others are `Missing` on chain).
	pub held: usize,
}

/// A record read by [`read_record`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadRecord {
	/// The payload, authenticated.
	pub payload: Vec<u8>,
	/// Pieces that custodians sent but that failed their commitment.
	pub rejected: Vec<Rejected>,
	/// Custodians that did not answer with a piece, and why.
	pub refusals: Vec<String>,
}

/// Up to 100 active custodians registered on chain, in storage order.
pub async fn active_custodians(api: &EhrClient) -> Result<Vec<CustodianInfo>, ArchiveError> {
	let at = api.at_current_block().await.map_err(chain)?;
	let listed = at
		.runtime_apis()
		.call(ehr::runtime_apis().shamir_archive_api().custodians(None, 100))
		.await
		.map_err(chain)?;
	Ok(listed
		.into_iter()
		.filter(|(_, c)| matches!(c.status, Status::Active))
		.map(|(account, c)| CustodianInfo {
			account,
			endpoint: String::from_utf8_lossy(&c.endpoint.0).into_owned(),
			x25519_public: c.x25519_public,
		})
		.collect())
}

/// Largest custody request or answer, in bytes of JSON: a piece of 64 MiB as hex, and some.
const MAX_CUSTODY_MESSAGE: u32 = 130 << 20;

async fn custody_call(endpoint: &str, method: &str, body: &[u8]) -> Result<Vec<u8>, ArchiveError> {
	let fail = |message: String| ArchiveError::Custodian { endpoint: endpoint.to_owned(), message };
	let client = jsonrpsee::ws_client::WsClientBuilder::default()
		.max_request_size(MAX_CUSTODY_MESSAGE)
		.max_response_size(MAX_CUSTODY_MESSAGE)
		.build(endpoint)
		.await
		.map_err(|e| fail(e.to_string()))?;
	let rpc = RpcClient::new(client);
	let answer: String = rpc
		.request(method, rpc_params![format!("0x{}", hex::encode(body))])
		.await
		.map_err(|e| fail(e.to_string()))?;
	hex::decode(answer.trim_start_matches("0x")).map_err(|e| fail(format!("bad answer: {e}")))
}

/// Sends piece `i` of `encoded` to `custodians[i]`, all at once, and returns each custodian's
/// receipt, or why it gave none.
pub async fn put_pieces(
	api: &EhrClient,
	patient: &AccountId32,
	archive_id: [u8; 32],
	encoded: &ehr_archive_codec::Encoded,
	custodians: &[CustodianInfo],
) -> Vec<Result<PutReceipt, ArchiveError>> {
	let genesis: [u8; 32] = api.genesis_hash().0;
	let commitments = encoded.commitments.to_bytes();
	let puts = encoded.pieces.iter().zip(custodians).map(|(piece, custodian)| {
		let commitments = &commitments;
		async move {
			let request = PutRequest::seal(
				genesis,
				(custodian.account.0, &custodian.x25519_public),
				patient.0,
				archive_id,
				commitments.clone(),
				&piece.to_bytes(),
			)?;
			let answer =
				custody_call(&custodian.endpoint, "custody_put", &request.encode()).await?;
			PutReceipt::decode(&mut &answer[..]).map_err(|e| ArchiveError::Custodian {
				endpoint: custodian.endpoint.clone(),
				message: format!("bad receipt: {e}"),
			})
		}
	});
	join_all(puts).await
}

/// Submits `call` signed by `signer`, waits until it is finalised and succeeded.
async fn submit<Call: subxt::transactions::Payload>(
	api: &EhrClient,
	call: &Call,
	signer: &Keypair,
) -> Result<subxt::extrinsics::ExtrinsicEvents<EhrConfig>, ArchiveError> {
	api.tx()
		.await
		.map_err(chain)?
		.create_signed(call, signer, Default::default())
		.await
		.map_err(chain)?
		.submit_and_watch()
		.await
		.map_err(chain)?
		.wait_for_finalized_success()
		.await
		.map_err(chain)
}

/// Stores `payload` as a record of `patient` written by `author`: encodes it into one piece
/// per custodian (any `k` rebuild it), has each custodian keep its piece, adds the record
/// anchor (whose commitment is the archive root) and anchors the archive with the receipts.
pub async fn store_record(
	api: &EhrClient,
	author: &Keypair,
	patient: &AccountId32,
	category: Category,
	payload: &[u8],
	k: u8,
	custodians: &[CustodianInfo],
) -> Result<StoredRecord, ArchiveError> {
	let n = u8::try_from(custodians.len())
		.map_err(|_| ArchiveError::TooFewCustodians { available: custodians.len(), needed: 255 })?;
	if n < k || k == 0 {
		return Err(ArchiveError::TooFewCustodians {
			available: custodians.len(),
			needed: usize::from(k.max(1)),
		});
	}
	let mut archive_id = [0u8; 32];
	getrandom::fill(&mut archive_id)
		.map_err(|_| ArchiveError::Protocol(ehr_custody_protocol::ProtocolError::Rng))?;
	let encoded = encode(payload, &archive_id, k, n)?;
	let receipts = put_pieces(api, patient, archive_id, &encoded, custodians).await;
	let held = receipts.iter().filter(|r| r.is_ok()).count();
	if held < usize::from(k) {
		return Err(ArchiveError::TooFewReceipts { got: held, needed: usize::from(k) });
	}

	let add = ehr::tx().ehr_access().add_record(
		*patient,
		category,
		encoded.root,
		payload.len() as u64,
		None,
	);
	let events = submit(api, &add, author).await?;
	let added = events
		.find_first::<ehr::ehr_access::events::RecordAdded>()
		.ok_or_else(|| chain("no RecordAdded event"))?
		.map_err(chain)?;

	let c = &encoded.commitments;
	let anchor = ehr::tx().shamir_archive().anchor_archive(
		added.record,
		archive_id,
		CommitmentsHeader {
			version: ehr_archive_codec::VERSION,
			threshold: c.threshold,
			payload_len: c.payload_len,
			segment_size: c.segment_size,
		},
		BoundedVec(c.piece_hashes.clone()),
		BoundedVec(custodians.iter().map(|c| c.account).collect()),
		BoundedVec(receipts.iter().map(|r| r.as_ref().ok().map(|r| r.signature)).collect()),
	);
	submit(api, &anchor, author).await?;
	Ok(StoredRecord { record: added.record, archive_id, held })
}

/// A signed request of `reader` to `custodian` for its piece of `record`, with the ephemeral
/// secret that opens the answer.
pub fn get_request(
	genesis_hash: [u8; 32],
	custodian: &AccountId32,
	record: u64,
	reader: &Keypair,
	issued_at_ms: u64,
) -> Result<(SignedGetRequest, zeroize::Zeroizing<[u8; 32]>), ArchiveError> {
	let (secret, ephemeral_public) = ephemeral_keypair()?;
	let mut nonce = [0u8; 16];
	getrandom::fill(&mut nonce)
		.map_err(|_| ArchiveError::Protocol(ehr_custody_protocol::ProtocolError::Rng))?;
	let request = GetRequest {
		genesis_hash,
		custodian: custodian.0,
		record,
		reader: reader.public_key().0,
		ephemeral_public,
		nonce,
		issued_at_ms,
	};
	Ok((request.sign_with(|payload| reader.sign(payload).0), secret))
}

/// Sends a signed request to a custodian; its sealed answer.
pub async fn fetch_piece(
	endpoint: &str,
	request: &SignedGetRequest,
) -> Result<SealedPiece, ArchiveError> {
	let answer = custody_call(endpoint, "custody_get", &request.encode()).await?;
	SealedPiece::decode(&mut &answer[..]).map_err(|e| ArchiveError::Custodian {
		endpoint: endpoint.to_owned(),
		message: format!("bad answer: {e}"),
	})
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
	std::time::SystemTime::now()
		.duration_since(std::time::UNIX_EPOCH)
		.map_or(0, |d| d.as_millis() as u64)
}

/// Opens an access ticket for `record` (the chain decides and audits it), then reads the record
/// from its custodians ([`fetch_record`]).
pub async fn read_record(
	api: &EhrClient,
	reader: &Keypair,
	record: u64,
) -> Result<ReadRecord, ArchiveError> {
	open_ticket(api, reader, record).await?;
	fetch_record(api, reader, record).await
}

/// Has the chain decide whether `reader` may open `record` and, if so, store a ticket (and the
/// `AccessOpened` audit event) that custodians honour.
pub async fn open_ticket(
	api: &EhrClient,
	reader: &Keypair,
	record: u64,
) -> Result<(), ArchiveError> {
	let open = ehr::tx().ehr_access().open_access(record);
	submit(api, &open, reader)
		.await
		.map(|_| ())
		.map_err(|e| ArchiveError::NotAuthorized { record, reason: e.to_string() })
}

/// Reads `record` from its custodians under the reader's live ticket: every answer is checked
/// against the commitments anchored on chain, and the payload is rebuilt from the first `k`
/// good pieces. A custodian checks the ticket at its own best block, so one that has not yet
/// imported the ticket's block refuses, and the next custodian is asked instead.
pub async fn fetch_record(
	api: &EhrClient,
	reader: &Keypair,
	record: u64,
) -> Result<ReadRecord, ArchiveError> {
	let at = api.at_current_block().await.map_err(chain)?;
	let entry = at
		.runtime_apis()
		.call(ehr::runtime_apis().shamir_archive_api().archive(record))
		.await
		.map_err(chain)?
		.filter(|entry| !matches!(entry.state, EntryState::Erased))
		.ok_or(ArchiveError::NoArchive { record })?;
	let commitments = Commitments {
		version: Version::V1,
		threshold: entry.k,
		payload_len: entry.payload_len,
		segment_size: entry.segment_size,
		piece_hashes: entry.pieces.0.iter().map(|p| p.hash).collect(),
	};
	let genesis = api.genesis_hash().0;
	let held: Vec<_> =
		entry.pieces.0.iter().filter(|p| matches!(p.state, PieceState::Held)).collect();
	let fetch =
		|piece: &ehr::runtime_types::pallet_shamir_archive::types::PieceInfo<AccountId32>| {
			let (at, commitments) = (&at, &commitments);
			let custodian_account = piece.custodian;
			async move {
				let custodian = at
					.runtime_apis()
					.call(ehr::runtime_apis().shamir_archive_api().custodian(custodian_account))
					.await
					.map_err(chain)?
					.ok_or_else(|| chain("custodian no longer registered"))?;
				let endpoint = String::from_utf8_lossy(&custodian.endpoint.0).into_owned();
				let (request, secret) =
					get_request(genesis, &custodian_account, record, reader, now_ms())?;
				let sealed = fetch_piece(&endpoint, &request).await?;
				let bytes = open_piece(&sealed, &secret, &request.request)?;
				let got = Piece::from_bytes(&bytes)?;
				commitments.verify_piece(&got)?;
				Ok::<_, ArchiveError>(got)
			}
		};
	// Ask `k` custodians at once; for each that fails, the next ones, until `k` pieces are good
	// or every custodian was asked.
	let mut pieces: Vec<Piece> = Vec::new();
	let mut refusals = Vec::new();
	let mut next = 0;
	while pieces.len() < usize::from(entry.k) && next < held.len() {
		let wanted = (usize::from(entry.k) - pieces.len()).min(held.len() - next);
		let batch = held[next..next + wanted].iter().map(|piece| fetch(piece));
		next += wanted;
		for fetched in join_all(batch).await {
			match fetched {
				Ok(got) => pieces.push(got),
				Err(e) => refusals.push(e.to_string()),
			}
		}
	}
	if pieces.len() < usize::from(entry.k) {
		return Err(ArchiveError::TooFewGoodPieces {
			good: pieces.len(),
			needed: usize::from(entry.k),
			refusals,
		});
	}
	let decoded = decode(&entry.archive_id, &commitments, &pieces)?;
	Ok(ReadRecord { payload: decoded.payload, rejected: decoded.rejected, refusals })
}
