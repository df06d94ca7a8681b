"""The named input ranges every table of the accuracy harness is broken down by.

Each range is sampled two ways: an evenly spaced float64 grid for the
decimal-place table (so a share of inputs is a share of the range's length) and
seeded random points in the output dtype for the ULP table (mpmath is too slow
for a dense grid).
"""
from dataclasses import dataclass

import numpy as np

__all__ = ["Range", "RANGES", "select_ranges"]


@dataclass(frozen=True)
class Range:
    """An interval of inputs with a short key and a label for the tables.

    Attributes
    ----------
    key : str
        Short name used on the command line (``--ranges wide,body``).
    label : str
        What the tables print.
    lo, hi : float
        The interval ``[lo, hi]``; for a ``log`` range the bounds of ``|x|``.
    log : bool
        If true the range is ``lo <= |x| <= hi`` of both signs, spread
        logarithmically (for tiny magnitudes).
    """

    key: str
    label: str
    lo: float
    hi: float
    log: bool = False

    def grid(self, n):
        """``n`` evenly spaced float64 points (log-spaced, mirrored, for a log range).

        Parameters
        ----------
        n : int
            Number of points (at least 2).

        Returns
        -------
        numpy.ndarray of float64
        """
        if n < 2:
            raise ValueError("a grid needs at least 2 points")
        if not self.log:
            return np.linspace(self.lo, self.hi, n)
        half = np.geomspace(self.lo, self.hi, n // 2)
        return np.concatenate([-half[::-1], half])

    def sample(self, n, rng, dtype):
        """``n`` seeded random points of ``dtype`` in the range, both ends included.

        Parameters
        ----------
        n : int
            Number of points (at least 2).
        rng : numpy.random.Generator
            Source of randomness (the caller seeds it).
        dtype : numpy dtype-like
            float32 or float64.

        Returns
        -------
        numpy.ndarray of ``dtype``
        """
        if n < 2:
            raise ValueError("a sample needs at least 2 points")
        if self.log:
            mag = 10.0 ** rng.uniform(np.log10(self.lo), np.log10(self.hi), n - 2)
            sign = np.where(rng.random(n - 2) < 0.5, -1.0, 1.0)
            x = np.concatenate([[-self.hi, self.lo], sign * mag])
        else:
            x = np.concatenate([[self.lo, self.hi], rng.uniform(self.lo, self.hi, n - 2)])
        return x.astype(dtype)


#: Every named range, in the order the tables print them.
RANGES = (
    Range("wide", "[-6, 6]", -6.0, 6.0),
    Range("core", "[-3, 3]", -3.0, 3.0),
    Range("body", "body [-1, 1]", -1.0, 1.0),
    Range("left", "left tail [-6, -3]", -6.0, -3.0),
    Range("right", "right tail [3, 6]", 3.0, 6.0),
    Range("far_left", "far left [-40, -6]", -40.0, -6.0),
    Range("tiny", "tiny 1e-30..1e-3", 1e-30, 1e-3, log=True),
)


def select_ranges(keys=None):
    """The ranges named by ``keys`` (all of :data:`RANGES` for ``None``).

    Parameters
    ----------
    keys : iterable of str, optional
        Keys such as ``"wide"`` or ``"body"``.

    Returns
    -------
    tuple of Range

    Raises
    ------
    ValueError
        For an unknown key.
    """
    if keys is None:
        return RANGES
    known = {r.key: r for r in RANGES}
    out = []
    for k in keys:
        if k not in known:
            raise ValueError(f"unknown range {k!r}; known: {', '.join(known)}")
        out.append(known[k])
    return tuple(out)
