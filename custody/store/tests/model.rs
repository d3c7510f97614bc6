//! Model-based property test of the piece store.
//!
//! Random sequences of operations over 3 archives × 3 piece indices × 2 encodings of each
//! archive run against the real [`PieceStore`] in a temporary directory and against a plain
//! in-memory model (what is held under each key, pending until which block or anchored, and the
//! bytes of its piece file):
//!
//! - puts of good pieces, each with the block its receipt is valid until (new, the same again
//!   with an earlier or a later block, another encoding's over a pending or anchored one),
//!   of pieces failing their commitment (share or fragment altered, index out of range, another
//!   encoding's commitments) and of pieces over the size limit;
//! - anchors (with this custodian assigned some indices and encodings, others not), erasures,
//!   expiries at random finalised blocks (often equal to a piece's `keep_until`), gets;
//! - damage to a piece file on disk (a flipped bit, truncation, an extra byte);
//! - re-opening the store, and crashes (files left as a crash between two renames would leave
//!   them, or torn, then the store re-opened).
//!
//! After every step: the store and the model give the same result (the same error kind), the
//! returned commitment is the piece's; the store's status (pieces, pending, used bytes) equals
//! the model's and used bytes never exceed the quota; every key's [`Entry`] (hash, size,
//! pending until which block / anchored) equals the model's, so re-opening restores exactly the
//! state before it (less what the crash destroyed), re-puts' raised `keep_until` included; a get
//! serves exactly the bytes that were put or reports the piece corrupt, never other bytes; and
//! the directory holds exactly the two files of each held piece (crash leftovers are cleaned up,
//! erased and expired pieces are gone).
use std::{
	collections::{BTreeMap, BTreeSet},
	fs,
	path::Path,
	sync::LazyLock,
};

use ehr_archive_codec::{encode, Encoded};
use ehr_custody_store::{
	Anchoring, ArchiveId, Entry, PieceKey, PieceState, PieceStore, StoreConfig, StoreError,
	StoreStatus,
};
use proptest::{prelude::*, sample::Index};

/// Small enough that quota and size refusals happen in most runs.
const CONFIG: StoreConfig = StoreConfig { quota_bytes: 6_000, max_piece_bytes: 3_000 };
/// Blocks a receipt is valid until, and blocks finalised: few, so that re-puts raise and lower
/// the block, and expiries land on a piece's `keep_until` exactly, in most runs.
const BLOCKS: u32 = 24;
const ARCHIVES: usize = 3;
const N: u8 = 3;

/// Two encodings (variants) of each archive, with payloads of the same length so that their
/// pieces have the same size: a different piece under a key held is refused, and anchoring
/// keeps only the encoding named. Archive 2's pieces are over the size limit.
static ENCODINGS: LazyLock<Vec<[Encoded; 2]>> = LazyLock::new(|| {
	(0..ARCHIVES)
		.map(|a| {
			let id = archive_id(a);
			let len = [2_000, 3_500, 7_000][a];
			let payload = |salt: u8| -> Vec<u8> { (0..len).map(|i| (i as u8) ^ salt).collect() };
			[encode(&payload(0), &id, 2, N).unwrap(), encode(&payload(1), &id, 2, N).unwrap()]
		})
		.collect()
});

fn archive_id(a: usize) -> ArchiveId {
	[a as u8 + 1; 32]
}

fn key(archive: usize, index: u8) -> PieceKey {
	PieceKey { archive_id: archive_id(archive), index }
}

fn good_bytes(archive: usize, variant: usize, index: u8) -> Vec<u8> {
	ENCODINGS[archive][variant].pieces[usize::from(index)].to_bytes()
}

fn file_name(archive: usize, index: u8, ext: &str) -> String {
	format!("{}.{index}.{ext}", hex::encode(archive_id(archive)))
}

/// How a put piece fails its commitment.
#[derive(Clone, Copy, Debug)]
enum Bad {
	Share,
	Fragment,
	/// The piece claims an index the archive does not have.
	Index(u8),
	/// The commitments of the archive's other encoding.
	OtherCommitments,
}

/// Damage to a piece file while the store runs.
#[derive(Clone, Copy, Debug)]
enum Damage {
	FlipBit(Index),
	Truncate(Index),
	AppendByte(u8),
}

/// What a crash leaves on disk before the store is opened again.
#[derive(Clone, Copy, Debug)]
enum Crash {
	/// Temporary files of an interrupted write.
	Temporaries,
	/// A put crashed after renaming its piece file, before its meta: an orphan piece (puts
	/// only write under keys not held).
	PieceWithoutMeta,
	/// An erasure crashed after removing the meta, before the piece.
	HalfErased,
	/// A meta file torn (cut short).
	TornMeta(Index),
	/// A piece file lost, its meta left.
	LostPiece,
}

