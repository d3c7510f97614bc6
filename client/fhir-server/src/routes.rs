//! The HTTP routes: each handler checks the request, calls one `ehr-client` workflow (under the
//! signing lock when it submits a transaction) and answers FHIR JSON or an OperationOutcome.
use crate::{
	capability,
	mapping::{
		self,
		audit::audit_event,
		bundle::{self, Page},
		consent::{consent_resource, grant_request},
		dates::DateFilter,
	},
	outcome::{fhir_response, ApiError},
	resource::{self, added_times, logical_resources, patient_of, stamp},
	AppState,
};
use axum::{
	body::Bytes,
	extract::{
		rejection::{BytesRejection, PathRejection},
		DefaultBodyLimit, Path, RawQuery, Request, State,
	},
	http::{header, HeaderMap, HeaderValue, StatusCode},
	middleware::{self, Next},
	response::{IntoResponse, Response},
	routing::get,
	Router,
};
use ehr_client::{
	archive, audit,
	audit::AuditEvent,
	consent::{self, ConsentGrant},
	records::{self, RecordSummary},
	subxt::utils::AccountId32,
	types::Category,
};
use serde_json::{json, Value};
use std::{collections::BTreeMap, sync::Arc, time::Instant};

type Shared = State<Arc<AppState>>;
type Answer = Result<Response, ApiError>;
type Params = Vec<(String, String)>;

/// The header that names the patient of a posted resource (or the `patient` parameter).
pub const PATIENT_HEADER: &str = "x-ehr-patient";

/// Every route, the OperationOutcome fallbacks, the body limit and the request log.
pub(crate) fn router(state: Arc<AppState>) -> Router {
	let limit = state.max_body_bytes;
	Router::new()
		.route("/metadata", get(metadata))
		.route("/{type}", get(search).post(create))
		.route("/{type}/{id}", get(read).put(update).delete(delete))
		.route("/{type}/{id}/{operation}", get(instance_operation))
		.route("/{type}/{id}/_history/{version}", get(vread))
		.fallback(|| async { ApiError::NotFound("no such route".into()) })
		.method_not_allowed_fallback(|| async {
			ApiError::MethodNotAllowed(
				"this interaction is not supported here: see /metadata".into(),
			)
		})
		.layer(DefaultBodyLimit::max(limit))
		.layer(middleware::from_fn(log))
		.with_state(state)
}

/// One log line per request: method, path, status and time.
async fn log(request: Request, next: Next) -> Response {
	let (method, path) = (request.method().clone(), request.uri().path().to_owned());
	let started = Instant::now();
	let response = next.run(request).await;
	tracing::info!(%method, %path, status = response.status().as_u16(), elapsed = ?started.elapsed());
	response
}

/// What a path's resource type is to this server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
	/// A resource type that records of this category hold.
	Record(Category),
	/// A treatment summary, filed under the category of its entries.
	Bundle,
	/// The audit trail (search only).
	AuditEvent,
	/// Consent grants.
	Consent,
}

impl Kind {
	fn of(resource_type: &str) -> Result<Kind, ApiError> {
		match resource_type {
			"Bundle" => Ok(Kind::Bundle),
			"AuditEvent" => Ok(Kind::AuditEvent),
			"Consent" => Ok(Kind::Consent),
			other => Category::from_fhir_resource_type(other).map(Kind::Record).ok_or_else(|| {
				ApiError::NotFound(format!("{other} is not a resource type this server serves"))
			}),
		}
	}

	/// The category to file a record under, if the type says (a Bundle's entries say).
	fn category(self) -> Option<Category> {
		match self {
			Kind::Record(category) => Some(category),
			_ => None,
		}
	}

	/// A record kind, or 405 for the types that are not records.
	fn record(resource_type: &str) -> Result<Kind, ApiError> {
		match Kind::of(resource_type)? {
			kind @ (Kind::Record(_) | Kind::Bundle) => Ok(kind),
			_ => Err(ApiError::MethodNotAllowed(format!(
				"{resource_type} supports only what /metadata lists"
			))),
		}
	}
}

