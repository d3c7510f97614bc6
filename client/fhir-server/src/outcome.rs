//! Every failure as a FHIR `OperationOutcome` with the HTTP status FHIR's RESTful API gives it:
//! 400 for what cannot be parsed or is not valid FHIR (naming the path), 403 when the chain
//! refuses, 404/410 for unknown and erased records, 409 for state conflicts, 413 for a body over
//! the limit, 415 for a body that is not FHIR JSON, 422 for valid FHIR that breaks a rule of
//! ehr-chain. A 5xx is only ever the chain's, the custodians' or our own failure, never the
//! client's input.
use axum::{
	http::{header, HeaderValue, StatusCode},
	response::{IntoResponse, Response},
};
use serde_json::{json, Value};

/// The media type of every answer.
pub const FHIR_JSON: &str = "application/fhir+json; charset=utf-8";

/// What went wrong in a request, each with its HTTP status and OperationOutcome issue code.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ApiError {
	/// The body is not JSON.
	#[error("malformed JSON: {0}")]
	MalformedJson(String),
	/// The body is JSON but not valid FHIR R4, at `path`.
	#[error("invalid FHIR at {path}: {reason}")]
	InvalidFhir {
		/// Where, e.g. `Patient.birthDate`.
		path: String,
		/// What is wrong there.
		reason: String,
	},
	/// A parameter or header is malformed.
	#[error("{0}")]
	BadRequest(String),
	/// The chain refused the acting account.
	#[error("{0}")]
	Forbidden(String),
	/// No such resource, resource type or route.
	#[error("{0}")]
	NotFound(String),
	/// The route exists but not with this method.
	#[error("{0}")]
	MethodNotAllowed(String),
	/// The state on chain does not allow it (already erased, too many records, ...).
	#[error("{0}")]
	Conflict(String),
	/// The record was erased by its patient.
	#[error("{0}")]
	Gone(String),
	/// The body is larger than the server accepts.
	#[error("the body is larger than the limit of {limit} bytes")]
	TooLarge {
		/// The limit, in bytes.
		limit: usize,
	},
	/// The body is not `application/fhir+json` or `application/json`.
	#[error("{0}")]
	UnsupportedMediaType(String),
	/// Valid FHIR that ehr-chain cannot take as it is (no patient named, a Consent it cannot
	/// express, ...).
	#[error("{0}")]
	Unprocessable(String),
	/// The chain limits how fast the acting account may do this (records per patient per
	/// period).
	#[error("{0}")]
	TooManyRequests(String),
	/// The chain node or the custodians failed or could not be reached.
	#[error("{0}")]
	Upstream(String),
	/// A bug of this server.
	#[error("internal error: {0}")]
	Internal(String),
}

impl ApiError {
	/// The HTTP status FHIR gives this failure.
	pub fn status(&self) -> StatusCode {
		match self {
			ApiError::MalformedJson(_) | ApiError::InvalidFhir { .. } | ApiError::BadRequest(_) => {
				StatusCode::BAD_REQUEST
			},
			ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
			ApiError::NotFound(_) => StatusCode::NOT_FOUND,
			ApiError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
			ApiError::Conflict(_) => StatusCode::CONFLICT,
			ApiError::Gone(_) => StatusCode::GONE,
			ApiError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
			ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
			ApiError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
			ApiError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
			ApiError::Upstream(_) => StatusCode::BAD_GATEWAY,
			ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
		}
	}

