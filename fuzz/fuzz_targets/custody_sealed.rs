//! Sealed pieces as their receivers open them, from arbitrary bytes: a reader opening a
//! custodian's answer to its get (first byte even: the rest as a SCALE `SealedPiece`, or else
//! as a raw 32-byte encapsulated key and ciphertext) and a custodian opening a writer's put
//! (odd: the rest as a SCALE `PutRequest`). Covers invalid and low-order X25519 points,
//! truncated and forged tags, and altered bindings.
//!
//! Must hold: no panic; what was not sealed for this very request fails to open, with
//! `ProtocolError::Open` or `InvalidKey`; what opens (the seeds) is a piece's wire form and no
//! longer opens once one byte of the request it is bound to differs.
#![no_main]

use codec::DecodeAll;
use ehr_archive_codec::Piece;
use ehr_custody_protocol::{open_piece, ProtocolError, PutRequest, SealedPiece};
use ehr_fuzz::custody::{get_request, keys, NOW_MS, RECORD};
use libfuzzer_sys::fuzz_target;

fn failed_cleanly(error: ProtocolError) {
	assert!(matches!(error, ProtocolError::Open | ProtocolError::InvalidKey), "{error:?}");
}

fuzz_target!(|data: &[u8]| {
	let Some((&kind, body)) = data.split_first() else { return };
	let keys = keys();
	if kind % 2 == 0 {
		let sealed = SealedPiece::decode_all(&mut &body[..]).ok().or_else(|| {
			let (key, ciphertext) = body.split_first_chunk::<32>()?;
			Some(SealedPiece { encapsulated_key: *key, ciphertext: ciphertext.to_vec() })
		});
		let Some(sealed) = sealed else { return };
		let mut request = get_request(RECORD, 1, NOW_MS).request;
		match open_piece(&sealed, &keys.reader_x25519.0, &request) {
			Ok(piece) => {
				assert!(Piece::from_bytes(&piece).is_ok(), "opened bytes that are no piece");
				request.nonce[0] ^= 1;
				assert!(open_piece(&sealed, &keys.reader_x25519.0, &request).is_err());
			},
			Err(error) => failed_cleanly(error),
		}
	} else {
		let Ok(mut request) = PutRequest::decode_all(&mut &body[..]) else { return };
		match request.open(&keys.custodian_x25519.0) {
			Ok(piece) => {
				assert!(Piece::from_bytes(&piece).is_ok(), "opened bytes that are no piece");
				request.write.archive_id[0] ^= 1;
				assert!(request.open(&keys.custodian_x25519.0).is_err());
			},
			Err(error) => failed_cleanly(error),
		}
	}
});
