#!/bin/sh
# Fires the worst graph requests at the built viewer for a minute from
# several clients on loopback and prints the viewer's peak resident memory
# (VmHWM). See bench/attack/main.go and docs/PERFORMANCE.md.
#   bench/attack/run.sh                       # build/rtmon-viewer, 60 s, 8 clients
#   VIEWER=/path/to/old/rtmon-viewer DURATION=20s bench/attack/run.sh
set -eu
cd "$(dirname "$0")/../.."
export PATH=/usr/local/go/bin:$PATH
go run ./bench/attack -viewer "${VIEWER:-build/rtmon-viewer}" -duration "${DURATION:-60s}" \
	-clients "${CLIENTS:-8}" -kill-at "${KILL_AT:-4294967296}" "$@"
