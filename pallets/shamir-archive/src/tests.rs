//! Unit tests: every rule and every error of every call, with `do_try_state` checked after each.
use crate::{mock::*, *};
use codec::{Decode, Encode};
use pallet_ehr_access::{ArchiveRef, Category, GrantScope, Grantee, Right};
use polkadot_sdk::{
	frame_support::{
		assert_noop, assert_ok,
		storage::{with_transaction, TransactionOutcome},
		traits::{
			fungible::{InspectHold, Mutate},
			Hooks,
		},
		BoundedVec,
	},
	sp_core::sr25519,
	sp_io,
	sp_runtime::{DispatchError, DispatchResult, TokenError},
};

const P: u64 = 10;
const P2: u64 = 11;
const G: u64 = 12;
const H: u64 = 20;
const D: u64 = 21;
const STRANGER: u64 = 50;
/// Custodians are 30, 31, ...
const C0: u64 = 30;
const AID: ArchiveId = [0xa1; 32];

fn test(f: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		f();
		ShamirArchive::do_try_state().expect("invariants hold");
	});
}

fn signed(who: u64) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

fn root() -> RuntimeOrigin {
	RuntimeOrigin::root()
}

/// Custodian `c`'s receipt key: the same key each time, from the keystore.
fn key(c: u64) -> sr25519::Public {
	sp_io::crypto::sr25519_generate(RECEIPT_KEY_TYPE, Some(format!("//custodian/{c}").into_bytes()))
}

fn endpoint(c: u64) -> Vec<u8> {
	format!("ws://10.0.0.{c}:9944").into_bytes()
}

fn register(c: u64) {
	assert_ok!(ShamirArchive::register_custodian(root(), c, endpoint(c), [c as u8; 32], key(c)));
}

/// How many blocks the tests' receipts stay valid: comfortably past any block a test reaches
/// unless it is about expiry.
const VALIDITY: u64 = 100;

/// The last block of a receipt made now: [`VALIDITY`] blocks ahead.
fn valid_until() -> u64 {
	System::block_number() + VALIDITY
}

/// What a custodian node does: sign the receipt message of piece `(index, hash)` of the write
/// `(patient, author, aid)`, valid until block `valid_until`, with its receipt key.
fn sign_until(
	c: u64,
	(patient, author): (u64, u64),
	aid: ArchiveId,
	piece: (u8, PieceHash),
	valid_until: u64,
) -> Receipt<u64> {
	let write = ReceiptFor { patient: &patient, author: &author, archive_id: aid };
	let payload = ShamirArchive::receipt_message(write, piece, c, valid_until).payload();
	let signature =
		sp_io::crypto::sr25519_sign(RECEIPT_KEY_TYPE, &key(c), &payload).expect("key in keystore");
	Receipt { signature, valid_until }
}

/// [`sign_until`] [`VALIDITY`] blocks from now.
fn sign_for(
	c: u64,
	(patient, author): (u64, u64),
	aid: ArchiveId,
	index: u8,
	hash: PieceHash,
) -> Receipt<u64> {
	sign_until(c, (patient, author), aid, (index, hash), valid_until())
}

/// [`sign_for`] a record that `patient` writes themselves.
fn sign(c: u64, patient: u64, aid: ArchiveId, index: u8, hash: PieceHash) -> Receipt<u64> {
	sign_for(c, (patient, patient), aid, index, hash)
}

/// A receipt whose signature is no custodian's, valid until `valid_until`.
fn forged(valid_until: u64) -> Receipt<u64> {
	Receipt { signature: sr25519::Signature::from_raw([0; 64]), valid_until }
}

/// A record's write: what `add_record` takes, and the record id it gets.
#[derive(Clone)]
struct Plan {
	/// The id the record gets once written (the next one when the plan was made).
	record: RecordId,
	patient: u64,
	/// Who the receipts name as the record's author.
	author: u64,
	aid: ArchiveId,
	header: CommitmentsHeader,
	hashes: Vec<PieceHash>,
	custodians: Vec<u64>,
	receipts: Vec<Option<Receipt<u64>>>,
}

impl Plan {
	fn commitments(&self) -> ehr_archive_codec::Commitments {
		ehr_archive_codec::Commitments {
			version: ehr_archive_codec::Version::V1,
			threshold: self.header.threshold,
			payload_len: self.header.payload_len,
			segment_size: self.header.segment_size,
			piece_hashes: self.hashes.clone(),
		}
	}

	/// The root the record commits to: over the archive id, the patient and this chain.
	fn root(&self) -> [u8; 32] {
		self.commitments().root(&ShamirArchive::codec_record_id(&self.aid, &self.patient))
	}

	/// Re-sign every receipt that is given, for the current fields (each until the block it
	/// names).
	fn resign(mut self) -> Self {
		for i in 0..self.hashes.len() {
			if let Some(receipt) = self.receipts[i] {
				self.receipts[i] = Some(sign_until(
					self.custodians[i],
					(self.patient, self.author),
					self.aid,
					(i as u8, self.hashes[i]),
					receipt.valid_until,
				));
			}
		}
		self
	}

	fn submission(&self) -> ArchiveSubmissionOf<Test> {
		let pieces = self
			.custodians
			.iter()
			.zip(&self.hashes)
			.zip(&self.receipts)
			.map(|((c, h), r)| PieceSubmission { custodian: *c, hash: *h, receipt: *r })
			.collect::<Vec<_>>();
		ArchiveSubmission {
			archive_id: self.aid,
			header: self.header,
			pieces: BoundedVec::truncate_from(pieces),
		}
	}

	/// `who` adds the record with this archive, in one call.
	fn anchor(&self, who: u64) -> DispatchResult {
		EhrAccess::add_record(
			signed(who),
			self.patient,
			Category::Condition,
			None,
			self.submission(),
		)
		.map(|_| ())
		.map_err(|e| e.error)
	}
}

fn header(k: u8) -> CommitmentsHeader {
	CommitmentsHeader {
		version: ehr_archive_codec::VERSION,
		threshold: k,
		payload_len: 1000,
		segment_size: 4096,
	}
}

fn patient(p: u64) {
	if !pallet_ehr_access::Patients::<Test>::contains_key(p) {
		assert_ok!(EhrAccess::register_patient(signed(p)));
	}
}

/// A record that patient `P` writes, archived as `k` of `n` under `AID`, custodians
/// `C0..C0+n` registered, every receipt given (valid [`VALIDITY`] blocks); not written yet.
fn plan(k: u8, n: u8) -> Plan {
	patient(P);
	let custodians: Vec<u64> = (0..u64::from(n)).map(|i| C0 + i).collect();
	for c in &custodians {
		if !Custodians::<Test>::contains_key(c) {
			register(*c);
		}
	}
	let plan = Plan {
		record: pallet_ehr_access::NextRecordId::<Test>::get(),
		patient: P,
		author: P,
		aid: AID,
		header: header(k),
		hashes: (0..n).map(|i| [i + 1; 32]).collect(),
		custodians,
		receipts: vec![Some(forged(valid_until())); n.into()],
	};
	plan.resign()
}