/// The block finalised when an expiry runs.
#[derive(Clone, Copy, Debug)]
enum Finalized {
	Block(u32),
	/// The `keep_until` of one of the archive's pending pieces (if it has any), plus 0 or 1:
	/// right on the edge between kept and due, which random blocks would rarely hit.
	Edge(Index, u32),
}

#[derive(Clone, Debug)]
enum Op {
	Put {
		archive: usize,
		variant: usize,
		index: u8,
		bad: Option<Bad>,
		keep_until: u32,
	},
	/// The archive anchored with, at each index, this custodian and the piece of that encoding
	/// (`Some(variant)`) or another custodian (`None`).
	Anchor {
		archive: usize,
		ours: Vec<Option<usize>>,
	},
	Erase(usize),
	Expire {
		archive: usize,
		finalized: Finalized,
	},
	Get {
		archive: usize,
		index: u8,
	},
	Damage {
		archive: usize,
		index: u8,
		damage: Damage,
	},
	Reopen,
	Crash {
		archive: usize,
		index: u8,
		crash: Crash,
	},
}

fn op() -> impl Strategy<Value = Op> {
	let archive = 0..ARCHIVES;
	let bad = prop_oneof![
		Just(Bad::Share),
		Just(Bad::Fragment),
		(N..=u8::MAX).prop_map(Bad::Index),
		Just(Bad::OtherCommitments),
	];
	let damage = prop_oneof![
		3 => any::<Index>().prop_map(Damage::FlipBit),
		1 => any::<Index>().prop_map(Damage::Truncate),
		1 => any::<u8>().prop_map(Damage::AppendByte),
	];
	let crash = prop_oneof![
		Just(Crash::Temporaries),
		Just(Crash::PieceWithoutMeta),
		Just(Crash::HalfErased),
		any::<Index>().prop_map(Crash::TornMeta),
		Just(Crash::LostPiece),
	];
	prop_oneof![
		6 => (archive.clone(), 0..2usize, 0..N, proptest::option::weighted(0.2, bad), 0..BLOCKS)
			.prop_map(|(archive, variant, index, bad, keep_until)| Op::Put { archive, variant, index, bad, keep_until }),
		1 => (archive.clone(), proptest::collection::vec(proptest::option::of(0..2usize), usize::from(N)))
			.prop_map(|(archive, ours)| Op::Anchor { archive, ours }),
		1 => archive.clone().prop_map(Op::Erase),
		1 => (archive.clone(), 0..=BLOCKS)
			.prop_map(|(archive, block)| Op::Expire { archive, finalized: Finalized::Block(block) }),
		1 => (archive.clone(), any::<Index>(), 0..=1u32).prop_map(|(archive, pick, after)| Op::Expire {
			archive,
			finalized: Finalized::Edge(pick, after)
		}),
		3 => (archive.clone(), 0..N).prop_map(|(archive, index)| Op::Get { archive, index }),
		2 => (archive.clone(), 0..N, damage)
			.prop_map(|(archive, index, damage)| Op::Damage { archive, index, damage }),
		1 => Just(Op::Reopen),
		1 => (archive, 0..N, crash).prop_map(|(archive, index, crash)| Op::Crash { archive, index, crash }),
	]
}

/// What the model holds under a key.
#[derive(Clone, Debug)]
struct Held {
	variant: usize,
	size: u64,
	/// `Some(keep_until)` while pending.
	pending: Option<u32>,
	/// The piece file's bytes, as put or as damaged since.
	disk: Vec<u8>,
}

type Model = BTreeMap<(usize, u8), Held>;

/// The outcome of an operation, comparable between the store and the model.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
	Ok,
	Count(usize),
	Anchoring(Anchoring),
	Served(usize),
	BadPiece,
	TooLarge,
	Quota,
	AlreadyHeld,
	NotFound,
	Corrupt,
}

fn refusal(e: StoreError) -> Outcome {
	match e {
		StoreError::BadPiece { .. } => Outcome::BadPiece,
		StoreError::PieceTooLarge { .. } => Outcome::TooLarge,
		StoreError::QuotaExceeded { .. } => Outcome::Quota,
		StoreError::AlreadyHeld { .. } => Outcome::AlreadyHeld,
		StoreError::NotFound { .. } => Outcome::NotFound,
		StoreError::Corrupt { .. } => Outcome::Corrupt,
		StoreError::Io { path, source } => panic!("I/O failure at {}: {source}", path.display()),
	}
}

