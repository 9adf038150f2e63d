"""Settings, read from the environment in this one place."""
import os
import secrets
from pathlib import Path


def env_str(name, default=None):
    """Return the variable ``name``, or ``default`` when unset or blank."""
    value = os.environ.get(name, "").strip()
    return value or default


def env_int(name, default):
    """Return the variable ``name`` as an int; raise a clear error if it is not one."""
    value = env_str(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise RuntimeError(f"{name} must be a whole number, not {value!r}") from None


def env_bool(name, default=False):
    """Return the variable ``name`` as a bool (1/true/yes/on)."""
    value = env_str(name)
    if value is None:
        return default
    return value.lower() in {"1", "true", "yes", "on"}


def load_secret_key(instance_path):
    """Return ``SECRET_KEY``, or a generated key kept in ``instance/secret_key``.

    Creates the file on first use, readable by its owner only, so sessions
    survive restarts without anyone having to pick a key.
    """
    configured = env_str("SECRET_KEY")
    if configured:
        return configured
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def normalise_database_url(url):
    """Pick the psycopg 3 driver for plain ``postgres://`` URLs (as Heroku-style hosts give)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def from_environment(instance_path):
    """Build the app's settings mapping from the environment."""
    database_url = env_str("DATABASE_URL", f"sqlite:///{Path(instance_path) / 'tandem.sqlite'}")
    return {
        "SECRET_KEY": load_secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "REDIS_URL": env_str("REDIS_URL", "redis://127.0.0.1:6379/0"),
        # where messages go: an SMTP server, or .eml files in a folder a person can open
        "SMTP_URL": env_str("SMTP_URL"),
        # a private CA bundle for an internal mail relay's certificate; unset trusts the system's CAs
        "SMTP_CA_FILE": env_str("SMTP_CA_FILE"),
        "MAIL_FROM": env_str("MAIL_FROM", "Tandem <no-reply@tandem.localhost>"),
        "MAILBOX_DIR": env_str("MAILBOX_DIR", str(Path(instance_path) / "mailbox")),
        # the agency's mail domain for replies: each email to a citizen says "reply to
        # <MAIL_REPLY_LOCAL>+<the request's token>@<domain>"; unset, messages come from MAIL_FROM alone, as before
        "MAIL_REPLY_DOMAIN": env_str("MAIL_REPLY_DOMAIN"),
        "MAIL_REPLY_LOCAL": env_str("MAIL_REPLY_LOCAL", "requests"),
        # the agency's mailbox, read for replies and new requests: imaps://user:password@host/INBOX
        # (imap:// uses STARTTLS; ?tls=none only for a server on this machine); unset, no mailbox is read
        "INBOUND_IMAP_URL": env_str("INBOUND_IMAP_URL"),
        "INBOUND_IMAP_CA_FILE": env_str("INBOUND_IMAP_CA_FILE"),
        # taken messages move here; unset, they are marked seen where they are
        "INBOUND_IMAP_DONE_FOLDER": env_str("INBOUND_IMAP_DONE_FOLDER"),
        "INBOUND_IMAP_INTERVAL": env_int("INBOUND_IMAP_INTERVAL", 10),
        "INBOUND_IMAP_TIMEOUT": env_int("INBOUND_IMAP_TIMEOUT", 30),
        "INBOUND_IMAP_BATCH": env_int("INBOUND_IMAP_BATCH", 500),
        # photos sent while the database was away wait here (shared by every web process)
        "PARKED_PHOTOS_DIR": env_str("PARKED_PHOTOS_DIR", str(Path(instance_path) / "parked-photos")),
        # text messages go to a provider's webhook as signed JSON; unset means no SMS channel
        "SMS_WEBHOOK_URL": env_str("SMS_WEBHOOK_URL"),
        "SMS_WEBHOOK_SECRET": env_str("SMS_WEBHOOK_SECRET"),
        # absolute address used in links sent to citizens
        "PUBLIC_URL": env_str("PUBLIC_URL", "http://127.0.0.1:5000").rstrip("/"),
        "AGENCY_NAME": env_str("AGENCY_NAME", "City of Tandem"),
        "AGENCY_TIMEZONE": env_str("AGENCY_TIMEZONE", "UTC"),
        # ISO 4217: the currency costs are shown in (cost per staff minute, cost per request)
        "AGENCY_CURRENCY": env_str("AGENCY_CURRENCY", "USD"),
        # ISO 3166 country whose numbering a caller's phone number is read in when it has no +country code
        "AGENCY_COUNTRY": env_str("AGENCY_COUNTRY", "US"),
        # SLA clocks count opening hours only: "mon-fri 08:00-17:00; sat 09:00-12:00", or "always"
        "AGENCY_HOURS": env_str("AGENCY_HOURS", "mon-fri 08:00-17:00"),
        # public holidays from the `holidays` package (ISO country, optional state/province); blank for none
        "AGENCY_HOLIDAYS_COUNTRY": env_str("AGENCY_HOLIDAYS_COUNTRY", "US"),
        "AGENCY_HOLIDAYS_SUBDIVISION": env_str("AGENCY_HOLIDAYS_SUBDIVISION"),
        # the agency's own closed days, as ISO dates separated by commas or spaces
        "AGENCY_CLOSURES": env_str("AGENCY_CLOSURES", ""),
        # a case's effort estimate follows measured effort once this many similar cases have closed
        "ESTIMATE_MIN_SAMPLES": env_int("ESTIMATE_MIN_SAMPLES", 20),
        # personal data of requests resolved longer ago than this is removed; the case and its measures stay
        "RETENTION_DAYS": env_int("RETENTION_DAYS", 730),
        "LOG_LEVEL": env_str("LOG_LEVEL", "INFO"),
        # "json" (one object per line, for a log pipeline) or "text" (for a person at a terminal)
        "LOG_FORMAT": env_str("LOG_FORMAT", "json"),
        # the sweep looks at requests pending longer than this, and queues a job for those whose job Redis
        # no longer holds (a restarted Redis keeps nothing); a live job is left alone
        "TRIAGE_GRACE_SECONDS": env_int("TRIAGE_GRACE_SECONDS", 20),
        # after this many failed attempts a request waits on the supervisors' manual triage list
        "TRIAGE_MAX_ATTEMPTS": env_int("TRIAGE_MAX_ATTEMPTS", 5),
        # a job running longer is treated as abandoned (its worker died) and retried
        "TRIAGE_JOB_TIMEOUT": env_int("TRIAGE_JOB_TIMEOUT", 10),
        # a triage job also takes up to this many other waiting requests, in one transaction
        "TRIAGE_BATCH_SIZE": env_int("TRIAGE_BATCH_SIZE", 50),
        # a delivery takes well under a second; a mailer killed mid-send has its message sent again
        # once this plus 5 s have passed since it was claimed
        "DELIVERY_JOB_TIMEOUT": env_int("DELIVERY_JOB_TIMEOUT", 20),
        # how often each worker looks for jobs abandoned by dead workers, and its heartbeat TTL
        "WORKER_MAINTENANCE_SECONDS": env_int("WORKER_MAINTENANCE_SECONDS", 20),
        "WORKER_TTL_SECONDS": env_int("WORKER_TTL_SECONDS", 35),
        # the SLA watch warns this many hours before a resolution date
        "SLA_NEAR_BREACH_HOURS": env_int("SLA_NEAR_BREACH_HOURS", 4),
        # the supervisors' digest goes out once a day from this hour, agency time
        "DIGEST_HOUR": env_int("DIGEST_HOUR", 7),
        # a new request is a likely duplicate of an open one for the same service this close, this recent
        "DUPLICATE_RADIUS_METERS": env_int("DUPLICATE_RADIUS_METERS", 150),
        "DUPLICATE_WINDOW_DAYS": env_int("DUPLICATE_WINDOW_DAYS", 14),
        "NOTIFICATION_GRACE_SECONDS": env_int("NOTIFICATION_GRACE_SECONDS", 20),
        # /readyz answers 503 once a request waits this long for triage (no worker running)
        "READY_MAX_PENDING_TRIAGE_SECONDS": env_int("READY_MAX_PENDING_TRIAGE_SECONDS", 600),
        # ... or once a message waits this long in the outbox (delivery stopped)
        "READY_MAX_UNSENT_NOTIFICATION_SECONDS": env_int("READY_MAX_UNSENT_NOTIFICATION_SECONDS", 1800),
        "SESSION_COOKIE_SECURE": env_bool("SESSION_COOKIE_SECURE", False),
        # a staff session ends after this long without a request, and this long after sign-in at most
        "STAFF_IDLE_MINUTES": env_int("STAFF_IDLE_MINUTES", 30),
        "STAFF_SESSION_HOURS": env_int("STAFF_SESSION_HOURS", 12),
        # roles that must use two-step sign-in (TOTP), comma separated, e.g. "supervisor,admin"
        "TOTP_REQUIRED_ROLES": env_str("TOTP_REQUIRED_ROLES", ""),
        # failed sign-ins allowed per minute from one address for one account, and from one address
        "LOGIN_RATE_LIMIT": env_str("LOGIN_RATE_LIMIT", "5 per minute"),
        "LOGIN_ADDRESS_RATE_LIMIT": env_str("LOGIN_ADDRESS_RATE_LIMIT", "30 per minute"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        # tell browsers to use HTTPS only, for two years; turn on once the site is HTTPS-only
        "HSTS_ENABLED": env_bool("HSTS_ENABLED", False),
        # how many proxies (load balancer, ingress) sit in front: their X-Forwarded-For/-Proto are trusted
        "PROXY_HOPS": env_int("PROXY_HOPS", 0),
        # the whole body: three 5 MB photos and the form; form fields alone are capped below
        # three phone photos of the largest size accepted, and the form: a photo too large is refused beside its field
        "MAX_CONTENT_LENGTH": env_int("MAX_CONTENT_LENGTH", 64 * 1024 * 1024),
        "MAX_FORM_MEMORY_SIZE": env_int("MAX_FORM_MEMORY_SIZE", 512 * 1024),
        "WTF_CSRF_TIME_LIMIT": None,
        # rate limits (Flask-Limiter notation) on public endpoints, counted in Redis
        "RATELIMIT_ENABLED": env_bool("RATELIMIT_ENABLED", True),
        "SUBMISSION_RATE_LIMIT": env_str("SUBMISSION_RATE_LIMIT", "20 per minute;200 per hour"),
        # the open data's licence: ODC-PDDL-1.0 (public domain), CC0-1.0, CC-BY-4.0 or ODC-BY-1.0
        "OPEN_DATA_LICENSE": env_str("OPEN_DATA_LICENSE", "ODC-PDDL-1.0"),
        # the performance page and open data, per address: a person reading, a script downloading each day
        "PUBLIC_DATA_RATE_LIMIT": env_str("PUBLIC_DATA_RATE_LIMIT", "60 per minute;1000 per hour"),
        # staff API calls without a valid token, per address: enough to read the error, too few to guess tokens
        "API_ANONYMOUS_PER_MINUTE": env_int("API_ANONYMOUS_PER_MINUTE", 30),
        "RATELIMIT_STORAGE_URI": env_str("RATELIMIT_STORAGE_URI"),
        # a limit that cannot be counted is not enforced: citizens are never refused for our outage
        "RATELIMIT_SWALLOW_ERRORS": True,
        "RATELIMIT_STORAGE_OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        "RATELIMIT_HEADERS_ENABLED": True,
    }
