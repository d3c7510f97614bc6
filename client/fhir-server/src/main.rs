//! `ehr-fhir-server`: serves FHIR R4 on `--listen`, acting for the account of `--suri` or
//! `--key-file` on the ehr-chain node at `--url` (see the library's documentation).
use clap::Parser;
use ehr_fhir_server::{config::Args, Options};
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
	tracing_subscriber::fmt()
		.with_env_filter(
			tracing_subscriber::EnvFilter::try_from_default_env()
				.unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
		)
		.init();
	let args = Args::parse();
	match run(args).await {
		Ok(()) => ExitCode::SUCCESS,
		Err(cause) => {
			// One line, as the `ehr` CLI does.
			eprintln!("error: {}", cause.replace('\n', " "));
			ExitCode::FAILURE
		},
	}
}

async fn run(args: Args) -> Result<(), String> {
	let password = std::env::var("EHR_KEY_PASSWORD").ok();
	let signer = ehr_client::keys::signer(
		args.suri.as_deref(),
		args.key_file.as_deref(),
		password.as_deref(),
	)
	.map_err(|e| e.to_string())?;
	let (api, rpc) = ehr_client::connect_with_rpc(&args.url).await.map_err(|e| e.to_string())?;
	let listener = tokio::net::TcpListener::bind(args.listen)
		.await
		.map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
	let local = listener.local_addr().map_err(|e| e.to_string())?;
	let base = args.base_url.clone().unwrap_or_else(|| format!("http://{local}"));
	println!(
		"ehr-fhir-server: FHIR R4 at {base} (metadata: {base}/metadata), acting for {}",
		signer.public_key().to_account_id()
	);
	let options = Options { base_url: Some(base), max_body_bytes: args.max_body_bytes };
	ehr_fhir_server::serve(listener, api, rpc, signer, options)
		.await
		.map_err(|e| format!("the server failed: {e}"))
}
