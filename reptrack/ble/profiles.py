"""Firmware profiles: what a BLE sensor family looks like and how to talk to it.

A profile is one TOML file (schema in ``docs/sensors.md``): the advertised name
patterns and GATT UUIDs that identify the sensor, the bytes to write to start and
stop the accelerometer stream, the decoder that turns its notifications into
samples in g, and the sample rate, range, time base and packet size the real
device uses.  Built-in profiles live in ``reptrack/firmware_profiles/``; users add
or override profiles by dropping TOML files in the user config directory
(:func:`user_profile_dir`) or in a directory given with ``--profiles DIR``.

Every fact in the built-in files comes from ``../shared/sensors/PROTOCOLS.md``
(vendor SDK sources and tests); the file comments say which section.
"""

from __future__ import annotations

import fnmatch
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from ..errors import InputError

TimeBase = Literal["device", "counter", "none"]
TIME_BASES: tuple[str, ...] = ("device", "counter", "none")

#: Bluetooth base UUID: 16-bit UUIDs ("180d") are expanded with it.
_BASE_UUID = "0000{:04x}-0000-1000-8000-00805f9b34fb"
_UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_AXIS_RE = re.compile(r"^[+-]?[xyz]$")


@dataclass(frozen=True)
class FirmwareProfile:
    """One sensor family (see ``docs/sensors.md`` for the TOML keys).

    Attributes
    ----------
    id, name:
        Stable identifier (``--profile ID``) and a human name.
    name_patterns:
        Advertised-name patterns: shell-style (``fnmatch``, case-sensitive) or,
        with a ``re:`` prefix, a Python regular expression (``re.search``).
    service_uuid, data_uuid, control_uuid:
        GATT service, the characteristic that notifies samples, and the one the
        start/stop commands are written to (``None``: commands go to ``data_uuid``).
    response_uuid:
        Characteristic on which the device answers commands (``None``: it does not
        answer).  May equal ``data_uuid`` (Movesense, MetaWear).
    write_with_response:
        Whether commands are written with an ATT write request (True) or a write
        command without response (False, e.g. MetaWear).
    start, stop:
        Commands, in order, written to ``control_uuid`` to start/stop streaming.
    decoder:
        Name of the decoder in :mod:`reptrack.ble.decoders`.
    sample_rate_hz, range_g:
        Nominal output data rate (Hz) and full-scale range (+-g) the start
        commands select.
    time_base:
        ``device`` (the payload carries a device clock), ``counter`` (a sample or
        packet counter) or ``none`` (host arrival time only).
    packet_bytes:
        Notification payload size the real sensor sends (ATT MTU - 3).
    samples_per_packet:
        Samples in one notification as the real device sends them (nominal for
        formats whose packets vary).
    settings:
        Decoder/encoder settings (e.g. ``factor``, ``frame_type``); ``--set``
        overrides them.
    axes:
        How the device's axes map to reptrack's sensor x, y, z: e.g.
        ``("x", "-y", "z")`` means sensor y = -device y.
    priority:
        Tie-break when several profiles match one advertisement (higher wins).
    gap_detection:
        True when lost packets are always detectable from the payload (device
        clock or counter); False when only host arrival times can hint at gaps.
    description, source:
        Free text for ``reptrack profiles`` and the file the profile came from.
    """

    id: str
    name: str
    name_patterns: tuple[str, ...]
    service_uuid: str
    data_uuid: str
    control_uuid: str | None
    start: tuple[bytes, ...]
    stop: tuple[bytes, ...]
    decoder: str
    sample_rate_hz: float
    range_g: float
    time_base: TimeBase
    packet_bytes: int
    samples_per_packet: int
    settings: dict = field(default_factory=dict, hash=False, compare=True)
    axes: tuple[str, str, str] = ("x", "y", "z")
    source: str = ""
    response_uuid: str | None = None
    write_with_response: bool = True
    priority: int = 0
    gap_detection: bool = False
    description: str = ""

    @property
    def command_uuid(self) -> str:
        """Characteristic the start/stop commands are written to."""
        return self.control_uuid or self.data_uuid

    def matches_name(self, name: str | None) -> bool:
        """True if the advertised ``name`` matches one of :attr:`name_patterns`."""
        if not name:
            return False
        for pat in self.name_patterns:
            if pat.startswith("re:"):
                if re.search(pat[3:], name):
                    return True
            elif fnmatch.fnmatchcase(name, pat):
                return True
        return False

    def to_json_dict(self) -> dict[str, Any]:
        """JSON-friendly view (commands as hex strings) used by ``reptrack profiles --json``."""
        return {
            "id": self.id,
            "name": self.name,
            "name_patterns": list(self.name_patterns),
            "service_uuid": self.service_uuid,
            "data_uuid": self.data_uuid,
            "control_uuid": self.control_uuid,
            "response_uuid": self.response_uuid,
            "write_with_response": self.write_with_response,
            "start": [b.hex(" ") for b in self.start],
            "stop": [b.hex(" ") for b in self.stop],
            "decoder": self.decoder,
            "sample_rate_hz": self.sample_rate_hz,
            "range_g": self.range_g,
            "time_base": self.time_base,
            "gap_detection": self.gap_detection,
            "packet_bytes": self.packet_bytes,
            "samples_per_packet": self.samples_per_packet,
            "settings": dict(self.settings),
            "axes": list(self.axes),
            "priority": self.priority,
            "description": self.description,
            "source": self.source,
        }


