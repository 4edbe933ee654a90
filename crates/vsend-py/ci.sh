#!/usr/bin/env bash
# Builds the vsend Python package in a fresh venv and runs its tests.
#   bash crates/vsend-py/ci.sh          (from anywhere in a clone)
# Needs python3 (3.10+) with venv, and cargo. Exits non-zero on any failure.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="$(mktemp -d "${TMPDIR:-/tmp}/vsend-py-ci.XXXXXX")"
trap 'rm -rf "$venv"' EXIT
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip
# pyarrow: so the tests also cover pyarrow-backed columns (pandas 3 reads text with it).
"$venv/bin/python" -m pip install --quiet maturin pandas numpy pytest pyarrow
"$venv/bin/python" -m pip install --quiet "$here"
# Run from outside the source tree, so the installed package is what is tested.
cd "$venv"
"$venv/bin/python" -m pytest -q -p no:cacheprovider "$here/tests"
