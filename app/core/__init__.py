"""The Qt-free core of Fieldbook: vault, forms, timescales, packs.

Nothing under ``app.core`` may import PySide6 (``tests/core/test_boundaries.py`` enforces it), so
the same functions serve the desktop app, the command line and a front door's ingestion pipeline.
"""
