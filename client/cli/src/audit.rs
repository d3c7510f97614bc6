//! `ehr audit`: a patient's audit trail (`ehr_client::audit`).
use crate::{cause, output, Ctx, Output};
use clap::Args;
use ehr_client::audit;

#[derive(Args)]
pub(crate) struct AuditArgs {
	/// The patient (the signer if not given).
	#[arg(long)]
	pub(crate) patient: Option<String>,
	/// The first block to look at.
	#[arg(long, default_value_t = 1)]
	pub(crate) from: u64,
	/// The last block to look at (by default the last finalised one).
	#[arg(long)]
	pub(crate) to: Option<u64>,
}

pub(crate) async fn audit(ctx: &Ctx, args: AuditArgs) -> Result<Output, String> {
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
