//! Model-based property test of the piece store: random sequences of puts (good, failing their
//! commitment, too large, replacing), anchors, erasures, expiries, gets, corruptions on disk and
//! re-openings run against the real store in a temporary directory and against a plain
//! in-memory model. After every step the results agree, the counts and bytes agree, the quota
//! holds, and a get never serves bytes other than those that were put.
use std::collections::BTreeMap;

use ehr_archive_codec::{encode, Encoded};
use ehr_custody_store::{ArchiveId, PieceKey, PieceStore, StoreConfig, StoreError, StoreStatus};
use proptest::prelude::*;

const TIMEOUT: u64 = 100;
/// Small enough that quota and size refusals happen in most runs.
const CONFIG: StoreConfig =
	StoreConfig { quota_bytes: 6_000, max_piece_bytes: 3_000, pending_timeout_secs: TIMEOUT };
const ARCHIVES: usize = 3;
const N: u8 = 3;

/// Two encodings (variants) of each archive: a different piece under the same key replaces a
/// pending one and is refused once anchored. Archive 2's pieces are over the size limit.
fn encodings() -> Vec<[Encoded; 2]> {
	(0..ARCHIVES)
		.map(|a| {
			let id = archive_id(a);
			let len = [2_000, 3_500, 7_000][a];
			let payload = |salt: u8| -> Vec<u8> { (0..len).map(|i| (i as u8) ^ salt).collect() };
			[encode(&payload(0), &id, 2, N).unwrap(), encode(&payload(1), &id, 2, N).unwrap()]
		})
		.collect()
}

fn archive_id(a: usize) -> ArchiveId {
	[a as u8 + 1; 32]
}

#[derive(Clone, Debug)]
enum Op {
	Put { archive: usize, variant: usize, index: u8, bad: bool, now: u64 },
	Anchor(usize),
	Erase(usize),
	Expire(u64),
	Get { archive: usize, index: u8 },
	Corrupt { archive: usize, index: u8 },
	Reopen,
}

fn op() -> impl Strategy<Value = Op> {
	let archive = 0..ARCHIVES;
	prop_oneof![
		4 => (archive.clone(), 0..2usize, 0..N, proptest::bool::weighted(0.15), 0..400u64)
			.prop_map(|(archive, variant, index, bad, now)| Op::Put { archive, variant, index, bad, now }),
		1 => archive.clone().prop_map(Op::Anchor),
		1 => archive.clone().prop_map(Op::Erase),
		1 => (0..600u64).prop_map(Op::Expire),
		2 => (archive.clone(), 0..N).prop_map(|(archive, index)| Op::Get { archive, index }),
		1 => (archive, 0..N).prop_map(|(archive, index)| Op::Corrupt { archive, index }),
		1 => Just(Op::Reopen),
	]
}

/// What the model holds under a key.
#[derive(Clone, Debug)]
struct Held {
	variant: usize,
	size: u64,
	/// `Some(received_at)` while pending.
	pending: Option<u64>,
	corrupt: bool,
}

/// The outcome of an operation, comparable between the store and the model.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
	Ok,
	Count(usize),
	Served(usize),
	BadPiece,
	TooLarge,
	Quota,
	AlreadyAnchored,
	NotFound,
	Corrupt,
}

fn refusal(e: StoreError) -> Outcome {
	match e {
		StoreError::BadPiece { .. } => Outcome::BadPiece,
		StoreError::PieceTooLarge { .. } => Outcome::TooLarge,
		StoreError::QuotaExceeded { .. } => Outcome::Quota,
		StoreError::AlreadyAnchored { .. } => Outcome::AlreadyAnchored,
		StoreError::NotFound { .. } => Outcome::NotFound,
		StoreError::Corrupt { .. } => Outcome::Corrupt,
		StoreError::Io { path, source } => panic!("I/O failure at {}: {source}", path.display()),
	}
}

