//! Shamir sharing of the 32-byte key over GF(256) with vsss-rs.
//!
//! vsss-rs's GF(256) arithmetic is constant time (no lookup tables), its
//! polynomial coefficients are drawn uniformly over the whole field, and it is
//! maintained and has been audited. Piece `i` gets the share at `x = i + 1`, so
//! the x-coordinate is implied by the committed index and not sent.
//!
//! `k == 1` is a degree-0 polynomial: every share *is* the key, so one custodian
//! alone can decrypt. vsss-rs rejects a threshold of 1, so that case is handled
//! here; it is allowed because it is still useful for replication, and documented
//! as giving no key secrecy among custodians.

use alloc::vec::Vec;

use rand_core::CryptoRng;
use vsss_rs::{Gf256, IdentifierGf256};
use zeroize::Zeroizing;

use crate::{Error, KeyShare, Piece, KEY_LEN};

/// The `n` shares of `key`, any `k` of which rebuild it.
pub(crate) fn split(
	key: &[u8; KEY_LEN],
	k: u8,
	n: u8,
	rng: impl CryptoRng,
) -> Result<Vec<KeyShare>, Error> {
	if k == 1 {
		return Ok(alloc::vec![*key; usize::from(n)]);
	}
	let ids = (1..=n).map(|x| IdentifierGf256(Gf256(x)));
	let shares = Zeroizing::new(
		Gf256::split_bytes_with_participant_ids_iter(usize::from(k), usize::from(n), key, rng, ids)
			.map_err(Error::KeySharing)?,
	);
	// vsss-rs prefixes each share with its x-coordinate; check it is the expected one.
	(1..=n)
		.zip(shares.iter())
		.map(|(x, share)| match share.split_first() {
			Some((&id, value)) if id == x => KeyShare::try_from(value)
				.map_err(|_| Error::KeySharing(vsss_rs::Error::InvalidShare)),
			_ => Err(Error::KeySharing(vsss_rs::Error::InvalidShare)),
		})
		.collect()
}

/// The key from `k` verified pieces with distinct indexes: the polynomial at `x = 0`.
pub(crate) fn combine(k: u8, chosen: &[&Piece]) -> Result<Zeroizing<[u8; KEY_LEN]>, Error> {
	evaluate(k, chosen, 0)
}

/// The share of piece `index` (the polynomial at `x = index + 1`), from `k` verified pieces
/// with other distinct indexes, to regenerate a lost piece.
pub(crate) fn share_at(k: u8, chosen: &[&Piece], index: u8) -> Result<Zeroizing<KeyShare>, Error> {
	evaluate(k, chosen, index.wrapping_add(1))
}

/// The sharing polynomial `f` at `x = c`, from `k` pieces whose x-coordinates differ from `c`.
///
/// vsss-rs interpolates only at `x = 0`. In GF(2^8) addition is XOR, so `g(x) = f(x ^ c)` is a
/// polynomial of the same degree with `g(0) = f(c)`: relabelling each share's `x_j` as
/// `x_j ^ c` and combining gives `f(c)` by vsss-rs's own interpolation. The new labels are
/// non-zero and distinct because every `x_j` differs from `c` and XOR with `c` is a bijection.
fn evaluate(k: u8, chosen: &[&Piece], c: u8) -> Result<Zeroizing<[u8; KEY_LEN]>, Error> {
	if k == 1 {
		let piece = chosen.first().ok_or(Error::KeySharing(vsss_rs::Error::NotEnoughShares))?;
		return Ok(Zeroizing::new(piece.share));
	}
	let shares: Zeroizing<Vec<Vec<u8>>> = Zeroizing::new(
		chosen
			.iter()
			.map(|piece| {
				let mut share = Vec::with_capacity(1 + KEY_LEN);
				// index <= 254 because it is below n <= 255.
				share.push(piece.index.wrapping_add(1) ^ c);
				share.extend_from_slice(&piece.share);
				share
			})
			.collect(),
	);
	let value = Zeroizing::new(Gf256::combine_bytes(&*shares).map_err(Error::KeySharing)?);
	let value = <[u8; KEY_LEN]>::try_from(value.as_slice())
		.map_err(|_| Error::KeySharing(vsss_rs::Error::InvalidSecret))?;
	Ok(Zeroizing::new(value))
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::Version;
	use rand_chacha::ChaCha20Rng;
	use rand_core::SeedableRng;

	fn pieces(shares: &[KeyShare]) -> Vec<Piece> {
		(0u8..)
			.zip(shares)
			.map(|(index, share)| Piece {
				version: Version::V1,
				index,
				fragment: Vec::new(),
				share: *share,
			})
			.collect()
	}

	#[test]
	fn any_k_shares_rebuild_the_key_and_fewer_do_not() {
		let key = [0xa5; KEY_LEN];
		let shares = split(&key, 3, 5, ChaCha20Rng::from_seed([1; 32])).unwrap();
		let pieces = pieces(&shares);
		for a in 0..5 {
			for b in a + 1..5 {
				for c in b + 1..5 {
					let chosen = [&pieces[a], &pieces[b], &pieces[c]];
					assert_eq!(*combine(3, &chosen).unwrap(), key);
				}
				assert_ne!(*combine(3, &[&pieces[a], &pieces[b]]).unwrap(), key);
			}
		}
	}

	#[test]
	fn any_k_other_shares_give_the_share_at_any_index() {
		let key = [0x3c; KEY_LEN];
		let (k, n) = (3u8, 7u8);
		let shares = split(&key, k, n, ChaCha20Rng::from_seed([2; 32])).unwrap();
		let all = pieces(&shares);
		for wanted in 0..n {
			let others: Vec<&Piece> = all.iter().filter(|p| p.index != wanted).collect();
			for (a, b, c) in [(0, 1, 2), (0, 2, 4), (1, 3, 5), (3, 4, 5)] {
				let chosen = [others[a], others[b], others[c]];
				let share = share_at(k, &chosen, wanted).unwrap();
				assert_eq!(*share, shares[usize::from(wanted)], "share {wanted} from {a} {b} {c}");
			}
		}
		// The highest x-coordinate, 255: n = 255, the last share from the first three.
		let shares = split(&key, 3, 255, ChaCha20Rng::from_seed([3; 32])).unwrap();
		let all = pieces(&shares);
		let share = share_at(3, &[&all[0], &all[1], &all[2]], 254).unwrap();
		assert_eq!(*share, shares[254]);
		// Too few shares interpolate another polynomial: not the share.
		assert_ne!(*share_at(3, &[&all[0], &all[1]], 254).unwrap(), shares[254]);
	}

	#[test]
	fn threshold_one_shares_are_the_key() {
		let key = [7; KEY_LEN];
		let shares = split(&key, 1, 3, ChaCha20Rng::from_seed([1; 32])).unwrap();
		assert_eq!(shares, alloc::vec![key; 3]);
		assert_eq!(*combine(1, &[&pieces(&shares)[2]]).unwrap(), key);
		assert_eq!(*share_at(1, &[&pieces(&shares)[2]], 0).unwrap(), key);
		assert!(share_at(1, &[], 0).is_err());
	}
}
