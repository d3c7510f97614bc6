//! Regenerate a lost piece of a valid record from pieces a repairer gathered, after
//! fuzzer-chosen damage (as in codec_decode_mutated): the first byte picks the record, the
//! second the index to rebuild (sometimes past `n`), the rest damages pieces and header.
//!
//! Must hold: no panic; a regenerated piece is the one asked for and matches its commitment,
//! and with the commitments untouched it is exactly the piece the encoder made; regenerate
//! succeeds only where decode does, and (commitments untouched, index in range) whenever
//! decode does.
#![no_main]

use ehr_archive_codec::{decode, regenerate};
use ehr_fuzz::archive::{damage, records, RECORD};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
	let Some((&[shape, index], ops)) = data.split_first_chunk::<2>() else { return };
	let records = records();
	let (payload, encoded) = &records[usize::from(shape) % records.len()];
	let n = encoded.pieces.len();
	let index = index % (n as u8 + 1);
	let (commitments, pieces) = damage(encoded, ops);
	let untouched = commitments == encoded.commitments;

	let regenerated = regenerate(&RECORD, &commitments, &pieces, index);
	let decoded = decode(&RECORD, &commitments, &pieces);
	match &regenerated {
		Ok(piece) => {
			assert_eq!(piece.index, index, "regenerated another piece than asked");
			assert_eq!(commitments.verify_piece(piece), Ok(()), "regenerated a piece off its hash");
			if untouched {
				assert_eq!(piece, &encoded.pieces[usize::from(index)], "not the encoder's piece");
			}
			assert!(decoded.is_ok(), "regenerate succeeded where decode fails: {decoded:?}");
		},
		Err(error) => assert!(
			!(untouched && usize::from(index) < n && decoded.is_ok()),
			"decode succeeds but regenerating piece {index} fails: {error:?}"
		),
	}
	if let (true, Ok(decoded)) = (untouched, &decoded) {
		assert_eq!(&decoded.payload, payload);
	}
});
