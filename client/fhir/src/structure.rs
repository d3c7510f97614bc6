//! The checks that `fhir`'s typed model leaves out, made on the raw JSON against its R4 element
//! table (`fhir::r4::meta`, generated from the specification): unknown elements, missing
//! required elements, the JSON shape of each element (array or not, string, number or boolean),
//! and the lexical rules of `date`, `dateTime`, `instant` and `time`. Walking the JSON rather
//! than the typed value also gives every issue an exact path, array indices included.

use fhir::r4::meta::{self, ElementMeta};
use fhir::r4::temporal::{DateParts, TimeParts};
use fhir::validate::is_valid_id;
use serde_json::{Map, Value};

/// The most resources nested in one another (a Bundle in a Bundle, a contained resource) that are
/// accepted. R4 itself needs three at most (dom-2 forbids contained resources in contained ones);
/// the bound keeps serde's typed parsing, which takes much stack for each `Resource` it
/// buffers, far from a stack overflow (a 2 MiB stack overflowed at 48 levels in a debug build).
pub const MAX_RESOURCE_NESTING: usize = 8;

/// One problem found in the JSON, at a FHIR-style path such as `Bundle.entry[1].resource.status`.
pub struct Issue {
	/// Where the problem is.
	pub path: String,
	/// What it is.
	pub message: String,
}

/// Every issue in `value`, taken as an R4 resource, in document order.
pub fn check(value: &Value) -> Vec<Issue> {
	let mut walker = Walker { issues: Vec::new(), resources: 0 };
	walker.resource(value, "");
	walker.issues
}

struct Walker {
	issues: Vec<Issue>,
	/// How many resources enclose the current position.
	resources: usize,
}

impl Walker {
	fn issue(&mut self, path: &str, message: impl Into<String>) {
		self.issues.push(Issue { path: path.to_string(), message: message.into() });
	}

	/// A resource: a top-level one is named by its type (`Patient`), a nested one by where it
	/// sits (`Bundle.entry[0].resource`).
	fn resource(&mut self, value: &Value, path: &str) {
		let Some(object) = value.as_object() else {
			self.issue(
				if path.is_empty() { "$" } else { path },
				"a resource must be a JSON object",
			);
			return;
		};
		let type_path =
			if path.is_empty() { "resourceType".into() } else { format!("{path}.resourceType") };
		let Some(resource_type) = object.get("resourceType").and_then(Value::as_str) else {
			self.issue(&type_path, "missing resourceType");
			return;
		};
		// Every resource, and nothing else, inherits `Resource.implicitRules`.
		if meta::element(&format!("{resource_type}.implicitRules")).is_none() {
			self.issue(&type_path, format!("{resource_type:?} is not an R4 resource type"));
			return;
		}
		if self.resources == MAX_RESOURCE_NESTING {
			self.issue(path, format!("more than {MAX_RESOURCE_NESTING} nested resources"));
			return;
		}
		let path = if path.is_empty() { resource_type } else { path };
		self.resources += 1;
		self.object(object, resource_type, path, true);
		self.resources -= 1;
	}

	/// An object whose elements are described under `context` (a type name or a backbone path).
	fn object(
		&mut self,
		object: &Map<String, Value>,
		context: &str,
		path: &str,
		is_resource: bool,
	) {
		let children = children(context);
		for (key, value) in object {
			if is_resource && key == "resourceType" {
				continue;
			}
			let path = format!("{path}.{key}");
			// `_birthDate` carries the id and extensions of the primitive `birthDate`.
			if let Some(primitive) = key.strip_prefix('_') {
				match element(children, context, primitive) {
					Some((_, Kind::Primitive(_))) => self.primitive_elements(value, &path),
					_ => self.issue(&path, "unknown element"),
				}
				continue;
			}
			let Some((element, kind)) = element(children, context, key) else {
				self.issue(&path, "unknown element");
				continue;
			};
			match value {
				Value::Array(items) if element.is_multiple() => {
					if items.is_empty() {
						self.issue(&path, "an array must not be empty");
					}
					for (i, item) in items.iter().enumerate() {
						// A null stands in for a repeat that only has `_element` content.
						if !(item.is_null() && matches!(kind, Kind::Primitive(_))) {
							self.value(item, element, kind, &format!("{path}[{i}]"));
						}
					}
				},
				_ if element.is_multiple() => self.issue(&path, "expected an array"),
				Value::Array(_) => self.issue(&path, "expected a single value, not an array"),
				_ => self.value(value, element, kind, &path),
			}
			// R4 types a resource's `id` as `id` but the table, and so `fhir`, as a plain string.
			if is_resource && key == "id" && value.as_str().is_some_and(|id| !is_valid_id(id)) {
				self.issue(&path, format!("invalid FHIR id: {value}"));
			}
		}
		for element in children {
			let name = &element.path[context.len() + 1..];
			if name.contains('.') {
				continue;
			}
			let present = match name.strip_suffix("[x]") {
				Some(base) => {
					// `fhir` keeps the first of `deceasedBoolean` and `deceasedDateTime` and
					// silently drops the other.
					let variants = object.keys().filter(|k| choice_type(base, k).is_some()).count();
					if variants > 1 {
						self.issue(
							&format!("{path}.{name}"),
							"more than one type of a choice element",
						);
					}
					variants > 0
				},
				None => object.contains_key(name) || object.contains_key(&format!("_{name}")),
			};
			if element.min >= 1 && !present {
				self.issue(&format!("{path}.{name}"), "missing required element");
			}
		}
	}