/// `plan(k, n)` written by `P`, with the receipts of `missing` pieces left out.
fn anchored(k: u8, n: u8, missing: &[usize]) -> Plan {
	let mut plan = plan(k, n);
	for i in missing {
		plan.receipts[*i] = None;
	}
	assert_ok!(plan.anchor(P));
	plan
}

/// Register hospital `H` with doctor `doctor`, whom `P` grants read-and-write access.
fn doctor_with_consent(doctor: u64) {
	if !pallet_ehr_access::Hospitals::<Test>::contains_key(H) {
		assert_ok!(EhrAccess::register_hospital(root(), H, b"St Mary".to_vec(), vec![], vec![]));
	}
	assert_ok!(EhrAccess::invite_doctor(signed(H), doctor, b"Dr A".to_vec(), vec![], vec![]));
	assert_ok!(EhrAccess::accept_doctor_invitation(signed(doctor)));
	assert_ok!(EhrAccess::grant_access(
		signed(P),
		P,
		Grantee::Doctor(doctor),
		GrantScope::All,
		Right::ReadWrite,
		None
	));
}

/// `plan(1, n)` for a record that doctor `D` of hospital `H` writes under `P`'s consent; not
/// written yet.
fn written_by_doctor(n: u8) -> Plan {
	patient(P);
	doctor_with_consent(D);
	let mut p = plan(1, n);
	p.author = D;
	p.resign()
}

/// [`written_by_doctor`], written by the doctor.
fn anchored_by_doctor(n: u8) -> Plan {
	let p = written_by_doctor(n);
	assert_ok!(p.anchor(D));
	p
}

fn entry(record: RecordId) -> ArchiveEntryOf<Test> {
	Archives::<Test>::get(record).expect("archived")
}

/// What `who` holds for archive entries.
fn archive_held(who: u64) -> u64 {
	Balances::balance_on_hold(&ArchiveHoldReason::get(), &who)
}

/// The deposit of `entry` under the mock's pricing: the base, and a unit per byte of the
/// entry and its archive-id index (32 + 8 bytes).
fn deposit_of(entry: &ArchiveEntryOf<Test>) -> u64 {
	ARCHIVE_DEPOSIT_BASE + entry.encoded_size() as u64 + 40
}

fn last_event() -> RuntimeEvent {
	System::events().pop().expect("an event").event
}

// ---------------------------------------------------------------- custodians

#[test]
fn registrar_registers_a_custodian() {
	test(|| {
		register(C0);
		let info = Custodians::<Test>::get(C0).unwrap();
		assert_eq!(info.endpoint.as_slice(), endpoint(C0).as_slice());
		assert_eq!(info.x25519_public, [C0 as u8; 32]);
		assert_eq!(info.receipt_key, key(C0));
		assert_eq!(info.status, Status::Active);
		assert_eq!(info.registered_at, 1);
		assert_eq!(CustodianCount::<Test>::get(), 1);
		System::assert_last_event(Event::CustodianRegistered { custodian: C0 }.into());
	});
}

#[test]
fn custodian_registration_is_checked() {
	test(|| {
		assert_noop!(
			ShamirArchive::register_custodian(signed(1), C0, endpoint(C0), [0; 32], key(C0)),
			DispatchError::BadOrigin
		);
		register(C0);
		assert_noop!(
			ShamirArchive::register_custodian(root(), C0, endpoint(C0), [0; 32], key(C0)),
			Error::<Test>::AlreadyCustodian
		);
		for bad in [vec![], vec![b'e'; MAX_ENDPOINT as usize + 1], vec![0xff, 0xfe]] {
			assert_noop!(
				ShamirArchive::register_custodian(root(), C0 + 1, bad, [0; 32], key(C0 + 1)),
				Error::<Test>::BadEndpoint
			);
		}
		assert_ok!(ShamirArchive::register_custodian(
			root(),
			C0 + 1,
			vec![b'e'; MAX_ENDPOINT as usize],
			[0; 32],
			key(C0 + 1)
		));
	});
}

#[test]
fn registrar_suspends_and_reinstates_a_custodian() {
	test(|| {
		register(C0);
		assert_noop!(
			ShamirArchive::set_custodian_status(signed(C0), C0, Status::Suspended),
			DispatchError::BadOrigin
		);
		assert_noop!(
			ShamirArchive::set_custodian_status(root(), C0 + 1, Status::Suspended),
			Error::<Test>::UnknownCustodian
		);
		assert_noop!(
			ShamirArchive::set_custodian_status(root(), C0, Status::Active),
			Error::<Test>::StatusUnchanged
		);
		assert_ok!(ShamirArchive::set_custodian_status(root(), C0, Status::Suspended));
		System::assert_last_event(
			Event::CustodianStatusChanged { custodian: C0, status: Status::Suspended }.into(),
		);
		assert_eq!(Custodians::<Test>::get(C0).unwrap().status, Status::Suspended);
		assert_ok!(ShamirArchive::set_custodian_status(root(), C0, Status::Active));
		assert_eq!(Custodians::<Test>::get(C0).unwrap().status, Status::Active);
	});
}

#[test]
fn registrar_removes_a_custodian() {
	test(|| {
		register(C0);
		assert_noop!(ShamirArchive::remove_custodian(signed(C0), C0), DispatchError::BadOrigin);
		assert_noop!(
			ShamirArchive::remove_custodian(root(), C0 + 1),
			Error::<Test>::UnknownCustodian
		);
		assert_ok!(ShamirArchive::remove_custodian(root(), C0));
		System::assert_last_event(Event::CustodianRemoved { custodian: C0 }.into());
		assert!(!Custodians::<Test>::contains_key(C0));
		assert_eq!(CustodianCount::<Test>::get(), 0);
	});
}

#[test]
fn a_custodian_rotates_its_endpoint_and_keys_even_while_suspended() {
	test(|| {
		register(C0);
		assert_noop!(
			ShamirArchive::update_custodian(signed(C0 + 1), endpoint(1), [1; 32], key(1)),
			Error::<Test>::UnknownCustodian
		);
		assert_noop!(
			ShamirArchive::update_custodian(signed(C0), vec![], [1; 32], key(1)),
			Error::<Test>::BadEndpoint
		);
		assert_ok!(ShamirArchive::set_custodian_status(root(), C0, Status::Suspended));
		assert_ok!(ShamirArchive::update_custodian(signed(C0), endpoint(1), [1; 32], key(1)));
		System::assert_last_event(Event::CustodianUpdated { custodian: C0 }.into());
		let info = Custodians::<Test>::get(C0).unwrap();
		assert_eq!(info.endpoint.as_slice(), endpoint(1).as_slice());
		assert_eq!(info.x25519_public, [1; 32]);
		assert_eq!(info.receipt_key, key(1));
		assert_eq!(info.status, Status::Suspended, "rotation does not reinstate");
	});
}