/// The path's segments, or 400 (they are not UTF-8 once percent-decoded).
fn path<T>(extracted: Result<Path<T>, PathRejection>) -> Result<T, ApiError> {
	extracted.map(|Path(segments)| segments).map_err(|e| ApiError::BadRequest(e.body_text()))
}

fn query(raw: Option<String>) -> Params {
	form_urlencoded::parse(raw.unwrap_or_default().as_bytes()).into_owned().collect()
}

fn param<'a>(params: &'a Params, name: &str) -> Option<&'a str> {
	params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// The patient named by the `X-Ehr-Patient` header, else by the `patient` parameter.
fn explicit_patient<'a>(
	headers: &'a HeaderMap,
	params: &'a Params,
) -> Result<Option<&'a str>, ApiError> {
	match headers.get(PATIENT_HEADER) {
		Some(value) => value
			.to_str()
			.map(Some)
			.map_err(|_| ApiError::BadRequest("X-Ehr-Patient is not text".into())),
		None => Ok(param(params, "patient")),
	}
}

/// The patient a search is about: the `patient` parameter, or the acting account.
fn searched_patient(state: &AppState, params: &Params) -> Result<AccountId32, ApiError> {
	match param(params, "patient") {
		Some(patient) => mapping::parse_account(patient),
		None => Ok(state.account),
	}
}

/// The body of a create or update as FHIR JSON: the right media type, within the limit, JSON,
/// of the resource type of the path.
fn fhir_body(
	state: &AppState,
	headers: &HeaderMap,
	body: Result<Bytes, BytesRejection>,
	resource_type: &str,
) -> Result<(Bytes, Value), ApiError> {
	let media = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
	let essence = media.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
	if essence != "application/fhir+json" && essence != "application/json" {
		return Err(ApiError::UnsupportedMediaType(format!(
			"Content-Type {media:?}: send application/fhir+json (or application/json)"
		)));
	}
	let body = body.map_err(|rejection| match rejection.status() {
		StatusCode::PAYLOAD_TOO_LARGE => ApiError::TooLarge { limit: state.max_body_bytes },
		_ => ApiError::BadRequest(rejection.body_text()),
	})?;
	let value: Value =
		serde_json::from_slice(&body).map_err(|e| ApiError::MalformedJson(e.to_string()))?;
	match value.get("resourceType").and_then(Value::as_str) {
		Some(found) if found == resource_type => Ok((body, value)),
		found => Err(ApiError::InvalidFhir {
			path: "resourceType".into(),
			reason: format!("{found:?} posted to /{resource_type}"),
		}),
	}
}

/// `resource` with `status`, its `ETag` and, for a create or an update, its `Location`.
fn versioned(
	state: &AppState,
	status: StatusCode,
	resource_type: &str,
	id: u64,
	version: usize,
	resource: &Value,
) -> Response {
	let mut response = fhir_response(status, resource);
	let headers = response.headers_mut();
	if let Ok(etag) = HeaderValue::from_str(&format!("W/\"{version}\"")) {
		headers.insert(header::ETAG, etag);
	}
	if status == StatusCode::CREATED {
		let location = format!("{}/{resource_type}/{id}/_history/{version}", state.base);
		if let Ok(location) = HeaderValue::from_str(&location) {
			headers.insert(header::LOCATION, location);
		}
	}
	response
}

async fn metadata(State(state): Shared) -> Response {
	fhir_response(StatusCode::OK, &capability::capability_statement(&state.base, &state.started))
}

/// `POST /[type]`: a new record (or a consent grant).
async fn create(
	State(state): Shared,
	resource_type: Result<Path<String>, PathRejection>,
	RawQuery(raw): RawQuery,
	headers: HeaderMap,
	body: Result<Bytes, BytesRejection>,
) -> Answer {
	let resource_type = path(resource_type)?;
	let params = query(raw);
	let kind = Kind::of(&resource_type)?;
	if kind == Kind::Consent {
		return grant(&state, &headers, &params, body).await;
	}
	let kind = Kind::record(&resource_type)?;
	let (bytes, value) = fhir_body(&state, &headers, body, &resource_type)?;
	// Refuse invalid FHIR (naming where) before anything else is asked of the chain.
	let category = ehr_client::fhir::validate(&bytes, kind.category())?;
	let patient = patient_of(explicit_patient(&headers, &params)?, &value)?;
	let stored = {
		let _signing = state.signing.lock().await;
		records::add(&state.api, &state.signer, &patient, &bytes, Some(category), None, &()).await?
	};
	tracing::info!(record = stored.record, %patient, held = stored.held, "record added");
	let json = String::from_utf8_lossy(&bytes);
	let resource = stamp(&json, stored.record, 1, None)?;
	Ok(versioned(&state, StatusCode::CREATED, &resource_type, stored.record, 1, &resource))
}

