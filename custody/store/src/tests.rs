use super::*;
use ehr_archive_codec::{encode, Encoded};

const ARCHIVE: ArchiveId = [7; 32];
const OTHER: ArchiveId = [8; 32];
const CONFIG: StoreConfig = StoreConfig { quota_bytes: 1 << 20, max_piece_bytes: 256 << 10 };

fn encoded(len: usize, k: u8, n: u8) -> Encoded {
	let payload: Vec<u8> = (0..len).map(|i| (i * 31 + 7) as u8).collect();
	encode(&payload, &ARCHIVE, k, n).unwrap()
}

fn store(dir: &tempfile::TempDir) -> PieceStore {
	PieceStore::open(dir.path(), CONFIG).unwrap()
}

fn key(archive_id: ArchiveId, index: u8) -> PieceKey {
	PieceKey { archive_id, index }
}

/// The (index, commitment) pairs of `indices` in `e`: what the chain assigns to a custodian.
fn ours(e: &Encoded, indices: &[u8]) -> Vec<(u8, Hash)> {
	indices.iter().map(|&i| (i, e.commitments.piece_hashes[usize::from(i)])).collect()
}

#[test]
fn a_piece_is_kept_pending_and_served_back_unchanged() {
	let dir = tempfile::tempdir().unwrap();
	let mut store = store(&dir);
	let e = encoded(10_000, 3, 5);
	let hash = store.put(ARCHIVE, &e.pieces[2], &e.commitments, 100).unwrap();
	assert_eq!(hash, e.commitments.piece_hashes[2]);
	assert_eq!(store.get(&key(ARCHIVE, 2)).unwrap(), e.pieces[2]);
	let entry = store.entry(&key(ARCHIVE, 2)).unwrap();
	assert_eq!(entry.state, PieceState::Pending { keep_until: 100 });
	assert_eq!(
		store.status(),
		StoreStatus { pieces: 1, pending: 1, used_bytes: entry.size, quota_bytes: 1 << 20 }
	);
	assert!(matches!(store.get(&key(ARCHIVE, 1)), Err(StoreError::NotFound { index: 1, .. })));
}

