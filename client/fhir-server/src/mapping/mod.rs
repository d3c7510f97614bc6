//! Pure conversions between what `ehr-client` gives and takes and FHIR R4 JSON: no I/O, so each
//! is unit-tested, and each output is checked by `ehr-fhir` in those tests.
//!
//! Accounts appear in FHIR as SS58 addresses: a patient as `Patient/<ss58>`, a doctor as
//! `Practitioner/<ss58>`, a hospital as `Organization/<ss58>`, and an account whose role the
//! chain does not state (a reader who was refused, a guardian) as an identifier in the system
//! [`ACCOUNT_SYSTEM`].
pub mod audit;
pub mod bundle;
pub mod consent;
pub mod dates;

use crate::outcome::ApiError;
use ehr_client::subxt::utils::AccountId32;
use serde_json::{json, Value};
use std::str::FromStr;

/// The identifier system of ehr-chain accounts (values are SS58 addresses).
pub const ACCOUNT_SYSTEM: &str = "urn:ehr-chain:account";
/// The identifier system of ehr-chain record ids.
pub const RECORD_SYSTEM: &str = "urn:ehr-chain:record";

/// A reference to `account` as the resource type `resource` (`Patient`, `Practitioner`,
/// `Organization`), with its identifier.
pub fn account_reference(resource: &str, account: &AccountId32) -> Value {
	json!({
		"reference": format!("{resource}/{account}"),
		"identifier": { "system": ACCOUNT_SYSTEM, "value": account.to_string() },
	})
}

/// A reference to `account` by identifier only: its role is not known.
pub fn account_identifier(account: &AccountId32) -> Value {
	json!({ "identifier": { "system": ACCOUNT_SYSTEM, "value": account.to_string() } })
}

/// An account named as `<ss58>`, `0x<64 hex digits>`, or a reference `<Type>/<either>` (a full
/// URL ending so included), e.g. `Patient/5GrwvaEF...`.
pub fn parse_account(text: &str) -> Result<AccountId32, ApiError> {
	let id = text.rsplit('/').next().unwrap_or(text);
	let bad = || {
		ApiError::BadRequest(format!(
			"{text} does not name an ehr-chain account: give Patient/<SS58 address>"
		))
	};
	if let Some(digits) = id.strip_prefix("0x") {
		let bytes: [u8; 32] =
			hex::decode(digits).ok().and_then(|b| b.try_into().ok()).ok_or_else(bad)?;
		return Ok(AccountId32(bytes));
	}
	AccountId32::from_str(id).map_err(|_| bad())
}

/// Milliseconds since the Unix epoch as a FHIR `instant` in UTC, e.g.
/// `2026-12-03T12:47:09.123Z`.
pub fn instant(ms: u64) -> String {
	let ms = i64::try_from(ms).unwrap_or(i64::MAX);
	chrono::DateTime::<chrono::Utc>::from_timestamp_millis(ms)
		.unwrap_or_default()
		.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

#[cfg(test)]
pub(crate) mod tests {
	use super::*;

	pub(crate) fn account(byte: u8) -> AccountId32 {
		AccountId32([byte; 32])
	}

	#[test]
	fn accounts_parse_in_every_form() {
		let dave = account(4);
		assert_eq!(parse_account(&dave.to_string()).unwrap(), dave);
		assert_eq!(parse_account(&format!("Patient/{dave}")).unwrap(), dave);
		assert_eq!(parse_account(&format!("http://x/fhir/Patient/{dave}")).unwrap(), dave);
		assert_eq!(parse_account(&format!("0x{}", hex::encode(dave.0))).unwrap(), dave);
		assert!(matches!(parse_account("Patient/example-pat-001"), Err(ApiError::BadRequest(_))));
		assert!(parse_account("0x1234").is_err());
	}

	#[test]
	fn instants_are_utc_with_milliseconds() {
		assert_eq!(instant(0), "1970-01-01T00:00:00.000Z");
		assert_eq!(instant(1_796_302_029_123), "2026-12-03T12:47:09.123Z");
	}
}
