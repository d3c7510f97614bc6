//! Paged queries for the runtime API: a patient's records and grants.
use crate::*;
use alloc::vec::Vec;
use polkadot_sdk::frame_support::BoundedVec;

impl<T: Config> Pallet<T> {
	/// Up to `limit` (capped at [`MAX_PAGE_LEN`]) records of `patient` in ascending id
	/// order, after `start_after`.
	pub fn patient_records(
		patient: &T::AccountId,
		start_after: Option<RecordId>,
		limit: u32,
	) -> Vec<(RecordId, AnchorOf<T>)> {
		let limit = limit.min(MAX_PAGE_LEN);
		let Some(info) = Patients::<T>::get(patient) else { return Vec::new() };
		// Record ids grow with the ordinals, so binary-search the first ordinal after
		// `start_after`.
		let mut lo = 0u32;
		if let Some(after) = start_after {
			let mut hi = info.records;
			while lo < hi {
				let mid = lo + (hi - lo) / 2;
				match PatientRecords::<T>::get(patient, mid) {
					Some(id) if id <= after => lo = mid + 1,
					_ => hi = mid,
				}
			}
		}
		let mut page = Vec::new();
		let mut ordinal = lo;
		while ordinal < info.records && (page.len() as u32) < limit {
			if let Some(id) = PatientRecords::<T>::get(patient, ordinal) {
				if let Some(anchor) = Records::<T>::get(id) {
					page.push((id, anchor));
				}
			}
			ordinal = ordinal.saturating_add(1);
		}
		page
	}

	/// Up to `limit` (capped at [`MAX_PAGE_LEN`]) grants of `patient` (expired ones too) in
	/// ascending id order, after `start_after`.
	pub fn patient_grants(
		patient: &T::AccountId,
		start_after: Option<GrantId>,
		limit: u32,
	) -> Vec<(GrantId, ApiGrantOf<T>)> {
		let limit = limit.min(MAX_PAGE_LEN) as usize;
		let Some(info) = Patients::<T>::get(patient) else { return Vec::new() };
		let start = match start_after {
			Some(after) => info.grants.partition_point(|id| *id <= after),
			None => 0,
		};
		info.grants
			.iter()
			.skip(start)
			.filter_map(|id| Grants::<T>::get(id).map(|g| (*id, g)))
			.take(limit)
			.map(|(id, g)| {
				let scope = match g.scope {
					GrantScope::All => GrantScope::All,
					GrantScope::Category(c) => GrantScope::Category(c),
					GrantScope::Records(list) => {
						GrantScope::Records(BoundedVec::truncate_from(list.into_inner()))
					},
				};
				(
					id,
					Grant {
						patient: g.patient,
						grantee: g.grantee,
						scope,
						right: g.right,
						granted_by: g.granted_by,
						granted_at: g.granted_at,
						expires_at: g.expires_at,
						deposit: g.deposit,
					},
				)
			})
			.collect()
	}
}
