//! Search results and histories as Bundles, and their paging (`_count`, `_offset`).
use crate::outcome::ApiError;
use serde_json::{json, Value};

/// The page size when `_count` is not given.
pub const DEFAULT_COUNT: usize = 20;
/// The largest page: every entry of a page is a read opened (and audited) on chain.
pub const MAX_COUNT: usize = 100;

/// Which page of a search: `offset` results skipped, at most `count` given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Page {
	/// Results skipped.
	pub offset: usize,
	/// Results given at most.
	pub count: usize,
}

impl Page {
	/// The page that `_count` and `_offset` in `params` ask for.
	pub fn from_params(params: &[(String, String)]) -> Result<Page, ApiError> {
		let number = |name: &str, default: usize| match params.iter().find(|(k, _)| k == name) {
			Some((_, value)) => value.parse::<usize>().map_err(|_| {
				ApiError::BadRequest(format!("{name}={value}: not a non-negative integer"))
			}),
			None => Ok(default),
		};
		let count = number("_count", DEFAULT_COUNT)?.min(MAX_COUNT);
		Ok(Page { offset: number("_offset", 0)?, count })
	}

	/// The part of `items` this page shows.
	pub fn slice<'a, T>(&self, items: &'a [T]) -> &'a [T] {
		let start = self.offset.min(items.len());
		let end = start.saturating_add(self.count).min(items.len());
		&items[start..end]
	}
}

/// The `self`, `first`, `previous` and `next` links of page `page` of `total` results of the
/// search `url` (without query) with `params` (any `_offset` and `_count` among them replaced).
pub fn links(url: &str, params: &[(String, String)], page: Page, total: usize) -> Vec<Value> {
	let at = |offset: usize| {
		let mut query = form_urlencoded::Serializer::new(String::new());
		for (name, value) in params.iter().filter(|(k, _)| k != "_offset" && k != "_count") {
			query.append_pair(name, value);
		}
		query.append_pair("_count", &page.count.to_string());
		query.append_pair("_offset", &offset.to_string());
		format!("{url}?{}", query.finish())
	};
	let mut links = vec![
		json!({ "relation": "self", "url": at(page.offset) }),
		json!({ "relation": "first", "url": at(0) }),
	];
	if page.offset > 0 {
		links.push(
			json!({ "relation": "previous", "url": at(page.offset.saturating_sub(page.count)) }),
		);
	}
	if page.count > 0 && page.offset.saturating_add(page.count) < total {
		links.push(json!({ "relation": "next", "url": at(page.offset + page.count) }));
	}
	links
}

/// A `searchset` Bundle of `total` results, with `entries` of this page.
pub fn searchset(total: usize, links: Vec<Value>, entries: Vec<Value>) -> Value {
	let mut bundle =
		json!({ "resourceType": "Bundle", "type": "searchset", "total": total, "link": links });
	if !entries.is_empty() {
		bundle["entry"] = Value::Array(entries);
	}
	bundle
}

/// A search result.
pub fn matched(full_url: String, resource: Value) -> Value {
	json!({ "fullUrl": full_url, "resource": resource, "search": { "mode": "match" } })
}

/// A result the server could not give (the chain refused the read, the record is erased): an
/// OperationOutcome entry, as FHIR's searchset allows.
pub fn outcome_entry(outcome: Value) -> Value {
	json!({ "resource": outcome, "search": { "mode": "outcome" } })
}

#[cfg(test)]
mod tests {
	use super::*;

	fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
		pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
	}

	#[test]
	fn pages_come_from_count_and_offset() {
		let page = Page::from_params(&params(&[("_count", "2"), ("_offset", "4")])).unwrap();
		assert_eq!(page, Page { offset: 4, count: 2 });
		assert_eq!(page.slice(&[0, 1, 2, 3, 4, 5, 6]), &[4, 5]);
		assert_eq!(page.slice(&[0, 1, 2, 3, 4]), &[4]);
		assert!(page.slice(&[0, 1]).is_empty());
		assert_eq!(Page::from_params(&[]).unwrap(), Page { offset: 0, count: DEFAULT_COUNT });
		let huge = Page::from_params(&params(&[("_count", "100000")])).unwrap();
		assert_eq!(huge.count, MAX_COUNT);
		assert!(matches!(
			Page::from_params(&params(&[("_count", "-1")])),
			Err(ApiError::BadRequest(_))
		));
	}

	#[test]
	fn next_links_until_the_last_page() {
		let query = params(&[("patient", "Patient/5G+x"), ("_count", "2")]);
		let first = links("http://h/Condition", &query, Page { offset: 0, count: 2 }, 5);
		let next = first.iter().find(|l| l["relation"] == "next").unwrap();
		assert_eq!(next["url"], "http://h/Condition?patient=Patient%2F5G%2Bx&_count=2&_offset=2");
		assert!(!first.iter().any(|l| l["relation"] == "previous"));
		let last = links("http://h/Condition", &query, Page { offset: 4, count: 2 }, 5);
		assert!(!last.iter().any(|l| l["relation"] == "next"));
		assert!(last.iter().any(|l| l["relation"] == "previous"));
		let bundle = searchset(
			5,
			last,
			vec![outcome_entry(crate::outcome::outcome("error", "forbidden", "no", None))],
		);
		ehr_fhir::validate(bundle.to_string().as_bytes()).unwrap();
		assert_eq!(bundle["total"], 5);
	}
}
