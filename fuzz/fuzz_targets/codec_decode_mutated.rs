//! Decode valid records after fuzzer-chosen damage: pieces dropped, reordered,
//! duplicated or edited (fragment, share, index, length), header fields changed,
//! and hashes optionally re-committed so damaged pieces reach the Reed-Solomon
//! decoder and the AEAD. Decode may fail, but must never panic, and when it
//! succeeds it must return exactly the original payload.
#![no_main]

use ehr_archive_codec::decode;
use ehr_fuzz::archive::{damage, records, RECORD};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
	let Some((&shape, ops)) = data.split_first() else { return };
	let records = records();
	let (payload, encoded) = &records[usize::from(shape) % records.len()];
	let (commitments, pieces) = damage(encoded, ops);
	if let Ok(decoded) = decode(&RECORD, &commitments, &pieces) {
		assert_eq!(&decoded.payload, payload, "decode returned bytes other than the payload");
	}
});
