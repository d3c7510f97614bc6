//! Types of `pallet-shamir-archive` that custodian nodes, clients and the UI share with the
//! runtime: custodians, archive entries, and the custody receipt message.
//!
//! None of these types can carry free text about a patient: the only byte string is a
//! custodian's network endpoint (infrastructure, not patient data). A unit test walks the type
//! metadata of every storage item, event and call to keep it so.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use polkadot_sdk::{
	frame_support::{
		traits::Get, BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound,
	},
	sp_core::{crypto::KeyTypeId, sr25519},
};
use scale_info::TypeInfo;

pub use pallet_ehr_access::{RecordId, Status};

/// The 32-byte id a writer picks at random for a record's archive before the record exists;
/// with the chain and the patient it gives the codec record id the payload is encrypted and
/// committed under (`ehr_archive_codec::archive_record_id`). Unique on chain.
pub type ArchiveId = [u8; 32];
/// A piece commitment `h_i = H(i, F_i, S_i)` (BLAKE3, see `ehr-archive-codec`).
pub type PieceHash = [u8; 32];

/// The keystore key type under which a custodian node keeps its receipt-signing sr25519 key.
pub const RECEIPT_KEY_TYPE: KeyTypeId = KeyTypeId(*b"cust");

/// The custody receipt message, defined once for custodians, clients and this pallet.
pub use ehr_custody_protocol::{CustodyReceipt, ReceiptFor, RECEIPT_DOMAIN};

/// The least redundancy every new archive must have: at least `k` pieces to rebuild it (so
/// that fewer than `k` custodians learn nothing), spread over at least `n` custodians (so that
/// `n - k` may be lost). Set by the registrar, checked when a record is anchored.
#[derive(
	Clone,
	Copy,
	Encode,
	Decode,
	DecodeWithMemTracking,
	Eq,
	PartialEq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub struct Redundancy {
	/// The least threshold `k`.
	pub k: u8,
	/// The least number of pieces `n`.
	pub n: u8,
}

impl Default for Redundancy {
	/// No minimum beyond what any archive has: 1 of 1 (a one-custodian development chain).
	fn default() -> Self {
		Self { k: 1, n: 1 }
	}
}

impl Redundancy {
	/// Whether this is a possible minimum: `1 <= k <= n <= max_pieces`.
	pub fn is_valid(&self, max_pieces: u32) -> bool {
		1 <= self.k && self.k <= self.n && u32::from(self.n) <= max_pieces
	}
}

/// A registered custodian node: public infrastructure facts, never patient data.
#[derive(
	Clone, Encode, Decode, DecodeWithMemTracking, Eq, PartialEq, Debug, TypeInfo, MaxEncodedLen,
)]
#[scale_info(skip_type_params(MaxEndpointLen))]
pub struct Custodian<BlockNumber, MaxEndpointLen: Get<u32>> {
	/// Where the custody service answers, e.g. `ws://10.0.0.5:9944` (UTF-8, non-empty).
	pub endpoint: BoundedVec<u8, MaxEndpointLen>,
	/// The X25519 public key that readers encrypt custody requests to.
	pub x25519_public: [u8; 32],
	/// The sr25519 public key that signs custody receipts (kept in the node's keystore under
	/// [`RECEIPT_KEY_TYPE`]).
	pub receipt_key: sr25519::Public,
	/// Whether the custodian may take new pieces. A suspended custodian's pieces are repairable.
	pub status: Status,
	/// The block it was registered at.
	pub registered_at: BlockNumber,
}

impl<BlockNumber, MaxEndpointLen: Get<u32>> Custodian<BlockNumber, MaxEndpointLen> {
	/// The same custodian under another endpoint bound (for the runtime API's view); an
	/// endpoint longer than the new bound is cut, which `integrity_test` rules out.
	pub fn rebound<B: Get<u32>>(self) -> Custodian<BlockNumber, B> {
		Custodian {
			endpoint: BoundedVec::truncate_from(self.endpoint.into_inner()),
			x25519_public: self.x25519_public,
			receipt_key: self.receipt_key,
			status: self.status,
			registered_at: self.registered_at,
		}
	}
}

