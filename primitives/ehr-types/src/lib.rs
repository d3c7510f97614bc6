//! # ehr-types
//!
//! The one definition of every type that crosses the boundaries of ehr-chain: the pallets store
//! and emit them, the runtime APIs answer with them, `ehr-client` takes them in place of the
//! types subxt would generate from the metadata, and the `ehr` CLI derives its arguments from
//! them. Above all, [`Category`] and its FHIR R4 mapping live here and nowhere else (a test of
//! this crate fails if another crate maps categories to resource types).
//!
//! `no_std`; the features add what off-chain users need: `serde` (JSON), `clap` (CLI arguments)
//! and `subxt` (scale-encode/scale-decode, so that subxt can substitute these types).
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod audit;

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// Identifier of a record anchor: a counter, never derived from the record's content.
pub type RecordId = u64;
/// Identifier of a consent grant: a counter.
pub type GrantId = u64;
/// A patient's pseudonymous on-chain identifier: a counter, unrelated to any real-world identity.
pub type PatientId = u64;
/// Identifier of an access ticket: a counter, so that each opened ticket is told apart.
pub type TicketId = u64;
/// A 32-byte commitment (hash) to the encrypted payload of a record.
pub type Commitment = [u8; 32];

/// The registrars' quorum, as a fraction of the `Registrars` collective's members: a registrar
/// action (registering or suspending a hospital, a doctor or a custodian, setting the archive
/// minimum) is taken once at least two thirds of the members approve it. The runtime's
/// `RegistrarOrigin` and every client's proposal threshold both come from these two numbers.
pub const REGISTRAR_QUORUM: (u32, u32) = (2, 3);

/// The approvals a registrar motion needs among `members`: the least count that reaches
/// [`REGISTRAR_QUORUM`] (1 of 1, 2 of 3, 3 of 4), never less than one.
pub const fn registrar_threshold(members: u32) -> u32 {
	let (numerator, denominator) = REGISTRAR_QUORUM;
	let needed = (members.saturating_mul(numerator)).div_ceil(denominator);
	if needed == 0 {
		1
	} else {
		needed
	}
}

/// Derives every shared type takes: SCALE, type info, the usual comparisons, and (by feature)
/// serde and subxt's traits.
macro_rules! shared_type {
	($(#[$meta:meta])* $vis:vis $kind:ident $name:ident $($rest:tt)*) => {
		#[derive(
			Clone, Encode, Decode, DecodeWithMemTracking, Eq, PartialEq, Debug, TypeInfo,
			MaxEncodedLen,
		)]
		#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
		#[cfg_attr(feature = "subxt", derive(scale_encode::EncodeAsType, scale_decode::DecodeAsType))]
		$(#[$meta])*
		$vis $kind $name $($rest)*
	};
}
pub(crate) use shared_type;

