"""An earlier build of gelu_c, loaded beside the current one, as a benchmark reference.

A speed-up of the kernels is a ratio to the kernels before the change, and like every
ratio in the report it is measured interleaved in one process. So the earlier build's
compiled extension (``gelu_c/_ufuncs*.so`` of a checkout built in place) is loaded under
a private module name (extension modules load with local symbols, so its C tables do not
meet the current ones), and its ufuncs are made from the current registry's names.

Make a baseline from a commit::

    git worktree add /tmp/gelu_c_base <commit>
    (cd /tmp/gelu_c_base && python setup.py -q build_clib build_ext --inplace)
    python bench/report.py --sections exact --baseline /tmp/gelu_c_base

Nothing here is needed to build or test gelu_c; without ``--baseline`` the report leaves
the rows out.
"""
import glob
import importlib.machinery
import importlib.util
import os

import gelu_c

__all__ = ["Baseline", "load"]


class Baseline:
    """The exact-tier ufuncs of an earlier build, by name, and its kernel path switch."""

    def __init__(self, so_path, label):
        name = "_gelu_c_baseline._ufuncs"       # the init symbol follows the last part
        loader = importlib.machinery.ExtensionFileLoader(name, so_path)
        spec = importlib.util.spec_from_file_location(name, so_path, loader=loader)
        self._mod = importlib.util.module_from_spec(spec)
        loader.exec_module(self._mod)
        specs = {f.cname: (f.name, "") for f in gelu_c.registry.FUNCTIONS}
        made = self._mod.make_ufuncs(specs)     # KeyError: a function this registry lacks
        by_cname = {f.cname: f for f in gelu_c.registry.FUNCTIONS}
        self.ufuncs = {by_cname[c].qualname: uf for c, uf in made.items()}
        self.label = label

    def set_path(self, path):
        if self._mod.set_path(path) != 0:
            raise RuntimeError(f"baseline build has no kernel path {path!r} here")


def load(checkout):
    """The :class:`Baseline` of a checkout built in place, or raise FileNotFoundError."""
    found = sorted(glob.glob(os.path.join(checkout, "gelu_c", "_ufuncs*.so")))
    if not found:
        raise FileNotFoundError(f"no gelu_c/_ufuncs*.so under {checkout}: build it in place "
                                "(python setup.py build_clib build_ext --inplace)")
    label = os.path.basename(os.path.normpath(checkout))
    head = os.path.join(checkout, ".git")
    if os.path.exists(head):
        try:
            import subprocess
            label = subprocess.run(["git", "-C", checkout, "rev-parse", "--short", "HEAD"],
                                   capture_output=True, text=True, check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            pass
    return Baseline(found[0], label)
