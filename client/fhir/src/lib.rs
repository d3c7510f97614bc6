//! ehr-chain's FHIR R4 gate: [`validate`] checks that a JSON payload is a FHIR R4 resource before
//! the client encrypts and stores it, so that nothing unreadable reaches the archive.
//!
//! # What is checked
//!
//! Parsing and validation use the `fhir` crate (`fhir-r4`, generated from the R4 4.0.1
//! definitions), in three steps; a step that finds problems ends the check, and the error names
//! the first problem and counts the others:
//!
//! 1. **Structure, against the R4 element table** (`fhir::r4::meta`, done here in `structure`,
//!    because `fhir`'s deserialisation does not do it): the payload is a JSON object whose
//!    `resourceType` names an R4 resource; every key is an element of its type (unknown
//!    elements are rejected, as the R4 JSON rules require; `fhir` would silently drop them);
//!    every required (`1..`) element is present; repeating elements are non-empty arrays and
//!    others are not arrays; a choice element has one type at most (`fhir` keeps the first of
//!    `deceasedBoolean` and `deceasedDateTime`, silently); primitives have the right JSON type;
//!    `date`, `dateTime`, `instant` and `time` follow their lexical rules and name real
//!    calendar days (`fhir` stores them as unchecked strings, and its `Validate` passes them
//!    all); `integer`, `unsignedInt` and `positiveInt` are in range; a resource's `id` is a
//!    FHIR id (`fhir` types it as a string). Nested resources
//!    (`contained`, Bundle entries) are checked the same way, at most
//!    [`MAX_RESOURCE_NESTING`] deep.
//! 2. **Typed parsing** into `fhir::r4::resources::Resource`: the types of every element and
//!    required `1..1` fields (already checked in step 1, with better paths). `fhir-r4`
//!    keeps `Bundle.entry.resource` (and `Bundle.entry.response.outcome`,
//!    `Parameters.parameter.resource`) as raw JSON, so each of those is parsed on its own.
//! 3. **`fhir`'s `Validate`**: required bindings (a `status` or `gender` outside its value set,
//!    which parsing accepts as `Coded::Unknown`), `1..*` cardinality, the lexical rules of
//!    `code`, `id`, `uri`, `url`, `canonical`, `oid` and `uuid`, and the few invariants that
//!    need no FHIRPath: `ele-1` (no empty elements), `ext-1`, `att-1`, `qty-3`, `dom-2`, `dom-4`,
//!    `drq-1` and `inv-1`.
//!
//! Then: a Bundle must hold at least one entry and every entry a resource, since a stored
//! Bundle is a treatment summary and an entry without a resource says nothing.
//!
//! # What is not checked
//!
//! The other FHIRPath invariants (such as `con-3` or `per-1`), profiles (US Core, IPS),
//! terminology beyond required bindings (that a SNOMED or LOINC code exists, or is in an
//! extensible value set), reference resolution (that `Patient/p1` or a Bundle's `urn:uuid:`
//! points at anything), the content of `Narrative.div` (XHTML), the lexical rules of the
//! other string primitives (`base64Binary`, `decimal` as written, ...), and the rules that R4
//! states only as regular expressions on `string` elements.

mod category;
mod structure;

pub use category::validate_record;
pub use structure::MAX_RESOURCE_NESTING;

pub mod samples;

use fhir::r4::resources::Resource;
use fhir::r4::validate::{Validate, ValidationIssue};

/// The largest payload accepted: 64 MiB. Parsing holds the JSON tree and the typed resource in
/// memory at once, several times the payload's size, and a bigger record is better split.
pub const MAX_PAYLOAD_BYTES: usize = 64 << 20;

/// A FHIR R4 payload that passed validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Validated {
	/// The `resourceType` of the payload, e.g. `Patient` or `Bundle`.
	pub resource_type: String,
	/// For a Bundle, the `resourceType` of each entry's resource, in order; otherwise empty.
	pub entry_types: Vec<String>,
}

