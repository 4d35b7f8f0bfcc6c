"""WSGI entry point for `plm serve` and external servers."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "plm.settings")
application = get_wsgi_application()
