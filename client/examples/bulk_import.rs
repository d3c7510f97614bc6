//! A hospital integration script: bulk-imports a folder of FHIR R4 bundles, one sub-folder per
//! patient (`<folder>/<patient>/<anything>.json`), and prints a summary with throughput.
//!
//! ```text
//! ehr-node --dev &
//! cargo run --release -p ehr-client --example bulk_import -- --generate 20x5 --size-kib 100
//! cargo run --release -p ehr-client --example bulk_import -- --dir ./bundles
//! ```
//!
//! Against a dev chain it sets everything up with the well-known dev keys: `//Alice` (the one
//! registrar) registers the node as custodian and `//Bob` as hospital, funds the accounts, and the
//! hospital registers `--doctors` doctors. Each patient's key is derived from the dev phrase and the
//! sub-folder's name; the patient registers and grants a doctor read-and-write consent. A real
//! integration holds no patient keys: patients consent from their own devices.
//!
//! Only the import is timed: validate → encode → pieces to the custodians → one finalised
//! transaction per record. Doctors import in parallel, each its own patients in turn.
use clap::Parser;
use ehr_client::{
	archive, ehr, records, roles, submit_batch,
	subxt_signer::sr25519::{dev, Keypair},
	types::{GrantScope, Grantee, Right},
	EhrClient, Error,
};
use std::{
	path::{Path, PathBuf},
	time::{Duration, Instant},
};

#[derive(Parser)]
struct Args {
	/// The node's RPC endpoint.
	#[arg(long, default_value = "ws://127.0.0.1:9944")]
	url: String,
	/// The node's custody endpoint, registered as the custodian if none is.
	#[arg(long, default_value = "http://127.0.0.1:9955")]
	custody: String,
	/// The folder to import; with `--generate`, where the bundles are written first.
	#[arg(long)]
	dir: Option<PathBuf>,
	/// Write `<patients>x<records>` synthetic visit bundles before importing them.
	#[arg(long)]
	generate: Option<String>,
	/// The size of each generated bundle, in KiB.
	#[arg(long, default_value_t = 1)]
	size_kib: usize,
	/// How many doctors import in parallel.
	#[arg(long, default_value_t = 4)]
	doctors: usize,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
	let args = Args::parse();
	let dir = match (&args.dir, &args.generate) {
		(Some(dir), _) => dir.clone(),
		(None, Some(_)) => std::env::temp_dir().join("ehr-bulk-import"),
		(None, None) => return Err("give --dir, --generate, or both".into()),
	};
	if let Some(shape) = &args.generate {
		let (patients, per_patient) = shape
			.split_once('x')
			.and_then(|(p, r)| Some((p.parse().ok()?, r.parse().ok()?)))
			.ok_or("--generate takes <patients>x<records>, e.g. 20x5")?;
		generate(&dir, patients, per_patient, args.size_kib * 1024)?;
	}
	let folders = patient_folders(&dir)?;
	let api = ehr_client::connect(&args.url).await?;

	let setup = Instant::now();
	let doctors: Vec<Keypair> =
		(0..args.doctors.max(1)).map(|i| derived(&format!("//Doctor{i}"))).collect();
	let patients: Vec<Keypair> =
		folders.iter().map(|(name, _)| derived(&format!("//{name}"))).collect();
	set_up(&api, &args.custody, &doctors, &patients).await?;
	println!(
		"set up {} patients and {} doctors in {:.1?}",
		patients.len(),
		doctors.len(),
		setup.elapsed()
	);

	// Doctor d imports the folders d, d + D, d + 2D, …
	let started = Instant::now();
	let imports = doctors.iter().enumerate().map(|(d, doctor)| {
		let mine: Vec<_> = folders.iter().zip(&patients).skip(d).step_by(doctors.len()).collect();
		let api = &api;
		async move {
			let mut done = Vec::new();
			for ((_, files), patient) in mine {
				for file in files {
					let json = std::fs::read(file)?;
					let began = Instant::now();
					let patient = patient.public_key().to_account_id();
					records::add(api, doctor, &patient, &json, None, None, &()).await?;
					done.push((json.len(), began.elapsed()));
				}
			}
			Ok::<_, Box<dyn std::error::Error>>(done)
		}
	});
	let mut done = Vec::new();
	for result in ehr_client::subxt::ext::futures::future::join_all(imports).await {
		done.extend(result?);
	}
	let elapsed = started.elapsed();
	summarise(&done, elapsed);
	Ok(())
}

fn derived(suri: &str) -> Keypair {
	Keypair::from_uri(
		&format!("{}{suri}", ehr_client::subxt_signer::DEV_PHRASE).parse().expect("a URI"),
	)
	.expect("a dev key")
}

fn summarise(done: &[(usize, Duration)], elapsed: Duration) {
	let mut latencies: Vec<Duration> = done.iter().map(|(_, l)| *l).collect();
	latencies.sort();
	let at = |q: f64| latencies.get(((latencies.len() as f64 - 1.0) * q).round() as usize);
	let bytes: usize = done.iter().map(|(b, _)| b).sum();
	println!(
		"imported {} records ({:.1} MiB) in {:.2?}: {:.2} records/s, {:.2} MiB/s; per record p50 {:.0?}, p95 {:.0?}",
		done.len(),
		bytes as f64 / (1 << 20) as f64,
		elapsed,
		done.len() as f64 / elapsed.as_secs_f64(),
		bytes as f64 / (1 << 20) as f64 / elapsed.as_secs_f64(),
		at(0.5).copied().unwrap_or_default(),
		at(0.95).copied().unwrap_or_default(),
	);
}

