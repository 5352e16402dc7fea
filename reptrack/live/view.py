"""The full-screen terminal view (rich) and a plain-text fallback.

:func:`render` is a pure function of :class:`~reptrack.live.session.LiveState`
(easy to test with a recording console); :class:`LiveView` shows it
full-screen with ``rich.live.Live`` and re-reads the terminal size on every
refresh, so resizing the terminal just re-lays the screen out.
:class:`PlainView` prints the log lines when stdout is not a terminal.
"""

from __future__ import annotations

import os
import sys
from typing import IO, Any

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from ..report.text import flag_words
from .session import LiveState

PHASE_STYLE = {"lifting": "bold green", "holding": "bold cyan", "lowering": "bold yellow", "resting": "bold white"}


def _clock(s: float) -> str:
    s = max(0.0, s)
    return f"{int(s // 60):02d}:{s % 60:04.1f}"


def _phase_target(state: LiveState, phase: str) -> float | None:
    g = state.guidance
    return {"lifting": g.lift_target_s, "holding": g.hold_target_s, "lowering": g.lower_target_s}.get(phase)


def _phase_block(state: LiveState, now: float, width: int) -> RenderableType:
    st = state.status
    phase = st.phase if st else "resting"
    since = st.phase_since if st else 0.0
    elapsed = max(0.0, now - since)
    target = _phase_target(state, phase)
    grid = Table.grid(padding=(0, 2))
    grid.add_column(no_wrap=True)
    grid.add_column(no_wrap=True)
    words = Text(phase.upper(), style=PHASE_STYLE.get(phase, "bold"))
    if target is not None:
        timing = Text(f"{elapsed:4.1f} s of {target:g} s")
        if elapsed > target + 1.0:
            timing.stylize("bold")
    else:
        timing = Text(f"{elapsed:4.1f} s", style="dim")
    if state.metronome and phase != "resting":
        timing.append(f"   \u266a {state.metronome}", style="magenta")
    grid.add_row(words, timing)
    parts: list[RenderableType] = [grid]
    if target is not None:
        parts.append(ProgressBar(total=target, completed=min(elapsed, target), width=max(10, min(60, width - 4))))
    return Group(*parts)


def _counts(state: LiveState) -> Text:
    g = state.guidance
    st = state.status
    set_index = st.set_index if st else 1
    in_set = st.reps_in_set if st else 0
    flagged = sum(1 for r in state.reps if r.flags)
    t = Text()
    t.append(f"SET {set_index} of {g.sets}", style="bold")
    t.append("   ")
    t.append(f"REP {in_set} of {g.reps_per_set}", style="bold")
    t.append(f"   total {len(state.reps)} reps, {flagged} flagged", style="dim")
    return t


def _last_rep(state: LiveState) -> Text:
    if not state.reps:
        return Text("No rep yet.", style="dim")
    r = state.reps[-1]
    g = state.guidance
    t = Text(f"Last rep #{r.index_in_set}: ")

    def part(label: str, value: float, target: float, flag: str) -> None:
        bad = flag in r.flags
        t.append(f"{label} {value:.1f}", style="bold red" if bad else "green")
        t.append(f"/{target:g} s  ", style="dim")

    part("lift", r.lift_s, g.lift_target_s, "lift_too_fast")
    part("pause", r.hold_s, g.hold_target_s, "no_pause")
    part("lower", r.lower_s, g.lower_target_s, "lower_too_fast")
    t.append(f"range {r.range_deg:.1f}\u00b0", style="bold red" if "partial" in r.flags else "")
    t.append(f"  wobble {r.wobble:.2f}", style="bold red" if "wobble" in r.flags else "dim")
    if r.flags:
        t.append("  \u2717 " + flag_words(r), style="bold red")
    else:
        t.append("  \u2713 on tempo", style="green")
    return t


