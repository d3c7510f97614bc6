//! The command line: the acting account's key exactly as the `ehr` CLI takes it (`--suri`/
//! `EHR_SURI`, or `--key-file`/`EHR_KEY_FILE`, a secret URI or mnemonic, or a Polkadot.js JSON
//! export decrypted with `EHR_KEY_PASSWORD`; loaded by `ehr_client::keys`), and `--url`/`EHR_URL`.
use clap::Parser;
use std::{net::SocketAddr, path::PathBuf};

/// `ehr-fhir-server`'s arguments.
#[derive(Debug, Parser)]
#[command(
	name = "ehr-fhir-server",
	version,
	about = "A FHIR R4 REST server in front of ehr-chain, acting for one account"
)]
pub struct Args {
	/// The node's RPC endpoint.
	#[arg(long, env = "EHR_URL", default_value = "ws://127.0.0.1:9944")]
	pub url: String,
	/// The acting account's key: `//Alice`, a mnemonic (with an optional `//derivation`), or a
	/// hex seed.
	#[arg(long, env = "EHR_SURI", hide_env_values = true)]
	pub suri: Option<String>,
	/// A file holding the key: a secret URI or mnemonic, or a Polkadot.js JSON export
	/// (decrypted with `EHR_KEY_PASSWORD`).
	#[arg(long, env = "EHR_KEY_FILE")]
	pub key_file: Option<PathBuf>,
	/// Where to listen for HTTP.
	#[arg(long, default_value = "127.0.0.1:8080")]
	pub listen: SocketAddr,
	/// The base URL clients reach this server at (behind a proxy); `http://<listen>` if not
	/// given. Locations, links and bundle entries' `fullUrl` start with it.
	#[arg(long)]
	pub base_url: Option<String>,
	/// The largest request body accepted, in bytes: at most ehr-fhir's largest payload.
	#[arg(long, default_value_t = ehr_fhir::MAX_PAYLOAD_BYTES)]
	pub max_body_bytes: usize,
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn defaults_are_the_documented_ones() {
		let args = Args::try_parse_from(["ehr-fhir-server", "--suri", "//Charlie"]).unwrap();
		assert_eq!(args.listen, "127.0.0.1:8080".parse().unwrap());
		assert_eq!(args.max_body_bytes, ehr_fhir::MAX_PAYLOAD_BYTES);
		assert!(args.url == "ws://127.0.0.1:9944" || std::env::var_os("EHR_URL").is_some());
	}
}