proptest! {
	#![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

	#[test]
	fn the_store_agrees_with_its_model(ops in proptest::collection::vec(op(), 1..40)) {
		let encodings = encodings();
		let dir = tempfile::tempdir().unwrap();
		let mut store = PieceStore::open(dir.path(), CONFIG).unwrap();
		let mut model: BTreeMap<(usize, u8), Held> = BTreeMap::new();
		let piece_file = |archive: usize, index: u8| {
			dir.path().join(format!("{}.{index}.piece", hex::encode(archive_id(archive))))
		};

		for op in ops {
			let (got, expected) = match op {
				Op::Put { archive, variant, index, bad, now } => {
					let encoded = &encodings[archive][variant];
					let mut piece = encoded.pieces[usize::from(index)].clone();
					if bad {
						piece.share[0] ^= 1;
					}
					let size = piece.to_bytes().len() as u64;
					let got = store
						.put(archive_id(archive), &piece, &encoded.commitments, now)
						.map(|hash| {
							assert_eq!(hash, encoded.commitments.piece_hashes[usize::from(index)]);
							Outcome::Ok
						})
						.unwrap_or_else(refusal);
					let used: u64 = model.values().map(|h| h.size).sum();
					let expected = match model.get_mut(&(archive, index)) {
						_ if bad => Outcome::BadPiece,
						_ if size > CONFIG.max_piece_bytes => Outcome::TooLarge,
						Some(held) if held.variant == variant => {
							// The same piece again: written again if damaged on disk.
							held.corrupt = false;
							Outcome::Ok
						},
						Some(Held { pending: None, .. }) => Outcome::AlreadyAnchored,
						held => {
							let replaced = held.map_or(0, |h| h.size);
							if size > CONFIG.quota_bytes - (used - replaced) {
								Outcome::Quota
							} else {
								model.insert(
									(archive, index),
									Held { variant, size, pending: Some(now), corrupt: false },
								);
								Outcome::Ok
							}
						},
					};
					(got, expected)
				},
				Op::Anchor(archive) => {
					let got = store.anchor(archive_id(archive)).map(Outcome::Count).unwrap_or_else(refusal);
					let mut count = 0;
					for ((a, _), held) in model.iter_mut() {
						if *a == archive && held.pending.take().is_some() {
							count += 1;
						}
					}
					(got, Outcome::Count(count))
				},
				Op::Erase(archive) => {
					let got = store.erase(archive_id(archive)).map(Outcome::Count).unwrap_or_else(refusal);
					let before = model.len();
					model.retain(|(a, _), _| *a != archive);
					(got, Outcome::Count(before - model.len()))
				},
				Op::Expire(now) => {
					let got = store.expire(now).map(Outcome::Count).unwrap_or_else(refusal);
					let before = model.len();
					model.retain(|_, held| held.pending.is_none_or(|at| now.saturating_sub(at) < TIMEOUT));
					(got, Outcome::Count(before - model.len()))
				},
				Op::Get { archive, index } => {
					let got = store
						.get(&PieceKey { archive_id: archive_id(archive), index })
						.map(|piece| {
							// Whatever is served is exactly a piece that was put.
							let variant = (0..2)
								.find(|&v| encodings[archive][v].pieces[usize::from(index)] == piece)
								.expect("served bytes that were never put");
							Outcome::Served(variant)
						})
						.unwrap_or_else(refusal);
					let expected = match model.get(&(archive, index)) {
						None => Outcome::NotFound,
						Some(held) if held.corrupt => Outcome::Corrupt,
						Some(held) => Outcome::Served(held.variant),
					};
					(got, expected)
				},
				Op::Corrupt { archive, index } => {
					if let Some(held) = model.get_mut(&(archive, index)) {
						let path = piece_file(archive, index);
						let mut bytes = std::fs::read(&path).unwrap();
						let at = bytes.len() / 2;
						bytes[at] ^= 0x10;
						std::fs::write(&path, bytes).unwrap();
						held.corrupt = !held.corrupt;
					}
					(Outcome::Ok, Outcome::Ok)
				},
				Op::Reopen => {
					drop(store);
					store = PieceStore::open(dir.path(), CONFIG).unwrap();
					(Outcome::Ok, Outcome::Ok)
				},
			};
			prop_assert_eq!(got, expected);

			let used: u64 = model.values().map(|h| h.size).sum();
			let pending = model.values().filter(|h| h.pending.is_some()).count() as u64;
			prop_assert_eq!(
				store.status(),
				StoreStatus {
					pieces: model.len() as u64,
					pending,
					used_bytes: used,
					quota_bytes: CONFIG.quota_bytes,
				}
			);
			prop_assert!(used <= CONFIG.quota_bytes);
		}
	}
}
