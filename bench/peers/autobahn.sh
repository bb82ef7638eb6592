#!/usr/bin/env bash
# Runs this module's Autobahn|Testsuite fuzzing client against the echo
# servers of other libraries, each configured twice: as the benchmarks run
# it (-serve LIB) and as the library's own Autobahn server is
# (-serve LIB -conformance: UTF-8 checks and permessage-deflate on).
#
# Usage: ./autobahn.sh [library ...]     (default: gorilla gws)
# Reports go to ${TMPDIR:-/tmp}/peers-autobahn/LIB-MODE; the verdict table
# per case group of each run is printed.
set -euo pipefail
cd "$(dirname "$0")"
libs=("$@")
[ ${#libs[@]} -gt 0 ] || libs=(gorilla gws)
out="${TMPDIR:-/tmp}/peers-autobahn"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/peers" .
(cd ../.. && go build -o "$work/autobahn" ./autobahn)

for lib in "${libs[@]}"; do
	for mode in bench conformance; do
		flags=()
		[ "$mode" = conformance ] && flags=(-conformance)
		"$work/peers" -serve "$lib" -addr 127.0.0.1:0 "${flags[@]}" >"$work/addr" &
		pid=$!
		addr=""
		for _ in $(seq 100); do
			addr=$(sed -n 's/^listening //p' "$work/addr")
			[ -n "$addr" ] && break
			sleep 0.1
		done
		if [ -z "$addr" ]; then
			echo "$lib server did not start" >&2
			kill "$pid"
			exit 1
		fi
		echo "== $lib ($mode) at $addr"
		# The fuzzing client exits 1 when a case fails: that is a result here.
		"$work/autobahn" -mode fuzzingclient -url "ws://$addr/" -agent "$lib-$mode" \
			-out "$out/$lib-$mode" || true
		kill "$pid"
		wait "$pid" || true
	done
done