fn put(store: &mut PieceStore, model: &mut Model, op: &Op) -> (Outcome, Outcome) {
	let &Op::Put { archive, variant, index, bad, keep_until } = op else { unreachable!() };
	let encoded = &ENCODINGS[archive][variant];
	let mut piece = encoded.pieces[usize::from(index)].clone();
	let mut commitments = &encoded.commitments;
	match bad {
		Some(Bad::Share) => piece.share[0] ^= 1,
		Some(Bad::Fragment) => piece.fragment[7] ^= 0x80,
		Some(Bad::Index(bad_index)) => piece.index = bad_index,
		Some(Bad::OtherCommitments) => commitments = &ENCODINGS[archive][1 - variant].commitments,
		None => {},
	}
	let got = match store.put(archive_id(archive), &piece, commitments, keep_until) {
		Ok(hash) => {
			assert_eq!(hash, encoded.commitments.piece_hashes[usize::from(index)]);
			Outcome::Ok
		},
		Err(e) => refusal(e),
	};

	let bytes = good_bytes(archive, variant, index);
	let size = bytes.len() as u64;
	let used: u64 = model.values().map(|h| h.size).sum();
	let expected = match model.get_mut(&(archive, index)) {
		_ if bad.is_some() => Outcome::BadPiece,
		_ if size > CONFIG.max_piece_bytes => Outcome::TooLarge,
		Some(held) if held.variant == variant => {
			// The same piece again: pending until the later of the two receipts' blocks, or
			// still anchored, and whole again on disk if it was damaged there.
			if let Some(held_until) = &mut held.pending {
				*held_until = (*held_until).max(keep_until);
			}
			held.disk = bytes;
			Outcome::Ok
		},
		Some(_) => Outcome::AlreadyHeld,
		None => {
			if size > CONFIG.quota_bytes - used {
				Outcome::Quota
			} else {
				model.insert(
					(archive, index),
					Held { variant, size, pending: Some(keep_until), disk: bytes },
				);
				Outcome::Ok
			}
		},
	};
	(got, expected)
}

/// Applies `damage` to the piece file under `(archive, index)`, and to the model's copy.
fn damage(dir: &Path, model: &mut Model, archive: usize, index: u8, damage: Damage) {
	let Some(held) = model.get_mut(&(archive, index)) else { return };
	let bytes = &mut held.disk;
	match damage {
		Damage::FlipBit(bit) => {
			let bit = bit.index(bytes.len() * 8);
			bytes[bit / 8] ^= 1 << (bit % 8);
		},
		Damage::Truncate(at) => bytes.truncate(at.index(bytes.len())),
		Damage::AppendByte(byte) => bytes.push(byte),
	}
	fs::write(dir.join(file_name(archive, index, "piece")), &bytes).unwrap();
}

/// Leaves on disk what `crash` would, and removes from the model what it destroys.
fn crash(dir: &Path, model: &mut Model, archive: usize, index: u8, crash: Crash) {
	let path = |ext: &str| dir.join(file_name(archive, index, ext));
	let held = model.get_mut(&(archive, index));
	match (crash, held) {
		(Crash::Temporaries, _) => {
			fs::write(path("piece.tmp"), b"half a piece").unwrap();
			fs::write(path("meta.tmp"), b"half").unwrap();
		},
		(Crash::PieceWithoutMeta, None) => {
			fs::write(path("piece"), good_bytes(archive, 0, index)).unwrap();
		},
		(Crash::HalfErased, Some(_)) => {
			fs::remove_file(path("meta")).unwrap();
			model.remove(&(archive, index));
		},
		(Crash::TornMeta(at), Some(_)) => {
			let meta = fs::read(path("meta")).unwrap();
			fs::write(path("meta"), &meta[..at.index(meta.len())]).unwrap();
			model.remove(&(archive, index));
		},
		(Crash::LostPiece, Some(_)) => {
			fs::remove_file(path("piece")).unwrap();
			model.remove(&(archive, index));
		},
		_ => {},
	}
}

/// What opening the store again keeps: pieces whose file has the size their meta records.
fn reopen(dir: &Path, store: &mut PieceStore, model: &mut Model) {
	*store = PieceStore::open(dir, CONFIG).unwrap();
	model.retain(|_, held| held.disk.len() as u64 == held.size);
}

