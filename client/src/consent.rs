//! The patient decides: consent grants (made and revoked by the patient or a guardian), and
//! emergency ("break-glass") access, which a doctor opens loudly and anyone concerned may close.
use crate::{
	chain, ehr, submit,
	types::{EmergencyReason, GrantScope, Grantee, Right},
	EhrClient, Error,
};
use subxt::utils::AccountId32;
use subxt_signer::sr25519::Keypair;

/// A consent grant as the chain keeps it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ConsentGrant {
	/// The grant's id.
	pub id: u64,
	/// Whose records it opens.
	pub patient: AccountId32,
	/// A doctor in person, or a whole hospital.
	pub grantee: Grantee<AccountId32>,
	/// Which records: all, a category, or listed records.
	pub scope: GrantScope,
	/// Read, or read and write.
	pub right: Right,
	/// The patient or the guardian who made it.
	pub granted_by: AccountId32,
	/// The block it was made at.
	pub granted_at: u32,
	/// The block it lapses at, if any.
	pub expires_at: Option<u32>,
	/// Whether it still works at the block it was listed at.
	pub live: bool,
}

/// An emergency session opened by [`open_emergency`].
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct EmergencySession {
	/// The doctor who opened it.
	pub doctor: AccountId32,
	/// The doctor's hospital.
	pub hospital: AccountId32,
	/// The patient.
	pub patient: AccountId32,
	/// The block it lapses at.
	pub expires_at: u32,
	/// How many sessions the doctor has ever opened.
	pub total: u32,
}

/// `by` (the patient or one of their guardians) grants `grantee` the `right` to the `scope` of
/// `patient`'s records, until block `expires_at` if given; the new grant's id.
pub async fn grant(
	api: &EhrClient,
	by: &Keypair,
	patient: &AccountId32,
	grantee: Grantee<AccountId32>,
	scope: GrantScope,
	right: Right,
	expires_at: Option<u32>,
) -> Result<u64, Error> {
	let call = ehr::tx().ehr_access().grant_access(*patient, grantee, scope, right, expires_at);
	let events = submit(api, &call, by).await?;
	let granted = events
		.find_first::<ehr::ehr_access::events::AccessGranted>()
		.ok_or_else(|| chain("no AccessGranted event"))?
		.map_err(chain)?;
	Ok(granted.grant)
}

/// `by` (the patient or one of their guardians) revokes `patient`'s grant `grant`; it stops
/// working at once, tickets included.
pub async fn revoke(
	api: &EhrClient,
	by: &Keypair,
	patient: &AccountId32,
	grant: u64,
) -> Result<(), Error> {
	submit(api, &ehr::tx().ehr_access().revoke_access(*patient, grant), by).await.map(drop)
}

/// Every consent grant of `patient` (lapsed ones included, marked not live), at the last
/// finalised block.
pub async fn list(api: &EhrClient, patient: &AccountId32) -> Result<Vec<ConsentGrant>, Error> {
	let at = api.at_current_block().await.map_err(chain)?;
	let now = at.block_number();
	let mut grants = Vec::new();
	let mut after = None;
	loop {
		let page = at
			.runtime_apis()
			.call(ehr::runtime_apis().ehr_access_api().patient_grants(*patient, after, 100))
			.await
			.map_err(chain)?;
		let Some((last, _)) = page.last() else { break };
		after = Some(*last);
		grants.extend(page.into_iter().map(|(id, g)| ConsentGrant {
			id,
			patient: g.patient,
			grantee: g.grantee,
			scope: g.scope,
			right: g.right,
			granted_by: g.granted_by,
			granted_at: g.granted_at,
			expires_at: g.expires_at,
			live: g.expires_at.is_none_or(|at| now < u64::from(at)),
		}));
	}
	Ok(grants)
}

/// The doctor `doctor` opens emergency access to `patient` for `reason`: loud (an event the
/// patient and guardians watch for), time-limited and audited.
pub async fn open_emergency(
	api: &EhrClient,
	doctor: &Keypair,
	patient: &AccountId32,
	reason: EmergencyReason,
) -> Result<EmergencySession, Error> {
	let call = ehr::tx().ehr_access().open_emergency(*patient, reason);
	let events = submit(api, &call, doctor).await?;
	let opened = events
		.find_first::<ehr::ehr_access::events::EmergencyAccessOpened>()
		.ok_or_else(|| chain("no EmergencyAccessOpened event"))?
		.map_err(chain)?;
	Ok(EmergencySession {
		doctor: opened.doctor,
		hospital: opened.hospital,
		patient: opened.patient,
		expires_at: opened.expires_at,
		total: opened.total,
	})
}

/// `by` (the doctor, the patient or a guardian) closes `doctor`'s emergency session with
/// `patient` early.
pub async fn close_emergency(
	api: &EhrClient,
	by: &Keypair,
	patient: &AccountId32,
	doctor: &AccountId32,
) -> Result<(), Error> {
	submit(api, &ehr::tx().ehr_access().close_emergency(*patient, *doctor), by).await.map(drop)
}
