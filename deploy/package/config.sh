#!/bin/sh
# Writes the configuration the .deb/.rpm packages install as
# /etc/cadence/cadence.yml: config.example.yaml (every key, with its
# default) with the example organisation's paths pointing at
# /usr/share/cadence/examples (where the packages put it) and the state in
# /var/lib/cadence (the unit's StateDirectory, the only place it may
# write). It passes `cadence check-config --config.file
# /etc/cadence/cadence.yml` as installed; replace the directory and sources
# with your organisation's. Run by goreleaser (before.hooks) and the
# container build (deploy/container/build.sh).
#
#   deploy/package/config.sh OUT
set -eu
out=${1:?usage: config.sh OUT}
root=$(cd "$(dirname "$0")/../.." && pwd)
src="$root/config.example.yaml"
mkdir -p "$(dirname "$out")"
tmp="$out.tmp"
{
	echo "# /etc/cadence/cadence.yml, installed by the cadence package from"
	echo "# config.example.yaml. It runs the example organisation shipped in"
	echo "# /usr/share/cadence/examples: replace directory and sources with yours,"
	echo "# check with: cadence check-config --config.file /etc/cadence/cadence.yml"
	echo "# then: systemctl enable --now cadence (or systemctl reload cadence)."
	echo "# This file is a configuration file: upgrades keep your changes."
	echo "#"
	# evaluate_at pins the repository's demo at its recording date; an
	# installed daemon evaluates now (the key stays, commented out).
	sed -e 's#\([ :]\)examples/#\1/usr/share/cadence/examples/#' \
		-e 's#^evaluate_at: #\# evaluate_at: #' \
		-e 's#^  state_path: cadence\.db$#  state_path: /var/lib/cadence/cadence.db#' \
		"$src"
} >"$tmp"
# The substitutions must have happened: fail loudly if config.example.yaml
# changed shape.
grep -q '^  state_path: /var/lib/cadence/cadence\.db$' "$tmp" || {
	echo "config.sh: no 'state_path: cadence.db' line in $src to point at /var/lib/cadence" >&2
	exit 1
}
if grep -n '[ :]examples/' "$tmp" | grep -v '/usr/share/cadence/examples/' >&2; then
	echo "config.sh: paths above still point at examples/" >&2
	exit 1
fi
if grep -q '^evaluate_at:' "$tmp"; then
	echo "config.sh: evaluate_at is still set: an installed daemon must evaluate now" >&2
	exit 1
fi
grep -q '/usr/share/cadence/examples/org/people.csv' "$tmp" || {
	echo "config.sh: no directory csv under examples/org in $src" >&2
	exit 1
}
mv "$tmp" "$out"
