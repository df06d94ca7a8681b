"""Measure the core clock now, for the FMA-bound column of the report.

A chain of dependent one-cycle register-register integer adds runs at exactly one
add per cycle on every x86-64 and AArch64 core, so adds per second is the clock in Hz, turbo and
throttling included (nominal "cpu MHz" is neither). The chain is a tiny C program
compiled with the system compiler into a temporary directory; without a compiler,
or on another architecture, /proc/cpuinfo's "cpu MHz" is reported with a note.

Run ``python bench/clock.py`` to print the figure.
"""
import os
import shutil
import subprocess
import sys
import tempfile

_SOURCE = r"""
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* Register, not immediate, operands: Intel cores since Golden Cove fold chains of
   add-immediate at rename (no ALU cycle at all), which would read as 20+ GHz. */
#if defined(__x86_64__) || defined(__i386__)
#define ADD1 "add %1, %0\n\t"
#elif defined(__aarch64__)
#define ADD1 "add %0, %0, %1\n\t"
#else
#error "no one-cycle add known for this architecture"
#endif
#define ADD8 ADD1 ADD1 ADD1 ADD1 ADD1 ADD1 ADD1 ADD1
#define ADD64 ADD8 ADD8 ADD8 ADD8 ADD8 ADD8 ADD8 ADD8

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int main(int argc, char **argv) {
    /* 64 dependent adds per iteration: the loop counter's own add/compare/branch run
       on other ports in parallel, so one iteration costs 64 cycles. */
    long iters = argc > 1 ? atol(argv[1]) : 15625000L;   /* 1e9 adds */
    int reps = argc > 2 ? atoi(argv[2]) : 5;
    double best = 1e30;
    uint64_t sink = 0;
    for (int r = 0; r < reps; r++) {
        uint64_t x = (uint64_t)r, one = (uint64_t)argc;  /* a value the compiler cannot see */
        double t0 = now();
        for (long i = 0; i < iters; i++)
            __asm__ volatile(ADD64 : "+r"(x) : "r"(one));
        double t = now() - t0;
        sink += x;
        if (t < best) best = t;
    }
    printf("%.4f %llu\n", 64.0 * (double)iters / best / 1e9, (unsigned long long)sink);
    return 0;
}
"""


def _compiler():
    for name in (os.environ.get("CC"), "cc", "gcc", "clang"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


def cpuinfo_ghz():
    """Mean "cpu MHz" of /proc/cpuinfo in GHz, or None where there is no such file."""
    try:
        with open("/proc/cpuinfo") as fh:
            mhz = [float(line.split(":")[1]) for line in fh if line.lower().startswith("cpu mhz")]
    except OSError:
        return None
    return sum(mhz) / len(mhz) / 1e3 if mhz else None


def measure_ghz(adds=1e7, reps=200):
    """Core clock in GHz, and how it was obtained.

    Parameters
    ----------
    adds : float, optional
        Dependent adds per repetition (1e7: about 3 ms at 3 GHz, shorter than a
        scheduler time slice).
    reps : int, optional
        Repetitions; the fastest is kept. Many short ones rather than a few long
        ones, so that on a busy machine some repetition runs without being preempted.

    Returns
    -------
    (float or None, str)
        GHz and a note naming the method (or why it fell back).
    """
    cc = _compiler()
    if cc is None:
        note = "no C compiler"
    else:
        with tempfile.TemporaryDirectory(prefix="gelu_c_clock_") as tmp:
            src, exe = os.path.join(tmp, "clock.c"), os.path.join(tmp, "clock")
            with open(src, "w") as fh:
                fh.write(_SOURCE)
            try:
                subprocess.run([cc, "-O2", "-o", exe, src], check=True, capture_output=True, timeout=60)
                out = subprocess.run([exe, str(int(adds // 64)), str(reps)], check=True,
                                     capture_output=True, text=True, timeout=600).stdout
                return float(out.split()[0]), f"measured: dependent integer-add chain ({os.path.basename(cc)})"
            except (subprocess.SubprocessError, OSError, ValueError, IndexError) as exc:
                note = f"add-chain probe failed ({type(exc).__name__})"
    ghz = cpuinfo_ghz()
    if ghz is None:
        return None, f"{note}; no /proc/cpuinfo: clock unknown"
    return ghz, f"{note}; /proc/cpuinfo 'cpu MHz' (nominal, may differ from the running clock)"


if __name__ == "__main__":
    ghz, how = measure_ghz()
    print(f"{ghz:.3f} GHz  ({how})" if ghz else how)
    sys.exit(0 if ghz else 1)
