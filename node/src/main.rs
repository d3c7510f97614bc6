//! `ehr-node`: the ehr-chain node.
mod audit;
mod chain_spec;
mod cli;
mod command;
mod custody;
mod nodelay;
mod rpc;
mod service;
mod state;

fn main() -> polkadot_sdk::sc_cli::Result<()> {
	command::run()
}
