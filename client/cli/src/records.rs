//! `ehr record`: add, list and read FHIR records (`ehr_client::records`).
use crate::{cause, keys, output, progress, Ctx, Output};
use clap::Subcommand;
use ehr_client::{records, types::Category};
use std::{io::Read, path::PathBuf};

#[derive(Subcommand)]
pub(crate) enum RecordCmd {
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
		category: Option<Category>,
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

pub(crate) async fn record(ctx: &Ctx, cmd: RecordCmd) -> Result<Output, String> {
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
				records::add(api, &signer, &patient, &json, category, k, &bar).await.map_err(cause);
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
