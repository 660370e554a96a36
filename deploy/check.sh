#!/bin/sh
# Checks the deployment files with the tools that ship with Prometheus and
# systemd (CI runs it; so can you, from any directory):
#   - promtool check rules  deploy/prometheus/rules.yml alerts.yml
#   - promtool test rules   deploy/prometheus/tests/*.yml
#     (alerts, recording rules and the Grafana dashboard's queries)
#   - promtool check metrics on the golden /metrics files, when present
#   - systemd-analyze verify deploy/systemd/cadence.service, when available
# The Go side (dashboard structure, PromQL parsing, metric names, runbook
# links) is `go test ./deploy/...`.
#
# Exits non-zero when a check fails or promtool is missing.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
fail=0

if ! command -v promtool >/dev/null 2>&1; then
	{
		echo "check.sh: promtool not found on PATH; cannot check the Prometheus rules."
		echo "  Debian/Ubuntu: apt-get install --no-install-recommends prometheus"
		echo "  elsewhere: take promtool from a Prometheus release,"
		echo "  https://github.com/prometheus/prometheus/releases"
	} >&2
	exit 2
fi
echo "== $(promtool --version 2>&1 | head -n 1)"

echo "== promtool check rules"
promtool check rules "$here/prometheus/rules.yml" "$here/prometheus/alerts.yml" || fail=1

echo "== promtool test rules"
# promtool resolves rule_files relative to each test file.
set -- "$here"/prometheus/tests/*.yml
if [ ! -e "$1" ]; then
	echo "check.sh: no promtool tests in $here/prometheus/tests" >&2
	fail=1
else
	promtool test rules "$@" || fail=1
fi

for golden in "$root/cmd/cadence/testdata/metrics.golden.prom" "$root/report/testdata/metrics.golden.prom"; do
	[ -f "$golden" ] || continue
	echo "== promtool check metrics ${golden#"$root"/}"
	# Lint problems (naming, missing HELP) are printed and fail the check.
	if ! promtool check metrics <"$golden"; then
		fail=1
	fi
done

echo "== systemd-analyze verify"
if command -v systemd-analyze >/dev/null 2>&1; then
	# verify insists that ExecStart's binary exists: check a copy that runs
	# /bin/true instead when cadence is not installed here.
	unit="$here/systemd/cadence.service"
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	if [ -x /usr/bin/cadence ]; then
		cp "$unit" "$tmp/cadence.service"
	else
		sed 's#^ExecStart=/usr/bin/cadence #ExecStart=/bin/true #' "$unit" >"$tmp/cadence.service"
	fi
	if ! out=$(cd "$tmp" && systemd-analyze verify ./cadence.service 2>&1); then
		echo "$out" >&2
		fail=1
	elif [ -n "$out" ]; then
		# verify exits 0 on some warnings; show them and fail on unknown keys.
		echo "$out"
		if echo "$out" | grep -q -i -e 'unknown key' -e 'unknown section' -e 'invalid'; then
			fail=1
		fi
	fi
else
	echo "systemd-analyze not found: skipped"
fi

if [ "$fail" -ne 0 ]; then
	echo "check.sh: FAILED" >&2
	exit 1
fi
echo "check.sh: all checks passed"
