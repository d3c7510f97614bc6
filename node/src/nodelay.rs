//! Nagle's algorithm off on the JSON-RPC server's sockets.
//!
//! `sc-rpc-server` (33.0.0, polkadot-sdk stable2609) accepts its connections itself and never
//! sets `TCP_NODELAY`. With Nagle on, a message the server writes while its previous one is not
//! yet acknowledged waits for the client's delayed acknowledgement, 40 ms on Linux: a chainHead
//! call's `started` answer and then its result, a transaction's `ready`, `inBlock` and
//! `finalized` statuses, the new head right after the block it follows. Measured on `--dev`,
//! that made a runtime-API call through chainHead take 44 ms instead of 1 ms and a transfer 176
//! ms from submission to finality, whatever the build.
//!
//! There is no option for it in sc-service, so once the RPC server is bound this finds its
//! listening sockets among the process's descriptors and sets `TCP_NODELAY` on them; Linux
//! copies the option to every connection a listener accepts.
use socket2::{SockRef, Type};
use std::os::fd::{BorrowedFd, RawFd};

/// Sets `TCP_NODELAY` on every TCP socket of this process bound to one of `ports` (the RPC
/// server's listeners, and connections already accepted); returns how many it set.
pub fn disable_nagle_on_ports(ports: &[u16]) -> usize {
	let Ok(descriptors) = std::fs::read_dir("/proc/self/fd") else {
		log::debug!("no /proc/self/fd: Nagle's algorithm stays on for RPC connections");
		return 0;
	};
	descriptors
		.flatten()
		.filter_map(|entry| entry.file_name().to_str()?.parse::<RawFd>().ok())
		.filter(|&fd| {
			// SAFETY: `fd` was open a moment ago. Should it be closed and reused meanwhile, the
			// calls below fail or meet another of our descriptors, and only a TCP socket bound to
			// an RPC port is changed.
			let fd = unsafe { BorrowedFd::borrow_raw(fd) };
			let socket = SockRef::from(&fd);
			let on_port = socket
				.local_addr()
				.ok()
				.and_then(|addr| addr.as_socket())
				.is_some_and(|addr| ports.contains(&addr.port()));
			on_port
				&& socket.r#type().is_ok_and(|kind| kind == Type::STREAM)
				&& socket.set_tcp_nodelay(true).is_ok()
		})
		.count()
}

#[cfg(test)]
mod tests {
	use super::disable_nagle_on_ports;
	use std::net::{TcpListener, TcpStream};

	fn listener() -> (TcpListener, u16) {
		let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
		let port = listener.local_addr().expect("local address").port();
		(listener, port)
	}

	fn accepted_nodelay(listener: &TcpListener, port: u16) -> bool {
		let _client = TcpStream::connect(("127.0.0.1", port)).expect("connect");
		let (accepted, _) = listener.accept().expect("accept");
		accepted.nodelay().expect("TCP_NODELAY")
	}

	#[test]
	fn connections_accepted_on_the_ports_have_nagle_off_and_others_keep_it() {
		let (rpc, rpc_port) = listener();
		let (other, other_port) = listener();
		assert_eq!(disable_nagle_on_ports(&[rpc_port]), 1, "the one listener on the port");
		assert!(accepted_nodelay(&rpc, rpc_port), "inherited from the listener");
		assert!(!accepted_nodelay(&other, other_port), "another port is left alone");
	}
}
