//! Reading a record in the page, once the chain opened a ticket for the session's account: one
//! signed request per custodian, each answer opened with that request's own key and checked
//! against the record's on-chain commitment, then `k` good pieces decoded.
use crate::{
	error::{bytes32, WebError},
	Session,
};
use codec::Encode;
use ehr_archive_codec::{archive_record_id, decode, Commitments, Piece, Version};
use ehr_custody_protocol::{api, ephemeral_keypair, open_piece, GetRequest, SealedPiece};
use wasm_bindgen::prelude::*;
use zeroize::Zeroizing;

/// A record being read: its on-chain archive entry and the good pieces fetched so far.
#[wasm_bindgen]
pub struct RecordRead {
	genesis_hash: [u8; 32],
	record: u64,
	record_id: [u8; 32],
	commitments: Commitments,
	pieces: Vec<Piece>,
}

/// One request for a custodian's piece, with the secret that opens its answer.
#[wasm_bindgen]
pub struct PieceRequest {
	request: GetRequest,
	body: Vec<u8>,
	secret: Zeroizing<[u8; 32]>,
}

#[wasm_bindgen]
impl PieceRequest {
	/// The bytes to `POST` to the custodian's get path ([`get_path`]).
	#[wasm_bindgen(getter)]
	pub fn body(&self) -> Vec<u8> {
		self.body.clone()
	}
}

#[wasm_bindgen]
impl RecordRead {
	/// The read of `record` of `patient`, archived under `archive_id`, with the entry's
	/// parameters (`k`, `payload_len`, `segment_size`) and its piece commitments
	/// (`piece_hashes`: 32 bytes each, in piece order), as the chain's `read_plan` gives them.
	#[wasm_bindgen(constructor)]
	#[allow(clippy::too_many_arguments)] // the read plan's fields, as JavaScript passes them
	pub fn new(
		session: &Session,
		record: u64,
		patient: &[u8],
		archive_id: &[u8],
		k: u8,
		payload_len: u64,
		segment_size: u32,
		piece_hashes: &[u8],
	) -> Result<RecordRead, WebError> {
		if piece_hashes.is_empty() || !piece_hashes.len().is_multiple_of(32) {
			return Err(WebError::Input {
				what: "piece hashes",
				reason: format!("{} bytes, not a positive multiple of 32", piece_hashes.len()),
			});
		}
		let genesis_hash = session.genesis_hash();
		let record_id = archive_record_id(
			&genesis_hash,
			&bytes32("archive id", archive_id)?,
			&bytes32("patient", patient)?,
		);
		let commitments = Commitments {
			version: Version::V1,
			threshold: k,
			payload_len,
			segment_size,
			piece_hashes: piece_hashes
				.chunks_exact(32)
				.map(|hash| hash.try_into().unwrap_or_default())
				.collect(),
		};
		commitments.layout()?;
		Ok(RecordRead { genesis_hash, record, record_id, commitments, pieces: Vec::new() })
	}

	/// Bytes of one piece's fragment: what each good piece adds to the read (for progress).
	#[wasm_bindgen(getter, js_name = fragmentLen)]
	pub fn fragment_len(&self) -> Result<f64, WebError> {
		Ok(self.commitments.layout()?.fragment_len() as f64)
	}

	/// Good pieces so far.
	#[wasm_bindgen(getter)]
	pub fn held(&self) -> usize {
		self.pieces.len()
	}

	/// A request, signed in `session`, for the piece `custodian` (its account) keeps, issued
	/// at `now_ms` (custodians refuse requests far from their clock).
	pub fn request(
		&self,
		custodian: &[u8],
		session: &Session,
		now_ms: f64,
	) -> Result<PieceRequest, WebError> {
		let (secret, ephemeral_public) = ephemeral_keypair()?;
		let mut nonce = [0u8; 16];
		getrandom::fill(&mut nonce).map_err(|_| ehr_custody_protocol::ProtocolError::Rng)?;
		let (key, delegation) = session.signer()?;
		let request = GetRequest {
			genesis_hash: self.genesis_hash,
			custodian: bytes32("custodian", custodian)?,
			record: self.record,
			reader: delegation.grant.account,
			ephemeral_public,
			nonce,
			issued_at_ms: now_ms as u64,
		};
		let body = request.clone().sign_in_session(key, delegation).encode();
		Ok(PieceRequest { request, body, secret })
	}

	/// Takes the custodian's answer (HTTP `status`, `body`) to `request`, which must be piece
	/// `index`: opened with the request's key and checked against its commitment. A refusal,
	/// or a piece that fails, is the error, and nothing is kept of it.
	pub fn accept(
		&mut self,
		request: &PieceRequest,
		index: u8,
		status: u16,
		body: &[u8],
	) -> Result<(), WebError> {
		let sealed: SealedPiece = crate::answer::<api::Get>(status, body)?;
		let bytes = open_piece(&sealed, &request.secret, &request.request)?;
		let piece = Piece::from_bytes(&bytes)?;
		if piece.index != index {
			return Err(WebError::Input {
				what: "custodian's piece",
				reason: format!("piece {} where it keeps piece {index}", piece.index),
			});
		}
		self.commitments.verify_piece(&piece)?;
		if !self.pieces.iter().any(|held| held.index == piece.index) {
			self.pieces.push(piece);
		}
		Ok(())
	}

	/// The record's payload, from `k` good pieces, authenticated.
	pub fn decode(&self) -> Result<Vec<u8>, WebError> {
		Ok(decode(&self.record_id, &self.commitments, &self.pieces)?.payload)
	}
}
