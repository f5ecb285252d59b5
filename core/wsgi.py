"""Production serving: ``preau serve`` runs gunicorn; ``preau.wsgi:application`` for any WSGI server."""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication

from .app import create_app


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        return create_app({"PRODUCTION": True})


def serve_with_gunicorn(bind: str, workers: int) -> None:
    create_app({"PRODUCTION": True})  # fail fast, in the master, on a missing production setting
    _Gunicorn({"bind": bind, "workers": workers, "accesslog": "-", "forwarded_allow_ips": "127.0.0.1"}).run()


def __getattr__(name: str) -> Any:
    if name == "application":
        return create_app()
    raise AttributeError(name)