#[test]
fn a_rotated_key_signs_the_next_receipts() {
	test(|| {
		let mut p = plan(1, 2);
		assert_ok!(ShamirArchive::update_custodian(signed(C0), endpoint(C0), [0; 32], key(99)));
		assert_noop!(p.anchor(P), Error::<Test>::BadReceipt);
		let write = ReceiptFor { patient: &P, author: &P, archive_id: AID };
		let until = valid_until();
		let payload = ShamirArchive::receipt_message(write, (0, p.hashes[0]), C0, until).payload();
		let signature = sp_io::crypto::sr25519_sign(RECEIPT_KEY_TYPE, &key(99), &payload).unwrap();
		p.receipts[0] = Some(Receipt { signature, valid_until: until });
		assert_ok!(p.anchor(P));
	});
}

// ---------------------------------------------------------------- anchoring

#[test]
fn the_patient_anchors_an_archive_with_every_receipt() {
	test(|| {
		let p = plan(2, 3);
		assert_ok!(p.anchor(P));
		let e = entry(p.record);
		assert_eq!(e.archive_id, AID);
		assert_eq!((e.version, e.k, e.n(), e.held()), (ehr_archive_codec::VERSION, 2, 3, 3));
		assert_eq!((e.payload_len, e.segment_size), (1000, 4096));
		assert_eq!(e.root, p.root());
		assert_eq!(e.commitments(), p.commitments());
		assert_eq!(e.state, EntryState::Anchored);
		assert_eq!(e.anchored_at, 1);
		for (i, piece) in e.pieces.iter().enumerate() {
			assert_eq!(piece.custodian, p.custodians[i]);
			assert_eq!(piece.hash, p.hashes[i]);
			assert_eq!(piece.state, PieceState::Held);
		}
		assert_eq!(ArchiveIds::<Test>::get(AID), Some(p.record));
		let anchor = pallet_ehr_access::Records::<Test>::get(p.record).unwrap();
		assert_eq!(anchor.archive, ArchiveRef { entry: p.record, k: 2, n: 3, root: p.root() });
		assert_eq!(anchor.commitment, p.root());
		assert_eq!(anchor.size, 1000, "the ciphertext's size is the codec's payload length");
		assert!(System::events().iter().any(|r| r.event
			== RuntimeEvent::ShamirArchive(Event::ArchiveAnchored {
				record: p.record,
				archive_id: AID,
				k: 2,
				n: 3,
				held: 3,
				state: EntryState::Anchored,
			})));
		assert!(matches!(
			last_event(),
			RuntimeEvent::EhrAccess(pallet_ehr_access::Event::RecordAdded { record, commitment, .. })
				if record == p.record && commitment == p.root()
		));
	});
}

#[test]
fn the_commitment_binds_the_archive_to_its_patient_and_chain() {
	test(|| {
		let p = plan(1, 2);
		let other = Plan { patient: P2, ..p.clone() };
		assert_ne!(p.root(), other.root(), "the same archive id and pieces, another patient");
		assert_ne!(
			ShamirArchive::codec_record_id(&AID, &P),
			AID,
			"the codec binds more than the archive id"
		);
	});
}

#[test]
fn whoever_anchors_pays_a_deposit_priced_by_the_entry() {
	test(|| {
		let p = plan(2, 3);
		let free = Balances::free_balance(P);
		assert_ok!(p.anchor(P));
		let deposit = deposit_of(&entry(p.record));
		assert_eq!(archive_held(P), deposit);
		// And the record anchor's own deposit, held by ehr-access.
		assert_eq!(Balances::free_balance(P), free - deposit - Deposit::get());
		assert_eq!(Deposits::<Test>::get(p.record).map(|(who, _)| who), Some(P));
		// A larger entry costs more: two more pieces of 41 bytes (account, hash, state).
		let five = deposit_of(&ArchiveEntry {
			pieces: BoundedVec::truncate_from(
				[entry(p.record).pieces.to_vec(), entry(p.record).pieces[..2].to_vec()].concat(),
			),
			..entry(p.record)
		});
		assert_eq!(five - deposit, 2 * (8 + 32 + 1));
	});
}

#[test]
fn an_anchor_without_funds_for_its_deposit_fails_and_changes_nothing() {
	test(|| {
		let p = plan(1, 2);
		// Enough to exist, not enough for the deposit.
		<Balances as Mutate<u64>>::set_balance(&P, ARCHIVE_DEPOSIT_BASE);
		assert_noop!(p.anchor(P), TokenError::FundsUnavailable);
		assert!(!Archives::<Test>::contains_key(p.record));
		assert!(!Deposits::<Test>::contains_key(p.record));
		assert!(!pallet_ehr_access::Records::<Test>::contains_key(p.record), "no record either");
		assert_eq!(archive_held(P), 0);
	});
}

#[test]
fn a_real_codec_archive_anchors() {
	test(|| {
		let mut p = plan(2, 4);
		let codec_id = ShamirArchive::codec_record_id(&AID, &P);
		let encoded =
			ehr_archive_codec::encode(b"{\"resourceType\":\"Condition\"}", &codec_id, 2, 4)
				.expect("encodes");
		let c = &encoded.commitments;
		p.header = CommitmentsHeader {
			version: ehr_archive_codec::VERSION,
			threshold: c.threshold,
			payload_len: c.payload_len,
			segment_size: c.segment_size,
		};
		p.hashes = c.piece_hashes.clone();
		assert_eq!(p.root(), encoded.root);
		// Each custodian checks its piece before it signs.
		for piece in &encoded.pieces {
			assert_eq!(c.verify_piece(piece), Ok(()));
		}
		let p = p.resign();
		assert_ok!(p.anchor(P));
		assert_eq!(&entry(p.record).commitments(), c);
		let anchor = pallet_ehr_access::Records::<Test>::get(p.record).unwrap();
		assert_eq!(anchor.commitment, encoded.root);
	});
}

#[test]
fn a_doctor_with_consent_writes_but_a_stranger_does_not() {
	test(|| {
		let p = written_by_doctor(2);
		let before = pallet_ehr_access::NextRecordId::<Test>::get();
		assert_noop!(p.anchor(STRANGER), pallet_ehr_access::Error::<Test>::NotAuthorized);
		assert_eq!(pallet_ehr_access::NextRecordId::<Test>::get(), before);
		assert_ok!(p.anchor(D));
		assert_eq!(pallet_ehr_access::Records::<Test>::get(p.record).unwrap().author, D);
	});
}

