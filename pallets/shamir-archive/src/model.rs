//! Property test: random sequences of operations (register, suspend, reinstate, remove and
//! rotate custodians; add records with archives with good, missing, forged and expired receipts
//! and receipts valid only up to the current block, receipts copied from another patient's
//! write, duplicate or unknown custodians, reused archive ids and bad thresholds; repair pieces,
//! with good, forged or expired receipts; erase) run against
//! the pallet and against a small reference model written from the rules in the crate docs.
//! After every operation the outcome (success or the exact error) must agree, and so must every
//! custodian and every archive entry (custodian, state of each piece, entry state). The
//! pallet's invariants (`do_try_state`) are checked at the end of each sequence.
//!
//! The number of sequences is `PROPTEST_CASES` (default 256).
use crate::{mock::*, *};
use polkadot_sdk::{
	frame_support::{ensure, BoundedVec},
	sp_core::{sr25519, Pair as _},
	sp_runtime::{DispatchError, DispatchResult},
};
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

const CUSTODIANS: [u64; 6] = [60, 61, 62, 63, 64, 65];
const PATIENTS: [u64; 2] = [10, 11];
/// The guardian of the first patient.
const GUARDIAN: u64 = 12;
const OUTSIDER: u64 = 50;
/// The key seed that no custodian ever uses: its signatures are forgeries.
const FORGER: u64 = 9_999;

fn custodian(i: u8) -> u64 {
	CUSTODIANS[i as usize % CUSTODIANS.len()]
}

/// The receipt key pair of `seed`, derived (slowly) once per thread and then remembered.
fn pair(seed: u64) -> sr25519::Pair {
	thread_local! {
		static PAIRS: std::cell::RefCell<BTreeMap<u64, sr25519::Pair>> = Default::default();
	}
	PAIRS.with(|pairs| {
		pairs
			.borrow_mut()
			.entry(seed)
			.or_insert_with(|| {
				sr25519::Pair::from_string(&format!("//k{seed}"), None).expect("a dev key")
			})
			.clone()
	})
}

fn key(seed: u64) -> sr25519::Public {
	pair(seed).public()
}

/// How many blocks a good receipt stays valid.
const VALIDITY: u64 = 100;

#[derive(Clone, Copy, Debug)]
enum Receipt {
	/// Valid for [`VALIDITY`] more blocks.
	Good,
	/// Valid up to the current block only: still accepted.
	LastBlock,
	None,
	Forged,
	/// Well signed, but valid only up to the block before the current one.
	Expired,
}

#[derive(Clone, Debug)]
enum Op {
	Register(u8),
	SetStatus(u8, bool),
	Remove(u8),
	Rotate(u8),
	Anchor {
		patient: u8,
		/// The receipts were made for the other patient's write and copied into this one.
		copied: bool,
		/// Reuse an archive id (`Some`) or take a fresh one.
		reuse_id: Option<u8>,
		k: u8,
		pieces: Vec<(u8, Receipt)>,
	},
	Repair {
		entry: u8,
		index: u8,
		to: u8,
		forged: bool,
		/// The receipt's last block has passed.
		expired: bool,
	},
	Erase {
		entry: u8,
		who: u8,
	},
}

fn receipt() -> impl Strategy<Value = Receipt> {
	prop_oneof![
		6 => Just(Receipt::Good),
		1 => Just(Receipt::LastBlock),
		2 => Just(Receipt::None),
		1 => Just(Receipt::Forged),
		1 => Just(Receipt::Expired),
	]
}

fn op() -> impl Strategy<Value = Op> {
	prop_oneof![
		3 => any::<u8>().prop_map(Op::Register),
		2 => (any::<u8>(), any::<bool>()).prop_map(|(c, a)| Op::SetStatus(c, a)),
		1 => any::<u8>().prop_map(Op::Remove),
		1 => any::<u8>().prop_map(Op::Rotate),
		5 => (
			any::<u8>(),
			prop::bool::weighted(0.1),
			prop::option::weighted(0.1, any::<u8>()),
			prop_oneof![9 => 1u8..3, 1 => 0u8..6],
			prop::collection::vec((any::<u8>(), receipt()), 1..5),
		)
			.prop_map(|(patient, copied, reuse_id, k, pieces)| Op::Anchor {
				patient,
				copied,
				reuse_id,
				k,
				pieces,
			}),
		3 => (
			any::<u8>(),
			0u8..5,
			any::<u8>(),
			prop::bool::weighted(0.1),
			prop::bool::weighted(0.1),
		)
			.prop_map(|(entry, index, to, forged, expired)| Op::Repair {
				entry,
				index,
				to,
				forged,
				expired,
			}),
		1 => (any::<u8>(), 0u8..3).prop_map(|(entry, who)| Op::Erase { entry, who }),
	]
}

