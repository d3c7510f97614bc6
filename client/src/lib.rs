//! # ehr-client
//!
//! The Rust SDK of ehr-chain for hospital integrations: one async function per workflow, on a
//! typed [subxt](https://docs.rs/subxt) API generated from the runtime's metadata.
//!
//! - [`roles`]: register hospitals (the registrar), doctors (their hospital), patients (their
//!   own key, possibly on a doctor's proposal) and guardians; show them.
//! - [`records`]: add a record (FHIR R4 JSON → [`fhir`] validation → encode → one piece to each
//!   custodian → anchor), list a patient's records, open and read one (ticket → custodians →
//!   every piece verified → decode → FHIR JSON).
//! - [`consent`]: grant, revoke and list consent; open and close emergency access.
//! - [`audit`]: a patient's audit trail from the chain's events.
//! - [`archive`]: archive status, repair, erasure, custodians, and the lower-level custody calls.
//! - [`keys`]: the signing key (secret URI, key file, Polkadot.js export) and accounts given as
//!   text, as every front end takes them.
//!
//! Every failure is an [`Error`] that names its cause: [`Error::Refused`] with the pallet's
//! error, [`Error::NotAuthorized`] with the access decision, [`Error::InvalidFhir`] with the
//! path, [`Error::TooFewGoodPieces`] with the counts, and so on.
//!
//! ```no_run
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! use ehr_client::{records, subxt_signer::sr25519::dev};
//!
//! let api = ehr_client::connect("ws://127.0.0.1:9944").await?;
//! let (doctor, patient) = (dev::charlie(), dev::dave());
//! let visit = std::fs::read("visit.json")?;
//! let account = patient.public_key().to_account_id();
//! let stored = records::add(&api, &doctor, &account, &visit, None, None, &()).await?;
//! let read = records::read(&api, &patient, stored.record, &()).await?;
//! assert_eq!(read.json.as_bytes(), visit);
//! # Ok(())
//! # }
//! ```
//!
//! The typed API is generated at compile time from `client/metadata/ehr-runtime.scale`. After a
//! runtime change, refresh that file with `scripts/refresh-metadata.sh` (the `metadata_is_fresh`
//! end-to-end test fails until you do).

pub mod archive;
pub mod audit;
pub mod consent;
pub mod fhir;
pub mod keys;
pub mod records;
pub mod registrar;
pub mod roles;
mod tx;

pub use tx::{sign, submit, submit_batch};

pub use subxt;
pub use subxt_signer;

use std::sync::Arc;
use subxt::config::{
	substrate::{BlakeTwo256, SubstrateHeader},
	Config, DefaultTransactionExtensions, HashFor, SubstrateConfig,
};
use subxt::utils::{AccountId32, MultiAddress, MultiSignature, H256};

/// The typed API of `ehr-runtime`: `ehr::tx()`, `ehr::storage()`, `ehr::constants()`,
/// `ehr::runtime_apis()`, the pallets' `events` and every runtime type under
/// `ehr::runtime_types`.
// The enums that the workflows' results carry are `Serialize`, for the CLI's `--json`. The
// types of `ehr-types` are not generated: the shared crate's own definitions take their place.
#[subxt::subxt(
	runtime_metadata_path = "metadata/ehr-runtime.scale",
	derive_for_all_types = "Clone, PartialEq, Eq",
	substitute_type(path = "ehr_types::Status", with = "::ehr_types::Status"),
	substitute_type(path = "ehr_types::Category", with = "::ehr_types::Category"),
	substitute_type(path = "ehr_types::AccessReason", with = "::ehr_types::AccessReason"),
	substitute_type(path = "ehr_types::EmergencyReason", with = "::ehr_types::EmergencyReason"),
	substitute_type(path = "ehr_types::Grantee<A>", with = "::ehr_types::Grantee<A>"),
	derive_for_type(
		path = "pallet_ehr_access::types::GrantScope",
		derive = "serde::Serialize",
		recursive
	),
	substitute_type(path = "ehr_types::Right", with = "::ehr_types::Right"),
	substitute_type(path = "ehr_types::DenyReason", with = "::ehr_types::DenyReason"),
	substitute_type(path = "ehr_types::AccessDecision", with = "::ehr_types::AccessDecision"),
	derive_for_type(
		path = "pallet_shamir_archive::types::EntryState",
		derive = "serde::Serialize",
		recursive
	),
	derive_for_type(
		path = "pallet_shamir_archive::types::PieceState",
		derive = "serde::Serialize",
		recursive
	)
)]
pub mod ehr {}