/// Whether a custodian proved that it holds a piece.
#[derive(
	Clone,
	Copy,
	Encode,
	Decode,
	DecodeWithMemTracking,
	Eq,
	PartialEq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub enum PieceState {
	/// A valid custody receipt was checked on chain.
	#[codec(index = 0)]
	Held,
	/// No receipt was given at anchoring: the piece is due for repair.
	#[codec(index = 1)]
	Missing,
}

/// One piece of an archived record: who keeps it and what it commits to.
#[derive(
	Clone, Encode, Decode, DecodeWithMemTracking, Eq, PartialEq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct PieceInfo<AccountId> {
	/// The custodian that keeps (or should keep) the piece.
	pub custodian: AccountId,
	/// The piece's commitment `h_i`.
	pub hash: PieceHash,
	/// Whether the custodian's receipt was checked.
	pub state: PieceState,
}

/// The state of an archive entry.
#[derive(
	Clone,
	Copy,
	Encode,
	Decode,
	DecodeWithMemTracking,
	Eq,
	PartialEq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub enum EntryState {
	/// Every piece is held.
	#[codec(index = 0)]
	Anchored,
	/// At least `k` pieces are held (so the record can be rebuilt) but some are missing.
	#[codec(index = 1)]
	Degraded,
	/// The patient had the record erased: custodians must delete their pieces. Final.
	#[codec(index = 2)]
	Erased,
}

/// The on-chain half of an archived record: the codec parameters and commitments, and which
/// custodian keeps which piece. With it a reader rebuilds the codec's `Commitments` and checks
/// every piece before use.
#[derive(Clone, Encode, Decode, Eq, PartialEq, Debug, TypeInfo, MaxEncodedLen)]
#[scale_info(skip_type_params(MaxPieces))]
pub struct ArchiveEntry<AccountId, BlockNumber, MaxPieces: Get<u32>> {
	/// The id the record was encoded with (bound into the ciphertext and the root).
	pub archive_id: ArchiveId,
	/// The codec's wire format version.
	pub version: u8,
	/// Pieces needed to rebuild the record.
	pub k: u8,
	/// Exact length of the encrypted payload, in bytes.
	pub payload_len: u64,
	/// Plaintext bytes per AEAD segment.
	pub segment_size: u32,
	/// The codec root over the archive id, parameters and piece hashes; equal to the record
	/// anchor's commitment.
	pub root: [u8; 32],
	/// The `n` pieces, in index order.
	pub pieces: BoundedVec<PieceInfo<AccountId>, MaxPieces>,
	/// Anchored, degraded or erased.
	pub state: EntryState,
	/// The block it was anchored at.
	pub anchored_at: BlockNumber,
}

impl<AccountId: PartialEq, BlockNumber, MaxPieces: Get<u32>>
	ArchiveEntry<AccountId, BlockNumber, MaxPieces>
{
	/// How many pieces were made.
	pub fn n(&self) -> u32 {
		self.pieces.len() as u32
	}

	/// How many pieces are held.
	pub fn held(&self) -> u32 {
		self.pieces.iter().filter(|p| p.state == PieceState::Held).count() as u32
	}

	/// The state the pieces call for, unless erased: anchored when none is missing.
	pub fn live_state(&self) -> EntryState {
		if self.pieces.iter().any(|p| p.state == PieceState::Missing) {
			EntryState::Degraded
		} else {
			EntryState::Anchored
		}
	}

	/// Whether `who` keeps a piece other than the one at `except`.
	pub fn holds_other_piece(&self, who: &AccountId, except: usize) -> bool {
		self.pieces.iter().enumerate().any(|(i, p)| i != except && p.custodian == *who)
	}

	/// The same entry under another piece bound (for the runtime API's view); pieces beyond
	/// the new bound are cut, which `integrity_test` rules out.
	pub fn rebound<B: Get<u32>>(self) -> ArchiveEntry<AccountId, BlockNumber, B> {
		ArchiveEntry {
			archive_id: self.archive_id,
			version: self.version,
			k: self.k,
			payload_len: self.payload_len,
			segment_size: self.segment_size,
			root: self.root,
			pieces: BoundedVec::truncate_from(self.pieces.into_inner()),
			state: self.state,
			anchored_at: self.anchored_at,
		}
	}

	/// The codec's commitments for this entry, to check pieces against or recompute the root.
	pub fn commitments(&self) -> ehr_archive_codec::Commitments {
		ehr_archive_codec::Commitments {
			version: ehr_archive_codec::Version::V1,
			threshold: self.k,
			payload_len: self.payload_len,
			segment_size: self.segment_size,
			piece_hashes: self.pieces.iter().map(|p| p.hash).collect(),
		}
	}
}

