//! Records dispersed over custodian nodes (docs/ARCHITECTURE.md §4): store one (encode → one piece
//! to each custodian → one transaction that adds the record with its archive and every receipt) and
//! read one back (ticket → signed requests to the custodians → every piece checked against the
//! on-chain commitments → decode).
//!
//! The payload never leaves this process in clear: it is encrypted and erasure-coded by
//! `ehr-archive-codec`, each piece travels sealed to its custodian's X25519 key, and each answer
//! comes back sealed to a key made for that one request (`ehr-custody-protocol`).
use crate::{
	chain,
	ehr::{
		self,
		runtime_types::{
			bounded_collections::bounded_vec::BoundedVec,
			pallet_shamir_archive::types::{
				ArchiveSubmission, CommitmentsHeader, EntryState, PieceState, PieceSubmission,
				Receipt,
			},
		},
	},
	registrar::Motion,
	submit,
	types::{Category, Status},
	EhrClient, Error,
};
use ehr_archive_codec::{
	archive_record_id, decode, encode, regenerate, Commitments, Piece, Rejected, Version,
};
use ehr_custody_client::Custodians;
pub use ehr_custody_protocol::CustodyStatus;
use ehr_custody_protocol::{
	api, ephemeral_keypair, open_piece, GetRequest, PutPurpose, PutReceipt, PutRequest, Refusal,
	SealedPiece, SignedGetRequest, Write,
};
use std::{sync::LazyLock, time::Duration};
use subxt::ext::futures::future::join_all;
use subxt::utils::AccountId32;
use subxt_signer::sr25519::Keypair;

/// The connections to custodians, shared by every call of this process, so that each call to a
/// custodian reuses its keep-alive connection.
static CUSTODIANS: LazyLock<Custodians> = LazyLock::new(Custodians::new);

/// A custodian as the chain lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CustodianInfo {
	/// Its account.
	pub account: AccountId32,
	/// Its custody endpoint (`http://host:port`).
	pub endpoint: String,
	/// The X25519 key pieces are sealed to.
	pub x25519_public: [u8; 32],
	/// The sr25519 key its custody receipts are signed with.
	pub receipt_key: [u8; 32],
}

