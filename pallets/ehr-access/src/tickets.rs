//! Access tickets: the live ticket a custodian honours, and the pruning of expired ones.
use crate::*;
use alloc::vec::Vec;
use polkadot_sdk::{
	frame_support::pallet_prelude::*, frame_system::pallet_prelude::BlockNumberFor,
};

impl<T: Config> Pallet<T> {
	/// The ticket of `reader` for `record` if it is live at the current block **and** the
	/// reader is still allowed to read the record.
	pub fn live_ticket(reader: &T::AccountId, record: RecordId) -> Option<TicketOf<T>> {
		let now = Self::now();
		let info = Tickets::<T>::get(reader, record)?;
		if now >= info.expires_at || Self::decide(reader, record, now).is_err() {
			return None;
		}
		Some(Ticket {
			id: info.id,
			reader: reader.clone(),
			record,
			reason: info.reason,
			opened_at: info.opened_at,
			expires_at: info.expires_at,
		})
	}

	/// Remove the expired tickets of `reader`, returning how many.
	pub(crate) fn purge_expired_tickets_of(reader: &T::AccountId, now: BlockNumberFor<T>) -> u32 {
		let expired: Vec<RecordId> = Tickets::<T>::iter_prefix(reader)
			.filter(|(_, t)| t.expires_at <= now)
			.map(|(record, _)| record)
			.collect();
		for record in &expired {
			Tickets::<T>::remove(reader, record);
		}
		expired.len() as u32
	}

	/// Prune as many expired tickets as `remaining` weight allows (at most
	/// [`MAX_PRUNE_PER_BLOCK`] looked at), returning the weight used.
	pub(crate) fn prune_tickets_within(now: BlockNumberFor<T>, remaining: Weight) -> Weight {
		let base = T::WeightInfo::prune_tickets(0);
		let per_ticket = T::WeightInfo::prune_tickets(1).saturating_sub(base);
		let Some(spare) = remaining.checked_sub(&base) else { return Weight::zero() };
		let by_time = spare.ref_time().checked_div(per_ticket.ref_time()).unwrap_or(u64::MAX);
		let by_proof = spare.proof_size().checked_div(per_ticket.proof_size()).unwrap_or(u64::MAX);
		let max = by_time.min(by_proof).min(MAX_PRUNE_PER_BLOCK as u64) as u32;
		if max == 0 {
			return Weight::zero();
		}
		let examined = Self::prune_expired_tickets(now, max);
		T::WeightInfo::prune_tickets(examined)
	}

	/// Look at up to `max` tickets from the prune cursor on, remove the expired ones, and
	/// move the cursor (back to the start after the last ticket). Returns how many it looked
	/// at.
	pub(crate) fn prune_expired_tickets(now: BlockNumberFor<T>, max: u32) -> u32 {
		let mut iter = match TicketPruneCursor::<T>::get() {
			Some((reader, record)) => {
				Tickets::<T>::iter_from(Tickets::<T>::hashed_key_for(reader, record))
			},
			None => Tickets::<T>::iter(),
		};
		let mut examined = 0u32;
		let mut last = None;
		let mut expired = Vec::new();
		let mut at_end = false;
		while examined < max {
			match iter.next() {
				Some((reader, record, ticket)) => {
					examined = examined.saturating_add(1);
					if ticket.expires_at <= now {
						expired.push((reader.clone(), record));
					}
					last = Some((reader, record));
				},
				None => {
					at_end = true;
					break;
				},
			}
		}
		for (reader, record) in expired {
			Tickets::<T>::remove(&reader, record);
			TicketCount::<T>::mutate_exists(&reader, |count| {
				let left = count.unwrap_or(0).saturating_sub(1);
				*count = if left == 0 { None } else { Some(left) };
			});
		}
		match (at_end, last) {
			(false, Some(last)) => TicketPruneCursor::<T>::put(last),
			_ => TicketPruneCursor::<T>::kill(),
		}
		examined
	}
}
