"""reptrack: a shin-worn IMU coach for slow heel raises.

The public, scriptable entry points are:

* :func:`reptrack.io.read_recording` -- any supported file -> :class:`~reptrack.model.Recording`
* :func:`reptrack.analysis.analyze_recording` -- Recording -> :class:`~reptrack.model.Session`
* :meth:`reptrack.model.Session.to_json` -- the versioned JSON document (schema 1)
"""

__version__ = "0.1.0"
