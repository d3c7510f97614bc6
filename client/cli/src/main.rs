//! `ehr`: the command line of ehr-chain, one subcommand per screen of the original app (hospital,
//! doctor, patient, record) plus consent, emergency access, the audit trail, the archive and
//! custodians. Results go to standard output (text, or JSON with `--json`); every error is one
//! line on standard error and a non-zero exit.
mod keys;
mod progress;

use clap::{Args, Parser, Subcommand, ValueEnum};
use ehr_client::{
	archive, audit, consent,
	records::{self, default_threshold},
	roles,
	subxt::utils::AccountId32,
	types::{Category, EmergencyReason, GrantScope, Grantee, Right},
	EhrClient,
};
use serde::Serialize;
use std::{io::Read, path::PathBuf, process::ExitCode};
use subxt_signer::sr25519::Keypair;

#[derive(Parser)]
#[command(name = "ehr", version, about = "Share electronic health records on ehr-chain", long_about = None)]
struct Cli {
	/// The node's RPC endpoint.
	#[arg(long, global = true, env = "EHR_URL", default_value = "ws://127.0.0.1:9944")]
	url: String,
	/// The signing key: `//Alice`, a mnemonic (with an optional `//derivation`), or a hex seed.
	#[arg(long, global = true, env = "EHR_SURI", hide_env_values = true)]
	suri: Option<String>,
	/// A file holding the signing key: a secret URI or mnemonic, or a Polkadot.js JSON export
	/// (decrypted with `EHR_KEY_PASSWORD`).
	#[arg(long, global = true, env = "EHR_KEY_FILE")]
	key_file: Option<PathBuf>,
	/// Print results as JSON, for scripts.
	#[arg(long, global = true)]
	json: bool,
	#[command(subcommand)]
	command: Command,
}

#[derive(Subcommand)]
enum Command {
	/// Hospitals: registered and suspended by the registrar (the sudo key).
	#[command(subcommand)]
	Hospital(HospitalCmd),
	/// Doctors: registered and suspended by their hospital.
	#[command(subcommand)]
	Doctor(DoctorCmd),
	/// Patients: proposed by a doctor, registered by their own key.
	#[command(subcommand)]
	Patient(PatientCmd),
	/// Guardians (attendants, next of kin): named by the patient.
	#[command(subcommand)]
	Guardian(GuardianCmd),
	/// Records: FHIR R4 JSON, validated, encrypted and spread over the custodians.
	#[command(subcommand)]
	Record(RecordCmd),
	/// Consent: the patient or a guardian grants and revokes access.
	#[command(subcommand)]
	Consent(ConsentCmd),
	/// Emergency (break-glass) access: loud, time-limited, audited.
	#[command(subcommand)]
	Emergency(EmergencyCmd),
	/// A patient's audit trail: who opened which record when, and every change of access.
	Audit(AuditArgs),
	/// Archive entries: status and erasure.
	#[command(subcommand)]
	Archive(ArchiveCmd),
	/// Custodian nodes.
	#[command(subcommand)]
	Custodian(CustodianCmd),
}

#[derive(Subcommand)]
enum HospitalCmd {
	/// Register a hospital (signed by the registrar).
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
	/// Suspend a hospital (signed by the registrar).
	Suspend { account: String },
	/// Reinstate a hospital (signed by the registrar).
	Reinstate { account: String },
}

#[derive(Subcommand)]
enum DoctorCmd {
	/// Register a doctor of the signing hospital.
	Register {
		/// The doctor's account.
		account: String,
		#[arg(long)]
		name: String,
		#[arg(long)]
		speciality: String,
		/// A professional contact (ward, desk).
		#[arg(long, default_value = "")]
		contact: String,
	},
	/// Show a doctor.
	Show { account: String },
	/// Suspend a doctor of the signing hospital.
	Suspend { account: String },
	/// Reinstate a doctor of the signing hospital.
	Reinstate { account: String },
}

#[derive(Subcommand)]
enum PatientCmd {
	/// Propose that an account registers as a patient (signed by a doctor).
	Propose { account: String },
	/// Register the signing account as a patient.
	Register,
	/// Show a patient (the signer if no account is given).
	Show { account: Option<String> },
}

#[derive(Subcommand)]
enum GuardianCmd {
	/// Name a guardian of the signing patient.
	Add { account: String },
	/// Remove a guardian of the signing patient.
	Remove { account: String },
}

