//! The custody RPC's request bodies as the custodian's HTTP handler takes them
//! (`ehr_custody_service::http`): the body decoded with `DecodeAll` as the call's request,
//! then admitted and served by the very `Serve` impls the handler calls, over a fake chain and
//! a piece store in a scratch directory, and answered as `api::answer_bytes` encodes it. Only
//! axum's and tokio's plumbing (and the connection limits) is left out.
//!
//! The first byte picks the call: 0 a put and 1 a get, both exactly as sent; 2 a put that
//! this target signs as the author the chain lets write and whose `sealed_piece.ciphertext`
//! it takes as the piece's wire bytes and seals to the custodian, and 3 a get it signs as a
//! reader with a ticket, issued now, so that fuzzed fields get past the signature and the
//! HPKE seal to the chain's checks, the commitments, the piece and the store. The store keeps
//! what the puts left between runs (bounded by its quota).
//!
//! Must hold: no panic; no `Internal` or `NotHeld` refusal (the chain and the disk never
//! fail here, so either would blame the custodian for a client's bytes); the client reads the
//! answer back as sent; a receipt is one the chain accepts for that piece; a piece served
//! opens to the piece the custodian holds.
#![no_main]

use std::{
	net::{IpAddr, Ipv4Addr},
	sync::OnceLock,
};

use codec::DecodeAll;
use ehr_archive_codec::{Commitments, Piece};
use ehr_custody_protocol::{
	api::{self, Call},
	open_piece, PutPurpose, PutRequest, Refusal, SignedGetRequest, SignedPutRequest,
};
use ehr_custody_service::{http::Serve, now_ms, CustodyService};
use ehr_fuzz::custody::{
	account, archive, keys, put_request, service, sign, FakeChain, NEW_RECORD,
};
use libfuzzer_sys::fuzz_target;

const CLIENT: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

/// The service, holding piece 0 of the archive that the chain lists it for.
fn custodian() -> &'static CustodyService<FakeChain> {
	static SERVICE: OnceLock<CustodyService<FakeChain>> = OnceLock::new();
	SERVICE.get_or_init(|| {
		let service = service(&ehr_fuzz::scratch_dir("custody_rpc"));
		let put = put_request(NEW_RECORD, &archive().pieces[0].to_bytes());
		service.put(CLIENT, &put).expect("the custodian keeps its piece");
		service
	})
}

/// Serves `request` as the HTTP handler does and checks the answer's way back.
fn call<M: Call>(request: &M::Request) -> Result<M::Answer, Refusal>
where
	CustodyService<FakeChain>: Serve<M>,
	M::Answer: Clone + PartialEq + std::fmt::Debug,
{
	let service = custodian();
	let admitted = service.admit(CLIENT).expect("one call at a time, under no rate");
	let answer = service.serve(&admitted, request);
	if let Err(refusal) = &answer {
		assert!(
			!matches!(refusal, Refusal::Internal { .. } | Refusal::NotHeld { .. }),
			"the custodian blamed itself for a client's request: {refusal:?}"
		);
	}
	let (status, bytes) = api::answer_bytes::<M>(&answer);
	assert_eq!(api::read_answer::<M>(status, &bytes), answer.clone().map_err(Some));
	answer
}

fn put(signed: &SignedPutRequest) {
	if let Ok(receipt) = call::<api::Put>(signed) {
		let request = &signed.request;
		let commitments = Commitments::from_bytes(&request.commitments).expect("it was kept");
		let piece_hash = commitments.piece_hashes[usize::from(receipt.index)];
		let custodian = account(&keys().custodian);
		let checked = receipt.check(
			request.genesis_hash,
			&request.write,
			(receipt.index, piece_hash),
			(custodian, &custodian),
		);
		assert_eq!(checked, Ok(()), "a receipt the chain would refuse");
	}
}

fuzz_target!(|data: &[u8]| {
	let Some((&mode, body)) = data.split_first() else { return };
	let keys = keys();
	match mode % 4 {
		0 => {
			if let Ok(signed) = SignedPutRequest::decode_all(&mut &body[..]) {
				put(&signed);
			}
		},
		1 => {
			if let Ok(signed) = SignedGetRequest::decode_all(&mut &body[..]) {
				let _ = call::<api::Get>(&signed);
			}
		},
		2 => {
			let Ok(SignedPutRequest { request, .. }) = SignedPutRequest::decode_all(&mut &body[..])
			else {
				return;
			};
			let PutRequest {
				genesis_hash,
				custodian,
				mut write,
				mut purpose,
				commitments,
				sealed_piece,
			} = request;
			match &mut purpose {
				PutPurpose::NewRecord { .. } => write.author = account(&keys.author),
				PutPurpose::Repair { repairer, .. } => *repairer = account(&keys.author),
			}
			let piece = sealed_piece.ciphertext;
			let Ok(sealed) = PutRequest::seal(
				genesis_hash,
				(custodian, &keys.custodian_x25519.1),
				(write, purpose),
				commitments,
				&piece,
			) else {
				return;
			};
			put(&sealed.sign_with(|payload| sign(&keys.author, payload)));
		},
		_ => {
			let Ok(SignedGetRequest { mut request, .. }) =
				SignedGetRequest::decode_all(&mut &body[..])
			else {
				return;
			};
			request.reader = account(&keys.reader);
			request.ephemeral_public = keys.reader_x25519.1;
			request.issued_at_ms = now_ms();
			let signed = request.clone().sign_with(|payload| sign(&keys.reader, payload));
			if let Ok(sealed) = call::<api::Get>(&signed) {
				let piece = open_piece(&sealed, &keys.reader_x25519.0, &request)
					.expect("the answer opens for the request");
				assert_eq!(Piece::from_bytes(&piece).as_ref(), Ok(&archive().pieces[0]));
			}
		},
	}
});