	/// The OperationOutcome issue code (value set `issue-type`).
	fn issue_code(&self) -> &'static str {
		match self {
			ApiError::MalformedJson(_) => "structure",
			ApiError::InvalidFhir { .. } | ApiError::BadRequest(_) => "invalid",
			ApiError::Forbidden(_) => "forbidden",
			ApiError::NotFound(_) => "not-found",
			ApiError::MethodNotAllowed(_) | ApiError::UnsupportedMediaType(_) => "not-supported",
			ApiError::Conflict(_) => "conflict",
			ApiError::Gone(_) => "deleted",
			ApiError::TooLarge { .. } => "too-long",
			ApiError::Unprocessable(_) => "business-rule",
			ApiError::TooManyRequests(_) => "throttled",
			ApiError::Upstream(_) => "transient",
			ApiError::Internal(_) => "exception",
		}
	}

	/// This failure as an OperationOutcome.
	pub fn outcome(&self) -> Value {
		let path = match self {
			ApiError::InvalidFhir { path, .. } => Some(path.as_str()),
			_ => None,
		};
		outcome("error", self.issue_code(), &self.to_string(), path)
	}
}

/// An OperationOutcome with one issue; `expression` is the FHIRPath of the element concerned.
pub fn outcome(severity: &str, code: &str, diagnostics: &str, expression: Option<&str>) -> Value {
	let mut issue = json!({ "severity": severity, "code": code, "diagnostics": diagnostics });
	if let Some(path) = expression {
		issue["expression"] = json!([path]);
	}
	json!({ "resourceType": "OperationOutcome", "issue": [issue] })
}

/// The chain's reasons for refusing a read ([`ehr_types::DenyReason`], as `ehr-client` names
/// them) that are not a matter of permission.
fn denied(record: u64, reason: &str) -> ApiError {
	let text = format!("the chain refused to open record {record}: {reason}");
	match reason {
		"Erased" => ApiError::Gone(text),
		"UnknownRecord" => ApiError::NotFound(text),
		_ => ApiError::Forbidden(text),
	}
}

/// A pallet error by the status it deserves: what is missing, what conflicts with the state on
/// chain, what the request got wrong; anything else is the chain refusing the acting account.
fn refused(variant: &str, text: String) -> ApiError {
	match variant {
		"UnknownRecord" | "UnknownGrant" | "NoArchive" => ApiError::NotFound(text),
		"ArchiveErased" => ApiError::Gone(text),
		"AlreadyErased"
		| "TooManyRecords"
		| "TooManyGrants"
		| "TooManyTickets"
		| "ArchiveIdInUse"
		| "AlreadyArchived"
		| "EmergencyAlreadyOpen" => ApiError::Conflict(text),
		"NotAPatient"
		| "UnknownGrantee"
		| "SupersededMismatch"
		| "RecordNotOfPatient"
		| "ExpiryInPast"
		| "EmptyScope"
		| "DuplicateRecordInScope"
		| "EmptyRecord" => ApiError::Unprocessable(text),
		"WriteRateExceeded" => ApiError::TooManyRequests(text),
		_ => ApiError::Forbidden(text),
	}
}

impl From<ehr_client::Error> for ApiError {
	fn from(error: ehr_client::Error) -> Self {
		use ehr_client::Error as E;
		let text = error.to_string();
		match error {
			E::NotAuthorized { record, reason } => denied(record, &reason),
			E::Refused { variant, .. } => refused(&variant, text),
			E::InvalidFhir { path, reason } => ApiError::InvalidFhir { path, reason },
			E::NotFound(_) => ApiError::NotFound(text),
			E::NoArchive { .. } => ApiError::Gone(text),
			// The node, the custodians or the network: not the client's doing.
			E::Connect { .. }
			| E::Chain(_)
			| E::TooFewCustodians { .. }
			| E::BelowMinRedundancy { .. }
			| E::TooFewReceipts { .. }
			| E::TooFewGoodPieces { .. }
			| E::Custody(_)
			| E::Custodian { .. } => ApiError::Upstream(text),
			_ => ApiError::Internal(text),
		}
	}
}

impl IntoResponse for ApiError {
	fn into_response(self) -> Response {
		let status = self.status();
		if status.is_server_error() {
			tracing::error!(%status, "{self}");
		} else {
			tracing::info!(%status, "{self}");
		}
		fhir_response(status, &self.outcome())
	}
}

