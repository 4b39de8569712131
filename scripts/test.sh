#!/usr/bin/env bash
# Install what the tests need, then run the whole suite: lint, type check, import
# contracts (pyproject.toml [tool.importlinter]), tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh --test
echo "== ruff"; .venv/bin/ruff check src tests bench
echo "== mypy"; .venv/bin/mypy
echo "== import-linter"; .venv/bin/lint-imports
echo "== pytest"; .venv/bin/python -m pytest -q "$@"
