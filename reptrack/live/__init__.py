"""Live feedback during the set (issue #5).

The live path is the same :class:`reptrack.segment.stream.StreamAnalyzer`
that ``analyze`` runs over a whole file, fed batch by batch from a source
(a BLE sensor, an emulated sensor, or a replayed file):

    source (async iterator of Batch) -> LiveSession.feed -> StreamAnalyzer
                                             |-> NativeCsvWriter (--out)
                                             |-> JSON lines (--json) / full-screen view
                                             |-> cues (metronome, bell) and strap check

Modules: :mod:`.source` (the Batch type and the source protocol),
:mod:`.replay` (a recording played at any speed), :mod:`.session` (the loop),
:mod:`.strapcheck`, :mod:`.cues`, :mod:`.view`.
"""
