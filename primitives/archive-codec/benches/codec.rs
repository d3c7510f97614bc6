//! Throughput of the archive codec against the two baselines, on the same bytes
//! and in the same run: plain Shamir over the whole payload (the proposal we
//! replace: vsss-rs `Gf256::split_bytes` / `combine_bytes`) and a plain memory copy.
//!
//! `cargo bench -p ehr-archive-codec --bench codec`
//!
//! Criterion prints each benchmark as it runs; at the end this prints one table
//! from the same samples (median time per iteration over the measured samples),
//! with the ratios and the piece sizes. Throughput is payload bytes per second.
//! Arguments after `--` filter benchmarks as usual with criterion; the table then
//! shows `-` for what was not run.
//!
//! Plain Shamir is measured up to 16 MiB only: at (10, 16) it runs at about
//! 1 MB/s, so one 64 MiB split would take about a minute per sample. Nothing is
//! extrapolated; the table leaves those cells empty.
//!
//! Output memory is compared like for like: `encode` allocates its pieces, as
//! plain Shamir's split and `memcpy-fresh` do (`enc/split`); `encode-reuse`
//! (`encode_into`) writes into the previous iteration's pieces, as `memcpy` writes
//! into one buffer (`enc/mem`).

use std::{
	collections::BTreeMap,
	hint::black_box,
	sync::Mutex,
	time::{Duration, Instant},
};

use criterion::{measurement::WallTime, BenchmarkGroup, Criterion, SamplingMode, Throughput};
use ehr_archive_codec::{decode, encode, encode_into, RecordId};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use vsss_rs::Gf256;

const RECORD: RecordId = [0x5a; 32];
const SIZES: [(&str, usize); 5] = [
	("1KiB", 1 << 10),
	("64KiB", 64 << 10),
	("1MiB", 1 << 20),
	("16MiB", 16 << 20),
	("64MiB", 64 << 20),
];
const PARAMS: [(u8, u8); 3] = [(3, 5), (5, 9), (10, 16)];
const SHAMIR_MAX: usize = 16 << 20;
const SAMPLES: usize = 10;

/// Seconds per iteration of every sample, by benchmark id, in order.
static RESULTS: Mutex<BTreeMap<String, Vec<f64>>> = Mutex::new(BTreeMap::new());

fn record(id: &str, iters: u64, elapsed: Duration) {
	let per_iter = elapsed.as_secs_f64() / iters.max(1) as f64;
	RESULTS.lock().unwrap().entry(id.to_owned()).or_default().push(per_iter);
}

/// Median over the last `SAMPLES` calls: criterion's measured samples, after warm-up.
fn seconds(id: &str) -> Option<f64> {
	let results = RESULTS.lock().unwrap();
	let all = results.get(id)?;
	let mut last: Vec<f64> = all[all.len().saturating_sub(SAMPLES)..].to_vec();
	last.sort_by(f64::total_cmp);
	Some(last[last.len() / 2])
}

fn payload(len: usize) -> Vec<u8> {
	let mut out = vec![0u8; len];
	blake3::Hasher::new().update(b"bench payload").finalize_xof().fill(&mut out);
	out
}

fn group<'a>(c: &'a mut Criterion, name: &str, size: usize) -> BenchmarkGroup<'a, WallTime> {
	let mut group = c.benchmark_group(name);
	group.throughput(Throughput::Bytes(size as u64)).sample_size(SAMPLES);
	if size >= 1 << 20 {
		// One iteration per sample: the big sizes take milliseconds to seconds each.
		group.sampling_mode(SamplingMode::Flat);
	}
	group
}

/// Benchmarks `routine`, recording the same samples criterion analyses.
fn run<O>(group: &mut BenchmarkGroup<'_, WallTime>, id: String, mut routine: impl FnMut() -> O) {
	group.bench_function(&id, |b| {
		b.iter_custom(|iters| {
			let start = Instant::now();
			for _ in 0..iters {
				black_box(routine());
			}
			let elapsed = start.elapsed();
			record(&id, iters, elapsed);
			elapsed
		})
	});
}

