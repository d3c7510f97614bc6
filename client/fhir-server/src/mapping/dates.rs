//! FHIR `date` search parameters (`_lastUpdated` of records, `date` of AuditEvents) matched
//! against the instants the chain gives: a block's time, in milliseconds since the epoch.
//!
//! A parameter value is a prefix and a date at some precision (a year, a month, a day, a second
//! or a millisecond); the date stands for the whole interval of that precision, and a point in
//! time matches as FHIR's search rules say: `eq` inside it, `ne` outside, `ge` not before its
//! start, `le` not after its end, `gt`/`sa` after its end, `lt`/`eb` before its start.
//! Days, months and years are UTC. `ap` (approximately) is refused rather than guessed.
use crate::outcome::ApiError;
use chrono::{DateTime, Months, NaiveDate};

/// One date parameter: the instants it admits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DateFilter {
	/// The interval's start, in ms since the epoch.
	from_ms: i64,
	/// Just after the interval's end.
	until_ms: i64,
	/// Whether it admits what is outside the interval (`ne`) rather than inside.
	outside: bool,
}

impl DateFilter {
	/// The value of parameter `name`: `[eq|ne|ge|gt|le|lt|sa|eb]` and then `YYYY`, `YYYY-MM`,
	/// `YYYY-MM-DD` or `YYYY-MM-DDThh:mm:ss[.sss](Z|±hh:mm)`. A `+` that a query string
	/// decoded to a space is read as the `+` of a time zone.
	pub fn parse(name: &str, value: &str) -> Result<DateFilter, ApiError> {
		let bad = || {
			ApiError::BadRequest(format!(
				"{name}={value}: give [eq|ne|ge|gt|le|lt|sa|eb] and then YYYY, YYYY-MM, \
				 YYYY-MM-DD or YYYY-MM-DDThh:mm:ss[.sss](Z|±hh:mm)"
			))
		};
		let (prefix, date) = match value.get(..2) {
			Some(p @ ("eq" | "ne" | "ge" | "gt" | "le" | "lt" | "sa" | "eb")) => (p, &value[2..]),
			Some(p) if p.bytes().all(|b| b.is_ascii_lowercase()) => return Err(bad()),
			_ => ("eq", value),
		};
		let (start, end) = interval(&date.replace(' ', "+")).ok_or_else(bad)?;
		let (from_ms, until_ms, outside) = match prefix {
			"ne" => (start, end, true),
			"ge" => (start, i64::MAX, false),
			"le" => (i64::MIN, end, false),
			"gt" | "sa" => (end, i64::MAX, false),
			"lt" | "eb" => (i64::MIN, start, false),
			_ => (start, end, false),
		};
		Ok(DateFilter { from_ms, until_ms, outside })
	}

	/// The filters among `params` named `name` (all must admit a match).
	pub fn all_of(params: &[(String, String)], name: &str) -> Result<Vec<DateFilter>, ApiError> {
		params.iter().filter(|(k, _)| k == name).map(|(_, v)| DateFilter::parse(name, v)).collect()
	}

	/// Whether the instant `time_ms` (ms since the epoch) matches.
	pub fn admits(&self, time_ms: u64) -> bool {
		let time = i64::try_from(time_ms).unwrap_or(i64::MAX);
		(self.from_ms..self.until_ms).contains(&time) != self.outside
	}
}

/// The interval `[start, end)` in ms since the epoch that `date` stands for, at its precision.
fn interval(date: &str) -> Option<(i64, i64)> {
	let midnight = |day: NaiveDate| Some(day.and_hms_opt(0, 0, 0)?.and_utc().timestamp_millis());
	let days = |first: NaiveDate, next: NaiveDate| Some((midnight(first)?, midnight(next)?));
	match date.len() {
		4 if date.bytes().all(|b| b.is_ascii_digit()) => {
			let year = date.parse().ok()?;
			days(NaiveDate::from_ymd_opt(year, 1, 1)?, NaiveDate::from_ymd_opt(year + 1, 1, 1)?)
		},
		7 => {
			let first = NaiveDate::parse_from_str(&format!("{date}-01"), "%Y-%m-%d").ok()?;
			days(first, first.checked_add_months(Months::new(1))?)
		},
		10 => {
			let day: NaiveDate = date.parse().ok()?;
			days(day, day.succ_opt()?)
		},
		_ => {
			let time = DateTime::parse_from_rfc3339(date).ok()?.timestamp_millis();
			// Given to the second, it is that second; given with a fraction, that millisecond.
			let width = if date.contains('.') { 1 } else { 1_000 };
			Some((time, time.checked_add(width)?))
		},
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	/// 2026-12-03T12:47:09.123Z.
	const NOON: u64 = 1_796_302_029_123;

	fn admits(value: &str) -> bool {
		DateFilter::parse("_lastUpdated", value).unwrap().admits(NOON)
	}

	#[test]
	fn a_day_admits_what_falls_in_it_by_prefix() {
		assert!(admits("2026-12-03"));
		assert!(admits("eq2026-12-03"));
		assert!(!admits("ne2026-12-03"));
		assert!(admits("ge2026-12-03"));
		assert!(admits("le2026-12-03"));
		assert!(!admits("gt2026-12-03"));
		assert!(!admits("lt2026-12-03"));
		assert!(!admits("ge2026-12-04"));
		assert!(admits("le2026-12-04"));
		assert!(admits("sa2026-12-02"));
		assert!(admits("eb2026-12-04"));
	}

	#[test]
	fn every_precision_is_its_interval() {
		assert!(admits("2026") && !admits("2025") && admits("gt2025") && !admits("gt2026"));
		assert!(admits("2026-12") && !admits("2026-11") && admits("lt2027-01"));
		assert!(admits("2026-12-03T12:47:09Z") && !admits("2026-12-03T12:47:10Z"));
		assert!(admits("2026-12-03T12:47:09.123Z") && !admits("2026-12-03T12:47:09.124Z"));
		assert!(admits("ge2026-12-03T12:47:09.123Z") && !admits("gt2026-12-03T12:47:09.123Z"));
		// The same second in another zone, its `+` decoded to a space by the query string.
		assert!(admits("2026-12-03T13:47:09 01:00") && admits("2026-12-03T13:47:09+01:00"));
		assert!(admits("lt2026-12-03T12:47:10-00:00"));
	}

	#[test]
	fn anything_else_is_a_bad_request_naming_the_parameter() {
		for value in ["yesterday", "ge2026-13-01", "2026-12-03T12:47", "ap2026", "géé", "", "+202"]
		{
			match DateFilter::parse("_lastUpdated", value) {
				Err(ApiError::BadRequest(message)) => {
					assert!(message.starts_with("_lastUpdated="), "{message}")
				},
				other => panic!("{value:?} gave {other:?}"),
			}
		}
	}

	#[test]
	fn repeated_parameters_are_all_kept() {
		let params =
			[("_lastUpdated", "ge2026-12-03"), ("date", "x"), ("_lastUpdated", "lt2026-12-04")]
				.map(|(k, v)| (k.to_owned(), v.to_owned()));
		let filters = DateFilter::all_of(&params, "_lastUpdated").unwrap();
		assert_eq!(filters.len(), 2);
		assert!(filters.iter().all(|f| f.admits(NOON)));
		assert!(DateFilter::all_of(&params, "date").is_err());
	}
}
