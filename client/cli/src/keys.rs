//! The signing key and the accounts named on the command line, loaded by `ehr_client::keys`
//! (the one definition, shared with the FHIR server), their errors as the CLI's lines of text.
use ehr_client::{keys, subxt::utils::AccountId32};
use std::path::Path;
use subxt_signer::sr25519::Keypair;

/// The signing key: `--suri`, else `--key-file` (with `EHR_KEY_PASSWORD` for a Polkadot.js
/// export).
pub fn signer(
	suri: Option<&str>,
	key_file: Option<&Path>,
	password: Option<&str>,
) -> Result<Keypair, String> {
	keys::signer(suri, key_file, password).map_err(|e| e.to_string())
}

/// An account named on the command line: an SS58 address, 32 bytes of hex, or a dev URI.
pub fn account(text: &str) -> Result<AccountId32, String> {
	keys::account(text).map_err(|e| e.to_string())
}
