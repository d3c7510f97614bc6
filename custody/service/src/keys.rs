//! The custodian's identity and keys, as the service uses them: the X25519 secret opens the
//! pieces sealed to it; the receipt key signs through whatever keeps it (the node's keystore).

use crate::chain::Account;
use zeroize::Zeroizing;

/// Signs custody receipts with the custodian's sr25519 receipt key (the `substrate` context,
/// as `sp_core::sr25519` verifies).
pub trait ReceiptSigner: Send + Sync {
	/// The signature of `payload`, or why there is none (the key left the keystore).
	fn sign(&self, payload: &[u8]) -> Result<[u8; 64], String>;
}

/// A custodian's identity and keys.
pub struct CustodianKeys {
	/// The custodian's account on chain.
	pub account: Account,
	/// The public key of its receipt signer, as registered on chain.
	pub receipt_key: Account,
	/// The X25519 secret that opens pieces sealed to this custodian.
	pub x25519_secret: Zeroizing<[u8; 32]>,
	/// Its public key.
	pub x25519_public: [u8; 32],
	/// Signs receipts with the receipt key.
	pub signer: Box<dyn ReceiptSigner>,
}