# --------------------------------------------------------------------------- parsing helpers
def normalize_uuid(value: str) -> str:
    """Lower-case 128-bit UUID; a 4-hex-digit 16-bit UUID is expanded with the Bluetooth base.

    Raises ``ValueError`` for anything else.
    """
    v = value.strip().lower()
    if v.startswith("0x"):
        v = v[2:]
    if re.fullmatch(r"[0-9a-f]{4}", v):
        return _BASE_UUID.format(int(v, 16))
    if re.fullmatch(r"[0-9a-f]{8}", v):
        return f"{v}-0000-1000-8000-00805f9b34fb"
    if not _UUID_RE.match(v):
        raise ValueError(f"{value!r} is not a UUID")
    return v


_CMD_TOKEN = re.compile(r'\s*(?:"((?:[^"\\]|\\.)*)"|([0-9A-Fa-f]{2}))')


def parse_command(text: str) -> bytes:
    """Bytes of one command written as hex byte pairs and/or double-quoted ASCII.

    ``"02 02 00 01"`` -> ``b"\\x02\\x02\\x00\\x01"``; ``'01 63 "/Meas/Acc/52"'`` -> the
    two bytes then the ASCII path; quoted text understands ``\\n``, ``\\r``, ``\\t``,
    ``\\\\`` and ``\\"``.  Raises ``ValueError`` on anything else.
    """
    out = bytearray()
    pos = 0
    s = text.strip()
    while pos < len(s):
        m = _CMD_TOKEN.match(s, pos)
        if not m or m.end() == pos:
            raise ValueError(f"cannot read {s[pos:pos + 12]!r} (write hex byte pairs like '02 0a' or \"quoted text\")")
        if m.group(1) is not None:
            out += m.group(1).encode("ascii").decode("unicode_escape").encode("latin-1")
        else:
            out.append(int(m.group(2), 16))
        pos = m.end()
        while pos < len(s) and s[pos] in " \t,:":
            pos += 1
    return bytes(out)


_REQUIRED = {
    "name": str,
    "service_uuid": str,
    "data_uuid": str,
    "decoder": str,
    "sample_rate_hz": (int, float),
    "range_g": (int, float),
    "time_base": str,
    "packet_bytes": int,
    "samples_per_packet": int,
}
_OPTIONAL = {
    "id": str,
    "name_patterns": list,
    "control_uuid": str,
    "response_uuid": str,
    "write_with_response": bool,
    "start": list,
    "stop": list,
    "settings": dict,
    "axes": list,
    "priority": int,
    "gap_detection": bool,
    "description": str,
}
_TYPE_WORDS = {str: "a string", int: "an integer", bool: "true or false", list: "a list", dict: "a table"}


def _type_word(t: Any) -> str:
    if isinstance(t, tuple):
        return "a number"
    return _TYPE_WORDS.get(t, t.__name__)


