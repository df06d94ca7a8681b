#!/usr/bin/env bash
# The distribution as a user gets it: `python -m build` makes the sdist and, from the
# sdist, the wheel; the wheel goes into a fresh virtual environment with the test extras,
# and the test suite runs on the unpacked sdist's tests, outside any source tree, so every
# test imports the installed package (tools/run_installed_tests.py). On Linux,
# `auditwheel show` must find no external library.
# Usage: tools/check_dist.sh [pytest options]   (from anywhere; about 5 minutes on 2 cores)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
py="${PYTHON:-python}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
start=$SECONDS

echo "== python -m build (sdist, then the wheel from the sdist) in $work/dist"
"$py" -m pip install -q build
"$py" -m build --outdir "$work/dist" "$root" > "$work/build.log" 2>&1 \
    || { tail -50 "$work/build.log"; exit 1; }
sdist=$(ls "$work"/dist/*.tar.gz)
wheel=$(ls "$work"/dist/*.whl)
echo "   $(basename "$sdist"), $(basename "$wheel") ($((SECONDS - start)) s)"

if [[ "$(uname -s)" == Linux ]]; then
    echo "== auditwheel show"
    "$py" -m pip install -q auditwheel
    "$py" -m auditwheel show "$wheel" | tee "$work/auditwheel.txt"
    if grep -q "external shared libraries are required" "$work/auditwheel.txt"; then
        echo "the wheel needs libraries outside the manylinux policy" >&2
        exit 1
    fi
fi

echo "== a fresh virtual environment with the wheel and its test extras"
"$py" -m venv "$work/venv"
vpy="$work/venv/bin/python"
[[ -x "$vpy" ]] || vpy="$work/venv/Scripts/python.exe"
"$vpy" -m pip install -q --upgrade pip
"$vpy" -m pip install -q "${wheel}[test]"

echo "== the tests, from the unpacked sdist, against the installed wheel"
tar -xzf "$sdist" -C "$work"
"$vpy" "$root/tools/run_installed_tests.py" "$(ls -d "$work"/gelu_c-*/)" "$@"
echo "== distribution checked in $((SECONDS - start)) s"
