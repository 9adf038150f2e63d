"""Bare extension instances; each is bound to the app in ``create_app``."""
from flask_babel import Babel
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
# per-client limits on public endpoints; storage is Redis (see core.config), and
# RATELIMIT_SWALLOW_ERRORS makes it fail open: a Redis outage never blocks a citizen
limiter = Limiter(key_func=get_remote_address)
babel = Babel()
# text answers (pages, CSS, JavaScript, JSON, CSV) compressed for the browsers that accept it
compress = Compress()
