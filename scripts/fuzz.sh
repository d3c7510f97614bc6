#!/usr/bin/env bash
# Coverage-guided fuzzing of every decoder that takes bytes from outside (fuzz/: cargo-fuzz and
# libFuzzer, on our stable toolchain through RUSTC_BOOTSTRAP=1, with AddressSanitizer).
#
#   scripts/fuzz.sh smoke                            every target over its committed corpus (CI)
#   scripts/fuzz.sh campaign <seconds> [target...]   each target (default: all) for <seconds>
#                                                    or 10,000,000 runs, whichever ends first
#
# Both read fuzz/corpus/<target> and never write it: a campaign's new inputs go to
# ~/.cache/ehr-chain/fuzz-corpus/<target>, so the next campaign starts from them; crashes go
# to ~/.cache/ehr-chain/fuzz-artifacts/<target>/ (replay one: the target's binary with the file
# as its argument). Each crash becomes a unit test in the crate concerned, and its input a file
# of fuzz/corpus/<target>/, so that the smoke run keeps checking it.
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$REPO_ROOT"

CARGO_FUZZ_VERSION="0.13.2"
FUZZ_CACHE="$HOME/.cache/ehr-chain"
# A target directory of its own: every crate is built with the fuzzer's instrumentation.
export CARGO_TARGET_DIR="$FUZZ_CACHE/fuzz-target"
# cargo-fuzz passes -Zsanitizer and friends, which stable rustc takes only with this.
export RUSTC_BOOTSTRAP=1
export ASAN_OPTIONS="detect_odr_violation=0"

# Every target with the largest input it is given: room for the seeds and some growth, small
# enough that libFuzzer mutates structure rather than length.
declare -A MAX_LEN=(
	[codec_decode_bytes]=4096
	[codec_decode_mutated]=512
	[codec_regenerate]=512
	[codec_wire]=9000
	[custody_messages]=9000
	[custody_sealed]=4096
	[custody_rpc]=9000
	[custody_store]=16384
	[fhir_validate]=16384
)
ALL_TARGETS=(codec_decode_bytes codec_decode_mutated codec_regenerate codec_wire
	custody_messages custody_sealed custody_rpc custody_store fhir_validate)
# A run that holds over 2 GiB, or asks for over 512 MiB at once, or spends over 10 s on one
# input, is a finding: no input of these sizes needs that much.
LIMITS=(-rss_limit_mb=2048 -malloc_limit_mb=512 -timeout=10)

usage() {
	echo "usage: $0 smoke | campaign <seconds> [target...]" >&2
	exit 2
}

ensure_cargo_fuzz() {
	if [[ "$(cargo fuzz --version 2>/dev/null)" != "cargo-fuzz $CARGO_FUZZ_VERSION" ]]; then
		say "installing cargo-fuzz $CARGO_FUZZ_VERSION from crates.io"
		cargo install --locked --quiet cargo-fuzz --version "$CARGO_FUZZ_VERSION" \
			--target-dir "$CARGO_TARGET_DIR/tools"
	fi
	say "$(cargo fuzz --version)"
}

# Runs target $1 over the committed corpus with libFuzzer flags $3..., writing new inputs to
# the directory $2; prints one row of figures and returns libFuzzer's status.
run_target() {
	local target="$1" scratch="$2" log status=0 began
	shift 2
	began=$(now)
	local artifacts="$FUZZ_CACHE/fuzz-artifacts/$target/"
	log="$FUZZ_CACHE/fuzz-logs/$target.log"
	mkdir -p "$scratch" "$artifacts" "$(dirname "$log")"
	"$CARGO_TARGET_DIR/x86_64-unknown-linux-gnu/release/$target" "$scratch" "fuzz/corpus/$target" \
		-max_len="${MAX_LEN[$target]}" "${LIMITS[@]}" -print_final_stats=1 \
		-artifact_prefix="$artifacts" "$@" >"$log" 2>&1 || status=$?
	# libFuzzer's last status line (`#N DONE cov: C ft: F corp: U/S ...`), its final stats,
	# and the inputs it wrote for crashes, leaks, timeouts and out-of-memory. `-a`: a target's
	# output may hold the bytes of an input.
	local done execs crashes
	done="$(grep -aE '^#[0-9]+[[:space:]].* cov: ' "$log" | tail -1)"
	execs="$(awk '/^stat::number_of_executed_units:/ { print $2 }' "$log")"
	crashes="$(grep -ac 'Test unit written to' "$log" || true)"
	printf '%-22s %10s %7s %7s %12s %8s %6s\n' "$target" "${execs:-?}" \
		"$(sed -E 's/.* cov: ([0-9]+).*/\1/' <<<"$done")" \
		"$(sed -E 's/.* ft: ([0-9]+).*/\1/' <<<"$done")" \
		"$(sed -E 's/.* corp: ([^ ]+).*/\1/' <<<"$done")" "$crashes" "$(($(now) - began))"
	if ((status != 0)); then
		grep -av '^    #' "$log" | tail -30 >&2 # the report, without the stack frames
		echo "$target failed (exit $status); its log: $log" >&2
	fi
	return "$status"
}

mode="${1:-}"
case "$mode" in
smoke) targets=("${ALL_TARGETS[@]}") ;;
campaign)
	seconds="${2:-}"
	[[ "$seconds" =~ ^[0-9]+$ ]] || usage
	targets=("${@:3}")
	((${#targets[@]})) || targets=("${ALL_TARGETS[@]}")
	for target in "${targets[@]}"; do
		[[ -n "${MAX_LEN[$target]:-}" ]] || { echo "no fuzz target $target" >&2; exit 2; }
	done
	;;
*) usage ;;
esac

start=$(now)
ensure_apt_packages build-essential
ensure_cargo_fuzz
say "building the fuzz targets (release, debug assertions, AddressSanitizer) in $CARGO_TARGET_DIR"
cargo fuzz build -O -a
built=$(now)
say "built in $((built - start)) s"

# The custody targets keep their piece stores here: a tmpfs when there is one.
TMPDIR="$(mktemp -d /dev/shm/ehr-fuzz.XXXXXX 2>/dev/null || mktemp -d)"
export TMPDIR
trap 'rm -rf "$TMPDIR"' EXIT

failed=()
printf '%-22s %10s %7s %7s %12s %8s %6s\n' target execs cov ft corpus crashes secs
for target in "${targets[@]}"; do
	if [[ "$mode" == smoke ]]; then
		# -runs=0: every committed input once, nothing new.
		run_target "$target" "$TMPDIR/corpus/$target" -runs=0 || failed+=("$target")
	else
		run_target "$target" "$FUZZ_CACHE/fuzz-corpus/$target" \
			-max_total_time="$seconds" -runs=10000000 || failed+=("$target")
	fi
done
say "$mode: built in $((built - start)) s, ran in $(($(now) - built)) s"
if ((${#failed[@]})); then
	echo "failed: ${failed[*]} (inputs in $FUZZ_CACHE/fuzz-artifacts/<target>/)" >&2
	exit 1
fi
