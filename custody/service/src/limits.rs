//! How much custody work clients may ask of the node.
//!
//! - **Per client address**, a rate (GCRA, `governor`) on puts and gets: each call opens HPKE,
//!   verifies signatures and hashes a piece of up to the largest piece size, so one client could
//!   otherwise keep every core busy. The key is the peer's IP address, not its connection, so
//!   that opening more connections buys no more calls (clients behind one NAT share it).
//! - **Node-wide**, a cap on calls in flight: each holds a piece (and its sealed copy) in memory,
//!   so many clients together never hold more than the operator planned for.
//!
//! Both refuse at once, before the request's body is read, with no bytes of any piece.
//!
//! And before any request, [`ConnectionLimits`] on the connections themselves: each holds a
//! file descriptor of the node (which its database and peer-to-peer network share), a task and
//! buffers, so their number is capped per client address and node-wide.
use ehr_custody_protocol::Refusal;
use governor::{
	clock::{Clock, DefaultClock},
	DefaultKeyedRateLimiter, Quota,
};
use std::{
	collections::HashMap,
	net::IpAddr,
	num::NonZeroU32,
	sync::{
		atomic::{AtomicUsize, Ordering},
		Arc, Mutex, PoisonError,
	},
};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Client addresses whose allowance is tracked at once. Beyond it, those back at a full allowance
/// are forgotten; if all are still spending, new calls wait (`Busy`) rather than the table grow.
const MAX_TRACKED_CLIENTS: usize = 4096;

/// The custody request limits of one node.
pub struct RequestLimits {
	per_client: DefaultKeyedRateLimiter<IpAddr>,
	clock: DefaultClock,
	in_flight: Arc<AtomicUsize>,
	max_in_flight: usize,
}

/// A call let through; its place among the calls in flight is freed when this is dropped.
#[must_use = "the call counts as in flight only while this is held"]
pub struct Admitted(Arc<AtomicUsize>);

impl Drop for Admitted {
	fn drop(&mut self) {
		self.0.fetch_sub(1, Ordering::AcqRel);
	}
}

impl RequestLimits {
	/// At most `per_minute` calls a minute from each client address (all at once, at best),
	/// and at most `max_in_flight` calls at a time on the node.
	pub fn new(per_minute: NonZeroU32, max_in_flight: usize) -> Self {
		let clock = DefaultClock::default();
		Self {
			per_client: DefaultKeyedRateLimiter::dashmap_with_clock(
				Quota::per_minute(per_minute),
				&clock,
			),
			clock,
			in_flight: Arc::new(AtomicUsize::new(0)),
			max_in_flight,
		}
	}

	/// Lets a call from `client` through, or says why not.
	pub fn admit(&self, client: IpAddr) -> Result<Admitted, Refusal> {
		if self.per_client.len() >= MAX_TRACKED_CLIENTS {
			self.per_client.retain_recent();
			if self.per_client.len() >= MAX_TRACKED_CLIENTS {
				return Err(Refusal::Busy);
			}
		}
		self.per_client.check_key(&client).map_err(|not_until| {
			let wait = not_until.wait_time_from(self.clock.now());
			Refusal::RateLimited {
				retry_after_ms: u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
			}
		})?;
		let before = self.in_flight.fetch_add(1, Ordering::AcqRel);
		let admitted = Admitted(self.in_flight.clone());
		if before >= self.max_in_flight {
			return Err(Refusal::Busy);
		}
		Ok(admitted)
	}

	/// Calls in flight now.
	#[cfg(test)]
	pub(crate) fn in_flight(&self) -> usize {
		self.in_flight.load(Ordering::Acquire)
	}
}

/// The connections of one listener: at most `max` open at once, and at most `max_per_client`
/// of them from one client address.
pub struct ConnectionLimits {
	places: Arc<Semaphore>,
	per_client: Arc<Mutex<HashMap<IpAddr, usize>>>,
	max_per_client: usize,
}

/// A connection's place among those open; freed when this is dropped.
#[must_use = "the connection counts as open only while this is held"]
pub struct ConnectionPlace {
	_place: OwnedSemaphorePermit,
	client: IpAddr,
	per_client: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

impl Drop for ConnectionPlace {
	fn drop(&mut self) {
		// The counts are consistent even after a panic elsewhere: nothing panics mid-update.
		let mut per_client = self.per_client.lock().unwrap_or_else(PoisonError::into_inner);
		if let Some(open) = per_client.get_mut(&self.client) {
			*open = open.saturating_sub(1);
			if *open == 0 {
				per_client.remove(&self.client);
			}
		}
	}
}

impl ConnectionLimits {
	/// At most `max` connections at once (at least one), `max_per_client` of them from one
	/// client address.
	pub fn new(max: usize, max_per_client: usize) -> Self {
		Self {
			places: Arc::new(Semaphore::new(max.clamp(1, Semaphore::MAX_PERMITS))),
			per_client: Arc::default(),
			max_per_client,
		}
	}

