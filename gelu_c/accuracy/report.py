"""Plain-text tables (terminal and README alike) and JSON files from a :func:`measure` report."""
import json
import math

__all__ = ["ordinal", "format_headline", "format_compact", "format_decimal_places",
           "format_ulp_tables", "format_others", "format_report", "save_json", "load_json"]


_NO_APPROXIMATION = "(no approximation among the functions measured)"


def ordinal(k, places=8):
    """``4`` -> ``"4th"``; ``0`` -> ``"units"``; ``None`` -> ``"> 8th"``."""
    if k is None:
        return f"> {ordinal(places)}"
    if k == 0:
        return "units"
    suffix = "th" if 10 <= k % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
    return f"{k}{suffix}"


def _pct(share):
    """A share as a percentage that reads ``100`` only when it is exactly 1."""
    if share >= 1:
        return "100"
    if share <= 0:
        return "0"
    return f"{math.floor(share * 10000) / 100:.2f}"


def _ulp(v):
    if v is None:
        return "-"
    if not math.isfinite(v):
        return "inf" if v > 0 else str(v)
    return f"{v:.3f}" if v < 1000 else f"{v:.2e}"


def _num(v, fmt=".3e"):
    return "-" if v is None else format(v, fmt)


def _x(v):
    return "-" if v is None else f"{v:.6g}"


def _rows(rows, **match):
    """The rows whose fields equal every ``match`` value."""
    return [r for r in rows if all(r.get(k) == v for k, v in match.items())]


def _headline_rows(report):
    """Decimal-place rows of the first range, forward approximations first."""
    rows = report["decimal_places"]
    if not rows:
        return []
    first = rows[0]["range_key"]
    return [r for r in rows if r["range_key"] == first]


def format_headline(report):
    """One sentence per approximation: how many decimal places it keeps, on the first range."""
    places = report["meta"]["places"]
    if not report["decimal_places"]:
        return _NO_APPROXIMATION
    lines = []
    for r in _headline_rows(report):
        k = r["first_differing_place"]
        if k is None:
            verdict = f"agrees to all {places} decimal places examined"
        else:
            verdict = (f"agrees to {max(k - 1, 0)} decimal place{'s' if k != 2 else ''}, "
                       f"differs in the {ordinal(k)}")
            if 1 <= k <= places:
                verdict += f" ({_pct(r['agree_share'][k - 1])}% of inputs agree to {k})"
        lines.append(f"{r['function']:<18s} vs {r['reference']:<9s} on {r['range']}: {verdict}; "
                     f"max |error| {r['max_abs_error']:.2e} at x = {r['x_max_abs']:.3f}")
    return "\n".join(lines)


def format_decimal_places(report):
    """The decimal-place table and the table of largest absolute and relative errors."""
    meta = report["meta"]
    places = meta["places"]
    rows = report["decimal_places"]
    if not rows:
        return _NO_APPROXIMATION
    head = (f"Approximations vs exact GELU, decimal place by decimal place "
            f"(formulas in float64, {meta['n_grid']:,} evenly spaced points per range).\n"
            f"A point agrees to k places when |approx - exact| < 0.5e-k; float64 is exact "
            f"enough for every |difference| >= 1e-9.\n\n")
    cols = "".join(f"{k:>7d}" for k in range(1, places + 1))
    out = [head + f"{'':38s}% of inputs agreeing to k decimal places",
           f"{'function':18s} {'range':19s}{cols}   first differing",
           "-" * (38 + 7 * places + 18)]
    prev = None
    for r in rows:
        name = r["function"] if r["function"] != prev else ""
        prev = r["function"]
        shares = "".join(f"{_pct(s):>7s}" for s in r["agree_share"])
        out.append(f"{name:18s} {r['range']:19s}{shares}   "
                   f"{ordinal(r['first_differing_place'], places)}")
    out += ["", "Largest errors of the approximations (relative: where exact GELU is a normal "
                "float64; it is unbounded near a zero of the exact function)",
            f"{'function':18s} {'range':19s} {'max |error|':>11s} {'at x':>10s} "
            f"{'max rel error':>13s} {'at x':>10s}",
            "-" * 86]
    prev = None
    for r in rows:
        name = r["function"] if r["function"] != prev else ""
        prev = r["function"]
        out.append(f"{name:18s} {r['range']:19s} {r['max_abs_error']:11.3e} "
                   f"{_x(r['x_max_abs']):>10s} {_num(r['max_rel_error']):>13s} "
                   f"{_x(r['x_max_rel']):>10s}")
    return "\n".join(out)