	/// The content of a `_primitive` key: an `Element` (or an array of them, nulls allowed).
	fn primitive_elements(&mut self, value: &Value, path: &str) {
		match value {
			Value::Object(object) => self.object(object, "Element", path, false),
			Value::Array(items) => {
				for (i, item) in items.iter().enumerate() {
					match item {
						Value::Object(object) => {
							self.object(object, "Element", &format!("{path}[{i}]"), false)
						},
						Value::Null => {},
						_ => self.issue(&format!("{path}[{i}]"), "expected an object or null"),
					}
				}
			},
			_ => self.issue(path, "expected an object"),
		}
	}

	fn value(&mut self, value: &Value, element: &ElementMeta, kind: Kind, path: &str) {
		let context = match kind {
			Kind::Resource => return self.resource(value, path),
			Kind::Primitive(code) => return self.primitive(value, code, path),
			Kind::Complex(context) => context,
			// Backbone elements are described under their own path, without the `[x]` of a choice.
			Kind::Backbone => element.path,
		};
		match value.as_object() {
			Some(object) => self.object(object, context, path, false),
			None => self.issue(path, "expected a JSON object"),
		}
	}

	fn primitive(&mut self, value: &Value, code: &str, path: &str) {
		// The element table types `id`, `url` and the like as FHIRPath system types.
		let code = code.strip_prefix("http://hl7.org/fhirpath/System.").unwrap_or(code);
		let (json_ok, expected) = match code {
			"boolean" | "Boolean" => (value.is_boolean(), "a boolean"),
			"integer" | "positiveInt" | "unsignedInt" | "decimal" | "Integer" | "Decimal" => {
				(value.is_number(), "a number")
			},
			_ => (value.is_string(), "a string"),
		};
		if !json_ok {
			return self.issue(path, format!("expected {expected} ({code})"));
		}
		let lexical_ok = match (code, value.as_str()) {
			("date", Some(s)) => is_date(s, false),
			("dateTime", Some(s)) => is_date_time(s, false),
			("instant", Some(s)) => is_date_time(s, true),
			("time", Some(s)) => is_time(s),
			// Typed as `u32` and `i32` by `fhir`, which lets a zero `positiveInt` through.
			("positiveInt", _) => {
				value.as_u64().is_some_and(|n| (1..=i32::MAX as u64).contains(&n))
			},
			("unsignedInt", _) => value.as_u64().is_some_and(|n| n <= i32::MAX as u64),
			("integer", _) => value.as_i64().is_some_and(|n| i32::try_from(n).is_ok()),
			_ => true,
		};
		if !lexical_ok {
			self.issue(path, format!("invalid FHIR {code}: {value}"));
		}
	}
}

/// What an element holds, and so where the walk goes next.
#[derive(Clone, Copy)]
enum Kind {
	/// A primitive, by its type code.
	Primitive(&'static str),
	/// A complex datatype, or a content reference, described under that name or path.
	Complex(&'static str),
	/// A backbone element, described under its own path.
	Backbone,
	/// A nested resource (`contained`, `Bundle.entry.resource`).
	Resource,
}

/// The elements described directly or deeper under `context`: a contiguous run of the sorted
/// table, found by binary search so that big bundles stay linear.
fn children(context: &str) -> &'static [ElementMeta] {
	let table = meta::elements();
	let prefix = format!("{context}.");
	let start = table.partition_point(|e| e.path < prefix.as_str());
	let len = table[start..].partition_point(|e| e.path.starts_with(&prefix));
	&table[start..start + len]
}

/// The element a JSON key names under `context`, and what it holds; `None` if it names none.
fn element(
	children: &'static [ElementMeta],
	context: &str,
	key: &str,
) -> Option<(&'static ElementMeta, Kind)> {
	let direct = |e: &&ElementMeta| !e.path[context.len() + 1..].contains('.');
	if let Some(element) =
		children.iter().filter(direct).find(|e| &e.path[context.len() + 1..] == key)
	{
		if let Some(reference) = element.content_reference {
			return Some((element, Kind::Complex(reference)));
		}
		let code = element.types.first()?.code;
		return Some((element, kind(code)));
	}
	// A choice element `onset[x]` appears as `onsetDateTime`, `onsetPeriod`, ...
	children.iter().filter(direct).find_map(|e| {
		let base = e.path[context.len() + 1..].strip_suffix("[x]")?;
		let suffix = choice_type(base, key)?;
		let code = e.type_codes().find(|code| upper_first(code) == suffix)?;
		Some((e, kind(code)))
	})
}

fn kind(code: &'static str) -> Kind {
	match code {
		"Resource" => Kind::Resource,
		"BackboneElement" | "Element" => Kind::Backbone,
		_ if fhir::meta::is_datatype(code) => Kind::Complex(code),
		_ => Kind::Primitive(code),
	}
}

/// The type suffix of `key` as a variant of the choice `base[x]` (`DateTime` for `onsetDateTime`).
fn choice_type<'a>(base: &str, key: &'a str) -> Option<&'a str> {
	let suffix = key.strip_prefix(base)?;
	suffix.starts_with(|c: char| c.is_ascii_uppercase()).then_some(suffix)
}