/// The attack of the old two-step write: another doctor with a write basis for the patient
/// copies a pending write's commitments and receipts into a write of his own, hoping to be the
/// record's author (and read it for ever). The receipts name the author, so it fails; the
/// original write still goes through.
#[test]
fn a_pending_write_copied_into_another_doctors_write_is_refused() {
	test(|| {
		let original = written_by_doctor(2);
		const D2: u64 = 22;
		doctor_with_consent(D2);
		// D2 submits D's archive (same archive id, header, pieces and receipts) first.
		assert_noop!(original.anchor(D2), Error::<Test>::BadReceipt);
		// Break-glass gives D2 a write basis too; it still cannot use D's receipts.
		assert_ok!(EhrAccess::open_emergency(
			signed(D2),
			P,
			pallet_ehr_access::EmergencyReason::Unconscious
		));
		assert_noop!(original.anchor(D2), Error::<Test>::BadReceipt);
		// Nor can the patient, whose own write it is not.
		assert_noop!(original.anchor(P), Error::<Test>::BadReceipt);
		assert!(!ArchiveIds::<Test>::contains_key(AID), "the archive id stays free");
		assert_ok!(original.anchor(D));
		assert_eq!(ArchiveIds::<Test>::get(AID), Some(original.record));
		assert_eq!(pallet_ehr_access::Records::<Test>::get(original.record).unwrap().author, D);
	});
}

#[test]
fn a_suspended_or_removed_doctor_writes_nothing() {
	test(|| {
		let p = written_by_doctor(2);
		assert_ok!(EhrAccess::set_doctor_status(signed(H), D, Status::Suspended));
		assert_noop!(p.anchor(D), pallet_ehr_access::Error::<Test>::NotAuthorized);
		assert_ok!(EhrAccess::set_doctor_status(signed(H), D, Status::Active));
		assert_ok!(EhrAccess::remove_doctor(signed(H), D));
		assert_noop!(p.anchor(D), pallet_ehr_access::Error::<Test>::NotAuthorized);
		assert!(Archives::<Test>::iter().next().is_none());
		assert_eq!(archive_held(D), 0);
	});
}

#[test]
fn a_failed_write_leaves_no_anchor_no_entry_and_no_hold() {
	test(|| {
		let mut p = plan(2, 3);
		p.receipts[1] = None;
		p.receipts[2] = None;
		let held = Balances::total_balance_on_hold(&P);
		let next = pallet_ehr_access::NextRecordId::<Test>::get();
		assert_noop!(p.anchor(P), Error::<Test>::TooFewReceipts);
		assert_eq!(pallet_ehr_access::NextRecordId::<Test>::get(), next);
		assert!(!pallet_ehr_access::Records::<Test>::contains_key(p.record));
		assert!(!Archives::<Test>::contains_key(p.record));
		assert!(!ArchiveIds::<Test>::contains_key(AID));
		assert_eq!(Balances::total_balance_on_hold(&P), held);
	});
}

#[test]
fn k_receipts_anchor_a_degraded_entry_and_fewer_fail() {
	test(|| {
		let mut p = plan(2, 4);
		p.receipts[1] = None;
		p.receipts[3] = None;
		let mut short = p.clone();
		short.receipts[0] = None;
		assert_noop!(short.anchor(P), Error::<Test>::TooFewReceipts);
		assert_ok!(p.anchor(P));
		let e = entry(p.record);
		assert_eq!(e.state, EntryState::Degraded);
		assert_eq!(e.held(), 2);
		assert_eq!(e.pieces[1].state, PieceState::Missing);
		assert_eq!(e.pieces[3].state, PieceState::Missing);
		System::assert_has_event(
			Event::ArchiveAnchored {
				record: p.record,
				archive_id: AID,
				k: 2,
				n: 4,
				held: 2,
				state: EntryState::Degraded,
			}
			.into(),
		);
	});
}

#[test]
fn the_layout_and_version_are_checked() {
	test(|| {
		let p = plan(2, 3);
		let mut bad = p.clone();
		bad.header.version = 2;
		assert_noop!(bad.anchor(P), Error::<Test>::UnsupportedVersion);
		for k in [0, 4] {
			let mut bad = p.clone();
			bad.header.threshold = k;
			assert_noop!(bad.anchor(P), Error::<Test>::InvalidLayout);
		}
		for size in [0, ehr_archive_codec::MAX_SEGMENT_SIZE + 1] {
			let mut bad = p.clone();
			bad.header.segment_size = size;
			assert_noop!(bad.anchor(P), Error::<Test>::InvalidLayout);
		}
		let mut bad = p.clone();
		bad.header.payload_len = ehr_archive_codec::MAX_PAYLOAD_LEN + 1;
		assert_noop!(bad.anchor(P), Error::<Test>::InvalidLayout);
		let mut bad = p.clone();
		bad.hashes.clear();
		bad.custodians.clear();
		bad.receipts.clear();
		assert_noop!(bad.anchor(P), Error::<Test>::InvalidLayout);
	});
}

/// Attack: a writer keeps a record on one custodian (`k = 1`, `n = 1`), which alone then holds
/// the key and alone can lose the record. The registrar sets a chain-wide minimum, which every
/// new archive must meet; archives already anchored are not affected.
#[test]
fn archives_below_the_chain_minimum_are_refused() {
	test(|| {
		assert_eq!(MinRedundancy::<Test>::get(), Redundancy { k: 1, n: 1 });
		let old = anchored(1, 1, &[]);
		let min = Redundancy { k: 2, n: 3 };
		assert_ok!(ShamirArchive::set_min_redundancy(root(), min));
		System::assert_last_event(Event::MinRedundancySet { min }.into());
		for (k, n) in [(1, 1), (1, 3), (2, 2), (1, 4)] {
			let mut p = plan(k, n);
			p.aid = [0xb0 + k + n; 32];
			assert_noop!(p.resign().anchor(P), Error::<Test>::BelowMinRedundancy);
		}
		let mut p = plan(2, 3);
		p.aid = [0xc0; 32];
		assert_ok!(p.resign().anchor(P));
		let mut p = plan(3, 5);
		p.aid = [0xc1; 32];
		assert_ok!(p.resign().anchor(P));
		assert_eq!(entry(old.record).k, 1);
	});
}

#[test]
fn only_the_registrar_sets_a_possible_minimum() {
	test(|| {
		for who in [P, C0, STRANGER] {
			assert_noop!(
				ShamirArchive::set_min_redundancy(signed(who), Redundancy { k: 2, n: 3 }),
				DispatchError::BadOrigin
			);
		}
		for (k, n) in [(0, 1), (3, 2), (1, MAX_PIECES as u8 + 1)] {
			assert_noop!(
				ShamirArchive::set_min_redundancy(root(), Redundancy { k, n }),
				Error::<Test>::InvalidRedundancy
			);
		}
		assert_eq!(MinRedundancy::<Test>::get(), Redundancy::default());
	});
}

