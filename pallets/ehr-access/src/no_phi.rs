//! The no-PHI rule, checked on the pallet's types: no storage item, event or call that concerns
//! a patient can carry free text. A *text carrier* is a byte sequence (`Vec<u8>`,
//! `BoundedVec<u8, _>`), a string or a char anywhere inside a type. Fixed-size byte arrays
//! (`[u8; 32]` commitments and roots) are hashes, not text, and are allowed.
//!
//! The walk uses the `scale_info` metadata of every storage item the pallet declares (as FRAME
//! reports it, so a new item cannot be forgotten), of `Event` and of `Call`.
use crate::mock::Test;
use polkadot_sdk::frame_support::{
	__private::metadata_ir::StorageEntryTypeIR,
	traits::ConstU32,
	BoundedVec,
};
use scale_info::{
	form::PortableForm, meta_type, MetaType, PortableRegistry, Registry, Type, TypeDef,
	TypeDefPrimitive,
};
use std::collections::BTreeMap;

/// The only types that may carry text: the public, professional profiles.
const PROFILE_TYPES: [&str; 2] = ["HospitalProfile", "DoctorProfile"];
/// The only storage items that may hold a profile.
const PROFILE_STORAGE: [&str; 2] = ["Hospitals", "Doctors"];
/// The only calls that may take profile text.
const PROFILE_CALLS: [&str; 4] =
	["register_hospital", "update_hospital", "register_doctor", "update_doctor"];

fn name(ty: &Type<PortableForm>) -> String {
	match ty.path.segments.last() {
		Some(last) => last.clone(),
		None => match &ty.type_def {
			TypeDef::Sequence(_) => "Vec".into(),
			TypeDef::Array(a) => format!("[_; {}]", a.len),
			TypeDef::Tuple(_) => "tuple".into(),
			TypeDef::Primitive(p) => format!("{p:?}"),
			TypeDef::Compact(_) => "Compact".into(),
			_ => "?".into(),
		},
	}
}

/// Every path (list of type names) from `id` to a text carrier.
fn text_paths(registry: &PortableRegistry, id: u32) -> Vec<Vec<String>> {
	fn walk(
		registry: &PortableRegistry,
		id: u32,
		path: &mut Vec<String>,
		on_path: &mut Vec<u32>,
		out: &mut Vec<Vec<String>>,
	) {
		if on_path.contains(&id) {
			return;
		}
		let ty = registry.resolve(id).expect("registered type");
		path.push(name(ty));
		on_path.push(id);
		let is_byte = |id: u32| {
			matches!(
				registry.resolve(id).map(|t| &t.type_def),
				Some(TypeDef::Primitive(TypeDefPrimitive::U8))
			)
		};
		match &ty.type_def {
			TypeDef::Primitive(TypeDefPrimitive::Str | TypeDefPrimitive::Char) =>
				out.push(path.clone()),
			TypeDef::Primitive(_) => {},
			TypeDef::Sequence(s) =>
				if is_byte(s.type_param.id) {
					out.push(path.clone());
				} else {
					walk(registry, s.type_param.id, path, on_path, out);
				},
			// A fixed-size array is a hash or key, not text.
			TypeDef::Array(a) =>
				if !is_byte(a.type_param.id) {
					walk(registry, a.type_param.id, path, on_path, out);
				},
			TypeDef::Compact(c) => walk(registry, c.type_param.id, path, on_path, out),
			TypeDef::Tuple(t) =>
				for f in &t.fields {
					walk(registry, f.id, path, on_path, out);
				},
			TypeDef::Composite(c) =>
				for f in &c.fields {
					walk(registry, f.ty.id, path, on_path, out);
				},
			TypeDef::Variant(v) =>
				for variant in &v.variants {
					for f in &variant.fields {
						walk(registry, f.ty.id, path, on_path, out);
					}
				},
			TypeDef::BitSequence(_) => {},
		}
		path.pop();
		on_path.pop();
	}
	let mut out = Vec::new();
	walk(registry, id, &mut Vec::new(), &mut Vec::new(), &mut out);
	out
}

fn through_profile(path: &[String]) -> bool {
	path.iter().any(|t| PROFILE_TYPES.contains(&t.as_str()))
}

/// The pallet's storage items, by name, with the type ids of their keys and values.
fn storage(registry: &mut Registry) -> BTreeMap<String, Vec<u32>> {
	let metadata = crate::Pallet::<Test>::storage_metadata();
	let mut items = BTreeMap::new();
	for entry in metadata.entries {
		let types: Vec<MetaType> = match entry.ty {
			StorageEntryTypeIR::Plain(value) => vec![value],
			StorageEntryTypeIR::Map { key, value, .. } => vec![key, value],
		};
		let ids = types.iter().map(|t| registry.register_type(t).id).collect();
		items.insert(entry.name.to_string(), ids);
	}
	items
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
	let items = storage(&mut registry);
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