/// The header of the codec's `Commitments` (everything but the piece hashes), as an
/// [`ArchiveSubmission`] carries it.
#[derive(
	Clone,
	Copy,
	Encode,
	Decode,
	DecodeWithMemTracking,
	Eq,
	PartialEq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub struct CommitmentsHeader {
	/// The codec's wire format version (`ehr_archive_codec::VERSION`).
	pub version: u8,
	/// `k`: pieces needed to rebuild the record.
	pub threshold: u8,
	/// Exact length of the encrypted payload, in bytes.
	pub payload_len: u64,
	/// Plaintext bytes per AEAD segment.
	pub segment_size: u32,
}

/// One piece of a record as its writer submits it with the record: the custodian that keeps
/// it, its commitment, and the custodian's receipt (`None`: none came, the piece is missing).
#[derive(
	Clone, Encode, Decode, DecodeWithMemTracking, Eq, PartialEq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct PieceSubmission<AccountId, BlockNumber> {
	/// The custodian that keeps the piece.
	pub custodian: AccountId,
	/// The piece's commitment `h_i`.
	pub hash: PieceHash,
	/// The custodian's receipt, if it gave one.
	pub receipt: Option<Receipt<BlockNumber>>,
}

/// A custodian's receipt for a piece, as submitted to the chain: its signature over the
/// [`CustodyReceipt`] of the piece, and the last block at which the chain accepts it (which the
/// receipt covers).
#[derive(
	Clone,
	Copy,
	Encode,
	Decode,
	DecodeWithMemTracking,
	Eq,
	PartialEq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub struct Receipt<BlockNumber> {
	/// sr25519 signature by the custodian's receipt key.
	pub signature: sr25519::Signature,
	/// The last block at which the receipt may be used.
	pub valid_until: BlockNumber,
}

/// The archive of a new record, as its writer submits it with the record in
/// `EhrAccess::add_record`: the archive id and codec header it was encoded with, and its `n`
/// pieces in index order. The record's commitment is the codec root computed from it.
#[derive(
	CloneNoBound,
	Encode,
	Decode,
	DecodeWithMemTracking,
	EqNoBound,
	PartialEqNoBound,
	DebugNoBound,
	TypeInfo,
	MaxEncodedLen,
)]
#[scale_info(skip_type_params(MaxPieces))]
pub struct ArchiveSubmission<
	AccountId: Clone + Eq + core::fmt::Debug,
	BlockNumber: Clone + Eq + core::fmt::Debug,
	MaxPieces: Get<u32>,
> {
	/// The id the writer drew at random and encoded the record under (with the chain and the
	/// patient, see `ehr_archive_codec::archive_record_id`). Unique on chain.
	pub archive_id: ArchiveId,
	/// The codec header of the commitments.
	pub header: CommitmentsHeader,
	/// The `n` pieces, in index order.
	pub pieces: BoundedVec<PieceSubmission<AccountId, BlockNumber>, MaxPieces>,
}

/// What [`crate::Pallet::read_plan`] answers: everything a reader or a custodian must know of a
/// record before asking custodians for its pieces, from one runtime-API call.
#[derive(Clone, Encode, Decode, Eq, PartialEq, Debug, TypeInfo)]
#[scale_info(skip_type_params(MaxPieces, MaxEndpointLen))]
pub struct ReadPlan<AccountId, BlockNumber, MaxPieces: Get<u32>, MaxEndpointLen: Get<u32>> {
	/// The record's archive entry.
	pub entry: ArchiveEntry<AccountId, BlockNumber, MaxPieces>,
	/// The record's patient (the codec record id and every receipt name them).
	pub patient: AccountId,
	/// The record's author (every receipt names them).
	pub author: AccountId,
	/// The custodian of each piece, in piece order, as registered now (`None`: no longer).
	pub custodians: BoundedVec<Option<Custodian<BlockNumber, MaxEndpointLen>>, MaxPieces>,
}
