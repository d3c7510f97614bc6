//! Who is who: hospitals (registered by the registrar: [`crate::registrar`]), their doctors, patients
//! (registered by their own key, possibly on a doctor's proposal) and guardians (named by the
//! patient). Profiles are public and professional; nothing here may describe a patient.
use crate::{
	chain,
	ehr::{
		self,
		runtime_types::{ehr_runtime::RuntimeCall, pallet_ehr_access::pallet::Call},
	},
	registrar::{self, Motion},
	submit,
	types::Status,
	EhrClient, Error,
};
use subxt::utils::AccountId32;
use subxt_signer::sr25519::Keypair;

/// A hospital's public profile.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct HospitalProfile {
	/// Its name.
	pub name: String,
	/// Its postal address.
	pub address: String,
	/// Its specialities, e.g. `cardiology`.
	pub specialities: Vec<String>,
}

/// A doctor's public, professional profile.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct DoctorProfile {
	/// Their name.
	pub name: String,
	/// Their speciality.
	pub speciality: String,
	/// Their professional contact (desk, phone of the ward).
	pub contact: String,
}

/// A registered hospital.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Hospital {
	/// The administrator's account.
	pub account: AccountId32,
	/// Its public profile.
	pub profile: HospitalProfile,
	/// Active or suspended.
	pub status: Status,
	/// The block it was registered at.
	pub registered_at: u32,
	/// How many doctors it has registered.
	pub doctors: u32,
}

/// A registered doctor.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Doctor {
	/// The doctor's account.
	pub account: AccountId32,
	/// The hospital that registered them.
	pub hospital: AccountId32,
	/// Their public profile.
	pub profile: DoctorProfile,
	/// Active or suspended.
	pub status: Status,
	/// The block they were registered at.
	pub registered_at: u32,
	/// How many emergency sessions they have ever opened.
	pub emergencies_opened: u32,
}

/// A registered patient, as the chain knows them: an account and a pseudonymous id, never a name.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Patient {
	/// The patient's account.
	pub account: AccountId32,
	/// Their pseudonymous id.
	pub id: u64,
	/// The block they registered at.
	pub registered_at: u32,
	/// The guardians they named.
	pub guardians: Vec<AccountId32>,
	/// How many consent grants they hold.
	pub grants: usize,
	/// How many records they have.
	pub records: u32,
}

fn text(bytes: Vec<u8>) -> String {
	String::from_utf8_lossy(&bytes).into_owned()
}

fn doctor_profile(
	profile: ehr::runtime_types::pallet_ehr_access::types::DoctorProfile,
) -> DoctorProfile {
	DoctorProfile {
		name: text(profile.name.0),
		speciality: text(profile.speciality.0),
		contact: text(profile.contact.0),
	}
}

fn status_of(active: bool) -> Status {
	if active {
		Status::Active
	} else {
		Status::Suspended
	}
}

/// The registrar `member` approves registering `hospital` with `profile` (see
/// [`registrar::approve`]: it is done once the quorum of registrars has approved it).
pub async fn register_hospital(
	api: &EhrClient,
	member: &Keypair,
	hospital: &AccountId32,
	profile: &HospitalProfile,
) -> Result<Motion, Error> {
	let call = Call::register_hospital {
		hospital: *hospital,
		name: profile.name.clone().into_bytes(),
		address: profile.address.clone().into_bytes(),
		specialities: profile.specialities.iter().map(|s| s.clone().into_bytes()).collect(),
	};
	registrar::approve(api, RuntimeCall::EhrAccess(call), member).await
}

/// The registrar `member` approves suspending (`active == false`) or reinstating `hospital`.
pub async fn set_hospital_status(
	api: &EhrClient,
	member: &Keypair,
	hospital: &AccountId32,
	active: bool,
) -> Result<Motion, Error> {
	let call = Call::set_hospital_status { hospital: *hospital, status: status_of(active) };
	registrar::approve(api, RuntimeCall::EhrAccess(call), member).await
}

/// The hospital `hospital` invites `doctor` with `profile` (and holds the doctor deposit);
/// the doctor is registered once their own key accepts ([`accept_doctor_invitation`]).
pub async fn invite_doctor(
	api: &EhrClient,
	hospital: &Keypair,
	doctor: &AccountId32,
	profile: &DoctorProfile,
) -> Result<(), Error> {
	let call = ehr::tx().ehr_access().invite_doctor(
		*doctor,
		profile.name.clone().into_bytes(),
		profile.speciality.clone().into_bytes(),
		profile.contact.clone().into_bytes(),
	);
	submit(api, &call, hospital).await.map(drop)
}

/// `doctor` accepts their pending invitation and is registered, active, with its profile.
pub async fn accept_doctor_invitation(api: &EhrClient, doctor: &Keypair) -> Result<(), Error> {
	submit(api, &ehr::tx().ehr_access().accept_doctor_invitation(), doctor).await.map(drop)
}

/// The inviting hospital withdraws, or the invited `doctor` declines, the invitation of
/// `doctor`; the hospital's deposit comes back.
pub async fn withdraw_doctor_invitation(
	api: &EhrClient,
	signer: &Keypair,
	doctor: &AccountId32,
) -> Result<(), Error> {
	let call = ehr::tx().ehr_access().withdraw_doctor_invitation(*doctor);
	submit(api, &call, signer).await.map(drop)
}

