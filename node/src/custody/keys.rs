//! The custodian's keys, kept in the node's keystore and inserted with the usual
//! `ehr-node key insert` flow:
//!
//! - `--key-type cust --scheme sr25519`: signs custody receipts. Its public key is the
//!   custodian's `receipt_key` on chain, and its account (the same 32 bytes) is the custodian's
//!   account.
//! - `--key-type cusx --scheme ed25519`: its 32-byte seed derives the X25519 key pair that
//!   writers seal pieces to (registered on chain as `x25519_public`). The keystore has no
//!   X25519 scheme; an ed25519 entry is how it keeps 32 secret bytes under a key type.
//!
//! With `--dev` (or `--alice`, …) the node inserts `<seed>//custody` under both key types.
//!
//! The custodian's account is its first receipt key's unless `--custodian-account` names
//! another: a custodian whose receipt key was rotated on chain (`update_custodian`) keeps its
//! account and signs with the new key.
use ehr_custody_service::{CustodianKeys, ReceiptSigner};
use ehr_runtime::pallet_shamir_archive::RECEIPT_KEY_TYPE;
use polkadot_sdk::{
	sc_keystore::LocalKeystore,
	sp_core::{crypto::KeyTypeId, sr25519},
	sp_keystore::{Keystore, KeystorePtr},
};
use zeroize::Zeroizing;

/// Key type of the ed25519 entry whose seed derives the custodian's X25519 key.
pub const X25519_SEED_KEY_TYPE: KeyTypeId = KeyTypeId(*b"cusx");

mod x25519_seed {
	use polkadot_sdk::sp_application_crypto::{app_crypto, ed25519};
	app_crypto!(ed25519, super::X25519_SEED_KEY_TYPE);
}

/// Signs receipts with the receipt key in the node's keystore.
struct KeystoreSigner {
	keystore: KeystorePtr,
	key: sr25519::Public,
}

impl ReceiptSigner for KeystoreSigner {
	fn sign(&self, payload: &[u8]) -> Result<[u8; 64], String> {
		self.keystore
			.sr25519_sign(RECEIPT_KEY_TYPE, &self.key, payload)
			.map_err(|e| format!("keystore: {e}"))?
			.map(|signature| signature.0)
			.ok_or_else(|| "the receipt key left the keystore".to_owned())
	}
}

/// Inserts the development keys `<seed>//custody` (a no-op if they are there).
pub fn insert_dev_keys(keystore: &LocalKeystore, seed: &str) -> Result<(), String> {
	let suri = format!("{seed}//custody");
	keystore
		.sr25519_generate_new(RECEIPT_KEY_TYPE, Some(&suri))
		.and_then(|_| keystore.ed25519_generate_new(X25519_SEED_KEY_TYPE, Some(&suri)))
		.map(|_| ())
		.map_err(|e| format!("inserting the development custody keys: {e}"))
}

/// The custodian keys in `keystore`, if both are there: the first of each key type. The
/// custodian's account is `account` if given, else the receipt key's.
pub fn load(
	keystore: &LocalKeystore,
	signer: KeystorePtr,
	account: Option<[u8; 32]>,
) -> Result<Option<CustodianKeys>, String> {
	let Some(receipt_key) = keystore.sr25519_public_keys(RECEIPT_KEY_TYPE).into_iter().next()
	else {
		return Ok(None);
	};
	let Some(seed_public) = keystore.ed25519_public_keys(X25519_SEED_KEY_TYPE).into_iter().next()
	else {
		return Ok(None);
	};
	let pair = keystore
		.key_pair::<x25519_seed::Pair>(&seed_public.into())
		.map_err(|e| format!("reading the custody X25519 seed key: {e}"))?
		.ok_or("the custody X25519 seed key is listed but cannot be read")?;
	let seed = Zeroizing::new(pair.into_inner().seed());
	let (x25519_secret, x25519_public) = ehr_custody_protocol::x25519_keypair_from_seed(&seed);
	Ok(Some(CustodianKeys {
		account: account.unwrap_or(receipt_key.0),
		receipt_key: receipt_key.0,
		x25519_secret,
		x25519_public,
		signer: Box::new(KeystoreSigner { keystore: signer, key: receipt_key }),
	}))
}
