"""Django settings. Everything that differs between installations comes from the environment."""

import os
from importlib.util import find_spec
from pathlib import Path

from plm.dburl import parse_database_url, sqlite_config
from plm.edge import FORM_ROOM, parse_networks

BASE_DIR = Path(os.environ.get("PLM_HOME", Path.cwd()))
VAR_DIR = Path(os.environ.get("PLM_VAR_DIR", BASE_DIR / "var"))

# Django's debug pages (tracebacks and settings to whoever triggers an error) only on an
# explicit development switch; PLM_DEBUG=1 only makes the CLI print tracebacks (plm.cli.runtime).
DEBUG = os.environ.get("PLM_DJANGO_DEBUG", "") == "1"


def _secret_key() -> str:
    """PLM_SECRET_KEY; else a random key kept in var/secret_key (one host). Several web hosts
    must share PLM_SECRET_KEY (docs/deployment.md)."""
    if os.environ.get("PLM_SECRET_KEY"):
        return os.environ["PLM_SECRET_KEY"]
    import secrets

    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [
    h for h in os.environ.get("PLM_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h
]

# django-ninja's templates and static files (its Swagger UI), found without importing it: as an
# installed app it would be imported by every `plm` command (~0.1 s with pydantic); the API
# modules import it when the URL conf loads. plm.api.main renders its docs page from these.
_ninja = find_spec("ninja")
assert _ninja is not None and _ninja.origin is not None, "django-ninja is not installed"
NINJA_DIR = Path(_ninja.origin).parent

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "plm.directory",
    "plm.licensing",
    "plm.audit",
    "plm.imports",
    "plm.web",
    "plm.api",
    "plm.identity",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "csp",
]

# Background imports: django-tasks with its database backend (workers on any host share it).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# A refused form gets the site's page (nothing changed, what to do), not Django's bare one.
CSRF_FAILURE_VIEW = "plm.urls.csrf_failure"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "plm.api.middleware.JsonApiErrorsMiddleware",
    "plm.web.middleware.RejectNulBytesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]

# Every way to set a password checks these (plm users set-password, plm demo-data's
# PLM_DEMO_PASSWORD): at least 12 characters, not a common one, not like the user's name or
# email, not all digits.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # login throttling first
    "plm.identity.backends.PasswordBackend",  # Django's ModelBackend + PLM_PASSWORD_LOGIN
]

# Single sign-on with OpenID Connect (docs/identity.md): on when PLM_OIDC_ISSUER is set. The
# provider's endpoints come from its discovery document ({issuer}/.well-known/openid-configuration).
PLM_OIDC_ISSUER = os.environ.get("PLM_OIDC_ISSUER", "").strip().rstrip("/")
PLM_OIDC_NAME = os.environ.get("PLM_OIDC_NAME", "").strip() or "single sign-on"
PLM_OIDC_USERNAME_CLAIM = os.environ.get("PLM_OIDC_USERNAME_CLAIM", "").strip() or (
    "preferred_username"
)
# 1: a sign-in by someone PLM does not know creates a user, without any role.
PLM_OIDC_CREATE_USERS = os.environ.get("PLM_OIDC_CREATE_USERS", "") == "1"
PLM_OIDC_LEEWAY_SECONDS = int(os.environ.get("PLM_OIDC_LEEWAY_SECONDS", "60"))
# all: everyone may sign in with a password; sysadmins: only system administrators (break-glass).
PLM_PASSWORD_LOGIN = os.environ.get("PLM_PASSWORD_LOGIN", "all").strip() or "all"
if PLM_PASSWORD_LOGIN not in ("all", "sysadmins"):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("PLM_PASSWORD_LOGIN must be 'all' or 'sysadmins'.")
OIDC_TIMEOUT = 10
if PLM_OIDC_ISSUER:
    AUTHENTICATION_BACKENDS.append("plm.identity.oidc.OIDCBackend")
    OIDC_RP_CLIENT_ID = os.environ.get("PLM_OIDC_CLIENT_ID", "")
    OIDC_RP_CLIENT_SECRET = os.environ.get("PLM_OIDC_CLIENT_SECRET", "")
    OIDC_RP_SCOPES = os.environ.get("PLM_OIDC_SCOPES", "").strip() or "openid email profile"
    OIDC_RP_SIGN_ALGO = os.environ.get("PLM_OIDC_SIGN_ALGO", "").strip() or "RS256"
    OIDC_USE_NONCE = True
    OIDC_USE_PKCE = True
    OIDC_STORE_ID_TOKEN = True  # for RP-initiated logout (id_token_hint)
    OIDC_CREATE_USER = PLM_OIDC_CREATE_USERS
# Five failed logins for one user name from one address lock that pair out for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("PLM_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "web/locked_out.html"