/// The versions of the logical resource `[type]/[id]`, oldest first.
async fn resolve(
	state: &AppState,
	kind: Kind,
	resource_type: &str,
	id: &str,
) -> Result<Vec<RecordSummary>, ApiError> {
	let unknown = || ApiError::NotFound(format!("no {resource_type}/{id}"));
	let record: u64 = id.parse().map_err(|_| unknown())?;
	let summary = records::summary(&state.api, record).await.map_err(|e| match e {
		ehr_client::Error::NotFound(_) => unknown(),
		other => other.into(),
	})?;
	if kind.category().is_some_and(|category| category != summary.category) {
		return Err(unknown());
	}
	let all = records::list(&state.api, &summary.patient).await?;
	let root = resource::root_of(&all, record).ok_or_else(unknown)?;
	let versions: Vec<RecordSummary> =
		resource::versions(&all, root).into_iter().cloned().collect();
	if root != record {
		let n = versions.iter().position(|v| v.id == record).map_or(0, |i| i + 1);
		return Err(ApiError::NotFound(format!(
			"record {record} is version {n} of {resource_type}/{root}, not a resource of its own"
		)));
	}
	Ok(versions)
}

/// Version `n` (from 1) of a resource: opened on chain and read from the custodians, served
/// with its logical id and version. With `expected`, a record holding another resource type is
/// not found under this one.
async fn read_version(
	state: &AppState,
	versions: &[RecordSummary],
	n: usize,
	expected: Option<&str>,
) -> Result<Value, ApiError> {
	let root = versions.first().map(|v| v.id).unwrap_or_default();
	let record = n.checked_sub(1).and_then(|i| versions.get(i)).ok_or_else(|| {
		ApiError::NotFound(format!("resource {root} has {} versions, not {n}", versions.len()))
	})?;
	if let Some(block) = record.erased_at {
		return Err(ApiError::Gone(format!(
			"version {n} of resource {root} (record {}) was erased by its patient at block {block}",
			record.id
		)));
	}
	let read = {
		let _signing = state.signing.lock().await;
		records::read(&state.api, &state.signer, record.id, &()).await?
	};
	if read.rejected > 0 || !read.refusals.is_empty() {
		tracing::warn!(record = record.id, rejected = read.rejected, refusals = ?read.refusals, "read with failing custodians");
	}
	let resource = stamp(&read.json, root, n, anchored_at(state, record).await)?;
	match (expected, resource["resourceType"].as_str()) {
		(Some(expected), Some(found)) if found != expected => Err(ApiError::NotFound(format!(
			"resource {root} is a {found}: read it as {found}/{root}"
		))),
		_ => Ok(resource),
	}
}

/// When `record` was anchored (ms since the epoch), if the node's audit index has reached its
/// block: the index serves final blocks only, and a read must not wait for finality for it.
async fn anchored_at(state: &AppState, record: &RecordSummary) -> Option<u64> {
	let block = record.created_at;
	match audit::indexed(&state.rpc, &record.patient, block, block).await {
		Ok(entries) => added_times(&entries).get(&record.id).copied(),
		Err(error) => {
			tracing::warn!(record = record.id, %error, "no lastUpdated: the audit index failed");
			None
		},
	}
}

/// `GET /[type]/[id]`: the current version.
async fn read(
	State(state): Shared,
	segments: Result<Path<(String, String)>, PathRejection>,
) -> Answer {
	let (resource_type, id) = path(segments)?;
	let kind = Kind::record(&resource_type)?;
	let versions = resolve(&state, kind, &resource_type, &id).await?;
	let n = versions.len();
	let resource = read_version(&state, &versions, n, Some(&resource_type)).await?;
	Ok(versioned(&state, StatusCode::OK, &resource_type, versions[0].id, n, &resource))
}

