#!/usr/bin/env bash
# The Python test suite against an extension built with -fsanitize=address,undefined:
# every read or write past a buffer, use after free and undefined behaviour (shifts,
# overflow, misaligned access) that the tests reach in the kernels, the loops or the
# Cython module stops the run with a report. The build goes to a copy of the tree (the
# working tree's in-place build is left alone); CPython itself is not instrumented, so
# the ASan runtime is preloaded and leak checking is off (the interpreter keeps memory
# at exit on purpose). Usage: tools/sanitize_tests.sh [pytest options]  (Linux, gcc)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
py="${PYTHON:-python}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
start=$SECONDS

# the tracked files only (as a clone has them), without in-place build products
git -C "$root" ls-files -z | (cd "$root" && xargs -0 cp --parents -t "$work")
cd "$work"
san="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
echo "== building with $san"
CFLAGS="$san" LDFLAGS="$san" "$py" setup.py -q build_clib build_ext --inplace \
    > build.log 2>&1 || { tail -40 build.log; exit 1; }
echo "   built in $((SECONDS - start)) s"

libasan=$(gcc -print-file-name=libasan.so)
libubsan=$(gcc -print-file-name=libubsan.so)
export LD_PRELOAD="$libasan $libubsan"
export ASAN_OPTIONS="detect_leaks=0:halt_on_error=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
# the suite's own subprocesses inherit the preload and the options
PYTHONPATH="$work" "$py" -m pytest -p no:cacheprovider "$@"
echo "== sanitized test suite passed in $((SECONDS - start)) s"
