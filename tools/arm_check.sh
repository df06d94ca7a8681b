#!/usr/bin/env bash
# Do the C kernels give the same bits on aarch64 as on x86-64?
#
# Builds tools/kernel_bits.c with the kernels twice: for this x86-64 machine (the scalar
# path and, as setup.py does, the AVX2 path, which runs where the CPU has it) and for
# aarch64 (cross-compiled: the scalar and NEON paths). The x86 build runs every
# ufunc, dtype and path over the driver's input set, checks that every path and every
# call form (one call per group, n = 1 per call, strided) agree, and writes the output
# bits and floating-point flags; the aarch64 build runs under qemu-user and compares its
# own with them, element by element and flag by flag: its scalar path against every x86
# path, its NEON path against its scalar path (every call form). It also checks with
# objdump that the aarch64 scalar path uses the hardware fused multiply-add and never
# calls libm's fma, and that the NEON path is vector FMA code without libm calls.
#
# Usage: bash tools/arm_check.sh        (from anywhere; installs what it needs when root)
# Environment:
#   ARM_CHECK_ALLOW_DEFAULT_NAN_SIGN=1  accept results that differ only in the sign of an
#       invalid operation's default NaN (x86 makes -NaN, Arm +NaN; counted and reported)
#   ARM_CHECK_KEEP=1                    keep the build directory (logs, reference file)
# Exit status: 0 only if nothing differs.
set -euo pipefail
cd "$(dirname "$0")/.."
t_start=$(date +%s.%N)
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

if [[ "$(uname -m)" != x86_64 ]]; then
    echo "arm_check: run this on x86-64 (it compares an x86-64 build with an aarch64 one)" >&2
    exit 2
fi

