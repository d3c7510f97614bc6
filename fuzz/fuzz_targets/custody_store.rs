//! The piece store's on-disk format, as a custodian node reads it back when it starts: a
//! directory of fuzzer-written files (`ehr_fuzz::files`: `.piece`, `.meta`, `.tmp` or any
//! name and bytes) opened as a `PieceStore`; then every indexed piece read back, one
//! operation the first byte picks (none, expire, anchor or erase every archive), and the
//! directory opened again.
//!
//! Must hold: no panic; any directory opens (a damaged file must not keep the custodian from
//! starting); the bytes counted are those of the pieces indexed; a piece reads back matching
//! the hash it was accepted under, or is reported corrupt; what the store says after the
//! operation is what opening the directory again says.
#![no_main]

use std::{ffi::OsStr, os::unix::ffi::OsStrExt, path::Path, sync::OnceLock};

use ehr_archive_codec::piece_hash;
use ehr_custody_store::{PieceState, PieceStore, StoreConfig, StoreError};
use ehr_fuzz::files;
use libfuzzer_sys::fuzz_target;

const CONFIG: StoreConfig = StoreConfig { quota_bytes: 1 << 20, max_piece_bytes: 1 << 16 };

fn open(dir: &Path) -> PieceStore {
	PieceStore::open(dir, CONFIG).expect("a store directory of any files opens")
}

/// Checks the index against the files and returns, per piece held, its key and state.
fn check(store: &PieceStore) -> Vec<(ehr_custody_store::PieceKey, PieceState)> {
	let mut held = Vec::new();
	let mut bytes = 0u64;
	for archive in store.archives(|_| true) {
		for (key, entry) in store.pieces_of(archive) {
			bytes += entry.size;
			held.push((*key, entry.state));
			match store.get(key) {
				Ok(piece) => {
					assert_eq!(piece.index, key.index);
					assert_eq!(
						piece_hash(piece.index, &piece.fragment, &piece.share),
						entry.piece_hash
					);
				},
				Err(StoreError::Corrupt { .. }) => {},
				Err(e) => panic!("an indexed piece neither read nor corrupt: {e}"),
			}
		}
	}
	let status = store.status();
	assert_eq!(status.pieces, held.len() as u64);
	assert_eq!(status.used_bytes, bytes, "bytes counted that no indexed piece holds");
	held
}

fuzz_target!(|data: &[u8]| {
	static DIR: OnceLock<std::path::PathBuf> = OnceLock::new();
	let dir = DIR.get_or_init(|| ehr_fuzz::scratch_dir("custody_store"));
	let Some((&op, data)) = data.split_first() else { return };
	ehr_fuzz::clear_dir(dir);
	for file in files::parse(data).into_iter().take(16) {
		let name = OsStr::from_bytes(file.name);
		// Plain file names only: no paths, not `.` or `..`, at most NAME_MAX bytes.
		let plain = !matches!(file.name, b"" | b"." | b"..") && !file.name.contains(&b'/');
		if !plain || file.name.len() > 255 {
			continue;
		}
		std::fs::write(dir.join(name), file.bytes).expect("writing a store file");
	}

	let mut store = open(dir);
	let held = check(&store);
	let mut archives: Vec<_> = held.iter().map(|(key, _)| key.archive_id).collect();
	archives.dedup();
	for archive in archives {
		match op % 4 {
			1 => {
				store.expire(archive, u32::from(op)).expect("expire");
			},
			2 => {
				let ours: Vec<_> = store
					.pieces_of(archive)
					.filter(|(key, _)| key.index % 2 == 0)
					.map(|(key, entry)| (key.index, entry.piece_hash))
					.collect();
				store.anchor(archive, &ours).expect("anchor");
			},
			3 => {
				store.erase(archive).expect("erase");
			},
			_ => {},
		}
	}
	let after = check(&store);
	drop(store);
	assert_eq!(check(&open(dir)), after, "the directory says other than the store did");
});
