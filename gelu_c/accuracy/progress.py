"""A plain-text progress bar for long runs (no third-party dependency)."""
import sys
import time

__all__ = ["Progress"]


def _clock(seconds):
    seconds = int(round(seconds))
    return f"{seconds // 60}m{seconds % 60:02d}s"


class Progress:
    """Progress of ``total`` steps, drawn on one line of a text stream.

    On a terminal the line is redrawn in place after every step; elsewhere (a log
    file, a CI console) a line is written at every tenth of the way, so logs stay
    short.

    Parameters
    ----------
    total : int
        Number of steps.
    label : str
        Printed at the start of the line.
    stream : file-like, optional
        Where to draw (default ``sys.stderr``); ``None`` draws nothing.
    width : int, optional
        Characters of the bar itself.
    """

    def __init__(self, total, label, stream=sys.stderr, width=30):
        self.total = max(int(total), 1)
        self.label = label
        self.stream = stream
        self.width = width
        self.done = 0
        self.start = time.monotonic()
        self._tty = bool(stream is not None and getattr(stream, "isatty", lambda: False)())
        self._last_tenth = -1

    def line(self):
        """The current progress line (without a line ending)."""
        frac = self.done / self.total
        filled = int(frac * self.width)
        elapsed = time.monotonic() - self.start
        eta = elapsed / frac - elapsed if frac > 0 else float("nan")
        eta_s = _clock(eta) if eta == eta else "?"
        return (f"{self.label} [{'#' * filled}{'.' * (self.width - filled)}] "
                f"{self.done}/{self.total} {100 * frac:5.1f}%  {_clock(elapsed)} elapsed, "
                f"ETA {eta_s}")

    def step(self, k=1):
        """Record ``k`` more finished steps and redraw."""
        self.done = min(self.done + k, self.total)
        if self.stream is None:
            return
        if self._tty:
            self.stream.write("\r" + self.line())
        else:
            tenth = (10 * self.done) // self.total
            if tenth == self._last_tenth:
                return
            self._last_tenth = tenth
            self.stream.write(self.line() + "\n")
        self.stream.flush()

    def close(self):
        """End the line (on a terminal)."""
        if self.stream is not None and self._tty:
            self.stream.write("\n")
            self.stream.flush()
