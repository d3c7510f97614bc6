fn main() {
	#[cfg(feature = "std")]
	{
		// Our cargo target directory lives outside the clone (see scripts/setup.sh), where the
		// wasm builder cannot find the workspace by walking up from it: point it there.
		if std::env::var_os("WASM_BUILD_WORKSPACE_HINT").is_none() {
			// Read at run time: a build script compiled in another clone (same target directory)
			// would otherwise point at that clone.
			if let Some(runtime_dir) = std::env::var_os("CARGO_MANIFEST_DIR") {
				if let Some(workspace) = std::path::Path::new(&runtime_dir).parent() {
					std::env::set_var("WASM_BUILD_WORKSPACE_HINT", workspace);
				}
			}
		}
		substrate_wasm_builder::WasmBuilder::build_using_defaults();
	}
}
