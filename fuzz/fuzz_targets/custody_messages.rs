//! Every custody message a custodian or a client decodes from the network, from arbitrary
//! bytes: the first byte picks the message, the rest is its SCALE body (JSON for the status),
//! as `api::read_answer` and the custodian's HTTP handler decode them; then the checks each
//! side runs on it, at a fixed clock: request signatures, session grants, addressee, replay,
//! receipts.
//!
//! Must hold: no panic; a message that decodes re-encodes to exactly its bytes (what is signed
//! is what was sent); a request that verifies names this chain and custodian and is then
//! accepted once by the replay guard; a receipt checks only for its own piece; a refusal has a
//! 4xx or 5xx status.
#![no_main]

use codec::{Decode, DecodeAll, Encode};
use ehr_custody_protocol::{
	api, CustodyReceipt, CustodyStatus, Delegation, PutReceipt, Refusal, ReplayGuard, SealedPiece,
	SignedGetRequest, SignedPutRequest,
};
use ehr_fuzz::custody::{account, keys, write, GENESIS, NOW_MS, WINDOW_MS};
use libfuzzer_sys::fuzz_target;

/// `bytes` as a `T`, if they are one, checking that they are its only encoding.
fn decoded<T: Decode + Encode>(bytes: &[u8]) -> Option<T> {
	let value = T::decode_all(&mut &bytes[..]).ok()?;
	assert_eq!(value.encode(), bytes, "a {} with two encodings", std::any::type_name::<T>());
	Some(value)
}

fn check_get(signed: &SignedGetRequest, custodian: &[u8; 32]) {
	if signed.verify(&GENESIS, custodian, NOW_MS).is_ok() {
		let request = &signed.request;
		assert_eq!((&request.genesis_hash, &request.custodian), (&GENESIS, custodian));
		let mut guard = ReplayGuard::new(WINDOW_MS, 4);
		if guard.check(request, NOW_MS).is_ok() {
			assert_eq!(guard.check(request, NOW_MS), Err(Refusal::Replayed));
		}
	}
}

fuzz_target!(|data: &[u8]| {
	let Some((&kind, body)) = data.split_first() else { return };
	let keys = keys();
	let custodian = account(&keys.custodian);
	match kind % 9 {
		0 => {
			if let Some(signed) = decoded::<SignedGetRequest>(body) {
				check_get(&signed, &custodian);
			}
		},
		1 => {
			if let Some(signed) = decoded::<SignedPutRequest>(body) {
				if signed.verify(&GENESIS, &custodian, NOW_MS).is_ok() {
					assert_eq!(signed.request.genesis_hash, GENESIS);
					let _ = ehr_archive_codec::Commitments::from_bytes(&signed.request.commitments);
				}
			}
		},
		2 => {
			if let Some(receipt) = decoded::<PutReceipt>(body) {
				let piece = (receipt.index, receipt.piece_hash);
				let ours = (custodian, &custodian);
				if receipt.check(GENESIS, &write(), piece, ours).is_ok() {
					let other = (receipt.index, [!receipt.piece_hash[0]; 32]);
					assert!(receipt.check(GENESIS, &write(), other, ours).is_err());
				}
			}
		},
		3 => drop(decoded::<SealedPiece>(body)),
		4 => {
			if let Some(refusal) = decoded::<Refusal>(body) {
				assert!((400..600).contains(&refusal.http_status()), "{refusal:?}");
				assert!(!refusal.to_string().is_empty());
			}
		},
		5 => {
			if let Some(receipt) = decoded::<CustodyReceipt<[u8; 32], [u8; 32], u32>>(body) {
				assert_eq!(receipt.payload(), body);
			}
		},
		6 => {
			// A grant as a get request carries it, for its own account, under no valid
			// signature: the grant's checks run, and the request must still be refused.
			if let Some(delegation) = decoded::<Delegation>(body) {
				let mut signed = ehr_fuzz::custody::get_request(1, 0, NOW_MS);
				signed.request.reader = delegation.grant.account;
				signed.delegation = Some(delegation);
				assert!(signed.verify(&GENESIS, &custodian, NOW_MS).is_err());
			}
		},
		7 => {
			if let Ok(status) = serde_json::from_slice::<CustodyStatus>(body) {
				let again = serde_json::to_vec(&status).expect("serialisable");
				assert_eq!(serde_json::from_slice::<CustodyStatus>(&again).ok(), Some(status));
			}
		},
		_ => {
			// A custodian's HTTP answer as a client reads it: status, then body.
			let Some((status, body)) = body.split_first_chunk::<2>() else { return };
			let status = u16::from_le_bytes(*status) % 600;
			match api::read_answer::<api::Get>(status, body) {
				Ok(sealed) => assert_eq!(sealed.encode(), body),
				Err(Some(refusal)) => assert_eq!(refusal.encode(), body),
				Err(None) => {},
			}
			if let Ok(receipt) = api::read_answer::<api::Put>(status, body) {
				assert_eq!(receipt.encode(), body);
			}
		},
	}
});
