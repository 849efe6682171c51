"""WSGI entry point (gunicorn ``sasaeai.config.wsgi:application``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sasaeai.config.settings")
application = get_wsgi_application()

from sasaeai.core.crypto import verify_encryption_keys  # noqa: E402

verify_encryption_keys()
