"""Plain-text and Markdown rendering of the report's tables (no measuring here)."""
import re

# a cell that is a number, a 2^k size, a target ("≥ 1.50") or the missing-value dash
_NUMERIC = re.compile(r"^(≥ )?[-+]?\d[\d.]*(e[-+]?\d+)?(\^\d+)?$|^—$")


def fmt_gps(v):
    """G elements/s with three significant digits; '—' for a missing value."""
    if v is None:
        return "—"
    return f"{v:.3g}" if v >= 0.01 else f"{v:.2e}"


def fmt_ratio(v):
    return "—" if v is None else (f"{v:.2f}" if v < 100 else f"{v:.0f}")


def fmt_target(v):
    """Targets are minimum speed ratios; a fractional one reads as 'within 1/v slower'."""
    return "—" if v is None else f"≥ {v:.2f}"


def fmt_met(v):
    return "—" if v is None else ("yes" if v else "**no**")


def render(headers, rows, markdown=False):
    """A table as text.

    Parameters
    ----------
    headers : sequence of str
    rows : sequence of sequence of str
        Cells already formatted.
    markdown : bool, optional
        GitHub Markdown (pipes, right-aligned numeric columns) instead of plain columns.

    Returns
    -------
    str
    """
    cells = [list(map(str, headers))] + [list(map(str, r)) for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    # A column is numeric (right-aligned) if every body cell is a number.
    numeric = [len(cells) > 1 and all(_NUMERIC.match(r[i]) for r in cells[1:]) for i in range(len(headers))]

    def line(r):
        parts = [c.rjust(w) if num else c.ljust(w) for c, w, num in zip(r, widths, numeric)]
        return "| " + " | ".join(parts) + " |" if markdown else "  ".join(parts).rstrip()

    out = [line(cells[0])]
    if markdown:
        out.append("|" + "|".join(("-" * (w + 1) + ":") if num else ("-" * (w + 2))
                                  for w, num in zip(widths, numeric)) + "|")
    else:
        out.append("  ".join("-" * w for w in widths))
    out += [line(r) for r in cells[1:]]
    return "\n".join(out)