/// The runtime's types that the workflows take and give.
pub mod types {
	pub use crate::ehr::runtime_types::{
		pallet_ehr_access::types::GrantScope,
		pallet_shamir_archive::types::{EntryState, PieceState},
	};
	pub use ehr_types::{
		AccessDecision, AccessReason, Category, DenyReason, EmergencyReason, Grantee, Right, Status,
	};
}

/// The SCALE-encoded runtime metadata that [`ehr`] was generated from.
///
/// Including it also makes cargo rebuild this crate when the file changes: the `subxt` macro
/// reads the file without telling cargo.
pub const RUNTIME_METADATA: &[u8] = include_bytes!("../metadata/ehr-runtime.scale");

/// A client connected to an ehr-chain node.
pub type EhrClient = subxt::OnlineClient<EhrConfig>;

/// subxt's configuration for ehr-chain.
///
/// The runtime's types: 32-byte account ids, `MultiAddress<AccountId32, ()>` addresses (no
/// account indices), `MultiSignature`, BlakeTwo256 hashing and headers with a `u32` block number.
///
/// Its transaction extensions are `AuthorizeCall`, `CheckNonZeroSender`, `CheckSpecVersion`,
/// `CheckTxVersion`, `CheckGenesis`, `CheckMortality`, `CheckNonce`, `CheckWeight`,
/// `ChargeTransactionPayment` and `WeightReclaim`. subxt's [`DefaultTransactionExtensions`] supply
/// the values of the non-empty ones, and subxt encodes nothing for the others, whose types are
/// empty; an extension with a non-empty type that subxt does not know would make building
/// transactions fail with an error naming it.
///
/// Everything else, including the cache of metadata per runtime version, is
/// [`SubstrateConfig`]'s.
#[derive(Debug, Clone, Default)]
pub struct EhrConfig(SubstrateConfig);

impl Config for EhrConfig {
	type AccountId = AccountId32;
	type Address = MultiAddress<AccountId32, ()>;
	type Signature = MultiSignature;
	type Hasher = BlakeTwo256;
	// The block number is compact-encoded, so a `u64` header field decodes our `u32` numbers.
	type Header = SubstrateHeader<H256>;
	type TransactionExtensions = DefaultTransactionExtensions<Self>;
	// No `ChargeAssetTxPayment` in our runtime: this is never used.
	type AssetId = u32;

	fn genesis_hash(&self) -> Option<HashFor<Self>> {
		self.0.genesis_hash()
	}

	fn spec_and_transaction_version_for_block_number(
		&self,
		block_number: u64,
	) -> Option<(u32, u32)> {
		self.0.spec_and_transaction_version_for_block_number(block_number)
	}

	fn metadata_for_spec_version(&self, spec_version: u32) -> Option<subxt::ArcMetadata> {
		self.0.metadata_for_spec_version(spec_version)
	}

	fn set_metadata_for_spec_version(&self, spec_version: u32, metadata: subxt::ArcMetadata) {
		self.0.set_metadata_for_spec_version(spec_version, metadata)
	}
}

