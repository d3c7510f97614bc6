//! The piece store of an ehr-chain custodian node (docs/ARCHITECTURE.md §4, "Add a record" steps 3
//! and 5, "Forget a record").
//!
//! A custodian keeps one piece of each archived record: an erasure-coded fragment of the
//! ciphertext and one Shamir share of its key. This crate keeps those pieces on disk beside the
//! chain database:
//!
//! - [`PieceStore::put`] accepts a piece only if it matches its commitment, and only within the
//!   byte quota; it is then **pending** until [`PieceStore::anchor`] says its record was anchored
//!   on chain with this custodian and this piece at its index. The custodian's receipt for a
//!   piece can be used on chain until some block, so the piece stays pending at least until that
//!   block is finalised (its `keep_until`): a receipt the chain can still accept must never name
//!   a piece already dropped. Past it, [`PieceStore::expire`] drops it, so a client that never
//!   anchors cannot fill the disk. `anchor` also deletes the pieces of the archive that the chain
//!   does not assign to this custodian (anchored elsewhere, or repaired away), so none is kept
//!   for ever in vain.
//! - [`PieceStore::get`] re-checks the piece against the hash it was accepted under, so a piece
//!   corrupted on disk is reported ([`StoreError::Corrupt`]) and never served.
//! - [`PieceStore::erase`] deletes the pieces of an erased record (without the key shares the
//!   ciphertext is useless: crypto-shredding).
//!
//! Every piece is two files named after its archive id and index: `<id>.<i>.piece` (the piece's
//! SCALE wire form) and `<id>.<i>.meta` (its [`Entry`]), each written to a temporary file, synced
//! and renamed into place, so a crash leaves either the old state or the new one. Opening a
//! store rebuilds the index from the `.meta` files and drops incomplete pairs.
//!
//! Pure bookkeeping and file I/O: no network, no chain. Who may put and get is decided by the
//! custody RPC, from the chain's state.

use std::{
	collections::BTreeMap,
	fs,
	io::{self, Write},
	path::{Path, PathBuf},
};

use codec::{Decode, Encode};
use ehr_archive_codec::{piece_hash, Commitments, Hash, Piece, Reason};

/// The id a client encoded a record with (the codec's associated-data record id).
pub type ArchiveId = [u8; 32];

/// Where a piece belongs: its archive and its index among the archive's `n` pieces.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PieceKey {
	/// The archive the piece is part of.
	pub archive_id: ArchiveId,
	/// The piece's index, `0..n`.
	pub index: u8,
}

/// Whether the piece's record is anchored on chain yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode)]
pub enum PieceState {
	/// Not anchored yet, and kept pending at least until block `keep_until` is finalised: the
	/// last block at which a receipt this custodian signed for the piece can still be used on
	/// chain (the latest of them, if it was put more than once). Once a later block is final, no
	/// receipt for it can anchor the record any more, and [`PieceStore::expire`] may drop it.
	Pending { keep_until: u32 },
	/// Its record is anchored: kept until the record is erased.
	Anchored,
}

/// What the store knows about a piece without reading it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode)]
pub struct Entry {
	/// The commitment `h_i` the piece was accepted under.
	pub piece_hash: Hash,
	/// Bytes of the piece file.
	pub size: u64,
	/// Pending or anchored.
	pub state: PieceState,
}

/// Limits of a store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StoreConfig {
	/// Most bytes of piece files the store holds.
	pub quota_bytes: u64,
	/// Largest piece accepted, in bytes of its wire form.
	pub max_piece_bytes: u64,
}

/// What [`PieceStore::status`] reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct StoreStatus {
	/// Pieces held, pending or anchored.
	pub pieces: u64,
	/// Of which pending.
	pub pending: u64,
	/// Bytes of piece files held.
	pub used_bytes: u64,
	/// The quota.
	pub quota_bytes: u64,
}

/// What [`PieceStore::anchor`] changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Anchoring {
	/// Pending pieces now anchored.
	pub anchored: usize,
	/// Pieces deleted because the chain does not assign them to this custodian.
	pub released: usize,
}

