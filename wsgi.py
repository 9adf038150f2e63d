"""The WSGI entry point for gunicorn and the flask CLI."""
from core import create_app

app = create_app()
