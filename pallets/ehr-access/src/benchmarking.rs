//! Benchmarks for `pallet_ehr_access`. Each benchmark sets up the worst case of its call:
//! longest profiles, fullest lists, and for the access decisions every grant of the patient
//! looked at before the last basis (emergency) is found.
use super::*;
use crate::Pallet as EhrAccess;
use alloc::{vec, vec::Vec};
use polkadot_sdk::{
	frame_benchmarking::v2::*,
	frame_support::{
		traits::{
			fungible::{Inspect, Mutate},
			EnsureOrigin, Get,
		},
		BoundedVec,
	},
	frame_system::RawOrigin,
	sp_runtime::traits::{Bounded, Saturating},
};

const SEED: u32 = 0;

/// Enough to pay every deposit many times over.
fn fund<T: Config>(who: &T::AccountId) {
	let unit = T::PatientDeposit::get()
		.saturating_add(T::ProposalDeposit::get())
		.saturating_add(T::GuardianDeposit::get())
		.saturating_add(T::GrantDeposit::get())
		.saturating_add(T::RecordDeposit::get())
		.saturating_add(T::DoctorDeposit::get())
		.saturating_add(T::Currency::minimum_balance());
	let amount =
		unit.saturating_mul(1_000_000u32.into()).min(BalanceOf::<T>::max_value() / 1024u32.into());
	T::Currency::set_balance(who, amount);
}

fn funded<T: Config>(name: &'static str, index: u32) -> T::AccountId {
	let who: T::AccountId = account(name, index, SEED);
	fund::<T>(&who);
	who
}

fn longest_text<T: Config>(byte: u8) -> Vec<u8> {
	vec![byte; T::MaxProfileFieldLen::get() as usize]
}

fn most_specialities<T: Config>() -> Vec<Vec<u8>> {
	(0..T::MaxSpecialities::get()).map(|_| longest_text::<T>(b's')).collect()
}

fn registrar<T: Config>() -> Result<T::RuntimeOrigin, BenchmarkError> {
	T::RegistrarOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)
}

fn signed<T: Config>(who: &T::AccountId) -> T::RuntimeOrigin {
	RawOrigin::Signed(who.clone()).into()
}

fn hospital<T: Config>(index: u32) -> Result<T::AccountId, BenchmarkError> {
	let hospital = funded::<T>("hospital", index);
	EhrAccess::<T>::register_hospital(
		registrar::<T>()?,
		hospital.clone(),
		longest_text::<T>(b'h'),
		longest_text::<T>(b'a'),
		most_specialities::<T>(),
	)?;
	Ok(hospital)
}

fn doctor<T: Config>(hospital: &T::AccountId, index: u32) -> Result<T::AccountId, BenchmarkError> {
	let doctor = funded::<T>("doctor", index);
	invite::<T>(hospital, &doctor)?;
	EhrAccess::<T>::accept_doctor_invitation(signed::<T>(&doctor))?;
	Ok(doctor)
}

fn invite<T: Config>(hospital: &T::AccountId, doctor: &T::AccountId) -> Result<(), BenchmarkError> {
	EhrAccess::<T>::invite_doctor(
		signed::<T>(hospital),
		doctor.clone(),
		longest_text::<T>(b'd'),
		longest_text::<T>(b's'),
		longest_text::<T>(b'c'),
	)?;
	Ok(())
}

fn patient<T: Config>(index: u32) -> Result<T::AccountId, BenchmarkError> {
	let patient = funded::<T>("patient", index);
	EhrAccess::<T>::register_patient(signed::<T>(&patient))?;
	Ok(patient)
}

fn record<T: Config>(patient: &T::AccountId) -> Result<RecordId, BenchmarkError> {
	let id = NextRecordId::<T>::get();
	let archive = T::Archive::benchmark_submission(patient, patient, 1)?;
	EhrAccess::<T>::add_record(
		signed::<T>(patient),
		patient.clone(),
		Category::Condition,
		None,
		archive,
	)
	.map_err(|e| e.error)?;
	Ok(id)
}

/// `count` grants of `patient`, each to another doctor `other` and so useless to anyone else.
fn useless_grants<T: Config>(
	patient: &T::AccountId,
	other: &T::AccountId,
	count: u32,
) -> Result<(), BenchmarkError> {
	for _ in 0..count {
		EhrAccess::<T>::grant_access(
			signed::<T>(patient),
			patient.clone(),
			Grantee::Doctor(other.clone()),
			GrantScope::All,
			Right::ReadWrite,
			None,
		)?;
	}
	Ok(())
}

