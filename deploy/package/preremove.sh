#!/bin/sh
# cadence package: before removal (.deb prerm, .rpm %preun). Stops and
# disables the service when the package is removed, not when it is
# upgraded (.deb: "upgrade"; .rpm: $1 is 1 during an upgrade).
set -e

case "$1" in
remove | 0) ;;
*) exit 0 ;;
esac
if [ -d /run/systemd/system ]; then
	systemctl --no-reload disable --now cadence.service >/dev/null 2>&1 || true
fi
exit 0
