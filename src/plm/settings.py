"""Django settings. Everything that differs between installations comes from the environment."""

import os
from pathlib import Path

from plm.dburl import parse_database_url, sqlite_config

BASE_DIR = Path(os.environ.get("PLM_HOME", Path.cwd()))
VAR_DIR = Path(os.environ.get("PLM_VAR_DIR", BASE_DIR / "var"))

DEBUG = os.environ.get("PLM_DEBUG", "") == "1"
# A fixed development key is only acceptable for the embedded default; production sets its own.
SECRET_KEY = os.environ.get("PLM_SECRET_KEY", "plm-insecure-development-key-change-me")
ALLOWED_HOSTS = [
    h for h in os.environ.get("PLM_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h
]

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
    "django_tasks",
    "django_tasks_db",
]

# Background imports: django-tasks with its database backend (workers on any host share it).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "plm.urls"
WSGI_APPLICATION = "plm.wsgi.application"
AUTH_USER_MODEL = "directory.User"
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login/"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
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
# Rows decided and applied per transaction (smaller = more interleaving with other writers).
PLM_IMPORT_BATCH_ROWS = int(os.environ.get("PLM_IMPORT_BATCH_ROWS", "1000"))
PLM_IMPORT_RETENTION_DAYS = int(os.environ.get("PLM_IMPORT_RETENTION_DAYS", "0") or 0)

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# Serve the app's static files straight from the installed package: no collectstatic step.
WHITENOISE_USE_FINDERS = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("PLM_LOG_LEVEL", "WARNING")},
}
