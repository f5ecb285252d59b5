"""How many password guesses an attacker gets against one account under the login throttling policy.

    python bench/login_guesses.py                 # the schedule over a year, and 6 simulated hours against the app
    python bench/login_guesses.py --hours 24      # a longer run against the app
    python bench/login_guesses.py --smoke         # what the tests run (1 simulated hour)

1. **The schedule** (``ThrottlePolicy.delay_after``, the defaults of ``config.py``): an attacker guessing from
   unknown browsers as fast as allowed — each guess as soon as the running delay ends. Printed: guesses in the
   first hour, the first day, per hour once the delays are at their cap, per day and per year; the same when
   the attacker's address is busy (no free failures); and, for password spraying from one address, the total
   over many accounts (the per-address limit removes free failures, it does not cap the total: the Argon2
   cost of each check and the per-account delays do).
2. **Against the application** (a Flask app on a temporary SQLite file, one account, the test client): the
   same attacker posts wrong passwords to ``/auth/login``; on each 429 the clock is moved forward by the
   ``Retry-After`` the app answered (every stored attempt is moved back in time), so hours are simulated in
   seconds. The count of guesses the app really checked must match the schedule.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from preau.app import create_app
from preau.auth.throttle import ThrottlePolicy
from preau.config import from_environment
from preau.db import make_engine
from preau.migrate import upgrade
from preau.models import LoginAttempt
from preau.testing import PreauClient, build_school

HOUR = 3600


def schedule(policy: ThrottlePolicy, seconds: int, busy_address: bool = False) -> list[float]:
    """The times (in seconds from the first guess) of every guess an attacker gets in ``seconds``."""
    free = 0 if busy_address else None
    memory = policy.memory.total_seconds()
    guesses: list[float] = []
    now = 0.0
    while now < seconds:
        remembered = [at for at in guesses if at >= now - memory]
        allowed = remembered[-1] + policy.delay_after(len(remembered), free) if remembered else now
        if allowed > now:
            now = allowed
            continue
        if now >= seconds:
            break
        guesses.append(now)
        now += 1.0  # one second per guess (the hash and the round trip)
    return [at for at in guesses if at < seconds]


def _count(guesses: list[float], start: float, end: float) -> int:
    return sum(1 for at in guesses if start <= at < end)


def print_schedule(policy: ThrottlePolicy) -> dict[str, float]:
    days = 3
    guesses = schedule(policy, days * 24 * HOUR)
    first_hour, first_day = _count(guesses, 0, HOUR), _count(guesses, 0, 24 * HOUR)
    steady_day = _count(guesses, 24 * HOUR, 48 * HOUR)
    busy = schedule(policy, 24 * HOUR, busy_address=True)
    print(f"Politique : {policy.free_failures} échecs gratuits, puis "
          f"{policy.first_delay.total_seconds():g} s × 2^n, plafond {policy.max_delay.total_seconds() / 60:g} min, "
          f"mémoire {policy.memory.total_seconds() / HOUR:g} h ; "
          f"adresse chargée au-delà de {policy.max_per_ip} échecs / {policy.ip_window.total_seconds() / 60:g} min")
    print("Un compte, navigateurs inconnus (calendrier de la politique) :")
    print(f"  essais la première heure                    {first_hour:6d}")
    print(f"  essais le premier jour                      {first_day:6d}")
    print(f"  essais par heure au plafond                 {steady_day / 24:9.2f}")
    print(f"  essais par jour au plafond                  {steady_day:6d}")
    print(f"  essais par an                               {steady_day * 365:6d}")
    print(f"  depuis une adresse chargée : 1re heure {_count(busy, 0, HOUR)}, 1er jour {len(busy)}")
    print("  un navigateur connu du titulaire : jamais ralenti par ces échecs (budget propre)")
    accounts = 1000
    print(f"Pulvérisation depuis une adresse sur {accounts} comptes : {accounts * len(busy):,} essais le premier jour "
          f"(≤ {len(busy)} par compte ; chacun coûte une vérification Argon2 au serveur)")
    return {"first_hour": first_hour, "first_day": first_day, "per_hour": steady_day / 24}


def against_the_app(policy_hours: float) -> tuple[int, int]:
    """Guesses the application checked (401) in ``policy_hours`` simulated hours, and the schedule's count."""
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{Path(directory) / 'guesses.db'}"
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-only", "PRODUCTION": False, "TESTING": True,
                          "JOBS_INLINE_WORKER": False})
        engine = make_engine(url)
        upgrade(engine, app.extensions["preau.plugins"])
        with app.app_context(), Session(engine, expire_on_commit=False) as session:
            login = build_school(session).parent.login
            session.commit()
        app.test_client_class = PreauClient
        client = app.test_client()
        elapsed, checked, started = 0.0, 0, time.perf_counter()
        while elapsed < policy_hours * HOUR:
            response = client.post_form("/auth/login", {"login": login, "password": "devine-1"})
            if response.status_code == 401:
                checked += 1
                step = 1.0
            elif response.status_code == 429:
                step = float(response.headers["Retry-After"])
            else:
                raise RuntimeError(f"réponse inattendue : HTTP {response.status_code}")
            elapsed += step
            with Session(engine) as session:  # time passes: every attempt happened ``step`` seconds earlier
                for attempt in session.scalars(select(LoginAttempt)):
                    attempt.at -= timedelta(seconds=step)  # in Python: SQLite has no arithmetic on its timestamps
                session.commit()
        engine.dispose()
        app.extensions["preau.engine"].dispose()
        expected = len(schedule(ThrottlePolicy.from_config(app.config), int(policy_hours * HOUR)))
        print(f"Contre l'application ({policy_hours:g} h simulées en {time.perf_counter() - started:.1f} s) : "
              f"{checked} mots de passe vérifiés, calendrier : {expected}")
        return checked, expected


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, default=6.0, help="heures simulées contre l'application")
    parser.add_argument("--smoke", action="store_true", help="une heure simulée (pour les tests)")
    args = parser.parse_args()
    print_schedule(ThrottlePolicy.from_config(from_environment({"DATABASE_URL": "sqlite://", "SECRET_KEY": "x"})))
    checked, expected = against_the_app(1.0 if args.smoke else args.hours)
    # The app and the schedule differ by at most a guess or two (whole seconds of Retry-After, one more request).
    agrees = abs(checked - expected) <= 2
    print(f"  l'application suit le calendrier : {'oui' if agrees else 'NON'}")
    return 0 if agrees else 1


if __name__ == "__main__":
    sys.exit(main())
