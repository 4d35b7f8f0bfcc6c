"""A minimal Django project for the django-import-export peer benchmark."""

import os

SECRET_KEY = "bench"
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "import_export",
    "benchmarks.peer_app",
]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("PEER_DB", "/tmp/peer.sqlite3"),
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