# ---- tools: the native compiler, the aarch64 cross compiler and libc, qemu-user
need=()
command -v gcc > /dev/null || need+=(gcc)
[[ -e /usr/include/stdio.h ]] || need+=(libc6-dev)
command -v aarch64-linux-gnu-gcc > /dev/null || need+=(gcc-aarch64-linux-gnu)
command -v aarch64-linux-gnu-objdump > /dev/null || need+=(binutils-aarch64-linux-gnu)
[[ -e /usr/aarch64-linux-gnu/include/stdio.h ]] || need+=(libc6-dev-arm64-cross)
command -v qemu-aarch64 > /dev/null || need+=(qemu-user)
if [[ ${#need[@]} -gt 0 ]]; then
    echo "arm_check: installing ${need[*]}"
    sudo=()
    [[ $(id -u) -eq 0 ]] || sudo=(sudo)
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
        "${need[@]}" > /dev/null
fi
t_tools=$(elapsed "$t_start")

# ---- flags: setup.py's (the non-MSVC ones), read from it so that they cannot drift
pylist() {  # the words of a Python list of strings on the first line of setup.py matching $1
    grep -m1 -E "$1" setup.py | sed -e 's/^[^[]*\[//' -e 's/\].*$//' -e 's/[",]/ /g'
}
read -r -a KERNEL_FLAGS <<< "$(pylist '^ +KERNEL_FLAGS = \["-')"
read -r -a AVX2_FLAGS <<< "$(pylist '^ +AVX2_FLAGS = \["-')"
read -r -a AVX2_GCC_FLAGS <<< "$(pylist '^ +AVX2_FLAGS \+= \["-')"   # setup.py adds them for GCC
if [[ ${#KERNEL_FLAGS[@]} -eq 0 || ${#AVX2_FLAGS[@]} -eq 0 ]]; then
    echo "arm_check: cannot read KERNEL_FLAGS / AVX2_FLAGS from setup.py" >&2
    exit 2
fi
AVX2_FLAGS+=("${AVX2_GCC_FLAGS[@]}")

out=$(mktemp -d /tmp/arm_check.XXXXXX)
keep=${ARM_CHECK_KEEP:-0}
cleanup() { if [[ $keep == 1 ]]; then echo "arm_check: files kept in $out"; else rm -rf "$out"; fi; }
trap cleanup EXIT
mkdir -p "$out/x86" "$out/arm"

# ---- build both drivers, every object in parallel
echo "arm_check: kernel flags: ${KERNEL_FLAGS[*]}; AVX2 path: + ${AVX2_FLAGS[*]}"
t_build=$(date +%s.%N)
pids=()
cc_bg() {   # cc_bg <log> <compiler and arguments...>
    local log=$1; shift
    "$@" > "$log" 2>&1 &
    pids+=($!)
}
base=("${KERNEL_FLAGS[@]}" -Icsrc)
for src in csrc/path_scalar.c csrc/dispatch.c csrc/cpu_x86.c csrc/threads.c tools/kernel_bits.c; do
    name=$(basename "$src" .c)
    # as setup.py: the baseline sources know the AVX2 path is compiled in
    cc_bg "$out/x86/$name.log" gcc "${base[@]}" -DGELU_C_HAVE_AVX2=1 -c "$src" -o "$out/x86/$name.o"
    cc_bg "$out/arm/$name.log" aarch64-linux-gnu-gcc "${base[@]}" -DGELU_C_HAVE_NEON=1 -c "$src" -o "$out/arm/$name.o"
done
cc_bg "$out/x86/path_avx2.log" gcc "${base[@]}" "${AVX2_FLAGS[@]}" -c csrc/path_avx2.c -o "$out/x86/path_avx2.o"
cc_bg "$out/arm/path_neon.log" aarch64-linux-gnu-gcc "${base[@]}" -c csrc/path_neon.c -o "$out/arm/path_neon.o"
failed=0
for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
cat "$out"/x86/*.log "$out"/arm/*.log   # warnings, if any
if [[ $failed != 0 ]]; then
    echo "arm_check: FAILED to compile (see above)" >&2
    exit 1
fi
gcc "$out"/x86/*.o -lm -lpthread -o "$out/kernel_bits_x86"
aarch64-linux-gnu-gcc "$out"/arm/*.o -lm -lpthread -o "$out/kernel_bits_arm"
t_build=$(elapsed "$t_build")

# ---- the aarch64 scalar path: hardware FMA, no libm fma calls
dis="$out/arm/path_scalar.dis"
aarch64-linux-gnu-objdump -d "$out/arm/path_scalar.o" > "$dis"
count_insn() { grep -cP "\t$1\t" "$dis" || true; }
n_fmadd=$(count_insn fmadd); n_fmsub=$(count_insn fmsub)
n_fnmadd=$(count_insn fnmadd); n_fnmsub=$(count_insn fnmsub)
n_call=$(grep -cP '\tbl\t[0-9a-f]+ <fmaf?>' "$dis" || true)
n_undef=$(aarch64-linux-gnu-nm -u "$out/arm/path_scalar.o" | grep -cwE 'fmaf?' || true)
fma_status=0
echo "arm_check: aarch64 scalar path: fmadd $n_fmadd, fmsub $n_fmsub, fnmadd $n_fnmadd," \
     "fnmsub $n_fnmsub; calls to libm fma/fmaf: $n_call (undefined symbols: $n_undef)"
if [[ $n_fmadd -eq 0 || $n_call -ne 0 || $n_undef -ne 0 ]]; then
    echo "arm_check: FAILED: the aarch64 scalar path does not use the hardware FMA" >&2
    fma_status=1
fi
# the NEON path: vector FMLA/FMLS, and no libm call at all (every operation is inline)
ndis="$out/arm/path_neon.dis"
aarch64-linux-gnu-objdump -d "$out/arm/path_neon.o" > "$ndis"
n_fmla=$(grep -cP '\tfmla\tv' "$ndis" || true); n_fmls=$(grep -cP '\tfmls\tv' "$ndis" || true)
n_vec=$(grep -cP '\t[a-z0-9]+\tv[0-9]+\.(4s|2d|16b)' "$ndis" || true)
n_libm=$(aarch64-linux-gnu-nm -u "$out/arm/path_neon.o" | grep -cwE 'fmaf?|exp|expf|erfc|erfcf|tanh|tanhf' || true)
echo "arm_check: aarch64 NEON path: $n_vec vector instructions, fmla $n_fmla, fmls $n_fmls;" \
     "libm math calls: $n_libm"
if [[ $n_fmla -eq 0 || $n_libm -ne 0 ]]; then
    echo "arm_check: FAILED: the NEON path does not use vector FMA, or calls libm" >&2
    fma_status=1
fi

# ---- x86: every path, write the reference
show() {   # the summary lines of a kernel_bits log and its first mismatches
    grep -E '^(paths available|default path|kernel_bits:)' "$1"
    local n
    n=$(grep -c '^MISMATCH' "$1" || true)
    if [[ $n -gt 0 ]]; then
        echo "  first mismatches (all in $1):"
        grep -m 12 '^MISMATCH' "$1" | sed 's/^/    /'
        echo "  mismatches per ufunc (all dtypes), by comparison:"
        grep -E '^  [a-z_]+ (float|bfloat)' "$1" | awk -F': ' '
            { split($1, a, " "); what = substr($1, index($1, " " a[3] " ") + length(a[3]) + 2)
              split($2, b, " "); k = sprintf("%-28s %s", a[1], what)
              v[k] += b[1]; nan[k] += b[3]; dn[k] += b[6] }
            END { for (k in v) printf "    %s: value %d, NaN payload %d, default-NaN sign %d\n",
                                      k, v[k], nan[k], dn[k] }' | sort
    fi
}
echo "== x86-64: write the reference"
t_x86=$(date +%s.%N)
x86_status=0
"$out/kernel_bits_x86" --write "$out/reference.bin" > "$out/x86.log" || x86_status=$?
t_x86=$(elapsed "$t_x86")
show "$out/x86.log"
if [[ ! -s "$out/reference.bin" ]] || ! grep -q '^kernel_bits: mismatches' "$out/x86.log"; then
    echo "arm_check: FAILED: the x86 run did not complete (status $x86_status)" >&2
    keep=1
    exit 1
fi

# ---- aarch64 under qemu: compare
echo "== aarch64 (qemu-user): compare with the reference"
opts=()
[[ ${ARM_CHECK_ALLOW_DEFAULT_NAN_SIGN:-0} == 1 ]] && opts+=(--allow-default-nan-sign)
t_qemu=$(date +%s.%N)
arm_status=0
qemu-aarch64 -L /usr/aarch64-linux-gnu "$out/kernel_bits_arm" --compare "$out/reference.bin" \
    "${opts[@]}" > "$out/arm.log" || arm_status=$?
t_qemu=$(elapsed "$t_qemu")
show "$out/arm.log"
if ! grep -q '^kernel_bits: mismatches' "$out/arm.log"; then
    echo "arm_check: FAILED: the aarch64 run did not complete (status $arm_status)" >&2
    tail -n 5 "$out/arm.log" >&2
fi

neon_default=1
grep -qx 'default path: neon' "$out/arm.log" || neon_default=0
echo "== summary"
verdict() { [[ $1 == 0 ]] && echo "identical" || echo "DIFFERENT (status $1)"; }
echo "x86-64 paths and call forms agree with the scalar path: $(verdict "$x86_status")"
echo "aarch64 scalar and NEON paths vs x86-64 reference (every path): $(verdict "$arm_status")"
echo "aarch64 paths use the hardware FMA: $([[ $fma_status == 0 ]] && echo yes || echo NO)"
echo "aarch64 default path is NEON: $([[ $neon_default == 1 ]] && echo yes || echo NO)"
echo "time: $(elapsed "$t_start") s in all (tools $t_tools s, build $t_build s," \
     "x86 run $t_x86 s, qemu run $t_qemu s)"
if [[ $x86_status != 0 || $arm_status != 0 || $fma_status != 0 || $neon_default != 1 ]]; then
    keep=1
    exit 1
fi
echo "arm_check: OK"