/// Checks everything observable of the store against the model.
fn check(dir: &Path, store: &PieceStore, model: &Model) -> Result<(), TestCaseError> {
	let status = store.status();
	prop_assert!(status.used_bytes <= CONFIG.quota_bytes, "over quota: {status:?}");
	prop_assert_eq!(
		status,
		StoreStatus {
			pieces: model.len() as u64,
			pending: model.values().filter(|h| h.pending.is_some()).count() as u64,
			used_bytes: model.values().map(|h| h.size).sum(),
			quota_bytes: CONFIG.quota_bytes,
		}
	);
	let mut files = BTreeSet::new();
	for archive in 0..ARCHIVES {
		for index in 0..N {
			let expected = model.get(&(archive, index)).map(|held| Entry {
				piece_hash: ENCODINGS[archive][held.variant].commitments.piece_hashes
					[usize::from(index)],
				size: held.size,
				state: held
					.pending
					.map_or(PieceState::Anchored, |keep_until| PieceState::Pending { keep_until }),
			});
			prop_assert_eq!(store.entry(&key(archive, index)).copied(), expected);
			if expected.is_some() {
				files.insert(file_name(archive, index, "piece"));
				files.insert(file_name(archive, index, "meta"));
			}
		}
	}
	let on_disk: BTreeSet<String> = fs::read_dir(dir)
		.unwrap()
		.map(|file| file.unwrap().file_name().into_string().unwrap())
		.collect();
	prop_assert_eq!(on_disk, files, "the directory holds other files than the pieces held");
	Ok(())
}

proptest! {
	#![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

	#[test]
	fn the_store_agrees_with_its_model(ops in proptest::collection::vec(op(), 1..40)) {
		let dir = tempfile::tempdir().unwrap();
		let dir = dir.path();
		let mut store = PieceStore::open(dir, CONFIG).unwrap();
		let mut model = Model::new();

		for op in ops {
			let (got, expected) = match op {
				Op::Put { .. } => put(&mut store, &mut model, &op),
				Op::Anchor { archive, ours } => {
					let assigned: Vec<(u8, [u8; 32])> = (0..N)
						.filter_map(|i| {
							let variant = ours[usize::from(i)]?;
							Some((i, ENCODINGS[archive][variant].commitments.piece_hashes[usize::from(i)]))
						})
						.collect();
					let got = store
						.anchor(archive_id(archive), &assigned)
						.map_or_else(refusal, Outcome::Anchoring);
					let mut expected = Anchoring::default();
					model.retain(|&(a, i), held| {
						if a != archive {
							true
						} else if ours[usize::from(i)] == Some(held.variant) {
							expected.anchored += usize::from(held.pending.take().is_some());
							true
						} else {
							expected.released += 1;
							false
						}
					});
					(got, Outcome::Anchoring(expected))
				},
				Op::Erase(archive) => {
					let got = store.erase(archive_id(archive)).map_or_else(refusal, Outcome::Count);
					let before = model.len();
					model.retain(|(a, _), _| *a != archive);
					(got, Outcome::Count(before - model.len()))
				},
				Op::Expire { archive, finalized } => {
					let finalized = match finalized {
						Finalized::Block(block) => block,
						Finalized::Edge(pick, after) => {
							let kept: Vec<u32> = model
								.iter()
								.filter(|((a, _), _)| *a == archive)
								.filter_map(|(_, held)| held.pending)
								.collect();
							after + if kept.is_empty() { 0 } else { kept[pick.index(kept.len())] }
						},
					};
					let got = store
						.expire(archive_id(archive), finalized)
						.map_or_else(refusal, Outcome::Count);
					let before = model.len();
					// Kept while block `keep_until` is not yet final or just final.
					model.retain(|&(a, _), held| {
						a != archive || held.pending.is_none_or(|keep_until| keep_until >= finalized)
					});
					(got, Outcome::Count(before - model.len()))
				},
				Op::Get { archive, index } => {
					let got = match store.get(&key(archive, index)) {
						// Whatever is served is exactly a piece that was put under this key.
						Ok(piece) => Outcome::Served(
							(0..2)
								.find(|&v| ENCODINGS[archive][v].pieces[usize::from(index)] == piece)
								.expect("served a piece that was never put"),
						),
						Err(e) => refusal(e),
					};
					let expected = match model.get(&(archive, index)) {
						None => Outcome::NotFound,
						Some(held) if held.disk == good_bytes(archive, held.variant, index) => {
							Outcome::Served(held.variant)
						},
						Some(_) => Outcome::Corrupt,
					};
					(got, expected)
				},
				Op::Damage { archive, index, damage: what } => {
					damage(dir, &mut model, archive, index, what);
					(Outcome::Ok, Outcome::Ok)
				},
				Op::Reopen => {
					reopen(dir, &mut store, &mut model);
					(Outcome::Ok, Outcome::Ok)
				},
				Op::Crash { archive, index, crash: what } => {
					crash(dir, &mut model, archive, index, what);
					reopen(dir, &mut store, &mut model);
					(Outcome::Ok, Outcome::Ok)
				},
			};
			prop_assert_eq!(got, expected);
			check(dir, &store, &model)?;
		}
	}
}
