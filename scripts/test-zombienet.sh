#!/usr/bin/env bash
# The fault tests of zombienet/tests/*.zndsl, each on its own network (zombienet/local.toml)
# with the debug binaries. Prints each test's time and the figures the tests measured; keeps
# the networks' directories (logs, databases) only when a test fails.
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
use_debug_binaries
ensure_zombienet

work="$(mktemp -d -t ehr-zombienet-tests.XXXXXX)"
failed=()
times=()
for test in "$ZOMBIENET_DIR"/tests/*.zndsl; do
	name="$(basename "$test" .zndsl)"
	say "zombienet test $name"
	start=$(now)
	# Zombienet exits 0 when interrupted too: a test passed only if every step of it did.
	if "$ZOMBIENET_DIR/node_modules/.bin/zombienet" --provider native --spawn-concurrency 5 \
		--logType text --dir "$work/$name" test "$test" 2>&1 | tee "$work/$name.log" \
		&& grep -Eq 'Result: ([0-9]+)/\1\b' "$work/$name.log"; then
		result=passed
	else
		result=FAILED
		failed+=("$name")
	fi
	times+=("$name: $result in $(($(now) - start)) s")
done

say "zombienet tests: each step's time, then the figures measured"
grep -h -E '(✅|❌)' "$work"/*.log | sed 's/^/  /' || true
grep -h '^measured: ' "$work"/*.log | sed 's/^/  /' || true
printf '  %s\n' "${times[@]}"
if ((${#failed[@]})); then
	echo "failed: ${failed[*]}; networks, node logs and output kept in $work" >&2
	exit 1
fi
rm -rf "$work"