/// Why the store refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
	/// The piece does not match the commitments it came with.
	#[error("piece {index} does not match its commitment: {source}")]
	BadPiece {
		index: u8,
		#[source]
		source: ehr_archive_codec::Error,
	},
	/// The piece is larger than the store accepts.
	#[error("piece of {size} bytes is over the limit of {max} bytes")]
	PieceTooLarge { size: u64, max: u64 },
	/// Keeping the piece would exceed the quota.
	#[error("quota exceeded: {needed} bytes needed, {free} bytes free of {quota}")]
	QuotaExceeded { needed: u64, free: u64, quota: u64 },
	/// A different piece is already held under this archive id and index.
	#[error("a different piece {index} of this archive is already held")]
	AlreadyHeld { index: u8 },
	/// The store holds no such piece.
	#[error("no piece {index} of archive {archive}")]
	NotFound { archive: String, index: u8 },
	/// The piece on disk no longer matches the hash it was accepted under.
	#[error("piece {index} of archive {archive} is corrupt on disk")]
	Corrupt { archive: String, index: u8 },
	/// The file system failed.
	#[error("piece store I/O at {path}: {source}")]
	Io {
		path: PathBuf,
		#[source]
		source: io::Error,
	},
}

/// The pieces a custodian holds, on disk under one directory.
#[derive(Debug)]
pub struct PieceStore {
	dir: PathBuf,
	config: StoreConfig,
	entries: BTreeMap<PieceKey, Entry>,
	used_bytes: u64,
}

const PIECE_EXT: &str = "piece";
const META_EXT: &str = "meta";
const TMP_EXT: &str = "tmp";

impl PieceStore {
	/// Opens (creating it if needed) the store in `dir` and rebuilds its index from the files.
	///
	/// A `.meta` file whose piece file is missing or of another size, a `.meta` that does not
	/// decode, and leftover temporary files are removed: they are the traces of a crash between
	/// the two renames of a write or of a deletion.
	pub fn open(dir: impl Into<PathBuf>, config: StoreConfig) -> Result<Self, StoreError> {
		let dir = dir.into();
		fs::create_dir_all(&dir).map_err(io_at(&dir))?;
		let mut store = Self { dir, config, entries: BTreeMap::new(), used_bytes: 0 };
		let mut pieces = Vec::new();
		for file in fs::read_dir(&store.dir).map_err(io_at(&store.dir))? {
			let path = file.map_err(io_at(&store.dir))?.path();
			match path.extension().and_then(|e| e.to_str()) {
				Some(TMP_EXT) => remove_if_present(&path)?,
				Some(META_EXT) => store.load(&path)?,
				Some(PIECE_EXT) => pieces.push(path),
				_ => {},
			}
		}
		// Piece files without an index entry: a crash between writing a piece and its meta.
		for path in pieces {
			let key = path.file_stem().and_then(|stem| stem.to_str()).and_then(parse_key);
			if !key.is_some_and(|key| store.entries.contains_key(&key)) {
				tracing::warn!(target: "custody", path = %path.display(), "dropping an orphan piece");
				remove_if_present(&path)?;
			}
		}
		tracing::info!(
			target: "custody",
			dir = %store.dir.display(),
			pieces = store.entries.len(),
			used_bytes = store.used_bytes,
			"piece store opened"
		);
		Ok(store)
	}

	fn load(&mut self, meta_path: &Path) -> Result<(), StoreError> {
		let key = meta_path.file_stem().and_then(|stem| stem.to_str()).and_then(parse_key);
		let entry =
			fs::read(meta_path).ok().and_then(|bytes| Entry::decode(&mut bytes.as_slice()).ok());
		let size_on_disk =
			key.and_then(|key| fs::metadata(self.piece_path(&key)).ok()).map(|m| m.len());
		match (key, entry) {
			(Some(key), Some(entry)) if size_on_disk == Some(entry.size) => {
				self.used_bytes = self.used_bytes.saturating_add(entry.size);
				self.entries.insert(key, entry);
			},
			_ => {
				tracing::warn!(target: "custody", path = %meta_path.display(), "dropping an incomplete piece");
				if let Some(key) = key {
					remove_if_present(&self.piece_path(&key))?;
				}
				remove_if_present(meta_path)?;
			},
		}
		Ok(())
	}

