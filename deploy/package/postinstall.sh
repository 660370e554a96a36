#!/bin/sh
# cadence package: after install or upgrade (.deb postinst, .rpm %post).
# Creates the cadence system user and its state directory, and tells
# systemd about the unit. The service is not enabled or started: edit
# /etc/cadence/cadence.yml first, then `systemctl enable --now cadence`.
# An upgrade restarts a running service (try-restart).
set -e

case "$1" in
abort-upgrade | abort-remove | abort-deconfigure) exit 0 ;;
esac

nologin=/usr/sbin/nologin
[ -x "$nologin" ] || nologin=/sbin/nologin
if ! getent group cadence >/dev/null; then
	groupadd --system cadence
fi
if ! getent passwd cadence >/dev/null; then
	useradd --system --gid cadence --home-dir /var/lib/cadence --no-create-home \
		--shell "$nologin" --comment "cadence daemon" cadence
fi
install -d -o cadence -g cadence -m 0750 /var/lib/cadence
# Feed URLs in the configuration are secrets: root writes it, the daemon
# (group cadence) reads it, nobody else.
if [ -f /etc/cadence/cadence.yml ]; then
	chgrp cadence /etc/cadence/cadence.yml
	chmod 0640 /etc/cadence/cadence.yml
fi

if [ -d /run/systemd/system ]; then
	systemctl daemon-reload >/dev/null 2>&1 || true
	systemctl try-restart cadence.service >/dev/null 2>&1 || true
fi
exit 0
