use crate::{mock::*, CustodianCount, CustodianStatus, Custodians, Error, Event};
use polkadot_sdk::{
	frame_support::{assert_noop, assert_ok},
	sp_runtime::DispatchError,
};

const NODE: u64 = 7;
const KEY: [u8; 32] = [9; 32];

fn register(who: u64) {
	assert_ok!(ShamirArchive::register_custodian(
		RuntimeOrigin::root(),
		who,
		b"ws://127.0.0.1:9944".to_vec(),
		KEY
	));
}

#[test]
fn registrar_admits_a_custodian() {
	new_test_ext().execute_with(|| {
		register(NODE);
		let custodian = Custodians::<Test>::get(NODE).expect("stored");
		assert_eq!(custodian.endpoint.as_slice(), b"ws://127.0.0.1:9944");
		assert_eq!(custodian.x25519_public, KEY);
		assert_eq!(custodian.status, CustodianStatus::Active);
		assert_eq!(custodian.registered_at, 1);
		assert_eq!(CustodianCount::<Test>::get(), 1);
		System::assert_last_event(
			Event::CustodianRegistered { custodian: NODE, endpoint: custodian.endpoint }.into(),
		);
		ShamirArchive::do_try_state().unwrap();
	});
}

#[test]
fn only_the_registrar_admits() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			ShamirArchive::register_custodian(
				RuntimeOrigin::signed(1),
				NODE,
				b"ws://x".to_vec(),
				KEY
			),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn a_custodian_is_admitted_once() {
	new_test_ext().execute_with(|| {
		register(NODE);
		assert_noop!(
			ShamirArchive::register_custodian(RuntimeOrigin::root(), NODE, b"ws://y".to_vec(), KEY),
			Error::<Test>::AlreadyCustodian
		);
	});
}

#[test]
fn endpoint_must_be_present_and_bounded() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			ShamirArchive::register_custodian(RuntimeOrigin::root(), NODE, vec![], KEY),
			Error::<Test>::BadEndpoint
		);
		assert_noop!(
			ShamirArchive::register_custodian(RuntimeOrigin::root(), NODE, vec![b'a'; 65], KEY),
			Error::<Test>::BadEndpoint
		);
		assert_ok!(ShamirArchive::register_custodian(
			RuntimeOrigin::root(),
			NODE,
			vec![b'a'; 64],
			KEY
		));
	});
}

#[test]
fn registrar_suspends_and_reinstates() {
	new_test_ext().execute_with(|| {
		register(NODE);
		assert_ok!(ShamirArchive::set_custodian_status(
			RuntimeOrigin::root(),
			NODE,
			CustodianStatus::Suspended
		));
		assert_eq!(Custodians::<Test>::get(NODE).unwrap().status, CustodianStatus::Suspended);
		System::assert_last_event(
			Event::CustodianStatusChanged { custodian: NODE, status: CustodianStatus::Suspended }
				.into(),
		);
		assert_noop!(
			ShamirArchive::set_custodian_status(
				RuntimeOrigin::root(),
				NODE,
				CustodianStatus::Suspended
			),
			Error::<Test>::StatusUnchanged
		);
		assert_ok!(ShamirArchive::set_custodian_status(
			RuntimeOrigin::root(),
			NODE,
			CustodianStatus::Active
		));
		ShamirArchive::do_try_state().unwrap();
	});
}

#[test]
fn status_of_unknown_custodian_is_an_error() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			ShamirArchive::set_custodian_status(
				RuntimeOrigin::root(),
				NODE,
				CustodianStatus::Suspended
			),
			Error::<Test>::UnknownCustodian
		);
		assert_noop!(
			ShamirArchive::set_custodian_status(
				RuntimeOrigin::signed(NODE),
				NODE,
				CustodianStatus::Suspended
			),
			DispatchError::BadOrigin
		);
	});
}
