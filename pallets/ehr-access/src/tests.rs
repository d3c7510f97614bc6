//! Unit tests: every rule and every error of the pallet.
use crate::{mock::*, *};
use polkadot_sdk::{
	frame_support::{
		assert_noop, assert_ok,
		traits::{fungible::InspectHold, Hooks},
		weights::Weight,
		BoundedVec,
	},
	sp_runtime::{DispatchError, TokenError},
};

const H1: u64 = 10;
const H2: u64 = 11;
/// Doctors of `H1`.
const D1: u64 = 20;
const D2: u64 = 21;
/// Doctor of `H2`.
const D3: u64 = 22;
const P1: u64 = 30;
const P2: u64 = 31;
const G1: u64 = 40;
const G2: u64 = 41;
const G3: u64 = 42;
const NOBODY: u64 = 50;
/// An account with no funds.
const POOR: u64 = 100;

const C: [u8; 32] = [7; 32];

fn signed(who: u64) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

/// Run `f` in fresh externalities, then check the pallet's invariants.
fn test(f: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		f();
		EhrAccess::do_try_state().expect("invariants hold");
	});
}

fn hospital(h: u64) {
	assert_ok!(EhrAccess::register_hospital(
		RuntimeOrigin::root(),
		h,
		b"St Mary".to_vec(),
		b"1 Hospital Road".to_vec(),
		vec![b"cardiology".to_vec()],
	));
}

/// `h` invites `d`, who accepts.
fn doctor(h: u64, d: u64) {
	invite(h, d);
	assert_ok!(EhrAccess::accept_doctor_invitation(signed(d)));
}

fn invite(h: u64, d: u64) {
	assert_ok!(EhrAccess::invite_doctor(
		signed(h),
		d,
		b"Dr Grey".to_vec(),
		b"surgery".to_vec(),
		b"ward 3".to_vec(),
	));
}

fn patient(p: u64) {
	assert_ok!(EhrAccess::register_patient(signed(p)));
}

/// Two hospitals; `D1`, `D2` at `H1`, `D3` at `H2`; patients `P1`, `P2`.
fn world() {
	hospital(H1);
	hospital(H2);
	doctor(H1, D1);
	doctor(H1, D2);
	doctor(H2, D3);
	patient(P1);
	patient(P2);
}

fn record(author: u64, p: u64, category: Category) -> RecordId {
	let id = NextRecordId::<Test>::get();
	assert_ok!(EhrAccess::add_record(signed(author), p, category, None, archive(C, 100)));
	id
}

/// Every key and value this pallet stores.
fn pallet_state() -> Vec<(Vec<u8>, Vec<u8>)> {
	let prefix = polkadot_sdk::sp_io::hashing::twox_128(b"EhrAccess").to_vec();
	let mut state = Vec::new();
	let mut key = prefix.clone();
	while let Some(next) = polkadot_sdk::sp_io::storage::next_key(&key) {
		if !next.starts_with(&prefix) {
			break;
		}
		let value =
			polkadot_sdk::sp_io::storage::get(&next).map(|v| v.to_vec()).unwrap_or_default();
		state.push((next.clone(), value));
		key = next;
	}
	state
}

/// `who`'s `open_access` of `record` is refused for `reason`: the call is included, the refusal
/// is audited with `AccessDenied`, and the pallet writes nothing.
fn assert_denied(who: u64, record: RecordId, reason: DenyReason) {
	let before = pallet_state();
	let info = EhrAccess::open_access(signed(who), record).expect("a refusal is included");
	// The bound on abuse: a refusal pays the decision's full declared weight, no refund.
	assert_eq!(info.actual_weight, None);
	assert_eq!(info.pays_fee, polkadot_sdk::frame_support::dispatch::Pays::Yes);
	let patient = Records::<Test>::get(record).map(|anchor| anchor.patient);
	System::assert_last_event(Event::AccessDenied { reader: who, record, patient, reason }.into());
	assert_eq!(pallet_state(), before, "a refused read writes nothing");
	assert_eq!(EhrAccess::live_ticket(&who, record), None);
}

fn grant(
	by: u64,
	p: u64,
	grantee: Grantee<u64>,
	scope: GrantScopeOf<Test>,
	right: Right,
	expires_at: Option<u64>,
) -> GrantId {
	let id = NextGrantId::<Test>::get();
	assert_ok!(EhrAccess::grant_access(signed(by), p, grantee, scope, right, expires_at));
	id
}

fn records(list: &[RecordId]) -> GrantScopeOf<Test> {
	GrantScope::Records(BoundedVec::truncate_from(list.to_vec()))
}

fn held(who: u64, reason: HoldReason) -> u64 {
	Balances::balance_on_hold(&reason.into(), &who)
}

fn decide(who: u64, record: RecordId) -> Result<AccessReason, DenyReason> {
	EhrAccess::decide(&who, record, System::block_number())
}

fn guardian(p: u64, g: u64) {
	assert_ok!(EhrAccess::add_guardian(signed(p), g));
}

// ---------------------------------------------------------------- hospitals

#[test]
fn registrar_registers_a_hospital_without_deposit() {
	test(|| {
		hospital(H1);
		let info = Hospitals::<Test>::get(H1).unwrap();
		assert_eq!(info.profile.name.as_slice(), b"St Mary");
		assert_eq!(info.profile.address.as_slice(), b"1 Hospital Road");
		assert_eq!(info.profile.specialities[0].as_slice(), b"cardiology");
		assert_eq!(info.status, Status::Active);
		assert_eq!(info.registered_at, 1);
		assert_eq!(info.doctors, 0);
		assert_eq!(Balances::total_balance_on_hold(&H1), 0);
		System::assert_last_event(Event::HospitalRegistered { hospital: H1 }.into());
	});
}

