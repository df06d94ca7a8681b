"""A/B of the exact float32 Phi and GELU: this build against a baseline build and MKL.

float32, 2^20 standard-normal elements, one thread, every candidate timed interleaved in
one run, min over rounds. The baseline is another build's package copied under the name
``gelu_c_base`` on PYTHONPATH (optional); MKL's AVX2 CdfNorm kernels through
bench/mkl_peer.py (GELU_C_MKL_LIB). Run from outside the repository, e.g.
``PYTHONPATH=<build>:<dir holding gelu_c_base> GELU_C_MKL_LIB=<mkl>/lib python bench/f32via64_ab.py``.
"""
import os, sys, time
import numpy as np
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gelu_c, gelu_c.fast
import mkl_peer
try:
    import gelu_c_base
except ImportError:
    gelu_c_base = None
N = 1 << 20
x = np.random.default_rng(1).standard_normal(N).astype(np.float32)
out = np.empty_like(x)
c = {"new.norm_cdf": lambda: gelu_c.norm_cdf(x, out=out),
     "new.gelu": lambda: gelu_c.gelu(x, out=out)}
if gelu_c_base:
    c["old.norm_cdf"] = lambda: gelu_c_base.norm_cdf(x, out=out)
    c["old.gelu"] = lambda: gelu_c_base.gelu(x, out=out)
c["fast.norm_cdf"] = lambda: gelu_c.fast.norm_cdf(x, out=out)
m = mkl_peer.load()
if m:
    ha, la = m.cdf_norm(np.float32, "HA"), m.cdf_norm(np.float32, "LA")
    c["mkl.HA"] = lambda: ha(x, out)
    c["mkl.LA"] = lambda: la(x, out)
best = dict.fromkeys(c, 1e9)
for r in range(int(os.environ.get("ROUNDS", 60))):
    for k, f in c.items():
        t0 = time.perf_counter(); f(); best[k] = min(best[k], time.perf_counter() - t0)
for k, v in best.items():
    print(f"{k:14s} {N / v / 1e9:6.3f} G/s  {best.get('old.norm_cdf', v) / v:5.2f}x old.norm_cdf  "
          f"{best.get('mkl.HA', v) / v:5.2f}x mkl.HA")