/// `GET /[type]/[id]/_history/[n]`: version `n`.
async fn vread(
	State(state): Shared,
	segments: Result<Path<(String, String, String)>, PathRejection>,
) -> Answer {
	let (resource_type, id, version) = path(segments)?;
	let kind = Kind::record(&resource_type)?;
	let versions = resolve(&state, kind, &resource_type, &id).await?;
	let n: usize = version
		.parse()
		.map_err(|_| ApiError::NotFound(format!("no version {version} of {resource_type}/{id}")))?;
	let resource = read_version(&state, &versions, n, Some(&resource_type)).await?;
	Ok(versioned(&state, StatusCode::OK, &resource_type, versions[0].id, n, &resource))
}

/// `GET /[type]/[id]/_history` and `GET /Patient/[ss58]/$everything`.
async fn instance_operation(
	State(state): Shared,
	segments: Result<Path<(String, String, String)>, PathRejection>,
	RawQuery(raw): RawQuery,
) -> Answer {
	let (resource_type, id, operation) = path(segments)?;
	match (resource_type.as_str(), operation.as_str()) {
		(_, "_history") => history(&state, &resource_type, &id).await,
		(patient_type, "$everything")
			if Kind::of(patient_type).ok() == Some(Kind::Record(Category::Demographics)) =>
		{
			let patient = mapping::parse_account(&id)?;
			let params = query(raw);
			let url = format!("{}/{patient_type}/{id}/$everything", state.base);
			search_records(&state, &patient, None, &params, &url).await
		},
		_ => Err(ApiError::NotFound(format!("no operation {operation} on {resource_type}"))),
	}
}

/// Every version, newest first, as a `history` Bundle: each one read (and audited) on chain;
/// an erased or refused version is an entry without a resource, with its status.
async fn history(state: &AppState, resource_type: &str, id: &str) -> Answer {
	let kind = Kind::record(resource_type)?;
	let versions = resolve(state, kind, resource_type, id).await?;
	let root = versions[0].id;
	let mut entries = Vec::new();
	for n in (1..=versions.len()).rev() {
		let (method, url, created) = if n == 1 {
			("POST", resource_type.to_owned(), "201")
		} else {
			("PUT", format!("{resource_type}/{root}"), "200")
		};
		let mut entry = json!({
			"fullUrl": format!("{}/{resource_type}/{root}", state.base),
			"request": { "method": method, "url": url },
			"response": { "status": created, "etag": format!("W/\"{n}\"") },
		});
		match read_version(state, &versions, n, None).await {
			Ok(resource) => entry["resource"] = resource,
			Err(error @ ApiError::Upstream(_)) | Err(error @ ApiError::Internal(_)) => {
				return Err(error)
			},
			Err(error) => {
				entry["response"]["status"] = json!(error.status().as_u16().to_string());
				entry["response"]["outcome"] = error.outcome();
			},
		}
		entries.push(entry);
	}
	let bundle = json!({ "resourceType": "Bundle", "type": "history", "total": versions.len(), "entry": entries });
	Ok(fhir_response(StatusCode::OK, &bundle))
}