/// Why a payload is not accepted.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FhirError {
	/// Not JSON, or JSON that is not a valid FHIR R4 resource (unknown resourceType, wrong type
	/// of an element, a code outside its required value set, ...). `path` is the FHIR-style path
	/// of the first problem (e.g. `Patient.birthDate` or `Bundle.entry[2].resource.status`), or
	/// `$` if the payload is not JSON at all.
	#[error("invalid FHIR at {path}: {reason}")]
	InvalidFhir {
		/// Where the first problem is.
		path: String,
		/// What it is, and how many more problems were found after it.
		reason: String,
	},
	/// The payload is empty or only whitespace.
	#[error("empty payload")]
	Empty,
	/// The payload is larger than [`MAX_PAYLOAD_BYTES`].
	#[error("payload of {size} bytes is larger than the limit of {limit} bytes")]
	TooLarge {
		/// The payload's size in bytes.
		size: usize,
		/// [`MAX_PAYLOAD_BYTES`].
		limit: usize,
	},
}

/// Checks that `json` is one FHIR R4 resource in JSON (see the crate docs for what that
/// covers). Pure, and does not panic on any input.
pub fn validate(json: &[u8]) -> Result<Validated, FhirError> {
	if json.len() > MAX_PAYLOAD_BYTES {
		return Err(FhirError::TooLarge { size: json.len(), limit: MAX_PAYLOAD_BYTES });
	}
	if json.trim_ascii().is_empty() {
		return Err(FhirError::Empty);
	}
	let value: serde_json::Value = serde_json::from_slice(json).map_err(|e| invalid("$", e))?;
	let issues = structure::check(&value);
	if !issues.is_empty() {
		let count = issues.len();
		let first = issues.into_iter().next().map(|i| (i.path, i.message)).unwrap_or_default();
		return Err(first_of(first, count));
	}
	let resource_type = type_of(&value);
	let mut issues = Vec::new();
	typed(&value, &resource_type, &mut issues)?;
	let mut entry_types = Vec::new();
	if resource_type == "Bundle" {
		// A stored Bundle is a treatment summary: it must say something, entry by entry.
		let entries = value.get("entry").and_then(serde_json::Value::as_array);
		for (i, entry) in entries.into_iter().flatten().enumerate() {
			match entry.get("resource") {
				Some(resource) => entry_types.push(type_of(resource)),
				None => issues.push((
					format!("Bundle.entry[{i}].resource"),
					"entry without a resource".into(),
				)),
			}
		}
		if entries.is_none_or(Vec::is_empty) {
			issues.push(("Bundle.entry".into(), "a Bundle must hold at least one entry".into()));
		}
	}
	match issues.len() {
		0 => Ok(Validated { resource_type, entry_types }),
		count => Err(first_of(issues.swap_remove(0), count)),
	}
}

/// The `resourceType` of a resource the structure check has vouched for.
fn type_of(resource: &serde_json::Value) -> String {
	resource["resourceType"].as_str().unwrap_or_default().to_string()
}

/// Parses the resource at `path` into `fhir`'s model and adds `Validate`'s issues, then does the
/// same for the resources nested in it that the model keeps as raw JSON (`fhir-r4` types
/// `Bundle.entry.resource`, `Bundle.entry.response.outcome` and `Parameters.parameter.resource`
/// as `serde_json::Value`, which neither parsing nor `Validate` looks into).
fn typed(
	value: &serde_json::Value,
	path: &str,
	issues: &mut Vec<(String, String)>,
) -> Result<(), FhirError> {
	let resource: Resource =
		serde_path_to_error::deserialize(value).map_err(|e| parse_error(path, e))?;
	match resource {
		Resource::Bundle(mut bundle) => {
			// One by one, because `fhir`'s issue paths carry no array index.
			for (i, entry) in std::mem::take(&mut bundle.entry).into_iter().enumerate() {
				let entry_path = format!("{path}.entry[{i}]");
				issues.extend(fhir_issues(&entry_path, entry.validate()));
				if let Some(resource) = &entry.resource {
					typed(resource, &format!("{entry_path}.resource"), issues)?;
				}
				if let Some(outcome) = entry.response.as_ref().and_then(|r| r.outcome.as_ref()) {
					typed(outcome, &format!("{entry_path}.response.outcome"), issues)?;
				}
			}
			issues.extend(fhir_issues(path, bundle.validate()));
		},
		Resource::Parameters(parameters) => {
			issues.extend(fhir_issues(path, parameters.validate()));
			raw_parameters(value.get("parameter"), &format!("{path}.parameter"), issues)?;
		},
		resource => issues.extend(fhir_issues(path, resource.validate())),
	}
	Ok(())
}