# Content Security Policy: nothing inline, nothing from elsewhere (htmx is configured by its
# meta tag; no hx-on attributes; its indicator styles are in our CSS).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}

if PLM_OIDC_ISSUER:
    # Logging out (a form) redirects to the provider's end-session endpoint: allowed origin.
    from urllib.parse import urlsplit as _urlsplit

    _idp = _urlsplit(PLM_OIDC_ISSUER)
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append(f"{_idp.scheme}://{_idp.netloc}")

ROOT_URLCONF = "plm.urls"
WSGI_APPLICATION = "plm.wsgi.application"
AUTH_USER_MODEL = "directory.User"
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login/"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [NINJA_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "plm.web.context.actor",
                "plm.identity.context.sso",
            ]
        },
    }
]

_url = os.environ.get("PLM_DATABASE_URL", "")
DATABASES = {
    "default": parse_database_url(_url) if _url else sqlite_config(str(VAR_DIR / "plm.sqlite3"))
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# 'today' for license expiry is the date in this zone.
PLM_TIME_ZONE = os.environ.get("PLM_TIME_ZONE", "UTC")
TIME_ZONE = "UTC"
USE_TZ = True
LANGUAGE_CODE = "en-us"
USE_I18N = False

PLM_MAX_IMPORT_BYTES = int(os.environ.get("PLM_MAX_IMPORT_BYTES", 50 * 1024 * 1024))
# A request body declared larger than this is refused (413) from its headers, before it is read
# (plm.edge): the import limit plus room for the form's other fields.
PLM_MAX_REQUEST_BYTES = PLM_MAX_IMPORT_BYTES + FORM_ROOM
# Rows decided and applied per transaction (smaller = more interleaving with other writers).
# SQLite 20,000: its commit writes every index page the batch touched to the WAL whole (an
# import's audit and assignment indexes take a random page per change), so fewer commits write
# far less (a 1,000,000-row import: 4 GB of WAL at 5,000 rows a batch); a batch holds the write
# lock about 0.3-0.6 s. PostgreSQL 10,000: each commit waits for its WAL flush (about 33 ms,
# a quarter of the server's time at 5,000 rows a batch); 10,000 took 100,000 rows 4.7-5.3 s ->
# 4.4-4.5 s (+10 MB) and a batch holds the license rows about 0.2-0.5 s (docs/performance.md).
_SQLITE = DATABASES["default"]["ENGINE"].endswith("sqlite3")
PLM_IMPORT_BATCH_ROWS = int(
    os.environ.get("PLM_IMPORT_BATCH_ROWS", "20000" if _SQLITE else "10000")
)
# An import whose heartbeat is older than this is taken as interrupted (its process died).
PLM_HEARTBEAT_STALE_SECONDS = int(os.environ.get("PLM_HEARTBEAT_STALE_SECONDS", "60"))
PLM_HEARTBEAT_SECONDS = float(os.environ.get("PLM_HEARTBEAT_SECONDS", "5"))
# A finished preview's upload is kept this long for "Apply this file for real".
PLM_PREVIEW_RETENTION_HOURS = int(os.environ.get("PLM_PREVIEW_RETENTION_HOURS", "72"))
PLM_IMPORT_RETENTION_DAYS = int(os.environ.get("PLM_IMPORT_RETENTION_DAYS", "0") or 0)

# Cookies and headers: secure by default; PLM_HTTPS=1 when served over HTTPS (a proxy in front).
HTTPS = os.environ.get("PLM_HTTPS", "") == "1"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Proxies whose X-Forwarded-For/-Proto/-Host/-Port are believed (addresses or networks); the
# edge (plm.edge) applies them to the request and drops these headers from everyone else, so
# Django needs no SECURE_PROXY_SSL_HEADER (which would believe any client).
PLM_TRUSTED_PROXIES = parse_networks(os.environ.get("PLM_TRUSTED_PROXIES", ""))
if HTTPS:
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("PLM_HSTS_SUBDOMAINS", "1") == "1"
    SECURE_HSTS_PRELOAD = os.environ.get("PLM_HSTS_PRELOAD", "1") == "1"
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("PLM_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

# E-mail (the expiry digest): console unless configured.
EMAIL_BACKEND = os.environ.get(
    "PLM_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.environ.get("PLM_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("PLM_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("PLM_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("PLM_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("PLM_EMAIL_TLS", "") == "1"
DEFAULT_FROM_EMAIL = os.environ.get("PLM_EMAIL_FROM", "plm@localhost")

STATIC_URL = "/static/"
STATICFILES_DIRS = [NINJA_DIR / "static"]  # django-ninja's Swagger UI (see NINJA_DIR)
# Serve the app's static files straight from the installed package: no collectstatic step.
WHITENOISE_USE_FINDERS = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("PLM_LOG_LEVEL", "WARNING")},
}
