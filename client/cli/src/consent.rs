//! `ehr consent` and `ehr emergency`: who may read and write (`ehr_client::consent`).
use crate::{cause, keys, output, Ctx, Output};
use clap::Subcommand;
use ehr_client::{
	consent,
	types::{Category, EmergencyReason, GrantScope, Grantee, Right},
};

#[derive(Subcommand)]
pub(crate) enum ConsentCmd {
	/// Grant a doctor or a hospital access (signed by the patient or a guardian).
	Grant {
		/// The patient (the signer if not given).
		#[arg(long)]
		patient: Option<String>,
		/// A doctor, in person.
		#[arg(long, conflicts_with = "hospital", required_unless_present = "hospital")]
		doctor: Option<String>,
		/// A whole hospital (its active doctors).
		#[arg(long)]
		hospital: Option<String>,
		/// Only records of this category.
		#[arg(long, value_enum, conflicts_with = "records")]
		category: Option<Category>,
		/// Only these records.
		#[arg(long, value_delimiter = ',')]
		records: Vec<u64>,
		/// Allow writing (adding records) too.
		#[arg(long)]
		write: bool,
		/// The block the grant lapses at.
		#[arg(long)]
		until: Option<u32>,
	},
	/// Revoke a grant (signed by the patient or a guardian). It stops working at once; a doctor
	/// still reads the records they wrote themselves until the patient erases them.
	Revoke {
		grant: u64,
		/// The patient (the signer if not given).
		#[arg(long)]
		patient: Option<String>,
	},
	/// List a patient's grants (the signer's if no patient is given).
	List {
		#[arg(long)]
		patient: Option<String>,
	},
}

#[derive(Subcommand)]
pub(crate) enum EmergencyCmd {
	/// Open emergency access to a patient (signed by a doctor).
	Open {
		#[arg(long)]
		patient: String,
		#[arg(long, value_enum)]
		reason: EmergencyReason,
	},
	/// Close an emergency session (signed by the doctor, the patient or a guardian). Closed by
	/// the patient or a guardian, that doctor cannot open another for the patient for the
	/// chain's cool-down (`EmergencyCooldown`).
	Close {
		#[arg(long)]
		patient: String,
		/// The doctor (the signer if not given).
		#[arg(long)]
		doctor: Option<String>,
	},
}

pub(crate) async fn consent(ctx: &Ctx, cmd: ConsentCmd) -> Result<Output, String> {
	let api = &ctx.api;
	match cmd {
		ConsentCmd::Grant { patient, doctor, hospital, category, records, write, until } => {
			let patient = ctx.account_or_signer(patient.as_deref())?;
			let grantee = match (doctor, hospital) {
				(Some(doctor), _) => Grantee::Doctor(keys::account(&doctor)?),
				(None, Some(hospital)) => Grantee::Hospital(keys::account(&hospital)?),
				(None, None) => return Err("give --doctor or --hospital".into()),
			};
			let scope = match (category, records.is_empty()) {
				(Some(category), _) => GrantScope::Category(category),
				(None, false) => GrantScope::Records(
					ehr_client::ehr::runtime_types::bounded_collections::bounded_vec::BoundedVec(
						records,
					),
				),
				(None, true) => GrantScope::All,
			};
			let right = if write { Right::ReadWrite } else { Right::Read };
			let grant = consent::grant(api, &ctx.signer()?, &patient, grantee, scope, right, until)
				.await
				.map_err(cause)?;
			output(&serde_json::json!({ "grant": grant }), format!("grant {grant} made"))
		},
		ConsentCmd::Revoke { grant, patient } => {
			let patient = ctx.account_or_signer(patient.as_deref())?;
			consent::revoke(api, &ctx.signer()?, &patient, grant).await.map_err(cause)?;
			let text = format!(
				"grant {grant} revoked: it stops working at once. Records the grantee wrote \
				 themselves stay readable to them (erase a record to close it to everyone)."
			);
			output(&serde_json::json!({ "grant": grant }), text)
		},
		ConsentCmd::List { patient } => {
			let patient = ctx.account_or_signer(patient.as_deref())?;
			let grants = consent::list(api, &patient).await.map_err(cause)?;
			let text = grants
				.iter()
				.map(|g| {
					format!(
						"{:>5}  {:?} {:?} {:?} until {}{}",
						g.id,
						g.grantee,
						g.right,
						g.scope,
						g.expires_at.map_or("revoked".into(), |b| format!("block {b}")),
						if g.live { "" } else { "  (lapsed)" }
					)
				})
				.collect::<Vec<_>>()
				.join("\n");
			output(&grants, if grants.is_empty() { "no grants".into() } else { text })
		},
	}
}

pub(crate) async fn emergency(ctx: &Ctx, cmd: EmergencyCmd) -> Result<Output, String> {
	let api = &ctx.api;
	match cmd {
		EmergencyCmd::Open { patient, reason } => {
			let patient = keys::account(&patient)?;
			let session = consent::open_emergency(api, &ctx.signer()?, &patient, reason)
				.await
				.map_err(cause)?;
			let text = format!(
				"EMERGENCY ACCESS to {} open until block {} (the patient and guardians are notified; this is audited)",
				session.patient, session.expires_at
			);
			output(&session, text)
		},
		EmergencyCmd::Close { patient, doctor } => {
			let patient = keys::account(&patient)?;
			let doctor = ctx.account_or_signer(doctor.as_deref())?;
			let signer = ctx.signer()?;
			consent::close_emergency(api, &signer, &patient, &doctor).await.map_err(cause)?;
			let mut text = format!("emergency access of {doctor} to {patient} closed");
			if signer.public_key().to_account_id() != doctor {
				text.push_str(
					"; that doctor cannot open another for this patient during the chain's \
					 cool-down (EhrAccess::EmergencyCooldown), other doctors still can",
				);
			}
			output(&doctor, text)
		},
	}
}
