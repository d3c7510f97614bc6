//! `ehr archive` and `ehr custodian`: archive entries and custodian nodes (`ehr_client::archive`).
use crate::{cause, keys, motion_output, output, progress, Ctx, Output};
use clap::Subcommand;
use ehr_client::{archive, records::default_threshold};

#[derive(Subcommand)]
pub(crate) enum ArchiveCmd {
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
pub(crate) enum CustodianCmd {
	/// List the active custodians.
	List,
	/// Register the custodian node whose custody service answers at an endpoint
	/// (`http://host:9955`, its `--custody-listen`), with the keys it reports (signed by a
	/// registrar; done once two thirds of the registrars have run the same command).
	Register { endpoint: String },
	/// Ask a custodian node's custody service (`http://host:9955`) for its status.
	Status { endpoint: String },
	/// Approve suspending a custodian (signed by a registrar): its pieces become repairable.
	Suspend { account: String },
	/// Approve reinstating a custodian (signed by a registrar).
	Reinstate { account: String },
}

pub(crate) async fn archive(ctx: &Ctx, cmd: ArchiveCmd) -> Result<Output, String> {
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

pub(crate) async fn custodian(ctx: &Ctx, cmd: CustodianCmd) -> Result<Output, String> {
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
			let (c, motion) =
				archive::register_custodian(api, &ctx.signer()?, &endpoint).await.map_err(cause)?;
			motion_output(
				&c.account,
				&motion,
				format!("custodian {} registered at {}", c.account, c.endpoint),
			)
		},
		CustodianCmd::Suspend { account } => {
			let custodian = keys::account(&account)?;
			let motion = archive::set_custodian_status(api, &ctx.signer()?, &custodian, false)
				.await
				.map_err(cause)?;
			motion_output(&custodian, &motion, format!("custodian {custodian} suspended"))
		},
		CustodianCmd::Reinstate { account } => {
			let custodian = keys::account(&account)?;
			let motion = archive::set_custodian_status(api, &ctx.signer()?, &custodian, true)
				.await
				.map_err(cause)?;
			motion_output(&custodian, &motion, format!("custodian {custodian} reinstated"))
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
