//! The no-PHI rule, checked on the pallet's types: no storage item, event or call can carry free
//! text about a patient. A *text carrier* is a byte sequence (`Vec<u8>`, `BoundedVec<u8, _>`), a
//! string or a char anywhere inside a type. Fixed-size byte arrays (hashes, ids, keys,
//! signatures) are not text and are allowed. The only text is a custodian's endpoint: public
//! infrastructure, stored in `Custodians` and taken by the calls that set it.
//!
//! The walk uses the `scale_info` metadata of every storage item the pallet declares (as FRAME
//! reports it, so a new item cannot be forgotten), of `Event` and of `Call`.
use crate::mock::Test;
use polkadot_sdk::frame_support::__private::metadata_ir::StorageEntryTypeIR;
use scale_info::{
	form::PortableForm, meta_type, MetaType, PortableRegistry, Registry, Type, TypeDef,
	TypeDefPrimitive,
};
use std::collections::BTreeMap;

/// The only type that may carry text.
const TEXT_TYPE: &str = "Custodian";
/// The only storage item that may hold it.
const TEXT_STORAGE: &str = "Custodians";
/// The only calls that may take text.
const TEXT_CALLS: [&str; 2] = ["register_custodian", "update_custodian"];

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
			TypeDef::Primitive(TypeDefPrimitive::Str | TypeDefPrimitive::Char) => {
				out.push(path.clone())
			},
			TypeDef::Primitive(_) => {},
			TypeDef::Sequence(s) => {
				if is_byte(s.type_param.id) {
					out.push(path.clone());
				} else {
					walk(registry, s.type_param.id, path, on_path, out);
				}
			},
			// A fixed-size array is a hash, id, key or signature, not text.
			TypeDef::Array(a) => {
				if !is_byte(a.type_param.id) {
					walk(registry, a.type_param.id, path, on_path, out);
				}
			},
			TypeDef::Compact(c) => walk(registry, c.type_param.id, path, on_path, out),
			TypeDef::Tuple(t) => {
				for f in &t.fields {
					walk(registry, f.id, path, on_path, out);
				}
			},
			TypeDef::Composite(c) => {
				for f in &c.fields {
					walk(registry, f.ty.id, path, on_path, out);
				}
			},
			TypeDef::Variant(v) => {
				for variant in &v.variants {
					for f in &variant.fields {
						walk(registry, f.ty.id, path, on_path, out);
					}
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
	let items = storage(&mut registry);
	let event = registry.register_type(&meta_type::<crate::Event<Test>>()).id;
	let call = registry.register_type(&meta_type::<crate::Call<Test>>()).id;
	let registry: PortableRegistry = registry.into();

	assert_eq!(
		items.keys().map(String::as_str).collect::<Vec<_>>(),
		["ArchiveIds", "Archives", "CustodianCount", "Custodians"]
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
