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
