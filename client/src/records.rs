//! Health records end to end: FHIR R4 JSON in, validated, encrypted and dispersed to the
//! custodians, anchored on chain; and back out for an authorised reader, every piece checked.
use crate::{
	archive::{self, Progress, StoredRecord},
	chain, ehr, fhir,
	types::Category,
	EhrClient, Error,
};
use subxt::utils::AccountId32;
use subxt_signer::sr25519::Keypair;

/// A record as listed on chain: who, what kind, how large, when; never its content.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct RecordSummary {
	/// The record's id.
	pub id: u64,
	/// The patient it belongs to.
	pub patient: AccountId32,
	/// Who wrote it.
	pub author: AccountId32,
	/// The author's hospital, if the author is a doctor.
	pub hospital: Option<AccountId32>,
	/// What kind of record (a FHIR resource type).
	pub category: Category,
	/// The payload's size in bytes.
	pub size: u64,
	/// The block it was added at.
	pub created_at: u32,
	/// The record it amends, if any.
	pub supersedes: Option<u64>,
	/// The block at which the patient had it erased, if they did: it can no longer be read.
	pub erased_at: Option<u32>,
}

/// A record's anchor as the chain stores it.
type Anchor = ehr::runtime_types::pallet_ehr_access::types::Anchor<AccountId32, u128, u32>;

impl From<Anchor> for RecordSummary {
	fn from(anchor: Anchor) -> Self {
		RecordSummary {
			id: anchor.id,
			patient: anchor.patient,
			author: anchor.author,
			hospital: anchor.hospital,
			category: anchor.category,
			size: anchor.size,
			created_at: anchor.created_at,
			supersedes: anchor.supersedes,
			erased_at: anchor.erased_at,
		}
	}
}

/// A record read back by [`read`].
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct FhirRecord {
	/// The record's id.
	pub record: u64,
	/// Its FHIR R4 JSON, authenticated and valid.
	pub json: String,
	/// Custodians whose piece failed its commitment (it was not used).
	pub rejected: usize,
	/// Custodians that gave no piece, and why.
	pub refusals: Vec<String>,
}

pub use ehr_custody_protocol::default_threshold;

/// `author` (the patient, or a doctor with consent or emergency access) adds a record of
/// `patient`: `fhir_json` is validated as FHIR R4, filed under its category (or `category`,
/// which must match it), encrypted and spread over every active custodian (any `k` rebuild it,
/// by default [`default_threshold`] or the chain's least `k` if higher), then added on chain
/// with its archive in one transaction.
pub async fn add(
	api: &EhrClient,
	author: &Keypair,
	patient: &AccountId32,
	fhir_json: &[u8],
	category: Option<Category>,
	k: Option<u8>,
	progress: &dyn Progress,
) -> Result<StoredRecord, Error> {
	write(api, author, patient, None, fhir_json, category, k, progress).await
}

/// [`add`], as an amendment: the new record supersedes `supersedes`, which the chain requires to
/// be a record of the same patient and category (`SupersededMismatch` otherwise). The old
/// record stays readable; [`RecordSummary::supersedes`] links the two.
#[allow(clippy::too_many_arguments)] // add's arguments and the record amended
pub async fn amend(
	api: &EhrClient,
	author: &Keypair,
	patient: &AccountId32,
	supersedes: u64,
	fhir_json: &[u8],
	category: Option<Category>,
	k: Option<u8>,
	progress: &dyn Progress,
) -> Result<StoredRecord, Error> {
	write(api, author, patient, Some(supersedes), fhir_json, category, k, progress).await
}

#[allow(clippy::too_many_arguments)]
async fn write(
	api: &EhrClient,
	author: &Keypair,
	patient: &AccountId32,
	supersedes: Option<u64>,
	fhir_json: &[u8],
	category: Option<Category>,
	k: Option<u8>,
	progress: &dyn Progress,
) -> Result<StoredRecord, Error> {
	let category = fhir::validate(fhir_json, category)?;
	let custodians = archive::active_custodians(api).await?;
	// By default a majority, but never below the chain's least `k`.
	let k = match k {
		Some(k) => k,
		None => default_threshold(custodians.len()).max(archive::min_redundancy(api).await?.0),
	};
	let dispersal = archive::Dispersal { k, custodians: &custodians };
	archive::store_record(
		api, author, patient, category, supersedes, fhir_json, dispersal, progress,
	)
	.await
}

/// `reader` opens `record` (the chain decides and audits it) and reads it back from the
/// custodians as FHIR R4 JSON.
pub async fn read(
	api: &EhrClient,
	reader: &Keypair,
	record: u64,
	progress: &dyn Progress,
) -> Result<FhirRecord, Error> {
	let read = archive::read_record(api, reader, record, progress).await?;
	// The payload is authenticated, so this only fails for a record that was not written by
	// this library: say so rather than hand out bytes we cannot vouch for as FHIR.
	fhir::validate(&read.payload, None)?;
	let json = String::from_utf8(read.payload)
		.map_err(|_| Error::InvalidFhir { path: "$".into(), reason: "not UTF-8".into() })?;
	Ok(FhirRecord { record, json, rejected: read.rejected.len(), refusals: read.refusals })
}

/// Every record of `patient`, oldest first, at the last finalised block.
pub async fn list(api: &EhrClient, patient: &AccountId32) -> Result<Vec<RecordSummary>, Error> {
	let at = api.at_current_block().await.map_err(chain)?;
	let mut records = Vec::new();
	let mut after = None;
	loop {
		let page = at
			.runtime_apis()
			.call(ehr::runtime_apis().ehr_access_api().patient_records(*patient, after, 100))
			.await
			.map_err(chain)?;
		let Some((last, _)) = page.last() else { break };
		after = Some(*last);
		records.extend(page.into_iter().map(|(_, anchor)| RecordSummary::from(anchor)));
	}
	Ok(records)
}

/// The summary of record `record`, whoever's it is, at the last finalised block;
/// [`Error::NotFound`] if there is no such record.
pub async fn summary(api: &EhrClient, record: u64) -> Result<RecordSummary, Error> {
	let at = api.at_current_block().await.map_err(chain)?;
	let anchor = at
		.storage()
		.try_fetch(ehr::storage().ehr_access().records(), (record,))
		.await
		.map_err(chain)?
		.ok_or_else(|| Error::NotFound(format!("record {record}")))?
		.decode()
		.map_err(chain)?;
	Ok(anchor.into())
}
