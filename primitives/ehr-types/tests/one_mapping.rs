//! The FHIR mapping of record categories is defined in this crate only: no other source file of
//! the workspace pairs a `Category` variant with a FHIR resource type name, so the pallets, the
//! client, the CLI and the UI cannot drift apart again.
use ehr_types::Category;
use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`, build output and this crate left out.
fn sources(dir: &Path, own: &Path, out: &mut Vec<PathBuf>) {
	let Ok(entries) = std::fs::read_dir(dir) else { return };
	for entry in entries.flatten() {
		let path = entry.path();
		let name = entry.file_name();
		if path == own || name == "target" || name.to_string_lossy().starts_with('.') {
			continue;
		}
		if path.is_dir() {
			sources(&path, own, out);
		} else if path.extension().is_some_and(|e| e == "rs") {
			out.push(path);
		}
	}
}

#[test]
fn no_other_crate_maps_categories_to_fhir_resource_types() {
	let own = Path::new(env!("CARGO_MANIFEST_DIR"));
	let workspace = own.join("../..").canonicalize().expect("the workspace root");
	let mut files = Vec::new();
	sources(&workspace, &own.canonicalize().unwrap(), &mut files);
	assert!(
		files.len() > 50,
		"found only {} source files under {}",
		files.len(),
		workspace.display()
	);
	let names: Vec<String> = Category::ALL
		.iter()
		.flat_map(|c| c.fhir_resource_types().iter().map(|t| format!("\"{t}\"")))
		.collect();
	let mut mappings = Vec::new();
	for file in &files {
		let text = std::fs::read_to_string(file).unwrap_or_default();
		for (number, line) in text.lines().enumerate() {
			if line.contains("Category::") && names.iter().any(|name| line.contains(name.as_str()))
			{
				mappings.push(format!("{}:{}: {}", file.display(), number + 1, line.trim()));
			}
		}
	}
	assert!(
		mappings.is_empty(),
		"categories mapped to FHIR outside ehr-types:\n{}",
		mappings.join("\n")
	);
}
