//! The no-PHI rule, checked on the pallet's types: no storage item, event or call can carry free
//! text about a patient. A *text carrier* is a byte sequence (`Vec<u8>`, `BoundedVec<u8, _>`), a
//! string or a char anywhere inside a type. Fixed-size byte arrays (hashes, ids, keys,
//! signatures) are not text and are allowed. The only text is a custodian's endpoint: public
//! infrastructure, stored in `Custodians` and taken by the calls that set it.
//!
//! The walk (`ehr-no-phi`) uses the `scale_info` metadata of every storage item the pallet declares (as FRAME
//! reports it, so a new item cannot be forgotten), of `Event` and of `Call`.
use crate::mock::Test;
use ehr_no_phi::{storage_types, text_paths};
use scale_info::{meta_type, PortableRegistry, Registry, TypeDef};

/// The only type that may carry text.
const TEXT_TYPE: &str = "Custodian";
/// The only storage item that may hold it.
const TEXT_STORAGE: &str = "Custodians";
/// The only calls that may take text.
const TEXT_CALLS: [&str; 2] = ["register_custodian", "update_custodian"];

#[test]
fn the_walk_finds_the_endpoint_and_nothing_in_an_entry() {
	let mut registry = Registry::new();
	let custodian = registry.register_type(&meta_type::<crate::CustodianOf<Test>>()).id;
	let entry = registry.register_type(&meta_type::<crate::ArchiveEntryOf<Test>>()).id;
	let registry: PortableRegistry = registry.into();
	let paths = text_paths(&registry, custodian);
	assert_eq!(paths.len(), 1, "the endpoint: {paths:?}");
	assert!(text_paths(&registry, entry).is_empty());
}

#[test]
fn no_free_text_reachable_from_archive_data() {
	let mut registry = Registry::new();
	let items = storage_types(&mut registry, crate::Pallet::<Test>::storage_metadata());
	let event = registry.register_type(&meta_type::<crate::Event<Test>>()).id;
	let call = registry.register_type(&meta_type::<crate::Call<Test>>()).id;
	let registry: PortableRegistry = registry.into();

	assert_eq!(
		items.keys().map(String::as_str).collect::<Vec<_>>(),
		["ArchiveIds", "Archives", "CustodianCount", "Custodians", "Deposits", "MinRedundancy"]
	);
	for (item, ids) in &items {
		for id in ids {
			for path in text_paths(&registry, *id) {
				assert!(
					item == TEXT_STORAGE && path.iter().any(|t| t == TEXT_TYPE),
					"storage item {item} can carry free text through {path:?}"
				);
			}
		}
	}

	let paths = text_paths(&registry, event);
	assert!(paths.is_empty(), "events can carry free text through {paths:?}");

	let TypeDef::Variant(calls) = &registry.resolve(call).unwrap().type_def else {
		panic!("Call is an enum")
	};
	let mut texty: Vec<String> = calls
		.variants
		.iter()
		.filter(|v| v.fields.iter().any(|f| !text_paths(&registry, f.ty.id).is_empty()))
		.map(|v| v.name.clone())
		.collect();
	texty.sort();
	assert_eq!(texty, TEXT_CALLS);
}
