//! `ehr_auditTrail`: a page of a patient's audit trail from the audit index, as the SCALE
//! encoding of `ehr_types::audit::AuditPage` (hex), so that every client decodes it with the
//! one shared definition.
use super::index::AuditIndex;
use codec::Encode;
use ehr_runtime::AccountId;
use ehr_types::audit::{AuditCursor, MAX_AUDIT_PAGE};
use jsonrpsee::{
	core::RpcResult,
	proc_macros::rpc,
	types::{error::ErrorObjectOwned, ErrorObject},
};
use polkadot_sdk::sp_core::Bytes;
use std::sync::Arc;

/// The audit trail methods.
#[rpc(server, namespace = "ehr")]
pub trait AuditApi {
	/// Up to `limit` (default and at most 1000) audit events of `patient` (SS58) in blocks
	/// `from..=to` (default: all), oldest first, after the cursor `after` (the previous page's
	/// `next`): a SCALE `AuditPage`.
	#[method(name = "auditTrail", blocking)]
	fn audit_trail(
		&self,
		patient: AccountId,
		from: Option<u32>,
		to: Option<u32>,
		after: Option<AuditCursor>,
		limit: Option<u32>,
	) -> RpcResult<Bytes>;
}

/// The audit trail methods over the node's audit index.
pub struct AuditRpc {
	index: Arc<AuditIndex>,
}

impl AuditRpc {
	/// The methods over `index`.
	pub fn new(index: Arc<AuditIndex>) -> Self {
		Self { index }
	}
}

fn error(e: impl std::fmt::Display) -> ErrorObjectOwned {
	ErrorObject::owned(5000, e.to_string(), None::<()>)
}

impl AuditApiServer for AuditRpc {
	fn audit_trail(
		&self,
		patient: AccountId,
		from: Option<u32>,
		to: Option<u32>,
		after: Option<AuditCursor>,
		limit: Option<u32>,
	) -> RpcResult<Bytes> {
		let (from, to) = (from.unwrap_or(0), to.unwrap_or(u32::MAX));
		if from > to {
			return Err(ErrorObject::owned(
				4000,
				format!("from {from} is after to {to}"),
				None::<()>,
			));
		}
		let patient = super::account_bytes(&patient);
		let limit = limit.unwrap_or(MAX_AUDIT_PAGE);
		let page = self.index.trail(&patient, from, to, after, limit).map_err(error)?;
		Ok(page.encode().into())
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn the_method_is_the_one_clients_call() {
		let dir = tempfile::tempdir().unwrap();
		let index = Arc::new(AuditIndex::open(dir.path()).unwrap());
		let module = AuditRpc::new(index).into_rpc();
		assert!(module.method_names().any(|m| m == ehr_types::audit::AUDIT_TRAIL_METHOD));
	}
}
