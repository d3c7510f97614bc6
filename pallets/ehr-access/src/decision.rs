//! The access decision: who may read a record and who may add one, and why. One function
//! each ([`Pallet::decide`], [`Pallet::decide_write`]), used by the calls, the runtime API and
//! the custodians' ticket check alike.
use crate::*;
use polkadot_sdk::frame_system::pallet_prelude::BlockNumberFor;

impl<T: Config> Pallet<T> {
	/// The current block number.
	pub(crate) fn now() -> BlockNumberFor<T> {
		polkadot_sdk::frame_system::Pallet::<T>::block_number()
	}

	/// Whether `who` may read `record` at block `now`, and why: **the** access decision,
	/// used by [`Pallet::open_access`], [`Pallet::can_access`] and the `EhrAccessApi`.
	///
	/// In order: the patient (`Owner`); a guardian of the patient (`Guardian`); then, for an
	/// active doctor only, the record's author (`Author`); a live grant to the doctor in
	/// person (made under their current registration: see [`Pallet::best_grant`]), or to the
	/// doctor's hospital while it is active, whose scope covers the record (`Consent`, naming
	/// the grant that lasts longest, the lowest id on a tie); a live
	/// emergency session for the patient while the doctor's hospital is active
	/// (`Emergency`). Refusals: `UnknownRecord`; `Erased` for an erased record, whoever
	/// asks; `DoctorSuspended` for a suspended doctor;
	/// `HospitalSuspended` for a doctor of a suspended hospital with no personal basis;
	/// otherwise `NoConsent`.
	pub fn decide(
		who: &T::AccountId,
		record: RecordId,
		now: BlockNumberFor<T>,
	) -> Result<AccessReason, DenyReason> {
		Self::evaluate_read(who, record, now).map(|basis| basis.reason)
	}

	/// Whether `who` may add a record of `category` (superseding `supersedes`) for
	/// `patient` at block `now`, and why: used by [`Pallet::add_record`].
	///
	/// The patient may (`Owner`). Otherwise only an active doctor of an active hospital
	/// with a live read-and-write grant (to them in person or to their hospital) whose scope
	/// covers the category, or for listed records the superseded record (`Consent`); or with
	/// a live emergency session for the patient (`Emergency`). Guardians do not author
	/// records. Refusals: `UnknownPatient`, `DoctorSuspended`, `HospitalSuspended`,
	/// `NoConsent`.
	pub fn decide_write(
		who: &T::AccountId,
		patient: &T::AccountId,
		category: Category,
		supersedes: Option<RecordId>,
		now: BlockNumberFor<T>,
	) -> Result<AccessReason, DenyReason> {
		Self::evaluate_write(who, patient, category, supersedes, now).map(|(reason, _)| reason)
	}

	/// [`Pallet::decide_write`], with how many grants it looked at.
	pub(crate) fn evaluate_write(
		who: &T::AccountId,
		patient: &T::AccountId,
		category: Category,
		supersedes: Option<RecordId>,
		now: BlockNumberFor<T>,
	) -> Result<(AccessReason, u32), DenyReason> {
		let info = Patients::<T>::get(patient).ok_or(DenyReason::UnknownPatient)?;
		if who == patient {
			return Ok((AccessReason::Owner, 0));
		}
		let doctor = Doctors::<T>::get(who).ok_or(DenyReason::NoConsent)?;
		if doctor.status != Status::Active {
			return Err(DenyReason::DoctorSuspended);
		}
		if !Self::hospital_active(&doctor.hospital) {
			return Err(DenyReason::HospitalSuspended);
		}
		let scanned = info.grants.len() as u32;
		if let Some((grant, _)) =
			Self::best_grant(&info, who, &doctor, true, now, |scope, right| {
				right == Right::ReadWrite && scope.covers_write(category, supersedes)
			}) {
			return Ok((AccessReason::Consent { grant }, scanned));
		}
		if Self::live_emergency(who, patient, now).is_some() {
			return Ok((AccessReason::Emergency, scanned));
		}
		Err(DenyReason::NoConsent)
	}