/// `doctor` replaces their own public profile.
pub async fn update_doctor(
	api: &EhrClient,
	doctor: &Keypair,
	profile: &DoctorProfile,
) -> Result<(), Error> {
	let call = ehr::tx().ehr_access().update_doctor(
		profile.name.clone().into_bytes(),
		profile.speciality.clone().into_bytes(),
		profile.contact.clone().into_bytes(),
	);
	submit(api, &call, doctor).await.map(drop)
}

/// The invitation pending for `doctor`, at the last finalised block: the inviting hospital and
/// the proposed profile.
pub async fn doctor_invitation(
	api: &EhrClient,
	doctor: &AccountId32,
) -> Result<(AccountId32, DoctorProfile), Error> {
	let at = api.at_current_block().await.map_err(chain)?;
	let invitation = at
		.storage()
		.try_fetch(ehr::storage().ehr_access().pending_doctors(), (*doctor,))
		.await
		.map_err(chain)?
		.ok_or_else(|| Error::NotFound(format!("invitation of {doctor}")))?
		.decode()
		.map_err(chain)?;
	Ok((invitation.hospital, doctor_profile(invitation.profile)))
}

/// The hospital `hospital` suspends (`active == false`) or reinstates its `doctor`.
pub async fn set_doctor_status(
	api: &EhrClient,
	hospital: &Keypair,
	doctor: &AccountId32,
	active: bool,
) -> Result<(), Error> {
	let call = ehr::tx().ehr_access().set_doctor_status(*doctor, status_of(active));
	submit(api, &call, hospital).await.map(drop)
}

/// The doctor `doctor` proposes that `patient` registers; the patient confirms with
/// [`register_patient`].
pub async fn propose_patient(
	api: &EhrClient,
	doctor: &Keypair,
	patient: &AccountId32,
) -> Result<(), Error> {
	submit(api, &ehr::tx().ehr_access().propose_patient(*patient), doctor).await.map(drop)
}

/// `patient` registers with their own key; their pseudonymous id.
pub async fn register_patient(api: &EhrClient, patient: &Keypair) -> Result<u64, Error> {
	let events = submit(api, &ehr::tx().ehr_access().register_patient(), patient).await?;
	let registered = events
		.find_first::<ehr::ehr_access::events::PatientRegistered>()
		.ok_or_else(|| chain("no PatientRegistered event"))?
		.map_err(chain)?;
	Ok(registered.id)
}

/// `patient` names `guardian` (the attendant, next of kin) to manage consent on their behalf.
pub async fn add_guardian(
	api: &EhrClient,
	patient: &Keypair,
	guardian: &AccountId32,
) -> Result<(), Error> {
	submit(api, &ehr::tx().ehr_access().add_guardian(*guardian), patient).await.map(drop)
}

/// `patient` removes the guardian `guardian`.
pub async fn remove_guardian(
	api: &EhrClient,
	patient: &Keypair,
	guardian: &AccountId32,
) -> Result<(), Error> {
	submit(api, &ehr::tx().ehr_access().remove_guardian(*guardian), patient).await.map(drop)
}

/// The hospital whose administrator is `account`, at the last finalised block.
pub async fn hospital(api: &EhrClient, account: &AccountId32) -> Result<Hospital, Error> {
	let at = api.at_current_block().await.map_err(chain)?;
	let info = at
		.storage()
		.try_fetch(ehr::storage().ehr_access().hospitals(), (*account,))
		.await
		.map_err(chain)?
		.ok_or_else(|| Error::NotFound(format!("hospital {account}")))?
		.decode()
		.map_err(chain)?;
	Ok(Hospital {
		account: *account,
		profile: HospitalProfile {
			name: text(info.profile.name.0),
			address: text(info.profile.address.0),
			specialities: info.profile.specialities.0.into_iter().map(|s| text(s.0)).collect(),
		},
		status: info.status,
		registered_at: info.registered_at,
		doctors: info.doctors,
	})
}

/// The doctor `account`, at the last finalised block.
pub async fn doctor(api: &EhrClient, account: &AccountId32) -> Result<Doctor, Error> {
	let at = api.at_current_block().await.map_err(chain)?;
	let info = at
		.storage()
		.try_fetch(ehr::storage().ehr_access().doctors(), (*account,))
		.await
		.map_err(chain)?
		.ok_or_else(|| Error::NotFound(format!("doctor {account}")))?
		.decode()
		.map_err(chain)?;
	Ok(Doctor {
		account: *account,
		hospital: info.hospital,
		profile: doctor_profile(info.profile),
		status: info.status,
		registered_at: info.registered_at,
		emergencies_opened: info.emergencies_opened,
	})
}

/// The patient `account`, at the last finalised block.
pub async fn patient(api: &EhrClient, account: &AccountId32) -> Result<Patient, Error> {
	let at = api.at_current_block().await.map_err(chain)?;
	let info = at
		.storage()
		.try_fetch(ehr::storage().ehr_access().patients(), (*account,))
		.await
		.map_err(chain)?
		.ok_or_else(|| Error::NotFound(format!("patient {account}")))?
		.decode()
		.map_err(chain)?;
	Ok(Patient {
		account: *account,
		id: info.id,
		registered_at: info.registered_at,
		guardians: info.guardians.0.into_iter().map(|g| g.account).collect(),
		grants: info.grants.0.len(),
		records: info.records,
	})
}
