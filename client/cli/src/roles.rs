//! `ehr hospital|doctor|patient|guardian`: who is who (`ehr_client::roles`).
use crate::{cause, keys, motion_output, output, Ctx, Output};
use clap::{Args, Subcommand};
use ehr_client::roles;

#[derive(Subcommand)]
pub(crate) enum HospitalCmd {
	/// Approve registering a hospital (signed by a registrar; done once two thirds of the
	/// registrars have run the same command).
	Register {
		/// The hospital administrator's account.
		account: String,
		#[arg(long)]
		name: String,
		#[arg(long)]
		address: String,
		/// A speciality; repeat for several.
		#[arg(long = "speciality")]
		specialities: Vec<String>,
	},
	/// Show a hospital.
	Show { account: String },
	/// Approve suspending a hospital (signed by a registrar).
	Suspend { account: String },
	/// Approve reinstating a hospital (signed by a registrar).
	Reinstate { account: String },
}

/// A doctor's public, professional profile.
#[derive(Args)]
pub(crate) struct ProfileArgs {
	#[arg(long)]
	name: String,
	#[arg(long)]
	speciality: String,
	/// A professional contact (ward, desk).
	#[arg(long, default_value = "")]
	contact: String,
}

impl From<ProfileArgs> for roles::DoctorProfile {
	fn from(ProfileArgs { name, speciality, contact }: ProfileArgs) -> Self {
		Self { name, speciality, contact }
	}
}

#[derive(Subcommand)]
pub(crate) enum DoctorCmd {
	/// Invite an account to register as a doctor of the signing hospital, with a public
	/// profile; it is registered once the doctor accepts (`doctor accept`, signed by the doctor).
	Invite {
		/// The doctor's account.
		account: String,
		#[command(flatten)]
		profile: ProfileArgs,
	},
	/// Accept the signer's pending invitation, publishing its profile and registering as the
	/// inviting hospital's doctor.
	Accept,
	/// Withdraw (signed by the hospital) or decline (signed by the doctor) a pending invitation.
	Withdraw { account: String },
	/// Replace the signing doctor's own public profile.
	Update {
		#[command(flatten)]
		profile: ProfileArgs,
	},
	/// Show a doctor.
	Show { account: String },
	/// Suspend a doctor of the signing hospital.
	Suspend { account: String },
	/// Reinstate a doctor of the signing hospital.
	Reinstate { account: String },
}

#[derive(Subcommand)]
pub(crate) enum PatientCmd {
	/// Propose that an account registers as a patient (signed by a doctor).
	Propose { account: String },
	/// Register the signing account as a patient.
	Register,
	/// Show a patient (the signer if no account is given).
	Show { account: Option<String> },
}

#[derive(Subcommand)]
pub(crate) enum GuardianCmd {
	/// Name a guardian of the signing patient.
	Add { account: String },
	/// Remove a guardian of the signing patient.
	Remove { account: String },
}

pub(crate) async fn hospital(ctx: &Ctx, cmd: HospitalCmd) -> Result<Output, String> {
	let api = &ctx.api;
	match cmd {
		HospitalCmd::Register { account, name, address, specialities } => {
			let hospital = keys::account(&account)?;
			let profile = roles::HospitalProfile { name, address, specialities };
			let motion = roles::register_hospital(api, &ctx.signer()?, &hospital, &profile)
				.await
				.map_err(cause)?;
			motion_output(&hospital, &motion, format!("hospital {hospital} registered"))
		},
		HospitalCmd::Show { account } => {
			let h = roles::hospital(api, &keys::account(&account)?).await.map_err(cause)?;
			let text = format!(
				"hospital {}\n  name:         {}\n  address:      {}\n  specialities: {}\n  status:       {:?}\n  doctors:      {}\n  registered:   block {}",
				h.account,
				h.profile.name,
				h.profile.address,
				h.profile.specialities.join(", "),
				h.status,
				h.doctors,
				h.registered_at
			);
			output(&h, text)
		},
		HospitalCmd::Suspend { account } => {
			let hospital = keys::account(&account)?;
			let motion = roles::set_hospital_status(api, &ctx.signer()?, &hospital, false)
				.await
				.map_err(cause)?;
			motion_output(&hospital, &motion, format!("hospital {hospital} suspended"))
		},
		HospitalCmd::Reinstate { account } => {
			let hospital = keys::account(&account)?;
			let motion = roles::set_hospital_status(api, &ctx.signer()?, &hospital, true)
				.await
				.map_err(cause)?;
			motion_output(&hospital, &motion, format!("hospital {hospital} reinstated"))
		},
	}
}