/// Each patient sub-folder's name and its `.json` files, in name order.
fn patient_folders(dir: &Path) -> std::io::Result<Vec<(String, Vec<PathBuf>)>> {
	let mut folders = Vec::new();
	for entry in std::fs::read_dir(dir)? {
		let path = entry?.path();
		if !path.is_dir() {
			continue;
		}
		let mut files: Vec<PathBuf> = std::fs::read_dir(&path)?
			.filter_map(|e| e.ok().map(|e| e.path()))
			.filter(|p| p.extension().is_some_and(|x| x == "json"))
			.collect();
		files.sort();
		let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
		folders.push((name, files));
	}
	folders.sort();
	Ok(folders)
}

/// Writes `patients` × `per_patient` visit bundles of about `size` bytes: an Encounter and as
/// many blood-pressure Observations as fill the size.
fn generate(dir: &Path, patients: usize, per_patient: usize, size: usize) -> std::io::Result<()> {
	let _ = std::fs::remove_dir_all(dir);
	for p in 0..patients {
		let folder = dir.join(format!("patient{p:04}"));
		std::fs::create_dir_all(&folder)?;
		for r in 0..per_patient {
			let mut entries = vec![serde_json::json!({
				"fullUrl": format!("urn:uuid:00000000-0000-4000-8000-{p:06}{r:06}"),
				"resource": {
					"resourceType": "Encounter",
					"status": "finished",
					"class": { "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB" },
					"period": { "start": "2024-03-05T09:00:00+01:00", "end": "2024-03-05T09:40:00+01:00" }
				}
			})];
			// Entries are added until the serialised size reaches `size`, counted entry by entry
			// (one byte for each comma) rather than by serialising the whole bundle each time.
			let mut len = serde_json::json!({ "resourceType": "Bundle", "type": "collection", "entry": entries })
				.to_string()
				.len();
			for o in 0.. {
				if len >= size {
					break;
				}
				let entry = serde_json::json!({ "resource": {
					"resourceType": "Observation",
					"status": "final",
					"code": { "coding": [{ "system": "http://loinc.org", "code": "8480-6" }], "text": "Systolic blood pressure" },
					"effectiveDateTime": format!("2024-03-05T09:{:02}:00+01:00", o % 60),
					"valueQuantity": { "value": 110 + o % 40, "unit": "mmHg", "system": "http://unitsofmeasure.org", "code": "mm[Hg]" }
				}});
				len += entry.to_string().len() + 1;
				entries.push(entry);
			}
			let bundle = serde_json::json!({ "resourceType": "Bundle", "type": "collection", "entry": entries });
			std::fs::write(folder.join(format!("visit{r:04}.json")), bundle.to_string())?;
		}
	}
	Ok(())
}

/// Custodian, hospital, funds, doctors, patients and consent, skipping what exists.
async fn set_up(
	api: &EhrClient,
	custody: &str,
	doctors: &[Keypair],
	patients: &[Keypair],
) -> Result<(), Error> {
	let (alice, hospital) = (dev::alice(), dev::bob());
	if archive::active_custodians(api).await?.is_empty() {
		// Alice is the one registrar of a dev chain: her approval is the quorum.
		archive::register_custodian(api, &alice, custody).await?;
	}
	let bob = hospital.public_key().to_account_id();
	if roles::hospital(api, &bob).await.is_err() {
		let profile = roles::HospitalProfile {
			name: "Bulk Import General".into(),
			address: "1 Integration Way".into(),
			specialities: vec!["general medicine".into()],
		};
		roles::register_hospital(api, &alice, &bob, &profile).await?;
	}
	let fund = 1_000 * 1_000_000_000_000u128;
	let transfers: Vec<_> = doctors
		.iter()
		.chain(patients)
		.map(|k| {
			let to = k.public_key().to_account_id().into();
			(ehr::tx().balances().transfer_keep_alive(to, fund), &alice)
		})
		.collect();
	submit_batch(api, &transfers).await?;
	let mut invitations = Vec::new();
	let mut acceptances = Vec::new();
	for doctor in doctors {
		let account = doctor.public_key().to_account_id();
		if roles::doctor(api, &account).await.is_err() {
			let call = ehr::tx().ehr_access().invite_doctor(
				account,
				b"Dr Import".to_vec(),
				b"general".to_vec(),
				b"".to_vec(),
			);
			invitations.push((call, &hospital));
			acceptances.push((ehr::tx().ehr_access().accept_doctor_invitation(), doctor));
		}
	}
	submit_batch(api, &invitations).await?;
	submit_batch(api, &acceptances).await?;
	let mut new_patients = Vec::new();
	let mut grants = Vec::new();
	for (i, patient) in patients.iter().enumerate() {
		let account = patient.public_key().to_account_id();
		if roles::patient(api, &account).await.is_err() {
			new_patients.push((ehr::tx().ehr_access().register_patient(), patient));
			let doctor = doctors[i % doctors.len()].public_key().to_account_id();
			let grant = ehr::tx().ehr_access().grant_access(
				account,
				Grantee::Doctor(doctor),
				GrantScope::All,
				Right::ReadWrite,
				None,
			);
			grants.push((grant, patient));
		}
	}
	submit_batch(api, &new_patients).await?;
	submit_batch(api, &grants).await?;
	Ok(())
}
