"""Préau's built-in plugins. Each one uses only the public API of ``preau``, like a third-party plugin."""
