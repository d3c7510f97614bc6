//! Where the signing key and the accounts named on the command line come from.
use ehr_client::subxt::utils::AccountId32;
use std::{path::Path, str::FromStr};
use subxt_signer::{sr25519::Keypair, SecretUri};

/// The signing key: a secret URI (`//Alice`, a mnemonic with optional derivation path, or a hex
/// seed), or a key file holding one, or a Polkadot.js JSON export (`password` decrypts it).
pub fn signer(
	suri: Option<&str>,
	key_file: Option<&Path>,
	password: Option<&str>,
) -> Result<Keypair, String> {
	match (suri, key_file) {
		(Some(suri), _) => from_suri(suri),
		(None, Some(path)) => {
			let text = std::fs::read_to_string(path)
				.map_err(|e| format!("cannot read key file {}: {e}", path.display()))?;
			let text = text.trim();
			if text.starts_with('{') {
				let password = password
					.ok_or("the key file is a Polkadot.js export: give EHR_KEY_PASSWORD")?;
				subxt_signer::polkadot_js_compat::decrypt_json(text, password)
					.map_err(|e| format!("cannot decrypt key file {}: {e}", path.display()))
			} else {
				from_suri(text)
			}
		},
		(None, None) => Err("this command signs: give --suri, --key-file or EHR_SURI".into()),
	}
}

fn from_suri(suri: &str) -> Result<Keypair, String> {
	// Never echo the secret itself in an error.
	let uri = SecretUri::from_str(suri).map_err(|e| format!("bad secret URI: {e}"))?;
	Keypair::from_uri(&uri).map_err(|e| format!("bad secret URI: {e}"))
}

/// An account named on the command line: an SS58 address, 32 bytes of hex, or a dev secret URI
/// such as `//Bob` (its public key; handy on dev chains).
pub fn account(text: &str) -> Result<AccountId32, String> {
	if text.starts_with("//") {
		return from_suri(text).map(|pair| pair.public_key().to_account_id());
	}
	if let Some(hex_text) = text.strip_prefix("0x") {
		let bytes: [u8; 32] = hex::decode(hex_text)
			.ok()
			.and_then(|b| b.try_into().ok())
			.ok_or_else(|| format!("bad account {text}: not 32 bytes of hex"))?;
		return Ok(AccountId32(bytes));
	}
	AccountId32::from_str(text).map_err(|e| format!("bad account {text}: {e}"))
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
		assert!(account("0x1234").unwrap_err().contains("32 bytes"));
		assert!(account("nonsense").is_err());
	}

	#[test]
	fn a_signer_comes_from_a_uri_or_a_key_file() {
		let alice = subxt_signer::sr25519::dev::alice().public_key();
		assert_eq!(signer(Some("//Alice"), None, None).unwrap().public_key().0, alice.0);
		let dir = tempfile::tempdir().unwrap();
		let file = dir.path().join("key");
		std::fs::write(&file, format!("{} //Alice\n", subxt_signer::DEV_PHRASE)).unwrap();
		assert_eq!(signer(None, Some(&file), None).unwrap().public_key().0, alice.0);
		assert!(signer(None, None, None).unwrap_err().contains("--suri"));
		let refused = signer(Some("not a phrase at all"), None, None).unwrap_err();
		assert!(!refused.contains("phrase at all"), "the secret leaked: {refused}");
	}
}
