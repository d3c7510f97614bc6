//! FHIR R4 payloads: validated by `ehr-fhir` before they are encrypted, and filed under the
//! record category it gives them.
use crate::{types::Category, Error};

/// Validates `json` as a FHIR R4 resource or Bundle and gives the category to file it under
/// (`ehr_fhir::validate_record`).
pub fn validate(json: &[u8], wanted: Option<Category>) -> Result<Category, Error> {
	ehr_fhir::validate_record(json, wanted).map_err(|e| match e {
		ehr_fhir::FhirError::InvalidFhir { path, reason } => Error::InvalidFhir { path, reason },
		other => Error::InvalidFhir { path: "$".into(), reason: other.to_string() },
	})
}
