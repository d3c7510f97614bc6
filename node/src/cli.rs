//! Command-line interface of `ehr-node`: Substrate's usual flags and subcommands, plus
//! `--dev-block-time`.
use polkadot_sdk::sc_cli;

/// How the node seals blocks when it runs a development chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DevSealing {
	/// A block as soon as a transaction arrives, finalised at once.
	Instant,
	/// A block every so many milliseconds, finalised at once.
	Interval(u64),
}

#[derive(Debug, clap::Parser)]
#[command(
	propagate_version = true,
	args_conflicts_with_subcommands = true,
	subcommand_negates_reqs = true
)]
pub struct Cli {
	#[command(subcommand)]
	pub subcommand: Option<Subcommand>,

	#[clap(flatten)]
	pub run: sc_cli::RunCmd,

	/// On a development chain, seal a block every this many milliseconds instead of as soon
	/// as a transaction arrives.
	#[arg(long, value_name = "MILLISECONDS", value_parser = clap::value_parser!(u64).range(1..))]
	pub dev_block_time: Option<u64>,

	#[clap(flatten)]
	pub custody: crate::custody::CustodyOptions,

	#[clap(flatten)]
	pub audit: crate::audit::AuditOptions,
}

impl Cli {
	/// How to seal blocks if the chain is a development chain.
	pub fn dev_sealing(&self) -> DevSealing {
		self.dev_block_time.map_or(DevSealing::Instant, DevSealing::Interval)
	}

	/// Picks the single-state transaction pool for a `--dev` chain sealed on demand, unless
	/// `args` (the command line) choose a pool with `--pool-type`.
	///
	/// The fork-aware pool (sc-cli's default) builds its view of each new block in the
	/// background; with a block sealed and finalised per transaction, transactions submitted
	/// back to back landed between a block and its view and were dropped ("Transaction was
	/// dropped", then "Priority is too low" for the same nonce): 50 transfers from one account
	/// failed every time, and went through in well under a second with the single-state pool.
	/// Instant sealing follows one chain, so the fork-aware pool has nothing to offer it.
	pub fn prefer_single_state_pool_for_instant_seal(
		&mut self,
		args: impl Iterator<Item = std::ffi::OsString>,
	) {
		// As encoded bytes: an argument that is not UTF-8 (a path) must not stop the node.
		let chosen = args.into_iter().any(|arg| arg.as_encoded_bytes().starts_with(b"--pool-type"));
		let dev = self.run.shared_params.is_dev();
		if dev && !chosen && self.dev_sealing() == DevSealing::Instant {
			self.run.pool_config.pool_type = sc_cli::TransactionPoolType::SingleState;
		}
	}
}

#[cfg(test)]
mod tests {
	use super::Cli;
	use polkadot_sdk::sc_cli::{SubstrateCli, TransactionPoolType};

	fn pool_of(args: &[&str]) -> TransactionPoolType {
		let mut cli = Cli::from_iter(args);
		cli.prefer_single_state_pool_for_instant_seal(args.iter().map(Into::into));
		cli.run.pool_config.pool_type
	}

	#[test]
	fn an_instant_sealed_dev_chain_gets_the_single_state_pool_unless_one_is_chosen() {
		assert!(matches!(pool_of(&["ehr-node", "--dev"]), TransactionPoolType::SingleState));
		let timed = ["ehr-node", "--dev", "--dev-block-time", "6000"];
		assert!(matches!(pool_of(&timed), TransactionPoolType::ForkAware));
		let chosen = ["ehr-node", "--dev", "--pool-type", "fork-aware"];
		assert!(matches!(pool_of(&chosen), TransactionPoolType::ForkAware));
		let network = ["ehr-node", "--chain", "local"];
		assert!(matches!(pool_of(&network), TransactionPoolType::ForkAware));
	}

	#[test]
	fn an_argument_that_is_not_utf8_is_looked_past() {
		use std::{ffi::OsStr, os::unix::ffi::OsStrExt};
		let mut cli = Cli::from_iter(["ehr-node", "--dev"]);
		let args = ["ehr-node", "--dev"].map(Into::into);
		let path = OsStr::from_bytes(b"/tmp/\xff").to_owned();
		cli.prefer_single_state_pool_for_instant_seal(args.into_iter().chain([path]));
		assert!(matches!(cli.run.pool_config.pool_type, TransactionPoolType::SingleState));
	}
}

#[derive(Debug, clap::Subcommand)]
#[allow(clippy::large_enum_variant)]
pub enum Subcommand {
	/// Key management: `key insert`, `key generate`, `key inspect`, ...
	#[command(subcommand)]
	Key(sc_cli::KeySubcommand),

	/// Build a chain specification (deprecated by Substrate in favour of `export-chain-spec`).
	BuildSpec(sc_cli::BuildSpecCmd),

	/// Export a built-in or file chain specification as JSON.
	ExportChainSpec(sc_cli::ExportChainSpecCmd),

	/// Validate blocks.
	CheckBlock(sc_cli::CheckBlockCmd),

	/// Export blocks.
	ExportBlocks(sc_cli::ExportBlocksCmd),

	/// Export the state of a given block into a chain spec.
	ExportState(sc_cli::ExportStateCmd),

	/// Import blocks.
	ImportBlocks(sc_cli::ImportBlocksCmd),

	/// Remove the whole chain.
	PurgeChain(sc_cli::PurgeChainCmd),

	/// Revert the chain to a previous state.
	Revert(sc_cli::RevertCmd),

	/// Database meta columns information.
	ChainInfo(sc_cli::ChainInfoCmd),
}
