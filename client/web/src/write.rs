//! Writing a record from the page: validate the FHIR payload, encode it (encrypt, erasure-code,
//! Shamir-share the key, commit), seal and sign one put per custodian, check each receipt as
//! the chain will; the page then adds the record with the receipts in one transaction.
use crate::{
	error::{bytes32, WebError},
	Session,
};
use codec::Encode;
use ehr_archive_codec::{archive_record_id, encode, Encoded};
use ehr_custody_protocol::{api, PutPurpose, PutReceipt, PutRequest, Write};
use ehr_types::Category;
use wasm_bindgen::prelude::*;

/// A record being written: its payload encoded into one piece per custodian.
#[wasm_bindgen]
pub struct RecordWrite {
	genesis_hash: [u8; 32],
	write: Write,
	purpose: PutPurpose,
	category: Category,
	encoded: Encoded,
}

/// A custodian's receipt for its piece, checked, as the chain's `add_record` takes it.
#[wasm_bindgen(getter_with_clone)]
pub struct Receipt {
	/// The custodian's sr25519 signature over the custody receipt.
	pub signature: Vec<u8>,
	/// The last block at which the chain accepts it.
	#[wasm_bindgen(js_name = validUntil)]
	pub valid_until: u32,
}

#[wasm_bindgen]
impl RecordWrite {
	/// Validates `fhir_json` as FHIR R4 (filed under its category, which must be `category` if
	/// given by name, e.g. `Condition`), then encodes it as a record of `patient` written by
	/// the session's account, amending `supersedes` if given, into `n` pieces any `k` of which
	/// rebuild it. Nothing leaves the page unencrypted: the pieces are sealed per custodian
	/// by [`RecordWrite::put_body`].
	#[wasm_bindgen(constructor)]
	pub fn new(
		session: &Session,
		patient: &[u8],
		fhir_json: &[u8],
		category: Option<String>,
		supersedes: Option<u64>,
		k: u8,
		n: u8,
	) -> Result<RecordWrite, WebError> {
		let wanted = category.as_deref().map(category_named).transpose()?;
		let category = ehr_fhir::validate_record(fhir_json, wanted)?;
		let mut archive_id = [0u8; 32];
		getrandom::fill(&mut archive_id).map_err(|_| ehr_custody_protocol::ProtocolError::Rng)?;
		let genesis_hash = session.genesis_hash();
		let write = Write {
			patient: bytes32("patient", patient)?,
			author: bytes32("author", &session.account())?,
			archive_id,
		};
		let record_id = archive_record_id(&genesis_hash, &archive_id, &write.patient);
		let encoded = encode(fhir_json, &record_id, k, n)?;
		let purpose = PutPurpose::NewRecord { category, supersedes };
		Ok(RecordWrite { genesis_hash, write, purpose, category, encoded })
	}

	/// The category the record is filed under, by name (e.g. `Condition`).
	#[wasm_bindgen(getter)]
	pub fn category(&self) -> String {
		format!("{:?}", self.category)
	}

	/// The archive id drawn for the record.
	#[wasm_bindgen(getter, js_name = archiveId)]
	pub fn archive_id(&self) -> Vec<u8> {
		self.write.archive_id.to_vec()
	}

	/// The codec's wire format version, as the chain's archive header takes it.
	#[wasm_bindgen(getter)]
	pub fn version(&self) -> u8 {
		ehr_archive_codec::VERSION
	}

	/// Pieces needed to rebuild the record.
	#[wasm_bindgen(getter)]
	pub fn threshold(&self) -> u8 {
		self.encoded.commitments.threshold
	}

	/// The payload's length in bytes.
	#[wasm_bindgen(getter, js_name = payloadLen)]
	pub fn payload_len(&self) -> u64 {
		self.encoded.commitments.payload_len
	}

	/// Plaintext bytes per AEAD segment.
	#[wasm_bindgen(getter, js_name = segmentSize)]
	pub fn segment_size(&self) -> u32 {
		self.encoded.commitments.segment_size
	}

	/// The commitment of piece `index`.
	#[wasm_bindgen(js_name = pieceHash)]
	pub fn piece_hash(&self, index: u8) -> Result<Vec<u8>, WebError> {
		Ok(self.commitment(index)?.to_vec())
	}

	/// The bytes of piece `index`'s put to `custodian` (its account) whose registered X25519
	/// key is `custodian_x25519`: the piece sealed to that key, signed in the session, SCALE
	/// encoded, to `POST` to the custodian's put path ([`put_path`]).
	#[wasm_bindgen(js_name = putBody)]
	pub fn put_body(
		&self,
		index: u8,
		custodian: &[u8],
		custodian_x25519: &[u8],
		session: &Session,
	) -> Result<Vec<u8>, WebError> {
		let piece = self.encoded.pieces.get(usize::from(index)).ok_or(WebError::Input {
			what: "piece index",
			reason: format!("{index} is not below n = {}", self.encoded.pieces.len()),
		})?;
		let (key, delegation) = session.signer()?;
		let request = PutRequest::seal(
			self.genesis_hash,
			(bytes32("custodian", custodian)?, &bytes32("custodian X25519 key", custodian_x25519)?),
			(self.write, self.purpose),
			self.encoded.commitments.to_bytes(),
			&piece.to_bytes(),
		)?;
		Ok(request.sign_in_session(key, delegation).encode())
	}

	/// The receipt in a custodian's answer (HTTP `status`, `body`) to the put of piece `index`,
	/// checked as the chain will check it against the custodian's account and registered
	/// receipt key; or the custodian's refusal.
	pub fn receipt(
		&self,
		index: u8,
		custodian: &[u8],
		receipt_key: &[u8],
		status: u16,
		body: &[u8],
	) -> Result<Receipt, WebError> {
		let receipt: PutReceipt = crate::answer::<api::Put>(status, body)?;
		let custodian = (bytes32("custodian", custodian)?, &bytes32("receipt key", receipt_key)?);
		receipt
			.check(self.genesis_hash, &self.write, (index, self.commitment(index)?), custodian)
			.map_err(WebError::BadReceipt)?;
		Ok(Receipt { signature: receipt.signature.to_vec(), valid_until: receipt.valid_until })
	}
}

impl RecordWrite {
	fn commitment(&self, index: u8) -> Result<[u8; 32], WebError> {
		self.encoded.commitments.piece_hashes.get(usize::from(index)).copied().ok_or(
			WebError::Input { what: "piece index", reason: format!("{index} is out of range") },
		)
	}
}

/// The category named `name` (as the chain's metadata names it, e.g. `Condition`).
fn category_named(name: &str) -> Result<Category, WebError> {
	Category::ALL.into_iter().find(|c| format!("{c:?}") == name).ok_or_else(|| WebError::Input {
		what: "category",
		reason: format!("no category named {name}"),
	})
}
