//! The clinic the FHIR server's test and bench start from, on one `ehr-node --dev` that is its
//! own custodian: a hospital (//Bob, registered by the //Alice sudo key), a doctor (//Charlie) and
//! a patient (//Dave) who grants the doctor read-and-write consent to everything.
#![allow(dead_code)] // the test and the bench use different parts
use crate::common::TestNode;
use ehr_client::{
	archive, consent, roles,
	subxt::utils::AccountId32,
	subxt_signer::sr25519::{dev, Keypair},
	types::{GrantScope, Grantee, Right},
	EhrClient,
};

/// The clinic's accounts, and the grant the patient made to the doctor.
pub struct Clinic {
	pub hospital: Keypair,
	pub doctor: Keypair,
	pub patient: Keypair,
	pub grant: u64,
}

pub fn id(pair: &Keypair) -> AccountId32 {
	pair.public_key().to_account_id()
}

/// Registers the node as the custodian and sets up the clinic through `api`.
pub async fn clinic(node: &TestNode, api: &EhrClient) -> Clinic {
	let (registrar, hospital, doctor, patient) =
		(dev::alice(), dev::bob(), dev::charlie(), dev::dave());
	archive::register_custodian(api, &registrar, &node.custody_url()).await.unwrap();
	let profile = roles::HospitalProfile {
		name: "St Mary".into(),
		address: "1 Main Street".into(),
		specialities: vec!["cardiology".into()],
	};
	roles::register_hospital(api, &registrar, &id(&hospital), &profile).await.unwrap();
	let dr = roles::DoctorProfile {
		name: "Dr Grey".into(),
		speciality: "cardiology".into(),
		contact: "ward 3".into(),
	};
	roles::invite_doctor(api, &hospital, &id(&doctor), &dr).await.unwrap();
	roles::accept_doctor_invitation(api, &doctor).await.unwrap();
	roles::propose_patient(api, &doctor, &id(&patient)).await.unwrap();
	roles::register_patient(api, &patient).await.unwrap();
	let grant = consent::grant(
		api,
		&patient,
		&id(&patient),
		Grantee::Doctor(id(&doctor)),
		GrantScope::All,
		Right::ReadWrite,
		None,
	)
	.await
	.unwrap();
	Clinic { hospital, doctor, patient, grant }
}
