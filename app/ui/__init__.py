"""The PySide6 desktop app over ``app.core`` (STYLE.md: one database worker thread)."""
