"""Readers and writers. :func:`read_recording` is the single entry point."""

from __future__ import annotations

from .detect import read_recording
from .native import NativeCsvWriter, read_native, write_native

__all__ = ["read_recording", "read_native", "write_native", "NativeCsvWriter"]
