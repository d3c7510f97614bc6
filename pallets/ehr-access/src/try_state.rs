//! The pallet's invariants, checked by `try-runtime` and after every unit test.
use crate::*;
use polkadot_sdk::{frame_support::pallet_prelude::*, sp_runtime::Saturating};

impl<T: Config> Pallet<T> {
	/// Check the pallet's invariants.
	#[cfg(any(test, feature = "try-runtime"))]
	pub fn do_try_state() -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
		use alloc::collections::btree_map::BTreeMap;
		use polkadot_sdk::frame_support::traits::fungible::InspectHold;
		let mut holds: BTreeMap<(u8, T::AccountId), BalanceOf<T>> = BTreeMap::new();
		let mut add_hold = |reason: HoldReason, who: &T::AccountId, amount: BalanceOf<T>| {
			let entry = holds.entry((reason as u8, who.clone())).or_insert_with(Zero::zero);
			*entry = entry.saturating_add(amount);
		};

		// Hospitals and doctors.
		let mut doctors_per_hospital: BTreeMap<T::AccountId, u32> = BTreeMap::new();
		for (doctor, info) in Doctors::<T>::iter() {
			ensure!(Hospitals::<T>::contains_key(&info.hospital), "doctor of unknown hospital");
			ensure!(!info.profile.name.is_empty(), "doctor with an empty name");
			ensure!(!Hospitals::<T>::contains_key(&doctor), "doctor is also a hospital");
			ensure!(!Patients::<T>::contains_key(&doctor), "doctor is also a patient");
			ensure!(
				Guardianships::<T>::iter_key_prefix(&doctor).next().is_none(),
				"doctor is a guardian"
			);
			let n = doctors_per_hospital.entry(info.hospital.clone()).or_insert(0);
			*n = n.saturating_add(1);
			add_hold(HoldReason::DoctorRegistration, &info.hospital, info.deposit);
		}
		for (doctor, invitation) in PendingDoctors::<T>::iter() {
			ensure!(
				Hospitals::<T>::contains_key(&invitation.hospital),
				"invitation of no hospital"
			);
			ensure!(!Doctors::<T>::contains_key(&doctor), "invited account is already a doctor");
			ensure!(!invitation.profile.name.is_empty(), "invitation with an empty name");
			add_hold(HoldReason::DoctorRegistration, &invitation.hospital, invitation.deposit);
		}
		for (hospital, info) in Hospitals::<T>::iter() {
			ensure!(!info.profile.name.is_empty(), "hospital with an empty name");
			ensure!(!Patients::<T>::contains_key(&hospital), "hospital is also a patient");
			ensure!(
				Guardianships::<T>::iter_key_prefix(&hospital).next().is_none(),
				"hospital is a guardian"
			);
			ensure!(
				info.doctors == doctors_per_hospital.get(&hospital).copied().unwrap_or(0),
				"hospital doctor count out of step"
			);
		}