/// `PUT /[type]/[id]`: a new version, superseding the current one (or a consent revocation).
async fn update(
	State(state): Shared,
	segments: Result<Path<(String, String)>, PathRejection>,
	RawQuery(raw): RawQuery,
	headers: HeaderMap,
	body: Result<Bytes, BytesRejection>,
) -> Answer {
	let (resource_type, id) = path(segments)?;
	let params = query(raw);
	if Kind::of(&resource_type)? == Kind::Consent {
		return revoke_by_update(&state, &id, &headers, &params, body).await;
	}
	let kind = Kind::record(&resource_type)?;
	let (bytes, value) = fhir_body(&state, &headers, body, &resource_type)?;
	if value.get("id").and_then(Value::as_str) != Some(id.as_str()) {
		return Err(ApiError::InvalidFhir {
			path: format!("{resource_type}.id"),
			reason: format!("an update must carry the id of the URL ({id})"),
		});
	}
	let category = ehr_client::fhir::validate(&bytes, kind.category())?;
	let versions = resolve(&state, kind, &resource_type, &id).await.map_err(|e| match e {
		// FHIR's answer to an update of a resource that does not exist, when the server does
		// not create resources by update: the ids are the chain's record numbers.
		ApiError::NotFound(reason) => ApiError::MethodNotAllowed(format!(
			"{reason}: update cannot create a resource, POST /{resource_type} instead"
		)),
		other => other,
	})?;
	let current = versions.last().ok_or_else(|| ApiError::Internal("no versions".into()))?;
	let n = versions.len();
	if let Some(wanted) = headers.get(header::IF_MATCH) {
		let wanted = wanted.to_str().unwrap_or_default();
		if wanted.trim_start_matches("W/").trim_matches('"') != n.to_string() {
			return Err(ApiError::Conflict(format!(
				"If-Match {wanted}: the current version of {resource_type}/{id} is {n}"
			)));
		}
	}
	if current.erased_at.is_some() {
		return Err(ApiError::Gone(format!("{resource_type}/{id} was erased by its patient")));
	}
	let patient = current.patient;
	let explicit = explicit_patient(&headers, &params)?.unwrap_or_default();
	let named = if explicit.is_empty() { patient.to_string() } else { explicit.to_owned() };
	if patient_of(Some(&named), &value)? != patient {
		return Err(ApiError::Unprocessable(format!(
			"{resource_type}/{id} is a record of Patient/{patient}"
		)));
	}
	let stored = {
		let _signing = state.signing.lock().await;
		let amends = current.id;
		records::amend(
			&state.api,
			&state.signer,
			&patient,
			amends,
			&bytes,
			Some(category),
			None,
			&(),
		)
		.await?
	};
	tracing::info!(record = stored.record, supersedes = current.id, "record amended");
	let resource = stamp(&String::from_utf8_lossy(&bytes), versions[0].id, n + 1, None)?;
	let mut response =
		versioned(&state, StatusCode::OK, &resource_type, versions[0].id, n + 1, &resource);
	let location = format!("{}/{resource_type}/{id}/_history/{}", state.base, n + 1);
	if let Ok(location) = HeaderValue::from_str(&location) {
		response.headers_mut().insert(header::LOCATION, location);
	}
	Ok(response)
}

