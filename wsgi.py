"""Entry point for WSGI servers: `gunicorn wsgi:app`. Without APP_ENV this is production, which
refuses to start without a strong SECRET_KEY; `make run` chooses development on purpose."""

from app import create_app

app = create_app()
