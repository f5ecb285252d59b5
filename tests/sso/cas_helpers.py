"""Helpers of the CAS tests: a person logging in through the real /cas/login form with ``requests``, a CAS
connector for the test school, and a small loopback HTTP server standing for a service (proxy callbacks and
single-logout POSTs arrive there)."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

from preau.portal.catalogue import CatalogueEntry, catalogue
from preau.portal.services import add_connector, configure_connector

FOLIOS = "https://folios.onisep.fr/"


def add_cas_connector(db, structure, catalogue_id: str = "folios", attributes=("login",),
                      profiles=("teacher", "student", "personnel")):
    connector = add_connector(db, structure, catalogue_id)
    configure_connector(db, connector, values={}, secrets={}, profiles=list(profiles), enabled=True,
                        attributes=list(attributes))
    db.commit()
    return connector


def ticket_of(response: requests.Response) -> str:
    assert response.status_code in (302, 303), (response.status_code, response.text[:500])
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    return query["ticket"][0]


class Browser:
    """A person's browser against the live server (cookies kept, redirects inspected one by one)."""

    def __init__(self, base: str) -> None:
        self.base, self.http = base, requests.Session()

    def get(self, path: str, **params: Any) -> requests.Response:
        return self.http.get(self.base + path, params=params, allow_redirects=False, timeout=10)

    def csrf(self) -> str:
        return self.http.get(self.base + "/auth/csrf-token", timeout=10).json()["csrf_token"]

    def cas_login(self, login: str, password: str, service: str, renew: bool = False) -> requests.Response:
        """Type the password on /cas/login; returns the answer to the GET that follows (the ticket redirect)."""
        params = {"service": service, **({"renew": "true"} if renew else {})}
        assert self.get("/cas/login", **params).status_code == 200
        posted = self.http.post(self.base + "/cas/login", params=params, allow_redirects=False, timeout=10,
                                data={"login": login, "password": password, "csrf_token": self.csrf()})
        assert posted.status_code == 302, posted.text[:500]
        return self.http.get(posted.headers["Location"] if posted.headers["Location"].startswith("http")
                             else self.base + posted.headers["Location"], allow_redirects=False, timeout=10)


class ServiceServer:
    """A plain HTTP server on 127.0.0.1 recording every GET query and POST form it receives."""

    def __init__(self) -> None:
        received: list[tuple[str, str, dict[str, list[str]]]] = []
        self.received = received
        self.arrived = threading.Condition()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _record(self, method: str, fields: dict[str, list[str]]) -> None:
                with outer.arrived:
                    received.append((method, urlsplit(self.path).path, fields))
                    outer.arrived.notify_all()
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"ok")

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                self._record("GET", parse_qs(urlsplit(self.path).query))

            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length") or 0)
                self._record("POST", parse_qs(self.rfile.read(length).decode()))

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/app/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> ServiceServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()

    def wait_for(self, count: int, timeout: float = 10) -> list:
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.received) >= count, timeout)
        return self.received


def loopback_entry(monkeypatch, url: str, catalogue_id: str = "loopback_cas") -> str:
    """A CAS catalogue entry whose service runs on loopback (the shipped entries name public hosts)."""
    folios = catalogue()["folios"]
    entry = CatalogueEntry(catalogue_id, "Service local", "Tests", "cas", folios.theme, folios.icon, folios.colour,
                           url, {}, ("teacher", "student"), False, "", ())
    monkeypatch.setitem(catalogue(), catalogue_id, entry)
    return catalogue_id