def profile_from_dict(data: Mapping[str, Any], source: str = "<dict>", default_id: str | None = None) -> FirmwareProfile:
    """Validate one parsed TOML document and build the profile.

    Raises :class:`reptrack.errors.InputError` naming ``source`` and the offending key.
    """
    from .decoders import known_decoders  # local: decoders import numpy

    def bad(key: str, what: str) -> InputError:
        return InputError(f"firmware profile key '{key}' {what}; see docs/sensors.md for the profile schema", source)

    for key in data:
        if key not in _REQUIRED and key not in _OPTIONAL:
            known = ", ".join(sorted([*_REQUIRED, *_OPTIONAL]))
            raise bad(key, f"is not a known key (known keys: {known})")
    for key in _REQUIRED:
        if key not in data:
            raise bad(key, "is missing")
    for key, typ in {**_REQUIRED, **_OPTIONAL}.items():
        if key in data:
            val = data[key]
            ok = isinstance(val, bool) if typ is bool else (isinstance(val, typ) and not isinstance(val, bool))
            if not ok:
                raise bad(key, f"must be {_type_word(typ)}, not {val!r}")

    pid = data.get("id", default_id)
    if not pid or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", pid):
        raise bad("id", "must be letters, digits, '.', '_' or '-' (it is what --profile takes)")
    uuids: dict[str, str | None] = {}
    for key in ("service_uuid", "data_uuid", "control_uuid", "response_uuid"):
        val = data.get(key)
        if val is None:
            uuids[key] = None
            continue
        try:
            uuids[key] = normalize_uuid(val)
        except ValueError:
            raise bad(key, f"must be a UUID like '6e400001-b5a3-f393-e0a9-e50e24dcca9e' or '180d', not {val!r}") from None
    if data["decoder"] not in known_decoders():
        raise bad("decoder", f"names an unknown decoder {data['decoder']!r} (known: {', '.join(known_decoders())})")
    if data["time_base"] not in TIME_BASES:
        raise bad("time_base", f"must be one of {', '.join(TIME_BASES)}, not {data['time_base']!r}")
    if not data["sample_rate_hz"] > 0:
        raise bad("sample_rate_hz", "must be > 0")
    if not data["range_g"] > 0:
        raise bad("range_g", "must be > 0")
    if data["packet_bytes"] < 1 or data["packet_bytes"] > 512:
        raise bad("packet_bytes", "must be between 1 and 512 (ATT MTU - 3)")
    if data["samples_per_packet"] < 1:
        raise bad("samples_per_packet", "must be >= 1")
    commands: dict[str, tuple[bytes, ...]] = {}
    for key in ("start", "stop"):
        out = []
        for i, item in enumerate(data.get(key, [])):
            if not isinstance(item, str):
                raise bad(key, f"item {i + 1} must be a string of hex bytes, not {item!r}")
            try:
                cmd = parse_command(item)
            except (ValueError, UnicodeError) as exc:
                raise bad(key, f"item {i + 1}: {exc}") from None
            if not cmd:
                raise bad(key, f"item {i + 1} is empty")
            out.append(cmd)
        commands[key] = tuple(out)
    patterns = data.get("name_patterns", [])
    for pat in patterns:
        if not isinstance(pat, str) or not pat:
            raise bad("name_patterns", "must be a list of non-empty strings")
        if pat.startswith("re:"):
            try:
                re.compile(pat[3:])
            except re.error as exc:
                raise bad("name_patterns", f"has a bad regular expression {pat!r} ({exc})") from None
    axes = data.get("axes", ["x", "y", "z"])
    if len(axes) != 3 or not all(isinstance(a, str) and _AXIS_RE.match(a) for a in axes) or sorted(
        a[-1] for a in axes
    ) != ["x", "y", "z"]:
        raise bad("axes", f"must list each of x, y, z once, optionally signed (like [\"x\", \"-y\", \"z\"]), not {axes!r}")
    settings = dict(data.get("settings", {}))
    for k, v in settings.items():
        if not isinstance(v, (int, float, str, bool)):
            raise bad(f"settings.{k}", f"must be a number, string or boolean, not {v!r}")
    time_base = data["time_base"]
    return FirmwareProfile(
        id=pid,
        name=data["name"],
        name_patterns=tuple(patterns),
        service_uuid=uuids["service_uuid"],  # type: ignore[arg-type]
        data_uuid=uuids["data_uuid"],  # type: ignore[arg-type]
        control_uuid=uuids["control_uuid"],
        response_uuid=uuids["response_uuid"],
        write_with_response=data.get("write_with_response", True),
        start=commands["start"],
        stop=commands["stop"],
        decoder=data["decoder"],
        sample_rate_hz=float(data["sample_rate_hz"]),
        range_g=float(data["range_g"]),
        time_base=time_base,
        packet_bytes=int(data["packet_bytes"]),
        samples_per_packet=int(data["samples_per_packet"]),
        settings=settings,
        axes=tuple(a.lstrip("+") for a in axes),  # type: ignore[arg-type]
        source=source,
        priority=data.get("priority", 0),
        gap_detection=data.get("gap_detection", time_base != "none"),
        description=data.get("description", ""),
    )


