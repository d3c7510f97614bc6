//! What the page does with this crate, end to end against the custody protocol as a custodian
//! speaks it (without a node): a session granted as a browser wallet signs, a record written
//! (every put verified and opened as a custodian does, every receipt checked), and read back
//! from `k` of the custodians' sealed answers; and the failures the page must tell apart.
use codec::Decode;
use ehr_archive_codec::{Commitments, Piece};
use ehr_custody_protocol::{
	api, seal_piece, x25519_keypair_from_seed, CustodyReceipt, PutReceipt, ReceiptFor, Refusal,
	SignedGetRequest, SignedPutRequest,
};
use ehr_web::{RecordRead, RecordWrite, Session, WebError};
use schnorrkel::{ExpansionMode, Keypair, MiniSecretKey};

const GENESIS: [u8; 32] = [7; 32];
const NOW: u64 = 1_800_000_000_000;

fn pair(seed: u8) -> Keypair {
	MiniSecretKey::from_bytes(&[seed; 32]).unwrap().expand_to_keypair(ExpansionMode::Ed25519)
}

/// A custodian: its account, receipt key and X25519 key pair.
struct Custodian {
	account: Keypair,
	x25519: ([u8; 32], [u8; 32]),
}

impl Custodian {
	fn new(seed: u8) -> Self {
		let (secret, public) = x25519_keypair_from_seed(&[seed; 32]);
		Custodian { account: pair(seed), x25519: (*secret, public) }
	}
	fn id(&self) -> [u8; 32] {
		self.account.public.to_bytes()
	}
}

/// A session of `account` whose grant is signed as the Polkadot.js extension's `signRaw` signs:
/// the payload wrapped in `<Bytes>…</Bytes>`.
fn session(account: &Keypair) -> Session {
	let mut session =
		Session::new(&GENESIS, &account.public.to_bytes(), NOW as f64, 3_600_000.0).unwrap();
	let wrapped = [b"<Bytes>", &session.grant_payload()[..], b"</Bytes>"].concat();
	let signature = account.sign_simple(b"substrate", &wrapped).to_bytes();
	session.accept_signature(&signature).unwrap();
	session
}

#[test]
fn a_record_written_in_the_page_is_kept_by_custodians_and_read_back() {
	let (doctor, patient) = (pair(1), pair(2));
	let custodians: Vec<Custodian> = (10..13).map(Custodian::new).collect();
	let payload = ehr_fhir::samples::CONDITION_PRESENT.as_bytes();
	let doctors = session(&doctor);
	let write =
		RecordWrite::new(&doctors, &patient.public.to_bytes(), payload, None, None, 2, 3).unwrap();
	assert_eq!(write.category(), "Condition");
	assert_eq!(write.version(), 1, "the wire format's version byte, as the chain checks it");

	// Each custodian verifies its put (signed in the session), opens its piece and checks it
	// against the commitments that came with it, then signs its receipt.
	let mut pieces = Vec::new();
	for (index, custodian) in (0u8..).zip(&custodians) {
		let body = write.put_body(index, &custodian.id(), &custodian.x25519.1, &doctors).unwrap();
		let put = SignedPutRequest::decode(&mut &body[..]).unwrap();
		put.verify(&GENESIS, &custodian.id(), NOW + 1).unwrap();
		assert_eq!(put.request.write.author, doctor.public.to_bytes());
		let piece = Piece::from_bytes(&put.request.open(&custodian.x25519.0).unwrap()).unwrap();
		let commitments = Commitments::from_bytes(&put.request.commitments).unwrap();
		commitments.verify_piece(&piece).unwrap();
		assert_eq!(write.piece_hash(index).unwrap(), commitments.piece_hashes[usize::from(index)]);
		let w = put.request.write;
		let piece_hash = commitments.piece_hashes[usize::from(index)];
		let message = CustodyReceipt::new(
			GENESIS,
			ReceiptFor { patient: &w.patient, author: &w.author, archive_id: w.archive_id },
			(index, piece_hash),
			custodian.id(),
			40u32,
		);
		let signature = custodian.account.sign_simple(b"substrate", &message.payload()).to_bytes();
		let answer = PutReceipt { index, piece_hash, valid_until: 40, signature };
		let (status, bytes) = api::answer_bytes::<api::Put>(&Ok(answer));
		let receipt =
			write.receipt(index, &custodian.id(), &custodian.id(), status, &bytes).unwrap();
		assert_eq!((receipt.signature, receipt.valid_until), (signature.to_vec(), 40));
		// The same answer is no receipt from another custodian (the chain would refuse it).
		let other = &custodians[(usize::from(index) + 1) % 3];
		assert!(matches!(
			write.receipt(index, &other.id(), &other.id(), status, &bytes),
			Err(WebError::BadReceipt(_))
		));
		pieces.push(piece);
	}

	// The patient reads it from two custodians' sealed answers.
	let patients = session(&patient);
	let hashes: Vec<u8> = (0..3).flat_map(|i| write.piece_hash(i).unwrap()).collect();
	let (k, len, segment) = (write.threshold(), write.payload_len(), write.segment_size());
	let mut read = RecordRead::new(
		&patients,
		9,
		&patient.public.to_bytes(),
		&write.archive_id(),
		k,
		len,
		segment,
		&hashes,
	)
	.unwrap();
	for index in [2u8, 0] {
		let custodian = &custodians[usize::from(index)];
		let request = read.request(&custodian.id(), &patients, NOW as f64).unwrap();
		let get = SignedGetRequest::decode(&mut &request.body()[..]).unwrap();
		get.verify(&GENESIS, &custodian.id(), NOW).unwrap();
		assert_eq!((get.request.record, get.request.reader), (9, patient.public.to_bytes()));
		let sealed = seal_piece(&pieces[usize::from(index)].to_bytes(), &get.request).unwrap();
		let (status, bytes) = api::answer_bytes::<api::Get>(&Ok(sealed));
		read.accept(&request, index, status, &bytes).unwrap();
	}
	assert_eq!(read.held(), 2);
	assert_eq!(read.decode().unwrap(), payload);
}