	/// Waits until fewer than `max` connections are open: the next one is only accepted then,
	/// the others waiting in the listener's backlog (bounded by the kernel), not in the node.
	pub async fn free_place(&self) -> OwnedSemaphorePermit {
		// The semaphore is never closed, so this never fails; if it were, no place is given.
		loop {
			if let Ok(place) = self.places.clone().acquire_owned().await {
				return place;
			}
		}
	}

	/// Gives the connection from `client` the free `place`, unless that client already has
	/// `max_per_client` connections open.
	pub fn open(&self, place: OwnedSemaphorePermit, client: IpAddr) -> Option<ConnectionPlace> {
		let mut per_client = self.per_client.lock().unwrap_or_else(PoisonError::into_inner);
		let open = per_client.entry(client).or_default();
		if *open >= self.max_per_client {
			if *open == 0 {
				per_client.remove(&client);
			}
			return None;
		}
		*open += 1;
		Some(ConnectionPlace { _place: place, client, per_client: self.per_client.clone() })
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use std::net::Ipv6Addr;

	fn client(n: u128) -> IpAddr {
		IpAddr::V6(Ipv6Addr::from(n))
	}

	fn limits(per_minute: u32, max_in_flight: usize) -> RequestLimits {
		RequestLimits::new(NonZeroU32::new(per_minute).unwrap(), max_in_flight)
	}

	#[test]
	fn a_client_gets_its_burst_then_is_told_when_to_retry() {
		let limits = limits(3, 100);
		for _ in 0..3 {
			drop(limits.admit(client(1)).expect("within the rate"));
		}
		match limits.admit(client(1)) {
			// One call a minute / 3 comes back every 20 s.
			Err(Refusal::RateLimited { retry_after_ms }) => {
				assert!((1..=20_000).contains(&retry_after_ms), "{retry_after_ms}")
			},
			other => panic!("expected RateLimited, got {:?}", other.map(|_| ())),
		}
		// Other clients have their own allowance.
		drop(limits.admit(client(2)).expect("another client"));
	}

	#[test]
	fn calls_in_flight_are_capped_and_freed_when_done() {
		let limits = limits(1000, 2);
		let first = limits.admit(client(1)).expect("first");
		let second = limits.admit(client(2)).expect("second");
		assert_eq!(limits.admit(client(3)).err(), Some(Refusal::Busy));
		drop(first);
		let third = limits.admit(client(3)).expect("a place was freed");
		drop((second, third));
		assert_eq!(limits.in_flight.load(Ordering::Acquire), 0, "refusals free their place too");
	}

	#[tokio::test]
	async fn connections_are_capped_per_client_and_freed_when_closed() {
		let limits = ConnectionLimits::new(3, 2);
		let first = limits.open(limits.free_place().await, client(1)).expect("first");
		let second = limits.open(limits.free_place().await, client(1)).expect("second");
		// A third from the same address is turned away, and gives its place back.
		assert!(limits.open(limits.free_place().await, client(1)).is_none());
		let other = limits.open(limits.free_place().await, client(2)).expect("another client");
		// All three places taken: the next connection waits for one.
		assert!(limits.places.clone().try_acquire_owned().is_err());
		drop(first);
		let again = limits.open(limits.free_place().await, client(1)).expect("a place was freed");
		drop((second, other, again));
		assert!(limits.per_client.lock().unwrap().is_empty(), "closed clients are forgotten");
		assert_eq!(limits.places.available_permits(), 3);
	}

	#[test]
	fn the_client_table_stays_bounded() {
		let limits = limits(1, 100);
		// Every client spends its whole allowance and none is back to full: the table
		// fills up to its bound, then new clients wait instead of growing it.
		for id in 0..MAX_TRACKED_CLIENTS {
			drop(limits.admit(client(id as u128)).expect("a new client"));
		}
		assert_eq!(limits.admit(client(MAX_TRACKED_CLIENTS as u128)).err(), Some(Refusal::Busy));
		assert!(limits.per_client.len() <= MAX_TRACKED_CLIENTS);
	}
}
