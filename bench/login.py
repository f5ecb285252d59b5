"""Benchmark of logging in and of an authenticated page, through gunicorn as in production.

    python bench/login.py                       # 200 logins over 4 threads, 300 dashboard requests
    python bench/login.py --logins 400 --threads 8 --pages 500

In one run, on loopback only and with bounded loops:
1. a fresh SQLite database gets the demo data (``preau demo --no-serve``: accounts with the password "demo");
2. ``preau serve`` starts gunicorn with 2 workers (PREAU_ENV=production, a generated PREAU_SECRET_KEY,
   PREAU_COOKIE_SECURE=0 because the traffic is plain HTTP on 127.0.0.1, bound to a free port);
3. logins: each one is a new client that fetches ``/auth/csrf-token`` then posts ``/auth/login`` (all succeed,
   so the throttle, which counts failures only, never kicks in) → logins per second;
4. one logged-in session fetches the dashboard ``GET /`` repeatedly → p50 / p95 latency;
5. gunicorn is stopped.

Argon2 verification is what a login costs, on purpose: the cost of one verify, measured in this process with
Préau's parameters, is printed as the reference, with the ceiling it implies for 2 workers.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from preau.auth.passwords import hash_password, verify_password

WORKERS = 2
DEMO_PASSWORD = "demo"  # noqa: S105 - the documented password of the demo accounts
DEMO_LOGINS = ("admin", "direction", "prof.martin", "eleve.lea", "eleve.tom", "parent.colin", "personnel.durand",
               "invite.roux", "prof.bernard")
PAGE_USER = "parent.colin"  # a parent of two children in two schools: the dashboard follows both
PREAU = [sys.executable, "-c", "from preau.cli import main; main()"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def argon2_reference(rounds: int = 20) -> tuple[float, float]:
    """One verify's median time (ms), and verifies per second with one thread per worker (the hash releases
    the GIL; Préau's parameters use 4 lanes, so a single verify may already occupy several cores)."""
    password_hash = hash_password(DEMO_PASSWORD)

    def verify(_: int) -> float:
        started = time.perf_counter()
        assert verify_password(password_hash, DEMO_PASSWORD)
        return time.perf_counter() - started

    single = statistics.median(verify(i) for i in range(rounds))
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        list(pool.map(verify, range(rounds * WORKERS)))
    return single * 1000, rounds * WORKERS / (time.perf_counter() - started)


def start_gunicorn(env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    process = subprocess.Popen([*PREAU, "serve", "--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS)],
                               env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn s'est arrêté au démarrage :\n{log.read_text()[-2000:]}")
        try:
            if requests.get(f"http://127.0.0.1:{port}/auth/login", timeout=2).status_code == 200:
                return process
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    stop(process)
    raise SystemExit("gunicorn n'a pas répondu en 60 s")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def login(base: str, user: str) -> tuple[float, requests.Session]:
    """One login by a new client: CSRF token, then the form. Returns its duration and the logged-in client."""
    client = requests.Session()
    started = time.perf_counter()
    token = client.get(f"{base}/auth/csrf-token", timeout=30).json()["csrf_token"]
    response = client.post(f"{base}/auth/login", data={"login": user, "password": DEMO_PASSWORD,
                                                        "csrf_token": token}, allow_redirects=False, timeout=30)
    elapsed = time.perf_counter() - started
    if response.status_code != 302:
        raise RuntimeError(f"connexion de {user} refusée : HTTP {response.status_code}")
    return elapsed, client


def measure_logins(base: str, count: int, threads: int) -> tuple[float, list[float]]:
    users = [DEMO_LOGINS[i % len(DEMO_LOGINS)] for i in range(count)]
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        timings = [elapsed for elapsed, _client in pool.map(lambda user: login(base, user), users)]
    return time.perf_counter() - started, timings


def measure_page(base: str, count: int) -> list[float]:
    _elapsed, client = login(base, PAGE_USER)
    timings = []
    for _ in range(count):
        started = time.perf_counter()
        response = client.get(f"{base}/", allow_redirects=False, timeout=30)
        timings.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise RuntimeError(f"GET / a répondu HTTP {response.status_code} au lieu de 200")
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--logins", type=int, default=200)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--pages", type=int, default=300)
    args = parser.parse_args()

    verify_ms, verifies_per_s = argon2_reference()
    print(f"argon2 (en processus, paramètres de Préau) : une vérification = {verify_ms:.1f} ms (médiane) ; "
          f"{WORKERS} vérifications en parallèle → {verifies_per_s:.1f} vérifications/s, plafond des connexions "
          f"sur cette machine ({os.cpu_count()} cœurs)")

    with tempfile.TemporaryDirectory(prefix="preau-bench-login-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'preau.db'}"
        env = {**os.environ, "PREAU_INSTANCE_DIR": tmp, "PREAU_DATABASE_URL": url, "PREAU_ENV": "production",
               "PREAU_SECRET_KEY": secrets.token_urlsafe(48), "PREAU_COOKIE_SECURE": "0"}
        demo_env = {key: value for key, value in env.items() if key != "PREAU_ENV"}  # the demo refuses production
        subprocess.run([*PREAU, "demo", "--no-serve", "--db", url], env=demo_env, check=True, capture_output=True)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log = Path(tmp) / "gunicorn.log"
        process = start_gunicorn(env, port, log)
        try:
            print(f"gunicorn : {WORKERS} workers sur {base} (production, SQLite, données de démonstration)")
            measure_logins(base, 4 * WORKERS, WORKERS)  # warm-up: every worker has loaded the app
            wall, timings = measure_logins(base, args.logins, args.threads)
            print(f"connexions : {args.logins} en {wall:.2f} s avec {args.threads} fils → "
                  f"{args.logins / wall:.1f} connexions/s (jeton CSRF + POST /auth/login ; "
                  f"p50 {percentile(timings, 0.5) * 1000:.0f} ms, p95 {percentile(timings, 0.95) * 1000:.0f} ms), "
                  f"soit {100 * args.logins / wall / verifies_per_s:.0f} % du plafond argon2")
            pages = measure_page(base, args.pages)
            print(f"tableau de bord GET / ({PAGE_USER} connecté, un client séquentiel) : {args.pages} requêtes, "
                  f"p50 {percentile(pages, 0.5) * 1000:.1f} ms, p95 {percentile(pages, 0.95) * 1000:.1f} ms")
        except RuntimeError:
            print(f"journal de gunicorn (fin) :\n{log.read_text()[-3000:]}", file=sys.stderr)
            raise
        finally:
            stop(process)
    return 0


if __name__ == "__main__":
    sys.exit(main())