	/// The read decision with what a ticket needs: see [`ReadBasis`].
	pub(crate) fn evaluate_read(
		who: &T::AccountId,
		record: RecordId,
		now: BlockNumberFor<T>,
	) -> Result<ReadBasis<T::AccountId, BlockNumberFor<T>>, DenyReason> {
		let anchor = Records::<T>::get(record).ok_or(DenyReason::UnknownRecord)?;
		if anchor.erased_at.is_some() {
			return Err(DenyReason::Erased);
		}
		let patient = anchor.patient;
		let allowed =
			|patient, reason, until, scanned| Ok(ReadBasis { patient, reason, until, scanned });
		if *who == patient {
			return allowed(patient, AccessReason::Owner, None, 0);
		}
		let info = Patients::<T>::get(&patient);
		if info.as_ref().is_some_and(|p| p.is_guardian(who)) {
			return allowed(patient, AccessReason::Guardian, None, 0);
		}
		let doctor = Doctors::<T>::get(who).ok_or(DenyReason::NoConsent)?;
		if doctor.status != Status::Active {
			return Err(DenyReason::DoctorSuspended);
		}
		if *who == anchor.author {
			return allowed(patient, AccessReason::Author, None, 0);
		}
		let hospital_active = Self::hospital_active(&doctor.hospital);
		let mut scanned = 0;
		if let Some(info) = &info {
			scanned = info.grants.len() as u32;
			if let Some((grant, until)) =
				Self::best_grant(info, who, &doctor, hospital_active, now, |scope, _| {
					scope.covers_read(record, anchor.category)
				}) {
				return allowed(patient, AccessReason::Consent { grant }, until, scanned);
			}
		}
		if !hospital_active {
			return Err(DenyReason::HospitalSuspended);
		}
		match Self::live_emergency(who, &patient, now) {
			Some(until) => allowed(patient, AccessReason::Emergency, Some(until), scanned),
			None => Err(DenyReason::NoConsent),
		}
	}

	/// The live grant of `patient` to `doctor` (in person, or through their hospital when
	/// `hospital_active`) that satisfies `covers` and lasts longest (lowest id on a tie),
	/// with its expiry.
	///
	/// A grant to a doctor in person holds only for the registration it was made under (made
	/// at or after `registered_at`): a doctor removed by their hospital and registered again,
	/// by the same hospital or any other, starts without the old grants, so that a hospital
	/// cannot take over a colleague's patients by registering the account.
	pub(crate) fn best_grant(
		patient: &PatientInfoOf<T>,
		doctor: &T::AccountId,
		registration: &DoctorInfoOf<T>,
		hospital_active: bool,
		now: BlockNumberFor<T>,
		covers: impl Fn(&GrantScopeOf<T>, Right) -> bool,
	) -> Option<(GrantId, Option<BlockNumberFor<T>>)> {
		let mut best: Option<(GrantId, Option<BlockNumberFor<T>>)> = None;
		for id in patient.grants.iter() {
			let Some(grant) = Grants::<T>::get(id) else { continue };
			let for_caller = match &grant.grantee {
				Grantee::Doctor(d) => d == doctor && grant.granted_at >= registration.registered_at,
				Grantee::Hospital(h) => hospital_active && *h == registration.hospital,
			};
			if !for_caller || !grant.is_live(&now) || !covers(&grant.scope, grant.right) {
				continue;
			}
			let better = match &best {
				None => true,
				Some((_, best_until)) => lasts_longer(grant.expires_at, *best_until),
			};
			if better {
				best = Some((*id, grant.expires_at));
			}
		}
		best
	}

	/// The expiry of the live emergency session of `doctor` for `patient`, if any.
	pub(crate) fn live_emergency(
		doctor: &T::AccountId,
		patient: &T::AccountId,
		now: BlockNumberFor<T>,
	) -> Option<BlockNumberFor<T>> {
		EmergencySessions::<T>::get(doctor)
			.iter()
			.find(|s| s.patient == *patient && now < s.expires_at)
			.map(|s| s.expires_at)
	}

	/// Whether `hospital` is registered and active.
	pub(crate) fn hospital_active(hospital: &T::AccountId) -> bool {
		Hospitals::<T>::get(hospital).is_some_and(|h| h.status == Status::Active)
	}

	/// [`Pallet::decide`] at the current block, as the runtime API answers it.
	pub fn can_access(who: &T::AccountId, record: RecordId) -> AccessDecision {
		Self::decide(who, record, Self::now()).into()
	}
}

/// What allows a read, as [`Pallet::open_access`] needs it.
pub(crate) struct ReadBasis<AccountId, BlockNumber> {
	/// The record's patient.
	pub patient: AccountId,
	/// Why the read is allowed.
	pub reason: AccessReason,
	/// When the grant or emergency session relied upon lapses, if it does.
	pub until: Option<BlockNumber>,
	/// How many grants the decision looked at (for the weight refund).
	pub scanned: u32,
}

/// Whether a basis lapsing at `a` lasts strictly longer than one lapsing at `b` (`None`: never
/// lapses).
fn lasts_longer<B: PartialOrd>(a: Option<B>, b: Option<B>) -> bool {
	match (a, b) {
		(None, Some(_)) => true,
		(Some(a), Some(b)) => a > b,
		_ => false,
	}
}