#[derive(Clone, Debug, PartialEq)]
struct MEntry {
	patient: u64,
	aid: ArchiveId,
	k: u8,
	/// Custodian and whether held.
	pieces: Vec<(u64, bool)>,
	erased: bool,
}

#[derive(Default)]
struct Model {
	/// Custodian -> (active, key seed).
	custodians: BTreeMap<u64, (bool, u64)>,
	entries: BTreeMap<RecordId, MEntry>,
	ids: BTreeSet<ArchiveId>,
	next_id: u8,
	rotations: u64,
}

/// Key `seed`'s receipt for piece `index` of archive `aid` written by `patient` for
/// themselves, kept by `c` until block `valid_until`.
fn sign(
	seed: u64,
	patient: u64,
	aid: ArchiveId,
	(index, hash): (u8, PieceHash),
	c: u64,
	valid_until: u64,
) -> crate::Receipt<u64> {
	let write = ReceiptFor { patient: &patient, author: &patient, archive_id: aid };
	let payload = ShamirArchive::receipt_message(write, (index, hash), c, valid_until).payload();
	crate::Receipt { signature: pair(seed).sign(&payload), valid_until }
}

fn hash(index: usize) -> PieceHash {
	[index as u8 + 1; 32]
}

fn header(k: u8) -> CommitmentsHeader {
	CommitmentsHeader {
		version: ehr_archive_codec::VERSION,
		threshold: k,
		payload_len: 100,
		segment_size: 64,
	}
}

impl Model {
	fn active(&self, c: u64) -> Result<u64, Error<Test>> {
		match self.custodians.get(&c) {
			None => Err(Error::UnknownCustodian),
			Some((false, _)) => Err(Error::CustodianNotActive),
			Some((true, seed)) => Ok(*seed),
		}
	}

	fn seed(&self, c: u64) -> u64 {
		self.custodians.get(&c).map_or(c, |(_, seed)| *seed)
	}

	fn entry_record(&self, sel: u8) -> RecordId {
		let records: Vec<_> = self.entries.keys().copied().collect();
		if records.is_empty() || sel % 8 == 7 {
			return 999;
		}
		records[sel as usize % records.len()]
	}

	/// Apply `op` to the pallet and to the model; both must agree on the outcome.
	fn step(&mut self, op: Op) {
		let (got, want): (DispatchResult, Result<(), Error<Test>>) = match op {
			Op::Register(c) => {
				let c = custodian(c);
				let got = ShamirArchive::register_custodian(
					RuntimeOrigin::root(),
					c,
					b"ws://c".to_vec(),
					[0; 32],
					key(c),
				);
				let want = match self.custodians.entry(c) {
					std::collections::btree_map::Entry::Occupied(_) => Err(Error::AlreadyCustodian),
					std::collections::btree_map::Entry::Vacant(v) => {
						v.insert((true, c));
						Ok(())
					},
				};
				(got, want)
			},
			Op::SetStatus(c, active) => {
				let c = custodian(c);
				let status = if active { Status::Active } else { Status::Suspended };
				let got = ShamirArchive::set_custodian_status(RuntimeOrigin::root(), c, status);
				let want = match self.custodians.get_mut(&c) {
					None => Err(Error::UnknownCustodian),
					Some((a, _)) if *a == active => Err(Error::StatusUnchanged),
					Some((a, _)) => {
						*a = active;
						Ok(())
					},
				};
				(got, want)
			},
			Op::Remove(c) => {
				let c = custodian(c);
				let got = ShamirArchive::remove_custodian(RuntimeOrigin::root(), c);
				let want = self.custodians.remove(&c).map(|_| ()).ok_or(Error::UnknownCustodian);
				(got, want)
			},
			Op::Rotate(c) => {
				let c = custodian(c);
				self.rotations += 1;
				let seed = 1_000 + self.rotations;
				let got = ShamirArchive::update_custodian(
					RuntimeOrigin::signed(c),
					b"ws://d".to_vec(),
					[1; 32],
					key(seed),
				);
				let want = match self.custodians.get_mut(&c) {
					None => Err(Error::UnknownCustodian),
					Some((_, s)) => {
						*s = seed;
						Ok(())
					},
				};
				(got, want)
			},
			Op::Anchor { patient, copied, reuse_id, k, pieces } => {
				self.anchor(patient, copied, reuse_id, k, pieces)
			},
			Op::Repair { entry, index, to, forged, expired } => {
				self.repair(entry, index, to, forged, expired)
			},
			Op::Erase { entry, who } => {
				let record = self.entry_record(entry);
				let patient = self.entries.get(&record).map_or(PATIENTS[0], |e| e.patient);
				let who = [patient, GUARDIAN, OUTSIDER][who as usize % 3];
				let got = ShamirArchive::erase(RuntimeOrigin::signed(who), record);
				let want = match self.entries.get_mut(&record) {
					None => Err(Error::NoArchive),
					Some(e) if e.erased => Err(Error::ArchiveErased),
					Some(e)
						if who == e.patient || (who == GUARDIAN && e.patient == PATIENTS[0]) =>
					{
						// An erased entry is a tombstone without pieces.
						e.erased = true;
						e.pieces.clear();
						Ok(())
					},
					Some(_) => Err(Error::NotPatientOrGuardian),
				};
				(got, want)
			},
		};
		assert_eq!(got, want.map_err(DispatchError::from));
		self.compare();
	}

