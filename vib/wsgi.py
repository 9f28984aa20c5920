"""The WSGI application for gunicorn (`vib serve --workers N`, or `gunicorn vib.wsgi:app`).

Every process builds its own app from the same VIB_* settings; what they must share lives in
PostgreSQL, Redis and the media folder. The database is migrated before the processes start."""

from vib.app import create_app

app = create_app()
