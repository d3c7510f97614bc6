//! The custody service's view of the chain ([`ehr_custody_service::Chain`]), answered from the
//! node's own client through the runtime APIs: the same code paths the pallets decide with.
use ehr_custody_service::{Account, ArchiveView, Chain, ChainError};
use ehr_runtime::{
	opaque::Block,
	pallet_ehr_access::runtime_api::EhrAccessApi,
	pallet_shamir_archive::{runtime_api::ShamirArchiveApi, EntryState},
	AccountId, Balance, BlockNumber,
};
use ehr_types::{AccessDecision, Category};
use polkadot_sdk::{sp_api::ProvideRuntimeApi, sp_blockchain::HeaderBackend};
use std::sync::Arc;

/// The chain of the node's client `C`.
pub struct RuntimeChain<C> {
	client: Arc<C>,
	genesis_hash: [u8; 32],
}

impl<C> RuntimeChain<C> {
	/// The chain of `client`, whose genesis is `genesis_hash`.
	pub fn new(client: Arc<C>, genesis_hash: [u8; 32]) -> Self {
		Self { client, genesis_hash }
	}
}

fn chain_error(context: &str) -> impl Fn(polkadot_sdk::sp_api::ApiError) -> ChainError + '_ {
	move |e| ChainError(format!("runtime API {context}: {e}"))
}

impl<C> RuntimeChain<C>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block>,
	C::Api: ShamirArchiveApi<Block, AccountId, BlockNumber>,
{
	/// The archive of `record` at the last finalised block.
	fn archive_at_finalized(&self, record: u64) -> Result<Option<ArchiveView>, ChainError> {
		let at = self.client.info().finalized_hash;
		let plan =
			self.client.runtime_api().read_plan(at, record).map_err(chain_error("read_plan"))?;
		Ok(plan.map(|plan| ArchiveView {
			record,
			archive_id: plan.entry.archive_id,
			patient: plan.patient.into(),
			author: plan.author.into(),
			erased: plan.entry.state == EntryState::Erased,
			pieces: plan
				.entry
				.pieces
				.into_iter()
				.map(|piece| (piece.custodian.into(), piece.hash))
				.collect(),
		}))
	}
}

impl<C> Chain for RuntimeChain<C>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync,
	C::Api: EhrAccessApi<Block, AccountId, BlockNumber, Balance>
		+ ShamirArchiveApi<Block, AccountId, BlockNumber>,
{
	fn genesis_hash(&self) -> [u8; 32] {
		self.genesis_hash
	}

	fn best_number(&self) -> Result<u32, ChainError> {
		Ok(self.client.info().best_number)
	}

	fn finalized_number(&self) -> Result<u32, ChainError> {
		Ok(self.client.info().finalized_number)
	}

	fn may_write(
		&self,
		author: &Account,
		patient: &Account,
		category: Category,
		supersedes: Option<u64>,
	) -> Result<AccessDecision, ChainError> {
		let at = self.client.info().best_hash;
		self.client
			.runtime_api()
			.can_write(
				at,
				AccountId::from(*author),
				AccountId::from(*patient),
				category,
				supersedes,
			)
			.map_err(chain_error("can_write"))
	}

	fn has_ticket(&self, reader: &Account, record: u64) -> Result<bool, ChainError> {
		let at = self.client.info().finalized_hash;
		let ticket = self
			.client
			.runtime_api()
			.ticket(at, AccountId::from(*reader), record)
			.map_err(chain_error("ticket"))?;
		Ok(ticket.is_some())
	}

	fn archive(&self, record: u64) -> Result<Option<ArchiveView>, ChainError> {
		self.archive_at_finalized(record)
	}

	fn archive_of(&self, archive_id: &[u8; 32]) -> Result<Option<ArchiveView>, ChainError> {
		let at = self.client.info().finalized_hash;
		let record = self
			.client
			.runtime_api()
			.archive_of(at, *archive_id)
			.map_err(chain_error("archive_of"))?;
		match record {
			Some(record) => self.archive_at_finalized(record),
			None => Ok(None),
		}
	}

	fn receipt_key(&self, custodian: &Account) -> Result<Option<Account>, ChainError> {
		let at = self.client.info().finalized_hash;
		let registered = self
			.client
			.runtime_api()
			.custodian(at, AccountId::from(*custodian))
			.map_err(chain_error("custodian"))?;
		Ok(registered.map(|c| c.receipt_key.0))
	}
}
