#!/bin/sh
# Renders the org-health page and the digest email in headless Chromium
# (Debian's `chromium`: apt-get install -y chromium) at a laptop size
# (1280x900) and a phone size (390x844), writing PNGs to OUT.
#
#   report/testdata/page/screenshot.sh [OUT]          # the goldens (file:// URLs)
#   report/testdata/page/screenshot.sh OUT URL...     # live pages, e.g. of
#                                                     # `cadence serve`: http://localhost:9816/
#
# The goldens are written by
#   go test ./cmd/cadence/internal/digest -run Golden -update
# (the example org at 2026-11-23T09:00:00Z). The pages load nothing
# external: no scripts, no images, no fonts. The committed screenshots in
# report/testdata/screenshots/ (full height, each width) come from
#   go test ./report -run TestLayoutNoHorizontalOverflow -screenshots
# which also fails when anything overflows horizontally.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-/tmp/cadence-screenshots}
[ $# -gt 0 ] && shift
mkdir -p "$out"
if [ $# -eq 0 ]; then
	set -- "file://$here/index.html" "file://$here/manager-ana.html" "file://$here/manager-gus.html" \
		"file://$here/../digest/ana.html" "file://$here/../digest/eva.html"
fi
browser=$(command -v chromium || command -v chromium-browser || true)
[ -n "$browser" ] || { echo "screenshot.sh: chromium not found (apt-get install -y chromium)" >&2; exit 1; }
n=0
for url in "$@"; do
	n=$((n + 1))
	name=$(printf '%s' "$url" | sed -e 's|^[a-z]*://||' -e 's|[^A-Za-z0-9._-]|_|g' | tail -c 60)
	for size in 1280,900 390,844; do
		profile=$(mktemp -d)
		png="$out/$(printf '%02d' "$n")-${size%,*}-$name.png"
		"$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
			--disable-background-networking --disable-component-update --disable-sync \
			--hide-scrollbars --user-data-dir="$profile" \
			--screenshot="$png" --window-size="$size" "$url" >/dev/null 2>&1
		rm -rf "$profile"
		[ -s "$png" ] || { echo "screenshot.sh: no screenshot of $url at $size" >&2; exit 1; }
		echo "$png"
	done
done