/// [`shared_type`] and `Copy`: the fieldless (or plain-data) enums.
macro_rules! shared_enum {
	($(#[$meta:meta])* $vis:vis enum $name:ident $body:tt) => {
		shared_type! { #[derive(Copy)] $(#[$meta])* $vis enum $name $body }
	};
}

shared_enum! {
	/// What kind of clinical (or administrative) information a record holds.
	///
	/// Each category is one FHIR R4 resource type (see [`Category::fhir_resource_type`]); a
	/// record's encrypted payload is a resource of that type, or a `Bundle` whose entries are.
	///
	/// | category | what the original app stored | FHIR R4 resource |
	/// |---|---|---|
	/// | `Demographics` | patient details (name, age, address, phone, attendant) | `Patient` |
	/// | `Coverage` | insurance | `Coverage` |
	/// | `Condition` | present and past illness | `Condition` |
	/// | `DiagnosticReport` | diagnosis, reports | `DiagnosticReport` |
	/// | `Medication` | prescription | `MedicationRequest` (also `MedicationStatement`) |
	/// | `Procedure` | treatment summary | `Procedure` |
	/// | `Encounter` | previous visit dates | `Encounter` |
	/// | `Observation` | vital signs, laboratory results | `Observation` |
	/// | `AllergyIntolerance` | allergies | `AllergyIntolerance` |
	/// | `Immunization` | vaccinations | `Immunization` |
	/// | `Document` | scanned documents, letters, images | `DocumentReference` |
	#[derive(Ord, PartialOrd)]
	#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
	pub enum Category {
		/// Demographics: FHIR `Patient`. Name, birth date, address and contacts live here,
		/// encrypted, and never on chain.
		#[codec(index = 0)]
		Demographics,
		/// Insurance: FHIR `Coverage`.
		#[codec(index = 1)]
		Coverage,
		/// Present or past illness: FHIR `Condition`.
		#[codec(index = 2)]
		Condition,
		/// Diagnosis or report: FHIR `DiagnosticReport`.
		#[codec(index = 3)]
		DiagnosticReport,
		/// Medication and prescription: FHIR `MedicationRequest` (or `MedicationStatement`).
		#[codec(index = 4)]
		Medication,
		/// Procedure or treatment summary: FHIR `Procedure`.
		#[codec(index = 5)]
		Procedure,
		/// Visit (and its dates): FHIR `Encounter`.
		#[codec(index = 6)]
		Encounter,
		/// Vital signs and laboratory results: FHIR `Observation`.
		#[codec(index = 7)]
		Observation,
		/// Allergies and intolerances: FHIR `AllergyIntolerance`.
		#[codec(index = 8)]
		AllergyIntolerance,
		/// Vaccinations: FHIR `Immunization`.
		#[codec(index = 9)]
		Immunization,
		/// Any other document (letter, scan, image): FHIR `DocumentReference`.
		#[codec(index = 10)]
		Document,
	}
}

impl Category {
	/// Every category, in codec order.
	pub const ALL: [Category; 11] = [
		Category::Demographics,
		Category::Coverage,
		Category::Condition,
		Category::DiagnosticReport,
		Category::Medication,
		Category::Procedure,
		Category::Encounter,
		Category::Observation,
		Category::AllergyIntolerance,
		Category::Immunization,
		Category::Document,
	];

	/// The FHIR R4 resource types a record of this category may hold, the one a writer
	/// creates first: a medication record is a `MedicationRequest` (a prescription), or a
	/// `MedicationStatement` (what the patient takes) imported from elsewhere.
	pub const fn fhir_resource_types(self) -> &'static [&'static str] {
		match self {
			Category::Demographics => &["Patient"],
			Category::Coverage => &["Coverage"],
			Category::Condition => &["Condition"],
			Category::DiagnosticReport => &["DiagnosticReport"],
			Category::Medication => &["MedicationRequest", "MedicationStatement"],
			Category::Procedure => &["Procedure"],
			Category::Encounter => &["Encounter"],
			Category::Observation => &["Observation"],
			Category::AllergyIntolerance => &["AllergyIntolerance"],
			Category::Immunization => &["Immunization"],
			Category::Document => &["DocumentReference"],
		}
	}

	/// The FHIR R4 resource type a record of this category is created as.
	pub const fn fhir_resource_type(self) -> &'static str {
		self.fhir_resource_types()[0]
	}

	/// The category that files FHIR R4 resources of type `resource_type`, if any.
	pub fn from_fhir_resource_type(resource_type: &str) -> Option<Self> {
		Self::ALL.into_iter().find(|c| c.fhir_resource_types().contains(&resource_type))
	}
}

shared_enum! {
	/// Whether a hospital, a doctor or a custodian may act.
	pub enum Status {
		/// May act.
		#[codec(index = 0)]
		Active,
		/// Barred until reinstated. A suspended hospital cannot act and its doctors cannot
		/// author records; a suspended doctor can do nothing.
		#[codec(index = 1)]
		Suspended,
	}
}

shared_enum! {
	/// What a consent grant allows.
	#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
	pub enum Right {
		/// Open the covered records.
		#[codec(index = 0)]
		Read,
		/// Open the covered records and add records (or amendments) within the scope.
		#[codec(index = 1)]
		ReadWrite,
	}
}

shared_enum! {
	/// The bounded reason a doctor gives for opening emergency (break-glass) access.
	#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
	pub enum EmergencyReason {
		/// The patient is unconscious.
		#[codec(index = 0)]
		Unconscious,
		/// The patient's life is in immediate danger.
		#[codec(index = 1)]
		LifeThreatening,
		/// The patient is conscious but unable to consent, and no guardian can be reached.
		#[codec(index = 2)]
		UnableToConsent,
		/// A mass-casualty incident.
		#[codec(index = 3)]
		MassCasualty,
		/// Another emergency; the hospital must be able to justify it.
		#[codec(index = 4)]
		Other,
	}
}

