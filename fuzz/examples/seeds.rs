//! Writes the seed corpora, `corpus/<target>/seed-*`: real, valid inputs of each target (real
//! archives, signed and sealed custody messages, the files of a real piece store, the FHIR
//! samples). `cargo run --example seeds` from `fuzz/`; sealing and sr25519 signing draw
//! randomness, so custody seeds differ from run to run.

use std::{fs, path::Path};

use codec::Encode;
use ehr_custody_protocol::{
	api, seal_piece, CustodyReceipt, CustodyStatus, PutPurpose, PutReceipt, ReceiptFor, Refusal,
	SealedPiece, SessionKey, SignedPutRequest,
};
use ehr_custody_store::{PieceStore, StoreConfig};
use ehr_fuzz::{
	archive::records,
	custody::{self, account, archive, get_request, keys, put_request, sign, NEW_RECORD, NOW_MS},
	files,
};
use ehr_types::DenyReason;

fn main() {
	let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
	let seeds = [
		("codec_decode_bytes", codec_decode_bytes()),
		("codec_decode_mutated", codec_decode_mutated()),
		("codec_regenerate", codec_regenerate()),
		("codec_wire", codec_wire()),
		("custody_messages", custody_messages()),
		("custody_sealed", custody_sealed()),
		("custody_rpc", custody_rpc()),
		("custody_store", custody_store()),
		("fhir_validate", fhir_validate()),
	];
	for (target, inputs) in seeds {
		let dir = root.join(target);
		// Only the seeds are replaced: inputs added by hand (regressions) stay.
		for old in fs::read_dir(&dir).into_iter().flatten().flatten() {
			if old.file_name().to_string_lossy().starts_with("seed-") {
				fs::remove_file(old.path()).unwrap();
			}
		}
		fs::create_dir_all(&dir).unwrap();
		for (name, bytes) in &inputs {
			fs::write(dir.join(format!("seed-{name}")), bytes).unwrap();
		}
		println!("{target}: {} seeds", inputs.len());
	}
}

type Seeds = Vec<(String, Vec<u8>)>;

/// `kind` followed by `body`.
fn tagged(kind: u8, body: impl AsRef<[u8]>) -> Vec<u8> {
	[&[kind][..], body.as_ref()].concat()
}

fn codec_decode_bytes() -> Seeds {
	let prefixed = |bytes: Vec<u8>| [&(bytes.len() as u16).to_le_bytes()[..], &bytes].concat();
	[0, 1, 3, 4]
		.into_iter()
		.map(|shape| {
			let encoded = &records()[shape].1;
			let mut input = prefixed(encoded.commitments.to_bytes());
			for piece in &encoded.pieces {
				input.extend(prefixed(piece.to_bytes()));
			}
			(format!("shape{shape}"), input)
		})
		.collect()
}

fn codec_decode_mutated() -> Seeds {
	let mut seeds: Seeds = (0..6).map(|shape| (format!("shape{shape}"), vec![shape])).collect();
	// Piece 0 dropped; a fragment edited and re-committed (reaches the AEAD).
	seeds.push(("shape1-drop".into(), vec![1, 0, 0, 0, 0]));
	seeds.push(("shape2-recommit".into(), vec![2, 3, 1, 5, 7, 11, 0, 0, 0]));
	seeds
}

fn codec_regenerate() -> Seeds {
	// (shape, index, damage): originals and parity pieces, with the piece itself dropped.
	[(1, 0, vec![]), (1, 4, vec![0, 4, 0, 0]), (2, 6, vec![0, 6, 0, 0]), (5, 2, vec![0, 2, 0, 0])]
		.into_iter()
		.map(|(shape, index, ops)| {
			(format!("shape{shape}-index{index}"), [&[shape, index][..], &ops].concat())
		})
		.collect()
}

fn codec_wire() -> Seeds {
	let (_, one) = &records()[1];
	let (_, two) = &records()[2];
	let mut header = 1000u64.to_le_bytes().to_vec();
	header.extend(100u32.to_le_bytes());
	header.push(2);
	header.extend(7u32.to_le_bytes());
	vec![
		("piece".into(), one.pieces[0].to_bytes()),
		("commitments".into(), two.commitments.to_bytes()),
		("header".into(), header),
	]
}