pub(crate) async fn doctor(ctx: &Ctx, cmd: DoctorCmd) -> Result<Output, String> {
	let api = &ctx.api;
	match cmd {
		DoctorCmd::Invite { account, profile } => {
			let doctor = keys::account(&account)?;
			let profile = profile.into();
			roles::invite_doctor(api, &ctx.signer()?, &doctor, &profile).await.map_err(cause)?;
			output(
				&doctor,
				format!("doctor {doctor} invited; registered once they run `ehr doctor accept`"),
			)
		},
		DoctorCmd::Accept => {
			let signer = ctx.signer()?;
			let doctor = signer.public_key().to_account_id();
			let (hospital, profile) =
				roles::doctor_invitation(api, &doctor).await.map_err(cause)?;
			roles::accept_doctor_invitation(api, &signer).await.map_err(cause)?;
			output(
				&doctor,
				format!(
					"doctor {doctor} registered at hospital {hospital} as {} ({})",
					profile.name, profile.speciality
				),
			)
		},
		DoctorCmd::Withdraw { account } => {
			let doctor = keys::account(&account)?;
			roles::withdraw_doctor_invitation(api, &ctx.signer()?, &doctor).await.map_err(cause)?;
			output(&doctor, format!("invitation of {doctor} withdrawn"))
		},
		DoctorCmd::Update { profile } => {
			let signer = ctx.signer()?;
			let profile = profile.into();
			roles::update_doctor(api, &signer, &profile).await.map_err(cause)?;
			let doctor = signer.public_key().to_account_id();
			output(&doctor, format!("profile of doctor {doctor} updated"))
		},
		DoctorCmd::Show { account } => {
			let d = roles::doctor(api, &keys::account(&account)?).await.map_err(cause)?;
			let text = format!(
				"doctor {}\n  name:        {}\n  speciality:  {}\n  contact:     {}\n  hospital:    {}\n  status:      {:?}\n  emergencies: {}\n  registered:  block {}",
				d.account,
				d.profile.name,
				d.profile.speciality,
				d.profile.contact,
				d.hospital,
				d.status,
				d.emergencies_opened,
				d.registered_at
			);
			output(&d, text)
		},
		DoctorCmd::Suspend { account } => {
			let doctor = keys::account(&account)?;
			roles::set_doctor_status(api, &ctx.signer()?, &doctor, false).await.map_err(cause)?;
			output(&doctor, format!("doctor {doctor} suspended"))
		},
		DoctorCmd::Reinstate { account } => {
			let doctor = keys::account(&account)?;
			roles::set_doctor_status(api, &ctx.signer()?, &doctor, true).await.map_err(cause)?;
			output(&doctor, format!("doctor {doctor} reinstated"))
		},
	}
}

pub(crate) async fn patient(ctx: &Ctx, cmd: PatientCmd) -> Result<Output, String> {
	let api = &ctx.api;
	match cmd {
		PatientCmd::Propose { account } => {
			let patient = keys::account(&account)?;
			roles::propose_patient(api, &ctx.signer()?, &patient).await.map_err(cause)?;
			output(
				&patient,
				format!("proposed {patient}: the patient confirms with `ehr patient register`"),
			)
		},
		PatientCmd::Register => {
			let signer = ctx.signer()?;
			let id = roles::register_patient(api, &signer).await.map_err(cause)?;
			let account = signer.public_key().to_account_id();
			output(
				&serde_json::json!({ "account": account, "id": id }),
				format!("patient {account} registered with id {id}"),
			)
		},
		PatientCmd::Show { account } => {
			let account = ctx.account_or_signer(account.as_deref())?;
			let p = roles::patient(api, &account).await.map_err(cause)?;
			let guardians: Vec<String> = p.guardians.iter().map(ToString::to_string).collect();
			let text = format!(
				"patient {} (id {})\n  guardians:  {}\n  grants:     {}\n  records:    {}\n  registered: block {}",
				p.account,
				p.id,
				if guardians.is_empty() { "none".into() } else { guardians.join(", ") },
				p.grants,
				p.records,
				p.registered_at
			);
			output(&p, text)
		},
	}
}

pub(crate) async fn guardian(ctx: &Ctx, cmd: GuardianCmd) -> Result<Output, String> {
	let api = &ctx.api;
	match cmd {
		GuardianCmd::Add { account } => {
			let guardian = keys::account(&account)?;
			roles::add_guardian(api, &ctx.signer()?, &guardian).await.map_err(cause)?;
			output(&guardian, format!("guardian {guardian} added"))
		},
		GuardianCmd::Remove { account } => {
			let guardian = keys::account(&account)?;
			roles::remove_guardian(api, &ctx.signer()?, &guardian).await.map_err(cause)?;
			output(&guardian, format!("guardian {guardian} removed"))
		},
	}
}
