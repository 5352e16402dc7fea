"""Command-line entry point: parse, call the API, print.

Each sub-command lives in its own module under :mod:`reptrack.commands` and
exposes ``register(subparsers)`` (adds its parser and sets ``func``).  Modules
are discovered at start-up, so adding a command never touches this file.
Command modules keep heavy imports inside their ``run`` functions so that
``reptrack --version`` and ``reptrack analyze`` start fast.

Exit status: 0 success, 2 bad input / fault (one sentence on stderr, no
traceback), 130 never: Ctrl-C in streaming commands is a normal stop.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import os
import pkgutil
import sys
from collections.abc import Sequence

from . import __version__
from .errors import ReptrackError

EXIT_OK = 0
EXIT_BAD_INPUT = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reptrack",
        description="Shin-worn IMU coach for slow heel raises.",
    )
    parser.add_argument("--version", action="version", version=f"reptrack {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    from . import commands

    for mod in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        if mod.name.startswith("_"):
            continue
        module = importlib.import_module(f"{commands.__name__}.{mod.name}")
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_BAD_INPUT
    try:
        rc = args.func(args)
        sys.stdout.flush()  # a full disk behind a redirect shows up here, not at exit
    except ReptrackError as exc:
        print(f"reptrack: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("reptrack: interrupted", file=sys.stderr)
        return EXIT_OK
    except BrokenPipeError:
        _detach_stdout()
        return EXIT_OK
    except OSError as exc:
        print(f"reptrack: {_os_error_sentence(exc)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return int(rc or 0)


def _os_error_sentence(exc: OSError) -> str:
    """One sentence for an operating-system error no command turned into a
    :class:`ReptrackError` (a full disk behind ``> FILE``, a permission):
    the file it names, else what kind of failure it was."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    _detach_stdout()
    if exc.filename:
        return f"{exc.filename}: cannot read or write it ({reason}); check the path and its permissions"
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO):
        return f"cannot write the output ({reason}); free some space or write it elsewhere"
    return f"the command stopped on a system error ({reason})"


def _detach_stdout() -> bool:
    """Point the standard output at the null device if writing to it fails;
    True when it did fail (its pending bytes are dropped)."""
    try:
        sys.stdout.flush()
        return False
    except OSError:
        pass
    try:
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, sys.stdout.fileno())
        os.close(fd)
    except (OSError, ValueError):
        pass
    return True


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