#[test]
fn only_the_registrar_manages_hospitals() {
	test(|| {
		hospital(H1);
		assert_noop!(
			EhrAccess::register_hospital(signed(H1), H2, b"x".to_vec(), vec![], vec![]),
			DispatchError::BadOrigin
		);
		assert_noop!(
			EhrAccess::update_hospital(signed(H1), H1, b"x".to_vec(), vec![], vec![]),
			DispatchError::BadOrigin
		);
		assert_noop!(
			EhrAccess::set_hospital_status(signed(H1), H1, Status::Suspended),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn a_hospital_is_registered_once() {
	test(|| {
		hospital(H1);
		assert_noop!(
			EhrAccess::register_hospital(RuntimeOrigin::root(), H1, b"x".to_vec(), vec![], vec![]),
			Error::<Test>::AlreadyHospital
		);
	});
}

#[test]
fn a_hospital_holds_no_other_role() {
	test(|| {
		world();
		guardian(P1, G1);
		for who in [D1, P1, G1] {
			assert_noop!(
				EhrAccess::register_hospital(
					RuntimeOrigin::root(),
					who,
					b"x".to_vec(),
					vec![],
					vec![]
				),
				Error::<Test>::RoleConflict
			);
		}
	});
}

#[test]
fn hospital_profiles_are_checked() {
	test(|| {
		let reg = |name: Vec<u8>, address: Vec<u8>, specialities: Vec<Vec<u8>>| {
			EhrAccess::register_hospital(RuntimeOrigin::root(), H1, name, address, specialities)
		};
		let max = MAX_FIELD as usize;
		assert_noop!(reg(vec![], vec![], vec![]), Error::<Test>::EmptyName);
		assert_noop!(reg(vec![b'a'; max + 1], vec![], vec![]), Error::<Test>::ProfileFieldTooLong);
		assert_noop!(
			reg(b"a".to_vec(), vec![b'a'; max + 1], vec![]),
			Error::<Test>::ProfileFieldTooLong
		);
		assert_noop!(
			reg(b"a".to_vec(), vec![], vec![vec![b'a'; max + 1]]),
			Error::<Test>::ProfileFieldTooLong
		);
		assert_noop!(reg(vec![0xff, 0xfe], vec![], vec![]), Error::<Test>::ProfileNotUtf8);
		assert_noop!(reg(b"a".to_vec(), vec![0xc3], vec![]), Error::<Test>::ProfileNotUtf8);
		assert_noop!(
			reg(b"a".to_vec(), vec![], vec![vec![]; MAX_SPECIALITIES as usize + 1]),
			Error::<Test>::TooManySpecialities
		);
		// Exactly at the bounds, and UTF-8 beyond ASCII.
		assert_ok!(reg(
			"Hôpital Saint-Éloi".as_bytes().to_vec(),
			vec![b'a'; max],
			vec![vec![b's'; max]; MAX_SPECIALITIES as usize]
		));
	});
}

#[test]
fn registrar_updates_a_hospital_profile() {
	test(|| {
		hospital(H1);
		assert_ok!(EhrAccess::update_hospital(
			RuntimeOrigin::root(),
			H1,
			b"St Mary's".to_vec(),
			b"2 Road".to_vec(),
			vec![]
		));
		let info = Hospitals::<Test>::get(H1).unwrap();
		assert_eq!(info.profile.name.as_slice(), b"St Mary's");
		assert!(info.profile.specialities.is_empty());
		System::assert_last_event(Event::HospitalUpdated { hospital: H1 }.into());
		assert_noop!(
			EhrAccess::update_hospital(RuntimeOrigin::root(), H2, b"x".to_vec(), vec![], vec![]),
			Error::<Test>::NotAHospital
		);
		assert_noop!(
			EhrAccess::update_hospital(RuntimeOrigin::root(), H1, vec![], vec![], vec![]),
			Error::<Test>::EmptyName
		);
	});
}

#[test]
fn registrar_suspends_and_reinstates_a_hospital() {
	test(|| {
		hospital(H1);
		assert_ok!(EhrAccess::set_hospital_status(RuntimeOrigin::root(), H1, Status::Suspended));
		assert_eq!(Hospitals::<Test>::get(H1).unwrap().status, Status::Suspended);
		System::assert_last_event(
			Event::HospitalStatusChanged { hospital: H1, status: Status::Suspended }.into(),
		);
		assert_noop!(
			EhrAccess::set_hospital_status(RuntimeOrigin::root(), H1, Status::Suspended),
			Error::<Test>::StatusUnchanged
		);
		assert_ok!(EhrAccess::set_hospital_status(RuntimeOrigin::root(), H1, Status::Active));
		assert_noop!(
			EhrAccess::set_hospital_status(RuntimeOrigin::root(), H2, Status::Active),
			Error::<Test>::NotAHospital
		);
	});
}

// ---------------------------------------------------------------- doctors

#[test]
fn a_hospital_registers_its_doctor_and_pays_the_deposit() {
	test(|| {
		hospital(H1);
		invite(H1, D1);
		System::assert_last_event(Event::DoctorInvited { doctor: D1, hospital: H1 }.into());
		assert_eq!(held(H1, HoldReason::DoctorRegistration), DoctorDeposit::get());
		assert!(!Doctors::<Test>::contains_key(D1));
		assert_eq!(Hospitals::<Test>::get(H1).unwrap().doctors, 0);
		run_to_block(3);
		assert_ok!(EhrAccess::accept_doctor_invitation(signed(D1)));
		assert!(!PendingDoctors::<Test>::contains_key(D1));
		let info = Doctors::<Test>::get(D1).unwrap();
		assert_eq!(info.hospital, H1);
		assert_eq!(info.profile.name.as_slice(), b"Dr Grey");
		assert_eq!(info.profile.speciality.as_slice(), b"surgery");
		assert_eq!(info.profile.contact.as_slice(), b"ward 3");
		assert_eq!(info.status, Status::Active);
		assert_eq!(info.deposit, DoctorDeposit::get());
		assert_eq!(info.emergencies_opened, 0);
		assert_eq!(info.registered_at, 3);
		assert_eq!(held(H1, HoldReason::DoctorRegistration), DoctorDeposit::get());
		assert_eq!(Balances::total_balance_on_hold(&D1), 0);
		assert_eq!(Hospitals::<Test>::get(H1).unwrap().doctors, 1);
		System::assert_last_event(Event::DoctorRegistered { doctor: D1, hospital: H1 }.into());
	});
}

#[test]
fn only_a_hospital_registers_doctors() {
	test(|| {
		world();
		for who in [D1, P1, NOBODY] {
			assert_noop!(
				EhrAccess::invite_doctor(signed(who), D3 + 10, b"x".to_vec(), vec![], vec![]),
				Error::<Test>::NotAHospital
			);
		}
		assert_noop!(
			EhrAccess::invite_doctor(RuntimeOrigin::root(), 60, b"x".to_vec(), vec![], vec![]),
			DispatchError::BadOrigin
		);
	});
}

/// Attack: a hospital registers an account as its doctor without the account's consent,
/// publishing a profile in its name and so barring it from ever becoming a patient or guardian.
/// An invitation registers nothing and blocks nothing; only the doctor's own key accepts it, and
/// the doctor or the hospital may withdraw it.
#[test]
fn a_doctor_is_registered_only_by_their_own_acceptance() {
	test(|| {
		world();
		invite(H1, 60);
		assert!(!Doctors::<Test>::contains_key(60));
		// Nobody else can accept for the doctor.
		for who in [H1, H2, D1, P1, NOBODY] {
			assert_noop!(
				EhrAccess::accept_doctor_invitation(signed(who)),
				Error::<Test>::NoInvitation
			);
		}
		assert_noop!(
			EhrAccess::invite_doctor(signed(H2), 60, b"x".to_vec(), vec![], vec![]),
			Error::<Test>::InvitationExists
		);
		// The invited account may still become a patient (and then cannot accept).
		patient(60);
		assert_noop!(EhrAccess::accept_doctor_invitation(signed(60)), Error::<Test>::RoleConflict);
		for who in [H2, D1, P1] {
			assert_noop!(
				EhrAccess::withdraw_doctor_invitation(signed(who), 60),
				Error::<Test>::NotInvitationParty
			);
		}
		assert_ok!(EhrAccess::withdraw_doctor_invitation(signed(60), 60));
		System::assert_last_event(
			Event::DoctorInvitationWithdrawn { doctor: 60, hospital: H1, by: 60 }.into(),
		);
		assert_eq!(held(H1, HoldReason::DoctorRegistration), 2 * DoctorDeposit::get());
		// The hospital withdraws its own invitation too, and may not accept for a suspended one.
		invite(H1, 61);
		assert_ok!(EhrAccess::withdraw_doctor_invitation(signed(H1), 61));
		assert_noop!(
			EhrAccess::withdraw_doctor_invitation(signed(H1), 61),
			Error::<Test>::NoInvitation
		);
		invite(H2, 62);
		assert_ok!(EhrAccess::set_hospital_status(RuntimeOrigin::root(), H2, Status::Suspended));
		assert_noop!(
			EhrAccess::accept_doctor_invitation(signed(62)),
			Error::<Test>::HospitalNotActive
		);
		assert_ok!(EhrAccess::withdraw_doctor_invitation(signed(H2), 62));
	});
}

#[test]
fn a_doctor_is_registered_once() {
	test(|| {
		world();
		assert_noop!(
			EhrAccess::invite_doctor(signed(H1), D1, b"x".to_vec(), vec![], vec![]),
			Error::<Test>::AlreadyDoctor
		);
		assert_noop!(
			EhrAccess::invite_doctor(signed(H2), D1, b"x".to_vec(), vec![], vec![]),
			Error::<Test>::AlreadyDoctor
		);
	});
}

#[test]
fn a_doctor_holds_no_other_role() {
	test(|| {
		world();
		guardian(P1, G1);
		for who in [H2, P1, G1] {
			assert_noop!(
				EhrAccess::invite_doctor(signed(H1), who, b"x".to_vec(), vec![], vec![]),
				Error::<Test>::RoleConflict
			);
		}
	});
}

#[test]
fn doctor_profiles_are_checked() {
	test(|| {
		hospital(H1);
		let max = MAX_FIELD as usize;
		let reg = |name: Vec<u8>, speciality: Vec<u8>, contact: Vec<u8>| {
			EhrAccess::invite_doctor(signed(H1), D1, name, speciality, contact)
		};
		assert_noop!(reg(vec![], vec![], vec![]), Error::<Test>::EmptyName);
		assert_noop!(reg(vec![b'a'; max + 1], vec![], vec![]), Error::<Test>::ProfileFieldTooLong);
		assert_noop!(
			reg(b"a".to_vec(), vec![b'a'; max + 1], vec![]),
			Error::<Test>::ProfileFieldTooLong
		);
		assert_noop!(
			reg(b"a".to_vec(), vec![], vec![b'a'; max + 1]),
			Error::<Test>::ProfileFieldTooLong
		);
		assert_noop!(reg(b"a".to_vec(), vec![0x80], vec![]), Error::<Test>::ProfileNotUtf8);
		assert_ok!(reg(vec![b'a'; max], vec![b'b'; max], vec![b'c'; max]));
	});
}

#[test]
fn a_suspended_hospital_cannot_act() {
	test(|| {
		world();
		assert_ok!(EhrAccess::set_hospital_status(RuntimeOrigin::root(), H1, Status::Suspended));
		assert_noop!(
			EhrAccess::invite_doctor(signed(H1), 60, b"x".to_vec(), vec![], vec![]),
			Error::<Test>::HospitalNotActive
		);
		assert_noop!(EhrAccess::remove_doctor(signed(H1), D1), Error::<Test>::HospitalNotActive);
	});
}

/// Attack: a hospital under suspension, or one whose administrator went rogue, must still be
/// stoppable at the doctor level. The registrar suspends and reinstates any doctor; a
/// suspended hospital may suspend its own doctors but not reinstate them.
#[test]
fn the_registrar_and_a_suspended_hospital_can_suspend_doctors() {
	test(|| {
		world();
		let r = record(P1, P1, Category::Condition);
		grant(P1, P1, Grantee::Doctor(D3), GrantScope::All, Right::Read, None);
		assert_ok!(EhrAccess::set_doctor_status(RuntimeOrigin::root(), D3, Status::Suspended));
		System::assert_last_event(
			Event::DoctorStatusChanged { doctor: D3, hospital: H2, status: Status::Suspended }
				.into(),
		);
		assert_denied(D3, r, DenyReason::DoctorSuspended);
		assert_ok!(EhrAccess::set_doctor_status(RuntimeOrigin::root(), D3, Status::Active));
		assert!(decide(D3, r).is_ok());
		assert_noop!(
			EhrAccess::set_doctor_status(RuntimeOrigin::root(), NOBODY, Status::Suspended),
			Error::<Test>::NotADoctor
		);

		assert_ok!(EhrAccess::set_hospital_status(RuntimeOrigin::root(), H1, Status::Suspended));
		assert_ok!(EhrAccess::set_doctor_status(signed(H1), D1, Status::Suspended));
		assert_eq!(Doctors::<Test>::get(D1).unwrap().status, Status::Suspended);
		assert_noop!(
			EhrAccess::set_doctor_status(signed(H1), D1, Status::Active),
			Error::<Test>::HospitalNotActive
		);
		assert_noop!(
			EhrAccess::set_doctor_status(signed(H1), D3, Status::Suspended),
			Error::<Test>::NotYourDoctor
		);
		assert_noop!(
			EhrAccess::set_doctor_status(signed(D2), D1, Status::Active),
			Error::<Test>::NotAHospital
		);
	});
}

#[test]
fn only_its_own_hospital_changes_a_doctor() {
	test(|| {
		world();
		assert_noop!(
			EhrAccess::set_doctor_status(signed(H2), D1, Status::Suspended),
			Error::<Test>::NotYourDoctor
		);
		assert_noop!(EhrAccess::remove_doctor(signed(H2), D1), Error::<Test>::NotYourDoctor);
		assert_noop!(
			EhrAccess::set_doctor_status(signed(H1), 60, Status::Suspended),
			Error::<Test>::NotADoctor
		);
		assert_noop!(EhrAccess::remove_doctor(signed(H1), 60), Error::<Test>::NotADoctor);
	});
}

/// What is published about a doctor is the doctor's: they update their own profile (even while
/// suspended); no hospital, not even their own, can.
#[test]
fn a_doctor_updates_their_own_profile() {
	test(|| {
		world();
		for who in [H1, H2, P1, NOBODY] {
			assert_noop!(
				EhrAccess::update_doctor(signed(who), b"x".to_vec(), vec![], vec![]),
				Error::<Test>::NotADoctor
			);
		}
		assert_ok!(EhrAccess::set_doctor_status(signed(H1), D1, Status::Suspended));
		assert_ok!(EhrAccess::update_doctor(
			signed(D1),
			b"Dr Meredith Grey".to_vec(),
			b"general surgery".to_vec(),
			b"+1 555 0100".to_vec()
		));
		let info = Doctors::<Test>::get(D1).unwrap();
		assert_eq!(info.profile.name.as_slice(), b"Dr Meredith Grey");
		assert_eq!(info.profile.contact.as_slice(), b"+1 555 0100");
		System::assert_last_event(Event::DoctorUpdated { doctor: D1, hospital: H1 }.into());
		assert_noop!(
			EhrAccess::update_doctor(signed(D1), vec![], vec![], vec![]),
			Error::<Test>::EmptyName
		);
	});
}

#[test]
fn a_hospital_suspends_and_reinstates_its_doctor() {
	test(|| {
		world();
		let r = record(P1, P1, Category::Condition);
		grant(P1, P1, Grantee::Doctor(D1), GrantScope::All, Right::ReadWrite, None);
		assert!(decide(D1, r).is_ok());
		assert_ok!(EhrAccess::set_doctor_status(signed(H1), D1, Status::Suspended));
		System::assert_last_event(
			Event::DoctorStatusChanged { doctor: D1, hospital: H1, status: Status::Suspended }
				.into(),
		);
		// A suspended doctor can do nothing.
		assert_eq!(decide(D1, r), Err(DenyReason::DoctorSuspended));
		assert_noop!(
			EhrAccess::add_record(signed(D1), P1, Category::Condition, None, archive(C, 1)),
			Error::<Test>::NotAuthorized
		);
		assert_denied(D1, r, DenyReason::DoctorSuspended);
		assert_noop!(
			EhrAccess::open_emergency(signed(D1), P1, EmergencyReason::Unconscious),
			Error::<Test>::DoctorNotActive
		);
		assert_noop!(EhrAccess::propose_patient(signed(D1), 60), Error::<Test>::DoctorNotActive);
		assert_noop!(
			EhrAccess::set_doctor_status(signed(H1), D1, Status::Suspended),
			Error::<Test>::StatusUnchanged
		);
		assert_ok!(EhrAccess::set_doctor_status(signed(H1), D1, Status::Active));
		assert!(decide(D1, r).is_ok());
	});
}

#[test]
fn removing_a_doctor_releases_the_deposit_and_drops_emergencies() {
	test(|| {
		world();
		assert_ok!(EhrAccess::open_emergency(signed(D1), P1, EmergencyReason::Unconscious));
		assert_eq!(held(H1, HoldReason::DoctorRegistration), 2 * DoctorDeposit::get());
		assert_ok!(EhrAccess::remove_doctor(signed(H1), D1));
		System::assert_last_event(Event::DoctorRemoved { doctor: D1, hospital: H1 }.into());
		assert!(!Doctors::<Test>::contains_key(D1));
		assert!(EmergencySessions::<Test>::get(D1).is_empty());
		assert_eq!(held(H1, HoldReason::DoctorRegistration), DoctorDeposit::get());
		assert_eq!(Hospitals::<Test>::get(H1).unwrap().doctors, 1);
		// The account may be registered again, by any hospital.
		doctor(H2, D1);
		assert_eq!(Doctors::<Test>::get(D1).unwrap().hospital, H2);
	});
}

/// Attack: a hospital (any hospital) registers a removed doctor's account to read through the
/// grants patients made to that doctor under their former hospital. The old personal grants
/// no longer work, for reading or writing; a grant made after the new registration does.
#[test]
fn a_removed_doctor_registered_again_does_not_inherit_personal_grants() {
	test(|| {
		world();
		let r = record(P1, P1, Category::Condition);
		let old = grant(P1, P1, Grantee::Doctor(D1), GrantScope::All, Right::ReadWrite, None);
		assert_eq!(decide(D1, r), Ok(AccessReason::Consent { grant: old }));
		assert_ok!(EhrAccess::remove_doctor(signed(H1), D1));
		System::set_block_number(System::block_number() + 1);
		doctor(H2, D1);
		assert_denied(D1, r, DenyReason::NoConsent);
		assert_noop!(
			EhrAccess::add_record(signed(D1), P1, Category::Condition, None, archive(C, 1)),
			Error::<Test>::NotAuthorized
		);
		// The old grant is still the patient's to see and revoke.
		assert!(Grants::<Test>::contains_key(old));
		let new = grant(P1, P1, Grantee::Doctor(D1), GrantScope::All, Right::Read, None);
		assert_eq!(decide(D1, r), Ok(AccessReason::Consent { grant: new }));
	});
}

#[test]
fn a_hospital_without_funds_cannot_register_doctors() {
	test(|| {
		hospital(POOR);
		assert_noop!(
			EhrAccess::invite_doctor(signed(POOR), D1, b"x".to_vec(), vec![], vec![]),
			TokenError::FundsUnavailable
		);
	});
}

// ---------------------------------------------------------------- patients

#[test]
fn a_patient_registers_with_a_pseudonymous_id_and_a_deposit() {
	test(|| {
		patient(P1);
		patient(P2);
		let info = Patients::<Test>::get(P1).unwrap();
		assert_eq!(info.id, 0);
		assert_eq!(info.deposit, PatientDeposit::get());
		assert_eq!(info.records, 0);
		assert!(info.guardians.is_empty() && info.grants.is_empty());
		assert_eq!(Patients::<Test>::get(P2).unwrap().id, 1);
		assert_eq!(PatientIds::<Test>::get(1), Some(P2));
		assert_eq!(held(P1, HoldReason::PatientRegistration), PatientDeposit::get());
		System::assert_last_event(
			Event::PatientRegistered { patient: P2, id: 1, proposed_by: None }.into(),
		);
		assert_noop!(EhrAccess::register_patient(signed(P1)), Error::<Test>::AlreadyPatient);
	});
}

#[test]
fn hospitals_and_doctors_cannot_be_patients() {
	test(|| {
		world();
		assert_noop!(EhrAccess::register_patient(signed(H1)), Error::<Test>::RoleConflict);
		assert_noop!(EhrAccess::register_patient(signed(D1)), Error::<Test>::RoleConflict);
	});
}

#[test]
fn a_patient_without_funds_cannot_register() {
	test(|| {
		assert_noop!(EhrAccess::register_patient(signed(POOR)), TokenError::FundsUnavailable);
	});
}

#[test]
fn a_doctor_proposes_and_the_patient_confirms() {
	test(|| {
		world();
		assert_ok!(EhrAccess::propose_patient(signed(D1), 60));
		System::assert_last_event(Event::PatientProposed { patient: 60, doctor: D1 }.into());
		assert_eq!(held(D1, HoldReason::PatientProposal), ProposalDeposit::get());
		// Proposing creates no patient: only the patient's own signature does.
		assert!(!Patients::<Test>::contains_key(60));
		assert_ok!(EhrAccess::register_patient(signed(60)));
		System::assert_last_event(
			Event::PatientRegistered { patient: 60, id: 2, proposed_by: Some(D1) }.into(),
		);
		assert!(!PendingPatients::<Test>::contains_key(60));
		assert_eq!(held(D1, HoldReason::PatientProposal), 0);
		assert_eq!(held(60, HoldReason::PatientRegistration), PatientDeposit::get());
		// The proposing doctor gains nothing over the patient.
		let r = record(60, 60, Category::Demographics);
		assert_eq!(decide(D1, r), Err(DenyReason::NoConsent));
		assert_noop!(
			EhrAccess::grant_access(
				signed(D1),
				60,
				Grantee::Doctor(D1),
				GrantScope::All,
				Right::ReadWrite,
				None
			),
			Error::<Test>::NotPatientOrGuardian
		);
		assert_noop!(EhrAccess::add_guardian(signed(D1), D1), Error::<Test>::NotAPatient);
		assert_noop!(
			EhrAccess::add_record(signed(D1), 60, Category::Condition, None, archive(C, 1)),
			Error::<Test>::NotAuthorized
		);
	});
}

#[test]
fn proposing_a_patient_is_checked() {
	test(|| {
		world();
		assert_noop!(EhrAccess::propose_patient(signed(NOBODY), 60), Error::<Test>::NotADoctor);
		assert_noop!(EhrAccess::propose_patient(signed(H1), 60), Error::<Test>::NotADoctor);
		assert_noop!(EhrAccess::propose_patient(signed(D1), P1), Error::<Test>::AlreadyPatient);
		assert_noop!(EhrAccess::propose_patient(signed(D1), D2), Error::<Test>::RoleConflict);
		assert_noop!(EhrAccess::propose_patient(signed(D1), H2), Error::<Test>::RoleConflict);
		assert_ok!(EhrAccess::propose_patient(signed(D1), 60));
		assert_noop!(EhrAccess::propose_patient(signed(D3), 60), Error::<Test>::ProposalExists);
		assert_ok!(EhrAccess::set_hospital_status(RuntimeOrigin::root(), H2, Status::Suspended));
		assert_noop!(EhrAccess::propose_patient(signed(D3), 61), Error::<Test>::HospitalNotActive);
	});
}

#[test]
fn either_party_withdraws_a_proposal() {
	test(|| {
		world();
		assert_ok!(EhrAccess::propose_patient(signed(D1), 60));
		assert_ok!(EhrAccess::propose_patient(signed(D1), 61));
		assert_noop!(
			EhrAccess::withdraw_patient_proposal(signed(D2), 60),
			Error::<Test>::NotProposalParty
		);
		assert_ok!(EhrAccess::withdraw_patient_proposal(signed(D1), 60));
		System::assert_last_event(
			Event::PatientProposalWithdrawn { patient: 60, doctor: D1, by: D1 }.into(),
		);
		assert_ok!(EhrAccess::withdraw_patient_proposal(signed(61), 61));
		System::assert_last_event(
			Event::PatientProposalWithdrawn { patient: 61, doctor: D1, by: 61 }.into(),
		);
		assert_eq!(held(D1, HoldReason::PatientProposal), 0);
		assert_noop!(
			EhrAccess::withdraw_patient_proposal(signed(D1), 60),
			Error::<Test>::NoProposal
		);
	});
}

#[test]
fn a_patient_deregisters_only_when_empty() {
	test(|| {
		world();
		assert_noop!(EhrAccess::deregister_patient(signed(NOBODY)), Error::<Test>::NotAPatient);
		guardian(P1, G1);
		assert_noop!(EhrAccess::deregister_patient(signed(P1)), Error::<Test>::PatientHasGuardians);
		assert_ok!(EhrAccess::remove_guardian(signed(P1), G1));
		let g = grant(P1, P1, Grantee::Doctor(D1), GrantScope::All, Right::Read, None);
		assert_noop!(EhrAccess::deregister_patient(signed(P1)), Error::<Test>::PatientHasGrants);
		assert_ok!(EhrAccess::revoke_access(signed(P1), P1, g));
		assert_ok!(EhrAccess::deregister_patient(signed(P1)));
		System::assert_last_event(Event::PatientDeregistered { patient: P1, id: 0 }.into());
		assert!(!Patients::<Test>::contains_key(P1));
		assert!(!PatientIds::<Test>::contains_key(0));
		assert_eq!(Balances::total_balance_on_hold(&P1), 0);
		// Ids are never reused.
		patient(P1);
		assert_eq!(Patients::<Test>::get(P1).unwrap().id, 2);
		record(P2, P2, Category::Encounter);
		assert_noop!(EhrAccess::deregister_patient(signed(P2)), Error::<Test>::PatientHasRecords);
	});
}

// ---------------------------------------------------------------- guardians

#[test]
fn a_patient_names_and_removes_guardians() {
	test(|| {
		world();
		guardian(P1, G2);
		guardian(P1, G1);
		System::assert_last_event(Event::GuardianAdded { patient: P1, guardian: G1 }.into());
		let info = Patients::<Test>::get(P1).unwrap();
		let accounts: Vec<u64> = info.guardians.iter().map(|g| g.account).collect();
		assert_eq!(accounts, vec![G1, G2], "kept sorted");
		assert!(Guardianships::<Test>::contains_key(G1, P1));
		assert_eq!(held(P1, HoldReason::Guardian), 2 * GuardianDeposit::get());
		assert_ok!(EhrAccess::remove_guardian(signed(P1), G2));
		System::assert_last_event(Event::GuardianRemoved { patient: P1, guardian: G2 }.into());
		assert!(!Guardianships::<Test>::contains_key(G2, P1));
		assert_eq!(held(P1, HoldReason::Guardian), GuardianDeposit::get());
		// A patient may guard another patient.
		guardian(P2, P1);
	});
}

#[test]
fn guardians_are_checked() {
	test(|| {
		world();
		assert_noop!(EhrAccess::add_guardian(signed(NOBODY), G1), Error::<Test>::NotAPatient);
		assert_noop!(EhrAccess::add_guardian(signed(P1), P1), Error::<Test>::CannotGuardSelf);
		assert_noop!(EhrAccess::add_guardian(signed(P1), D1), Error::<Test>::RoleConflict);
		assert_noop!(EhrAccess::add_guardian(signed(P1), H1), Error::<Test>::RoleConflict);
		guardian(P1, G1);
		assert_noop!(EhrAccess::add_guardian(signed(P1), G1), Error::<Test>::AlreadyGuardian);
		guardian(P1, G2);
		assert_noop!(EhrAccess::add_guardian(signed(P1), G3), Error::<Test>::TooManyGuardians);
		assert_noop!(EhrAccess::remove_guardian(signed(P1), G3), Error::<Test>::NotGuardian);
		assert_noop!(EhrAccess::remove_guardian(signed(NOBODY), G1), Error::<Test>::NotAPatient);
		// Only the patient names or removes guardians, not another guardian.
		assert_noop!(EhrAccess::remove_guardian(signed(G1), G2), Error::<Test>::NotAPatient);
	});
}

#[test]
fn a_guardian_manages_consent_and_reads_but_does_not_write() {
	test(|| {
		world();
		let r = record(P1, P1, Category::Condition);
		guardian(P1, G1);
		assert_eq!(decide(G1, r), Ok(AccessReason::Guardian));
		let g = grant(G1, P1, Grantee::Doctor(D1), GrantScope::All, Right::Read, None);
		assert_eq!(Grants::<Test>::get(g).unwrap().granted_by, G1);
		assert_eq!(held(G1, HoldReason::Grant), GrantDeposit::get());
		assert_eq!(decide(D1, r), Ok(AccessReason::Consent { grant: g }));
		assert_noop!(
			EhrAccess::add_record(signed(G1), P1, Category::Condition, None, archive(C, 1)),
			Error::<Test>::NotAuthorized
		);
		assert_ok!(EhrAccess::remove_guardian(signed(P1), G1));
		assert_eq!(decide(G1, r), Err(DenyReason::NoConsent));
	});
}

/// Attack: a guardian the patient no longer trusts leaves grants behind that keep records
/// open. Removing the guardian ends every grant they made (each audited as revoked by the
/// patient, each deposit back to the guardian); the patient's own grants stay.
#[test]
fn grants_made_by_a_removed_guardian_end_with_the_guardian() {
	test(|| {
		world();
		let r = record(P1, P1, Category::Condition);
		guardian(P1, G1);
		guardian(P1, G2);
		let by_g1 = grant(G1, P1, Grantee::Doctor(D1), GrantScope::All, Right::Read, None);
		let by_g1_too = grant(G1, P1, Grantee::Hospital(H2), GrantScope::All, Right::Read, None);
		let by_g2 = grant(G2, P1, Grantee::Doctor(D2), GrantScope::All, Right::Read, None);
		let own = grant(P1, P1, Grantee::Doctor(D2), GrantScope::All, Right::Read, None);
		assert_eq!(held(G1, HoldReason::Grant), 2 * GrantDeposit::get());

		assert_ok!(EhrAccess::remove_guardian(signed(P1), G1));
		for ended in [by_g1, by_g1_too] {
			System::assert_has_event(
				Event::AccessRevoked { patient: P1, grant: ended, by: P1 }.into(),
			);
			assert!(!Grants::<Test>::contains_key(ended));
		}
		System::assert_last_event(Event::GuardianRemoved { patient: P1, guardian: G1 }.into());
		assert_eq!(held(G1, HoldReason::Grant), 0);
		assert_eq!(Patients::<Test>::get(P1).unwrap().grants.to_vec(), vec![by_g2, own]);
		assert_denied(D1, r, DenyReason::NoConsent);
		assert_denied(D3, r, DenyReason::NoConsent);
		assert_eq!(decide(D2, r), Ok(AccessReason::Consent { grant: by_g2 }));
	});
}

/// A deliberate rule, not a leak: revoking a doctor's grant does not stop them reading the
/// records they wrote (`Author`); erasing the record does.
#[test]
fn an_author_still_reads_their_own_record_after_revocation_until_it_is_erased() {
	test(|| {
		world();
		let g = grant(P1, P1, Grantee::Doctor(D1), GrantScope::All, Right::ReadWrite, None);
		let own = record(D1, P1, Category::Condition);
		let other = record(P1, P1, Category::Condition);
		assert_ok!(EhrAccess::revoke_access(signed(P1), P1, g));
		assert_eq!(decide(D1, own), Ok(AccessReason::Author));
		assert_denied(D1, other, DenyReason::NoConsent);
		assert_ok!(<EhrAccess as ArchiveSlot>::mark_erased(own));
		assert_denied(D1, own, DenyReason::Erased);
	});
}

// ---------------------------------------------------------------- grants

#[test]
fn a_category_grant_covers_its_category_only() {
	test(|| {
		world();
		let condition = record(P1, P1, Category::Condition);
		let coverage = record(P1, P1, Category::Coverage);
		let g = grant(
			P1,
			P1,
			Grantee::Doctor(D1),
			GrantScope::Category(Category::Condition),
			Right::Read,
			None,
		);
		System::assert_last_event(
			Event::AccessGranted {
				patient: P1,
				grant: g,
				grantee: Grantee::Doctor(D1),
				scope: GrantScope::Category(Category::Condition),
				right: Right::Read,
				expires_at: None,
				by: P1,
			}
			.into(),
		);
		assert_eq!(held(P1, HoldReason::Grant), GrantDeposit::get());
		assert_eq!(Patients::<Test>::get(P1).unwrap().grants.into_inner(), vec![g]);
		assert_eq!(decide(D1, condition), Ok(AccessReason::Consent { grant: g }));
		assert_eq!(decide(D1, coverage), Err(DenyReason::NoConsent));
		assert_eq!(decide(D2, condition), Err(DenyReason::NoConsent));
		// Future records of the category are covered too.
		let later = record(P1, P1, Category::Condition);
		assert!(decide(D1, later).is_ok());
	});
}

#[test]
fn a_records_grant_covers_the_listed_records_only() {
	test(|| {
		world();
		let a = record(P1, P1, Category::Condition);
		let b = record(P1, P1, Category::Condition);
		let c = record(P1, P1, Category::Condition);
		let g = grant(P1, P1, Grantee::Doctor(D1), records(&[c, a]), Right::Read, None);
		assert_eq!(Grants::<Test>::get(g).unwrap().scope, records(&[a, c]), "stored sorted");
		assert!(decide(D1, a).is_ok());
		assert_eq!(decide(D1, b), Err(DenyReason::NoConsent));
		assert!(decide(D1, c).is_ok());
	});
}

#[test]
fn listed_records_are_checked() {
	test(|| {
		world();
		let mine = record(P1, P1, Category::Condition);
		let theirs = record(P2, P2, Category::Condition);
		let try_scope = |scope| {
			EhrAccess::grant_access(signed(P1), P1, Grantee::Doctor(D1), scope, Right::Read, None)
		};
		assert_noop!(try_scope(records(&[])), Error::<Test>::EmptyScope);
		assert_noop!(try_scope(records(&[mine, mine])), Error::<Test>::DuplicateRecordInScope);
		assert_noop!(try_scope(records(&[mine, 99])), Error::<Test>::UnknownRecord);
		assert_noop!(try_scope(records(&[mine, theirs])), Error::<Test>::RecordNotOfPatient);
	});
}

#[test]
fn grants_are_checked() {
	test(|| {
		world();
		let all = || GrantScope::All;
		assert_noop!(
			EhrAccess::grant_access(
				signed(NOBODY),
				NOBODY,
				Grantee::Doctor(D1),
				all(),
				Right::Read,
				None
			),
			Error::<Test>::NotAPatient
		);
		for who in [P2, D1, H1, NOBODY] {
			assert_noop!(
				EhrAccess::grant_access(
					signed(who),
					P1,
					Grantee::Doctor(D1),
					all(),
					Right::Read,
					None
				),
				Error::<Test>::NotPatientOrGuardian
			);
		}
		assert_noop!(
			EhrAccess::grant_access(
				signed(P1),
				P1,
				Grantee::Doctor(NOBODY),
				all(),
				Right::Read,
				None
			),
			Error::<Test>::UnknownGrantee
		);
		assert_noop!(
			EhrAccess::grant_access(signed(P1), P1, Grantee::Doctor(H1), all(), Right::Read, None),
			Error::<Test>::UnknownGrantee
		);
		assert_noop!(
			EhrAccess::grant_access(
				signed(P1),
				P1,
				Grantee::Hospital(D1),
				all(),
				Right::Read,
				None
			),
			Error::<Test>::UnknownGrantee
		);
		run_to_block(10);
		for expiry in [1, 9, 10] {
			assert_noop!(
				EhrAccess::grant_access(
					signed(P1),
					P1,
					Grantee::Doctor(D1),
					all(),
					Right::Read,
					Some(expiry)
				),
				Error::<Test>::ExpiryInPast
			);
		}
		for _ in 0..MAX_GRANTS {
			grant(P1, P1, Grantee::Doctor(D1), all(), Right::Read, Some(11));
		}
		assert_noop!(
			EhrAccess::grant_access(signed(P1), P1, Grantee::Doctor(D1), all(), Right::Read, None),
			Error::<Test>::TooManyGrants
		);
		// Expired grants still count until revoked.
		run_to_block(20);
		assert_noop!(
			EhrAccess::grant_access(signed(P1), P1, Grantee::Doctor(D1), all(), Right::Read, None),
			Error::<Test>::TooManyGrants
		);
	});
}

#[test]
fn a_grantor_without_funds_cannot_grant() {
	test(|| {
		world();
		guardian(P1, POOR);
		assert_noop!(
			EhrAccess::grant_access(
				signed(POOR),
				P1,
				Grantee::Doctor(D1),
				GrantScope::All,
				Right::Read,
				None
			),
			TokenError::FundsUnavailable
		);
	});
}

#[test]
fn a_grant_stops_at_its_expiry_block_by_itself() {
	test(|| {
		world();
		let r = record(P1, P1, Category::Condition);
		let g = grant(P1, P1, Grantee::Doctor(D1), GrantScope::All, Right::ReadWrite, Some(5));
		run_to_block(4);
		assert_eq!(decide(D1, r), Ok(AccessReason::Consent { grant: g }));
		assert_ok!(EhrAccess::add_record(signed(D1), P1, Category::Condition, None, archive(C, 1)));
		run_to_block(5);
		assert_eq!(decide(D1, r), Err(DenyReason::NoConsent));
		assert_noop!(
			EhrAccess::add_record(signed(D1), P1, Category::Condition, None, archive(C, 1)),
			Error::<Test>::NotAuthorized
		);
		// It stays listed (and its deposit held) until revoked.
		assert_eq!(EhrAccess::patient_grants(&P1, None, 10).len(), 1);
		assert_ok!(EhrAccess::revoke_access(signed(P1), P1, g));
		assert_eq!(held(P1, HoldReason::Grant), 0);
	});
}

#[test]
fn revoking_ends_access_at_once() {
	test(|| {
		world();
		let r = record(P1, P1, Category::Condition);
		let g = grant(P1, P1, Grantee::Doctor(D1), GrantScope::All, Right::Read, None);
		assert_ok!(EhrAccess::open_access(signed(D1), r));
		assert!(EhrAccess::live_ticket(&D1, r).is_some());
		assert_ok!(EhrAccess::revoke_access(signed(P1), P1, g));
		System::assert_last_event(Event::AccessRevoked { patient: P1, grant: g, by: P1 }.into());
		assert_eq!(decide(D1, r), Err(DenyReason::NoConsent));
		assert!(EhrAccess::live_ticket(&D1, r).is_none(), "custodians stop honouring it");
		assert!(Patients::<Test>::get(P1).unwrap().grants.is_empty());
		assert_eq!(held(P1, HoldReason::Grant), 0);
	});
}

#[test]
fn revoking_is_checked() {
	test(|| {
		world();
		let g1 = grant(P1, P1, Grantee::Doctor(D1), GrantScope::All, Right::Read, None);
		let g2 = grant(P2, P2, Grantee::Doctor(D1), GrantScope::All, Right::Read, None);
		assert_noop!(EhrAccess::revoke_access(signed(P1), P1, 99), Error::<Test>::UnknownGrant);
		assert_noop!(EhrAccess::revoke_access(signed(P1), P1, g2), Error::<Test>::UnknownGrant);
		assert_noop!(
			EhrAccess::revoke_access(signed(D1), P1, g1),
			Error::<Test>::NotPatientOrGuardian
		);
		assert_noop!(EhrAccess::revoke_access(signed(P1), NOBODY, g1), Error::<Test>::NotAPatient);
	});
}

#[test]
fn a_hospital_grant_covers_its_active_doctors_while_it_is_active() {
	test(|| {
		world();
		let r = record(P1, P1, Category::Condition);
		let g = grant(P1, P1, Grantee::Hospital(H1), GrantScope::All, Right::ReadWrite, None);
		assert_eq!(decide(D1, r), Ok(AccessReason::Consent { grant: g }));
		assert_eq!(decide(D2, r), Ok(AccessReason::Consent { grant: g }));
		assert_eq!(decide(D3, r), Err(DenyReason::NoConsent), "another hospital's doctor");
		assert_eq!(decide(H1, r), Err(DenyReason::NoConsent), "administrators are not clinicians");
		assert_ok!(EhrAccess::add_record(signed(D2), P1, Category::Procedure, None, archive(C, 1)));
		// A newly registered doctor of the hospital is covered too.
		doctor(H1, 23);
		assert!(decide(23, r).is_ok());
		assert_ok!(EhrAccess::set_doctor_status(signed(H1), D2, Status::Suspended));
		assert_eq!(decide(D2, r), Err(DenyReason::DoctorSuspended));
		assert_ok!(EhrAccess::set_hospital_status(RuntimeOrigin::root(), H1, Status::Suspended));
		assert_eq!(decide(D1, r), Err(DenyReason::HospitalSuspended));
		assert_ok!(EhrAccess::set_hospital_status(RuntimeOrigin::root(), H1, Status::Active));
		assert!(decide(D1, r).is_ok());
	});
}

#[test]
fn a_suspended_hospital_s_doctors_keep_personal_reads_but_cannot_write() {
	test(|| {
		world();
		let r = record(P1, P1, Category::Condition);
		let g = grant(P1, P1, Grantee::Doctor(D1), GrantScope::All, Right::ReadWrite, None);
		let own = record(D1, P1, Category::Procedure);
		assert_ok!(EhrAccess::set_hospital_status(RuntimeOrigin::root(), H1, Status::Suspended));
		assert_eq!(decide(D1, r), Ok(AccessReason::Consent { grant: g }));
		assert_eq!(decide(D1, own), Ok(AccessReason::Author));
		assert_ok!(EhrAccess::open_access(signed(D1), r));
		assert_eq!(
			EhrAccess::decide_write(&D1, &P1, Category::Condition, None, 1),
			Err(DenyReason::HospitalSuspended)
		);
		assert_noop!(
			EhrAccess::add_record(signed(D1), P1, Category::Condition, None, archive(C, 1)),
			Error::<Test>::NotAuthorized
		);
		// Without a personal basis the refusal names the hospital.
		assert_eq!(decide(D2, r), Err(DenyReason::HospitalSuspended));
	});
}

#[test]
fn the_longest_lasting_grant_is_named_and_bounds_the_ticket() {
	test(|| {
		world();
		let r = record(P1, P1, Category::Condition);
		let short = grant(P1, P1, Grantee::Doctor(D1), GrantScope::All, Right::Read, Some(3));
		assert_eq!(decide(D1, r), Ok(AccessReason::Consent { grant: short }));
		assert_ok!(EhrAccess::open_access(signed(D1), r));
		assert_eq!(Tickets::<Test>::get(D1, r).unwrap().expires_at, 3, "capped by the grant");
		let longer = grant(P1, P1, Grantee::Hospital(H1), GrantScope::All, Right::Read, Some(4));
		let _tie = grant(P1, P1, Grantee::Doctor(D1), GrantScope::All, Right::Read, Some(4));
		assert_eq!(decide(D1, r), Ok(AccessReason::Consent { grant: longer }));
		let forever = grant(P1, P1, Grantee::Doctor(D1), GrantScope::All, Right::Read, None);
		assert_eq!(decide(D1, r), Ok(AccessReason::Consent { grant: forever }));
		assert_ok!(EhrAccess::open_access(signed(D1), r));
		assert_eq!(Tickets::<Test>::get(D1, r).unwrap().expires_at, 1 + TICKET_LIFETIME);
	});
}

#[test]
fn only_a_read_write_grant_lets_a_doctor_write_within_its_scope() {
	test(|| {
		world();
		let old = record(P1, P1, Category::Medication);
		let other = record(P1, P1, Category::Medication);
		grant(P1, P1, Grantee::Doctor(D1), GrantScope::All, Right::Read, None);
		assert_noop!(
			EhrAccess::add_record(signed(D1), P1, Category::Medication, None, archive(C, 1)),
			Error::<Test>::NotAuthorized
		);
		let g = grant(
			P1,
			P1,
			Grantee::Doctor(D1),
			GrantScope::Category(Category::Medication),
			Right::ReadWrite,
			None,
		);
		assert_eq!(
			EhrAccess::decide_write(&D1, &P1, Category::Medication, None, 1),
			Ok(AccessReason::Consent { grant: g })
		);
		assert_noop!(
			EhrAccess::add_record(signed(D1), P1, Category::Coverage, None, archive(C, 1)),
			Error::<Test>::NotAuthorized
		);
		assert_ok!(EhrAccess::revoke_access(signed(P1), P1, g));
		// A scope of listed records allows amendments of those records only.
		grant(P1, P1, Grantee::Doctor(D1), records(&[old]), Right::ReadWrite, None);
		assert_noop!(
			EhrAccess::add_record(signed(D1), P1, Category::Medication, None, archive(C, 1)),
			Error::<Test>::NotAuthorized
		);
		assert_noop!(
			EhrAccess::add_record(signed(D1), P1, Category::Medication, Some(other), archive(C, 1)),
			Error::<Test>::NotAuthorized
		);
		assert_ok!(EhrAccess::add_record(
			signed(D1),
			P1,
			Category::Medication,
			Some(old),
			archive(C, 1)
		));
	});
}

// ---------------------------------------------------------------- records

#[test]
fn a_patient_anchors_a_record_and_pays_the_deposit() {
	test(|| {
		world();
		run_to_block(3);
		assert_ok!(EhrAccess::add_record(
			signed(P1),
			P1,
			Category::Demographics,
			None,
			archive(C, 4096)
		));
		let anchor = Records::<Test>::get(0).unwrap();
		assert_eq!(
			anchor,
			Anchor {
				id: 0,
				patient: P1,
				author: P1,
				hospital: None,
				category: Category::Demographics,
				commitment: C,
				size: 4096,
				created_at: 3,
				supersedes: None,
				archive: ArchiveRef { entry: 0, k: 1, n: 1, root: C },
				erased_at: None,
				deposit: RecordDeposit::get(),
			}
		);
		System::assert_last_event(
			Event::RecordAdded {
				record: 0,
				patient: P1,
				author: P1,
				hospital: None,
				category: Category::Demographics,
				commitment: C,
				archive: ArchiveRef { entry: 0, k: 1, n: 1, root: C },
				supersedes: None,
				basis: AccessReason::Owner,
			}
			.into(),
		);
		assert_eq!(PatientRecords::<Test>::get(P1, 0), Some(0));
		assert_eq!(Patients::<Test>::get(P1).unwrap().records, 1);
		assert_eq!(held(P1, HoldReason::RecordAnchor), RecordDeposit::get());
	});
}

#[test]
fn a_doctor_s_record_names_the_hospital_and_the_doctor_pays() {
	test(|| {
		world();
		grant(P1, P1, Grantee::Doctor(D1), GrantScope::All, Right::ReadWrite, None);
		let r = record(D1, P1, Category::DiagnosticReport);
		let anchor = Records::<Test>::get(r).unwrap();
		assert_eq!(anchor.author, D1);
		assert_eq!(anchor.hospital, Some(H1));
		assert_eq!(held(D1, HoldReason::RecordAnchor), RecordDeposit::get());
		assert_eq!(held(P1, HoldReason::RecordAnchor), 0);
	});
}

#[test]
fn record_ids_are_counters_not_content() {
	test(|| {
		world();
		let a = record(P1, P1, Category::Condition);
		let b = record(P1, P1, Category::Condition);
		assert_eq!((a, b), (0, 1));
		assert_eq!(
			Records::<Test>::get(a).unwrap().commitment,
			Records::<Test>::get(b).unwrap().commitment
		);
	});
}

#[test]
fn an_amendment_is_a_new_record_naming_the_old_one() {
	test(|| {
		world();
		let old = record(P1, P1, Category::Condition);
		let theirs = record(P2, P2, Category::Condition);
		let other_kind = record(P1, P1, Category::Coverage);
		assert_ok!(EhrAccess::add_record(
			signed(P1),
			P1,
			Category::Condition,
			Some(old),
			archive([8; 32], 1)
		));
		let new = NextRecordId::<Test>::get() - 1;
		assert_eq!(Records::<Test>::get(new).unwrap().supersedes, Some(old));
		assert_eq!(Records::<Test>::get(old).unwrap().commitment, C, "the old record is unchanged");
		assert_noop!(
			EhrAccess::add_record(signed(P1), P1, Category::Condition, Some(99), archive(C, 1)),
			Error::<Test>::UnknownRecord
		);
		assert_noop!(
			EhrAccess::add_record(signed(P1), P1, Category::Condition, Some(theirs), archive(C, 1)),
			Error::<Test>::SupersededMismatch
		);
		assert_noop!(
			EhrAccess::add_record(
				signed(P1),
				P1,
				Category::Condition,
				Some(other_kind),
				archive(C, 1)
			),
			Error::<Test>::SupersededMismatch
		);
	});
}

#[test]
fn adding_records_is_checked() {
	test(|| {
		world();
		guardian(P1, G1);
		assert_noop!(
			EhrAccess::add_record(signed(P1), NOBODY, Category::Condition, None, archive(C, 1)),
			Error::<Test>::NotAPatient
		);
		assert_noop!(
			EhrAccess::add_record(signed(P1), P1, Category::Condition, None, archive(C, 0)),
			Error::<Test>::EmptyRecord
		);
		for who in [P2, D1, H1, G1, NOBODY] {
			assert_noop!(
				EhrAccess::add_record(signed(who), P1, Category::Condition, None, archive(C, 1)),
				Error::<Test>::NotAuthorized
			);
		}
		for _ in 0..MAX_RECORDS {
			record(P1, P1, Category::Encounter);
		}
		assert_noop!(
			EhrAccess::add_record(signed(P1), P1, Category::Encounter, None, archive(C, 1)),
			Error::<Test>::TooManyRecords
		);
	});
}

#[test]
fn an_author_without_funds_cannot_anchor() {
	test(|| {
		world();
		assert_ok!(EhrAccess::register_hospital(
			RuntimeOrigin::root(),
			12,
			b"x".to_vec(),
			vec![],
			vec![]
		));
		doctor(12, POOR);
		assert_ok!(EhrAccess::open_emergency(signed(POOR), P1, EmergencyReason::Unconscious));
		assert_noop!(
			EhrAccess::add_record(signed(POOR), P1, Category::Condition, None, archive(C, 1)),
			TokenError::FundsUnavailable
		);
	});
}

#[test]
fn the_author_reads_their_record_while_active() {
	test(|| {
		world();
		let g = grant(P1, P1, Grantee::Doctor(D1), GrantScope::All, Right::ReadWrite, None);
		let r = record(D1, P1, Category::Procedure);
		assert_ok!(EhrAccess::revoke_access(signed(P1), P1, g));
		assert_eq!(decide(D1, r), Ok(AccessReason::Author));
		assert_ok!(EhrAccess::set_doctor_status(signed(H1), D1, Status::Suspended));
		assert_eq!(decide(D1, r), Err(DenyReason::DoctorSuspended));
		assert_ok!(EhrAccess::set_doctor_status(signed(H1), D1, Status::Active));
		assert_ok!(EhrAccess::remove_doctor(signed(H1), D1));
		assert_eq!(decide(D1, r), Err(DenyReason::NoConsent), "removed: no longer a doctor");
	});
}

// ---------------------------------------------------------------- emergency

#[test]
fn emergency_access_is_loud_counted_and_time_limited() {
	test(|| {
		world();
		let r = record(P1, P1, Category::AllergyIntolerance);
		assert_eq!(decide(D1, r), Err(DenyReason::NoConsent));
		assert_ok!(EhrAccess::open_emergency(signed(D1), P1, EmergencyReason::Unconscious));
		System::assert_last_event(
			Event::EmergencyAccessOpened {
				doctor: D1,
				hospital: H1,
				patient: P1,
				reason: EmergencyReason::Unconscious,
				expires_at: 1 + EMERGENCY_DURATION,
				total: 1,
			}
			.into(),
		);
		assert_eq!(Doctors::<Test>::get(D1).unwrap().emergencies_opened, 1);
		assert_eq!(decide(D1, r), Ok(AccessReason::Emergency));
		assert_eq!(
			EhrAccess::decide_write(&D1, &P1, Category::Condition, None, 1),
			Ok(AccessReason::Emergency)
		);
		assert_ok!(EhrAccess::open_access(signed(D1), r));
		assert_ok!(EhrAccess::add_record(signed(D1), P1, Category::Encounter, None, archive(C, 1)));
		run_to_block(EMERGENCY_DURATION);
		assert_eq!(decide(D1, r), Ok(AccessReason::Emergency));
		assert_ok!(EhrAccess::open_access(signed(D1), r));
		assert_eq!(
			Tickets::<Test>::get(D1, r).unwrap().expires_at,
			1 + EMERGENCY_DURATION,
			"a ticket never outlives its emergency session"
		);
		run_to_block(1 + EMERGENCY_DURATION);
		assert_eq!(decide(D1, r), Err(DenyReason::NoConsent));
		// Opening again counts again.
		assert_ok!(EhrAccess::open_emergency(signed(D1), P1, EmergencyReason::LifeThreatening));
		assert_eq!(Doctors::<Test>::get(D1).unwrap().emergencies_opened, 2);
		// Other doctors gain nothing.
		assert_eq!(decide(D2, r), Err(DenyReason::NoConsent));
	});
}

#[test]
fn opening_emergency_access_is_checked() {
	test(|| {
		world();
		assert_noop!(
			EhrAccess::open_emergency(signed(NOBODY), P1, EmergencyReason::Other),
			Error::<Test>::NotADoctor
		);
		assert_noop!(
			EhrAccess::open_emergency(signed(D1), NOBODY, EmergencyReason::Other),
			Error::<Test>::NotAPatient
		);
		assert_ok!(EhrAccess::open_emergency(signed(D1), P1, EmergencyReason::Other));
		assert_noop!(
			EhrAccess::open_emergency(signed(D1), P1, EmergencyReason::Other),
			Error::<Test>::EmergencyAlreadyOpen
		);
		patient(60);
		assert_ok!(EhrAccess::open_emergency(signed(D1), P2, EmergencyReason::MassCasualty));
		assert_noop!(
			EhrAccess::open_emergency(signed(D1), 60, EmergencyReason::MassCasualty),
			Error::<Test>::TooManyEmergencies
		);
		// Expired sessions make room.
		run_to_block(1 + EMERGENCY_DURATION);
		assert_ok!(EhrAccess::open_emergency(signed(D1), 60, EmergencyReason::MassCasualty));
		assert_eq!(EmergencySessions::<Test>::get(D1).len(), 1);
		assert_ok!(EhrAccess::set_hospital_status(RuntimeOrigin::root(), H2, Status::Suspended));
		assert_noop!(
			EhrAccess::open_emergency(signed(D3), P1, EmergencyReason::Other),
			Error::<Test>::HospitalNotActive
		);
	});
}

#[test]
fn emergency_access_lapses_while_the_hospital_is_suspended() {
	test(|| {
		world();
		let r = record(P1, P1, Category::Condition);
		assert_ok!(EhrAccess::open_emergency(signed(D1), P1, EmergencyReason::Unconscious));
		assert_ok!(EhrAccess::set_hospital_status(RuntimeOrigin::root(), H1, Status::Suspended));
		assert_eq!(decide(D1, r), Err(DenyReason::HospitalSuspended));
		assert_ok!(EhrAccess::set_hospital_status(RuntimeOrigin::root(), H1, Status::Active));
		assert_eq!(decide(D1, r), Ok(AccessReason::Emergency));
	});
}

#[test]
fn the_doctor_the_patient_or_a_guardian_closes_an_emergency() {
	test(|| {
		world();
		guardian(P1, G1);
		let r = record(P1, P1, Category::Condition);
		for (closer, doctor) in [(D1, D1), (P1, D2), (G1, D3)] {
			assert_ok!(EhrAccess::open_emergency(signed(doctor), P1, EmergencyReason::Unconscious));
			assert_ok!(EhrAccess::close_emergency(signed(closer), P1, doctor));
			System::assert_last_event(
				Event::EmergencyAccessClosed { doctor, patient: P1, by: closer }.into(),
			);
			assert_eq!(decide(doctor, r), Err(DenyReason::NoConsent));
		}
		assert_ok!(EhrAccess::open_emergency(signed(D1), P1, EmergencyReason::Unconscious));
		for outsider in [D2, P2, H1, NOBODY] {
			assert_noop!(
				EhrAccess::close_emergency(signed(outsider), P1, D1),
				Error::<Test>::NotEmergencyParty
			);
		}
		assert_noop!(EhrAccess::close_emergency(signed(P2), P2, D1), Error::<Test>::NoEmergency);
		run_to_block(1 + EMERGENCY_DURATION);
		assert_noop!(EhrAccess::close_emergency(signed(P1), P1, D1), Error::<Test>::NoEmergency);
	});
}

/// Attack: the patient closes a doctor's break-glass session and the doctor opens it again at
/// once. The patient's (or a guardian's) "no" now holds that doctor off the patient for
/// `EmergencyCooldown` blocks; other doctors can still break the glass, and a doctor who closes
/// their own session is not held off.
#[test]
fn a_session_the_patient_closed_cannot_be_reopened_at_once() {
	test(|| {
		world();
		guardian(P1, G1);
		let r = record(P1, P1, Category::Condition);
		for closer in [P1, G1] {
			let doctor = if closer == P1 { D1 } else { D2 };
			assert_ok!(EhrAccess::open_emergency(signed(doctor), P1, EmergencyReason::Unconscious));
			let closed_at = System::block_number();
			assert_ok!(EhrAccess::close_emergency(signed(closer), P1, doctor));
			assert_noop!(
				EhrAccess::open_emergency(signed(doctor), P1, EmergencyReason::Unconscious),
				Error::<Test>::EmergencyCoolingDown
			);
			run_to_block(closed_at + EMERGENCY_COOLDOWN - 1);
			assert_noop!(
				EhrAccess::open_emergency(signed(doctor), P1, EmergencyReason::Other),
				Error::<Test>::EmergencyCoolingDown
			);
			assert_eq!(decide(doctor, r), Err(DenyReason::NoConsent));
			// The cool-down is the patient's, with that doctor: another patient is not affected.
			assert_ok!(EhrAccess::open_emergency(signed(doctor), P2, EmergencyReason::Other));
			assert_ok!(EhrAccess::close_emergency(signed(doctor), P2, doctor));
		}
		// Another doctor may still break the glass for the patient.
		assert_ok!(EhrAccess::open_emergency(signed(D3), P1, EmergencyReason::Unconscious));
		assert_eq!(decide(D3, r), Ok(AccessReason::Emergency));
		// A doctor who closed their own session may open it again.
		assert_ok!(EhrAccess::close_emergency(signed(D3), P1, D3));
		assert_ok!(EhrAccess::open_emergency(signed(D3), P1, EmergencyReason::Unconscious));
		// Once the cool-down is over (it began at block 1), the doctor may open again.
		assert!(System::block_number() > EMERGENCY_COOLDOWN);
		assert_ok!(EhrAccess::open_emergency(signed(D1), P1, EmergencyReason::Unconscious));
		assert_eq!(decide(D1, r), Ok(AccessReason::Emergency));
	});
}

/// Attack: a doctor enumerates patient ids and breaks the glass for one after another. A
/// doctor opens at most `MaxEmergenciesPerPeriod` sessions in any `EmergencyRatePeriod`
/// blocks, however they end; the oldest opening leaving the window makes room for one more.
#[test]
fn a_doctor_breaks_the_glass_at_a_bounded_rate() {
	test(|| {
		world();
		let patients = [P1, P2, 60, 61];
		for p in &patients[2..] {
			patient(*p);
		}
		assert_ok!(EhrAccess::open_emergency(signed(D1), P1, EmergencyReason::MassCasualty));
		assert_ok!(EhrAccess::open_emergency(signed(D1), P2, EmergencyReason::MassCasualty));
		// Closing or letting sessions expire does not give the openings back.
		assert_ok!(EhrAccess::close_emergency(signed(D1), P1, D1));
		assert_ok!(EhrAccess::open_emergency(signed(D1), 60, EmergencyReason::MassCasualty));
		run_to_block(1 + EMERGENCY_DURATION);
		assert_noop!(
			EhrAccess::open_emergency(signed(D1), 61, EmergencyReason::MassCasualty),
			Error::<Test>::EmergencyRateExceeded
		);
		// The limit is the doctor's: another doctor is not affected.
		assert_ok!(EhrAccess::open_emergency(signed(D2), 61, EmergencyReason::MassCasualty));
		// The first openings leave the sliding window at block 1 + EMERGENCY_RATE_PERIOD.
		run_to_block(EMERGENCY_RATE_PERIOD);
		assert_noop!(
			EhrAccess::open_emergency(signed(D1), 61, EmergencyReason::MassCasualty),
			Error::<Test>::EmergencyRateExceeded
		);
		run_to_block(1 + EMERGENCY_RATE_PERIOD);
		assert_ok!(EhrAccess::open_emergency(signed(D1), 61, EmergencyReason::MassCasualty));
		assert_eq!(EmergencyOpenings::<Test>::get(D1).len(), 1);
		assert_eq!(Doctors::<Test>::get(D1).unwrap().emergencies_opened, 4);
	});
}

/// Attack: a doctor with a write grant (or break-glass access) floods a patient with permanent
/// anchors. A writer adds at most `MaxWritesPerPeriod` records for one patient per window of
/// `WriteRatePeriod` blocks; refused, nothing is stored or held. The patient's own records,
/// and other writers and patients, are not affected.
#[test]
fn a_writer_cannot_flood_a_patient_with_records() {
	test(|| {
		world();
		grant(P1, P1, Grantee::Doctor(D1), GrantScope::All, Right::ReadWrite, None);
		grant(P2, P2, Grantee::Doctor(D1), GrantScope::All, Right::ReadWrite, None);
		for _ in 0..MAX_WRITES_PER_PERIOD {
			record(D1, P1, Category::Observation);
		}
		let held_before = held(D1, HoldReason::RecordAnchor);
		assert_noop!(
			EhrAccess::add_record(signed(D1), P1, Category::Observation, None, archive(C, 1)),
			Error::<Test>::WriteRateExceeded
		);
		assert_eq!(held(D1, HoldReason::RecordAnchor), held_before);
		// Break-glass access is bounded the same way.
		assert_ok!(EhrAccess::open_emergency(signed(D2), P1, EmergencyReason::Unconscious));
		for _ in 0..MAX_WRITES_PER_PERIOD {
			record(D2, P1, Category::Encounter);
		}
		assert_noop!(
			EhrAccess::add_record(signed(D2), P1, Category::Encounter, None, archive(C, 1)),
			Error::<Test>::WriteRateExceeded
		);
		// Other patients, and the patient's own records, are not affected.
		record(D1, P2, Category::Observation);
		record(P1, P1, Category::Condition);
		// A new window opens `WriteRatePeriod` blocks after the first write of the last.
		run_to_block(WRITE_RATE_PERIOD);
		assert_noop!(
			EhrAccess::add_record(signed(D1), P1, Category::Observation, None, archive(C, 1)),
			Error::<Test>::WriteRateExceeded
		);
		run_to_block(1 + WRITE_RATE_PERIOD);
		record(D1, P1, Category::Observation);
		assert_eq!(
			WriteWindows::<Test>::get(P1, D1),
			Some(WriteWindow { started_at: 1 + WRITE_RATE_PERIOD, count: 1 })
		);
		assert_eq!(WriteWindows::<Test>::get(P1, P1), None);
	});
}

// ---------------------------------------------------------------- audited reads

#[test]
fn open_access_stores_a_ticket_and_emits_the_audit_event() {
	test(|| {
		world();
		let r = record(P1, P1, Category::Condition);
		run_to_block(2);
		assert_ok!(EhrAccess::open_access(signed(P1), r));
		System::assert_last_event(
			Event::AccessOpened {
				ticket: 0,
				reader: P1,
				record: r,
				patient: P1,
				reason: AccessReason::Owner,
				expires_at: 2 + TICKET_LIFETIME,
			}
			.into(),
		);
		assert_eq!(
			EhrAccess::live_ticket(&P1, r),
			Some(Ticket {
				id: 0,
				reader: P1,
				record: r,
				reason: AccessReason::Owner,
				opened_at: 2,
				expires_at: 2 + TICKET_LIFETIME,
			})
		);
		assert_eq!(TicketCount::<Test>::get(P1), 1);
		// Opening again replaces the ticket, with a new id, and does not count twice.
		assert_ok!(EhrAccess::open_access(signed(P1), r));
		assert_eq!(EhrAccess::live_ticket(&P1, r).unwrap().id, 1);
		assert_eq!(TicketCount::<Test>::get(P1), 1);
	});
}

#[test]
fn open_access_refuses_the_unauthorised_and_audits_the_refusal() {
	test(|| {
		world();
		let r = record(P1, P1, Category::Condition);
		for who in [P2, D1, H1, NOBODY] {
			assert_denied(who, r, DenyReason::NoConsent);
		}
		assert_denied(P1, 99, DenyReason::UnknownRecord);
		assert_noop!(EhrAccess::open_access(RuntimeOrigin::root(), r), DispatchError::BadOrigin);
	});
}

#[test]
fn tickets_expire_by_themselves() {
	test(|| {
		world();
		let r = record(P1, P1, Category::Condition);
		assert_ok!(EhrAccess::open_access(signed(P1), r));
		run_to_block(TICKET_LIFETIME);
		assert!(EhrAccess::live_ticket(&P1, r).is_some());
		run_to_block(1 + TICKET_LIFETIME);
		assert!(EhrAccess::live_ticket(&P1, r).is_none());
		assert!(Tickets::<Test>::contains_key(P1, r), "ignored before it is pruned");
	});
}

#[test]
fn tickets_per_reader_are_bounded() {
	test(|| {
		world();
		let ids: Vec<RecordId> =
			(0..=MAX_TICKETS).map(|_| record(P1, P1, Category::Condition)).collect();
		for r in &ids[..MAX_TICKETS as usize] {
			assert_ok!(EhrAccess::open_access(signed(P1), *r));
		}
		let extra = ids[MAX_TICKETS as usize];
		assert_noop!(EhrAccess::open_access(signed(P1), extra), Error::<Test>::TooManyTickets);
		// Re-opening a held ticket is fine at the bound.
		assert_ok!(EhrAccess::open_access(signed(P1), ids[0]));
		// Once some expire, they are purged to make room.
		run_to_block(1 + TICKET_LIFETIME);
		assert_ok!(EhrAccess::open_access(signed(P1), extra));
		assert_eq!(TicketCount::<Test>::get(P1), 1);
		assert_eq!(Tickets::<Test>::iter_prefix(P1).count(), 1);
	});
}

#[test]
fn on_idle_prunes_expired_tickets_within_its_weight() {
	test(|| {
		world();
		let ids: Vec<RecordId> = (0..3).map(|_| record(P1, P1, Category::Condition)).collect();
		guardian(P1, G1);
		for r in &ids {
			assert_ok!(EhrAccess::open_access(signed(P1), *r));
		}
		assert_ok!(EhrAccess::open_access(signed(G1), ids[0]));
		run_to_block(3);
		assert_ok!(EhrAccess::open_access(signed(G1), ids[1]));
		// No spare weight: nothing happens.
		assert_eq!(idle(Weight::zero()), Weight::zero());
		run_to_block(1 + TICKET_LIFETIME);
		// Room for one ticket only: one looked at.
		let one = <() as WeightInfo>::prune_tickets(1);
		assert_eq!(idle(one), one);
		assert!(TicketPruneCursor::<Test>::get().is_some());
		// One ticket looked at: removed if it was one of the four expired ones.
		assert!(matches!(Tickets::<Test>::iter().count(), 4 | 5));
		// Plenty: the rest of the sweep, then the cursor starts over.
		idle(Weight::MAX);
		assert_eq!(Tickets::<Test>::iter().count(), 1, "the live ticket stays");
		assert!(Tickets::<Test>::contains_key(G1, ids[1]));
		assert_eq!(TicketCount::<Test>::get(P1), 0);
		assert!(!TicketCount::<Test>::contains_key(P1));
		assert_eq!(TicketCount::<Test>::get(G1), 1);
		assert!(TicketPruneCursor::<Test>::get().is_none());
		run_to_block(3 + TICKET_LIFETIME);
		idle(Weight::MAX);
		assert_eq!(Tickets::<Test>::iter().count(), 0);
	});
}

#[test]
fn hooks_are_sound() {
	test(|| {
		<EhrAccess as Hooks<u64>>::integrity_test();
	});
}

// ---------------------------------------------------------------- counters

#[test]
fn exhausted_counters_fail_cleanly() {
	test(|| {
		world();
		let r = record(P1, P1, Category::Condition);
		NextRecordId::<Test>::put(u64::MAX);
		assert_noop!(
			EhrAccess::add_record(signed(P1), P1, Category::Condition, None, archive(C, 1)),
			Error::<Test>::Overflow
		);
		NextGrantId::<Test>::put(u64::MAX);
		assert_noop!(
			EhrAccess::grant_access(
				signed(P1),
				P1,
				Grantee::Doctor(D1),
				GrantScope::All,
				Right::Read,
				None
			),
			Error::<Test>::Overflow
		);
		NextTicketId::<Test>::put(u64::MAX);
		assert_noop!(EhrAccess::open_access(signed(P1), r), Error::<Test>::Overflow);
		NextPatientId::<Test>::put(u64::MAX);
		assert_noop!(EhrAccess::register_patient(signed(60)), Error::<Test>::Overflow);
		NextRecordId::<Test>::put(1);
		NextGrantId::<Test>::put(0);
		NextTicketId::<Test>::put(0);
		NextPatientId::<Test>::put(2);
	});
}

// ---------------------------------------------------------------- archive slot

#[test]
fn a_record_is_stored_with_its_archive_or_not_at_all() {
	test(|| {
		world();
		let before = pallet_state();
		let held = Balances::total_balance_on_hold(&P1);
		assert_noop!(
			EhrAccess::add_record(
				signed(P1),
				P1,
				Category::Condition,
				None,
				archive(REFUSED_ROOT, 1)
			),
			DispatchError::Other("archive refused")
		);
		assert_eq!(pallet_state(), before, "no anchor, no id taken");
		assert_eq!(Balances::total_balance_on_hold(&P1), held, "no deposit held");
		let r = record(P1, P1, Category::Condition);
		let anchor = Records::<Test>::get(r).unwrap();
		assert_eq!(anchor.archive, ArchiveRef { entry: r, k: 1, n: 1, root: C });
		assert_eq!(anchor.commitment, C);
		assert_eq!(<EhrAccess as ArchiveSlot>::commitment(r), Some(C));
		assert_eq!(<EhrAccess as ArchiveSlot>::commitment(99), None);
	});
}

#[test]
fn an_erased_record_is_marked_once_and_can_no_longer_be_opened() {
	test(|| {
		world();
		let r = record(P1, P1, Category::Condition);
		assert_noop!(<EhrAccess as ArchiveSlot>::mark_erased(99), Error::<Test>::UnknownRecord);
		assert_ok!(EhrAccess::open_access(signed(P1), r));
		assert!(!<EhrAccess as ArchiveSlot>::is_erased(r));

		System::set_block_number(7);
		assert_ok!(<EhrAccess as ArchiveSlot>::mark_erased(r));
		assert!(<EhrAccess as ArchiveSlot>::is_erased(r));
		System::assert_last_event(Event::RecordErased { record: r }.into());
		let anchor = Records::<Test>::get(r).unwrap();
		assert_eq!(anchor.erased_at, Some(7));
		// The anchor stays, with its deposit: it is the audit trail.
		assert_eq!(anchor.deposit, RecordDeposit::get());
		assert_noop!(<EhrAccess as ArchiveSlot>::mark_erased(r), Error::<Test>::AlreadyErased);

		// Nobody opens it any more, not even its patient.
		assert_denied(P1, r, DenyReason::Erased);
		assert_eq!(EhrAccess::can_access(&P1, r), AccessDecision::Denied(DenyReason::Erased));
		assert_ok!(EhrAccess::do_try_state());
	});
}

#[test]
fn the_archive_slot_names_who_may_archive_and_erase() {
	test(|| {
		world();
		guardian(P1, G1);
		let r = record(P1, P1, Category::Condition);
		assert_eq!(<EhrAccess as ArchiveSlot>::patient_and_author(r), Some((P1, P1)));
		assert_eq!(<EhrAccess as ArchiveSlot>::patient_and_author(99), None);
		assert!(<EhrAccess as ArchiveSlot>::is_guardian(&P1, &G1));
		assert!(!<EhrAccess as ArchiveSlot>::is_guardian(&G1, &P1));
		assert!(!<EhrAccess as ArchiveSlot>::is_guardian(&P2, &G1));
	});
}

// ---------------------------------------------------------------- runtime API

#[test]
fn can_access_gives_every_reason() {
	test(|| {
		world();
		guardian(P1, G1);
		let r = record(P1, P1, Category::Condition);
		let g = grant(P1, P1, Grantee::Doctor(D1), GrantScope::All, Right::ReadWrite, None);
		let by_d1 = record(D1, P1, Category::Condition);
		assert_ok!(EhrAccess::open_emergency(signed(D3), P1, EmergencyReason::Unconscious));
		use AccessDecision::*;
		assert_eq!(EhrAccess::can_access(&P1, r), Allowed(AccessReason::Owner));
		assert_eq!(EhrAccess::can_access(&G1, r), Allowed(AccessReason::Guardian));
		assert_eq!(EhrAccess::can_access(&D1, by_d1), Allowed(AccessReason::Author));
		assert_eq!(EhrAccess::can_access(&D1, r), Allowed(AccessReason::Consent { grant: g }));
		assert_eq!(EhrAccess::can_access(&D3, r), Allowed(AccessReason::Emergency));
		assert_eq!(EhrAccess::can_access(&D2, r), Denied(DenyReason::NoConsent));
		assert_eq!(EhrAccess::can_access(&NOBODY, r), Denied(DenyReason::NoConsent));
		assert_eq!(EhrAccess::can_access(&P1, 99), Denied(DenyReason::UnknownRecord));
		assert!(EhrAccess::can_access(&P1, r).is_allowed());
		assert_ok!(EhrAccess::set_doctor_status(signed(H1), D2, Status::Suspended));
		assert_eq!(EhrAccess::can_access(&D2, r), Denied(DenyReason::DoctorSuspended));
		assert_eq!(
			EhrAccess::decide_write(&D1, &NOBODY, Category::Condition, None, 1),
			Err(DenyReason::UnknownPatient)
		);
	});
}

#[test]
fn patient_records_are_paged_in_id_order() {
	test(|| {
		world();
		let mut mine = Vec::new();
		for i in 0..MAX_RECORDS {
			mine.push(record(P1, P1, Category::Condition));
			if i % 2 == 0 {
				record(P2, P2, Category::Condition);
			}
		}
		let ids = |page: Vec<(RecordId, AnchorOf<Test>)>| {
			page.into_iter().map(|(id, _)| id).collect::<Vec<_>>()
		};
		assert_eq!(ids(EhrAccess::patient_records(&P1, None, 100)), mine);
		assert_eq!(ids(EhrAccess::patient_records(&P1, None, 2)), mine[..2]);
		assert_eq!(ids(EhrAccess::patient_records(&P1, Some(mine[1]), 2)), mine[2..4]);
		// `start_after` need not be one of the patient's records.
		let theirs = mine[2] + 1;
		assert!(Records::<Test>::get(theirs).unwrap().patient == P2);
		assert_eq!(ids(EhrAccess::patient_records(&P1, Some(theirs), 100)), mine[3..]);
		assert_eq!(ids(EhrAccess::patient_records(&P1, Some(u64::MAX), 100)), Vec::<u64>::new());
		assert_eq!(ids(EhrAccess::patient_records(&P1, None, 0)), Vec::<u64>::new());
		assert!(EhrAccess::patient_records(&NOBODY, None, 10).is_empty());
		let page = EhrAccess::patient_records(&P1, None, 1);
		assert_eq!(page[0].1, Records::<Test>::get(mine[0]).unwrap());
	});
}

#[test]
fn patient_grants_are_paged_in_id_order() {
	test(|| {
		world();
		let r = record(P1, P1, Category::Condition);
		let a = grant(P1, P1, Grantee::Doctor(D1), GrantScope::All, Right::Read, None);
		grant(P2, P2, Grantee::Doctor(D1), GrantScope::All, Right::Read, None);
		let b = grant(P1, P1, Grantee::Hospital(H2), records(&[r]), Right::ReadWrite, Some(9));
		let c = grant(P1, P1, Grantee::Doctor(D3), GrantScope::All, Right::Read, None);
		let ids =
			|p: &[(GrantId, ApiGrantOf<Test>)]| p.iter().map(|(id, _)| *id).collect::<Vec<_>>();
		assert_eq!(ids(&EhrAccess::patient_grants(&P1, None, 10)), vec![a, b, c]);
		assert_eq!(ids(&EhrAccess::patient_grants(&P1, Some(a), 1)), vec![b]);
		assert_eq!(ids(&EhrAccess::patient_grants(&P1, Some(b), 10)), vec![c]);
		let page = EhrAccess::patient_grants(&P1, Some(a), 1);
		let shown = &page[0].1;
		assert_eq!(shown.grantee, Grantee::Hospital(H2));
		assert_eq!(shown.scope, GrantScope::Records(BoundedVec::truncate_from(vec![r])));
		assert_eq!(shown.expires_at, Some(9));
		assert_eq!(shown.deposit, GrantDeposit::get());
		assert!(EhrAccess::patient_grants(&NOBODY, None, 10).is_empty());
	});
}

#[test]
fn pages_are_capped_at_max_page_len() {
	// More records than the mock's bound allows, written directly, to exceed a page.
	new_test_ext().execute_with(|| {
		patient(P1);
		let count = MAX_PAGE_LEN + 20;
		for id in 0..count as RecordId {
			Records::<Test>::insert(
				id,
				Anchor {
					id,
					patient: P1,
					author: P1,
					hospital: None,
					category: Category::Encounter,
					commitment: C,
					size: 1,
					created_at: 1,
					supersedes: None,
					archive: ArchiveRef { entry: id, k: 1, n: 1, root: C },
					erased_at: None,
					deposit: 0,
				},
			);
			PatientRecords::<Test>::insert(P1, id as u32, id);
		}
		Patients::<Test>::mutate(P1, |p| p.as_mut().unwrap().records = count);
		let page = EhrAccess::patient_records(&P1, None, u32::MAX);
		assert_eq!(page.len(), MAX_PAGE_LEN as usize);
		let rest = EhrAccess::patient_records(&P1, Some(page[page.len() - 1].0), u32::MAX);
		assert_eq!(rest.len(), 20);
		assert_eq!(rest[0].0, MAX_PAGE_LEN as RecordId);
	});
}

// ---------------------------------------------------------------- categories

#[test]
fn every_category_maps_to_one_fhir_resource_type() {
	use std::collections::BTreeSet;
	let types: BTreeSet<&str> = Category::ALL.iter().map(|c| c.fhir_resource_type()).collect();
	assert_eq!(types.len(), Category::ALL.len(), "no two categories share a resource type");
	for c in Category::ALL {
		assert_eq!(Category::from_fhir_resource_type(c.fhir_resource_type()), Some(c));
	}
	assert_eq!(Category::from_fhir_resource_type("Bundle"), None);
	// What the original app stored.
	for (what, resource) in [
		("demographics", "Patient"),
		("insurance", "Coverage"),
		("present and past illness", "Condition"),
		("diagnosis", "DiagnosticReport"),
		("prescription", "MedicationRequest"),
		("treatment summary", "Procedure"),
		("visit dates", "Encounter"),
	] {
		assert!(Category::from_fhir_resource_type(resource).is_some(), "{what} is covered");
	}
	// The codec order is stable.
	for (i, c) in Category::ALL.iter().enumerate() {
		assert_eq!(codec::Encode::encode(c), vec![i as u8]);
	}
}

// ---------------------------------------------------------------- invariants

#[test]
fn try_state_catches_broken_invariants() {
	new_test_ext().execute_with(|| {
		world();
		let r = record(P1, P1, Category::Condition);
		grant(P1, P1, Grantee::Doctor(D1), GrantScope::All, Right::Read, None);
		assert_ok!(EhrAccess::open_access(signed(P1), r));
		assert_ok!(EhrAccess::do_try_state());

		type Breakage = (&'static str, Box<dyn Fn()>);
		let breakages: Vec<Breakage> = vec![
			(
				"doctor count",
				Box::new(move || {
					Hospitals::<Test>::mutate(H1, |h| h.as_mut().unwrap().doctors = 7)
				}),
			),
			("anchor of unknown patient", Box::new(move || Patients::<Test>::remove(P1))),
			(
				"record count",
				Box::new(move || Patients::<Test>::mutate(P1, |p| p.as_mut().unwrap().records = 0)),
			),
			(
				"grant list",
				Box::new(move || {
					Patients::<Test>::mutate(P1, |p| p.as_mut().unwrap().grants.clear())
				}),
			),
			("ticket count", Box::new(move || TicketCount::<Test>::insert(P1, 2))),
			("guardian index", Box::new(move || Guardianships::<Test>::insert(G1, P1, ()))),
			(
				"role conflict",
				Box::new(move || {
					Hospitals::<Test>::insert(D1, Hospitals::<Test>::get(H1).unwrap())
				}),
			),
			(
				"unsorted guardians",
				Box::new(move || {
					Patients::<Test>::mutate(P2, |p| {
						let p = p.as_mut().unwrap();
						p.guardians = BoundedVec::truncate_from(vec![
							GuardianEntry { account: G2, deposit: 0 },
							GuardianEntry { account: G1, deposit: 0 },
						]);
					});
					Guardianships::<Test>::insert(G1, P2, ());
					Guardianships::<Test>::insert(G2, P2, ());
				}),
			),
			(
				"deposit",
				Box::new(move || {
					Patients::<Test>::mutate(P2, |p| p.as_mut().unwrap().deposit = 1);
				}),
			),
			(
				"anchor id",
				Box::new(move || Records::<Test>::mutate(r, |a| a.as_mut().unwrap().id = 5)),
			),
		];
		for (what, breakage) in breakages {
			polkadot_sdk::frame_support::storage::with_transaction(|| {
				breakage();
				assert!(EhrAccess::do_try_state().is_err(), "{what} goes unnoticed");
				polkadot_sdk::sp_runtime::TransactionOutcome::Rollback(Ok::<(), DispatchError>(()))
			})
			.unwrap();
			assert_ok!(EhrAccess::do_try_state());
		}
	});
}

/// Every error variant of the pallet is named by at least one test in this file.
#[test]
fn every_error_has_a_test() {
	use scale_info::{meta_type, PortableRegistry, Registry, TypeDef};
	let source = include_str!("tests.rs");
	let mut registry = Registry::new();
	let id = registry.register_type(&meta_type::<Error<Test>>()).id;
	let registry: PortableRegistry = registry.into();
	let TypeDef::Variant(errors) = &registry.resolve(id).unwrap().type_def else {
		panic!("Error is an enum")
	};
	assert!(errors.variants.len() >= 40);
	for variant in &errors.variants {
		let needle = format!("Error::<Test>::{}", variant.name);
		assert!(source.matches(&needle).count() >= 1, "no test names {}", variant.name);
	}
}
