//! What the custody service needs to know of the chain, as a small trait: the node answers it
//! from its runtime API, the tests from a fake chain.

use ehr_types::{AccessDecision, Category};

/// An account or public key, as the chain encodes it.
pub type Account = [u8; 32];

/// The chain could not be asked.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the chain cannot be asked: {0}")]
pub struct ChainError(pub String);

/// A record's archive entry with what a custodian must know of the record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArchiveView {
	/// The record.
	pub record: u64,
	/// The archive id it was encoded under.
	pub archive_id: [u8; 32],
	/// The record's patient.
	pub patient: Account,
	/// The record's author.
	pub author: Account,
	/// Whether the patient had it erased (then it lists no pieces).
	pub erased: bool,
	/// Its pieces in index order: custodian and commitment.
	pub pieces: Vec<(Account, [u8; 32])>,
}

/// What the custody service asks of the chain. Every answer but [`Chain::may_write`] and
/// [`Chain::best_number`] is as of the last finalised block: a ticket counts once it is final,
/// so that no block author can serve himself a piece from a fork that leaves no audit event on
/// the final chain, and pieces are released only for what is final.
pub trait Chain: Send + Sync {
	/// The chain's genesis hash, which requests and receipts name.
	fn genesis_hash(&self) -> [u8; 32];

	/// The best block's number: receipts are valid for a lifetime from it.
	fn best_number(&self) -> Result<u32, ChainError>;

	/// The last finalised block's number.
	fn finalized_number(&self) -> Result<u32, ChainError>;

	/// Whether `author` may add a record of `category` (amending `supersedes`) for `patient`
	/// now, at the best block: the very decision `add_record` makes.
	fn may_write(
		&self,
		author: &Account,
		patient: &Account,
		category: Category,
		supersedes: Option<u64>,
	) -> Result<AccessDecision, ChainError>;

	/// Whether `reader` holds a live ticket for `record` in the finalised chain.
	fn has_ticket(&self, reader: &Account, record: u64) -> Result<bool, ChainError>;

	/// The archive of `record` in the finalised chain.
	fn archive(&self, record: u64) -> Result<Option<ArchiveView>, ChainError>;

	/// The archive anchored under `archive_id` in the finalised chain.
	fn archive_of(&self, archive_id: &[u8; 32]) -> Result<Option<ArchiveView>, ChainError>;

	/// The receipt key registered for `custodian` in the finalised chain.
	fn receipt_key(&self, custodian: &Account) -> Result<Option<Account>, ChainError>;
}