shared_type! {
	/// Who a consent grant is for.
	pub enum Grantee<AccountId> {
		/// One doctor, in person, whichever hospital they work for.
		#[codec(index = 0)]
		Doctor(AccountId),
		/// Every active doctor of an active hospital. The hospital's administrator account
		/// itself gains nothing: administrators are not clinicians.
		#[codec(index = 1)]
		Hospital(AccountId),
	}
}

shared_enum! {
	/// Why an access (a read, or the addition of a record) is allowed.
	pub enum AccessReason {
		/// The reader is the patient.
		#[codec(index = 0)]
		Owner,
		/// The reader is a guardian of the patient (reads only).
		#[codec(index = 1)]
		Guardian,
		/// The reader is the active doctor who wrote the record (reads only).
		#[codec(index = 2)]
		Author,
		/// A live consent grant allows it.
		#[codec(index = 3)]
		Consent {
			/// The grant relied upon.
			grant: GrantId,
		},
		/// The reader has a live emergency session for the patient.
		#[codec(index = 4)]
		Emergency,
	}
}

shared_enum! {
	/// Why an access is refused.
	pub enum DenyReason {
		/// No such record.
		#[codec(index = 0)]
		UnknownRecord,
		/// No such patient (when adding a record).
		#[codec(index = 1)]
		UnknownPatient,
		/// The caller is a suspended doctor.
		#[codec(index = 2)]
		DoctorSuspended,
		/// The caller is a doctor whose hospital is suspended, and nothing personal allows them.
		#[codec(index = 3)]
		HospitalSuspended,
		/// Nothing allows it: not the patient, a guardian or the author, and no live consent
		/// grant or emergency session.
		#[codec(index = 4)]
		NoConsent,
		/// The patient had the record erased: there is nothing left to read.
		#[codec(index = 5)]
		Erased,
	}
}

shared_enum! {
	/// The answer of an access decision (`EhrAccess::can_access`, the `EhrAccessApi`).
	pub enum AccessDecision {
		/// Allowed, and why.
		#[codec(index = 0)]
		Allowed(AccessReason),
		/// Refused, and why.
		#[codec(index = 1)]
		Denied(DenyReason),
	}
}

impl AccessDecision {
	/// Whether access is allowed.
	pub fn is_allowed(&self) -> bool {
		matches!(self, AccessDecision::Allowed(_))
	}
}

impl From<Result<AccessReason, DenyReason>> for AccessDecision {
	fn from(r: Result<AccessReason, DenyReason>) -> Self {
		match r {
			Ok(reason) => AccessDecision::Allowed(reason),
			Err(deny) => AccessDecision::Denied(deny),
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn a_registrar_threshold_is_the_least_count_that_reaches_the_quorum() {
		let (numerator, denominator) = REGISTRAR_QUORUM;
		assert_eq!([1, 2, 3, 4, 5, 6].map(registrar_threshold), [1, 2, 2, 3, 4, 4]);
		for members in 1..=100u32 {
			let threshold = registrar_threshold(members);
			// Enough for the runtime's `EnsureProportionAtLeast`, and one fewer is not.
			assert!(threshold * denominator >= numerator * members);
			assert!((threshold - 1) * denominator < numerator * members);
		}
		assert_eq!(registrar_threshold(0), 1);
	}

	#[test]
	fn every_category_round_trips_through_each_of_its_resource_types() {
		for category in Category::ALL {
			assert!(!category.fhir_resource_types().is_empty());
			for resource_type in category.fhir_resource_types() {
				assert_eq!(Category::from_fhir_resource_type(resource_type), Some(category));
			}
			assert_eq!(category.encode(), [category as u8]);
		}
		assert_eq!(
			Category::from_fhir_resource_type("MedicationStatement"),
			Some(Category::Medication)
		);
		assert_eq!(Category::from_fhir_resource_type("Bundle"), None);
		assert_eq!(
			Category::from_fhir_resource_type("patient"),
			None,
			"FHIR types are case-sensitive"
		);
	}
}