/// `value` as a FHIR JSON answer with `status`.
pub fn fhir_response(status: StatusCode, value: &Value) -> Response {
	let mut response = (status, value.to_string()).into_response();
	response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(FHIR_JSON));
	response
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn each_failure_has_its_status_and_a_valid_outcome() {
		let cases = [
			(ApiError::MalformedJson("eof".into()), 400, "structure"),
			(
				ApiError::InvalidFhir { path: "Patient.gender".into(), reason: "no".into() },
				400,
				"invalid",
			),
			(ApiError::Forbidden("no".into()), 403, "forbidden"),
			(ApiError::NotFound("no".into()), 404, "not-found"),
			(ApiError::MethodNotAllowed("no".into()), 405, "not-supported"),
			(ApiError::Conflict("no".into()), 409, "conflict"),
			(ApiError::Gone("no".into()), 410, "deleted"),
			(ApiError::TooLarge { limit: 10 }, 413, "too-long"),
			(ApiError::UnsupportedMediaType("no".into()), 415, "not-supported"),
			(ApiError::Unprocessable("no".into()), 422, "business-rule"),
			(ApiError::TooManyRequests("no".into()), 429, "throttled"),
			(ApiError::Upstream("no".into()), 502, "transient"),
			(ApiError::Internal("no".into()), 500, "exception"),
		];
		for (error, status, code) in cases {
			assert_eq!(error.status().as_u16(), status, "{error:?}");
			let outcome = error.outcome();
			assert_eq!(outcome["issue"][0]["code"], code, "{error:?}");
			ehr_fhir::validate(outcome.to_string().as_bytes())
				.unwrap_or_else(|e| panic!("{error:?} gives invalid FHIR: {e}"));
		}
		let invalid = ApiError::InvalidFhir { path: "Patient.gender".into(), reason: "x".into() };
		assert_eq!(invalid.outcome()["issue"][0]["expression"][0], "Patient.gender");
	}

	#[test]
	fn client_errors_map_to_fhir_statuses() {
		use ehr_client::Error as E;
		let status = |e: E| ApiError::from(e).status().as_u16();
		let refusal = |reason: &str| E::NotAuthorized { record: 3, reason: reason.into() };
		assert_eq!(status(refusal("NoConsent")), 403);
		assert_eq!(status(refusal("DoctorSuspended")), 403);
		assert_eq!(status(refusal("Erased")), 410);
		assert_eq!(status(refusal("UnknownRecord")), 404);
		assert_eq!(status(E::InvalidFhir { path: "$".into(), reason: "x".into() }), 400);
		assert_eq!(status(E::NotFound("record 9".into())), 404);
		assert_eq!(status(E::NoArchive { record: 9 }), 410);
		assert_eq!(status(E::Chain("down".into())), 502);
		assert_eq!(status(E::TooFewReceipts { got: 0, needed: 1 }), 502);
		assert_eq!(status(E::BelowMinRedundancy { k: 1, n: 1, min_k: 2, min_n: 3 }), 502);
		assert!(ApiError::from(refusal("NoConsent")).to_string().contains("NoConsent"));
	}

	#[test]
	fn pallet_refusals_map_by_variant() {
		let status = |variant: &str| refused(variant, variant.into()).status().as_u16();
		assert_eq!(status("NotPatientOrGuardian"), 403);
		assert_eq!(status("NotAuthorized"), 403);
		assert_eq!(status("UnknownRecord"), 404);
		assert_eq!(status("UnknownGrant"), 404);
		assert_eq!(status("AlreadyErased"), 409);
		assert_eq!(status("ArchiveErased"), 410);
		assert_eq!(status("SupersededMismatch"), 422);
		assert_eq!(status("NotAPatient"), 422);
		assert_eq!(status("WriteRateExceeded"), 429);
		assert_eq!(status("EmergencyCoolingDown"), 403);
	}
}