fn custody_messages() -> Seeds {
	let keys = keys();
	let custodian = account(&keys.custodian);
	let encoded = archive();
	let get = get_request(custody::RECORD, 1, NOW_MS);
	let put = put_request(NEW_RECORD, &encoded.pieces[1].to_bytes());
	let write = custody::write();
	let receipt = CustodyReceipt::new(
		custody::GENESIS,
		ReceiptFor { patient: &write.patient, author: &write.author, archive_id: write.archive_id },
		(1, encoded.commitments.piece_hashes[1]),
		custodian,
		110u32,
	);
	let put_receipt = PutReceipt {
		index: 1,
		piece_hash: encoded.commitments.piece_hashes[1],
		valid_until: 110,
		signature: sign(&keys.custodian, &receipt.payload()),
	};
	let sealed = seal_piece(&encoded.pieces[0].to_bytes(), &get.request).unwrap();
	let session = SessionKey::generate().unwrap();
	let grant = session.grant(custody::GENESIS, account(&keys.reader), NOW_MS, 3_600_000);
	let delegation = ehr_custody_protocol::Delegation {
		signature: sign(&keys.reader, &grant.signing_payload()),
		grant,
	};
	let mut in_session = get_request(custody::RECORD, 2, NOW_MS).request;
	in_session.nonce = [2; 16];
	let in_session = in_session.sign_in_session(&session, delegation.clone());
	let status = CustodyStatus {
		custodian: format!("0x{}", "ab".repeat(32)),
		receipt_key: format!("0x{}", "cd".repeat(32)),
		x25519_public: format!("0x{}", "ef".repeat(32)),
		pieces: 3,
		pending: 1,
		used_bytes: 4096,
		quota_bytes: 1 << 30,
	};
	let refusals = [
		Refusal::Malformed { reason: "the body is not the call's request".into() },
		Refusal::NotAllowedToWrite { reason: DenyReason::NoConsent },
		Refusal::Stale { issued_at_ms: 1, now_ms: NOW_MS, window_ms: 60_000 },
		Refusal::BadSession { reason: "issued in the future".into() },
	];
	let answer = |status: u16, body: Vec<u8>| [&status.to_le_bytes()[..], &body].concat();
	let mut seeds = vec![
		("get".into(), tagged(0, get.encode())),
		("get-in-session".into(), tagged(0, in_session.encode())),
		("put".into(), tagged(1, put.encode())),
		("put-receipt".into(), tagged(2, put_receipt.encode())),
		("sealed-piece".into(), tagged(3, sealed.encode())),
		("custody-receipt".into(), tagged(5, receipt.encode())),
		("delegation".into(), tagged(6, delegation.encode())),
		("status".into(), tagged(7, serde_json::to_vec(&status).unwrap())),
		("answer-get".into(), tagged(8, answer(200, sealed.encode()))),
		("answer-put".into(), tagged(8, answer(200, put_receipt.encode()))),
	];
	for refusal in refusals {
		let (status, body) = api::answer_bytes::<api::Get>(&Err(refusal.clone()));
		seeds.push((format!("refusal{status}"), tagged(4, refusal.encode())));
		seeds.push((format!("answer{status}"), tagged(8, answer(status, body))));
	}
	seeds
}

fn custody_sealed() -> Seeds {
	let encoded = archive();
	let get = get_request(custody::RECORD, 1, NOW_MS).request;
	let sealed = seal_piece(&encoded.pieces[0].to_bytes(), &get).unwrap();
	let put = put_request(NEW_RECORD, &encoded.pieces[1].to_bytes()).request;
	let raw = [&sealed.encapsulated_key[..], &sealed.ciphertext].concat();
	vec![
		("get".into(), tagged(0, sealed.encode())),
		("get-raw".into(), tagged(2, raw)),
		("put".into(), tagged(1, put.encode())),
	]
}

