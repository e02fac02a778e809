"""WSGI entry point (gunicorn config.wsgi)."""

from __future__ import annotations

import os
import threading

from django.core.wsgi import get_wsgi_application

# Fail closed: without DJANGO_SETTINGS_MODULE, production settings, which refuse to start without
# their secrets. `make run` and the tests name the settings they want.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

application = get_wsgi_application()

# The crisis detector learns from its corpus once per process (about 2 s): start now, in the background, so
# the first patient text after a deploy does not wait for it (a text arriving meanwhile waits for the same build).
from clinic.messaging.crisis import crisis_detector_status  # noqa: E402

threading.Thread(target=crisis_detector_status, name="crisis-detector-warm", daemon=True).start()
