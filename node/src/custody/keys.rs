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
use ehr_runtime::pallet_shamir_archive::RECEIPT_KEY_TYPE;
use polkadot_sdk::{
	sc_keystore::LocalKeystore,
	sp_core::{crypto::KeyTypeId, sr25519},
	sp_keystore::Keystore,
};
use zeroize::Zeroizing;

/// Key type of the ed25519 entry whose seed derives the custodian's X25519 key.
pub const X25519_SEED_KEY_TYPE: KeyTypeId = KeyTypeId(*b"cusx");

mod x25519_seed {
	use polkadot_sdk::sp_application_crypto::{app_crypto, ed25519};
	app_crypto!(ed25519, super::X25519_SEED_KEY_TYPE);
}

/// A custodian's identity and keys.
pub struct CustodianKeys {
	/// The custodian's account on chain.
	pub account: [u8; 32],
	/// The sr25519 key that signs receipts (its secret stays in the keystore).
	pub receipt_key: sr25519::Public,
	/// The X25519 secret that opens pieces sealed to this custodian.
	pub x25519_secret: Zeroizing<[u8; 32]>,
	/// Its public key.
	pub x25519_public: [u8; 32],
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
/// custodian's account is the receipt key's.
pub fn load(keystore: &LocalKeystore) -> Result<Option<CustodianKeys>, String> {
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
	Ok(Some(CustodianKeys { account: receipt_key.0, receipt_key, x25519_secret, x25519_public }))
}
