//! Keeping the piece store in step with the finalised chain. The node calls
//! [`CustodyService::settle`] with the archives that finalised blocks touched (anchored,
//! repaired onto or away from this custodian, erased), with every archive held at start (events
//! missed while the node was down), and [`CustodyService::expire`] now and then.
use crate::{ArchiveView, Chain, CustodyService};
use ehr_custody_store::{PieceStore, StoreError};

/// What the finalised chain says of an archive this custodian keeps pieces of.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
	/// Not anchored (yet): its pending pieces expire once their receipts can no longer be used.
	NotAnchored,
	/// Anchored: keep the pieces the entry assigns to this custodian, (index, commitment), and
	/// no other.
	Anchored(Vec<(u8, [u8; 32])>),
	/// Erased: delete its pieces.
	Erased,
}

impl Verdict {
	/// From the archive's entry, if it has one, for the custodian `me` (`None`: this node cannot
	/// tell which custodian it is on chain, so every piece the entry commits to is kept).
	pub(crate) fn of(entry: Option<ArchiveView>, me: Option<&[u8; 32]>) -> Self {
		match entry {
			None => Verdict::NotAnchored,
			Some(entry) if entry.erased => Verdict::Erased,
			Some(entry) => Verdict::Anchored(
				(0u8..)
					.zip(entry.pieces)
					.filter(|(_, (custodian, _))| me.is_none_or(|me| custodian == me))
					.map(|(index, (_, hash))| (index, hash))
					.collect(),
			),
		}
	}

	fn apply(
		self,
		store: &mut PieceStore,
		archive_id: [u8; 32],
		finalized: u32,
	) -> Result<(), StoreError> {
		match self {
			Verdict::NotAnchored => store.expire(archive_id, finalized).map(drop),
			Verdict::Anchored(ours) => store.anchor(archive_id, &ours).map(drop),
			Verdict::Erased => store.erase(archive_id).map(drop),
		}
	}
}

impl<C: Chain> CustodyService<C> {
	/// Brings the store's pieces of each of `archives` in line with the finalised chain. An
	/// archive the chain cannot be asked about is left as it is.
	pub fn settle(&self, archives: &[[u8; 32]]) {
		if archives.is_empty() {
			return;
		}
		let Ok(finalized) = self.chain.finalized_number().inspect_err(warn) else { return };
		let me = self.registered_as();
		for archive_id in archives {
			let Ok(entry) = self.chain.archive_of(archive_id).inspect_err(warn) else { continue };
			let verdict = Verdict::of(entry, me.as_ref());
			let Ok(mut store) = self.lock_store() else { return };
			if let Err(e) = verdict.apply(&mut store, *archive_id, finalized) {
				tracing::warn!(target: "custody", archive = %hex::encode(archive_id), "settling the piece store: {e}");
			}
		}
	}

	/// Settles every archive the store holds (at start: events may have been missed).
	pub fn settle_all(&self) {
		let held = self.lock_store().map(|store| store.archives(|_| true)).unwrap_or_default();
		self.settle(&held);
	}

	/// Expires the pending pieces whose receipts can no longer be used on the finalised chain,
	/// of each archive that chain confirms was never anchored.
	pub fn expire(&self) {
		let Ok(finalized) = self.chain.finalized_number().inspect_err(warn) else { return };
		let due = self
			.lock_store()
			.map(|store| store.archives(|state| store.is_due(state, finalized)))
			.unwrap_or_default();
		self.settle(&due);
	}

	/// Whether this node's custodian account is registered on the finalised chain with this
	/// node's receipt key. Otherwise (the key was rotated on chain while the node has the old
	/// one, or the chain cannot be asked) no committed piece is released: the node cannot tell
	/// which pieces are its own.
	fn registered_as(&self) -> Option<[u8; 32]> {
		let keys = self.keys();
		match self.chain.receipt_key(&keys.account) {
			Ok(Some(key)) if key == keys.receipt_key => Some(keys.account),
			Ok(Some(_)) => {
				tracing::warn!(target: "custody", "this custodian is registered with another receipt key than this node's: keeping every committed piece");
				None
			},
			Ok(None) => None,
			Err(e) => {
				warn(&e);
				None
			},
		}
	}
}

fn warn(e: &crate::ChainError) {
	tracing::warn!(target: "custody", "{e}");
}

#[cfg(test)]
mod tests {
	use super::{ArchiveView, Verdict};

	#[test]
	fn the_chain_decides_what_happens_to_held_pieces() {
		let (me, other) = ([1u8; 32], [2u8; 32]);
		let entry = |erased| ArchiveView {
			record: 7,
			archive_id: [9; 32],
			patient: [5; 32],
			author: [5; 32],
			erased,
			pieces: vec![(other, [10; 32]), (me, [11; 32]), (other, [12; 32]), (me, [13; 32])],
		};
		// No entry (the archive id was never anchored): pieces only expire.
		assert_eq!(Verdict::of(None, Some(&me)), Verdict::NotAnchored);
		// Anchored: exactly this custodian's indices and commitments are kept.
		let ours = Verdict::Anchored(vec![(1, [11; 32]), (3, [13; 32])]);
		assert_eq!(Verdict::of(Some(entry(false)), Some(&me)), ours);
		// A custodian the entry no longer lists (its piece was repaired away) keeps nothing.
		assert_eq!(Verdict::of(Some(entry(false)), Some(&[3; 32])), Verdict::Anchored(vec![]));
		// Not registered with this node's receipt key: every committed piece is kept.
		assert_eq!(
			Verdict::of(Some(entry(false)), None),
			Verdict::Anchored((0..4).map(|i| (i, [10 + i; 32])).collect())
		);
		assert_eq!(Verdict::of(Some(entry(true)), Some(&me)), Verdict::Erased);
	}
}