_KIND_LABELS = {"value": "forward functions", "grad": "derivatives", "backward": "backward"}


def _bounds_line(bounds):
    """``bound: 1 ulp (forward functions), 2 ulp (derivatives, backward; ...)`` from the
    report's ``meta["bounds"]``."""
    parts = []
    for b in bounds:
        text = f"{b['ulps']:g} ulp (" + ", ".join(_KIND_LABELS.get(k, k) for k in b["kinds"])
        if b["zero_band"]:
            text += (f"; within {b['zero_band']:g} of a derivative zero, "
                     f"{b['zero_band_ulps_of_half']:g} ulp of 0.5 absolute")
            if "backward" in b["kinds"]:
                text += ": backward times |dy|, plus the product's rounding"
        parts.append(text + ")")
    return "bound: " + ", ".join(parts)


def _group_cell(r):
    return (f"{_ulp(r['max_ulp']):>9s} {r['mean_ulp']:6.3f} {_pct(r['correctly_rounded']):>6s} "
            f"{_x(r['x_max']):>11s}") if r else f"{'-':>9s} {'':6s} {'':6s} {'':11s}"


def format_ulp_tables(report, brief=False):
    """gelu_c's ULP table, one per dtype, its kernel paths side by side.

    Parameters
    ----------
    report : dict
        From :func:`measure`.
    brief : bool, optional
        Only the rows pooling every range.
    """
    meta = report["meta"]
    ulp = _rows(report["ulp"], implementation="gelu_c")
    out = []
    for dtype in meta["dtypes"]:
        groups = [(p, _rows(ulp, dtype=dtype, path=p)) for p in meta["paths"]]
        out += [f"gelu_c kernels vs mpmath ({meta['oracle_dps']} digits), {dtype}: error in ULPs "
                f"of the result ({meta['n_ulp']} random points per range)",
                "max, mean = largest and mean error; CR% = share correctly rounded (<= 0.5 ulp); "
                "at x = where the max is",
                _bounds_line(meta["bounds"]),
                f"{'':40s}" + "".join(f"{'path ' + p:^35s}" for p, _ in groups),
                f"{'function':26s} {'range':18s}"
                + "".join(f"{'max':>9s} {'mean':>6s} {'CR%':>6s} {'at x':>11s} " for _ in groups),
                "-" * (40 + 36 * len(groups))]
        out += _table_body(report, groups, brief, lambda r: _group_cell(r) + " ",
                           flag=lambda r: r and not r["within_bound"])
        out.append("")
    return "\n".join(out).rstrip()


def _table_body(report, groups, brief, cell, flag=lambda r: False):
    lines = []
    keys = ["all"] + ([] if brief else [r["key"] for r in report["meta"]["ranges"]])
    for name in report["meta"]["functions"]:
        first = True
        for key in keys:
            cells = []
            label = None
            bad = False
            for _, rows in groups:
                hit = _rows(rows, function=name, range_key=key)
                r = hit[0] if hit else None
                label = label or (r and r["range"])
                bad |= bool(flag(r))
                cells.append(cell(r))
            if label is None:
                continue
            lines.append(f"{name if first else '':26s} {label:18s}" + "".join(cells)
                         + ("  OVER BOUND" if bad else ""))
            first = False
    return lines


def _other_groups(report, dtype):
    """(label, rows) of gelu_c's last path and of each other implementation."""
    meta = report["meta"]
    groups = [(f"gelu_c {p}", _rows(report["ulp"], implementation="gelu_c", path=p, dtype=dtype))
              for p in meta["paths"][-1:]]
    return groups + [(im["label"], _rows(report["ulp"], implementation=im["label"], dtype=dtype))
                     for im in meta["others"]]


