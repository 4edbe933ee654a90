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
"$venv/bin/python" -m pip install --quiet maturin pandas numpy pytest
"$venv/bin/python" -m pip install --quiet "$here"
# Run from outside the source tree, so the installed package is what is tested.
cd "$venv"
# First without polars and pyarrow (both optional): the package imports and
# every pandas test passes; their own cases skip.
"$venv/bin/python" -m pytest -q -p no:cacheprovider "$here/tests"
# Then with them: Arrow data in and out (polars, pyarrow), pandas' pyarrow-backed
# columns (pandas 3 reads text with pyarrow when it is there).
"$venv/bin/python" -m pip install --quiet polars pyarrow
"$venv/bin/python" -m pytest -q -p no:cacheprovider "$here/tests"