#[test]
fn a_piece_that_does_not_match_its_commitment_is_refused_and_not_kept() {
	let dir = tempfile::tempdir().unwrap();
	let mut store = store(&dir);
	let e = encoded(10_000, 3, 5);
	let mut bad = e.pieces[0].clone();
	bad.fragment[5] ^= 1;
	assert!(matches!(
		store.put(ARCHIVE, &bad, &e.commitments, 0),
		Err(StoreError::BadPiece { index: 0, .. })
	));
	let mut out_of_range = e.pieces[0].clone();
	out_of_range.index = 9;
	assert!(matches!(
		store.put(ARCHIVE, &out_of_range, &e.commitments, 0),
		Err(StoreError::BadPiece { index: 9, .. })
	));
	assert_eq!(store.status().pieces, 0);
	assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn size_limit_and_quota_are_enforced() {
	let dir = tempfile::tempdir().unwrap();
	let mut store =
		PieceStore::open(dir.path(), StoreConfig { quota_bytes: 10_000, max_piece_bytes: 4_000 })
			.unwrap();
	let big = encoded(30_000, 3, 5); // pieces of ~10 KB
	assert!(matches!(
		store.put(ARCHIVE, &big.pieces[0], &big.commitments, 0),
		Err(StoreError::PieceTooLarge { max: 4_000, .. })
	));
	let small = encoded(9_000, 3, 5); // pieces of ~3 KB
	for piece in &small.pieces[..3] {
		store.put(ARCHIVE, piece, &small.commitments, 0).unwrap();
	}
	let used = store.status().used_bytes;
	match store.put(ARCHIVE, &small.pieces[3], &small.commitments, 0) {
		Err(StoreError::QuotaExceeded { free, quota: 10_000, .. }) => {
			assert_eq!(free, 10_000 - used)
		},
		other => panic!("expected QuotaExceeded, got {other:?}"),
	}
	// Putting a piece already held costs nothing.
	store.put(ARCHIVE, &small.pieces[0], &small.commitments, 5).unwrap();
	assert_eq!(store.status().used_bytes, used);
}

#[test]
fn pending_pieces_expire_and_anchored_ones_stay() {
	let dir = tempfile::tempdir().unwrap();
	let mut store = store(&dir);
	let e = encoded(5_000, 2, 3);
	store.put(ARCHIVE, &e.pieces[0], &e.commitments, 1_000).unwrap();
	store.put(OTHER, &e.pieces[1], &e.commitments, 1_000).unwrap();
	assert_eq!(store.anchor(ARCHIVE, &ours(&e, &[0])).unwrap().anchored, 1);
	assert_eq!(store.anchor(ARCHIVE, &ours(&e, &[0])).unwrap(), Anchoring::default());
	// Kept while its receipt may still be used, i.e. up to and including block 1 000.
	assert_eq!(store.expire(OTHER, 999).unwrap(), 0);
	assert_eq!(store.expire(OTHER, 1_000).unwrap(), 0);
	// Only the archive named expires; an anchored piece never does.
	assert_eq!(store.expire(ARCHIVE, 1_001).unwrap(), 0);
	assert_eq!(store.expire(ARCHIVE, u32::MAX).unwrap(), 0);
	assert_eq!(store.expire(OTHER, 1_001).unwrap(), 1);
	assert!(store.get(&key(ARCHIVE, 0)).is_ok());
	assert!(matches!(store.get(&key(OTHER, 1)), Err(StoreError::NotFound { .. })));
	assert_eq!(store.status().pending, 0);
}

#[test]
fn a_held_piece_is_never_replaced_pending_or_anchored() {
	let dir = tempfile::tempdir().unwrap();
	let mut store = store(&dir);
	let first = encoded(5_000, 2, 3);
	let second = encoded(6_000, 2, 3);
	store.put(ARCHIVE, &first.pieces[0], &first.commitments, 0).unwrap();
	let used = store.status().used_bytes;
	// Another encoding under the same archive id, before the first is anchored: refused, so
	// the piece the chain is about to anchor stays.
	assert!(matches!(
		store.put(ARCHIVE, &second.pieces[0], &second.commitments, 0),
		Err(StoreError::AlreadyHeld { index: 0 })
	));
	assert_eq!(store.get(&key(ARCHIVE, 0)).unwrap(), first.pieces[0]);
	assert_eq!(store.status().used_bytes, used);
	store.anchor(ARCHIVE, &ours(&first, &[0])).unwrap();
	assert!(matches!(
		store.put(ARCHIVE, &second.pieces[0], &second.commitments, 0),
		Err(StoreError::AlreadyHeld { index: 0 })
	));
	// Once expired (never anchored) or released, the place is free again.
	store.anchor(ARCHIVE, &[]).unwrap();
	store.put(ARCHIVE, &second.pieces[0], &second.commitments, 0).unwrap();
}

#[test]
fn anchoring_keeps_only_the_pieces_the_chain_assigns_to_this_custodian() {
	let dir = tempfile::tempdir().unwrap();
	let mut store = store(&dir);
	let e = encoded(5_000, 2, 4);
	let other_encoding = encode(&[9; 5_000], &ARCHIVE, 2, 4).unwrap();
	store.put(ARCHIVE, &e.pieces[0], &e.commitments, 0).unwrap();
	store.put(ARCHIVE, &e.pieces[1], &e.commitments, 0).unwrap();
	store.put(ARCHIVE, &other_encoding.pieces[2], &other_encoding.commitments, 0).unwrap();
	store.put(OTHER, &e.pieces[3], &e.commitments, 0).unwrap();
	// The chain lists this custodian for pieces 0 and 2 of `e`: piece 1 went to another
	// custodian and the held piece 2 is of an encoding that was never anchored.
	let outcome = store.anchor(ARCHIVE, &ours(&e, &[0, 2])).unwrap();
	assert_eq!(outcome, Anchoring { anchored: 1, released: 2 });
	assert_eq!(store.entry(&key(ARCHIVE, 0)).unwrap().state, PieceState::Anchored);
	assert!(store.entry(&key(ARCHIVE, 1)).is_none() && store.entry(&key(ARCHIVE, 2)).is_none());
	assert!(store.entry(&key(OTHER, 3)).is_some(), "another archive's piece is left alone");
	assert_eq!(store.status().used_bytes, e.pieces[0].to_bytes().len() as u64 * 2);
	assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 4);

	// Piece 0 repaired away from this custodian: the anchored piece is released too.
	assert_eq!(store.anchor(ARCHIVE, &[]).unwrap(), Anchoring { anchored: 0, released: 1 });
	assert_eq!(store.status().pieces, 1);
}

