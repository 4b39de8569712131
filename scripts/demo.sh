#!/usr/bin/env bash
# Install wirespeed and run the main job on the embedded default test bed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
exec .venv/bin/wirespeed demo "$@"