def _footer(state: LiveState) -> Text:
    t = Text()
    silent = state.sensor_status.startswith("no data")
    t.append("Sensor: ", style="dim")
    t.append(state.sensor_status, style="bold red" if silent else "")
    if state.rate_hz:
        t.append(f" \u00b7 {state.rate_hz:.1f} Hz")
    if state.gaps:
        t.append(f" \u00b7 {len(state.gaps)} dropout(s), {state.lost_s:.1f} s lost", style="yellow")
    t.append("  \u2502  Strap: ", style="dim")
    strap = {
        "ok": ("OK", "green"),
        "waiting": ("checking", "yellow"),
        "problem": ("PROBLEM", "bold red"),
        "skipped": ("not checked", "dim"),
        "off": ("off", "dim"),
    }[state.strap_state]
    t.append(strap[0], style=strap[1])
    if state.out_path:
        t.append("  \u2502  Recording to ", style="dim")
        t.append(os.path.basename(state.out_path))
    t.append("  \u2502  ", style="dim")
    t.append("finished" if state.finished else "Ctrl-C to stop", style="dim")
    return t


def _rows(r: RenderableType, width: int) -> int:
    """Terminal rows a line of text takes at ``width`` (other renderables: 2)."""
    if isinstance(r, Text):
        return 1 if r.no_wrap else max(1, -(-len(r.plain) // max(1, width)))
    return 2


def render(state: LiveState, wall_now: float, console_height: int = 24, console_width: int = 80, now: float | None = None) -> RenderableType:
    """The whole screen for ``state``; ``now`` the stream time to show (default ``state.stream_t``)."""
    now = state.stream_t if now is None else now
    footer = _footer(state)
    title = Text()
    title.append("reptrack live", style="bold")
    title.append(f"  guidance {state.guidance.name}  t {_clock(now)}  {state.source_label}", style="dim")

    lines: list[RenderableType] = [_phase_block(state, now, console_width), Text(""), _counts(state), _last_rep(state)]
    if state.strap_state == "waiting":
        lines.append(Text("Strap check: hold the leg still for 3 s\u2026", style="bold yellow"))
    elif state.strap_state == "problem" and state.strap is not None:
        lines.append(Text("\u26a0 " + "; ".join(state.strap.problems), style="bold red"))
    if state.warning:
        lines.append(Text("\u26a0 " + state.warning.upper(), style="bold red"))
    if state.hint:
        lines.append(Text("\u270b " + state.hint.upper(), style="bold white on red"))
    if state.strap_note:
        lines.append(Text(state.strap_note, style="yellow"))
    # Log: as many recent lines as fit (panel borders 2, footer, blank line).
    inner = max(10, console_width - 4)
    used = 3 + sum(_rows(x, inner) for x in lines) + _rows(footer, console_width)
    room = console_height - used
    if room > 0 and state.log:
        lines.append(Text(""))
        for msg in list(state.log)[-room:]:
            style = "red" if "\u2717" in msg or msg.startswith(("dropout", "sensor orientation")) else "dim"
            lines.append(Text(msg, style=style, overflow="ellipsis", no_wrap=True))
    body = Panel(Group(*lines), title=title, title_align="left", border_style="blue")
    return Group(body, footer)


class LiveView:
    """Full-screen view; ``update`` redraws (a few times a second)."""

    def __init__(self, console: Console | None = None, speed: float = 1.0) -> None:
        from rich.live import Live

        # Ignore COLUMNS/LINES from the environment: they would pin the size and
        # defeat resizing (rich honours them over the terminal's real size).
        env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
        self.console = console or Console(_environ=env)
        self.speed = speed
        self._live = Live(
            console=self.console,
            screen=True,
            auto_refresh=False,
            redirect_stdout=False,
            redirect_stderr=False,
            transient=False,
        )
        self._session: Any = None

    def bind(self, session: Any) -> "LiveView":
        self._session = session
        return self

    def __enter__(self) -> "LiveView":
        self._live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._live.__exit__(None, None, None)

    def update(self, state: LiveState, wall_now: float) -> None:
        w, h = self.console.size
        now = self._session.display_time(wall_now, self.speed) if self._session is not None else None
        self._live.update(render(state, wall_now, console_height=h, console_width=w, now=now), refresh=True)


class PlainView:
    """When stdout is not a terminal: print each new log line once."""

    def __init__(self, out: IO[str] | None = None) -> None:
        self.out = out or sys.stdout
        self._printed = 0

    def update(self, state: LiveState, wall_now: float) -> None:
        # log is a bounded deque: track how many lines were ever appended.
        n_total = state.log_count
        new = min(n_total - self._printed, len(state.log))
        if new > 0:
            for msg in list(state.log)[-new:]:
                self.out.write(msg + "\n")
            self.out.flush()
        self._printed = n_total

