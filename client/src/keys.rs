//! Where a signing key and a named account come from, for every front end (the `ehr` CLI, the
//! FHIR server): a secret URI (`//Alice`, a mnemonic with an optional derivation path, a hex
//! seed), a key file holding one, or a Polkadot.js JSON export with its password. Errors never
//! show the secret itself.
use std::{path::Path, str::FromStr};
use subxt::utils::AccountId32;
use subxt_signer::{sr25519::Keypair, SecretUri};

/// Why a key or an account cannot be had.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyError {
	/// Neither a secret URI nor a key file was given.
	#[error("no signing key: give --suri, --key-file or EHR_SURI")]
	Missing,
	/// The key file cannot be read.
	#[error("cannot read key file {path}: {reason}")]
	Unreadable {
		/// The file.
		path: String,
		/// The I/O error.
		reason: String,
	},
	/// A Polkadot.js export without its password.
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
	/// Not a secret URI (subxt-signer's reason, which does not echo the secret).
	#[error("bad secret URI: {0}")]
	BadUri(String),
	/// Not an account: neither an SS58 address, 32 bytes of hex, nor a dev URI.
	#[error("bad account {text}: {reason}")]
	BadAccount {
		/// What was given.
		text: String,
		/// Why it is not an account.
		reason: String,
	},
}

/// The signing key from `suri`, else from `key_file` (a secret URI or mnemonic, or a Polkadot.js
/// JSON export that `password` decrypts).
pub fn signer(
	suri: Option<&str>,
	key_file: Option<&Path>,
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
	let uri = SecretUri::from_str(suri).map_err(|e| KeyError::BadUri(e.to_string()))?;
	Keypair::from_uri(&uri).map_err(|e| KeyError::BadUri(e.to_string()))
}

/// An account given as text: an SS58 address, 32 bytes of hex (`0x…`), or a dev secret URI such
/// as `//Bob` (its public key; handy on dev chains).
pub fn account(text: &str) -> Result<AccountId32, KeyError> {
	let bad = |reason: String| KeyError::BadAccount { text: text.to_owned(), reason };
	if text.starts_with("//") {
		return from_suri(text).map(|pair| pair.public_key().to_account_id());
	}
	if let Some(hex_text) = text.strip_prefix("0x") {
		let bytes: [u8; 32] = hex::decode(hex_text)
			.ok()
			.and_then(|b| b.try_into().ok())
			.ok_or_else(|| bad("not 32 bytes of hex".to_owned()))?;
		return Ok(AccountId32(bytes));
	}
	AccountId32::from_str(text).map_err(|e| bad(e.to_string()))
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn accounts_parse_in_every_form() {
		let bob = subxt_signer::sr25519::dev::bob().public_key().to_account_id();
		assert_eq!(account("//Bob").unwrap(), bob);
		assert_eq!(account(&bob.to_string()).unwrap(), bob);
		assert_eq!(account(&format!("0x{}", hex::encode(bob.0))).unwrap(), bob);
		assert!(account("0x1234").unwrap_err().to_string().contains("32 bytes"));
		assert!(matches!(account("nonsense"), Err(KeyError::BadAccount { .. })));
	}

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
		assert!(matches!(
			signer(None, Some(&dir.path().join("absent")), None),
			Err(KeyError::Unreadable { .. })
		));
		assert_eq!(signer(None, None, None).unwrap_err(), KeyError::Missing);
		let refused = signer(Some("not a phrase at all"), None, None).unwrap_err().to_string();
		assert!(!refused.contains("phrase at all"), "the secret leaked: {refused}");
	}
}