#[test]
fn erasure_deletes_every_piece_of_the_archive_and_only_those() {
	let dir = tempfile::tempdir().unwrap();
	let mut store = store(&dir);
	let e = encoded(5_000, 2, 3);
	for piece in &e.pieces {
		store.put(ARCHIVE, piece, &e.commitments, 0).unwrap();
	}
	store.put(OTHER, &e.pieces[0], &e.commitments, 0).unwrap();
	assert_eq!(store.erase(ARCHIVE).unwrap(), 3);
	assert_eq!(store.status().pieces, 1);
	assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 2);
	assert!(store.get(&key(OTHER, 0)).is_ok());
}

#[test]
fn a_piece_corrupted_on_disk_is_reported_never_served() {
	let dir = tempfile::tempdir().unwrap();
	let mut store = store(&dir);
	let e = encoded(5_000, 2, 3);
	store.put(ARCHIVE, &e.pieces[1], &e.commitments, 0).unwrap();
	let path = store.piece_path(&key(ARCHIVE, 1));
	let mut bytes = fs::read(&path).unwrap();
	let middle = bytes.len() / 2;
	bytes[middle] ^= 0x40;
	fs::write(&path, &bytes).unwrap();
	assert!(matches!(store.get(&key(ARCHIVE, 1)), Err(StoreError::Corrupt { index: 1, .. })));
	fs::write(&path, b"not a piece").unwrap();
	assert!(matches!(store.get(&key(ARCHIVE, 1)), Err(StoreError::Corrupt { index: 1, .. })));
}

#[test]
fn reopening_restores_the_index_and_drops_crash_leftovers() {
	let dir = tempfile::tempdir().unwrap();
	let e = encoded(5_000, 2, 3);
	let used = {
		let mut store = store(&dir);
		for piece in &e.pieces {
			store.put(ARCHIVE, piece, &e.commitments, 42).unwrap();
		}
		store.anchor(ARCHIVE, &ours(&e, &[0, 1, 2])).unwrap();
		store.put(OTHER, &e.pieces[0], &e.commitments, 43).unwrap();
		// A crash: piece 2's meta written without its piece, an orphan piece file, a temporary.
		fs::remove_file(store.piece_path(&key(ARCHIVE, 2))).unwrap();
		fs::write(store.piece_path(&key(OTHER, 9)), b"orphan").unwrap();
		fs::write(dir.path().join("x.piece.tmp"), b"half").unwrap();
		store.status().used_bytes - store.entry(&key(ARCHIVE, 2)).unwrap().size
	};
	let store = store(&dir);
	assert_eq!(
		store.status(),
		StoreStatus { pieces: 3, pending: 1, used_bytes: used, quota_bytes: 1 << 20 }
	);
	assert_eq!(store.get(&key(ARCHIVE, 0)).unwrap(), e.pieces[0]);
	assert_eq!(store.entry(&key(ARCHIVE, 1)).unwrap().state, PieceState::Anchored);
	assert_eq!(store.entry(&key(OTHER, 0)).unwrap().state, PieceState::Pending { keep_until: 43 });
	assert!(store.entry(&key(ARCHIVE, 2)).is_none());
	assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 6);
}

