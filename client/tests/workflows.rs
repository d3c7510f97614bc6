//! The whole story of the original app through the `ehr-client` workflows, on a real
//! `ehr-node --dev` that is also its own custodian: a hospital registers a doctor, the doctor
//! proposes a patient who registers, the patient consents, the doctor writes FHIR records that
//! are dispersed and anchored, and they are displayed byte-identical. Then every refused path:
//! a stranger, a wrong role, invalid FHIR, a revoked grant, an expired grant; break-glass
//! access; the audit trail; erasure.
mod common;

use common::TestNode;
use ehr_client::{
	archive, audit,
	audit::AuditEvent,
	consent, ehr,
	ehr::runtime_types::pallet_ehr_access::pallet::Error as AccessError,
	records,
	registrar::Motion,
	roles,
	subxt_signer::sr25519::{dev, Keypair},
	types::{Category, EmergencyReason, EntryState, GrantScope, Grantee, Right},
	Error,
};
use ehr_fhir::samples;

fn id(pair: &Keypair) -> ehr_client::subxt::utils::AccountId32 {
	pair.public_key().to_account_id()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_original_story_through_the_library() {
	let node = TestNode::dev().await;
	let api = node.client().await;
	let (registrar, hospital, doctor, patient, stranger, guardian) =
		(dev::alice(), dev::bob(), dev::charlie(), dev::dave(), dev::eve(), dev::ferdie());
	// A second doctor of the hospital, who reads only under consent (the author always may).
	let colleague = Keypair::from_uri(&"//Charlie//stash".parse().unwrap()).unwrap();

	// The registrar registers the dev node as custodian, and the hospital.
	let (custodian, motion) = archive::register_custodian(&api, &registrar, &node.custody_url())
		.await
		.expect("the node registers as custodian");
	// Alice is the one registrar of a dev chain: her approval is the quorum.
	assert_eq!(motion, Motion::Dispatched);
	assert_eq!(archive::active_custodians(&api).await.unwrap(), vec![custodian]);
	let profile = roles::HospitalProfile {
		name: "St Mary".into(),
		address: "1 Main Street".into(),
		specialities: vec!["cardiology".into(), "oncology".into()],
	};
	let motion = roles::register_hospital(&api, &registrar, &id(&hospital), &profile).await;
	assert_eq!(motion.unwrap(), Motion::Dispatched);
	let shown = roles::hospital(&api, &id(&hospital)).await.unwrap();
	assert_eq!(shown.profile, profile);

	// Only a hospital invites doctors: a wrong role is refused by name.
	let dr = roles::DoctorProfile {
		name: "Dr Grey".into(),
		speciality: "cardiology".into(),
		contact: "ward 3".into(),
	};
	match roles::invite_doctor(&api, &stranger, &id(&doctor), &dr).await {
		Err(Error::Refused { error, pallet, variant, .. }) => {
			assert!(
				matches!(*error, ehr::Error::EhrAccess(AccessError::NotAHospital)),
				"{error:?}"
			);
			assert_eq!((pallet.as_str(), variant.as_str()), ("EhrAccess", "NotAHospital"))
		},
		other => panic!("a stranger registered a doctor: {other:?}"),
	}
	// The invited doctors are registered once each accepts with their own key.
	for invited in [&doctor, &colleague] {
		roles::invite_doctor(&api, &hospital, &id(invited), &dr).await.unwrap();
		let (by, proposed) = roles::doctor_invitation(&api, &id(invited)).await.unwrap();
		assert_eq!((by, &proposed), (id(&hospital), &dr));
		assert!(matches!(roles::doctor(&api, &id(invited)).await, Err(Error::NotFound(_))));
		roles::accept_doctor_invitation(&api, invited).await.unwrap();
	}
	let shown = roles::doctor(&api, &id(&doctor)).await.unwrap();
	assert_eq!((shown.profile, shown.hospital), (dr, id(&hospital)));

	// The doctor proposes the patient; the patient's own key registers; a guardian is named.
	roles::propose_patient(&api, &doctor, &id(&patient)).await.unwrap();
	let pseudonym = roles::register_patient(&api, &patient).await.unwrap();
	roles::add_guardian(&api, &patient, &id(&guardian)).await.unwrap();
	let shown = roles::patient(&api, &id(&patient)).await.unwrap();
	assert_eq!((shown.id, shown.guardians), (pseudonym, vec![id(&guardian)]));

	// The guardian consents to the doctor writing and to the colleague reading; the doctor
	// writes two records.
	consent::grant(
		&api,
		&guardian,
		&id(&patient),
		Grantee::Doctor(id(&doctor)),
		GrantScope::All,
		Right::ReadWrite,
		None,
	)
	.await
	.unwrap();
	let grant = consent::grant(
		&api,
		&guardian,
		&id(&patient),
		Grantee::Doctor(id(&colleague)),
		GrantScope::All,
		Right::Read,
		None,
	)
	.await
	.unwrap();
	let condition = records::add(
		&api,
		&doctor,
		&id(&patient),
		samples::CONDITION_PRESENT.as_bytes(),
		None,
		None,
		&(),
	)
	.await
	.expect("the doctor adds a condition");
	let visit = records::add(
		&api,
		&doctor,
		&id(&patient),
		samples::BUNDLE_VISIT.as_bytes(),
		None,
		None,
		&(),
	)
	.await
	.expect("the doctor adds a visit summary");

	// Invalid FHIR is refused before anything leaves the client, naming where.
	let bad = br#"{"resourceType":"Patient","gender":"robot"}"#;
	match records::add(&api, &doctor, &id(&patient), bad, None, None, &()).await {
		Err(Error::InvalidFhir { path, .. }) => assert!(path.contains("gender"), "{path}"),
		other => panic!("invalid FHIR was stored: {other:?}"),
	}
	let listed = records::list(&api, &id(&patient)).await.unwrap();
	let summary: Vec<_> =
		listed.iter().map(|r| (r.id, r.category, r.author, r.erased_at)).collect();
	assert_eq!(
		summary,
		vec![
			(condition.record, Category::Condition, id(&doctor), None),
			(visit.record, Category::Encounter, id(&doctor), None),
		]
	);

	// Display: the colleague and the patient read the records back byte-identical.
	for (reader, record, sample) in [
		(&colleague, condition.record, samples::CONDITION_PRESENT),
		(&patient, visit.record, samples::BUNDLE_VISIT),
	] {
		let read = records::read(&api, reader, record, &()).await.expect("an allowed read");
		assert_eq!(read.json, sample);
		assert_eq!((read.rejected, read.refusals.len()), (0, 0));
	}

	// A stranger is refused by the chain, with the decision's reason.
	match records::read(&api, &stranger, condition.record, &()).await {
		Err(Error::NotAuthorized { record, reason }) => {
			assert_eq!(record, condition.record);
			assert_eq!(reason, "NoConsent");
		},
		other => panic!("a stranger read a record: {other:?}"),
	}

	// Revoked: the guardian revokes, and the colleague is refused at once.
	consent::revoke(&api, &guardian, &id(&patient), grant).await.unwrap();
	assert!(matches!(
		records::read(&api, &colleague, condition.record, &()).await,
		Err(Error::NotAuthorized { .. })
	));

	// Expired: a grant to the hospital lapsing two blocks on works, then lapses by itself.
	let now = api.at_current_block().await.unwrap().block_number() as u32;
	let hospital_grant = consent::grant(
		&api,
		&patient,
		&id(&patient),
		Grantee::Hospital(id(&hospital)),
		GrantScope::Category(Category::Condition),
		Right::Read,
		Some(now + 3),
	)
	.await
	.unwrap();
	records::read(&api, &colleague, condition.record, &()).await.expect("a live grant");
	roles::remove_guardian(&api, &patient, &id(&guardian)).await.unwrap();
	assert!(matches!(
		records::read(&api, &colleague, condition.record, &()).await,
		Err(Error::NotAuthorized { .. })
	));
	let grants = consent::list(&api, &id(&patient)).await.unwrap();
	let lapsed = grants.iter().find(|g| g.id == hospital_grant).expect("the grant is listed");
	assert!(!lapsed.live);
	assert!(!grants.iter().any(|g| g.id == grant), "a revoked grant is gone");

	// Break-glass: the colleague opens emergency access, reads, and it is loud in the trail.
	let session =
		consent::open_emergency(&api, &colleague, &id(&patient), EmergencyReason::Unconscious)
			.await
			.unwrap();
	assert_eq!(session.hospital, id(&hospital));
	records::read(&api, &colleague, visit.record, &()).await.expect("emergency read");
	consent::close_emergency(&api, &patient, &id(&patient), &id(&colleague)).await.unwrap();

	// The audit trail: every read, by whom, of which record, and every refusal.
	let trail = audit::trail(&api, &node.rpc().await, &id(&patient), 1, None).await.unwrap();
	let reads: Vec<_> = trail
		.iter()
		.filter_map(|entry| match &entry.event {
			AuditEvent::Read { record, reader, .. } => Some((*record, *reader)),
			_ => None,
		})
		.collect();
	assert_eq!(
		reads,
		vec![
			(condition.record, id(&colleague)),
			(visit.record, id(&patient)),
			(condition.record, id(&colleague)),
			(visit.record, id(&colleague)),
		]
	);
	let denied: Vec<_> = trail
		.iter()
		.filter_map(|entry| match &entry.event {
			AuditEvent::Denied { record, reader, reason } => {
				Some((*record, *reader, format!("{reason:?}")))
			},
			_ => None,
		})
		.collect();
	assert_eq!(
		denied,
		vec![
			(condition.record, id(&stranger), "NoConsent".to_owned()),
			(condition.record, id(&colleague), "NoConsent".to_owned()),
			(condition.record, id(&colleague), "NoConsent".to_owned()),
		]
	);
	assert!(trail.iter().all(|e| e.time_ms > 0));
	// Scripts see each event's kind in the JSON.
	let json = serde_json::to_value(&trail).unwrap();
	let kinds: Vec<_> =
		json.as_array().unwrap().iter().map(|e| e["event"]["kind"].clone()).collect();
	for kind in ["RecordAdded", "ConsentGranted", "ConsentRevoked", "EmergencyOpened"] {
		assert!(kinds.contains(&kind.into()), "no {kind} in {kinds:?}");
	}
	assert!(trail.iter().any(|e| matches!(e.event, AuditEvent::EmergencyClosed { .. })));

	// Erasure by the patient: the entry is erased, the record says so, and nobody, the patient
	// included, can open it any more.
	let deleting = archive::erase(&api, &patient, visit.record).await.unwrap();
	assert_eq!(deleting, vec![custodian_account(&node).await]);
	let status = archive::status(&api, visit.record).await.unwrap();
	assert_eq!(status.state, EntryState::Erased);
	assert!(status.pieces.is_empty(), "an erased entry keeps no pieces");
	let listed = records::list(&api, &id(&patient)).await.unwrap();
	let erased = listed.iter().find(|r| r.id == visit.record).expect("still listed");
	assert!(erased.erased_at.is_some());
	match records::read(&api, &patient, visit.record, &()).await {
		Err(Error::NotAuthorized { reason, .. }) => assert_eq!(reason, "Erased"),
		other => panic!("expected a refusal for an erased record, got {other:?}"),
	}
}

async fn custodian_account(node: &TestNode) -> ehr_client::subxt::utils::AccountId32 {
	common::network::custodian_of(node).await.account
}
