//! What the fuzz targets of ehr-chain share: valid archives to damage, the custody keys and a
//! fake chain, and the input format of the piece store target. `examples/seeds.rs` builds the
//! committed seed corpora (`corpus/<target>/`) from the same fixtures, so the seeds are real,
//! valid inputs of each target. Run the targets with `scripts/fuzz.sh`.
//!
//! libFuzzer through cargo-fuzz: on our stable toolchain it needs only `RUSTC_BOOTSTRAP=1` for
//! its `-Z` flags (AddressSanitizer included), it runs each input in-process, and CI builds one
//! more dependency tree for it, not an AFL++ toolchain as well.

pub mod archive;
pub mod custody;
pub mod files;

use std::path::PathBuf;

/// An empty directory of this process for `name`, under the system's temporary directory
/// (scripts/fuzz.sh points `TMPDIR` at a tmpfs and removes it afterwards).
pub fn scratch_dir(name: &str) -> PathBuf {
	let dir = std::env::temp_dir().join(format!("ehr-fuzz-{name}-{}", std::process::id()));
	clear_dir(&dir);
	dir
}

/// Empties `dir`, creating it if needed.
pub fn clear_dir(dir: &std::path::Path) {
	match std::fs::remove_dir_all(dir) {
		Err(e) if e.kind() != std::io::ErrorKind::NotFound => panic!("clearing {dir:?}: {e}"),
		_ => {},
	}
	std::fs::create_dir_all(dir).expect("creating the scratch directory");
}