/// Found by fuzzing (fuzz/fuzz_targets/custody_store.rs): a `.meta` file that spelt a held
/// piece's key otherwise (`.02` beside `.2`) was indexed as that piece again, and its bytes
/// counted twice against the quota, at every start.
#[test]
fn reopening_counts_a_piece_once_however_other_files_spell_its_key() {
	let dir = tempfile::tempdir().unwrap();
	let e = encoded(5_000, 2, 3);
	let archive = [0xab; 32];
	let used = {
		let mut store = store(&dir);
		store.put(archive, &e.pieces[2], &e.commitments, 42).unwrap();
		let meta = fs::read(store.meta_path(&key(archive, 2))).unwrap();
		let id = hex::encode(archive);
		for other in [format!("{id}.02"), format!("{id}.+2"), format!("{}.2", id.to_uppercase())] {
			fs::write(dir.path().join(format!("{other}.meta")), &meta).unwrap();
			fs::write(dir.path().join(format!("{other}.piece")), e.pieces[2].to_bytes()).unwrap();
		}
		store.status().used_bytes
	};
	let store = store(&dir);
	assert_eq!(
		store.status(),
		StoreStatus { pieces: 1, pending: 1, used_bytes: used, quota_bytes: 1 << 20 }
	);
	assert_eq!(store.get(&key(archive, 2)).unwrap(), e.pieces[2]);
	// The other spellings, which the store never writes, are dropped.
	assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 2);
}

#[test]
fn putting_a_piece_again_rewrites_it_if_damaged_on_disk() {
	let dir = tempfile::tempdir().unwrap();
	let mut store = store(&dir);
	let e = encoded(5_000, 2, 3);
	store.put(ARCHIVE, &e.pieces[0], &e.commitments, 10).unwrap();
	store.anchor(ARCHIVE, &ours(&e, &[0, 1])).unwrap();
	store.put(ARCHIVE, &e.pieces[1], &e.commitments, 20).unwrap();
	let used = store.status().used_bytes;
	// Piece 0 rots, piece 1's file is lost.
	let path = store.piece_path(&key(ARCHIVE, 0));
	let mut bytes = fs::read(&path).unwrap();
	bytes[10] ^= 1;
	fs::write(&path, &bytes).unwrap();
	fs::remove_file(store.piece_path(&key(ARCHIVE, 1))).unwrap();
	assert!(matches!(store.get(&key(ARCHIVE, 0)), Err(StoreError::Corrupt { .. })));
	// Put again (a repair onto the same custodian): the receipt it returns is true again.
	for index in [0, 1] {
		let hash = store.put(ARCHIVE, &e.pieces[index], &e.commitments, 30).unwrap();
		assert_eq!(hash, e.commitments.piece_hashes[index]);
		assert_eq!(store.get(&key(ARCHIVE, index as u8)).unwrap(), e.pieces[index]);
	}
	// Nothing else changed but the pending piece's keep_until, raised to the new receipt's.
	assert_eq!(store.entry(&key(ARCHIVE, 0)).unwrap().state, PieceState::Anchored);
	assert_eq!(
		store.entry(&key(ARCHIVE, 1)).unwrap().state,
		PieceState::Pending { keep_until: 30 }
	);
	assert_eq!(store.status().used_bytes, used);
}