#[test]
fn more_than_max_pieces_do_not_even_decode() {
	test(|| {
		let too_many = vec![[0u8; 32]; MAX_PIECES as usize + 1].encode();
		assert!(BoundedVec::<PieceHash, ConstU32MaxPieces>::decode(&mut &too_many[..]).is_err());
		let fits = vec![[0u8; 32]; MAX_PIECES as usize].encode();
		assert!(BoundedVec::<PieceHash, ConstU32MaxPieces>::decode(&mut &fits[..]).is_ok());
	});
}

type ConstU32MaxPieces = <Test as Config>::MaxPieces;

#[test]
fn custodians_must_be_distinct_registered_and_active() {
	test(|| {
		let p = plan(1, 3);
		let mut bad = p.clone();
		bad.custodians[2] = C0;
		assert_noop!(bad.resign().anchor(P), Error::<Test>::DuplicateCustodian);
		let mut bad = p.clone();
		bad.custodians[1] = STRANGER;
		bad.receipts[1] = None;
		assert_noop!(bad.anchor(P), Error::<Test>::UnknownCustodian);
		// Even a custodian without a receipt must be active: clients must not pick suspended ones.
		let mut bad = p.clone();
		bad.receipts[1] = None;
		assert_ok!(ShamirArchive::set_custodian_status(root(), C0 + 1, Status::Suspended));
		assert_noop!(bad.anchor(P), Error::<Test>::CustodianNotActive);
		assert_ok!(ShamirArchive::set_custodian_status(root(), C0 + 1, Status::Active));
		assert_ok!(p.anchor(P));
	});
}

#[test]
fn receipts_must_sign_exactly_the_receipt_message() {
	test(|| {
		let p = plan(1, 2);
		let h = p.hashes[1];
		let until = valid_until();
		// `C0 + 1`'s signature over `payload`, submitted as valid until `until`.
		let raw = |payload: &[u8]| Receipt {
			signature: sp_io::crypto::sr25519_sign(RECEIPT_KEY_TYPE, &key(C0 + 1), payload)
				.unwrap(),
			valid_until: until,
		};
		let write = ReceiptFor { patient: &P, author: &P, archive_id: AID };
		// The v2 message: v2's domain tag and no `valid_until`.
		let mut v2 = ShamirArchive::receipt_message(write, (1, h), C0 + 1, until).payload();
		v2.truncate(v2.len() - until.encoded_size());
		v2[..RECEIPT_DOMAIN.len()].copy_from_slice(b"ehr-chain/custody-receipt/v2");
		let wrong = [
			// Another custodian's key.
			sign(C0, P, AID, 1, h),
			// Another index, hash, archive, patient or author.
			sign(C0 + 1, P, AID, 0, h),
			sign(C0 + 1, P, AID, 1, [0; 32]),
			sign(C0 + 1, P, [0; 32], 1, h),
			sign(C0 + 1, P2, AID, 1, h),
			sign_for(C0 + 1, (P, D), AID, 1, h),
			// Signed until one block, submitted until another (later or earlier): the
			// signature covers `valid_until`.
			Receipt { valid_until: until + 1, ..sign(C0 + 1, P, AID, 1, h) },
			Receipt { valid_until: until, ..sign_until(C0 + 1, (P, P), AID, (1, h), until + 1) },
			// The right fields without the domain tag and genesis hash.
			raw(&(AID, 1u8, h).encode()),
			// A receipt of the former layout.
			raw(&v2),
		];
		for receipt in wrong {
			let mut bad = p.clone();
			bad.receipts[1] = Some(receipt);
			assert_noop!(bad.anchor(P), Error::<Test>::BadReceipt);
		}
		assert_ok!(p.anchor(P));
	});
}

#[test]
fn an_expired_receipt_fails_the_write_and_stores_nothing() {
	test(|| {
		System::set_block_number(10);
		let mut p = plan(1, 3);
		// k = 1: the other two receipts would do, yet an expired one is refused, not ignored.
		p.receipts[1] = p.receipts[1].map(|r| Receipt { valid_until: 9, ..r });
		let p = p.resign();
		let held = Balances::total_balance_on_hold(&P);
		let next = pallet_ehr_access::NextRecordId::<Test>::get();
		assert_noop!(p.anchor(P), Error::<Test>::ReceiptExpired);
		// Expiry is checked before the signature: an expired forgery is refused as expired.
		let mut bad = p.clone();
		bad.receipts[1] = Some(forged(9));
		assert_noop!(bad.anchor(P), Error::<Test>::ReceiptExpired);
		assert_eq!(pallet_ehr_access::NextRecordId::<Test>::get(), next);
		assert!(!pallet_ehr_access::Records::<Test>::contains_key(p.record));
		assert!(!Archives::<Test>::contains_key(p.record));
		assert!(!ArchiveIds::<Test>::contains_key(AID));
		assert!(!Deposits::<Test>::contains_key(p.record));
		assert_eq!(Balances::total_balance_on_hold(&P), held);
		assert!(!System::events().iter().any(|r| matches!(
			r.event,
			RuntimeEvent::ShamirArchive(Event::ArchiveAnchored { .. })
		)));
	});
}

#[test]
fn a_receipt_is_accepted_up_to_its_last_block() {
	test(|| {
		System::set_block_number(10);
		let mut p = plan(1, 3);
		p.receipts[2] = None;
		p.receipts[1] = p.receipts[1].map(|r| Receipt { valid_until: 10, ..r });
		let p = p.resign();
		assert_ok!(p.anchor(P));
		let e = entry(p.record);
		assert_eq!(e.pieces[1].state, PieceState::Held);
		assert_eq!(e.held(), 2);
		// So is a repair's.
		let last_block = sign_until(C0 + 2, (P, P), AID, (2, p.hashes[2]), 10);
		assert_ok!(ShamirArchive::repair_piece(signed(STRANGER), p.record, 2, C0 + 2, last_block));
		assert_eq!(entry(p.record).state, EntryState::Anchored);
	});
}

#[test]
fn a_receipt_is_tied_to_the_patient_so_a_copied_commitment_takes_nothing() {
	test(|| {
		let p = plan(1, 2);
		// P2 copies P's pending write into a record of their own, receipts and all.
		patient(P2);
		let copy = Plan { patient: P2, ..p.clone() };
		assert_noop!(copy.anchor(P2), Error::<Test>::BadReceipt);
		assert_ok!(p.anchor(P));
	});
}

#[test]
fn an_archive_id_is_anchored_once() {
	test(|| {
		let p = anchored(1, 2, &[]);
		let again = Plan { record: p.record + 1, ..p.clone() };
		assert_noop!(again.anchor(P), Error::<Test>::ArchiveIdInUse);
	});
}

