"""Resampling, gaps, filters (batch and streaming with state) and tilt estimation."""