def _max_cr(r):
    return f"{_ulp(r['max_ulp']) + ' (' + _pct(r['correctly_rounded']) + ')':>19s}" if r \
        else f"{'-':>19s}"


def format_others(report, brief=False):
    """Other implementations side by side with gelu_c (max ULP and CR%), one table per dtype."""
    meta = report["meta"]
    if not meta["others"]:
        return "Other implementations: none measured (PyTorch, JAX, SciPy are looked for)."
    provided = set()
    for im in meta["others"]:
        provided.update(im["functions"])
    sub = dict(report, meta=dict(meta, functions=[f for f in meta["functions"] if f in provided]))
    out = ["Other implementations: " + "; ".join(
        f"{im['label']} {im['version']}" for im in meta["others"])]
    for dtype in meta["dtypes"]:
        groups = _other_groups(report, dtype)
        out += ["", f"Side by side, {dtype}: max error in ULPs vs mpmath (% correctly rounded)",
                f"{'function':26s} {'range':18s}" + "".join(f"{g:>19s}" for g, _ in groups),
                "-" * (40 + 19 * len(groups))]
        out += _table_body(sub, groups, brief, _max_cr)
    return "\n".join(out)


def format_compact(report):
    """One line per function and dtype: the worst error in ULPs over all ranges, every
    gelu_c kernel path and every other implementation side by side."""
    meta = report["meta"]
    labels = [f"gelu_c {p}" for p in meta["paths"]] + [im["label"] for im in meta["others"]]
    impls = [("gelu_c", p) for p in meta["paths"]] + [(im["label"], None)
                                                      for im in meta["others"]]
    out = [f"{'function':26s} {'dtype':8s}" + "".join(f"{h:>14s}" for h in labels),
           "-" * (30 + 14 * len(labels))]
    for name in meta["functions"]:
        for dtype in meta["dtypes"]:
            cells = []
            for impl, path in impls:
                hit = _rows(report["ulp"], implementation=impl, path=path, function=name,
                            dtype=dtype, range_key="all")
                cells.append(_ulp(hit[0]["max_ulp"]) if hit else "-")
            out.append(f"{name:26s} {dtype:8s}" + "".join(f"{c:>14s}" for c in cells))
    return "\n".join(out)


def format_report(report, brief=False):
    """Everything: headline, summary, decimal-place tables, ULP tables, other implementations."""
    meta = report["meta"]
    parts = ["== Headline: how many decimal places each approximation keeps ==",
             format_headline(report), "",
             f"== Summary: worst error in ULPs over all ranges ({meta['n_ulp']} random points "
             f"per range, vs mpmath at {meta['oracle_dps']} digits) ==",
             format_compact(report), "",
             "== Decimal places ==", format_decimal_places(report), "",
             "== ULP errors of gelu_c ==", format_ulp_tables(report, brief), "",
             "== Other implementations ==", format_others(report, brief)]
    return "\n".join(parts)


def _encode(v):
    if isinstance(v, float) and not math.isfinite(v):
        return str(v)                      # "inf", "-inf", "nan"
    if isinstance(v, dict):
        return {k: _encode(w) for k, w in v.items()}
    if isinstance(v, (list, tuple)):
        return [_encode(w) for w in v]
    return v


def _decode(v):
    if isinstance(v, str) and v in ("inf", "-inf", "nan"):
        return float(v)
    if isinstance(v, dict):
        return {k: _decode(w) for k, w in v.items()}
    if isinstance(v, list):
        return [_decode(w) for w in v]
    return v


def save_json(report, path):
    """Write a report as strict JSON (non-finite numbers as the strings ``"inf"``, ``"nan"``)."""
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(_encode(report), fh, indent=1, allow_nan=False)
        fh.write("\n")


def load_json(path):
    """Read a report written by :func:`save_json`."""
    with open(path, encoding="utf-8") as fh:
        return _decode(json.load(fh))
