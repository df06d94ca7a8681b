#!/usr/bin/env bash
# The Python test suite on aarch64, under emulation: gelu_c cross-compiled for aarch64
# (scalar and NEON paths), imported by Debian's arm64 CPython running under qemu-user
# with NumPy, SciPy, ml_dtypes and the test tools from their aarch64 wheels, and pytest
# run there on the tests (the ones below, or those given), from a copy outside the tree.
# tools/arm_check.sh compares the kernels' bits with x86's; this runs the Python-level
# tests (ufunc behaviour, special values, flags, signs, every path) on the Arm build.
#
# Usage: bash tools/arm_python_check.sh [pytest arguments]   (x86-64 Linux, Debian;
#        installs what it needs when root; downloads arm64 packages and wheels)
# Emulation is slow (~20x): the default test list takes minutes, the whole suite hours.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
py="${PYTHON:-python}"
start=$SECONDS
TESTS=(tests/test_special.py tests/test_signaling_nan.py tests/test_derivative_signs.py
       tests/test_paths.py tests/test_loops.py tests/test_ufunc.py tests/test_general.py
       tests/test_half_dtypes.py)
[[ $# -gt 0 ]] && TESTS=("$@")

if [[ "$(uname -m)" != x86_64 ]]; then
    echo "arm_python_check: run this on x86-64" >&2
    exit 2
fi
sudo=()
[[ $(id -u) -eq 0 ]] || sudo=(sudo)
need=()
command -v aarch64-linux-gnu-gcc > /dev/null || need+=(gcc-aarch64-linux-gnu)
[[ -e /usr/aarch64-linux-gnu/include/stdio.h ]] || need+=(libc6-dev-arm64-cross)
command -v qemu-aarch64 > /dev/null || need+=(qemu-user)
update=0
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    "${sudo[@]}" dpkg --add-architecture arm64     # to download arm64 packages (not install)
    update=1
fi
if [[ ${#need[@]} -gt 0 || $update == 1 ]]; then
    echo "arm_python_check: apt-get update${need:+; installing ${need[*]}}"
    "${sudo[@]}" apt-get update -qq
fi
if [[ ${#need[@]} -gt 0 ]]; then
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
        "${need[@]}" > /dev/null
fi
"$py" -c "import Cython" 2> /dev/null || "$py" -m pip install -q cython

out=$(mktemp -d /tmp/arm_python_check.XXXXXX)
trap 'rm -rf "$out"' EXIT
sysroot=$out/root site=$out/site pkg=$out/pkg build=$out/build
mkdir -p "$sysroot" "$site" "$pkg" "$build" "$out/debs"

# ---- an arm64 CPython (Debian's, the same minor version as ours) in a private root
pyver=$("$py" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
(cd "$out/debs" && apt-get download -qq "python$pyver-minimal:arm64" "libpython$pyver-minimal:arm64" \
    "libpython$pyver-stdlib:arm64" "libpython$pyver-dev:arm64" libexpat1:arm64 zlib1g:arm64 \
    libffi8:arm64 libssl3:arm64 libbz2-1.0:arm64 liblzma5:arm64 2> /dev/null) || {
    echo "arm_python_check: Debian has no arm64 python$pyver (use PYTHON=python3.X of Debian's version)" >&2
    exit 2
}
for d in "$out"/debs/*.deb; do dpkg -x "$d" "$sysroot"; done
mkdir -p "$sysroot/lib/aarch64-linux-gnu"
cp -an /usr/aarch64-linux-gnu/lib/. "$sysroot/lib/aarch64-linux-gnu/"
ln -sf aarch64-linux-gnu/ld-linux-aarch64.so.1 "$sysroot/lib/ld-linux-aarch64.so.1"
# The interpreter as a script that starts it under qemu, and that it takes for its own
# path (qemu's -0 sets argv[0]): tests that start a child Python (sys.executable) then
# start it under qemu too, with no binfmt registration needed.
printf '#!/bin/sh\nexec qemu-aarch64 -L "%s" -0 "%s" "%s" "$@"\n' "$sysroot" \
    "$sysroot/usr/bin/python-arm" "$sysroot/usr/bin/python$pyver" > "$sysroot/usr/bin/python-arm"
chmod +x "$sysroot/usr/bin/python-arm"
arm_py=("$sysroot/usr/bin/python-arm")

# ---- the test dependencies, from their aarch64 wheels (NumPy: the version we test with)
np_ver=$("$py" -c 'import numpy; print(numpy.__version__)')
"$py" -m pip install -q --target "$site" --platform manylinux_2_28_aarch64 \
    --platform manylinux2014_aarch64 --python-version "$pyver" --implementation cp \
    --only-binary=:all: "numpy==$np_ver" scipy ml_dtypes mpmath hypothesis pytest 2>&1 \
    | grep -vE "^WARNING: (Location|Running pip)|dependency (resolver|conflicts)|requires .* but you have" || true

# ---- gelu_c for aarch64: setup.py's kernel flags (read from it), the NEON path
pylist() { grep -m1 -E "$1" setup.py | sed -e 's/^[^[]*\[//' -e 's/\].*$//' -e 's/[",]/ /g'; }
read -r -a KERNEL_FLAGS <<< "$(pylist '^ +KERNEL_FLAGS = \["-')"
cc=(aarch64-linux-gnu-gcc "${KERNEL_FLAGS[@]}" -fPIC -Icsrc)
pids=()
for s in path_scalar path_neon; do "${cc[@]}" -c "csrc/$s.c" -o "$build/$s.o" & pids+=($!); done
for s in dispatch cpu_x86 threads; do
    "${cc[@]}" -DGELU_C_HAVE_NEON=1 "-DGELU_C_CFLAGS=\"${KERNEL_FLAGS[*]} (aarch64 cross build)\"" \
        -c "csrc/$s.c" -o "$build/$s.o" & pids+=($!)
done
"$py" -m cython -3 gelu_c/_ufuncs.pyx -o "$build/_ufuncs.c"
aarch64-linux-gnu-gcc -O2 -fPIC -fno-strict-aliasing -DNPY_NO_DEPRECATED_API=NPY_1_7_API_VERSION \
    -I"$sysroot/usr/include/python$pyver" -I"$sysroot/usr/include" -I"$site/numpy/_core/include" \
    -Icsrc -c "$build/_ufuncs.c" -o "$build/_ufuncs.o" & pids+=($!)
for p in "${pids[@]}"; do wait "$p"; done
git ls-files gelu_c | grep -vE '\.(pyx|c)$' | xargs -I{} cp --parents {} "$pkg/"
aarch64-linux-gnu-gcc -shared "$build"/_ufuncs.o "$build"/dispatch.o "$build"/path_scalar.o \
    "$build"/path_neon.o "$build"/cpu_x86.o "$build"/threads.o -lm -lpthread \
    -o "$pkg/gelu_c/_ufuncs.cpython-${pyver/./}-aarch64-linux-gnu.so"
echo "arm_python_check: built and installed in $((SECONDS - start)) s"

# ---- the tests, from a copy outside the tree, under qemu
cp -r tests pyproject.toml "$out/"
cd "$out"
export PYTHONPATH="$pkg:$site"
"${arm_py[@]}" -c 'import gelu_c; gelu_c.show_config()'
"${arm_py[@]}" -c 'import gelu_c; assert gelu_c.get_kernel_path() == "neon", gelu_c.get_kernel_path()'
"${arm_py[@]}" -m pytest -q -p no:cacheprovider "${TESTS[@]}"
echo "arm_python_check: passed in $((SECONDS - start)) s"