/// `DELETE /[type]/[id]`: every version erased (the patient or a guardian only), or a consent
/// revoked.
async fn delete(
	State(state): Shared,
	segments: Result<Path<(String, String)>, PathRejection>,
	RawQuery(raw): RawQuery,
	headers: HeaderMap,
) -> Answer {
	let (resource_type, id) = path(segments)?;
	let params = query(raw);
	if Kind::of(&resource_type)? == Kind::Consent {
		let grant = consent_id(&id)?;
		let patient = match explicit_patient(&headers, &params)? {
			Some(patient) => mapping::parse_account(patient)?,
			None => state.account,
		};
		let _signing = state.signing.lock().await;
		consent::revoke(&state.api, &state.signer, &patient, grant).await?;
		return Ok(StatusCode::NO_CONTENT.into_response());
	}
	let kind = Kind::record(&resource_type)?;
	let versions = resolve(&state, kind, &resource_type, &id).await?;
	for version in versions.iter().filter(|v| v.erased_at.is_none()) {
		let _signing = state.signing.lock().await;
		archive::erase(&state.api, &state.signer, version.id).await?;
		tracing::info!(record = version.id, "record erased");
	}
	Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /[type]?patient=…`: the search of records, the audit trail or consent.
async fn search(
	State(state): Shared,
	resource_type: Result<Path<String>, PathRejection>,
	RawQuery(raw): RawQuery,
) -> Answer {
	let resource_type = path(resource_type)?;
	let params = query(raw);
	let patient = searched_patient(&state, &params)?;
	let url = format!("{}/{resource_type}", state.base);
	match Kind::of(&resource_type)? {
		Kind::Record(category) => {
			search_records(&state, &patient, Some(category), &params, &url).await
		},
		Kind::AuditEvent => search_audit(&state, &patient, &params, &url).await,
		Kind::Consent => search_consent(&state, &patient, &params, &url).await,
		Kind::Bundle => Err(ApiError::MethodNotAllowed(
			"Bundles are not searched: search the type of their entries".into(),
		)),
	}
}

/// The current versions of `patient`'s resources of `category` (all if `None`) that are not
/// erased, one page of them read: a search by type finds the records filed under its
/// category, whatever resource each holds (a Bundle filed under it is served as a Bundle).
async fn search_records(
	state: &AppState,
	patient: &AccountId32,
	category: Option<Category>,
	params: &Params,
	url: &str,
) -> Answer {
	let page = Page::from_params(params)?;
	let updated = DateFilter::all_of(params, "_lastUpdated")?;
	let all = records::list(&state.api, patient).await?;
	let mut found: Vec<Vec<RecordSummary>> = logical_resources(&all)
		.into_iter()
		.filter(|versions| category.is_none_or(|c| versions[0].category == c))
		.filter(|versions| versions.last().is_some_and(|v| v.erased_at.is_none()))
		.map(|versions| versions.into_iter().cloned().collect())
		.collect();
	if !updated.is_empty() {
		// The current versions' times; this waits for the index to reach the newest of them.
		let blocks = found.iter().filter_map(|versions| versions.last()).map(|v| v.created_at);
		if let (Some(from), Some(to)) = (blocks.clone().min(), blocks.max()) {
			let times =
				added_times(&audit::trail(&state.api, &state.rpc, patient, from, Some(to)).await?);
			found.retain(|versions| {
				let time = versions.last().and_then(|v| times.get(&v.id));
				time.is_some_and(|&time| updated.iter().all(|filter| filter.admits(time)))
			});
		}
	}
	let mut entries = Vec::new();
	for versions in page.slice(&found) {
		let root = versions[0].id;
		match read_version(state, versions, versions.len(), None).await {
			Ok(resource) => {
				let resource_type =
					resource["resourceType"].as_str().unwrap_or_default().to_owned();
				entries.push(bundle::matched(
					format!("{}/{resource_type}/{root}", state.base),
					resource,
				));
			},
			Err(error @ ApiError::Upstream(_)) | Err(error @ ApiError::Internal(_)) => {
				return Err(error)
			},
			Err(error) => entries.push(bundle::outcome_entry(error.outcome())),
		}
	}
	let mut kept = vec![("patient".to_owned(), patient.to_string())];
	kept.extend(params.iter().filter(|(k, _)| k == "_lastUpdated").cloned());
	let links = bundle::links(url, &kept, page, found.len());
	Ok(fhir_response(StatusCode::OK, &bundle::searchset(found.len(), links, entries)))
}

/// `GET /AuditEvent?patient=…&date=…`: the patient's trail from the node's audit index.
async fn search_audit(
	state: &AppState,
	patient: &AccountId32,
	params: &Params,
	url: &str,
) -> Answer {
	let page = Page::from_params(params)?;
	let dates = DateFilter::all_of(params, "date")?;
	let trail = audit::trail(&state.api, &state.rpc, patient, 1, None).await?;
	let events: Vec<Value> = trail
		.iter()
		.filter(|entry| dates.iter().all(|date| date.admits(entry.time_ms)))
		.map(|entry| audit_event(patient, entry))
		.collect();
	let entries: Vec<Value> = page
		.slice(&events)
		.iter()
		.map(|event| {
			let id = event["id"].as_str().unwrap_or_default();
			bundle::matched(format!("{}/AuditEvent/{id}", state.base), event.clone())
		})
		.collect();
	let mut kept = vec![("patient".to_owned(), patient.to_string())];
	kept.extend(params.iter().filter(|(k, _)| k == "date").cloned());
	let links = bundle::links(url, &kept, page, events.len());
	Ok(fhir_response(StatusCode::OK, &bundle::searchset(events.len(), links, entries)))
}

/// `GET /Consent?patient=…`: the patient's grants, with the time each was made at from the
/// audit trail.
async fn search_consent(
	state: &AppState,
	patient: &AccountId32,
	params: &Params,
	url: &str,
) -> Answer {
	let page = Page::from_params(params)?;
	let grants = consent::list(&state.api, patient).await?;
	let trail = audit::trail(&state.api, &state.rpc, patient, 1, None).await?;
	let granted: BTreeMap<u64, u64> = trail
		.iter()
		.filter_map(|entry| match entry.event {
			AuditEvent::ConsentGranted { grant, .. } => Some((grant, entry.time_ms)),
			_ => None,
		})
		.collect();
	let entries: Vec<Value> = page
		.slice(&grants)
		.iter()
		.map(|grant| {
			let consent = consent_resource(grant, granted.get(&grant.id).copied());
			bundle::matched(format!("{}/Consent/{}", state.base, grant.id), consent)
		})
		.collect();
	let kept = [("patient".to_owned(), patient.to_string())];
	let links = bundle::links(url, &kept, page, grants.len());
	Ok(fhir_response(StatusCode::OK, &bundle::searchset(grants.len(), links, entries)))
}

fn consent_id(id: &str) -> Result<u64, ApiError> {
	id.parse().map_err(|_| ApiError::NotFound(format!("no Consent/{id}")))
}

/// A posted Consent as valid FHIR, and the patient it is for.
fn consent_body(
	state: &AppState,
	headers: &HeaderMap,
	params: &Params,
	body: Result<Bytes, BytesRejection>,
) -> Result<(Value, AccountId32), ApiError> {
	let (bytes, value) = fhir_body(state, headers, body, "Consent")?;
	ehr_fhir::validate(&bytes).map_err(|e| match e {
		ehr_fhir::FhirError::InvalidFhir { path, reason } => ApiError::InvalidFhir { path, reason },
		other => ApiError::InvalidFhir { path: "$".into(), reason: other.to_string() },
	})?;
	let named = value["patient"]["reference"].as_str().map(mapping::parse_account).transpose()?;
	let patient = match (explicit_patient(headers, params)?, named) {
		(Some(explicit), named) => {
			let explicit = mapping::parse_account(explicit)?;
			if named.is_some_and(|named| named != explicit) {
				return Err(ApiError::Unprocessable(format!(
					"Consent.patient is not the patient {explicit} named by the request"
				)));
			}
			explicit
		},
		(None, Some(named)) => named,
		(None, None) => state.account,
	};
	Ok((value, patient))
}

/// `POST /Consent`: the acting account (the patient or a guardian) grants access.
async fn grant(
	state: &AppState,
	headers: &HeaderMap,
	params: &Params,
	body: Result<Bytes, BytesRejection>,
) -> Answer {
	let (value, patient) = consent_body(state, headers, params, body)?;
	let request = grant_request(&value)?;
	let id = {
		let _signing = state.signing.lock().await;
		consent::grant(
			&state.api,
			&state.signer,
			&patient,
			request.grantee.clone(),
			request.scope.clone(),
			request.right,
			request.expires_at,
		)
		.await?
	};
	tracing::info!(grant = id, %patient, "consent granted");
	let granted = ConsentGrant {
		id,
		patient,
		grantee: request.grantee,
		scope: request.scope,
		right: request.right,
		granted_by: state.account,
		// Not shown: the block is in the audit trail, with its time.
		granted_at: 0,
		expires_at: request.expires_at,
		live: true,
	};
	let mut response = fhir_response(StatusCode::CREATED, &consent_resource(&granted, None));
	if let Ok(location) = HeaderValue::from_str(&format!("{}/Consent/{id}", state.base)) {
		response.headers_mut().insert(header::LOCATION, location);
	}
	Ok(response)
}

/// `PUT /Consent/[id]` with `status = inactive`: the grant is revoked. A grant cannot be
/// changed otherwise: revoke it and grant anew.
async fn revoke_by_update(
	state: &AppState,
	id: &str,
	headers: &HeaderMap,
	params: &Params,
	body: Result<Bytes, BytesRejection>,
) -> Answer {
	let grant = consent_id(id)?;
	let (value, patient) = consent_body(state, headers, params, body)?;
	if value["status"] != "inactive" {
		return Err(ApiError::Unprocessable(
			"a grant can only be revoked (status inactive): revoke it and POST a new one".into(),
		));
	}
	{
		let _signing = state.signing.lock().await;
		consent::revoke(&state.api, &state.signer, &patient, grant).await?;
	}
	tracing::info!(grant, %patient, "consent revoked");
	let mut revoked = value;
	revoked["id"] = json!(id);
	Ok(fhir_response(StatusCode::OK, &revoked))
}