#[test]
fn putting_a_pending_piece_again_keeps_it_until_the_later_receipt_is_spent() {
	let dir = tempfile::tempdir().unwrap();
	let e = encoded(5_000, 2, 3);
	let state = |store: &PieceStore, index| store.entry(&key(ARCHIVE, index)).unwrap().state;
	{
		let mut store = store(&dir);
		store.put(ARCHIVE, &e.pieces[0], &e.commitments, 100).unwrap();
		store.put(ARCHIVE, &e.pieces[1], &e.commitments, 100).unwrap();
		let used = store.status().used_bytes;
		// A retried put with a receipt valid until block 250: kept until then.
		let hash = store.put(ARCHIVE, &e.pieces[0], &e.commitments, 250).unwrap();
		assert_eq!(hash, e.commitments.piece_hashes[0]);
		assert_eq!(state(&store, 0), PieceState::Pending { keep_until: 250 });
		// An earlier receipt again never shortens it.
		store.put(ARCHIVE, &e.pieces[0], &e.commitments, 180).unwrap();
		assert_eq!(state(&store, 0), PieceState::Pending { keep_until: 250 });
		assert_eq!(state(&store, 1), PieceState::Pending { keep_until: 100 });
		assert_eq!(store.status().used_bytes, used, "a re-put costs no quota");
		// Block 101 final: only piece 1 (kept until 100) is due.
		assert_eq!(store.expire(ARCHIVE, 101).unwrap(), 1);
		assert!(store.entry(&key(ARCHIVE, 1)).is_none());
	}
	// The raise was persisted: after reopening, still kept until block 250 inclusive.
	let mut store = store(&dir);
	assert_eq!(state(&store, 0), PieceState::Pending { keep_until: 250 });
	assert!(!store.is_due(state(&store, 0), 250) && store.is_due(state(&store, 0), 251));
	assert_eq!(store.expire(ARCHIVE, 250).unwrap(), 0);
	assert_eq!(store.get(&key(ARCHIVE, 0)).unwrap(), e.pieces[0]);
	assert_eq!(store.expire(ARCHIVE, 251).unwrap(), 1);
	assert_eq!(store.status(), StoreStatus { quota_bytes: 1 << 20, ..StoreStatus::default() });
	assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn putting_an_anchored_piece_again_leaves_it_anchored() {
	let dir = tempfile::tempdir().unwrap();
	let mut store = store(&dir);
	let e = encoded(5_000, 2, 3);
	store.put(ARCHIVE, &e.pieces[0], &e.commitments, 10).unwrap();
	store.anchor(ARCHIVE, &ours(&e, &[0])).unwrap();
	store.put(ARCHIVE, &e.pieces[0], &e.commitments, 500).unwrap();
	assert_eq!(store.entry(&key(ARCHIVE, 0)).unwrap().state, PieceState::Anchored);
	assert_eq!(store.expire(ARCHIVE, u32::MAX).unwrap(), 0);
	drop(store);
	let store = self::store(&dir);
	assert_eq!(store.entry(&key(ARCHIVE, 0)).unwrap().state, PieceState::Anchored);
}

#[test]
fn archives_lists_each_archive_once_by_the_state_of_its_pieces() {
	let dir = tempfile::tempdir().unwrap();
	let mut store = store(&dir);
	let e = encoded(10_000, 3, 5);
	let other = encode(&[1; 500], &OTHER, 2, 3).unwrap();
	store.put(ARCHIVE, &e.pieces[0], &e.commitments, 100).unwrap();
	store.put(ARCHIVE, &e.pieces[1], &e.commitments, 100).unwrap();
	store.put(OTHER, &other.pieces[0], &other.commitments, 500).unwrap();
	let pending = |s: PieceState| matches!(s, PieceState::Pending { .. });
	assert_eq!(store.archives(pending), vec![ARCHIVE, OTHER]);
	// Once block 101 is final only ARCHIVE's pieces (kept until block 100) are due; OTHER's
	// (kept until 500) are not, not even at block 500 itself.
	assert_eq!(store.archives(|s| store.is_due(s, 101)), vec![ARCHIVE]);
	assert_eq!(store.archives(|s| store.is_due(s, 500)), vec![ARCHIVE]);
	assert_eq!(store.archives(|s| store.is_due(s, 501)), vec![ARCHIVE, OTHER]);
	assert!(store.archives(|s| store.is_due(s, 100)).is_empty());
	store.anchor(ARCHIVE, &ours(&e, &[0, 1])).unwrap();
	assert_eq!(store.archives(pending), vec![OTHER]);
	assert_eq!(store.archives(|s| s == PieceState::Anchored), vec![ARCHIVE]);
	assert_eq!(store.archives(|s| store.is_due(s, 501)), vec![OTHER]);
}
