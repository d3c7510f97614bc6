//! # ehr-fhir-server
//!
//! A FHIR R4 (4.0.1) REST server in front of ehr-chain: hospital systems, FHIR apps and test
//! tools speak FHIR JSON over HTTP, and every call becomes an `ehr-client` workflow. It never
//! does chain, custody or crypto work itself: a created resource is validated
//! (`ehr-client`'s FHIR gate, `ehr-fhir`), encrypted, dispersed over the custodians and
//! anchored in one transaction by [`ehr_client::records::add`]; a read is opened on chain (the
//! chain decides and audits it) and read back from `k` custodians, every piece checked, by
//! [`ehr_client::records::read`].
//!
//! | request | what it does |
//! |---|---|
//! | `GET /metadata` | the CapabilityStatement: exactly what is below |
//! | `POST /[type]` | add a record ([`resource`] says which patient); 201, `Location: /[type]/[id]/_history/1` |
//! | `GET /[type]/[id]`, `GET /[type]/[id]/_history/[n]` | read the current version, or version `n` |
//! | `PUT /[type]/[id]` | add a record superseding the current version (a new version) |
//! | `GET /[type]/[id]/_history` | every version, as a `history` Bundle |
//! | `DELETE /[type]/[id]` | erase every version (the patient or a guardian only) |
//! | `GET /[type]?patient=…&_lastUpdated=…&_count=…` | the patient's resources of that type, a `searchset` with paging |
//! | `GET /Patient/[ss58]/$everything` | every record of the patient that the account may read |
//! | `GET /AuditEvent?patient=…&date=ge…` | the patient's on-chain audit trail |
//! | `GET /Consent?patient=…`, `POST /Consent` | consent grants, and granting |
//! | `PUT /Consent/[id]` (status `inactive`), `DELETE /Consent/[id]` | revoking |
//!
//! `[type]` is any resource type a record category holds (from [`ehr_types::Category`]) or
//! `Bundle`. Patients are accounts: `Patient/<SS58 address>`. Failures are OperationOutcomes
//! ([`outcome`]). Body limit: `--max-body-bytes`, by default `ehr-fhir`'s largest payload
//! (64 MiB), 413 beyond.
//!
//! # Where it departs from FHIR
//!
//! - A search by type finds the records filed under the type's category (from
//!   [`ehr_types::Category`]), whatever each holds: a Bundle filed under `Encounter`, or a
//!   `MedicationStatement` in a `MedicationRequest` search, comes back as it is (its `fullUrl`
//!   names its own type), since the chain knows the category and not the content. Reading it
//!   under the other type's URL is a 404 naming the right one.
//! - Every read of a resource, in a search or a history too, is an access opened (and audited)
//!   on chain, so pages are at most 100 entries; a record the chain refuses is an
//!   OperationOutcome entry (`search.mode = outcome`) rather than a failed search.
//! - `meta.lastUpdated` is the time of the block that anchored the version, from the node's
//!   audit index, which holds final blocks only: a version read before its block is final, and
//!   the answer to a create or an update, carry none. A `_lastUpdated` search waits (up to
//!   30 s) for the index to reach the newest block it compares.
//! - `Patient/<ss58>` references name accounts; a Demographics record is `Patient/<record id>`
//!   like any other record, and `GET /Patient/<ss58>` is not a read.
//! - AuditEvent and Consent: see [`mapping::audit`] and [`mapping::consent`].
//!
//! # One account per server
//!
//! The server holds one key (a doctor's, a patient's or a guardian's) and signs everything with
//! it: the chain sees that account and decides for it, and the audit trail names it. It does
//! **not** authenticate its HTTP clients, so whoever can reach it acts as that account. A
//! hospital runs it one of two ways:
//!
//! - **one server per clinician**, on the clinician's workstation or in a per-user container,
//!   listening on `127.0.0.1` (the default) so that only that user's applications reach it;
//! - **behind the hospital's identity provider**: a reverse proxy (OIDC, SAML, mTLS)
//!   authenticates the clinician and forwards to that clinician's own server instance, each
//!   instance holding one key (a key file, `--key-file`, from the hospital's secret store). The
//!   proxy, not this server, is what keeps one clinician from reaching another's instance.
//!
//! It sends no CORS headers, so that a web page in the user's browser cannot read its
//! answers. Chain transactions of one instance are serialised, so that the one key's nonces
//! never collide.
//!
//! # What SMART on FHIR would add
//!
//! SMART App Launch (OAuth 2.0 with the `.well-known/smart-configuration` discovery) would let
//! one server serve many users: the authorisation server issues a token per user and app with
//! scopes (`patient/Condition.read`, `user/*.write`), and the server checks them on every call.
//! The key question it leaves open for ehr-chain is whose key signs: either each user's own key
//! stays on their device and the app signs (the server then only relays FHIR), or the server
//! keeps keys in a vault and picks the user's key from the token's subject. Either way the
//! chain's decision and audit stay as they are; the token only decides which account asks.
pub mod capability;
pub mod config;
pub mod mapping;
pub mod outcome;
pub mod resource;
mod routes;

use ehr_client::{
	subxt::{rpcs::RpcClient, utils::AccountId32},
	EhrClient,
};
use std::sync::Arc;
use subxt_signer::sr25519::Keypair;
use tokio::{net::TcpListener, sync::Mutex};

/// How the server answers, besides the account it acts for.
#[derive(Clone, Debug)]
pub struct Options {
	/// The base URL clients reach the server at; `http://<local address>` if `None`.
	pub base_url: Option<String>,
	/// The largest request body accepted, in bytes (413 beyond).
	pub max_body_bytes: usize,
}

impl Default for Options {
	fn default() -> Self {
		Options { base_url: None, max_body_bytes: ehr_fhir::MAX_PAYLOAD_BYTES }
	}
}

/// What every request handler shares: the connection, the acting account and its key.
pub(crate) struct AppState {
	pub(crate) api: EhrClient,
	/// The raw RPC client of the same connection, for the node's audit trail.
	pub(crate) rpc: RpcClient,
	pub(crate) signer: Keypair,
	pub(crate) account: AccountId32,
	/// The base URL, without a trailing `/`.
	pub(crate) base: String,
	pub(crate) max_body_bytes: usize,
	/// When the server started, the CapabilityStatement's date.
	pub(crate) started: String,
	/// Held around every call that submits a transaction: one key, one nonce sequence, and
	/// subxt takes the next nonce from the node, so two concurrent submissions could take the
	/// same one.
	pub(crate) signing: Mutex<()>,
}

/// Serves FHIR on `listener` until it fails, acting for `signer` on the chain of `api` and
/// `rpc` (from [`ehr_client::connect_with_rpc`]).
pub async fn serve(
	listener: TcpListener,
	api: EhrClient,
	rpc: RpcClient,
	signer: Keypair,
	options: Options,
) -> std::io::Result<()> {
	let base = match options.base_url {
		Some(base) => base.trim_end_matches('/').to_owned(),
		None => format!("http://{}", listener.local_addr()?),
	};
	let account = signer.public_key().to_account_id();
	tracing::info!(%account, %base, "serving FHIR R4");
	let state = AppState {
		api,
		rpc,
		signer,
		account,
		base,
		max_body_bytes: options.max_body_bytes.min(ehr_fhir::MAX_PAYLOAD_BYTES),
		started: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
		signing: Mutex::new(()),
	};
	axum::serve(listener, routes::router(Arc::new(state))).await
}
