#!/usr/bin/env bash
# Reproduces cadence's scale table in one command:
#   bench/run.sh                       # 1k, 5k, 10k and 20k people
#   SIZES=1000,10000 bench/run.sh      # other sizes
#   PEER_SIZES=1000,10000 bench/run.sh # also run the (slow) Python peer at 10k
#   PEER_SIZES= bench/run.sh           # no peer (nothing to install)
# It installs the peer (Debian's python3-recurring-ical-events) when
# missing, builds cadence, and prints a Markdown table with the targets
# met or missed. Needs Go, apt-get (as root) and about 1 GB of disk per 10k people.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES="${SIZES:-1000,5000,10000,20000}"
PEER_SIZES="${PEER_SIZES-1000}"
WORK="${WORK:-${TMPDIR:-/tmp}/cadence-bench}"
PY=/usr/bin/python3

if [ -n "$PEER_SIZES" ] && ! "$PY" -c 'import recurring_ical_events' 2>/dev/null; then
	echo "installing python3-recurring-ical-events (the peer)" >&2
	SUDO=
	if [ "$(id -u)" != 0 ]; then
		if ! command -v sudo >/dev/null; then
			echo "bench/run.sh: the peer (Debian's python3-recurring-ical-events) is missing and installing it needs root: install it, or run with PEER_SIZES= to skip the peer" >&2
			exit 1
		fi
		SUDO=sudo
	fi
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -qq >&2
	$SUDO apt-get install -y -qq python3-recurring-ical-events >&2
fi

mkdir -p "$WORK"
go build -o "$WORK/cadence" ./cmd/cadence
go build -o "$WORK/cadence-bench" ./bench/cmd/cadence-bench
"$WORK/cadence-bench" --sizes "$SIZES" --peer-sizes "$PEER_SIZES" --work "$WORK" \
	--cadence "$WORK/cadence" --python "$PY" --peer bench/peer.py "$@"
