"""Fieldbook: offline, encrypted recording for people who safeguard children in England."""

__version__ = "0.1.0"
