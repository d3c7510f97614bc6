//! The walk behind the pallets' no-PHI tests: every way a type can carry free text.
//!
//! A *text carrier* is a byte sequence (`Vec<u8>`, `BoundedVec<u8, _>`), a string or a char
//! anywhere inside a type, found through its `scale_info` metadata. Fixed-size byte arrays
//! (hashes, ids, keys, signatures) are not text. Each pallet's `no_phi` test says which of its
//! storage items, events and calls may carry text, and asserts that nothing else can.
use polkadot_sdk::frame_support::__private::metadata_ir::{
	PalletStorageMetadataIR, StorageEntryTypeIR,
};
use scale_info::{
	form::PortableForm, MetaType, PortableRegistry, Registry, Type, TypeDef, TypeDefPrimitive,
};
use std::collections::BTreeMap;

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
pub fn text_paths(registry: &PortableRegistry, id: u32) -> Vec<Vec<String>> {
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

/// A pallet's storage items (as FRAME reports them, so a new item cannot be forgotten), by
/// name, with the ids in `registry` of their key and value types.
pub fn storage_types(
	registry: &mut Registry,
	metadata: PalletStorageMetadataIR,
) -> BTreeMap<String, Vec<u32>> {
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
