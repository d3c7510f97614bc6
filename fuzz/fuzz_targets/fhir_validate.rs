//! ehr-fhir's gate on arbitrary bytes: `validate` and `validate_record` (with the category
//! the first byte names, or none), as the client, the FHIR server and the browser call them
//! on a payload before it is encrypted and stored.
//!
//! Must hold: no panic; `validate_record` accepts only what `validate` accepts; the verdict
//! depends on the JSON value only, not on how it is written (the same value re-serialised
//! gets the same verdict).
#![no_main]

use ehr_fhir::{validate, validate_record};
use ehr_types::Category;
use libfuzzer_sys::fuzz_target;

/// A category, or (one time in twelve) none.
fn category(byte: u8) -> Option<Category> {
	Category::ALL.get(usize::from(byte) % (Category::ALL.len() + 1)).copied()
}

fuzz_target!(|data: &[u8]| {
	let Some((&wanted, json)) = data.split_first() else { return };
	let verdict = validate(json);
	let filed = validate_record(json, category(wanted));
	if filed.is_ok() {
		assert!(verdict.is_ok(), "filed a record that validate refuses: {verdict:?}");
	}
	if let Ok(value) = serde_json::from_slice::<serde_json::Value>(json) {
		let rewritten = serde_json::to_vec(&value).expect("a value serialises");
		assert_eq!(validate(&rewritten), verdict, "the verdict depends on the JSON's layout");
	}
});