/// What can go wrong in this crate: each variant names its cause.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
	/// No connection, or the node did not answer as an ehr-chain node should.
	#[error("cannot connect to the ehr-chain node at {url}: {source}")]
	Connect {
		/// The URL we tried.
		url: String,
		/// Why it failed.
		#[source]
		source: Box<dyn std::error::Error + Send + Sync>,
	},
	/// A query or a submission failed on the way (network, node, decoding).
	#[error("chain: {0}")]
	Chain(String),
	/// The runtime refused the transaction with `error`, a pallet's error as the runtime
	/// defines it (match on it, e.g. `ehr::Error::EhrAccess(AccessError::NotAPatient)`);
	/// `pallet` and `variant` name it and `docs` explains it, for people.
	#[error("refused by the chain: {pallet}.{variant}: {docs}")]
	Refused {
		/// The pallet's error, typed.
		error: Box<ehr::Error>,
		/// The pallet that refused, e.g. `EhrAccess`.
		pallet: String,
		/// Its error variant, e.g. `NotAPatient`.
		variant: String,
		/// The variant's documentation.
		docs: String,
	},
	/// The account is not one of the registrars (the `Registrars` collective).
	#[error("{account} is not a registrar: only the members of the Registrars collective propose and approve registrar actions")]
	NotRegistrar {
		/// The account that tried.
		account: String,
	},
	/// The chain refused the reader a ticket for the record.
	#[error("not authorised to open record {record}: {reason}")]
	NotAuthorized {
		/// The record.
		record: u64,
		/// The chain's reason.
		reason: String,
	},
	/// The payload is not valid FHIR R4.
	#[error("invalid FHIR at {path}: {reason}")]
	InvalidFhir {
		/// Where in the resource, e.g. `Patient.birthDate`.
		path: String,
		/// What is wrong there.
		reason: String,
	},
	/// No such account, record or entry on chain.
	#[error("not found: {0}")]
	NotFound(String),
	/// The codec refused the parameters or the pieces.
	#[error(transparent)]
	Codec(#[from] ehr_archive_codec::Error),
	/// Sealing or opening a piece failed.
	#[error(transparent)]
	Protocol(#[from] ehr_custody_protocol::ProtocolError),
	/// Fewer active custodians than pieces wanted.
	#[error("{available} active custodians, {needed} needed")]
	TooFewCustodians {
		/// Active custodians on chain.
		available: usize,
		/// How many were needed.
		needed: usize,
	},
	/// The archive would be less redundant than the chain requires of every new archive
	/// (`ShamirArchive::MinRedundancy`, set by the registrar).
	#[error(
		"the chain requires records kept as at least {min_k} of {min_n} pieces; this one would be \
		 {k} of {n}"
	)]
	BelowMinRedundancy {
		/// The threshold asked for.
		k: u8,
		/// The pieces there would be (one per active custodian).
		n: usize,
		/// The chain's least `k`.
		min_k: u8,
		/// The chain's least `n`.
		min_n: u8,
	},
	/// Fewer custodians than `k` kept their piece.
	#[error("only {got} custodians kept their piece, {needed} needed")]
	TooFewReceipts {
		/// Receipts received.
		got: usize,
		/// The threshold `k`.
		needed: usize,
	},
	/// The record has no archive entry (or it was erased).
	#[error("record {record} has no readable archive")]
	NoArchive {
		/// The record.
		record: u64,
	},
	/// Fewer than `k` custodians answered with a piece that matches its commitment.
	#[error("{good} good pieces, {needed} needed (refusals: {refusals:?})")]
	TooFewGoodPieces {
		/// Pieces that passed their commitment.
		good: usize,
		/// The threshold `k`.
		needed: usize,
		/// Why the other custodians gave none.
		refusals: Vec<String>,
	},
	/// A custodian refused a call (with its typed reason) or could not be reached.
	#[error(transparent)]
	Custody(#[from] ehr_custody_client::CallError),
	/// A custodian answered something this client does not accept (a receipt for another
	/// piece or not signed with its registered key, another piece than it keeps).
	#[error("custodian at {endpoint}: {message}")]
	Custodian {
		/// Its custody endpoint.
		endpoint: String,
		/// Its refusal or the failure.
		message: String,
	},
}

/// A chain failure, for `map_err`.
pub(crate) fn chain(e: impl std::fmt::Display) -> Error {
	Error::Chain(e.to_string())
}

/// Connect to the ehr-chain node at `url`, e.g. `ws://127.0.0.1:9944`.
///
/// The URL must be secure (`wss://`, `https://`) unless it points at this machine (`localhost`,
/// `127.0.0.1`, `[::1]`).
pub async fn connect(url: &str) -> Result<EhrClient, Error> {
	connect_with_rpc(url).await.map(|(api, _)| api)
}

/// [`connect`], also giving the raw RPC client over the same connection, for the node's own
/// methods (the audit trail: [`audit::trail`]).
///
/// The client speaks the node's request-and-answer methods (`state_call`, `chain_getHeader`,
/// `author_submitAndWatchExtrinsic`: subxt's legacy backend), not the chainHead subscription
/// that subxt combines them with by default: a chainHead call is a request and then an event on
/// a follow subscription whose every block the client must unpin, and under a block per
/// transaction (`--dev`) that subscription failed writers with `BlockHeaderNotFound` or left
/// them waiting. The legacy calls pin nothing; a block hash at the finalised head stays readable
/// for the node's state pruning window (256 blocks by default), far longer than any workflow
/// holds one. Each call costs one round trip (about 1 ms on a local node).
pub async fn connect_with_rpc(url: &str) -> Result<(EhrClient, subxt::rpcs::RpcClient), Error> {
	let failed = |source: Box<dyn std::error::Error + Send + Sync>| Error::Connect {
		url: url.to_owned(),
		source,
	};
	let rpc = subxt::rpcs::RpcClient::from_url(url).await.map_err(|e| failed(Box::new(e)))?;
	let backend = subxt::backend::LegacyBackend::<EhrConfig>::builder().build(rpc.clone());
	let api = EhrClient::from_backend_with_config(EhrConfig::default(), Arc::new(backend))
		.await
		.map_err(|e| failed(Box::new(e)))?;
	Ok((api, rpc))
}
