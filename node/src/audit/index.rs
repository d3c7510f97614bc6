//! The audit index's store: ParityDB, one B-tree column of trail entries keyed by
//! `patient ++ block ++ event index` (big-endian, so that keys sort in chain order), and one
//! column for the last block indexed.
use super::events::Patient;
use codec::{Decode, Encode};
use ehr_runtime::AccountId;
use ehr_types::audit::{AuditCursor, AuditEntry, AuditPage, MAX_AUDIT_PAGE};
use std::path::Path;

/// Trail entries, ordered (B-tree).
const TRAIL: u8 = 0;
/// `INDEXED_TO` → the last block indexed, `(number, hash)`.
const META: u8 = 1;
const INDEXED_TO: &[u8] = b"indexed_to";

/// What can go wrong with the index.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
	/// The database failed.
	#[error("audit index database: {0}")]
	Db(String),
	/// A stored value does not decode.
	#[error("audit index entry does not decode: {0}")]
	Corrupt(String),
}

fn db_error(e: parity_db::Error) -> IndexError {
	IndexError::Db(e.to_string())
}

/// A patient's trail in the index.
pub struct AuditIndex {
	db: parity_db::Db,
}

fn key(patient: &Patient, at: AuditCursor) -> Vec<u8> {
	let mut key = Vec::with_capacity(40);
	key.extend_from_slice(patient);
	key.extend_from_slice(&at.block.to_be_bytes());
	key.extend_from_slice(&at.event.to_be_bytes());
	key
}

impl AuditIndex {
	/// Opens the index at `path`, creating it if missing.
	pub fn open(path: &Path) -> Result<Self, IndexError> {
		let mut options = parity_db::Options::with_columns(path, 2);
		options.columns[usize::from(TRAIL)].btree_index = true;
		let db = parity_db::Db::open_or_create(&options).map_err(db_error)?;
		Ok(Self { db })
	}

	/// The last block indexed, if any.
	pub fn indexed_to(&self) -> Option<u32> {
		let value = self.db.get(META, INDEXED_TO).ok().flatten()?;
		<(u32, [u8; 32])>::decode(&mut &value[..]).ok().map(|(number, _)| number)
	}

	/// Stores the entries of block `number` (hash `hash`) and marks it indexed, in one commit.
	pub fn insert_block(
		&self,
		number: u32,
		hash: [u8; 32],
		entries: &[(Patient, AuditEntry<AccountId>)],
	) -> Result<(), IndexError> {
		let mut changes: Vec<(u8, Vec<u8>, Option<Vec<u8>>)> = entries
			.iter()
			.map(|(patient, entry)| (TRAIL, key(patient, entry.at), Some(entry.encode())))
			.collect();
		changes.push((META, INDEXED_TO.to_vec(), Some((number, hash).encode())));
		self.db.commit(changes).map_err(db_error)
	}

	/// Up to `limit` (at most [`MAX_AUDIT_PAGE`]) entries of `patient`'s trail in blocks
	/// `from..=to`, oldest first, after `after` if given.
	pub fn trail(
		&self,
		patient: &Patient,
		from: u32,
		to: u32,
		after: Option<AuditCursor>,
		limit: u32,
	) -> Result<AuditPage<AccountId>, IndexError> {
		let limit = limit.clamp(1, MAX_AUDIT_PAGE) as usize;
		let start = match after {
			Some(after) if after.block >= from => after,
			_ => AuditCursor { block: from, event: 0 },
		};
		let mut iter = self.db.iter(TRAIL).map_err(db_error)?;
		iter.seek(&key(patient, start)).map_err(db_error)?;
		let mut entries = Vec::new();
		let mut next = None;
		while let Some((key, value)) = iter.next().map_err(db_error)? {
			if !key.starts_with(patient) {
				break;
			}
			let entry = AuditEntry::<AccountId>::decode(&mut &value[..])
				.map_err(|e| IndexError::Corrupt(e.to_string()))?;
			if Some(entry.at) == after {
				continue;
			}
			if entry.at.block > to {
				break;
			}
			if entries.len() == limit {
				next = entries.last().map(|e: &AuditEntry<AccountId>| e.at);
				break;
			}
			entries.push(entry);
		}
		Ok(AuditPage { entries, next, indexed_to: self.indexed_to().unwrap_or(0) })
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use ehr_types::{audit::AuditEvent, DenyReason};

	fn entry(block: u32, event: u32, reader: u8) -> AuditEntry<AccountId> {
		AuditEntry {
			at: AuditCursor { block, event },
			time_ms: u64::from(block) * 1_000,
			event: AuditEvent::Denied {
				record: 1,
				reader: AccountId::from([reader; 32]),
				reason: DenyReason::NoConsent,
			},
		}
	}

	#[test]
	fn a_trail_is_paged_in_chain_order_per_patient_and_survives_reopening() {
		let dir = tempfile::tempdir().unwrap();
		let (alice, bob) = ([1u8; 32], [2u8; 32]);
		{
			let index = AuditIndex::open(dir.path()).unwrap();
			assert_eq!(index.indexed_to(), None);
			// Blocks 1..=300, each with an event for Alice and one for Bob (out of order).
			for block in 1..=300u32 {
				let entries = [
					(bob, entry(block, 1, 9)),
					(alice, entry(block, 0, 8)),
					(alice, entry(block, 2, 7)),
				];
				index.insert_block(block, [block as u8; 32], &entries).unwrap();
			}
			assert_eq!(index.indexed_to(), Some(300));
		}
		let index = AuditIndex::open(dir.path()).unwrap();
		assert_eq!(index.indexed_to(), Some(300), "the mark survives a restart");
		// Alice's trail, 250 entries a page: blocks 10..=200 hold 382 of hers.
		let mut seen = Vec::new();
		let mut after = None;
		loop {
			let page = index.trail(&alice, 10, 200, after, 250).unwrap();
			assert_eq!(page.indexed_to, 300);
			assert!(page.entries.len() <= 250);
			seen.extend(page.entries.iter().map(|e| e.at));
			match page.next {
				Some(next) => after = Some(next),
				None => break,
			}
		}
		assert_eq!(seen.len(), 382);
		assert!(seen.windows(2).all(|w| w[0] < w[1]), "chain order, no repeats");
		assert_eq!(seen[0], AuditCursor { block: 10, event: 0 });
		assert_eq!(seen[381], AuditCursor { block: 200, event: 2 });
		// Bob's trail holds only his.
		let bob_page = index.trail(&bob, 1, 300, None, 1_000).unwrap();
		assert_eq!(bob_page.entries.len(), 300);
		assert!(bob_page.entries.iter().all(|e| e.at.event == 1));
		// Nothing for a stranger, nothing outside the range.
		assert!(index.trail(&[3; 32], 1, 300, None, 10).unwrap().entries.is_empty());
		assert!(index.trail(&alice, 301, 400, None, 10).unwrap().entries.is_empty());
	}
}
