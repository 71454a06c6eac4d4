"""Entry point for WSGI servers: `gunicorn wsgi:app` (APP_ENV=production in production)."""

from app import create_app

app = create_app()