/// Fill `doctor`'s emergency sessions with other patients, then open one for `patient` last.
fn emergencies<T: Config>(
	doctor: &T::AccountId,
	patient: &T::AccountId,
) -> Result<(), BenchmarkError> {
	for i in 1..T::MaxEmergenciesPerDoctor::get() {
		let other = self::patient::<T>(1000 + i)?;
		EhrAccess::<T>::open_emergency(signed::<T>(doctor), other, EmergencyReason::Other)?;
	}
	EhrAccess::<T>::open_emergency(signed::<T>(doctor), patient.clone(), EmergencyReason::Other)?;
	Ok(())
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn register_hospital() -> Result<(), BenchmarkError> {
		let origin = registrar::<T>()?;
		let hospital: T::AccountId = account("hospital", 0, SEED);

		#[extrinsic_call]
		_(
			origin as T::RuntimeOrigin,
			hospital.clone(),
			longest_text::<T>(b'h'),
			longest_text::<T>(b'a'),
			most_specialities::<T>(),
		);

		assert!(Hospitals::<T>::contains_key(&hospital));
		Ok(())
	}

	#[benchmark]
	fn update_hospital() -> Result<(), BenchmarkError> {
		let hospital = hospital::<T>(0)?;
		let origin = registrar::<T>()?;

		#[extrinsic_call]
		_(
			origin as T::RuntimeOrigin,
			hospital.clone(),
			longest_text::<T>(b'H'),
			longest_text::<T>(b'A'),
			most_specialities::<T>(),
		);

		assert_eq!(
			Hospitals::<T>::get(&hospital).map(|h| h.profile.name.into_inner()),
			Some(longest_text::<T>(b'H'))
		);
		Ok(())
	}

	#[benchmark]
	fn set_hospital_status() -> Result<(), BenchmarkError> {
		let hospital = hospital::<T>(0)?;
		let origin = registrar::<T>()?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, hospital.clone(), Status::Suspended);

		assert_eq!(Hospitals::<T>::get(&hospital).map(|h| h.status), Some(Status::Suspended));
		Ok(())
	}

	#[benchmark]
	fn invite_doctor() -> Result<(), BenchmarkError> {
		let hospital = hospital::<T>(0)?;
		let doctor: T::AccountId = account("doctor", 0, SEED);

		#[extrinsic_call]
		_(
			RawOrigin::Signed(hospital.clone()),
			doctor.clone(),
			longest_text::<T>(b'd'),
			longest_text::<T>(b's'),
			longest_text::<T>(b'c'),
		);

		assert!(PendingDoctors::<T>::contains_key(&doctor));
		Ok(())
	}

	#[benchmark]
	fn accept_doctor_invitation() -> Result<(), BenchmarkError> {
		let hospital = hospital::<T>(0)?;
		let doctor = funded::<T>("doctor", 0);
		invite::<T>(&hospital, &doctor)?;

		#[extrinsic_call]
		_(RawOrigin::Signed(doctor.clone()));

		assert!(Doctors::<T>::contains_key(&doctor));
		Ok(())
	}

	#[benchmark]
	fn withdraw_doctor_invitation() -> Result<(), BenchmarkError> {
		let hospital = hospital::<T>(0)?;
		let doctor = funded::<T>("doctor", 0);
		invite::<T>(&hospital, &doctor)?;

		#[extrinsic_call]
		_(RawOrigin::Signed(doctor.clone()), doctor.clone());

		assert!(!PendingDoctors::<T>::contains_key(&doctor));
		Ok(())
	}

	#[benchmark]
	fn update_doctor() -> Result<(), BenchmarkError> {
		let hospital = hospital::<T>(0)?;
		let doctor = doctor::<T>(&hospital, 0)?;

		#[extrinsic_call]
		_(
			RawOrigin::Signed(doctor.clone()),
			longest_text::<T>(b'D'),
			longest_text::<T>(b'S'),
			longest_text::<T>(b'C'),
		);

		assert_eq!(
			Doctors::<T>::get(&doctor).map(|d| d.profile.name.into_inner()),
			Some(longest_text::<T>(b'D'))
		);
		Ok(())
	}

	#[benchmark]
	fn set_doctor_status() -> Result<(), BenchmarkError> {
		let hospital = hospital::<T>(0)?;
		let doctor = doctor::<T>(&hospital, 0)?;

		#[extrinsic_call]
		_(RawOrigin::Signed(hospital.clone()), doctor.clone(), Status::Suspended);

		assert_eq!(Doctors::<T>::get(&doctor).map(|d| d.status), Some(Status::Suspended));
		Ok(())
	}

	#[benchmark]
	fn remove_doctor() -> Result<(), BenchmarkError> {
		let hospital = hospital::<T>(0)?;
		let doctor = doctor::<T>(&hospital, 0)?;
		let patient = patient::<T>(0)?;
		emergencies::<T>(&doctor, &patient)?;

		#[extrinsic_call]
		_(RawOrigin::Signed(hospital.clone()), doctor.clone());

		assert!(!Doctors::<T>::contains_key(&doctor));
		assert!(EmergencySessions::<T>::get(&doctor).is_empty());
		Ok(())
	}

	#[benchmark]
	fn propose_patient() -> Result<(), BenchmarkError> {
		let hospital = hospital::<T>(0)?;
		let doctor = doctor::<T>(&hospital, 0)?;
		let patient: T::AccountId = account("patient", 0, SEED);

		#[extrinsic_call]
		_(RawOrigin::Signed(doctor.clone()), patient.clone());

		assert!(PendingPatients::<T>::contains_key(&patient));
		Ok(())
	}

	#[benchmark]
	fn withdraw_patient_proposal() -> Result<(), BenchmarkError> {
		let hospital = hospital::<T>(0)?;
		let doctor = doctor::<T>(&hospital, 0)?;
		let patient: T::AccountId = account("patient", 0, SEED);
		EhrAccess::<T>::propose_patient(signed::<T>(&doctor), patient.clone())?;

		#[extrinsic_call]
		_(RawOrigin::Signed(doctor.clone()), patient.clone());

		assert!(!PendingPatients::<T>::contains_key(&patient));
		Ok(())
	}

	/// Worst case: a doctor's proposal is consumed and its deposit released.
	#[benchmark]
	fn register_patient() -> Result<(), BenchmarkError> {
		let hospital = hospital::<T>(0)?;
		let doctor = doctor::<T>(&hospital, 0)?;
		let patient = funded::<T>("patient", 0);
		EhrAccess::<T>::propose_patient(signed::<T>(&doctor), patient.clone())?;

		#[extrinsic_call]
		_(RawOrigin::Signed(patient.clone()));

		assert!(Patients::<T>::contains_key(&patient));
		assert!(!PendingPatients::<T>::contains_key(&patient));
		Ok(())
	}

	#[benchmark]
	fn deregister_patient() -> Result<(), BenchmarkError> {
		let patient = patient::<T>(0)?;

		#[extrinsic_call]
		_(RawOrigin::Signed(patient.clone()));

		assert!(!Patients::<T>::contains_key(&patient));
		Ok(())
	}

	/// Worst case: the list is one short of full.
	#[benchmark]
	fn add_guardian() -> Result<(), BenchmarkError> {
		let patient = patient::<T>(0)?;
		for i in 1..T::MaxGuardians::get() {
			let guardian: T::AccountId = account("guardian", i, SEED);
			EhrAccess::<T>::add_guardian(signed::<T>(&patient), guardian)?;
		}
		let guardian: T::AccountId = account("guardian", 0, SEED);

		#[extrinsic_call]
		_(RawOrigin::Signed(patient.clone()), guardian.clone());

		assert!(Guardianships::<T>::contains_key(&guardian, &patient));
		Ok(())
	}

	/// Worst case: the list is full, and the guardian removed made every grant the patient
	/// has (all of them end).
	#[benchmark]
	fn remove_guardian() -> Result<(), BenchmarkError> {
		let hospital = hospital::<T>(0)?;
		let doctor = doctor::<T>(&hospital, 0)?;
		let patient = patient::<T>(0)?;
		let guardian = funded::<T>("guardian", 0);
		for i in 0..T::MaxGuardians::get() {
			let other: T::AccountId = account("guardian", i, SEED);
			EhrAccess::<T>::add_guardian(signed::<T>(&patient), other)?;
		}
		for _ in 0..T::MaxGrantsPerPatient::get() {
			EhrAccess::<T>::grant_access(
				signed::<T>(&guardian),
				patient.clone(),
				Grantee::Doctor(doctor.clone()),
				GrantScope::All,
				Right::ReadWrite,
				None,
			)?;
		}

		#[extrinsic_call]
		_(RawOrigin::Signed(patient.clone()), guardian.clone());

		assert!(!Guardianships::<T>::contains_key(&guardian, &patient));
		assert!(Patients::<T>::get(&patient).is_some_and(|p| p.grants.is_empty()));
		Ok(())
	}

	/// `s`: records listed in the scope. The patient has one grant short of the bound, and a
	/// guardian signs.
	#[benchmark]
	fn grant_access(s: Linear<0, { T::MaxScopeRecords::get() }>) -> Result<(), BenchmarkError> {
		let hospital = hospital::<T>(0)?;
		let doctor = doctor::<T>(&hospital, 0)?;
		let patient = patient::<T>(0)?;
		let guardian = funded::<T>("guardian", 0);
		EhrAccess::<T>::add_guardian(signed::<T>(&patient), guardian.clone())?;
		useless_grants::<T>(&patient, &doctor, T::MaxGrantsPerPatient::get().saturating_sub(1))?;
		let scope = if s == 0 {
			GrantScope::All
		} else {
			let mut listed = Vec::new();
			for _ in 0..s {
				listed.push(record::<T>(&patient)?);
			}
			GrantScope::Records(BoundedVec::truncate_from(listed))
		};
		let id = NextGrantId::<T>::get();

		#[extrinsic_call]
		_(
			RawOrigin::Signed(guardian.clone()),
			patient.clone(),
			Grantee::Doctor(doctor.clone()),
			scope,
			Right::ReadWrite,
			Some(BlockNumberFor::<T>::max_value()),
		);

		assert!(Grants::<T>::contains_key(id));
		Ok(())
	}

	/// Worst case: the patient has the most grants and the grant is the last one.
	#[benchmark]
	fn revoke_access() -> Result<(), BenchmarkError> {
		let hospital = hospital::<T>(0)?;
		let doctor = doctor::<T>(&hospital, 0)?;
		let patient = patient::<T>(0)?;
		useless_grants::<T>(&patient, &doctor, T::MaxGrantsPerPatient::get())?;
		let id = NextGrantId::<T>::get().saturating_sub(1);

		#[extrinsic_call]
		_(RawOrigin::Signed(patient.clone()), patient.clone(), id);

		assert!(!Grants::<T>::contains_key(id));
		Ok(())
	}

	/// `g`: grants of the patient the decision looks at, none of them for the author, who
	/// writes under emergency access (the last basis tried) as an amendment. The archive is the
	/// smallest one (one piece); the call's weight adds the archive's own weight for its `n`
	/// pieces on top, so the one-piece archive is counted twice (an upper bound).
	#[benchmark]
	fn add_record(g: Linear<0, { T::MaxGrantsPerPatient::get() }>) -> Result<(), BenchmarkError> {
		let hospital = hospital::<T>(0)?;
		let doctor = doctor::<T>(&hospital, 0)?;
		let other = self::doctor::<T>(&hospital, 1)?;
		let patient = patient::<T>(0)?;
		let old = record::<T>(&patient)?;
		useless_grants::<T>(&patient, &other, g)?;
		emergencies::<T>(&doctor, &patient)?;
		let id = NextRecordId::<T>::get();
		let archive = T::Archive::benchmark_submission(&patient, &doctor, 1)?;

		#[extrinsic_call]
		_(
			RawOrigin::Signed(doctor.clone()),
			patient.clone(),
			Category::Condition,
			Some(old),
			archive,
		);

		assert_eq!(Records::<T>::get(id).map(|a| a.author), Some(doctor));
		Ok(())
	}

	/// Worst case: the doctor's sessions are full, all expired, and are dropped; the doctor's
	/// openings of the rate period are one short of the limit, and all are scanned for a
	/// cool-down.
	#[benchmark]
	fn open_emergency() -> Result<(), BenchmarkError> {
		let hospital = hospital::<T>(0)?;
		let doctor = doctor::<T>(&hospital, 0)?;
		let patient = patient::<T>(0)?;
		let openings = T::MaxEmergenciesPerPeriod::get().saturating_sub(1);
		let kept = T::MaxEmergenciesPerDoctor::get().min(openings);
		for i in 0..openings {
			let other = self::patient::<T>(1000 + i)?;
			EhrAccess::<T>::open_emergency(
				signed::<T>(&doctor),
				other.clone(),
				EmergencyReason::Other,
			)?;
			// The doctor closes their own sessions (no cool-down) to open the next ones.
			if i < openings - kept {
				EhrAccess::<T>::close_emergency(signed::<T>(&doctor), other, doctor.clone())?;
			}
		}
		let later = EhrAccess::<T>::now().saturating_add(T::EmergencyDuration::get());
		polkadot_sdk::frame_system::Pallet::<T>::set_block_number(later);

		#[extrinsic_call]
		_(RawOrigin::Signed(doctor.clone()), patient.clone(), EmergencyReason::Unconscious);

		assert_eq!(EmergencySessions::<T>::get(&doctor).len(), 1);
		Ok(())
	}

	/// A guardian closes the session, which is the last of a full list.
	#[benchmark]
	fn close_emergency() -> Result<(), BenchmarkError> {
		let hospital = hospital::<T>(0)?;
		let doctor = doctor::<T>(&hospital, 0)?;
		let patient = patient::<T>(0)?;
		for i in 1..T::MaxGuardians::get() {
			let guardian: T::AccountId = account("guardian", i, SEED);
			EhrAccess::<T>::add_guardian(signed::<T>(&patient), guardian)?;
		}
		let guardian = funded::<T>("guardian", 0);
		EhrAccess::<T>::add_guardian(signed::<T>(&patient), guardian.clone())?;
		emergencies::<T>(&doctor, &patient)?;

		#[extrinsic_call]
		_(RawOrigin::Signed(guardian), patient.clone(), doctor.clone());

		assert!(EhrAccess::<T>::decide_write(
			&doctor,
			&patient,
			Category::Condition,
			None,
			EhrAccess::<T>::now()
		)
		.is_err());
		Ok(())
	}

	/// `g`: grants of the patient the decision looks at (none for the reader, who reads under
	/// emergency access, the last basis tried); `t`: expired tickets of the reader purged
	/// because they are at the bound.
	#[benchmark]
	fn open_access(
		g: Linear<0, { T::MaxGrantsPerPatient::get() }>,
		t: Linear<0, { T::MaxTicketsPerReader::get() }>,
	) -> Result<(), BenchmarkError> {
		let hospital = hospital::<T>(0)?;
		let doctor = doctor::<T>(&hospital, 0)?;
		let other = self::doctor::<T>(&hospital, 1)?;
		let patient = patient::<T>(0)?;
		let id = record::<T>(&patient)?;
		useless_grants::<T>(&patient, &other, g)?;
		// The reader holds the most tickets, `t` of them expired.
		let max = T::MaxTicketsPerReader::get();
		let now = EhrAccess::<T>::now();
		for i in 0..max {
			let expires_at = if i < t { now } else { BlockNumberFor::<T>::max_value() };
			Tickets::<T>::insert(
				&doctor,
				u64::MAX - i as u64,
				TicketInfo { id: 0, reason: AccessReason::Emergency, opened_at: now, expires_at },
			);
		}
		if t == 0 && max > 0 {
			// Leave room for the new ticket.
			Tickets::<T>::remove(&doctor, u64::MAX);
		}
		TicketCount::<T>::insert(&doctor, if t == 0 { max.saturating_sub(1) } else { max });
		emergencies::<T>(&doctor, &patient)?;

		#[extrinsic_call]
		_(RawOrigin::Signed(doctor.clone()), id);

		assert!(Tickets::<T>::contains_key(&doctor, id));
		Ok(())
	}

	/// `n`: expired tickets (of distinct readers) that `on_idle` looks at and removes.
	#[benchmark]
	fn prune_tickets(n: Linear<0, MAX_PRUNE_PER_BLOCK>) -> Result<(), BenchmarkError> {
		let now = EhrAccess::<T>::now();
		for i in 0..n {
			let reader: T::AccountId = account("reader", i, SEED);
			Tickets::<T>::insert(
				&reader,
				i as u64,
				TicketInfo {
					id: i as u64,
					reason: AccessReason::Owner,
					opened_at: now,
					expires_at: now,
				},
			);
			TicketCount::<T>::insert(&reader, 1);
		}

		#[block]
		{
			EhrAccess::<T>::prune_expired_tickets(now, n);
		}

		assert_eq!(Tickets::<T>::iter().count(), 0);
		Ok(())
	}

	impl_benchmark_test_suite!(EhrAccess, crate::mock::new_test_ext(), crate::mock::Test);
}
