"""BLE sensors: firmware profiles, decoders/encoders (pure) and the bleak reader.

Pure half (no radio): :mod:`.profiles` (TOML firmware profiles),
:mod:`.decoders` (notification bytes -> samples in g with device times) and
:mod:`.encoders` (the inverse, for tests and the emulated sensor).  Import the
submodules directly; this package keeps imports light.
"""
