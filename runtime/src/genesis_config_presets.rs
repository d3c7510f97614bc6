//! Genesis presets: `development` (one node, Alice, who holds sudo and is the one registrar)
//! and `local_testnet` (Alice and Bob validate; Alice, Bob and Charlie are the registrars, any
//! two of whom act; no sudo).
use crate::{
	AccountId, AuraConfig, BalancesConfig, GrandpaConfig, RegistrarsConfig, RuntimeGenesisConfig,
	ShamirArchiveConfig, SudoConfig, UNIT,
};
use alloc::{vec, vec::Vec};
use polkadot_sdk::{
	frame_support::build_struct_json_patch,
	sp_consensus_aura::sr25519::AuthorityId as AuraId,
	sp_consensus_grandpa::AuthorityId as GrandpaId,
	sp_genesis_builder::{self, PresetId},
	sp_keyring::{Ed25519Keyring, Sr25519Keyring},
};
use serde_json::Value;

/// What each endowed account starts with.
const ENDOWMENT: u128 = 1_000_000 * UNIT;

fn testnet_genesis(
	authorities: Vec<(AuraId, GrandpaId)>,
	endowed: Vec<AccountId>,
	sudo: Option<AccountId>,
	registrars: Vec<AccountId>,
	(min_k, min_n): (u8, u8),
) -> Value {
	build_struct_json_patch!(RuntimeGenesisConfig {
		balances: BalancesConfig {
			balances: endowed.iter().cloned().map(|who| (who, ENDOWMENT)).collect::<Vec<_>>(),
		},
		aura: AuraConfig {
			authorities: authorities.iter().map(|(aura, _)| aura.clone()).collect::<Vec<_>>(),
		},
		grandpa: GrandpaConfig {
			authorities: authorities
				.iter()
				.map(|(_, grandpa)| (grandpa.clone(), 1))
				.collect::<Vec<_>>(),
		},
		sudo: SudoConfig { key: sudo },
		registrars: RegistrarsConfig { members: registrars },
		shamir_archive: ShamirArchiveConfig { min_k, min_n },
	})
}

fn authority(seed: Sr25519Keyring, grandpa: Ed25519Keyring) -> (AuraId, GrandpaId) {
	(seed.public().into(), grandpa.public().into())
}

/// Alice authors and finalises alone, holds sudo and is the one registrar (her proposals pass at
/// once); the well-known dev accounts are funded. Archives need 1 of 1 piece: the node is the
/// chain's one custodian.
pub fn development_config_genesis() -> Value {
	testnet_genesis(
		vec![authority(Sr25519Keyring::Alice, Ed25519Keyring::Alice)],
		Sr25519Keyring::well_known().map(|k| k.to_account_id()).collect(),
		Some(Sr25519Keyring::Alice.to_account_id()),
		vec![Sr25519Keyring::Alice.to_account_id()],
		(1, 1),
	)
}

/// Alice and Bob validate; Alice..Eve (and the other well-known accounts) are funded. No sudo:
/// Alice, Bob and Charlie, the hospitals' administrators, are the registrars, and any two of
/// them act together. Archives need at least 2 of 3 pieces: every node of a local network is a
/// custodian.
pub fn local_config_genesis() -> Value {
	testnet_genesis(
		vec![
			authority(Sr25519Keyring::Alice, Ed25519Keyring::Alice),
			authority(Sr25519Keyring::Bob, Ed25519Keyring::Bob),
		],
		Sr25519Keyring::well_known().map(|k| k.to_account_id()).collect(),
		None,
		[Sr25519Keyring::Alice, Sr25519Keyring::Bob, Sr25519Keyring::Charlie]
			.map(|k| k.to_account_id())
			.to_vec(),
		(2, 3),
	)
}

/// The preset called `id`, as JSON.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
	let patch = match id.as_ref() {
		sp_genesis_builder::DEV_RUNTIME_PRESET => development_config_genesis(),
		sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET => local_config_genesis(),
		_ => return None,
	};
	Some(
		serde_json::to_string(&patch)
			.expect("serialization to json is expected to work. qed.")
			.into_bytes(),
	)
}

/// The names of the presets this runtime offers.
pub fn preset_names() -> Vec<PresetId> {
	vec![
		PresetId::from(sp_genesis_builder::DEV_RUNTIME_PRESET),
		PresetId::from(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET),
	]
}
