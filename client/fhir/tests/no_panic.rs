//! `validate` returns, never panics, on arbitrary bytes and on mutations of the valid samples.

use ehr_fhir::{samples, validate};
use proptest::prelude::*;

/// A sample with a few bytes overwritten, inserted or removed.
fn mutated_sample() -> impl Strategy<Value = Vec<u8>> {
	let edits = prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0..3u8), 1..8);
	(prop::sample::select(samples::ALL), edits).prop_map(|((_, json), edits)| {
		let mut bytes = json.as_bytes().to_vec();
		for (at, byte, op) in edits {
			let i = at.index(bytes.len().max(1)).min(bytes.len().saturating_sub(1));
			match op {
				0 if !bytes.is_empty() => bytes[i] = byte,
				1 => bytes.insert(i, byte),
				_ if !bytes.is_empty() => {
					bytes.remove(i);
				},
				_ => {},
			}
		}
		bytes
	})
}

/// A sample with one JSON value replaced by another of some other kind.
fn retyped_sample() -> impl Strategy<Value = Vec<u8>> {
	let replacement = prop_oneof![
		Just(serde_json::json!(null)),
		Just(serde_json::json!(0)),
		Just(serde_json::json!(-1.5e300)),
		Just(serde_json::json!("")),
		Just(serde_json::json!("2024-13-45T99:99:99Z")),
		Just(serde_json::json!([])),
		Just(serde_json::json!({})),
		Just(serde_json::json!([{"resourceType": "Bundle"}])),
	];
	(prop::sample::select(samples::ALL), any::<prop::sample::Index>(), replacement).prop_map(
		|((_, json), at, replacement)| {
			let mut value: serde_json::Value = serde_json::from_str(json).unwrap();
			let mut slots = Vec::new();
			collect_pointers(&value, String::new(), &mut slots);
			let pointer = at.get(&slots).clone();
			if let Some(slot) = value.pointer_mut(&pointer) {
				*slot = replacement;
			}
			serde_json::to_vec(&value).unwrap()
		},
	)
}

fn collect_pointers(value: &serde_json::Value, at: String, out: &mut Vec<String>) {
	match value {
		serde_json::Value::Object(map) => {
			for (k, v) in map {
				collect_pointers(v, format!("{at}/{k}"), out);
			}
		},
		serde_json::Value::Array(items) => {
			for (i, v) in items.iter().enumerate() {
				collect_pointers(v, format!("{at}/{i}"), out);
			}
		},
		_ => {},
	}
	out.push(at);
}

proptest! {
	#![proptest_config(ProptestConfig::with_cases(512))]

	#[test]
	fn arbitrary_bytes_do_not_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
		let _ = validate(&bytes);
	}

	#[test]
	fn mutated_samples_do_not_panic(bytes in mutated_sample()) {
		let _ = validate(&bytes);
	}

	#[test]
	fn retyped_samples_do_not_panic(bytes in retyped_sample()) {
		let _ = validate(&bytes);
	}
}

/// Nests `open` .. `close` as deep as serde_json parses (127 levels, it refuses 128) inside a
/// Patient's `field`.
fn nested(field: &str, open: &str, close: &str, levels_each: usize, end: &str) -> String {
	let repeats = (127 - 2) / levels_each;
	let mut json = format!(r#"{{"resourceType": "Patient", "{field}": "#);
	json.push_str(&open.repeat(repeats));
	json.push_str(end);
	json.push_str(&close.repeat(repeats));
	json.push('}');
	json
}

#[test]
fn the_deepest_json_does_not_overflow_the_stack() {
	// Extensions nest freely, two JSON levels (array, object) each.
	let extensions = nested(
		"extension",
		r#"[{"url": "http://example.org/x", "extension": "#,
		"}]",
		2,
		r#"[{"url": "http://example.org/x", "valueBoolean": true}]"#,
	);
	assert!(validate(extensions.as_bytes()).is_ok());
	// A Reference's identifier names an assigner, another Reference: one level each.
	let references = nested(
		"managingOrganization",
		r#"{"identifier": {"value": "x", "assigner": "#,
		"}}",
		2,
		r#"{"display": "x"}"#,
	);
	assert_eq!(validate(references.as_bytes()).map(|_| ()), Ok(()));
	// Nested resources, the costliest to parse (serde buffers each `Resource`), are refused past
	// a bound before parsing.
	let contained = nested(
		"contained",
		r#"[{"resourceType": "Patient", "contained": "#,
		"}]",
		2,
		r#"[{"resourceType": "Patient"}]"#,
	);
	assert!(validate(contained.as_bytes()).is_err());
	assert!(validate(format!("{}{}", "[".repeat(128), "]".repeat(128)).as_bytes()).is_err());
}
