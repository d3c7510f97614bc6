//! The no-PHI rule, checked on the pallet's types: no storage item, event or call that concerns
//! a patient can carry free text. A *text carrier* is a byte sequence (`Vec<u8>`,
//! `BoundedVec<u8, _>`), a string or a char anywhere inside a type. Fixed-size byte arrays
//! (`[u8; 32]` commitments and roots) are hashes, not text, and are allowed.
//!
//! The walk (`ehr-no-phi`) uses the `scale_info` metadata of every storage item the pallet declares (as FRAME
//! reports it, so a new item cannot be forgotten), of `Event` and of `Call`.
use crate::mock::Test;
use ehr_no_phi::{storage_types, text_paths};
use polkadot_sdk::frame_support::{traits::ConstU32, BoundedVec};
use scale_info::{meta_type, PortableRegistry, Registry, TypeDef};

/// The only types that may carry text: the public, professional profiles.
const PROFILE_TYPES: [&str; 2] = ["HospitalProfile", "DoctorProfile"];
/// The only storage items that may hold a profile.
const PROFILE_STORAGE: [&str; 3] = ["Hospitals", "Doctors", "PendingDoctors"];
/// The only calls that may take profile text.
const PROFILE_CALLS: [&str; 4] =
	["register_hospital", "update_hospital", "invite_doctor", "update_doctor"];

fn through_profile(path: &[String]) -> bool {
	path.iter().any(|t| PROFILE_TYPES.contains(&t.as_str()))
}

#[test]
fn the_walk_finds_text_where_there_is_text() {
	let mut registry = Registry::new();
	let vec = registry.register_type(&meta_type::<Vec<u8>>()).id;
	let bounded = registry.register_type(&meta_type::<Option<BoundedVec<u8, ConstU32<4>>>>()).id;
	let string = registry.register_type(&meta_type::<String>()).id;
	let hash = registry.register_type(&meta_type::<[u8; 32]>()).id;
	let ids = registry.register_type(&meta_type::<Vec<u64>>()).id;
	let profile = registry.register_type(&meta_type::<crate::HospitalProfileOf<Test>>()).id;
	let registry: PortableRegistry = registry.into();
	assert_eq!(text_paths(&registry, vec).len(), 1);
	assert_eq!(text_paths(&registry, bounded).len(), 1);
	assert_eq!(text_paths(&registry, string).len(), 1);
	assert!(text_paths(&registry, hash).is_empty());
	assert!(text_paths(&registry, ids).is_empty());
	let paths = text_paths(&registry, profile);
	assert_eq!(paths.len(), 3, "name, address, speciality");
	assert!(paths.iter().all(|p| through_profile(p)));
}

#[test]
fn no_free_text_reachable_from_patient_data() {
	let mut registry = Registry::new();
	let items = storage_types(&mut registry, crate::Pallet::<Test>::storage_metadata());
	let event = registry.register_type(&meta_type::<crate::Event<Test>>()).id;
	let call = registry.register_type(&meta_type::<crate::Call<Test>>()).id;
	let registry: PortableRegistry = registry.into();

	// Every storage item the pallet declares is walked, hospitals' and doctors' included.
	assert!(items.len() >= 17, "storage items found: {:?}", items.keys());
	for must in ["Patients", "Records", "Grants", "Tickets", "Hospitals", "Doctors"] {
		assert!(items.contains_key(must));
	}
	for (item, ids) in &items {
		for id in ids {
			for path in text_paths(&registry, *id) {
				assert!(
					PROFILE_STORAGE.contains(&item.as_str()) && through_profile(&path),
					"storage item {item} can carry free text through {path:?}"
				);
			}
		}
	}

	// No event carries text at all: not even profiles are emitted.
	let paths = text_paths(&registry, event);
	assert!(paths.is_empty(), "events can carry free text through {paths:?}");

	// Only the profile calls of hospitals and doctors take text.
	let TypeDef::Variant(calls) = &registry.resolve(call).unwrap().type_def else {
		panic!("Call is an enum")
	};
	let mut texty = Vec::new();
	for variant in &calls.variants {
		let carries = variant.fields.iter().any(|f| !text_paths(&registry, f.ty.id).is_empty());
		if carries {
			texty.push(variant.name.clone());
		}
	}
	texty.sort();
	let mut expected: Vec<String> = PROFILE_CALLS.iter().map(|s| s.to_string()).collect();
	expected.sort();
	assert_eq!(texty, expected);
}