	/// `patient` adds a record with an archive of `pieces`; with `copied`, the receipts are the
	/// other patient's, as if copied from their pending write.
	fn anchor(
		&mut self,
		patient: u8,
		copied: bool,
		reuse_id: Option<u8>,
		k: u8,
		pieces: Vec<(u8, Receipt)>,
	) -> (DispatchResult, Result<(), Error<Test>>) {
		let patient = PATIENTS[patient as usize % PATIENTS.len()];
		let signer = if copied {
			PATIENTS.iter().copied().find(|p| *p != patient).expect("two")
		} else {
			patient
		};
		let aid = match reuse_id {
			Some(i) if !self.ids.is_empty() => {
				*self.ids.iter().nth(i as usize % self.ids.len()).expect("non-empty")
			},
			_ => {
				self.next_id = self.next_id.wrapping_add(1);
				[self.next_id; 32]
			},
		};
		let n = pieces.len();
		let custodians: Vec<u64> = pieces.iter().map(|(c, _)| custodian(*c)).collect();
		let now = System::block_number();
		let submitted: Vec<PieceSubmission<u64, u64>> = pieces
			.iter()
			.enumerate()
			.map(|(i, (_, r))| {
				let c = custodians[i];
				let piece = (i as u8, hash(i));
				let receipt = match r {
					Receipt::Good => {
						Some(sign(self.seed(c), signer, aid, piece, c, now + VALIDITY))
					},
					Receipt::LastBlock => Some(sign(self.seed(c), signer, aid, piece, c, now)),
					Receipt::None => None,
					Receipt::Forged => Some(sign(FORGER, signer, aid, piece, c, now + VALIDITY)),
					Receipt::Expired => Some(sign(self.seed(c), signer, aid, piece, c, now - 1)),
				};
				PieceSubmission { custodian: c, hash: hash(i), receipt }
			})
			.collect();
		let record = pallet_ehr_access::NextRecordId::<Test>::get();
		let got = EhrAccess::add_record(
			RuntimeOrigin::signed(patient),
			patient,
			pallet_ehr_access::Category::Condition,
			None,
			ArchiveSubmission {
				archive_id: aid,
				header: header(k),
				pieces: BoundedVec::truncate_from(submitted),
			},
		)
		.map(|_| ())
		.map_err(|e| e.error);
		let want = (|| {
			ensure!(!self.ids.contains(&aid), Error::ArchiveIdInUse);
			ensure!(k >= 1 && usize::from(k) <= n, Error::InvalidLayout);
			let distinct: BTreeSet<_> = custodians.iter().collect();
			ensure!(distinct.len() == n, Error::DuplicateCustodian);
			let mut held = Vec::new();
			for (i, (_, r)) in pieces.iter().enumerate() {
				self.active(custodians[i])?;
				// Expiry first, then the signature.
				ensure!(!matches!(r, Receipt::Expired), Error::ReceiptExpired);
				let given = !matches!(r, Receipt::None);
				let signed = matches!(r, Receipt::Good | Receipt::LastBlock);
				ensure!(!given || (!copied && signed), Error::BadReceipt);
				held.push(given);
			}
			ensure!(held.iter().filter(|h| **h).count() >= usize::from(k), Error::TooFewReceipts);
			self.ids.insert(aid);
			self.entries.insert(
				record,
				MEntry {
					patient,
					aid,
					k,
					pieces: custodians.iter().copied().zip(held).collect(),
					erased: false,
				},
			);
			Ok(())
		})();
		(got, want)
	}

