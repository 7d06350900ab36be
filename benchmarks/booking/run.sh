#!/usr/bin/env bash
# The booking benchmark in one command (see benchmarks/booking/README.md):
#   benchmarks/booking/run.sh [--small] [--reseed] [--duration 60] [--connections 32]
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk" >&2; exit 2; }
exec env PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" .venv/bin/python -m benchmarks.booking.run "$@"
