//! Hostile calls: SCALE bytes decoded as a call of this pallet, as the runtime decodes an
//! extrinsic's call, and dispatched from a random origin (root, none, or a signed account:
//! hospital, doctor, patient, guardian, stranger, or one without funds) on a populated state.
//! The bytes are a real call index followed by random argument bytes (with a known account
//! spliced in front, where most calls take one), or wholly random. Whatever arrives, decoding
//! fails cleanly, or the call succeeds or returns an error: nothing panics (a `defensive!` would,
//! in tests), and the pallet's invariants (`do_try_state`) hold after every call.
//!
//! A property test rather than a coverage-guided target: the pallet needs a runtime around it,
//! which the fuzz crate (`fuzz/`) does not build. `PROPTEST_CASES` sequences (default 512).
use crate::{mock::*, *};
use codec::Decode;
use polkadot_sdk::frame_support::{assert_ok, traits::UnfilteredDispatchable};
use proptest::prelude::*;
use std::cell::Cell;

/// Hospital, doctors, patients, a guardian, a stranger, and an account without funds.
const ACTORS: [u64; 9] = [10, 20, 21, 30, 31, 40, 50, 100, 11];

/// A hospital with two doctors, two patients (one with a guardian), a grant and records.
fn populate() {
	let s = RuntimeOrigin::signed;
	assert_ok!(EhrAccess::register_hospital(
		RuntimeOrigin::root(),
		10,
		b"H".to_vec(),
		vec![],
		vec![]
	));
	for d in [20, 21] {
		assert_ok!(EhrAccess::invite_doctor(s(10), d, b"Dr".to_vec(), vec![], vec![]));
		assert_ok!(EhrAccess::accept_doctor_invitation(s(d)));
	}
	assert_ok!(EhrAccess::invite_doctor(s(10), 11, b"Dr".to_vec(), vec![], vec![]));
	for p in [30, 31] {
		assert_ok!(EhrAccess::register_patient(s(p)));
		assert_ok!(EhrAccess::add_record(s(p), p, Category::Condition, None, archive([1; 32], 1)));
	}
	assert_ok!(EhrAccess::add_guardian(s(30), 40));
	assert_ok!(EhrAccess::grant_access(
		s(30),
		30,
		Grantee::Doctor(20),
		GrantScope::All,
		Right::ReadWrite,
		None
	));
	assert_ok!(EhrAccess::open_emergency(s(21), 31, EmergencyReason::Other));
}

#[derive(Clone, Debug)]
enum Origin {
	Root,
	None,
	Signed(u64),
}

fn origin() -> impl Strategy<Value = Origin> {
	prop_oneof![
		1 => Just(Origin::Root),
		1 => Just(Origin::None),
		8 => proptest::sample::select(&ACTORS[..]).prop_map(Origin::Signed),
	]
}

/// Call bytes: a call index (every one, and some past the last) and random arguments, with an
/// actor's account first half of the time; or random bytes.
fn call_bytes() -> impl Strategy<Value = Vec<u8>> {
	let shaped = (
		0u8..24,
		proptest::option::of(proptest::sample::select(&ACTORS[..])),
		proptest::collection::vec(any::<u8>(), 0..160),
	)
		.prop_map(|(index, account, args)| {
			let mut bytes = vec![index];
			if let Some(account) = account {
				bytes.extend(account.to_le_bytes());
			}
			bytes.extend(args);
			bytes
		});
	prop_oneof![9 => shaped, 1 => proptest::collection::vec(any::<u8>(), 0..64)]
}

thread_local! {
	static DECODED: Cell<u64> = const { Cell::new(0) };
	static SUCCEEDED: Cell<u64> = const { Cell::new(0) };
	static SENT: Cell<u64> = const { Cell::new(0) };
}

fn bump(counter: &'static std::thread::LocalKey<Cell<u64>>) {
	counter.with(|c| c.set(c.get() + 1));
}

fn cases() -> u32 {
	std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(512)
}

#[test]
fn hostile_calls_never_panic_nor_break_invariants() {
	let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(cases()));
	let strategy = proptest::collection::vec((origin(), call_bytes(), 0u64..4), 1..12);
	runner
		.run(&strategy, |calls| {
			new_test_ext().execute_with(|| -> Result<(), TestCaseError> {
				populate();
				for (origin, bytes, blocks) in calls {
					bump(&SENT);
					run_to_block(System::block_number() + blocks);
					let Ok(call) = crate::Call::<Test>::decode(&mut &bytes[..]) else { continue };
					bump(&DECODED);
					let origin = match origin {
						Origin::Root => RuntimeOrigin::root(),
						Origin::None => RuntimeOrigin::none(),
						Origin::Signed(who) => RuntimeOrigin::signed(who),
					};
					if call.dispatch_bypass_filter(origin).is_ok() {
						bump(&SUCCEEDED);
					}
					prop_assert_eq!(EhrAccess::do_try_state(), Ok(()));
				}
				Ok(())
			})
		})
		.unwrap();
	let (sent, decoded, succeeded) =
		(SENT.with(Cell::get), DECODED.with(Cell::get), SUCCEEDED.with(Cell::get));
	println!("hostile calls: {sent} sent, {decoded} decoded as calls and dispatched, {succeeded} succeeded");
	// Not hollow: many calls get past decoding, and some past every check.
	assert!(decoded * 10 >= sent, "too few calls decode: {decoded} of {sent}");
	assert!(succeeded > 0, "no call ever succeeded");
}