	fn repair(
		&mut self,
		entry: u8,
		index: u8,
		to: u8,
		forged: bool,
		expired: bool,
	) -> (DispatchResult, Result<(), Error<Test>>) {
		let record = self.entry_record(entry);
		let to = custodian(to);
		let (patient, aid) =
			self.entries.get(&record).map_or((PATIENTS[0], [0; 32]), |e| (e.patient, e.aid));
		let seed = if forged { FORGER } else { self.seed(to) };
		let now = System::block_number();
		let valid_until = if expired { now - 1 } else { now + VALIDITY };
		let receipt = sign(seed, patient, aid, (index, hash(index.into())), to, valid_until);
		let got = ShamirArchive::repair_piece(
			RuntimeOrigin::signed(OUTSIDER),
			record,
			index,
			to,
			receipt,
		);
		let custodians = self.custodians.clone();
		let active = self.active(to);
		let want = (|| {
			let e = self.entries.get_mut(&record).ok_or(Error::NoArchive)?;
			ensure!(!e.erased, Error::ArchiveErased);
			let i = usize::from(index);
			let (old, held) = *e.pieces.get(i).ok_or(Error::BadPieceIndex)?;
			let in_service = held && custodians.get(&old).is_some_and(|(a, _)| *a);
			ensure!(!in_service, Error::PieceNotRepairable);
			active?;
			ensure!(
				!e.pieces.iter().enumerate().any(|(j, (c, _))| j != i && *c == to),
				Error::AlreadyHoldsPiece
			);
			ensure!(!expired, Error::ReceiptExpired);
			ensure!(!forged, Error::BadReceipt);
			e.pieces[i] = (to, true);
			Ok(())
		})();
		(got, want)
	}

	/// Every custodian and entry of the model is on chain, and nothing else.
	fn compare(&self) {
		let chain: BTreeMap<u64, (bool, sr25519::Public)> = Custodians::<Test>::iter()
			.map(|(c, info)| (c, (info.status == Status::Active, info.receipt_key)))
			.collect();
		let model: BTreeMap<u64, (bool, sr25519::Public)> =
			self.custodians.iter().map(|(c, (a, seed))| (*c, (*a, key(*seed)))).collect();
		assert_eq!(chain, model);
		assert_eq!(Archives::<Test>::iter().count(), self.entries.len());
		for (record, m) in &self.entries {
			let e = Archives::<Test>::get(record).expect("archived");
			assert_eq!((e.archive_id, e.k), (m.aid, m.k));
			let pieces: Vec<(u64, bool)> =
				e.pieces.iter().map(|p| (p.custodian, p.state == PieceState::Held)).collect();
			assert_eq!(pieces, m.pieces);
			let state = if m.erased {
				EntryState::Erased
			} else if m.pieces.iter().all(|(_, held)| *held) {
				EntryState::Anchored
			} else {
				EntryState::Degraded
			};
			assert_eq!(e.state, state);
		}
	}
}

fn cases() -> u32 {
	std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(256)
}

proptest! {
	#![proptest_config(ProptestConfig { cases: cases(), max_shrink_iters: 2048, ..ProptestConfig::default() })]

	#[test]
	fn pallet_agrees_with_the_model(ops in prop::collection::vec(op(), 1..40)) {
		new_test_ext().execute_with(|| {
			for p in PATIENTS {
				EhrAccess::register_patient(RuntimeOrigin::signed(p)).expect("registers");
			}
			EhrAccess::add_guardian(RuntimeOrigin::signed(PATIENTS[0]), GUARDIAN).expect("names");
			let mut model = Model::default();
			// Half the custodians start registered, so that most archives find some.
			for i in 0..3 {
				model.step(Op::Register(i));
			}
			for op in ops {
				model.step(op);
			}
			ShamirArchive::do_try_state().expect("invariants hold");
		});
	}
}