impl CustodianInfo {
	/// `account`'s custodian entry as the runtime API gives it.
	fn from_chain(
		account: AccountId32,
		custodian: &ehr::runtime_types::pallet_shamir_archive::types::Custodian<u32>,
	) -> Self {
		CustodianInfo {
			account,
			endpoint: String::from_utf8_lossy(&custodian.endpoint.0).into_owned(),
			x25519_public: custodian.x25519_public,
			receipt_key: custodian.receipt_key,
		}
	}
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

/// Progress of a transfer to or from the custodians, for progress bars: [`Progress::begin`]
/// once with the bytes to move, then [`Progress::advance`] as each piece is acknowledged or
/// arrives checked.
pub trait Progress: Sync {
	/// The transfer starts; `total_bytes` will move.
	fn begin(&self, _total_bytes: u64) {}
	/// `bytes` more have moved.
	fn advance(&self, _bytes: u64) {}
}

/// No progress reporting.
impl Progress for () {}

/// The active custodians registered on chain, in storage order, as many as a record may have
/// pieces (the runtime's `ShamirArchive::MaxPieces`): a record goes to each of them.
pub async fn active_custodians(api: &EhrClient) -> Result<Vec<CustodianInfo>, Error> {
	let at = api.at_current_block().await.map_err(chain)?;
	let max_pieces =
		at.constants().entry(ehr::constants().shamir_archive().max_pieces()).map_err(chain)?;
	let listed = at
		.runtime_apis()
		.call(ehr::runtime_apis().shamir_archive_api().custodians(None, 100))
		.await
		.map_err(chain)?;
	Ok(listed
		.into_iter()
		.filter(|(_, c)| matches!(c.status, Status::Active))
		.take(max_pieces as usize)
		.map(|(account, c)| CustodianInfo::from_chain(account, &c))
		.collect())
}

/// The least `(k, n)` the chain requires of a new archive.
pub async fn min_redundancy(api: &EhrClient) -> Result<(u8, u8), Error> {
	let at = api.at_current_block().await.map_err(chain)?;
	let min = at
		.storage()
		.fetch(ehr::storage().shamir_archive().min_redundancy(), ())
		.await
		.map_err(chain)?
		.decode()
		.map_err(chain)?;
	Ok((min.k, min.n))
}

/// The codec record id that the pieces of `write` are encoded under on the chain of `api`: what
/// the ciphertext and the root are bound to (`ehr_archive_codec::archive_record_id` of its
/// archive id and patient, as the runtime computes it).
pub fn codec_record_id(api: &EhrClient, write: &Write) -> [u8; 32] {
	archive_record_id(&api.genesis_hash().0, &write.archive_id, &write.patient)
}

/// Sends piece `i` of `encoded`, of the write `write` for `purpose`, signed by `signer` (the
/// author of a new record, or the repairer), to `custodians[i]`, all at once, and returns each
/// custodian's receipt, or why it gave none.
pub async fn put_pieces(
	api: &EhrClient,
	signer: &Keypair,
	(write, purpose): (Write, PutPurpose),
	encoded: &ehr_archive_codec::Encoded,
	custodians: &[CustodianInfo],
	progress: &dyn Progress,
) -> Vec<Result<PutReceipt, Error>> {
	progress.begin(encoded.pieces.iter().map(|p| p.fragment.len() as u64).sum());
	let puts = encoded.pieces.iter().zip(custodians).map(|(piece, custodian)| async {
		let put = (signer, (write, purpose));
		let receipt = put_piece(api, put, &encoded.commitments, piece, custodian).await?;
		progress.advance(piece.fragment.len() as u64);
		Ok(receipt)
	});
	join_all(puts).await
}

/// Sends `piece`, sealed to `custodian`'s X25519 key and signed by `signer`, and gives the
/// custodian's receipt once checked as the chain will check it: a custodian answering anything
/// else counts as not keeping its piece, rather than failing the anchoring of the whole record.
async fn put_piece(
	api: &EhrClient,
	(signer, (write, purpose)): (&Keypair, (Write, PutPurpose)),
	commitments: &Commitments,
	piece: &Piece,
	custodian: &CustodianInfo,
) -> Result<PutReceipt, Error> {
	let fail = |message: String| Error::Custodian { endpoint: custodian.endpoint.clone(), message };
	let genesis = api.genesis_hash().0;
	let request = PutRequest::seal(
		genesis,
		(custodian.account.0, &custodian.x25519_public),
		(write, purpose),
		commitments.to_bytes(),
		&piece.to_bytes(),
	)?
	.sign_with(|payload| signer.sign(payload).0);
	let receipt = CUSTODIANS.call::<api::Put>(&custodian.endpoint, &request).await?;
	let index = piece.index;
	let hash = commitments.piece_hashes.get(usize::from(index)).copied().unwrap_or_default();
	receipt
		.check(genesis, &write, (index, hash), (custodian.account.0, &custodian.receipt_key))
		.map_err(|e| fail(e.to_string()))?;
	Ok(receipt)
}

/// A receipt as the chain takes it.
fn chain_receipt(receipt: &PutReceipt) -> Receipt<u32> {
	Receipt { signature: receipt.signature, valid_until: receipt.valid_until }
}

/// Where a record's pieces go: one to each of `custodians`, any `k` of which rebuild it.
#[derive(Clone, Copy, Debug)]
pub struct Dispersal<'a> {
	/// Pieces needed to rebuild the record.
	pub k: u8,
	/// The custodians, one piece each, in piece order.
	pub custodians: &'a [CustodianInfo],
}

