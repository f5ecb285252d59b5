"""Benchmark of Préau's CAS server beside django-mama-cas, both under gunicorn with the same settings.

    python bench/cas.py                          # 20 users, 600 cycles over 4 threads, SQLite for both
    python bench/cas.py --users 50 --cycles 2000 --threads 8
    python bench/cas.py --database-url postgresql+psycopg://postgres@127.0.0.1:5433/  # PostgreSQL for both
    python bench/cas.py --smoke                  # a tiny run of Préau only (the tests use it)

One cycle is what a CAS service costs its server: a logged-in browser asks ``/cas/login?service=…`` and gets
redirected with a fresh service ticket, then the service validates it at ``/cas/p3/serviceValidate`` (with
attributes: login and names). In one run, on loopback only:
1. Préau: a fresh database (SQLite file, or a new PostgreSQL database under ``--database-url``) gets one school,
   one enabled CAS connector (Folios) and N students; gunicorn serves ``preau.wsgi:application``;
2. mama-cas 2.5: its own virtual environment under /tmp (created once with pip: django-mama-cas, Django,
   gunicorn), a minimal Django project with the same N users and a service pattern for the same URL; gunicorn
   serves it with the same options (2 sync workers, no access log) on the same kind of database;
3. every user logs in once through the server's form (not measured), then the threads run the cycles; each
   server is measured alone, after a warm-up. Printed: cycles/s, p50 / p95 of the ticket issue and of the
   validation, and the throughput ratio Préau / mama-cas.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import requests

WORKERS = 2
PASSWORD = "Bench-cas-42"  # noqa: S105 - the password of the benchmark's throwaway accounts
SERVICE = "https://folios.onisep.fr/bench"
VENV = Path(tempfile.gettempdir()) / "preau-bench-cas-venv"
MAMA_CAS = ["django-mama-cas==2.5.*", "Django>=4.2,<5.1", "gunicorn>=22"]
GUNICORN_OPTIONS = ["--workers", str(WORKERS), "--worker-class", "sync", "--timeout", "60"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def wait_until_up(process: subprocess.Popen, url: str, log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn s'est arrêté au démarrage :\n{log.read_text()[-3000:]}")
        try:
            if requests.get(url, timeout=10).status_code < 500:
                return
        except (requests.ConnectionError, requests.Timeout):
            pass
        time.sleep(0.2)
    stop(process)
    raise SystemExit(f"gunicorn n'a pas répondu en 90 s :\n{log.read_text()[-3000:]}")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def fresh_database(base_url: str | None, tmp: Path, name: str) -> str:
    """A SQLite file, or a new empty PostgreSQL database named ``name`` on the server of ``base_url``."""
    if not base_url:
        return f"sqlite:///{tmp / (name + '.db')}"
    from sqlalchemy import create_engine, text

    server = base_url.rsplit("/", 1)[0]
    engine = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return f"{server}/{name}"


# -- Préau -----------------------------------------------------------------------------------------------


def seed_preau(url: str, users: int) -> list[str]:
    """One school, a Folios CAS connector for students (login and names released), ``users`` students."""
    from preau.accounts import activate_with_password
    from preau.app import create_app
    from preau.auth.passwords import hash_password
    from preau.db import db_session
    from preau.directory.structures import create_structure
    from preau.directory.users import add_role, create_user
    from preau.migrate import upgrade
    from preau.models import StructureKind
    from preau.portal.services import add_connector, configure_connector

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": secrets.token_urlsafe(32)})
    upgrade(app.extensions["preau.engine"], app.extensions["preau.plugins"])
    logins = []
    with app.app_context():
        session = db_session()
        school = create_structure(session, "Collège du banc d'essai", StructureKind.COLLEGE, uai="0759999Z")
        password_hash = hash_password(PASSWORD)
        for number in range(users):
            user = create_user(session, first_name="Élève", last_name=f"Numéro {number}", login=f"eleve.{number}")
            activate_with_password(session, user, password_hash)
            add_role(session, user, school, "student")
            logins.append(user.login)
        connector = add_connector(session, school, "folios")
        configure_connector(session, connector, values={}, secrets={}, profiles=["student"], enabled=True,
                            attributes=["login", "display_name", "first_name", "last_name"])
        session.commit()
    app.extensions["preau.engine"].dispose()
    return logins


def start_preau(url: str, tmp: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "PREAU_INSTANCE_DIR": str(tmp), "PREAU_DATABASE_URL": url, "PREAU_ENV": "production",
           "PREAU_SECRET_KEY": secrets.token_urlsafe(48), "PREAU_COOKIE_SECURE": "0"}
    log = tmp / "gunicorn-preau.log"
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", *GUNICORN_OPTIONS, "--bind", f"127.0.0.1:{port}",
                                "preau.wsgi:application"], env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    wait_until_up(process, f"http://127.0.0.1:{port}/auth/login", log)
    return process


def preau_login(base: str, login: str) -> requests.Session:
    client = requests.Session()
    token = client.get(f"{base}/auth/csrf-token", timeout=30).json()["csrf_token"]
    answer = client.post(f"{base}/cas/login", params={"service": SERVICE}, allow_redirects=False, timeout=30,
                         data={"login": login, "password": PASSWORD, "csrf_token": token})
    if answer.status_code != 302:
        raise RuntimeError(f"Préau : connexion de {login} refusée (HTTP {answer.status_code})")
    return client


# -- mama-cas --------------------------------------------------------------------------------------------

DJANGO_SETTINGS = '''
import os
SECRET_KEY = {secret!r}
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "django.contrib.sessions",
                  "django.contrib.messages", "mama_cas"]
MIDDLEWARE = ["django.contrib.sessions.middleware.SessionMiddleware", "django.middleware.common.CommonMiddleware",
              "django.middleware.csrf.CsrfViewMiddleware", "django.contrib.auth.middleware.AuthenticationMiddleware",
              "django.contrib.messages.middleware.MessageMiddleware"]
ROOT_URLCONF = "benchcas.urls"
TEMPLATES = [{{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True,
              "OPTIONS": {{"context_processors": ["django.template.context_processors.request",
                                                 "django.contrib.auth.context_processors.auth",
                                                 "django.contrib.messages.context_processors.messages"]}}}}]
DATABASES = {{"default": {database}}}
USE_TZ = True
# Seeding speed only: the measured cycle never checks a password.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAMA_CAS_SERVICES = [{{"SERVICE": r"^https://folios\\.onisep\\.fr/",
                      "CALLBACKS": ["mama_cas.callbacks.user_name_attributes"]}}]
'''


def _django_database(url: str, tmp: Path) -> str:
    if url.startswith("sqlite"):
        return repr({"ENGINE": "django.db.backends.sqlite3", "NAME": url.split("///", 1)[1]})
    parts = urlsplit(url.replace("postgresql+psycopg", "postgresql"))
    return repr({"ENGINE": "django.db.backends.postgresql", "NAME": parts.path.lstrip("/"),
                 "USER": parts.username or "postgres", "HOST": parts.hostname, "PORT": str(parts.port or 5432)})


def ensure_venv(postgres: bool) -> Path:
    python = VENV / "bin" / "python"
    wanted = [*MAMA_CAS, *(["psycopg[binary]>=3.1"] if postgres else [])]
    probe = "import mama_cas, django, gunicorn" + (", psycopg" if postgres else "")
    if python.exists() and subprocess.run([str(python), "-c", probe], capture_output=True).returncode == 0:
        return python
    subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", *wanted], check=True)
    return python


def setup_mama_cas(python: Path, url: str, tmp: Path, users: int) -> tuple[Path, list[str]]:
    project = tmp / "mamacas"
    package = project / "benchcas"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "settings.py").write_text(DJANGO_SETTINGS.format(secret=secrets.token_urlsafe(40),
                                                                database=_django_database(url, tmp)))
    (package / "urls.py").write_text('from django.urls import include, path\n'
                                     'urlpatterns = [path("cas/", include("mama_cas.urls"))]\n')
    (package / "wsgi.py").write_text('import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchcas.settings")\n'
                                     'from django.core.wsgi import get_wsgi_application\n'
                                     'application = get_wsgi_application()\n')
    logins = [f"eleve.{number}" for number in range(users)]
    seed = ("import django, os, sys\nos.environ['DJANGO_SETTINGS_MODULE'] = 'benchcas.settings'\ndjango.setup()\n"
            "from django.core.management import call_command\ncall_command('migrate', verbosity=0)\n"
            "from django.contrib.auth.models import User\n"
            f"User.objects.bulk_create([User(username=f'eleve.{{n}}', first_name='Élève', last_name=f'Numéro {{n}}',"
            f" password=__import__('django.contrib.auth.hashers', fromlist=['x']).make_password({PASSWORD!r}))"
            f" for n in range({users})])\n")
    subprocess.run([str(python), "-c", seed], cwd=project, check=True)
    return project, logins


def start_mama_cas(python: Path, project: Path, tmp: Path, port: int) -> subprocess.Popen:
    log = tmp / "gunicorn-mamacas.log"
    process = subprocess.Popen([str(python), "-m", "gunicorn", *GUNICORN_OPTIONS, "--bind", f"127.0.0.1:{port}",
                                "benchcas.wsgi:application"], cwd=project, stdout=log.open("w"),
                               stderr=subprocess.STDOUT)
    wait_until_up(process, f"http://127.0.0.1:{port}/cas/login", log)
    return process


def mama_cas_login(base: str, login: str) -> requests.Session:
    client = requests.Session()
    page = client.get(f"{base}/cas/login", params={"service": SERVICE}, timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    answer = client.post(f"{base}/cas/login", params={"service": SERVICE}, allow_redirects=False, timeout=30,
                         data={"username": login, "password": PASSWORD, "csrfmiddlewaretoken": token},
                         headers={"Referer": f"{base}/cas/login"})
    if answer.status_code != 302:
        raise RuntimeError(f"mama-cas : connexion de {login} refusée (HTTP {answer.status_code})")
    return client


# -- the measured cycle ----------------------------------------------------------------------------------


def cycle(base: str, client: requests.Session, validator: requests.Session, login: str) -> tuple[float, float]:
    started = time.perf_counter()
    answer = client.get(f"{base}/cas/login", params={"service": SERVICE}, allow_redirects=False, timeout=30)
    issued = time.perf_counter()
    location = answer.headers.get("Location", "")
    ticket = parse_qs(urlsplit(location).query).get("ticket", [""])[0]
    if answer.status_code != 302 or not ticket.startswith("ST-"):
        raise RuntimeError(f"pas de ticket pour {login} : HTTP {answer.status_code} {location[:100]}")
    checked = validator.get(f"{base}/cas/p3/serviceValidate", params={"service": SERVICE, "ticket": ticket},
                            timeout=30)
    done = time.perf_counter()
    if f"<cas:user>{login}</cas:user>" not in checked.text:
        raise RuntimeError(f"validation refusée pour {login} : {checked.text[:300]}")
    return issued - started, done - issued


def measure(base: str, clients: list[tuple[str, requests.Session]], cycles: int, threads: int) -> dict:
    validators = [requests.Session() for _ in range(threads)]

    def run(index: int) -> tuple[float, float]:
        login, client = clients[index % len(clients)]
        return cycle(base, client, validators[index % threads], login)

    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(run, range(min(cycles, 4 * threads))))  # warm-up
        started = time.perf_counter()
        timings = list(pool.map(run, range(cycles)))
        wall = time.perf_counter() - started
    issue, validate = [t[0] for t in timings], [t[1] for t in timings]
    return {"rate": cycles / wall, "wall": wall,
            "issue": (percentile(issue, 0.5) * 1000, percentile(issue, 0.95) * 1000),
            "validate": (percentile(validate, 0.5) * 1000, percentile(validate, 0.95) * 1000)}


def report(name: str, result: dict, cycles: int) -> None:
    print(f"{name} : {cycles} cycles en {result['wall']:.2f} s → {result['rate']:.1f} cycles/s ; "
          f"émission du ticket p50 {result['issue'][0]:.1f} ms, p95 {result['issue'][1]:.1f} ms ; "
          f"p3/serviceValidate p50 {result['validate'][0]:.1f} ms, p95 {result['validate'][1]:.1f} ms")


def run_server(name: str, start, login, base_port: int, logins: list[str], args) -> dict:
    process = start(base_port)
    base = f"http://127.0.0.1:{base_port}"
    try:
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            clients = list(pool.map(lambda user: (user, login(base, user)), logins))
        result = measure(base, clients, args.cycles, args.threads)
    except RuntimeError:
        log = sorted(Path(tempfile.gettempdir()).glob("preau-bench-cas-*/gunicorn-*.log"))
        print("".join(path.read_text()[-3000:] for path in log), file=sys.stderr)
        raise
    finally:
        stop(process)
    report(name, result, args.cycles)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--cycles", type=int, default=600)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--database-url", help="a PostgreSQL server URL: both servers get a fresh database there")
    parser.add_argument("--smoke", action="store_true", help="a tiny run of Préau only")
    args = parser.parse_args()
    if args.smoke:
        args.users, args.cycles, args.threads = 2, 10, 2

    with tempfile.TemporaryDirectory(prefix="preau-bench-cas-") as tmp_name:  # noqa: SIM117
        tmp = Path(tmp_name)
        kind = "PostgreSQL" if args.database_url else "SQLite"
        print(f"gunicorn : {WORKERS} workers synchrones pour chaque serveur ; base {kind} ; {args.users} "
              f"utilisateurs, {args.cycles} cycles (GET /cas/login → ticket, puis /cas/p3/serviceValidate) "
              f"sur {args.threads} fils")
        preau_url = fresh_database(args.database_url, tmp, "preau_bench_cas")
        logins = seed_preau(preau_url, args.users)
        preau = run_server("Préau", lambda port: start_preau(preau_url, tmp, port), preau_login, free_port(),
                           logins, args)
        if args.smoke:
            print("mode --smoke : mama-cas non mesuré")
            return 0
        python = ensure_venv(bool(args.database_url))
        mama_url = fresh_database(args.database_url, tmp, "mamacas_bench_cas")
        project, mama_logins = setup_mama_cas(python, mama_url, tmp, args.users)
        mama = run_server("django-mama-cas 2.5", lambda port: start_mama_cas(python, project, tmp, port),
                          mama_cas_login, free_port(), mama_logins, args)
        print(f"ratio Préau / mama-cas (cycles/s) : {preau['rate'] / mama['rate']:.2f} (objectif ≥ 1,0)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
