"""WSGI entry point (gunicorn config.wsgi)."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

# Fail closed: without DJANGO_SETTINGS_MODULE, production settings, which refuse to start without
# their secrets. `make run` and the tests name the settings they want.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

application = get_wsgi_application()

# The crisis detector learns from its corpus once per process (a few seconds): start now, in the background,
# so the first patient text after a deploy does not wait for it.
from clinic.messaging.crisis import crisis_detector_build_in_background  # noqa: E402

crisis_detector_build_in_background()
