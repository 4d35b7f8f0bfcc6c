"""WSGI entry point for `plm serve` and external servers: Django behind the PLM edge
(trusted proxy headers, request size limit; plm.edge)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "plm.settings")

from django.conf import settings

from plm.edge import Edge

application = Edge(
    get_wsgi_application(),
    trusted=settings.PLM_TRUSTED_PROXIES,
    max_body=settings.PLM_MAX_REQUEST_BYTES,
)