#[test]
fn the_page_tells_refusals_bad_pieces_and_invalid_fhir_apart() {
	let (doctor, patient) = (pair(1), pair(2));
	let custodian = Custodian::new(10);
	let doctors = session(&doctor);
	// Invalid FHIR is refused before anything is encoded, naming the field.
	let bad = br#"{"resourceType":"Condition","subject":{"reference":"Patient/p"},"onsetDateTime":"last tuesday"}"#;
	match RecordWrite::new(&doctors, &patient.public.to_bytes(), bad, None, None, 1, 1) {
		Err(e @ WebError::InvalidFhir { .. }) => {
			assert_eq!(e.name(), "InvalidFhir");
			assert!(e.to_string().contains("onset"), "{e}");
		},
		other => panic!("accepted or wrong error: {:?}", other.err()),
	}
	assert!(ehr_web::validate_fhir(bad).is_err());
	assert_eq!(ehr_web::validate_fhir(ehr_fhir::samples::COVERAGE.as_bytes()).unwrap(), "Coverage");
	// A session without the wallet's signature signs nothing.
	let unsigned = Session::new(&GENESIS, &doctor.public.to_bytes(), NOW as f64, 60_000.0).unwrap();
	let payload = ehr_fhir::samples::COVERAGE.as_bytes();
	let write =
		RecordWrite::new(&doctors, &patient.public.to_bytes(), payload, None, None, 1, 1).unwrap();
	assert!(matches!(
		write.put_body(0, &custodian.id(), &custodian.x25519.1, &unsigned),
		Err(WebError::NoGrant)
	));
	// A refusal comes back by name.
	let (status, bytes) = api::answer_bytes::<api::Put>(&Err(Refusal::QuotaExceeded {
		needed: 2,
		free: 1,
		quota: 1,
	}));
	let refused = write.receipt(0, &custodian.id(), &custodian.id(), status, &bytes).err().unwrap();
	assert_eq!(refused.name(), "Refused.QuotaExceeded");
	// A piece that is not the one committed to is refused, and not kept.
	let hashes = write.piece_hash(0).unwrap();
	let mut read = RecordRead::new(
		&doctors,
		1,
		&patient.public.to_bytes(),
		&write.archive_id(),
		1,
		write.payload_len(),
		write.segment_size(),
		&hashes,
	)
	.unwrap();
	let request = read.request(&custodian.id(), &doctors, NOW as f64).unwrap();
	let get = SignedGetRequest::decode(&mut &request.body()[..]).unwrap();
	// A valid piece, of another record.
	let other = ehr_archive_codec::encode(b"another record", &[3; 32], 1, 1).unwrap();
	let sealed = seal_piece(&other.pieces[0].to_bytes(), &get.request).unwrap();
	let (status, bytes) = api::answer_bytes::<api::Get>(&Ok(sealed));
	assert!(matches!(read.accept(&request, 0, status, &bytes), Err(WebError::Codec(_))));
	assert_eq!(read.held(), 0);
	// Not a custodian at all.
	assert!(matches!(
		read.accept(&request, 0, 502, b"<html>Bad Gateway</html>"),
		Err(WebError::NotACustodian { status: 502 })
	));
}