	/// Keeps `piece` of archive `archive_id` as pending at least until block `keep_until` is
	/// finalised, after checking it against `commitments` (the ones the client will anchor), the
	/// size limit and the quota. Returns the piece's commitment hash, which the custodian signs
	/// in its receipt; `keep_until` is the last block at which that receipt is valid on chain.
	///
	/// Putting the same piece again is harmless (its bytes are not written twice) but it is a
	/// new receipt: while the piece is pending, its `keep_until` is raised to the later of the
	/// two blocks, so that whichever receipt the client anchors with, the piece is still there;
	/// an anchored piece stays anchored. A piece file found damaged or missing is written
	/// again. A different piece under the same id and index is refused, pending or anchored:
	/// archive ids are random per record, so only someone who learnt the id (it is public once
	/// the record is anchored) would send one, and replacing the piece the chain is about to
	/// anchor would lose it.
	pub fn put(
		&mut self,
		archive_id: ArchiveId,
		piece: &Piece,
		commitments: &Commitments,
		keep_until: u32,
	) -> Result<Hash, StoreError> {
		let index = piece.index;
		commitments.verify_piece(piece).map_err(|source| StoreError::BadPiece { index, source })?;
		let hash = commitments.piece_hashes.get(usize::from(index)).copied().ok_or(
			StoreError::BadPiece {
				index,
				source: ehr_archive_codec::Error::BadPiece(Reason::IndexOutOfRange {
					n: u8::try_from(commitments.n()).unwrap_or(u8::MAX),
				}),
			},
		)?;
		let bytes = piece.to_bytes();
		let size = bytes.len() as u64;
		if size > self.config.max_piece_bytes {
			return Err(StoreError::PieceTooLarge { size, max: self.config.max_piece_bytes });
		}
		let key = PieceKey { archive_id, index };
		match self.entries.get(&key) {
			Some(&entry) if entry.piece_hash == hash => {
				// Held already: nothing to write, unless the file was damaged or lost since.
				// Then it is written again, so that the receipt for this put is true.
				if self.get(&key).is_err() {
					tracing::warn!(target: "custody", archive = %hex::encode(archive_id), index, "rewriting a piece damaged on disk");
					write_atomically(&self.piece_path(&key), &bytes)?;
				}
				// This put's receipt may be valid later than the earlier ones: keep the piece
				// until then too. The meta is written before the index changes, so the raise
				// is only reported (by returning the hash) once it would survive a crash.
				if let PieceState::Pending { keep_until: held_until } = entry.state {
					if keep_until > held_until {
						let raised = Entry { state: PieceState::Pending { keep_until }, ..entry };
						write_atomically(&self.meta_path(&key), &raised.encode())?;
						self.entries.insert(key, raised);
						tracing::debug!(target: "custody", archive = %hex::encode(archive_id), index, keep_until, "pending piece kept longer");
					}
				}
				return Ok(hash);
			},
			Some(_) => return Err(StoreError::AlreadyHeld { index }),
			None => {},
		}
		let free = self.config.quota_bytes.saturating_sub(self.used_bytes);
		if size > free {
			return Err(StoreError::QuotaExceeded {
				needed: size,
				free,
				quota: self.config.quota_bytes,
			});
		}
		let entry = Entry { piece_hash: hash, size, state: PieceState::Pending { keep_until } };
		write_atomically(&self.piece_path(&key), &bytes)?;
		write_atomically(&self.meta_path(&key), &entry.encode())?;
		self.used_bytes = self.used_bytes.saturating_add(size);
		self.entries.insert(key, entry);
		tracing::debug!(target: "custody", archive = %hex::encode(archive_id), index, size, keep_until, "piece kept, pending");
		Ok(hash)
	}