#[derive(Subcommand)]
enum RecordCmd {
	/// Add a record: a FHIR R4 resource or Bundle from a file (`-` for standard input).
	Add {
		/// The patient the record belongs to (the signer if not given).
		#[arg(long)]
		patient: Option<String>,
		/// The FHIR JSON file.
		#[arg(long)]
		file: PathBuf,
		/// The category to file it under (by default, the resource's own).
		#[arg(long, value_enum)]
		category: Option<CategoryArg>,
		/// Custodians needed to rebuild it (by default a majority).
		#[arg(long)]
		k: Option<u8>,
	},
	/// List a patient's records (the signer's if no patient is given).
	List {
		#[arg(long)]
		patient: Option<String>,
	},
	/// Open and read a record: the chain decides and audits, the custodians serve.
	Read {
		record: u64,
		/// Write the FHIR JSON here rather than to standard output.
		#[arg(long)]
		out: Option<PathBuf>,
	},
}

#[derive(Subcommand)]
enum ConsentCmd {
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
		category: Option<CategoryArg>,
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
	/// Revoke a grant (signed by the patient or a guardian).
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
enum EmergencyCmd {
	/// Open emergency access to a patient (signed by a doctor).
	Open {
		#[arg(long)]
		patient: String,
		#[arg(long, value_enum)]
		reason: ReasonArg,
	},
	/// Close an emergency session (signed by the doctor, the patient or a guardian).
	Close {
		#[arg(long)]
		patient: String,
		/// The doctor (the signer if not given).
		#[arg(long)]
		doctor: Option<String>,
	},
}

#[derive(Args)]
struct AuditArgs {
	/// The patient (the signer if not given).
	#[arg(long)]
	patient: Option<String>,
	/// The first block to look at.
	#[arg(long, default_value_t = 1)]
	from: u64,
	/// The last block to look at (by default the last finalised one).
	#[arg(long)]
	to: Option<u64>,
}

#[derive(Subcommand)]
enum ArchiveCmd {
	/// Show a record's archive entry: its state and each piece's custodian.
	Status { record: u64 },
	/// Erase a record's archive (signed by the patient or a guardian): custodians delete the pieces.
	Erase { record: u64 },
	/// Regenerate a missing piece (or one whose custodian is suspended) from the others and
	/// move it to another custodian (signed by anyone allowed to open the record).
	Repair {
		record: u64,
		/// The piece's index, as `archive status` lists it.
		#[arg(long)]
		piece: u8,
		/// The custodian to take it.
		#[arg(long)]
		to: String,
	},
}

#[derive(Subcommand)]
enum CustodianCmd {
	/// List the active custodians.
	List,
	/// Register the custodian node at an endpoint, with the keys it reports (signed by the
	/// registrar).
	Register { endpoint: String },
	/// Ask a custodian node for its status.
	Status { endpoint: String },
	/// Suspend a custodian (signed by the registrar): its pieces become repairable.
	Suspend { account: String },
	/// Reinstate a custodian (signed by the registrar).
	Reinstate { account: String },
}

/// Record categories, as FHIR R4 resource types.
#[derive(Clone, Copy, ValueEnum)]
enum CategoryArg {
	Demographics,
	Coverage,
	Condition,
	DiagnosticReport,
	Medication,
	Procedure,
	Encounter,
	Observation,
	AllergyIntolerance,
	Immunization,
	Document,
}

impl From<CategoryArg> for Category {
	fn from(c: CategoryArg) -> Category {
		match c {
			CategoryArg::Demographics => Category::Demographics,
			CategoryArg::Coverage => Category::Coverage,
			CategoryArg::Condition => Category::Condition,
			CategoryArg::DiagnosticReport => Category::DiagnosticReport,
			CategoryArg::Medication => Category::Medication,
			CategoryArg::Procedure => Category::Procedure,
			CategoryArg::Encounter => Category::Encounter,
			CategoryArg::Observation => Category::Observation,
			CategoryArg::AllergyIntolerance => Category::AllergyIntolerance,
			CategoryArg::Immunization => Category::Immunization,
			CategoryArg::Document => Category::Document,
		}
	}
}

/// Emergency reason codes.
#[derive(Clone, Copy, ValueEnum)]
enum ReasonArg {
	Unconscious,
	LifeThreatening,
	UnableToConsent,
	MassCasualty,
	Other,
}

impl From<ReasonArg> for EmergencyReason {
	fn from(r: ReasonArg) -> EmergencyReason {
		match r {
			ReasonArg::Unconscious => EmergencyReason::Unconscious,
			ReasonArg::LifeThreatening => EmergencyReason::LifeThreatening,
			ReasonArg::UnableToConsent => EmergencyReason::UnableToConsent,
			ReasonArg::MassCasualty => EmergencyReason::MassCasualty,
			ReasonArg::Other => EmergencyReason::Other,
		}
	}
}

/// What a command prints: a value for `--json` and its text for people.
struct Output {
	json: serde_json::Value,
	text: String,
}

fn output<T: Serialize>(value: &T, text: impl Into<String>) -> Result<Output, String> {
	let json = serde_json::to_value(value).map_err(|e| format!("cannot print the result: {e}"))?;
	Ok(Output { json, text: text.into() })
}

/// The context of a command: the connection and where keys come from.
struct Ctx {
	api: EhrClient,
	suri: Option<String>,
	key_file: Option<PathBuf>,
}

impl Ctx {
	fn signer(&self) -> Result<Keypair, String> {
		let password = std::env::var("EHR_KEY_PASSWORD").ok();
		keys::signer(self.suri.as_deref(), self.key_file.as_deref(), password.as_deref())
	}

