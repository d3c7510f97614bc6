//! The record category a validated FHIR payload files under: one rule for every writer (the
//! Rust client and CLI, the FHIR server, the browser through WebAssembly).
use crate::{validate, FhirError};
use ehr_types::Category;

/// Validates `json` as a FHIR R4 resource or Bundle and gives the category to file it under.
///
/// A resource files under its own category. A Bundle files under the category its entries
/// share, or under `Encounter` when it holds one (a visit and what was done in it). `wanted`, if
/// given, must be the category of the resource or of one of the Bundle's entries.
pub fn validate_record(json: &[u8], wanted: Option<Category>) -> Result<Category, FhirError> {
	let validated = validate(json)?;
	let mismatch = |reason: String| FhirError::InvalidFhir { path: "$".into(), reason };
	let types: Vec<&str> = if validated.resource_type == "Bundle" {
		validated.entry_types.iter().map(String::as_str).collect()
	} else {
		vec![validated.resource_type.as_str()]
	};
	let categories: Vec<Category> =
		types.iter().filter_map(|t| Category::from_fhir_resource_type(t)).collect();
	if let Some(wanted) = wanted {
		return if categories.contains(&wanted) {
			Ok(wanted)
		} else {
			Err(mismatch(format!("no {wanted:?} resource in this {}", validated.resource_type)))
		};
	}
	match categories.as_slice() {
		[] => Err(mismatch(format!("no record category for {types:?}"))),
		[first, rest @ ..] if rest.iter().all(|c| c == first) => Ok(*first),
		_ if categories.contains(&Category::Encounter) => Ok(Category::Encounter),
		_ => Err(mismatch(format!("a Bundle of {types:?}: say which category to file it under"))),
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn every_sample_validates_and_files_under_its_category() {
		for (name, json) in crate::samples::ALL {
			let category = validate_record(json.as_bytes(), None)
				.unwrap_or_else(|e| panic!("{name} is refused: {e}"));
			let expected = match *name {
				n if n.starts_with("patient") => Category::Demographics,
				n if n.starts_with("condition") => Category::Condition,
				n if n.starts_with("medication") => Category::Medication,
				n if n.starts_with("coverage") => Category::Coverage,
				n if n.starts_with("encounter") || n.starts_with("bundle-visit") => {
					Category::Encounter
				},
				n if n.starts_with("diagnostic") => Category::DiagnosticReport,
				other => panic!("a sample without an expected category: {other}"),
			};
			assert_eq!(category, expected, "{name}");
		}
	}

	#[test]
	fn a_category_must_match_the_payload() {
		let condition = crate::samples::CONDITION_PRESENT.as_bytes();
		assert_eq!(
			validate_record(condition, Some(Category::Condition)).unwrap(),
			Category::Condition
		);
		assert!(matches!(
			validate_record(condition, Some(Category::Coverage)),
			Err(FhirError::InvalidFhir { .. })
		));
		let visit = crate::samples::BUNDLE_VISIT.as_bytes();
		assert_eq!(validate_record(visit, Some(Category::Procedure)).unwrap(), Category::Procedure);
	}

	#[test]
	fn invalid_fhir_names_where() {
		let bad = br#"{"resourceType":"Patient","birthDate":"yesterday"}"#;
		match validate_record(bad, None) {
			Err(FhirError::InvalidFhir { path, .. }) => {
				assert!(path.contains("birthDate"), "{path}")
			},
			other => panic!("accepted or wrong error: {other:?}"),
		}
	}
}