#[test]
fn an_archive_is_stored_once_per_record() {
	test(|| {
		let p = anchored(1, 1, &[]);
		let other = Plan { aid: [0xa2; 32], ..p.clone() }.resign();
		assert_noop!(
			<ShamirArchive as pallet_ehr_access::RecordArchive<u64>>::anchor(
				p.record,
				&P,
				&P,
				other.submission()
			),
			Error::<Test>::AlreadyArchived
		);
	});
}

// ---------------------------------------------------------------- repair

/// Register custodian `c` and have it sign piece `index` of `p`, valid [`VALIDITY`] blocks.
fn newcomer(p: &Plan, c: u64, index: u8) -> Receipt<u64> {
	if !Custodians::<Test>::contains_key(c) {
		register(c);
	}
	sign_for(c, (p.patient, p.author), p.aid, index, p.hashes[usize::from(index)])
}

#[test]
fn anyone_repairs_a_missing_piece_and_the_entry_recovers() {
	test(|| {
		let p = anchored(1, 3, &[0, 2]);
		let c = C0 + 10;
		let receipt = newcomer(&p, c, 0);
		assert_ok!(ShamirArchive::repair_piece(signed(STRANGER), p.record, 0, c, receipt));
		System::assert_last_event(
			Event::PieceRepaired {
				record: p.record,
				index: 0,
				from: C0,
				to: c,
				state: EntryState::Degraded,
			}
			.into(),
		);
		let e = entry(p.record);
		assert_eq!(e.pieces[0].custodian, c);
		assert_eq!(e.pieces[0].state, PieceState::Held);
		assert_eq!(e.state, EntryState::Degraded);
		// The original custodian's late receipt fills the last missing piece.
		let late = sign(C0 + 2, P, AID, 2, p.hashes[2]);
		assert_ok!(ShamirArchive::repair_piece(signed(STRANGER), p.record, 2, C0 + 2, late));
		assert_eq!(entry(p.record).state, EntryState::Anchored);
		assert!(matches!(
			last_event(),
			RuntimeEvent::ShamirArchive(Event::PieceRepaired { state: EntryState::Anchored, .. })
		));
		assert_eq!(entry(p.record).commitments(), p.commitments(), "commitments unchanged");
	});
}

#[test]
fn pieces_of_suspended_or_removed_custodians_are_repairable_and_others_not() {
	test(|| {
		let p = anchored(1, 3, &[]);
		let c = C0 + 10;
		let receipt = newcomer(&p, c, 1);
		assert_noop!(
			ShamirArchive::repair_piece(signed(STRANGER), p.record, 1, c, receipt),
			Error::<Test>::PieceNotRepairable
		);
		assert_ok!(ShamirArchive::set_custodian_status(root(), C0 + 1, Status::Suspended));
		assert_ok!(ShamirArchive::repair_piece(signed(STRANGER), p.record, 1, c, receipt));
		assert_ok!(ShamirArchive::remove_custodian(root(), C0 + 2));
		let c2 = C0 + 11;
		let receipt = newcomer(&p, c2, 2);
		assert_ok!(ShamirArchive::repair_piece(signed(STRANGER), p.record, 2, c2, receipt));
		let e = entry(p.record);
		assert_eq!(e.pieces.iter().map(|p| p.custodian).collect::<Vec<_>>(), vec![C0, c, c2]);
		assert_eq!(e.state, EntryState::Anchored);
	});
}