fn upper_first(code: &str) -> String {
	let mut chars = code.chars();
	chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
}

/// FHIR `date` (`YYYY`, `YYYY-MM` or `YYYY-MM-DD`, a real calendar day); `full` asks for a day.
/// `fhir`'s `DateParts::parse` checks the ranges but accepts `24-3-1`, hence the digit counts.
fn is_date(s: &str, full: bool) -> bool {
	let widths: Vec<usize> = s.split('-').map(str::len).collect();
	let shape_ok = matches!(widths.as_slice(), [4] | [4, 2] | [4, 2, 2])
		&& s.bytes().all(|b| b.is_ascii_digit() || b == b'-');
	let Some(parts) = DateParts::parse(s).filter(|_| shape_ok) else {
		return false;
	};
	match (parts.month, parts.day) {
		(Some(month), Some(day)) => day <= days_in_month(parts.year, month),
		_ => !full,
	}
}

fn days_in_month(year: i32, month: u8) -> u8 {
	match month {
		2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
		2 => 28,
		4 | 6 | 9 | 11 => 30,
		_ => 31,
	}
}

/// FHIR `time`: `hh:mm:ss` with optional fraction.
fn is_time(s: &str) -> bool {
	let hms = s.split_once('.').map_or(s, |(hms, _)| hms);
	hms.len() == 8 && hms.split(':').all(|p| p.len() == 2) && TimeParts::parse(s).is_some()
}

/// FHIR `dateTime` (a date, or a full date and time with a zone) or, if `instant`, FHIR
/// `instant` (always a full date and time with a zone).
fn is_date_time(s: &str, instant: bool) -> bool {
	let Some((date, time)) = s.split_once('T') else {
		return !instant && is_date(s, false);
	};
	let (clock, zone) = match time.strip_suffix('Z') {
		Some(clock) => (clock, None),
		None => match time.rfind(['+', '-']) {
			Some(at) => (&time[..at], Some(&time[at + 1..])),
			None => return false,
		},
	};
	let zone_ok = zone
		.is_none_or(|zone| zone.len() == 5 && is_time(&format!("{zone}:00")) && zone <= "14:00");
	is_date(date, true) && is_time(clock) && zone_ok
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn dates() {
		for ok in ["2024", "2024-02", "2024-02-29", "2000-02-29"] {
			assert!(is_date(ok, false), "{ok}");
		}
		for bad in
			["", "24", "2024-2", "2024-13", "2023-02-29", "1900-02-29", "2024-04-31", "+2024"]
		{
			assert!(!is_date(bad, false), "{bad}");
		}
	}

	#[test]
	fn date_times() {
		for ok in ["2024", "2024-03-05", "2024-03-05T09:30:00Z", "2024-03-05T09:30:00.125+01:00"] {
			assert!(is_date_time(ok, false), "{ok}");
		}
		for bad in
			["2024-03-05T09:30", "2024-03-05T09:30:00", "2024-03T09:30:00Z", "2024-03-05T25:00:00Z"]
		{
			assert!(!is_date_time(bad, false), "{bad}");
		}
		assert!(is_date_time("2024-03-05T09:30:00-05:00", true));
		assert!(!is_date_time("2024-03-05", true));
		assert!(!is_date_time("2024-03-05T09:30:00+15:00", true));
	}

	#[test]
	fn times() {
		assert!(is_time("09:30:00") && is_time("23:59:60.5"));
		assert!(!is_time("9:30:00") && !is_time("09:30") && !is_time("24:00:00"));
	}
}
