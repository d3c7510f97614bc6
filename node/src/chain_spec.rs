//! The chain specifications built into `ehr-node`: `dev` and `local`.
use ehr_runtime::{SS58_PREFIX, TOKEN_DECIMALS, TOKEN_SYMBOL, WASM_BINARY};
use polkadot_sdk::{
	sc_service::{ChainType, Properties},
	sp_genesis_builder::{DEV_RUNTIME_PRESET, LOCAL_TESTNET_RUNTIME_PRESET},
};

/// A chain spec of this runtime; no extensions.
pub type ChainSpec = polkadot_sdk::sc_service::GenericChainSpec;

/// Token symbol, decimals and address format, so that Polkadot.js Apps shows balances and
/// addresses properly.
fn properties() -> Properties {
	let mut properties = Properties::new();
	properties.insert("tokenSymbol".into(), TOKEN_SYMBOL.into());
	properties.insert("tokenDecimals".into(), TOKEN_DECIMALS.into());
	properties.insert("ss58Format".into(), SS58_PREFIX.into());
	properties
}

fn wasm() -> Result<&'static [u8], String> {
	WASM_BINARY.ok_or_else(|| "the runtime's wasm binary is not available".to_string())
}

/// One node, Alice, with blocks sealed on demand (see `service`).
pub fn development_chain_spec() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm()?, None)
		.with_name("ehr-chain development")
		.with_id("dev")
		.with_chain_type(ChainType::Development)
		.with_genesis_config_preset_name(DEV_RUNTIME_PRESET)
		.with_properties(properties())
		.build())
}

/// Aura + GRANDPA among Alice and Bob, six-second blocks.
pub fn local_chain_spec() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm()?, None)
		.with_name("ehr-chain local testnet")
		.with_id("ehr_local_testnet")
		.with_chain_type(ChainType::Local)
		.with_genesis_config_preset_name(LOCAL_TESTNET_RUNTIME_PRESET)
		.with_properties(properties())
		.build())
}

#[cfg(test)]
mod tests {
	use super::*;
	use polkadot_sdk::sp_runtime::BuildStorage;

	#[test]
	fn built_in_specs_build_their_genesis_state() {
		for spec in [development_chain_spec().unwrap(), local_chain_spec().unwrap()] {
			let storage = spec.build_storage().expect("genesis builds");
			assert!(!storage.top.is_empty());
		}
	}

	#[test]
	fn specs_carry_token_properties() {
		let spec = development_chain_spec().unwrap();
		let properties = polkadot_sdk::sc_service::ChainSpec::properties(&spec);
		assert_eq!(properties["tokenSymbol"], "EHR");
		assert_eq!(properties["tokenDecimals"], 12);
		assert_eq!(properties["ss58Format"], 42);
	}
}
