"""Fixtures for the real-browser tests: the demo served for real, and Debian's Chromium driven by Playwright.

``demo_server`` builds a fresh SQLite demo with ``preau demo --no-serve`` then serves it with ``preau demo --port``
on a free loopback port. ``browser`` launches /usr/bin/chromium (never a downloaded build). Without Chromium
the tests are skipped, unless ``PREAU_REQUIRE_BROWSER=1`` (set by CI), where they fail. Under pytest-xdist they
all run on one worker (the ``xdist_group`` "browser"), in their serial order.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from .helpers import log_in

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"  # git-ignored


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist's hook reads the xdist_group marks
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)
            # Under ``pytest -n`` (``--dist loadgroup``, the default here) every browser test runs on one worker,
            # in order, against one demo and one Chromium, as in a serial run; the other workers take the rest.
            item.add_marker(pytest.mark.xdist_group("browser"))


@dataclass
class DemoServer:
    url: str
    log: Path

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _preau_command() -> list[str]:
    script = Path(sys.executable).with_name("preau")
    if script.exists():
        return [str(script)]
    found = shutil.which("preau")
    assert found, "the `preau` command is not installed (pip install -e '.[test]')"
    return [found]


def _wait_for_health(url: str, process: subprocess.Popen, log: Path, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"preau demo stopped with code {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as response:  # noqa: S310 - loopback only
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"preau demo did not answer /health within {timeout:.0f} s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    workdir = tmp_path_factory.mktemp("demo")
    database = f"sqlite:///{workdir / 'demo.db'}"
    env = {**os.environ, "PREAU_INSTANCE_DIR": str(workdir / "instance"), "PYTHONUNBUFFERED": "1"}
    env.pop("PREAU_DATABASE_URL", None)
    command = _preau_command()
    built = subprocess.run([*command, "demo", "--no-serve", "--db", database], env=env, capture_output=True,
                           text=True, timeout=120, check=False)
    assert built.returncode == 0, f"preau demo --no-serve failed:\n{built.stdout}\n{built.stderr}"
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = workdir / "server.log"
    with log.open("w") as out:
        process = subprocess.Popen([*command, "demo", "--port", str(port), "--db", database], env=env,
                                   stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        _wait_for_health(url, process, log)
        yield DemoServer(url=url, log=log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    if not CHROMIUM.exists():
        reason = "Chromium de Debian absent (apt-get install chromium)"
        if os.environ.get("PREAU_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{reason} — PREAU_REQUIRE_BROWSER=1 exige les tests navigateur")
        pytest.skip(reason)
    return CHROMIUM


@pytest.fixture(scope="session")
def browser(chromium_path: Path, tmp_path_factory: pytest.TempPathFactory):
    from playwright.sync_api import sync_playwright

    # Playwright refuses --user-data-dir in launch(): it makes a fresh profile per launch in its driver's
    # temporary directory, which we point at pytest's tmp so nothing is shared with another Chromium.
    profiles = tmp_path_factory.mktemp("chromium-profiles")
    saved = os.environ.get("TMPDIR")
    os.environ["TMPDIR"] = str(profiles)
    try:
        playwright = sync_playwright().start()
    finally:
        if saved is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = saved
    launched = playwright.chromium.launch(executable_path=str(chromium_path), args=CHROMIUM_ARGS)
    try:
        yield launched
    finally:
        launched.close()
        playwright.stop()


@pytest.fixture
def new_context(browser, demo_server: DemoServer):
    """``new_context(**options)`` opens a fresh browser context on the demo (closed after the test)."""
    opened = []

    def make(**options):
        options.setdefault("base_url", demo_server.url)
        options.setdefault("locale", "fr-FR")
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        opened.append(context)
        return context

    yield make
    for context in opened:
        context.close()


@pytest.fixture(scope="session")
def session_state(browser, demo_server: DemoServer) -> Callable[[str], dict]:
    """``session_state(login)``: the cookies of a session opened once per login through the real form."""
    states: dict[str, dict] = {}

    def state(login: str) -> dict:
        if login not in states:
            context = browser.new_context(base_url=demo_server.url, locale="fr-FR")
            page = context.new_page()
            log_in(page, login)
            assert "/auth/login" not in page.url, f"{login} could not log in:\n{demo_server.tail()}"
            states[login] = context.storage_state()
            context.close()
        return states[login]

    return state


@pytest.fixture(scope="session")
def screenshots_dir() -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS
