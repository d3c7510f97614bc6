//! Typed reads of the chain's state at a block, shared by the services that follow finality
//! (the custody watcher, the audit index).
use codec::Decode;
use ehr_runtime::opaque::Block;
use polkadot_sdk::{
	sc_client_api::StorageProvider, sp_core::storage::StorageKey, sp_io::hashing::twox_128,
	sp_runtime::traits::Block as BlockT,
};

/// A block hash of the node's chain.
pub type Hash = <Block as BlockT>::Hash;

/// `System::Events`' storage key.
pub fn events_key() -> StorageKey {
	StorageKey([twox_128(b"System"), twox_128(b"Events")].concat())
}

/// The value at `key` in `client`'s state at `hash`, decoded; `None` if there is none. A
/// storage failure or a value that does not decode is an error, never taken for "none".
pub fn read<C, B, T: Decode>(client: &C, hash: Hash, key: &StorageKey) -> Result<Option<T>, String>
where
	C: StorageProvider<Block, B>,
	B: polkadot_sdk::sc_client_api::Backend<Block>,
{
	match client.storage(hash, key) {
		Ok(Some(data)) => T::decode(&mut &data.0[..])
			.map(Some)
			.map_err(|e| format!("the value at 0x{} does not decode: {e}", hex::encode(&key.0))),
		Ok(None) => Ok(None),
		Err(e) => Err(format!("reading storage at {hash}: {e}")),
	}
}

#[cfg(test)]
mod tests {
	#[test]
	fn events_key_is_system_events() {
		// The well-known key of `System::Events` on every FRAME chain.
		assert_eq!(
			hex::encode(super::events_key().0),
			"26aa394eea5630e07c48ae0c9558cef780d41e5e16056765bc8461851072c9d7"
		);
	}
}
