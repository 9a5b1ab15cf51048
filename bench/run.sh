#!/usr/bin/env bash
# All benchmarks (`make bench`). Usage: bench/run.sh [BUILD_DIR]. Add new ones below.
set -euo pipefail
BUILD=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
status=0
bash "$here/formats.sh" "$BUILD" || status=1
bash "$here/speed.sh" "$BUILD" || status=1
bash "$here/rtt.sh" "$BUILD" || status=1
bash "$here/cmsis_dap.sh" "$BUILD" || status=1
exit $status