fn custody_rpc() -> Seeds {
	let encoded = archive();
	let put = put_request(NEW_RECORD, &encoded.pieces[1].to_bytes());
	// Mode 2 takes the piece in clear in place of the ciphertext, and signs and seals it.
	let clear = |purpose: PutPurpose, index: usize| {
		let mut request = put_request(purpose, &[]).request;
		let piece = encoded.pieces[index].to_bytes();
		request.sealed_piece = SealedPiece { encapsulated_key: [0; 32], ciphertext: piece };
		SignedPutRequest { request, signature: [0; 64], delegation: None }.encode()
	};
	let repair = PutPurpose::Repair { record: custody::RECORD, repairer: [0; 32] };
	vec![
		("put".into(), tagged(0, put.encode())),
		("get".into(), tagged(1, get_request(custody::RECORD, 1, NOW_MS).encode())),
		("put-clear".into(), tagged(2, clear(NEW_RECORD, 1))),
		("repair-clear".into(), tagged(2, clear(repair, 2))),
		("get-now".into(), tagged(3, get_request(custody::RECORD, 3, 0).encode())),
		("get-erased".into(), tagged(3, get_request(custody::ERASED_RECORD, 4, 0).encode())),
	]
}

fn custody_store() -> Seeds {
	// A store of three pieces of two archives, two anchored, as the store writes them.
	let dir = ehr_fuzz::scratch_dir("seeds");
	let config = StoreConfig { quota_bytes: 1 << 20, max_piece_bytes: 1 << 16 };
	let mut store = PieceStore::open(&dir, config).unwrap();
	let (ours, other) = (archive(), &records()[1].1);
	store.put(custody::ARCHIVE_ID, &ours.pieces[0], &ours.commitments, 20).unwrap();
	store.put(custody::ARCHIVE_ID, &ours.pieces[2], &ours.commitments, 30).unwrap();
	store.put([0x33; 32], &other.pieces[1], &other.commitments, 40).unwrap();
	let hashes = &ours.commitments.piece_hashes;
	store.anchor(custody::ARCHIVE_ID, &[(0, hashes[0]), (2, hashes[2])]).unwrap();
	drop(store);
	let mut written: Vec<(String, Vec<u8>)> = fs::read_dir(&dir)
		.unwrap()
		.map(|file| {
			let path = file.unwrap().path();
			(path.file_name().unwrap().to_string_lossy().into_owned(), fs::read(&path).unwrap())
		})
		.collect();
	written.sort();
	fs::remove_dir_all(&dir).unwrap();
	let store_files = |extra: &[(String, Vec<u8>)]| {
		files::serialize(
			written
				.iter()
				.chain(extra)
				.map(|(name, bytes)| files::File { name: name.as_bytes(), bytes }),
		)
	};
	// What a crash leaves: a temporary file and a piece without its meta.
	let crashed = [
		(format!("{}.0.piece.tmp", "22".repeat(32)), vec![1, 2, 3]),
		(format!("{}.5.piece", "44".repeat(32)), other.pieces[0].to_bytes()),
	];
	let mut seeds: Seeds =
		(0..4).map(|op| (format!("store-op{op}"), tagged(op, store_files(&[])))).collect();
	seeds.push(("crashed".into(), tagged(0, store_files(&crashed))));
	seeds
}

fn fhir_validate() -> Seeds {
	// The first byte names no category (11), or the sample's own (0: Demographics).
	let mut seeds: Seeds = ehr_fhir::samples::ALL
		.iter()
		.map(|(name, json)| (name.to_string(), tagged(11, json)))
		.collect();
	seeds.push(("patient-as-demographics.json".into(), tagged(0, ehr_fhir::samples::ALL[0].1)));
	let invalid = Path::new(env!("CARGO_MANIFEST_DIR")).join("../client/fhir/samples/invalid");
	for file in fs::read_dir(invalid).unwrap() {
		let path = file.unwrap().path();
		let name = format!("invalid-{}", path.file_name().unwrap().to_string_lossy());
		seeds.push((name, tagged(11, fs::read(&path).unwrap())));
	}
	seeds
}
