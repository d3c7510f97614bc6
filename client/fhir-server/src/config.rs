//! The command line and the acting account's key, taken exactly as the `ehr` CLI takes them:
//! `--suri`/`EHR_SURI`, or `--key-file`/`EHR_KEY_FILE` (a secret URI or mnemonic, or a
//! Polkadot.js JSON export decrypted with `EHR_KEY_PASSWORD`), and `--url`/`EHR_URL`.
use clap::Parser;
use std::{net::SocketAddr, path::PathBuf, str::FromStr};
use subxt_signer::{sr25519::Keypair, SecretUri};

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

/// Why the key cannot be loaded; never shows the secret itself.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyError {
	/// Neither `--suri` nor `--key-file` was given.
	#[error("the server signs as one account: give --suri, --key-file or EHR_SURI")]
	Missing,
	/// The key file cannot be read.
	#[error("cannot read key file {path}: {reason}")]
	Unreadable {
		/// The file.
		path: String,
		/// The I/O error.
		reason: String,
	},
	/// A Polkadot.js export without `EHR_KEY_PASSWORD`.
	#[error("the key file is a Polkadot.js export: give EHR_KEY_PASSWORD")]
	NoPassword,
	/// The export cannot be decrypted.
	#[error("cannot decrypt key file {path}: {reason}")]
	Undecryptable {
		/// The file.
		path: String,
		/// Why.
		reason: String,
	},
	/// Not a secret URI.
	#[error("bad secret URI: {0}")]
	BadUri(String),
}

/// The signing key from `--suri`, else from `--key-file` (with `password` for a Polkadot.js
/// export), as the `ehr` CLI loads it.
pub fn signer(
	suri: Option<&str>,
	key_file: Option<&std::path::Path>,
	password: Option<&str>,
) -> Result<Keypair, KeyError> {
	match (suri, key_file) {
		(Some(suri), _) => from_suri(suri),
		(None, Some(path)) => {
			let shown = path.display().to_string();
			let text = std::fs::read_to_string(path)
				.map_err(|e| KeyError::Unreadable { path: shown.clone(), reason: e.to_string() })?;
			let text = text.trim();
			if text.starts_with('{') {
				let password = password.ok_or(KeyError::NoPassword)?;
				subxt_signer::polkadot_js_compat::decrypt_json(text, password)
					.map_err(|e| KeyError::Undecryptable { path: shown, reason: e.to_string() })
			} else {
				from_suri(text)
			}
		},
		(None, None) => Err(KeyError::Missing),
	}
}

fn from_suri(suri: &str) -> Result<Keypair, KeyError> {
	// The error of a bad URI is subxt-signer's, which does not echo the secret.
	let uri = SecretUri::from_str(suri).map_err(|e| KeyError::BadUri(e.to_string()))?;
	Keypair::from_uri(&uri).map_err(|e| KeyError::BadUri(e.to_string()))
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn a_signer_comes_from_a_uri_or_a_key_file() {
		let alice = subxt_signer::sr25519::dev::alice().public_key();
		assert_eq!(signer(Some("//Alice"), None, None).unwrap().public_key().0, alice.0);
		let dir = tempfile::tempdir().unwrap();
		let file = dir.path().join("key");
		std::fs::write(&file, format!("{} //Alice\n", subxt_signer::DEV_PHRASE)).unwrap();
		assert_eq!(signer(None, Some(&file), None).unwrap().public_key().0, alice.0);
		std::fs::write(&file, "{\"encoded\": \"\"}").unwrap();
		assert_eq!(signer(None, Some(&file), None).unwrap_err(), KeyError::NoPassword);
		assert_eq!(signer(None, None, None).unwrap_err(), KeyError::Missing);
		let refused = signer(Some("not a phrase at all"), None, None).unwrap_err().to_string();
		assert!(!refused.contains("phrase at all"), "the secret leaked: {refused}");
	}

	#[test]
	fn defaults_are_the_documented_ones() {
		let args = Args::try_parse_from(["ehr-fhir-server", "--suri", "//Charlie"]).unwrap();
		assert_eq!(args.listen, "127.0.0.1:8080".parse().unwrap());
		assert_eq!(args.max_body_bytes, ehr_fhir::MAX_PAYLOAD_BYTES);
		assert!(args.url == "ws://127.0.0.1:9944" || std::env::var_os("EHR_URL").is_some());
	}
}
