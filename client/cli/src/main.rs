//! `ehr`: the command line of ehr-chain, one subcommand per screen of the original app (hospital,
//! doctor, patient, record) plus consent, emergency access, the audit trail, the archive and
//! custodians. Results go to standard output (text, or JSON with `--json`); every error is one
//! line on standard error and a non-zero exit. One module per noun, as in `ehr_client`.
mod archive;
mod audit;
mod consent;
mod keys;
mod progress;
mod records;
mod roles;

use archive::{ArchiveCmd, CustodianCmd};
use audit::AuditArgs;
use clap::{Parser, Subcommand};
use consent::{ConsentCmd, EmergencyCmd};
use ehr_client::{
	subxt::{rpcs::RpcClient, utils::AccountId32},
	EhrClient,
};
use records::RecordCmd;
use roles::{DoctorCmd, GuardianCmd, HospitalCmd, PatientCmd};
use serde::Serialize;
use std::{path::PathBuf, process::ExitCode};
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
	/// Hospitals: registered and suspended by the registrars (two thirds of them approve the
	/// same command).
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

/// What a command prints: a value for `--json` and its text for people.
struct Output {
	json: serde_json::Value,
	text: String,
}

fn output<T: Serialize>(value: &T, text: impl Into<String>) -> Result<Output, String> {
	let json = serde_json::to_value(value).map_err(|e| format!("cannot print the result: {e}"))?;
	Ok(Output { json, text: text.into() })
}

/// The output of a registrar action on `account`: `done` once the registrars' quorum approved
/// it, else how many more registrars must run the same command.
fn motion_output(
	account: &impl Serialize,
	motion: &ehr_client::registrar::Motion,
	done: String,
) -> Result<Output, String> {
	use ehr_client::registrar::Motion;
	let text = match motion {
		Motion::Dispatched => done,
		Motion::Pending { approvals, threshold } => format!(
			"approved by {approvals} of the {threshold} registrars needed: it is done when {} \
			 more run the same command",
			threshold.saturating_sub(*approvals)
		),
	};
	output(&serde_json::json!({ "account": account, "motion": motion }), text)
}

/// The context of a command: the connection and where keys come from.
struct Ctx {
	api: EhrClient,
	/// The raw RPC client over the same connection, for the node's own methods.
	rpc: RpcClient,
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
	let (api, rpc) = ehr_client::connect_with_rpc(&cli.url).await.map_err(|e| e.to_string())?;
	let ctx = Ctx { api, rpc, suri: cli.suri, key_file: cli.key_file };
	match cli.command {
		Command::Hospital(cmd) => roles::hospital(&ctx, cmd).await,
		Command::Doctor(cmd) => roles::doctor(&ctx, cmd).await,
		Command::Patient(cmd) => roles::patient(&ctx, cmd).await,
		Command::Guardian(cmd) => roles::guardian(&ctx, cmd).await,
		Command::Record(cmd) => records::record(&ctx, cmd).await,
		Command::Consent(cmd) => consent::consent(&ctx, cmd).await,
		Command::Emergency(cmd) => consent::emergency(&ctx, cmd).await,
		Command::Audit(args) => audit::audit(&ctx, args).await,
		Command::Archive(cmd) => archive::archive(&ctx, cmd).await,
		Command::Custodian(cmd) => archive::custodian(&ctx, cmd).await,
	}
}

/// The client's errors name their cause; that is the line we print.
fn cause(e: ehr_client::Error) -> String {
	e.to_string()
}
