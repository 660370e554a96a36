#!/usr/bin/env bash
# Builds the cadence container image from deploy/container/Dockerfile with
# buildah, without a Docker daemon (vfs storage in a temporary directory,
# chroot isolation), runs `cadence --version` and `cadence check-config` in
# it, and writes it as an OCI archive:
#
#   deploy/container/build.sh                  # builds a static binary first
#   CADENCE_BINARY=dist/cadence_linux_amd64_v1/cadence deploy/container/build.sh
#
# Environment: CADENCE_BINARY (a linux static binary; default: go build
# with CGO_ENABLED=0), IMAGE (tag, default localhost/cadence:dev), OUT (the
# OCI archive, default dist/cadence-image.oci.tar). Needs root (or sudo)
# and Debian's buildah, which it installs when missing. Load the archive
# with `podman load -i OUT`, `skopeo copy oci-archive:OUT docker://...`
# or `docker load` after `skopeo copy oci-archive:OUT docker-archive:...`.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
IMAGE=${IMAGE:-localhost/cadence:dev}
OUT=${OUT:-dist/cadence-image.oci.tar}

if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
need=()
command -v buildah >/dev/null 2>&1 || need+=(buildah)
[ -f /etc/ssl/certs/ca-certificates.crt ] || need+=(ca-certificates)
if [ ${#need[@]} -gt 0 ]; then
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -qq
	$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

tmp=$(mktemp -d)
cleanup() {
	$SUDO buildah --root "$tmp/storage" --runroot "$tmp/run" --storage-driver vfs rm --all >/dev/null 2>&1 || true
	$SUDO rm -rf "$tmp"
}
trap cleanup EXIT
bah() { $SUDO buildah --root "$tmp/storage" --runroot "$tmp/run" --storage-driver vfs "$@"; }

# The build context (see the Dockerfile).
ctx="$tmp/context"
mkdir -p "$ctx/examples" "$ctx/state"
if [ -n "${CADENCE_BINARY:-}" ]; then
	cp "$CADENCE_BINARY" "$ctx/cadence"
else
	v=$(git describe --tags --always --dirty 2>/dev/null || echo dev)
	CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags "-s -w \
		-X github.com/prometheus/common/version.Version=${v#v} \
		-X github.com/prometheus/common/version.Revision=$(git rev-parse HEAD 2>/dev/null || echo unknown) \
		-X github.com/prometheus/common/version.Branch=$(git rev-parse --abbrev-ref HEAD 2>/dev/null || echo unknown) \
		-X github.com/prometheus/common/version.BuildUser=$(id -un)@$(hostname) \
		-X github.com/prometheus/common/version.BuildDate=$(date -u +%Y%m%d-%H:%M:%S)" \
		-o "$ctx/cadence" ./cmd/cadence
fi
if ldd "$ctx/cadence" >/dev/null 2>&1; then
	echo "build.sh: $ctx/cadence is dynamically linked; build it with CGO_ENABLED=0" >&2
	exit 1
fi
cp /etc/ssl/certs/ca-certificates.crt "$ctx/"
cp deploy/container/Dockerfile deploy/container/passwd deploy/container/group "$ctx/"
sh deploy/package/config.sh "$ctx/cadence.yml"
cp -R examples/org "$ctx/examples/org"
chmod -R a+rX "$ctx"

bah bud --isolation chroot --format oci --layers=false -f "$ctx/Dockerfile" -t "$IMAGE" "$ctx"

# Run the binary inside the image (buildah run: the image's user, root
# file system and environment, chroot isolation).
ctr=$(bah from "$IMAGE")
bah run --isolation chroot "$ctr" -- /usr/bin/cadence --version
bah run --isolation chroot "$ctr" -- /usr/bin/cadence check-config --config.file /etc/cadence/cadence.yml
user=$(bah inspect --type image --format '{{.OCIv1.Config.User}}' "$IMAGE")
if [ "$user" != "10001:10001" ]; then
	echo "build.sh: the image runs as '$user', want 10001:10001 (non-root)" >&2
	exit 1
fi
# Non-root for real: the state directory is writable, /etc is not.
preview() { bah run --isolation chroot "$ctr" -- /usr/bin/cadence digest --config.file /etc/cadence/cadence.yml --preview --at 2026-11-23 --out "$1" >/dev/null 2>&1; }
if ! preview /var/lib/cadence/probe; then
	echo "build.sh: cadence cannot write its state directory /var/lib/cadence in the image" >&2
	exit 1
fi
if preview /etc/probe; then
	echo "build.sh: cadence can write /etc in the image: it runs as root" >&2
	exit 1
fi
echo "runs as $user: writes /var/lib/cadence, not /etc"
bah rm "$ctr" >/dev/null

mkdir -p "$(dirname "$OUT")"
rm -f "$OUT"
bah push --quiet "$IMAGE" "oci-archive:$OUT:$IMAGE"
echo "image $IMAGE: $(bah images --format '{{.Size}}' "$IMAGE") (user $user); OCI archive $OUT: $(du -h "$OUT" | cut -f1)"
