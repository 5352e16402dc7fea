"""All errors reptrack raises on purpose.

Each carries one sentence for the user: what went wrong, where (file and line
when there is one) and what to do.  The CLI prints ``str(err)`` to stderr and
exits with status 2; it never prints a traceback for these.
"""

from __future__ import annotations


class ReptrackError(Exception):
    """Base class: a problem the user can act on (exit status 2)."""


class InputError(ReptrackError):
    """A file (or stream) cannot be read as a recording.

    Parameters
    ----------
    message:
        One sentence saying what is wrong and how to fix it.
    path:
        File the problem is in, if any.
    line:
        1-based line number in that file, if the problem has one.
    """

    def __init__(self, message: str, path: str | None = None, line: int | None = None) -> None:
        self.message = message
        self.path = path
        self.line = line
        where = ""
        if path is not None:
            where = f"{path}"
            if line is not None:
                where += f", line {line}"
            where += ": "
        super().__init__(where + message)


class GuidanceError(ReptrackError):
    """A guidance profile is unknown or malformed."""


class DecodeError(ReptrackError):
    """A sensor notification could not be decoded (truncated, corrupt, unknown type)."""


class SensorError(ReptrackError):
    """A sensor could not be found, connected to, or did not come back."""


class HistoryError(ReptrackError):
    """The history database is missing, damaged or not a reptrack database."""