	/// The piece under `key`, checked again against the hash it was accepted under.
	pub fn get(&self, key: &PieceKey) -> Result<Piece, StoreError> {
		let entry = self.entries.get(key).ok_or_else(|| not_found(key))?;
		let path = self.piece_path(key);
		let bytes = fs::read(&path).map_err(io_at(&path))?;
		let piece = Piece::from_bytes(&bytes)
			.ok()
			.filter(|piece| {
				piece.index == key.index
					&& piece_hash(piece.index, &piece.fragment, &piece.share) == entry.piece_hash
			})
			.ok_or_else(|| {
				tracing::warn!(target: "custody", path = %path.display(), "piece corrupt on disk");
				StoreError::Corrupt { archive: hex::encode(key.archive_id), index: key.index }
			})?;
		Ok(piece)
	}

	/// What the store knows of the piece under `key`, without reading it.
	pub fn entry(&self, key: &PieceKey) -> Option<&Entry> {
		self.entries.get(key)
	}

	/// Keeps exactly the pieces of `archive_id` that its anchored entry on chain assigns to this
	/// custodian: `ours` lists them as (index, commitment). A held piece at one of those indices
	/// and with that commitment is marked anchored, so that it no longer expires; every other
	/// piece of the archive is deleted, since the chain will never have this custodian serve it
	/// (the client anchored another custodian or another encoding for it, or it was repaired
	/// away from this custodian since).
	pub fn anchor(
		&mut self,
		archive_id: ArchiveId,
		ours: &[(u8, Hash)],
	) -> Result<Anchoring, StoreError> {
		let mut outcome = Anchoring::default();
		let held: Vec<(PieceKey, Entry)> =
			self.pieces_of(archive_id).map(|(key, entry)| (*key, *entry)).collect();
		for (key, mut entry) in held {
			if !ours.contains(&(key.index, entry.piece_hash)) {
				self.remove(&key)?;
				outcome.released += 1;
			} else if matches!(entry.state, PieceState::Pending { .. }) {
				entry.state = PieceState::Anchored;
				write_atomically(&self.meta_path(&key), &entry.encode())?;
				self.entries.insert(key, entry);
				outcome.anchored += 1;
			}
		}
		if outcome.released > 0 {
			tracing::info!(target: "custody", archive = %hex::encode(archive_id), pieces = outcome.released, "pieces not ours on chain released");
		}
		Ok(outcome)
	}

	/// Deletes every piece of `archive_id` (its record was erased, or never anchored).
	/// Returns how many pieces were deleted.
	pub fn erase(&mut self, archive_id: ArchiveId) -> Result<usize, StoreError> {
		let keys: Vec<PieceKey> = self.pieces_of(archive_id).map(|(key, _)| *key).collect();
		keys.iter().try_for_each(|key| self.remove(key))?;
		if !keys.is_empty() {
			tracing::info!(target: "custody", archive = %hex::encode(archive_id), pieces = keys.len(), "pieces erased");
		}
		Ok(keys.len())
	}

	/// The archives of which some piece is in a state that `select` picks, each once: e.g. the
	/// pieces due for expiry, so that the caller can first ask the chain whether their record
	/// was anchored after all.
	pub fn archives(&self, select: impl Fn(PieceState) -> bool) -> Vec<ArchiveId> {
		let mut archives: Vec<ArchiveId> = self
			.entries
			.iter()
			.filter(|(_, entry)| select(entry.state))
			.map(|(key, _)| key.archive_id)
			.collect();
		// Keys are ordered by archive id first, so equal ids are adjacent.
		archives.dedup();
		archives
	}

	/// Whether a piece in `state` is due for expiry once block `finalized` is final: pending,
	/// and kept only until an earlier block (`keep_until < finalized`). At `keep_until` itself
	/// it is not due yet: a receipt valid until that block may still be in it.
	pub fn is_due(&self, state: PieceState, finalized: u32) -> bool {
		match state {
			PieceState::Pending { keep_until } => keep_until < finalized,
			PieceState::Anchored => false,
		}
	}

