//! `ehr audit`: a patient's audit trail (`ehr_client::audit`), one line per event for people
//! (UTC dates, SS58 addresses with the public names of hospitals and doctors), or `--json`.
use crate::{cause, output, Ctx, Output};
use clap::Args;
use ehr_client::{
	audit::{self, AuditEntry, AuditEvent},
	roles,
	subxt::utils::AccountId32,
	types::Grantee,
	EhrClient,
};
use std::collections::BTreeMap;

#[derive(Args)]
pub(crate) struct AuditArgs {
	/// The patient (the signer if not given).
	#[arg(long)]
	pub(crate) patient: Option<String>,
	/// The first block to look at.
	#[arg(long, default_value_t = 1)]
	pub(crate) from: u32,
	/// The last block to look at (by default the last finalised one).
	#[arg(long)]
	pub(crate) to: Option<u32>,
}

pub(crate) async fn audit(ctx: &Ctx, args: AuditArgs) -> Result<Output, String> {
	let patient = ctx.account_or_signer(args.patient.as_deref())?;
	let trail =
		audit::trail(&ctx.api, &ctx.rpc, &patient, args.from, args.to).await.map_err(cause)?;
	let names = public_names(&ctx.api, &trail).await;
	let text = trail.iter().map(|entry| line(entry, &names)).collect::<Vec<_>>().join("\n");
	output(&trail, if trail.is_empty() { "no events".into() } else { text })
}

/// The accounts an event names.
fn accounts(event: &AuditEvent) -> Vec<&AccountId32> {
	match event {
		AuditEvent::Read { reader, .. } | AuditEvent::Denied { reader, .. } => vec![reader],
		AuditEvent::EmergencyOpened { doctor, hospital, .. } => vec![doctor, hospital],
		AuditEvent::EmergencyClosed { doctor, by } => vec![doctor, by],
		AuditEvent::ConsentGranted {
			grantee: Grantee::Doctor(g) | Grantee::Hospital(g),
			by,
			..
		} => vec![g, by],
		AuditEvent::ConsentRevoked { by, .. } => vec![by],
		AuditEvent::RecordAdded { author, .. } => vec![author],
		AuditEvent::RecordErased { .. } => vec![],
		AuditEvent::GuardianAdded { guardian } | AuditEvent::GuardianRemoved { guardian } => {
			vec![guardian]
		},
	}
}

/// The public name of every doctor and hospital the trail names (patients and guardians have
/// none on chain).
async fn public_names(api: &EhrClient, trail: &[AuditEntry]) -> BTreeMap<AccountId32, String> {
	let mut names = BTreeMap::new();
	for account in trail.iter().flat_map(|entry| accounts(&entry.event)) {
		if names.contains_key(account) {
			continue;
		}
		let name = match roles::doctor(api, account).await {
			Ok(doctor) => match roles::hospital(api, &doctor.hospital).await {
				Ok(hospital) => format!("{}, {}", doctor.profile.name, hospital.profile.name),
				Err(_) => doctor.profile.name,
			},
			Err(_) => match roles::hospital(api, account).await {
				Ok(hospital) => hospital.profile.name,
				Err(_) => String::new(),
			},
		};
		names.insert(account.clone(), name);
	}
	names
}

/// An account as people read it: its SS58 address, and its public name if it has one.
fn who(account: &AccountId32, names: &BTreeMap<AccountId32, String>) -> String {
	match names.get(account).filter(|name| !name.is_empty()) {
		Some(name) => format!("{account} ({name})"),
		None => account.to_string(),
	}
}

/// One line: the UTC date, the block, and what happened.
fn line(entry: &AuditEntry, names: &BTreeMap<AccountId32, String>) -> String {
	let date = chrono::DateTime::from_timestamp_millis(entry.time_ms as i64)
		.map_or_else(|| "(no time)".to_owned(), |d| d.format("%Y-%m-%d %H:%M:%S UTC").to_string());
	let w = |account| who(account, names);
	let what = match &entry.event {
		AuditEvent::Read { record, reader, reason, expires_at, .. } => {
			format!(
				"record {record} opened by {} ({reason:?}, ticket until block {expires_at})",
				w(reader)
			)
		},
		AuditEvent::Denied { record, reader, reason } => {
			format!("record {record}: {} was REFUSED ({reason:?})", w(reader))
		},
		AuditEvent::EmergencyOpened { doctor, reason, expires_at, .. } => {
			format!(
				"EMERGENCY access opened by {} ({reason:?}, until block {expires_at})",
				w(doctor)
			)
		},
		AuditEvent::EmergencyClosed { doctor, by } => {
			format!("emergency access of {} closed by {}", w(doctor), w(by))
		},
		AuditEvent::ConsentGranted { grant, grantee, right, expires_at, by } => {
			let to = match grantee {
				Grantee::Doctor(d) => format!("doctor {}", w(d)),
				Grantee::Hospital(h) => format!("hospital {}", w(h)),
			};
			let until = expires_at.map_or_else(String::new, |b| format!(" until block {b}"));
			format!("consent {grant} granted to {to}: {right:?}{until}, by {}", w(by))
		},
		AuditEvent::ConsentRevoked { grant, by } => format!("consent {grant} revoked by {}", w(by)),
		AuditEvent::RecordAdded { record, author, category } => {
			format!("record {record} ({category:?}) added by {}", w(author))
		},
		AuditEvent::RecordErased { record } => format!("record {record} erased"),
		AuditEvent::GuardianAdded { guardian } => format!("guardian {} named", w(guardian)),
		AuditEvent::GuardianRemoved { guardian } => format!("guardian {} removed", w(guardian)),
	};
	format!("{date}  block {:<7} {what}", entry.at.block)
}