/// Stores `payload` as a record of `patient` written by `author`, amending `supersedes` if
/// given: encodes it into one piece per custodian (any `k` rebuild it), has each custodian keep
/// its piece, and adds the record with its archive and the receipts in one transaction. If that
/// transaction fails, nothing was stored on chain and nothing is held.
#[allow(clippy::too_many_arguments)] // who, for whom, what, and how it is dispersed
pub async fn store_record(
	api: &EhrClient,
	author: &Keypair,
	patient: &AccountId32,
	category: Category,
	supersedes: Option<u64>,
	payload: &[u8],
	Dispersal { k, custodians }: Dispersal<'_>,
	progress: &dyn Progress,
) -> Result<StoredRecord, Error> {
	let n = u8::try_from(custodians.len())
		.map_err(|_| Error::TooFewCustodians { available: custodians.len(), needed: 255 })?;
	if n < k || k == 0 {
		return Err(Error::TooFewCustodians {
			available: custodians.len(),
			needed: usize::from(k.max(1)),
		});
	}
	let (min_k, min_n) = min_redundancy(api).await?;
	if k < min_k || n < min_n {
		return Err(Error::BelowMinRedundancy { k, n: custodians.len(), min_k, min_n });
	}
	let mut archive_id = [0u8; 32];
	getrandom::fill(&mut archive_id)
		.map_err(|_| Error::Protocol(ehr_custody_protocol::ProtocolError::Rng))?;
	let write =
		Write { patient: patient.0, author: author.public_key().to_account_id().0, archive_id };
	let encoded = encode(payload, &codec_record_id(api, &write), k, n)?;
	let purpose = PutPurpose::NewRecord { category, supersedes };
	let receipts = put_pieces(api, author, (write, purpose), &encoded, custodians, progress).await;
	let held = receipts.iter().filter(|r| r.is_ok()).count();
	if held < usize::from(k) {
		return Err(Error::TooFewReceipts { got: held, needed: usize::from(k) });
	}

	let c = &encoded.commitments;
	let pieces = custodians
		.iter()
		.zip(&c.piece_hashes)
		.zip(&receipts)
		.map(|((custodian, hash), receipt)| PieceSubmission {
			custodian: custodian.account,
			hash: *hash,
			receipt: receipt.as_ref().ok().map(chain_receipt),
		})
		.collect();
	let archive = ArchiveSubmission {
		archive_id,
		header: CommitmentsHeader {
			version: ehr_archive_codec::VERSION,
			threshold: c.threshold,
			payload_len: c.payload_len,
			segment_size: c.segment_size,
		},
		pieces: BoundedVec(pieces),
	};
	let add = ehr::tx().ehr_access().add_record(*patient, category, supersedes, archive);
	let events = submit(api, &add, author).await?;
	let added = events
		.find_first::<ehr::ehr_access::events::RecordAdded>()
		.ok_or_else(|| chain("no RecordAdded event"))?
		.map_err(chain)?;
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
) -> Result<(SignedGetRequest, zeroize::Zeroizing<[u8; 32]>), Error> {
	let (secret, ephemeral_public) = ephemeral_keypair()?;
	let mut nonce = [0u8; 16];
	getrandom::fill(&mut nonce)
		.map_err(|_| Error::Protocol(ehr_custody_protocol::ProtocolError::Rng))?;
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
pub async fn fetch_piece(endpoint: &str, request: &SignedGetRequest) -> Result<SealedPiece, Error> {
	Ok(CUSTODIANS.call::<api::Get>(endpoint, request).await?)
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
	progress: &dyn Progress,
) -> Result<ReadRecord, Error> {
	open_ticket(api, reader, record).await?;
	fetch_record(api, reader, record, progress).await
}

/// Has the chain decide whether `reader` may open `record` and, if so, store a ticket (and the
/// `AccessOpened` audit event) that custodians honour. A refusal is on the chain too (an
/// `AccessDenied` event on the patient's trail) and comes back as [`Error::NotAuthorized`]
/// with the chain's reason.
pub async fn open_ticket(api: &EhrClient, reader: &Keypair, record: u64) -> Result<(), Error> {
	let open = ehr::tx().ehr_access().open_access(record);
	let events = submit(api, &open, reader).await?;
	if let Some(denied) = events.find_first::<ehr::ehr_access::events::AccessDenied>() {
		let denied = denied.map_err(chain)?;
		return Err(Error::NotAuthorized { record, reason: format!("{:?}", denied.reason) });
	}
	Ok(())
}

/// Reads `record` from its custodians under the reader's live ticket: every answer is checked
/// against the commitments anchored on chain, and the payload is rebuilt from the first `k`
/// good pieces. A custodian counts only tickets in its finalised chain, so one that has not
/// finalised the ticket's block yet is asked again for a while (see [`TICKET_PATIENCE`]), and a
/// custodian that fails is replaced by the next one.
pub async fn fetch_record(
	api: &EhrClient,
	reader: &Keypair,
	record: u64,
	progress: &dyn Progress,
) -> Result<ReadRecord, Error> {
	let fetched = fetch_pieces(api, reader, record, None, progress).await?;
	let codec_id = codec_record_id(api, &fetched.write);
	let decoded = decode(&codec_id, &fetched.commitments, &fetched.pieces)?;
	Ok(ReadRecord {
		payload: decoded.payload,
		rejected: decoded.rejected,
		refusals: fetched.refusals,
	})
}

/// `k` pieces of a record, each checked against its commitment, and what came with them.
struct Fetched {
	/// The write the record's pieces belong to.
	write: Write,
	commitments: Commitments,
	pieces: Vec<Piece>,
	refusals: Vec<String>,
}

/// Fetches `k` good pieces of `record` under the reader's live ticket, never asking for piece
/// `skip`: `k` custodians at once, then, for each that fails, the next ones, until `k` pieces
/// are good or every custodian holding one was asked.
async fn fetch_pieces(
	api: &EhrClient,
	reader: &Keypair,
	record: u64,
	skip: Option<u8>,
	progress: &dyn Progress,
) -> Result<Fetched, Error> {
	// Everything to know before asking custodians, in one runtime-API call.
	let plan = api
		.at_current_block()
		.await
		.map_err(chain)?
		.runtime_apis()
		.call(ehr::runtime_apis().shamir_archive_api().read_plan(record))
		.await
		.map_err(chain)?
		.filter(|plan| !matches!(plan.entry.state, EntryState::Erased))
		.ok_or(Error::NoArchive { record })?;
	let entry = &plan.entry;
	// Pieces are bound to the record's patient, and receipts to its author too (a repaired
	// piece is sealed to the same write).
	let write =
		Write { patient: plan.patient.0, author: plan.author.0, archive_id: entry.archive_id };
	let commitments = Commitments {
		version: Version::V1,
		threshold: entry.k,
		payload_len: entry.payload_len,
		segment_size: entry.segment_size,
		piece_hashes: entry.pieces.0.iter().map(|p| p.hash).collect(),
	};
	let fragment_len = commitments.layout()?.fragment_len();
	progress.begin(fragment_len * u64::from(entry.k));
	let genesis = api.genesis_hash().0;
	let held: Vec<(u8, AccountId32, Option<String>)> = entry
		.pieces
		.0
		.iter()
		.zip(&plan.custodians.0)
		.zip(0u8..)
		.filter(|((p, _), i)| matches!(p.state, PieceState::Held) && Some(*i) != skip)
		.map(|((p, custodian), i)| {
			let endpoint =
				custodian.as_ref().map(|c| CustodianInfo::from_chain(p.custodian, c).endpoint);
			(i, p.custodian, endpoint)
		})
		.collect();
	let fetch = |(index, custodian_account, endpoint): (u8, AccountId32, Option<String>)| {
		let commitments = &commitments;
		async move {
			let endpoint = endpoint.ok_or_else(|| chain("custodian no longer registered"))?;
			let custodian = (&custodian_account, endpoint.as_str());
			let got = fetch_checked(genesis, custodian, record, reader, commitments).await?;
			// Another valid piece of the record in place of this custodian's would pass
			// its commitment, then fail the decoding as a duplicate.
			if got.index != index {
				return Err(Error::Custodian {
					endpoint,
					message: format!("sent piece {} where it keeps piece {index}", got.index),
				});
			}
			progress.advance(fragment_len);
			Ok::<_, Error>(got)
		}
	};
	let mut pieces: Vec<Piece> = Vec::new();
	let mut refusals = Vec::new();
	let mut next = 0;
	while pieces.len() < usize::from(entry.k) && next < held.len() {
		let wanted = (usize::from(entry.k) - pieces.len()).min(held.len() - next);
		let batch = held[next..next + wanted].iter().cloned().map(fetch);
		next += wanted;
		for fetched in join_all(batch).await {
			match fetched {
				Ok(got) => pieces.push(got),
				Err(e) => refusals.push(e.to_string()),
			}
		}
	}
	if pieces.len() < usize::from(entry.k) {
		return Err(Error::TooFewGoodPieces {
			good: pieces.len(),
			needed: usize::from(entry.k),
			refusals,
		});
	}
	Ok(Fetched { write, commitments, pieces, refusals })
}

/// How long a reader waits, in all, for a custodian whose node has not yet seen the ticket's
/// block finalised (custodians count only final tickets): a few GRANDPA rounds.
const TICKET_PATIENCE: Duration = Duration::from_secs(20);

/// The piece `custodian` keeps of `record`, opened and checked against `commitments`. A
/// custodian that does not see the reader's ticket yet is asked again until
/// [`TICKET_PATIENCE`] has passed.
async fn fetch_checked(
	genesis: [u8; 32],
	(custodian, endpoint): (&AccountId32, &str),
	record: u64,
	reader: &Keypair,
	commitments: &Commitments,
) -> Result<Piece, Error> {
	let deadline = std::time::Instant::now() + TICKET_PATIENCE;
	loop {
		let (request, secret) = get_request(genesis, custodian, record, reader, now_ms())?;
		match fetch_piece(endpoint, &request).await {
			Err(Error::Custody(e))
				if matches!(e.refusal(), Some(Refusal::NoTicket { .. }))
					&& std::time::Instant::now() < deadline =>
			{
				futures_timer::Delay::new(Duration::from_millis(250)).await;
			},
			Err(e) => return Err(e),
			Ok(sealed) => {
				let bytes = open_piece(&sealed, &secret, &request.request)?;
				let got = Piece::from_bytes(&bytes)?;
				commitments.verify_piece(&got)?;
				return Ok(got);
			},
		}
	}
}

/// `repairer` (anyone the chain lets open the record: the patient, a guardian, a doctor with
/// consent) moves piece `index` of `record` to `new_custodian`: it opens a ticket, fetches `k`
/// other pieces, regenerates the lost one exactly (its commitment is unchanged), has the new
/// custodian keep it, and submits `repair_piece` with the new custodian's receipt. The chain
/// accepts it only for a piece that is missing or whose custodian is suspended or removed.
pub async fn repair(
	api: &EhrClient,
	repairer: &Keypair,
	record: u64,
	index: u8,
	new_custodian: &AccountId32,
	progress: &dyn Progress,
) -> Result<(), Error> {
	let at = api.at_current_block().await.map_err(chain)?;
	let custodian = at
		.runtime_apis()
		.call(ehr::runtime_apis().shamir_archive_api().custodian(*new_custodian))
		.await
		.map_err(chain)?
		.filter(|c| matches!(c.status, Status::Active))
		.ok_or_else(|| Error::NotFound(format!("active custodian {new_custodian}")))?;
	let custodian = CustodianInfo::from_chain(*new_custodian, &custodian);
	open_ticket(api, repairer, record).await?;
	let fetched = fetch_pieces(api, repairer, record, Some(index), progress).await?;
	let codec_id = codec_record_id(api, &fetched.write);
	let piece = regenerate(&codec_id, &fetched.commitments, &fetched.pieces, index)?;
	let purpose = PutPurpose::Repair { record, repairer: repairer.public_key().0 };
	let put = (repairer, (fetched.write, purpose));
	let receipt = put_piece(api, put, &fetched.commitments, &piece, &custodian).await?;
	let call = ehr::tx().shamir_archive().repair_piece(
		record,
		index,
		*new_custodian,
		chain_receipt(&receipt),
	);
	submit(api, &call, repairer).await.map(drop)
}

/// A record's archive entry as the chain keeps it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ArchiveStatus {
	/// The record.
	pub record: u64,
	/// Anchored (every piece held), Degraded (some missing) or Erased.
	pub state: EntryState,
	/// Pieces needed to rebuild the record.
	pub k: u8,
	/// The payload's length in bytes.
	pub payload_len: u64,
	/// The block it was anchored at.
	pub anchored_at: u32,
	/// Each piece: its custodian and whether it is held.
	pub pieces: Vec<PieceStatus>,
}