#[test]
fn repair_checks_the_entry_and_the_index() {
	test(|| {
		let p = anchored(1, 2, &[1]);
		let c = C0 + 10;
		let receipt = newcomer(&p, c, 1);
		assert_noop!(
			ShamirArchive::repair_piece(signed(STRANGER), 99, 1, c, receipt),
			Error::<Test>::NoArchive
		);
		assert_noop!(
			ShamirArchive::repair_piece(signed(STRANGER), p.record, 2, c, receipt),
			Error::<Test>::BadPieceIndex
		);
		assert_noop!(
			ShamirArchive::repair_piece(root(), p.record, 1, c, receipt),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn the_new_custodian_is_active_holds_no_other_piece_and_signed() {
	test(|| {
		let p = anchored(1, 3, &[1]);
		let c = C0 + 10;
		let unknown = sign(c, P, AID, 1, p.hashes[1]);
		assert_noop!(
			ShamirArchive::repair_piece(signed(STRANGER), p.record, 1, c, unknown),
			Error::<Test>::UnknownCustodian
		);
		let receipt = newcomer(&p, c, 1);
		assert_ok!(ShamirArchive::set_custodian_status(root(), c, Status::Suspended));
		assert_noop!(
			ShamirArchive::repair_piece(signed(STRANGER), p.record, 1, c, receipt),
			Error::<Test>::CustodianNotActive
		);
		assert_ok!(ShamirArchive::set_custodian_status(root(), c, Status::Active));
		let other = sign(C0 + 2, P, AID, 1, p.hashes[1]);
		assert_noop!(
			ShamirArchive::repair_piece(signed(STRANGER), p.record, 1, C0 + 2, other),
			Error::<Test>::AlreadyHoldsPiece
		);
		for bad in [
			sign(c, P, AID, 0, p.hashes[1]),
			sign(c, P, AID, 1, p.hashes[0]),
			sign(c, P2, AID, 1, p.hashes[1]),
			sign(C0, P, AID, 1, p.hashes[1]),
		] {
			assert_noop!(
				ShamirArchive::repair_piece(signed(STRANGER), p.record, 1, c, bad),
				Error::<Test>::BadReceipt
			);
		}
		assert_ok!(ShamirArchive::repair_piece(signed(STRANGER), p.record, 1, c, receipt));
	});
}

#[test]
fn repair_refuses_an_expired_receipt() {
	test(|| {
		let p = anchored(1, 3, &[1]);
		let c = C0 + 10;
		let receipt = newcomer(&p, c, 1);
		System::set_block_number(receipt.valid_until + 1);
		assert_noop!(
			ShamirArchive::repair_piece(signed(STRANGER), p.record, 1, c, receipt),
			Error::<Test>::ReceiptExpired
		);
		// Before the signature is checked.
		assert_noop!(
			ShamirArchive::repair_piece(
				signed(STRANGER),
				p.record,
				1,
				c,
				forged(receipt.valid_until)
			),
			Error::<Test>::ReceiptExpired
		);
		assert_eq!(entry(p.record).pieces[1].state, PieceState::Missing);
		// A fresh receipt from the same custodian repairs the piece.
		let fresh = newcomer(&p, c, 1);
		assert_ok!(ShamirArchive::repair_piece(signed(STRANGER), p.record, 1, c, fresh));
		assert_eq!(entry(p.record).pieces[1].custodian, c);
	});
}

/// The replay that `valid_until` closes: a custodian whose piece was repaired away may delete
/// it; its anchoring receipt must not list it again for that piece once the receipt expired.
#[test]
fn an_anchoring_receipt_cannot_be_replayed_to_move_a_repaired_piece_back() {
	test(|| {
		let p = anchored(1, 3, &[]);
		let original = p.receipts[1].expect("given at anchoring");
		// C0 + 1 is suspended and its piece repaired onto c: C0 + 1 deletes its copy.
		assert_ok!(ShamirArchive::set_custodian_status(root(), C0 + 1, Status::Suspended));
		let c = C0 + 10;
		let receipt = newcomer(&p, c, 1);
		assert_ok!(ShamirArchive::repair_piece(signed(STRANGER), p.record, 1, c, receipt));
		assert_ok!(ShamirArchive::set_custodian_status(root(), C0 + 1, Status::Active));
		// Later c is suspended, so piece 1 is repairable again.
		System::set_block_number(original.valid_until);
		assert_ok!(ShamirArchive::set_custodian_status(root(), c, Status::Suspended));
		// Up to its last block the old receipt is still good (what `valid_until` bounds) ...
		assert_ok!(with_transaction(|| TransactionOutcome::Rollback(ShamirArchive::repair_piece(
			signed(STRANGER),
			p.record,
			1,
			C0 + 1,
			original
		))));
		assert_eq!(entry(p.record).pieces[1].custodian, c);
		// ... and after it, nobody can replay it to list C0 + 1 again for a piece it dropped.
		System::set_block_number(original.valid_until + 1);
		assert_noop!(
			ShamirArchive::repair_piece(signed(STRANGER), p.record, 1, C0 + 1, original),
			Error::<Test>::ReceiptExpired
		);
		assert_eq!(entry(p.record).pieces[1].custodian, c);
		// Only a fresh receipt, which C0 + 1 gives once it keeps the piece again, moves it back.
		let fresh = sign(C0 + 1, P, AID, 1, p.hashes[1]);
		assert_ok!(ShamirArchive::repair_piece(signed(STRANGER), p.record, 1, C0 + 1, fresh));
		assert_eq!(entry(p.record).pieces[1].custodian, C0 + 1);
	});
}

// ---------------------------------------------------------------- erasure

#[test]
fn the_patient_erases_and_custodians_are_told() {
	test(|| {
		let p = anchored(1, 3, &[2]);
		assert_ok!(ShamirArchive::erase(signed(P), p.record));
		System::assert_last_event(
			Event::ArchiveErased {
				record: p.record,
				by: P,
				custodians: BoundedVec::truncate_from(p.custodians.clone()),
			}
			.into(),
		);
		let e = entry(p.record);
		assert_eq!(e.state, EntryState::Erased);
		assert_eq!(ArchiveIds::<Test>::get(AID), Some(p.record), "the id stays taken");
		// A tombstone: the header and root stay, the pieces go.
		assert!(e.pieces.is_empty());
		assert_eq!((e.archive_id, e.k, e.root), (AID, 1, p.root()));
		// The anchor says so, and nobody can open the record any more.
		let anchor = pallet_ehr_access::Records::<Test>::get(p.record).unwrap();
		assert_eq!(anchor.erased_at, Some(1));
		assert_ok!(EhrAccess::open_access(signed(P), p.record));
		System::assert_last_event(
			pallet_ehr_access::Event::AccessDenied {
				reader: P,
				record: p.record,
				patient: Some(P),
				reason: pallet_ehr_access::DenyReason::Erased,
			}
			.into(),
		);
	});
}

#[test]
fn erasure_gives_back_the_deposit_but_the_tombstones() {
	test(|| {
		let p = anchored(2, 4, &[]);
		let full = archive_held(P);
		let free = Balances::free_balance(P);
		assert_ok!(ShamirArchive::erase(signed(P), p.record));
		let tombstone = deposit_of(&entry(p.record));
		assert_eq!(archive_held(P), tombstone);
		assert_eq!(Balances::free_balance(P), free + full - tombstone);
		// Four pieces of 41 bytes came back (the length prefix is a byte either way).
		assert_eq!(full - tombstone, 4 * 41);
	});
}

#[test]
fn the_author_pays_and_gets_back_even_when_the_patient_erases() {
	test(|| {
		let p = anchored_by_doctor(2);
		assert_eq!(archive_held(P), 0);
		let full = archive_held(D);
		assert_eq!(full, deposit_of(&entry(p.record)));
		assert_ok!(ShamirArchive::erase(signed(P), p.record));
		assert_eq!(archive_held(D), deposit_of(&entry(p.record)));
		assert!(archive_held(D) < full);
	});
}

#[test]
fn a_guardian_erases_but_not_the_author_or_a_stranger() {
	test(|| {
		let p = anchored(1, 2, &[]);
		assert_ok!(EhrAccess::add_guardian(signed(P), G));
		assert_noop!(
			ShamirArchive::erase(signed(STRANGER), p.record),
			Error::<Test>::NotPatientOrGuardian
		);
		assert_noop!(
			ShamirArchive::erase(signed(C0), p.record),
			Error::<Test>::NotPatientOrGuardian
		);
		assert_noop!(ShamirArchive::erase(signed(P), 99), Error::<Test>::NoArchive);
		assert_noop!(ShamirArchive::erase(root(), p.record), DispatchError::BadOrigin);
		assert_ok!(ShamirArchive::erase(signed(G), p.record));
		assert_eq!(entry(p.record).state, EntryState::Erased);
	});
}

#[test]
fn the_author_doctor_cannot_erase() {
	test(|| {
		let p = anchored_by_doctor(1);
		assert_noop!(
			ShamirArchive::erase(signed(D), p.record),
			Error::<Test>::NotPatientOrGuardian
		);
	});
}

#[test]
fn nothing_happens_to_an_erased_entry() {
	test(|| {
		let p = anchored(1, 2, &[1]);
		assert_ok!(ShamirArchive::erase(signed(P), p.record));
		assert_noop!(ShamirArchive::erase(signed(P), p.record), Error::<Test>::ArchiveErased);
		let receipt = newcomer(&p, C0 + 10, 1);
		assert_noop!(
			ShamirArchive::repair_piece(signed(STRANGER), p.record, 1, C0 + 10, receipt),
			Error::<Test>::ArchiveErased
		);
		assert_noop!(p.anchor(P), Error::<Test>::ArchiveIdInUse);
	});
}

// ---------------------------------------------------------------- runtime API and receipts

#[test]
fn the_receipt_message_has_a_fixed_layout() {
	test(|| {
		let h = [7; 32];
		let until: u64 = 0x0102_0304_0506_0708;
		let write = ReceiptFor { patient: &P, author: &D, archive_id: AID };
		let message = ShamirArchive::receipt_message(write, (3, h), C0, until);
		let payload = message.payload();
		let genesis = System::block_hash(0);
		let mut expected = RECEIPT_DOMAIN.to_vec();
		expected.extend_from_slice(genesis.as_ref());
		expected.extend_from_slice(&P.encode());
		expected.extend_from_slice(&D.encode());
		expected.extend_from_slice(&AID);
		expected.push(3);
		expected.extend_from_slice(&h);
		expected.extend_from_slice(&C0.encode());
		expected.extend_from_slice(&until.to_le_bytes());
		assert_eq!(payload, expected);
		assert_eq!(payload.len(), 28 + 32 + 8 + 8 + 32 + 1 + 32 + 8 + 8);
		assert_eq!(&RECEIPT_DOMAIN, b"ehr-chain/custody-receipt/v3");
		// The pallet's message is the custody protocol's, on this chain's genesis hash.
		assert_eq!(message, CustodyReceipt::new(genesis, write, (3, h), C0, until));
	});
}

#[test]
fn the_api_shows_entries_and_custodians() {
	test(|| {
		let p = anchored(1, 2, &[1]);
		let view = ShamirArchive::archive(p.record).unwrap();
		assert_eq!(view.pieces.to_vec(), entry(p.record).pieces.to_vec());
		assert_eq!(view.state, EntryState::Degraded);
		assert!(ShamirArchive::archive(99).is_none());
		assert_eq!(ShamirArchive::archive_of(AID), Some(p.record));
		assert_eq!(ShamirArchive::archive_of([0; 32]), None);
		let info = ShamirArchive::custodian(C0).unwrap();
		assert_eq!(info.receipt_key, key(C0));
		assert_eq!(info.endpoint.to_vec(), endpoint(C0));
		assert!(ShamirArchive::custodian(STRANGER).is_none());
	});
}

#[test]
fn the_read_plan_names_the_entry_the_parties_and_each_custodian_as_registered_now() {
	test(|| {
		let p = anchored_by_doctor(3);
		assert_ok!(ShamirArchive::set_custodian_status(root(), C0 + 1, Status::Suspended));
		assert_ok!(ShamirArchive::remove_custodian(root(), C0 + 2));
		let read = ShamirArchive::read_plan(p.record).expect("archived");
		// By their encoding: the runtime API's bounds do not compare.
		assert_eq!(read.entry.encode(), ShamirArchive::archive(p.record).unwrap().encode());
		assert_eq!(read.entry.pieces.to_vec(), entry(p.record).pieces.to_vec());
		assert_eq!((read.patient, read.author), (P, D));
		assert_eq!(read.custodians.len(), 3);
		assert_eq!(read.custodians[0].encode(), ShamirArchive::custodian(C0).encode());
		let first = read.custodians[0].as_ref().expect("registered");
		assert_eq!((first.receipt_key, first.status), (key(C0), Status::Active));
		assert_eq!(first.endpoint.to_vec(), endpoint(C0));
		let suspended = read.custodians[1].as_ref().expect("still registered");
		assert_eq!((suspended.receipt_key, suspended.status), (key(C0 + 1), Status::Suspended));
		assert!(read.custodians[2].is_none(), "removed");
		// Repaired onto c, piece 2's custodian is c.
		let c = C0 + 10;
		let receipt = newcomer(&p, c, 2);
		assert_ok!(ShamirArchive::repair_piece(signed(STRANGER), p.record, 2, c, receipt));
		let read = ShamirArchive::read_plan(p.record).expect("archived");
		assert_eq!(read.entry.pieces[2].custodian, c);
		assert!(read.custodians[2].is_some());
		assert_eq!(read.custodians[2].encode(), ShamirArchive::custodian(c).encode());
		assert!(ShamirArchive::read_plan(99).is_none());
		// An erased entry: the tombstone, and no piece to ask anybody for.
		assert_ok!(ShamirArchive::erase(signed(P), p.record));
		let read = ShamirArchive::read_plan(p.record).expect("a tombstone");
		assert_eq!(read.entry.state, EntryState::Erased);
		assert!(read.custodians.is_empty());
	});
}

#[test]
fn custodians_are_listed_page_by_page() {
	test(|| {
		for c in 0..7 {
			register(C0 + c);
		}
		let mut seen = Vec::new();
		let mut after = None;
		loop {
			let page = ShamirArchive::custodians(after, 3);
			assert!(page.len() <= 3);
			if page.is_empty() {
				break;
			}
			after = page.last().map(|(who, _)| *who);
			seen.extend(page.into_iter().map(|(who, _)| who));
		}
		seen.sort();
		assert_eq!(seen, (0..7).map(|c| C0 + c).collect::<Vec<_>>());
		assert_eq!(ShamirArchive::custodians(None, u32::MAX).len(), 7);
		assert!(ShamirArchive::custodians(None, 0).is_empty());
	});
}

#[test]
fn pages_are_capped() {
	test(|| {
		for c in 0..(MAX_PAGE_LEN as u64 + 5) {
			assert_ok!(ShamirArchive::register_custodian(
				root(),
				1_000 + c,
				endpoint(c),
				[0; 32],
				key(1)
			));
		}
		assert_eq!(ShamirArchive::custodians(None, u32::MAX).len(), MAX_PAGE_LEN as usize);
	});
}

#[test]
fn integrity_test_passes() {
	test(ShamirArchive::integrity_test);
}

#[test]
fn try_state_catches_broken_invariants() {
	test(|| {
		let p = anchored(1, 2, &[]);
		Archives::<Test>::mutate(p.record, |e| {
			e.as_mut().unwrap().pieces[1].state = PieceState::Missing;
		});
		assert!(ShamirArchive::do_try_state().is_err(), "state out of step with pieces");
		Archives::<Test>::mutate(p.record, |e| {
			let e = e.as_mut().unwrap();
			e.state = EntryState::Degraded;
			e.pieces[1].custodian = C0;
		});
		assert!(ShamirArchive::do_try_state().is_err(), "duplicate custodian");
		Archives::<Test>::mutate(p.record, |e| {
			let e = e.as_mut().unwrap();
			e.pieces[1].custodian = C0 + 1;
			e.pieces[1].hash = [0; 32];
		});
		assert!(ShamirArchive::do_try_state().is_err(), "root mismatch");
		Archives::<Test>::mutate(p.record, |e| {
			e.as_mut().unwrap().pieces[1].hash = p.hashes[1];
		});
		assert_ok!(ShamirArchive::do_try_state());
		CustodianCount::<Test>::put(9);
		assert!(ShamirArchive::do_try_state().is_err(), "count");
		CustodianCount::<Test>::put(2);
		ArchiveIds::<Test>::insert([3; 32], 5);
		assert!(ShamirArchive::do_try_state().is_err(), "stray archive id");
		ArchiveIds::<Test>::remove([3; 32]);
	});
}
