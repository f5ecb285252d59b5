"""Configuration from the environment, 12-factor style. A missing production secret stops the start."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from .errors import PreauError


class ConfigError(PreauError, RuntimeError):
    """A setting missing or invalid at start: the platform cannot run (500, the message is for operators)."""

    status = 500


def instance_dir() -> Path:
    path = Path(os.environ.get("PREAU_INSTANCE_DIR", "instance")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def _dev_secret(directory: Path) -> str:
    # Development and demo only: a random key kept beside the SQLite file so sessions survive a restart.
    key_file = directory / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(48))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _list(value: str | None) -> list[str]:
    return [item.strip() for item in (value or "").split(",") if item.strip()]


def from_environment(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    env = os.environ
    overrides = overrides or {}
    production = overrides.get("PRODUCTION", env.get("PREAU_ENV", "development") == "production")
    config: dict[str, Any] = {
        "PRODUCTION": production,
        "DATABASE_URL": env.get("PREAU_DATABASE_URL"),
        "SECRET_KEY": env.get("PREAU_SECRET_KEY"),
        # The site's public address (https://ent.exemple.fr): the issuer of LTI 1.3 and OpenID tokens. Without
        # it the issuer comes from the request's Host header, which only a trusted reverse proxy makes safe.
        "LTI13_ISSUER": env.get("PREAU_LTI13_ISSUER") or env.get("PREAU_PUBLIC_URL"),
        "OIDC_ISSUER": env.get("PREAU_OIDC_ISSUER") or env.get("PREAU_PUBLIC_URL"),
        # The Origin check of state-changing requests compares with it (core/origin.py).
        "PUBLIC_URL": env.get("PREAU_PUBLIC_URL"),
        # Fernet keys encrypting secrets stored in the database (core/crypto.py); first one encrypts.
        "DATA_KEYS": env.get("PREAU_DATA_KEYS"),
        "PLUGINS_EXTRA": _list(env.get("PREAU_PLUGINS_EXTRA")),
        "PLUGINS_DENY": _list(env.get("PREAU_PLUGINS_DENY")),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # Secure cookies in production; PREAU_COOKIE_SECURE=0 only for plain-HTTP benchmarks on loopback.
        "SESSION_COOKIE_SECURE": production and env.get("PREAU_COOKIE_SECURE", "1") == "1",
        "REMEMBER_COOKIE_SECURE": production and env.get("PREAU_COOKIE_SECURE", "1") == "1",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=int(env.get("PREAU_SESSION_HOURS", "12"))),
        "BABEL_DEFAULT_LOCALE": "fr",
        # Times are stored in naive UTC and shown in the schools' time zone (PREAU_TIMEZONE for overseas académies).
        "BABEL_DEFAULT_TIMEZONE": env.get("PREAU_TIMEZONE", "Europe/Paris"),
        "LANGUAGES": ("fr", "en"),
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
        "MAX_CONTENT_LENGTH": int(env.get("PREAU_MAX_UPLOAD_MB", "60")) * 1024 * 1024,
        # Uploaded images (preau.check_upload): pixel limits read from the header, before any browser decodes them.
        "UPLOAD_MAX_IMAGE_PIXELS": int(env.get("PREAU_UPLOAD_MAX_IMAGE_MEGAPIXELS", "40")) * 1_000_000,
        "UPLOAD_MAX_IMAGE_SIDE": int(env.get("PREAU_UPLOAD_MAX_IMAGE_SIDE", "10000")),
        # Login throttling (core/auth/throttle.py): per account and budget, free failures then delays doubling
        # from the first delay up to the cap, failures forgotten after the memory; per address, a limit of failures
        # in the window above which unknown browsers there get no free failure (it never refuses by itself).
        "THROTTLE_FREE_FAILURES": int(env.get("PREAU_THROTTLE_LOGIN", "5")),
        "THROTTLE_FIRST_DELAY_SECONDS": int(env.get("PREAU_THROTTLE_FIRST_DELAY_SECONDS", "60")),
        "THROTTLE_MAX_DELAY_MINUTES": int(env.get("PREAU_THROTTLE_MAX_DELAY_MINUTES", "30")),
        "THROTTLE_MEMORY_HOURS": int(env.get("PREAU_THROTTLE_MEMORY_HOURS", "24")),
        "THROTTLE_MAX_PER_IP": int(env.get("PREAU_THROTTLE_IP", "200")),
        "THROTTLE_WINDOW_MINUTES": int(env.get("PREAU_THROTTLE_MINUTES", "15")),
        "PROXY_FIX": env.get("PREAU_PROXY_FIX") == "1",
        "API_TITLE": "Préau API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        # Background jobs and e-mail (core/jobs.py, core/mail.py)
        "SMTP_URL": env.get("PREAU_SMTP_URL"),  # smtp://, smtps://, smtp+starttls://user:pass@host:port
        "MAIL_FROM": env.get("PREAU_MAIL_FROM", "Préau <no-reply@localhost>"),
        "SMTP_TIMEOUT": float(env.get("PREAU_SMTP_TIMEOUT", "10")),
        # The marketplace's plugin index: a file path or an http(s) URL; the shipped sample by default.
        "PLUGIN_INDEX": env.get("PREAU_PLUGIN_INDEX"),
        "JOBS_MAX_ATTEMPTS": int(env.get("PREAU_JOBS_MAX_ATTEMPTS", "5")),
        "JOBS_RETRY_SECONDS": int(env.get("PREAU_JOBS_RETRY_SECONDS", "30")),  # doubled at each retry
        "JOBS_POLL_SECONDS": float(env.get("PREAU_JOBS_POLL_SECONDS", "5")),
        # A running job renews its lease at each progress report: a dead worker is noticed within the lease.
        "JOBS_LEASE_SECONDS": int(env.get("PREAU_JOBS_LEASE_SECONDS", "120")),
        # Zip archives given to imports (preau.open_zip): checked before anything is extracted.
        "ZIP_MAX_MEMBERS": int(env.get("PREAU_ZIP_MAX_MEMBERS", "1000")),
        "ZIP_MAX_TOTAL_BYTES": int(env.get("PREAU_ZIP_MAX_TOTAL_BYTES", str(2 * 1024**3))),
        "ZIP_MAX_MEMBER_BYTES": int(env.get("PREAU_ZIP_MAX_MEMBER_BYTES", str(1024**3))),
        "ZIP_MAX_RATIO": int(env.get("PREAU_ZIP_MAX_RATIO", "100")),
        # Accounts missing from a feed: pending deletion, then pre-deleted (export only), then deleted.
        "LIFECYCLE_PENDING_DAYS": int(env.get("PREAU_LIFECYCLE_PENDING_DAYS", "30")),
        "LIFECYCLE_PRE_DELETED_DAYS": int(env.get("PREAU_LIFECYCLE_PRE_DELETED_DAYS", "90")),
        "DATA_EXPORT_DAYS": int(env.get("PREAU_DATA_EXPORT_DAYS", "7")),
        # Administrators must set up a TOTP second factor before any administration page opens.
        "ADMIN_TOTP_REQUIRED": env.get("PREAU_ADMIN_TOTP_REQUIRED") == "1",
    }
    config.update(overrides)
    if "JOBS_INLINE_WORKER" not in config:
        # A worker thread in the web process in development and demo; production runs `preau jobs run`,
        # tests run jobs synchronously (preau.testing.run_jobs).
        default = "0" if production or config.get("TESTING") else "1"
        config["JOBS_INLINE_WORKER"] = env.get("PREAU_JOBS_INLINE_WORKER", default) == "1"
    if not config["DATABASE_URL"]:
        if production:
            raise ConfigError("PREAU_DATABASE_URL est obligatoire en production.")
        config["DATABASE_URL"] = f"sqlite:///{instance_dir() / 'preau.db'}"
    if not config["SECRET_KEY"]:
        if production:
            raise ConfigError("PREAU_SECRET_KEY est obligatoire en production (une longue chaîne aléatoire).")
        config["SECRET_KEY"] = _dev_secret(instance_dir())
    return config


def secret_values(config: Any) -> tuple[str, ...]:
    """The secrets held inside the configuration's values (the password of ``PREAU_SMTP_URL``), to mask wherever
    an error could show them: a job's last error, the log."""
    try:
        password = urlsplit(config.get("SMTP_URL") or "").password
    except ValueError:
        return ()
    return (unquote(password),) if password else ()