/// One piece of an archive entry.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct PieceStatus {
	/// Its custodian.
	pub custodian: AccountId32,
	/// Held, or missing (to repair).
	pub state: PieceState,
}

/// The archive entry of `record`, at the last finalised block.
pub async fn status(api: &EhrClient, record: u64) -> Result<ArchiveStatus, Error> {
	let at = api.at_current_block().await.map_err(chain)?;
	let entry = at
		.runtime_apis()
		.call(ehr::runtime_apis().shamir_archive_api().archive(record))
		.await
		.map_err(chain)?
		.ok_or(Error::NoArchive { record })?;
	Ok(ArchiveStatus {
		record,
		state: entry.state,
		k: entry.k,
		payload_len: entry.payload_len,
		anchored_at: entry.anchored_at,
		pieces: entry
			.pieces
			.0
			.into_iter()
			.map(|p| PieceStatus { custodian: p.custodian, state: p.state })
			.collect(),
	})
}

/// `by` (the patient or a guardian) erases `record`: its custodians delete their pieces, and with
/// the key shares gone the ciphertext is useless. The custodians that must delete.
pub async fn erase(api: &EhrClient, by: &Keypair, record: u64) -> Result<Vec<AccountId32>, Error> {
	let events = submit(api, &ehr::tx().shamir_archive().erase(record), by).await?;
	let erased = events
		.find_first::<ehr::shamir_archive::events::ArchiveErased>()
		.ok_or_else(|| chain("no ArchiveErased event"))?
		.map_err(chain)?;
	Ok(erased.custodians.0)
}