		// Patients, guardians, grants and records.
		let next_patient = NextPatientId::<T>::get();
		let next_grant = NextGrantId::<T>::get();
		let next_record = NextRecordId::<T>::get();
		let mut patients = 0u32;
		let mut listed_grants = 0u32;
		let mut listed_records = 0u64;
		let mut guardianships = 0u32;
		for (patient, info) in Patients::<T>::iter() {
			patients = patients.saturating_add(1);
			ensure!(info.id < next_patient, "patient id not yet issued");
			ensure!(
				PatientIds::<T>::get(info.id).as_ref() == Some(&patient),
				"patient id index out of step"
			);
			ensure!(!PendingPatients::<T>::contains_key(&patient), "registered patient pending");
			add_hold(HoldReason::PatientRegistration, &patient, info.deposit);
			ensure!(
				info.guardians.windows(2).all(|w| w[0].account < w[1].account),
				"guardians not sorted and unique"
			);
			for g in info.guardians.iter() {
				ensure!(g.account != patient, "patient is their own guardian");
				ensure!(
					Guardianships::<T>::contains_key(&g.account, &patient),
					"guardian missing from the reverse index"
				);
				add_hold(HoldReason::Guardian, &patient, g.deposit);
			}
			guardianships = guardianships.saturating_add(info.guardians.len() as u32);
			ensure!(info.grants.windows(2).all(|w| w[0] < w[1]), "grant ids not sorted");
			for id in info.grants.iter() {
				let grant = Grants::<T>::get(id).ok_or("listed grant missing")?;
				ensure!(grant.patient == patient, "grant listed under another patient");
			}
			listed_grants = listed_grants.saturating_add(info.grants.len() as u32);
			ensure!(
				info.records <= T::MaxRecordsPerPatient::get(),
				"more records than MaxRecordsPerPatient"
			);
			let mut previous: Option<RecordId> = None;
			for ordinal in 0..info.records {
				let id = PatientRecords::<T>::get(&patient, ordinal)
					.ok_or("patient record ordinal missing")?;
				let anchor = Records::<T>::get(id).ok_or("patient record anchor missing")?;
				ensure!(anchor.patient == patient, "record listed under another patient");
				ensure!(previous.is_none_or(|p| p < id), "patient records out of order");
				previous = Some(id);
			}
			ensure!(
				PatientRecords::<T>::get(&patient, info.records).is_none(),
				"patient record ordinal beyond the count"
			);
			listed_records = listed_records.saturating_add(info.records as u64);
		}
		ensure!(
			PatientIds::<T>::iter().count() as u32 == patients,
			"patient id index has stale entries"
		);
		ensure!(
			Guardianships::<T>::iter_keys().count() as u32 == guardianships,
			"guardian reverse index has stale entries"
		);
		for (_, proposal) in PendingPatients::<T>::iter() {
			add_hold(HoldReason::PatientProposal, &proposal.doctor, proposal.deposit);
		}
		let mut grants = 0u32;
		for (id, grant) in Grants::<T>::iter() {
			grants = grants.saturating_add(1);
			ensure!(id < next_grant, "grant id not yet issued");
			let info = Patients::<T>::get(&grant.patient).ok_or("grant of unknown patient")?;
			ensure!(info.grants.binary_search(&id).is_ok(), "grant not listed by its patient");
			if let GrantScope::Records(list) = &grant.scope {
				ensure!(!list.is_empty(), "grant lists no record");
				ensure!(list.windows(2).all(|w| w[0] < w[1]), "grant records not sorted");
				for record in list.iter() {
					let anchor = Records::<T>::get(record).ok_or("grant of unknown record")?;
					ensure!(anchor.patient == grant.patient, "grant of another's record");
				}
			}
			add_hold(HoldReason::Grant, &grant.granted_by, grant.deposit);
		}
		ensure!(grants == listed_grants, "grant count out of step");
		let mut records = 0u64;
		for (id, anchor) in Records::<T>::iter() {
			records = records.saturating_add(1);
			ensure!(anchor.id == id, "anchor id differs from its key");
			ensure!(id < next_record, "record id not yet issued");
			ensure!(Patients::<T>::contains_key(&anchor.patient), "anchor of unknown patient");
			ensure!(anchor.size > 0, "empty record");
			if let Some(old) = anchor.supersedes {
				ensure!(old < id, "record supersedes a later record");
				let old = Records::<T>::get(old).ok_or("superseded record missing")?;
				ensure!(
					old.patient == anchor.patient && old.category == anchor.category,
					"superseded record mismatch"
				);
			}
			ensure!(anchor.archive.is_valid(), "invalid archive reference");
			ensure!(anchor.archive.root == anchor.commitment, "archive root is not the commitment");
			ensure!(anchor.archive.entry == id, "archive entry of another record");
			add_hold(HoldReason::RecordAnchor, &anchor.author, anchor.deposit);
		}
		ensure!(records == listed_records, "record count out of step");

		// Tickets.
		let mut tickets_per_reader: BTreeMap<T::AccountId, u32> = BTreeMap::new();
		let next_ticket = NextTicketId::<T>::get();
		for (reader, _, ticket) in Tickets::<T>::iter() {
			ensure!(ticket.id < next_ticket, "ticket id not yet issued");
			ensure!(ticket.opened_at < ticket.expires_at, "ticket expires before it opens");
			let n = tickets_per_reader.entry(reader).or_insert(0);
			*n = n.saturating_add(1);
		}
		for (reader, count) in TicketCount::<T>::iter() {
			ensure!(count > 0, "zero ticket count stored");
			ensure!(count <= T::MaxTicketsPerReader::get(), "more tickets than allowed");
			ensure!(tickets_per_reader.remove(&reader) == Some(count), "ticket count out of step");
		}
		ensure!(tickets_per_reader.is_empty(), "tickets without a count");

		// Emergency sessions.
		for (doctor, sessions) in EmergencySessions::<T>::iter() {
			ensure!(Doctors::<T>::contains_key(&doctor), "emergency session of a non-doctor");
			for s in sessions.iter() {
				ensure!(s.opened_at < s.expires_at, "emergency session expires before it opens");
			}
		}

		// The rate limits' memory.
		for (doctor, openings) in EmergencyOpenings::<T>::iter() {
			ensure!(Doctors::<T>::contains_key(&doctor), "emergency openings of a non-doctor");
			ensure!(
				openings.windows(2).all(|w| w[0].opened_at <= w[1].opened_at),
				"emergency openings out of order"
			);
			for session in EmergencySessions::<T>::get(&doctor).iter() {
				ensure!(
					session.expires_at <= Self::now()
						|| openings
							.iter()
							.any(|o| o.patient == session.patient
								&& o.opened_at == session.opened_at),
					"a live emergency session is not counted"
				);
			}
		}
		for (patient, writer, window) in WriteWindows::<T>::iter() {
			ensure!(patient != writer, "a patient's own records are rate-limited");
			ensure!(
				(1..=T::MaxWritesPerPeriod::get()).contains(&window.count),
				"a write window counts more records than allowed"
			);
		}

		// Deposits are exactly what is held.
		for ((reason, who), amount) in holds {
			let reason = match reason {
				0 => HoldReason::PatientRegistration,
				1 => HoldReason::PatientProposal,
				2 => HoldReason::Guardian,
				3 => HoldReason::Grant,
				4 => HoldReason::RecordAnchor,
				_ => HoldReason::DoctorRegistration,
			};
			ensure!(
				T::Currency::balance_on_hold(&reason.into(), &who) == amount,
				"held deposits differ from the recorded ones"
			);
		}
		Ok(())
	}
}