def load_profile_file(path: str | Path) -> FirmwareProfile:
    """Read and validate one profile TOML file (``id`` defaults to the file stem)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read the firmware profile ({exc.strerror})", str(p)) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"the firmware profile is not valid TOML ({exc})", str(p)) from None
    return profile_from_dict(data, source=str(p), default_id=p.stem)


def builtin_profile_dir() -> Path:
    """Directory of the profiles shipped with reptrack."""
    return Path(str(resources.files("reptrack") / "firmware_profiles"))


def user_profile_dir() -> Path:
    """Per-user profile directory: ``<platformdirs user config dir>/profiles``."""
    import platformdirs

    return Path(platformdirs.user_config_dir("reptrack")) / "profiles"


def load_profiles(extra_dirs: Sequence[str | Path] = (), *, include_user: bool = True) -> dict[str, FirmwareProfile]:
    """All known profiles by id: built-ins, then the user config dir, then ``extra_dirs``.

    A later file with the same ``id`` replaces an earlier one (so a user can
    override a built-in).  A directory in ``extra_dirs`` that does not exist is an
    error; the user config dir may be absent.  Any invalid file raises
    :class:`reptrack.errors.InputError` naming the file and key.
    """
    dirs: list[Path] = [builtin_profile_dir()]
    if include_user:
        dirs.append(user_profile_dir())
    for d in extra_dirs:
        p = Path(d)
        if not p.is_dir():
            raise InputError("the --profiles directory does not exist (give a directory of *.toml firmware profiles)", str(p))
        dirs.append(p)
    out: dict[str, FirmwareProfile] = {}
    for d in dirs:
        if not d.is_dir():
            continue
        for f in sorted(d.glob("*.toml")):
            prof = load_profile_file(f)
            out[prof.id] = prof
    return out


def get_profile(profile_id: str, profiles: Mapping[str, FirmwareProfile] | None = None) -> FirmwareProfile:
    """Profile by id, or :class:`InputError` listing the known ids."""
    profs = load_profiles() if profiles is None else profiles
    try:
        return profs[profile_id]
    except KeyError:
        raise InputError(
            f"unknown firmware profile {profile_id!r}; known: {', '.join(sorted(profs))} (see `reptrack profiles`)"
        ) from None


def match_profile(
    name: str | None, service_uuids: Sequence[str], profiles: Mapping[str, FirmwareProfile]
) -> FirmwareProfile | None:
    """The profile an advertisement belongs to, or None.

    A name-pattern match beats a service-UUID-only match (several families share a
    service, e.g. Polar H10 and Verity Sense); ties go to the higher ``priority``,
    then to the smaller id.
    """
    wanted: set[str] = set()
    for u in service_uuids:
        try:
            wanted.add(normalize_uuid(u))
        except ValueError:
            continue
    candidates = []
    for prof in profiles.values():
        score = 2 if prof.matches_name(name) else (1 if prof.service_uuid in wanted else 0)
        if score:
            candidates.append((-score, -prof.priority, prof.id, prof))
    return min(candidates, key=lambda c: c[:3])[3] if candidates else None