/// The resources in `Parameters.parameter` and, recursively, its `part`s.
fn raw_parameters(
	parameters: Option<&serde_json::Value>,
	path: &str,
	issues: &mut Vec<(String, String)>,
) -> Result<(), FhirError> {
	let parameters = parameters.and_then(serde_json::Value::as_array);
	for (i, parameter) in parameters.into_iter().flatten().enumerate() {
		let path = format!("{path}[{i}]");
		if let Some(resource) = parameter.get("resource") {
			typed(resource, &format!("{path}.resource"), issues)?;
		}
		raw_parameters(parameter.get("part"), &format!("{path}.part"), issues)?;
	}
	Ok(())
}

fn invalid(path: &str, reason: impl ToString) -> FhirError {
	FhirError::InvalidFhir { path: path.to_string(), reason: reason.to_string() }
}

fn first_of((path, reason): (String, String), count: usize) -> FhirError {
	match count {
		1 => invalid(&path, reason),
		_ => invalid(&path, format!("{reason} (and {} more issues)", count - 1)),
	}
}

/// A typed-parsing failure of the resource at `resource`, at the path `serde_path_to_error` could
/// follow. It cannot see into a `Resource` (an internally tagged enum, which serde buffers), so
/// the path mostly ends at the resource, and a missing field's name, from the message, completes
/// it. (The structure check catches most of what would fail here first, with exact paths.)
fn parse_error(resource: &str, error: serde_path_to_error::Error<serde_json::Error>) -> FhirError {
	let reason = error.inner().to_string();
	let mut path = match error.path().to_string().as_str() {
		"." => resource.to_string(),
		path => format!("{resource}.{path}"),
	};
	if let Some(field) = reason.strip_prefix("missing field `").and_then(|r| r.split('`').next()) {
		path = format!("{path}.{field}");
	}
	invalid(&path, reason)
}

/// `fhir`'s issues with FHIR-style paths under `prefix`. `fhir` names fields in Rust's
/// snake_case and ends a primitive's issue with the primitive's type (`gender.code`), so the
/// fields are camel-cased and that last label dropped.
fn fhir_issues(prefix: &str, issues: Vec<ValidationIssue>) -> Vec<(String, String)> {
	issues
		.into_iter()
		.map(|issue| {
			let mut segments: Vec<String> = issue
				.path
				.split('.')
				.filter(|s| !s.is_empty())
				.map(|s| camel_case(s.strip_prefix("r#").unwrap_or(s)))
				.collect();
			if segments.len() > 1 && is_primitive_label(segments.last(), &issue.message) {
				segments.pop();
			}
			let path = std::iter::once(prefix.to_string()).chain(segments).collect::<Vec<_>>();
			(path.join("."), issue.message)
		})
		.collect()
}

/// Whether `label` is the type name that `fhir`'s primitive checks (`fhir_r4::validate`, and
/// `Coded`'s required-binding check) put last in a path, judged by their messages, because
/// invariants such as `qty-3` name a field called `code` instead.
fn is_primitive_label(label: Option<&String>, message: &str) -> bool {
	match label.map(String::as_str) {
		Some("code") => {
			message.starts_with("invalid FHIR code")
				|| message.ends_with("not in the required value set")
		},
		Some("id") => message.starts_with("invalid FHIR id"),
		Some(label @ ("oid" | "uuid" | "uri")) => {
			message.starts_with(&format!("FHIR {label} must"))
		},
		Some("url" | "canonical") => message.starts_with("must be non-empty"),
		_ => false,
	}
}

fn camel_case(snake: &str) -> String {
	let mut out = String::with_capacity(snake.len());
	let mut upper = false;
	for c in snake.chars() {
		match c {
			'_' => upper = true,
			c if upper => {
				out.push(c.to_ascii_uppercase());
				upper = false;
			},
			c => out.push(c),
		}
	}
	out
}