	/// `account`, or the signer's account if none is given.
	fn account_or_signer(&self, account: Option<&str>) -> Result<AccountId32, String> {
		match account {
			Some(account) => keys::account(account),
			None => Ok(self.signer()?.public_key().to_account_id()),
		}
	}
}

#[tokio::main]
async fn main() -> ExitCode {
	// A bug must still end in one line, not a backtrace.
	std::panic::set_hook(Box::new(|info| {
		eprintln!(
			"error: internal error, please report it: {}",
			info.to_string().replace('\n', " ")
		);
	}));
	let cli = Cli::parse();
	let json = cli.json;
	match run(cli).await {
		Ok(out) => {
			if json {
				println!("{}", out.json);
			} else if !out.text.is_empty() {
				println!("{}", out.text);
			}
			ExitCode::SUCCESS
		},
		Err(cause) => {
			// One line: the cause, never a backtrace.
			eprintln!("error: {}", cause.replace('\n', " "));
			ExitCode::FAILURE
		},
	}
}

async fn run(cli: Cli) -> Result<Output, String> {
	let api = ehr_client::connect(&cli.url).await.map_err(|e| e.to_string())?;
	let ctx = Ctx { api, suri: cli.suri, key_file: cli.key_file };
	match cli.command {
		Command::Hospital(cmd) => hospital(&ctx, cmd).await,
		Command::Doctor(cmd) => doctor(&ctx, cmd).await,
		Command::Patient(cmd) => patient(&ctx, cmd).await,
		Command::Guardian(cmd) => guardian(&ctx, cmd).await,
		Command::Record(cmd) => record(&ctx, cmd).await,
		Command::Consent(cmd) => consent(&ctx, cmd).await,
		Command::Emergency(cmd) => emergency(&ctx, cmd).await,
		Command::Audit(args) => audit(&ctx, args).await,
		Command::Archive(cmd) => archive(&ctx, cmd).await,
		Command::Custodian(cmd) => custodian(&ctx, cmd).await,
	}
}

/// The client's errors name their cause; that is the line we print.
fn cause(e: ehr_client::Error) -> String {
	e.to_string()
}

async fn hospital(ctx: &Ctx, cmd: HospitalCmd) -> Result<Output, String> {
	let api = &ctx.api;
	match cmd {
		HospitalCmd::Register { account, name, address, specialities } => {
			let hospital = keys::account(&account)?;
			let profile = roles::HospitalProfile { name, address, specialities };
			roles::register_hospital(api, &ctx.signer()?, &hospital, &profile)
				.await
				.map_err(cause)?;
			output(&hospital, format!("hospital {hospital} registered"))
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
			roles::set_hospital_status(api, &ctx.signer()?, &hospital, false)
				.await
				.map_err(cause)?;
			output(&hospital, format!("hospital {hospital} suspended"))
		},
		HospitalCmd::Reinstate { account } => {
			let hospital = keys::account(&account)?;
			roles::set_hospital_status(api, &ctx.signer()?, &hospital, true)
				.await
				.map_err(cause)?;
			output(&hospital, format!("hospital {hospital} reinstated"))
		},
	}
}

async fn doctor(ctx: &Ctx, cmd: DoctorCmd) -> Result<Output, String> {
	let api = &ctx.api;
	match cmd {
		DoctorCmd::Register { account, name, speciality, contact } => {
			let doctor = keys::account(&account)?;
			let profile = roles::DoctorProfile { name, speciality, contact };
			roles::register_doctor(api, &ctx.signer()?, &doctor, &profile).await.map_err(cause)?;
			output(&doctor, format!("doctor {doctor} registered"))
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

async fn patient(ctx: &Ctx, cmd: PatientCmd) -> Result<Output, String> {
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

async fn guardian(ctx: &Ctx, cmd: GuardianCmd) -> Result<Output, String> {
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

async fn record(ctx: &Ctx, cmd: RecordCmd) -> Result<Output, String> {
	let api = &ctx.api;
	match cmd {
		RecordCmd::Add { patient, file, category, k } => {
			let signer = ctx.signer()?;
			let patient = match patient {
				Some(patient) => keys::account(&patient)?,
				None => signer.public_key().to_account_id(),
			};
			let json = read_input(&file)?;
			let bar = progress::Bar::new("upload");
			let stored =
				records::add(api, &signer, &patient, &json, category.map(Into::into), k, &bar)
					.await
					.map_err(cause);
			bar.finish();
			let stored = stored?;
			output(
				&serde_json::json!({
					"record": stored.record,
					"archiveId": format!("0x{}", hex::encode(stored.archive_id)),
					"held": stored.held,
				}),
				format!("record {} added ({} custodians hold a piece)", stored.record, stored.held),
			)
		},
		RecordCmd::List { patient } => {
			let patient = ctx.account_or_signer(patient.as_deref())?;
			let list = records::list(api, &patient).await.map_err(cause)?;
			let text = list
				.iter()
				.map(|r| {
					format!(
						"{:>6}  {:<20} {:>10} B  block {:<8} by {}{}",
						r.id,
						format!("{:?}", r.category),
						r.size,
						r.created_at,
						r.author,
						match r.erased_at {
							Some(block) => format!("  (erased at block {block})"),
							None => String::new(),
						}
					)
				})
				.collect::<Vec<_>>()
				.join("\n");
			output(&list, if list.is_empty() { "no records".into() } else { text })
		},
		RecordCmd::Read { record, out } => {
			let bar = progress::Bar::new("download");
			let read = records::read(api, &ctx.signer()?, record, &bar).await.map_err(cause);
			bar.finish();
			let read = read?;
			if read.rejected > 0 || !read.refusals.is_empty() {
				eprintln!(
					"warning: {} corrupt piece(s) rejected; refusals: {:?}",
					read.rejected, read.refusals
				);
			}
			match out {
				Some(path) => {
					std::fs::write(&path, &read.json)
						.map_err(|e| format!("cannot write {}: {e}", path.display()))?;
					output(&read, format!("record {record} written to {}", path.display()))
				},
				None => output(&read, read.json.clone()),
			}
		},
	}
}

async fn consent(ctx: &Ctx, cmd: ConsentCmd) -> Result<Output, String> {
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
				(Some(category), _) => GrantScope::Category(category.into()),
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
			output(&serde_json::json!({ "grant": grant }), format!("grant {grant} revoked"))
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

async fn emergency(ctx: &Ctx, cmd: EmergencyCmd) -> Result<Output, String> {
	let api = &ctx.api;
	match cmd {
		EmergencyCmd::Open { patient, reason } => {
			let patient = keys::account(&patient)?;
			let session = consent::open_emergency(api, &ctx.signer()?, &patient, reason.into())
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
			consent::close_emergency(api, &ctx.signer()?, &patient, &doctor)
				.await
				.map_err(cause)?;
			output(&doctor, format!("emergency access of {doctor} to {patient} closed"))
		},
	}
}

async fn audit(ctx: &Ctx, args: AuditArgs) -> Result<Output, String> {
	let patient = ctx.account_or_signer(args.patient.as_deref())?;
	let trail = audit::trail(&ctx.api, &patient, args.from, args.to).await.map_err(cause)?;
	let text = trail
		.iter()
		.map(|entry| {
			format!("block {:<8} {:>13} ms  {:?}", entry.block, entry.time_ms, entry.event)
		})
		.collect::<Vec<_>>()
		.join("\n");
	output(&trail, if trail.is_empty() { "no events".into() } else { text })
}

async fn archive(ctx: &Ctx, cmd: ArchiveCmd) -> Result<Output, String> {
	let api = &ctx.api;
	match cmd {
		ArchiveCmd::Status { record } => {
			let status = archive::status(api, record).await.map_err(cause)?;
			let pieces = status
				.pieces
				.iter()
				.enumerate()
				.map(|(i, p)| format!("  piece {i}: {:?} by {}", p.state, p.custodian))
				.collect::<Vec<_>>()
				.join("\n");
			let text = format!(
				"record {}: {:?}, any {} of {} pieces rebuild its {} bytes (anchored at block {})\n{pieces}",
				record,
				status.state,
				status.k,
				status.pieces.len(),
				status.payload_len,
				status.anchored_at
			);
			output(&status, text)
		},
		ArchiveCmd::Repair { record, piece, to } => {
			let to = keys::account(&to)?;
			let bar = progress::Bar::new("repair");
			let repaired =
				archive::repair(api, &ctx.signer()?, record, piece, &to, &bar).await.map_err(cause);
			bar.finish();
			repaired?;
			output(
				&serde_json::json!({ "record": record, "piece": piece, "custodian": to }),
				format!("piece {piece} of record {record} regenerated and kept by {to}"),
			)
		},
		ArchiveCmd::Erase { record } => {
			let custodians = archive::erase(api, &ctx.signer()?, record).await.map_err(cause)?;
			output(
				&custodians,
				format!(
					"record {record} erased; {} custodians delete its pieces",
					custodians.len()
				),
			)
		},
	}
}

async fn custodian(ctx: &Ctx, cmd: CustodianCmd) -> Result<Output, String> {
	let api = &ctx.api;
	match cmd {
		CustodianCmd::List => {
			let custodians = archive::active_custodians(api).await.map_err(cause)?;
			let list: Vec<_> = custodians
				.iter()
				.map(|c| serde_json::json!({ "account": c.account, "endpoint": c.endpoint }))
				.collect();
			let text = custodians
				.iter()
				.map(|c| format!("{}  {}", c.account, c.endpoint))
				.collect::<Vec<_>>()
				.join("\n");
			let summary = format!(
				"{} active custodians (records default to k = {})",
				custodians.len(),
				default_threshold(custodians.len())
			);
			output(&list, format!("{text}\n{summary}").trim_start().to_owned())
		},
		CustodianCmd::Register { endpoint } => {
			let c =
				archive::register_custodian(api, &ctx.signer()?, &endpoint).await.map_err(cause)?;
			output(
				&serde_json::json!({ "account": c.account, "endpoint": c.endpoint }),
				format!("custodian {} registered at {}", c.account, c.endpoint),
			)
		},
		CustodianCmd::Suspend { account } => {
			let custodian = keys::account(&account)?;
			archive::set_custodian_status(api, &ctx.signer()?, &custodian, false)
				.await
				.map_err(cause)?;
			output(&custodian, format!("custodian {custodian} suspended"))
		},
		CustodianCmd::Reinstate { account } => {
			let custodian = keys::account(&account)?;
			archive::set_custodian_status(api, &ctx.signer()?, &custodian, true)
				.await
				.map_err(cause)?;
			output(&custodian, format!("custodian {custodian} reinstated"))
		},
		CustodianCmd::Status { endpoint } => {
			let status = archive::node_status(&endpoint).await.map_err(cause)?;
			let text = format!(
				"custodian {}\n  pieces:  {} anchored, {} pending\n  storage: {} of {} bytes",
				status.custodian,
				status.pieces,
				status.pending,
				status.used_bytes,
				status.quota_bytes
			);
			output(&status, text)
		},
	}
}

/// The bytes of `path`, or of standard input for `-`.
fn read_input(path: &std::path::Path) -> Result<Vec<u8>, String> {
	if path.as_os_str() == "-" {
		let mut bytes = Vec::new();
		std::io::stdin()
			.read_to_end(&mut bytes)
			.map_err(|e| format!("cannot read standard input: {e}"))?;
		return Ok(bytes);
	}
	std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}
