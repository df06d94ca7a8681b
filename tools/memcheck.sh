#!/usr/bin/env bash
# Build the kernels with the driver tools/memcheck.c and run it under AddressSanitizer
# (+UBSan), then (if installed) under valgrind: reads or writes past any array, in any
# path, length, stride or overlap, are reported. Usage: tools/memcheck.sh  (from the repo root)
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
base=(-O2 -g1 -std=c11 -Wall -Wextra -ffp-contract=off -Icsrc)
avx=()
if [[ "$(uname -m)" == x86_64 ]]; then
    avx=(-DGELU_C_HAVE_AVX2)
fi
build() {   # build <output> <extra flags...>
    local exe=$1; shift
    gcc "${base[@]}" "$@" "${avx[@]}" -c csrc/path_scalar.c -o "$out/s.o"
    gcc "${base[@]}" "$@" "${avx[@]}" -c csrc/dispatch.c -o "$out/d.o"
    gcc "${base[@]}" "$@" -c csrc/cpu_x86.c -o "$out/c.o"
    gcc "${base[@]}" "$@" -c csrc/threads.c -o "$out/t.o"
    objs=("$out/s.o" "$out/d.o" "$out/c.o" "$out/t.o")
    if [[ ${#avx[@]} -gt 0 ]]; then
        gcc "${base[@]}" "$@" -mavx2 -mfma -mf16c -c csrc/path_avx2.c -o "$out/a.o"
        objs+=("$out/a.o")
    fi
    gcc "${base[@]}" "$@" "${avx[@]}" tools/memcheck.c "${objs[@]}" -lm -lpthread -o "$exe"
}
build "$out/asan" -fsanitize=address,undefined -fno-omit-frame-pointer
echo "== AddressSanitizer + UBSan"
ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 UBSAN_OPTIONS=halt_on_error=1 "$out/asan"
if command -v valgrind > /dev/null; then
    build "$out/plain"
    echo "== valgrind memcheck"
    valgrind -q --error-exitcode=1 "$out/plain"
fi