fn main() {
	let mut c = Criterion::default()
		.warm_up_time(Duration::from_millis(500))
		.measurement_time(Duration::from_secs(2))
		.configure_from_args();
	for (label, size) in SIZES {
		let data = payload(size);
		let mut g = group(&mut c, "memcpy", size);
		let mut dst = vec![0u8; size];
		run(&mut g, format!("memcpy/{label}"), || dst.copy_from_slice(&data));
		// The same copy into fresh memory: what the operating system charges for
		// output that is not reused (page faults), as `encode` pays it.
		run(&mut g, format!("memcpy-fresh/{label}"), || data.to_vec());
		g.finish();

		for (k, n) in PARAMS {
			let kn = format!("{k}of{n}");
			let mut g = group(&mut c, "codec", size);
			run(&mut g, format!("encode/{kn}/{label}"), || encode(&data, &RECORD, k, n).unwrap());
			// The buffers of the previous iteration's pieces are reused: what a bulk
			// importer does, and no page faults on fresh output memory.
			let mut encoded = encode(&data, &RECORD, k, n).unwrap();
			run(&mut g, format!("encode-reuse/{kn}/{label}"), || {
				encode_into(&data, &RECORD, k, n, &mut encoded).unwrap()
			});
			let (k_, n_) = (usize::from(k), usize::from(n));
			let originals = &encoded.pieces[..k_];
			// The last k pieces: as many originals missing as parity can replace.
			let with_parity = &encoded.pieces[n_ - k_..];
			run(&mut g, format!("decode-first-k/{kn}/{label}"), || {
				decode(&RECORD, &encoded.commitments, originals).unwrap()
			});
			run(&mut g, format!("decode-recovery/{kn}/{label}"), || {
				decode(&RECORD, &encoded.commitments, with_parity).unwrap()
			});
			g.finish();

			if size <= SHAMIR_MAX {
				let mut g = group(&mut c, "plain-shamir", size);
				let mut rng = ChaCha20Rng::from_seed([9; 32]);
				run(&mut g, format!("shamir-split/{kn}/{label}"), || {
					Gf256::split_bytes(k_, n_, &data, &mut rng).unwrap()
				});
				let shares = Gf256::split_bytes(k_, n_, &data, &mut rng).unwrap();
				run(&mut g, format!("shamir-combine/{kn}/{label}"), || {
					Gf256::combine_bytes(&shares[..k_]).unwrap()
				});
				g.finish();
			}
		}
	}
	c.final_summary();
	print_table();
}

fn print_table() {
	let gbps = |id: &str, size: usize| seconds(id).map(|s| size as f64 / s / 1e9);
	let cell =
		|v: Option<f64>, digits: usize| v.map_or("-".to_owned(), |v| format!("{v:.digits$}"));
	let ratio = |a: Option<f64>, b: Option<f64>| a.zip(b).map(|(a, b)| a / b);
	// Ratios: whole numbers from 10 up, one decimal below (some are below 1).
	let times = |v: Option<f64>| cell(v, if v.is_some_and(|v| v < 10.0) { 1 } else { 0 });

	println!("\nThroughput, GB/s of payload (median of {SAMPLES} samples, one core):");
	println!(
		"{:>6} {:>6} | {:>7} {:>7} {:>7} {:>7} | {:>9} {:>9} | {:>7} {:>7} | {:>9} {:>9} {:>9} | {:>7} {:>7}",
		"size",
		"k/n",
		"encode",
		"enc-re",
		"dec-k",
		"dec-rec",
		"shamir-sp",
		"shamir-cb",
		"memcpy",
		"cp-new",
		"enc/split",
		"dk/comb",
		"dr/comb",
		"enc/mem",
		"dk/mem"
	);
	for (label, size) in SIZES {
		let memcpy = gbps(&format!("memcpy/{label}"), size);
		let fresh = gbps(&format!("memcpy-fresh/{label}"), size);
		for (k, n) in PARAMS {
			let kn = format!("{k}of{n}");
			let enc = gbps(&format!("encode/{kn}/{label}"), size);
			let reuse = gbps(&format!("encode-reuse/{kn}/{label}"), size);
			let dk = gbps(&format!("decode-first-k/{kn}/{label}"), size);
			let dr = gbps(&format!("decode-recovery/{kn}/{label}"), size);
			let split = gbps(&format!("shamir-split/{kn}/{label}"), size);
			let combine = gbps(&format!("shamir-combine/{kn}/{label}"), size);
			println!(
				"{:>6} {:>6} | {:>7} {:>7} {:>7} {:>7} | {:>9} {:>9} | {:>7} {:>7} | {:>9} {:>9} {:>9} | {:>7} {:>7}",
				label,
				format!("{k}/{n}"),
				cell(enc, 2),
				cell(reuse, 2),
				cell(dk, 2),
				cell(dr, 2),
				cell(split, 4),
				cell(combine, 4),
				cell(memcpy, 1),
				cell(fresh, 1),
				times(ratio(enc, split)),
				times(ratio(dk, combine)),
				times(ratio(dr, combine)),
				cell(ratio(reuse, memcpy), 3),
				cell(ratio(dk, memcpy), 3),
			);
		}
	}

	println!("\nPiece size (bytes) against ceil(|payload| / k), and against plain Shamir's |payload| + 1:");
	println!(
		"{:>6} {:>6} | {:>10} {:>10} {:>10} {:>9} | {:>10}",
		"size", "k/n", "ceil(L/k)", "fragment", "piece", "overhead", "shamir"
	);
	for (label, size) in SIZES {
		for (k, n) in PARAMS {
			let encoded = encode(&payload(size), &RECORD, k, n).unwrap();
			let ideal = size.div_ceil(usize::from(k));
			let piece = encoded.pieces[0].to_bytes().len();
			println!(
				"{:>6} {:>6} | {:>10} {:>10} {:>10} {:>9} | {:>10}",
				label,
				format!("{k}/{n}"),
				ideal,
				encoded.pieces[0].fragment.len(),
				piece,
				piece - ideal,
				size + 1,
			);
		}
	}
}
