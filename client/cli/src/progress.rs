//! Progress bars for transfers to and from custodians, on standard error and only on a terminal,
//! so that scripts reading standard output see only the result.
use ehr_client::archive::Progress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

/// A byte-count bar that draws only when standard error is a terminal.
pub struct Bar(ProgressBar);

/// Records smaller than this transfer too fast for a bar to help.
const MIN_BYTES_FOR_A_BAR: u64 = 1 << 20;

impl Bar {
	/// A bar titled `message`.
	pub fn new(message: &'static str) -> Bar {
		let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::hidden());
		bar.set_style(
			ProgressStyle::with_template("{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}")
				.unwrap_or_else(|_| ProgressStyle::default_bar())
				.progress_chars("=> "),
		);
		bar.set_message(message);
		Bar(bar)
	}

	/// Removes the bar from the terminal.
	pub fn finish(&self) {
		self.0.finish_and_clear();
	}
}

impl Progress for Bar {
	fn begin(&self, total_bytes: u64) {
		self.0.set_length(total_bytes);
		if total_bytes >= MIN_BYTES_FOR_A_BAR && std::io::stderr().is_terminal() {
			self.0.set_draw_target(ProgressDrawTarget::stderr());
		}
	}

	fn advance(&self, bytes: u64) {
		self.0.inc(bytes);
	}
}
