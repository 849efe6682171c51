"""ASGI entry point (granian/uvicorn ``sasaeai.config.asgi:application``)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sasaeai.config.settings")
application = get_asgi_application()

from sasaeai.core.crypto import verify_encryption_keys  # noqa: E402

verify_encryption_keys()
