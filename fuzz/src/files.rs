//! The input of the piece store target: the files of a store directory, each as its name, a
//! NUL (which no file name holds, so that the fuzzer may grow and shrink names freely), a
//! two-byte little-endian content length and the content.

/// One file of a store directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct File<'a> {
	/// The file name (any bytes; the target skips those that are no plain file name).
	pub name: &'a [u8],
	/// Its content.
	pub bytes: &'a [u8],
}

/// The files of `data`, as many as are complete.
pub fn parse(mut data: &[u8]) -> Vec<File<'_>> {
	let mut files = Vec::new();
	while let Some(end) = data.iter().position(|&b| b == 0) {
		let (name, rest) = (&data[..end], &data[end + 1..]);
		let Some((len, rest)) = rest.split_first_chunk::<2>() else { break };
		let len = usize::from(u16::from_le_bytes(*len)).min(rest.len());
		let (bytes, rest) = rest.split_at(len);
		files.push(File { name, bytes });
		data = rest;
	}
	files
}

/// The input that [`parse`] reads as `files`.
pub fn serialize<'a>(files: impl IntoIterator<Item = File<'a>>) -> Vec<u8> {
	let mut out = Vec::new();
	for File { name, bytes } in files {
		assert!(!name.contains(&0), "a file name without NUL");
		let len = u16::try_from(bytes.len()).expect("a file of at most 64 KiB");
		out.extend_from_slice(name);
		out.push(0);
		out.extend_from_slice(&len.to_le_bytes());
		out.extend_from_slice(bytes);
	}
	out
}
