#!/bin/sh
# cadence package: after removal (.deb postrm, .rpm %postun). Tells systemd
# the unit is gone. The cadence user, /etc/cadence (a .deb keeps it until
# purge) and the state in /var/lib/cadence are kept: the state is the
# history of every 1:1 and cannot be rebuilt once feeds drop old events.
set -e

if [ -d /run/systemd/system ]; then
	systemctl daemon-reload >/dev/null 2>&1 || true
fi
exit 0