	/// Deletes the pending pieces of `archive_id` that are due once block `finalized` is final
	/// (see [`Self::is_due`]); the caller first makes sure that the chain, as of that finalised
	/// block, never anchored the archive. Returns how many were deleted.
	pub fn expire(&mut self, archive_id: ArchiveId, finalized: u32) -> Result<usize, StoreError> {
		let expired: Vec<PieceKey> = self
			.pieces_of(archive_id)
			.filter(|(_, entry)| self.is_due(entry.state, finalized))
			.map(|(key, _)| *key)
			.collect();
		expired.iter().try_for_each(|key| self.remove(key))?;
		if !expired.is_empty() {
			tracing::info!(target: "custody", archive = %hex::encode(archive_id), pieces = expired.len(), "pending pieces expired");
		}
		Ok(expired.len())
	}

	/// Counts and bytes held.
	pub fn status(&self) -> StoreStatus {
		StoreStatus {
			pieces: self.entries.len() as u64,
			pending: self
				.entries
				.values()
				.filter(|entry| matches!(entry.state, PieceState::Pending { .. }))
				.count() as u64,
			used_bytes: self.used_bytes,
			quota_bytes: self.config.quota_bytes,
		}
	}

	/// The pieces held of `archive_id`, by index.
	pub fn pieces_of(&self, archive_id: ArchiveId) -> impl Iterator<Item = (&PieceKey, &Entry)> {
		let first = PieceKey { archive_id, index: 0 };
		let last = PieceKey { archive_id, index: u8::MAX };
		self.entries.range(first..=last)
	}

	fn remove(&mut self, key: &PieceKey) -> Result<(), StoreError> {
		// The meta file first: without it, a crash leaves an orphan piece file that `open`
		// ignores rather than an index entry without its piece.
		remove_if_present(&self.meta_path(key))?;
		remove_if_present(&self.piece_path(key))?;
		if let Some(entry) = self.entries.remove(key) {
			self.used_bytes = self.used_bytes.saturating_sub(entry.size);
		}
		Ok(())
	}

	fn piece_path(&self, key: &PieceKey) -> PathBuf {
		self.dir.join(format!("{}.{PIECE_EXT}", stem(key)))
	}

	fn meta_path(&self, key: &PieceKey) -> PathBuf {
		self.dir.join(format!("{}.{META_EXT}", stem(key)))
	}
}

/// The name of a piece's files without the extension: `<64 hex digits>.<index>`.
fn stem(key: &PieceKey) -> String {
	format!("{}.{}", hex::encode(key.archive_id), key.index)
}

/// A [`stem`] back into a key. Only the spelling the store writes: another one of the same
/// key (`.02`, `.+2`, upper-case hex) would index the piece twice and count its bytes twice.
fn parse_key(name: &str) -> Option<PieceKey> {
	let (id, index) = name.split_once('.')?;
	let mut archive_id = [0u8; 32];
	hex::decode_to_slice(id, &mut archive_id).ok()?;
	let key = PieceKey { archive_id, index: index.parse().ok()? };
	(stem(&key) == name).then_some(key)
}

fn not_found(key: &PieceKey) -> StoreError {
	StoreError::NotFound { archive: hex::encode(key.archive_id), index: key.index }
}

fn io_at(path: &Path) -> impl Fn(io::Error) -> StoreError + '_ {
	move |source| StoreError::Io { path: path.to_owned(), source }
}

/// Writes `bytes` to `path` through a synced temporary file and a rename.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
	let tmp = path.with_extension(format!(
		"{}.{TMP_EXT}",
		path.extension().and_then(|e| e.to_str()).unwrap_or_default()
	));
	let mut file = fs::File::create(&tmp).map_err(io_at(&tmp))?;
	file.write_all(bytes).and_then(|()| file.sync_all()).map_err(io_at(&tmp))?;
	fs::rename(&tmp, path).map_err(io_at(path))
}

fn remove_if_present(path: &Path) -> Result<(), StoreError> {
	match fs::remove_file(path) {
		Err(error) if error.kind() != io::ErrorKind::NotFound => Err(io_at(path)(error)),
		_ => Ok(()),
	}
}

#[cfg(test)]
mod tests;