/// Asks the custodian node at `endpoint` for its status.
pub async fn node_status(endpoint: &str) -> Result<CustodyStatus, Error> {
	Ok(CUSTODIANS.status(endpoint).await?)
}

/// The custodian node at `endpoint` as it reports itself, and the `register_custodian` call
/// that admits it with those keys (for the registrars to approve).
pub async fn custodian_registration(
	endpoint: &str,
) -> Result<(CustodianInfo, ehr::runtime_types::ehr_runtime::RuntimeCall), Error> {
	let status = node_status(endpoint).await?;
	let fail = |message: String| Error::Custodian { endpoint: endpoint.to_owned(), message };
	let key = |hex_key: &str| -> Result<[u8; 32], Error> {
		hex::decode(hex_key.trim_start_matches("0x"))
			.ok()
			.and_then(|bytes| bytes.try_into().ok())
			.ok_or_else(|| fail(format!("bad key {hex_key}")))
	};
	let account = AccountId32(key(&status.custodian)?);
	let x25519_public = key(&status.x25519_public)?;
	let receipt_key = key(&status.receipt_key)?;
	let call = ehr::runtime_types::pallet_shamir_archive::pallet::Call::register_custodian {
		custodian: account,
		endpoint: endpoint.as_bytes().to_vec(),
		x25519_public,
		receipt_key,
	};
	Ok((
		CustodianInfo { account, endpoint: endpoint.to_owned(), x25519_public, receipt_key },
		ehr::runtime_types::ehr_runtime::RuntimeCall::ShamirArchive(call),
	))
}

/// The registrar `member` approves registering the custodian node at `endpoint`, with the
/// account and keys the node reports: the custodian, and where the motion stands (see
/// [`crate::registrar::approve`]).
pub async fn register_custodian(
	api: &EhrClient,
	member: &Keypair,
	endpoint: &str,
) -> Result<(CustodianInfo, Motion), Error> {
	let (custodian, call) = custodian_registration(endpoint).await?;
	let motion = crate::registrar::approve(api, call, member).await?;
	Ok((custodian, motion))
}

/// The registrar `member` approves suspending (`active == false`) or reinstating the custodian
/// `custodian`; a suspended custodian's pieces may be repaired onto others.
pub async fn set_custodian_status(
	api: &EhrClient,
	member: &Keypair,
	custodian: &AccountId32,
	active: bool,
) -> Result<Motion, Error> {
	let status = if active { Status::Active } else { Status::Suspended };
	let call = ehr::runtime_types::pallet_shamir_archive::pallet::Call::set_custodian_status {
		custodian: *custodian,
		status,
	};
	let call = ehr::runtime_types::ehr_runtime::RuntimeCall::ShamirArchive(call);
	crate::registrar::approve(api, call, member).await
}
