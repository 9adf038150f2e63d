"""Photos a citizen sent while the database was away, parked on disk until they send the form again.

When PostgreSQL restarts under a form post, nothing can be saved in it, but
the photos have already crossed the network. They are checked and re-encoded
(no location or camera metadata is ever written to disk), kept in a folder
named by a digest of the form's submission key (never the key itself), and
taken into the database by the next post of the same form. Photos nobody
comes back for are deleted after a day, as abandoned uploads are.

The folder (``PARKED_PHOTOS_DIR``, the instance folder by default) must be
shared by every web process that serves the form.
"""
import hashlib
import logging
import shutil
import time
from pathlib import Path

from flask import current_app

log = logging.getLogger(__name__)

EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
TYPES = {extension: content_type for content_type, extension in EXTENSIONS.items()}


def folder_for(submission_key):
    """The folder of ``submission_key``'s parked photos (not created)."""
    digest = hashlib.sha256(submission_key.encode()).hexdigest()
    return Path(current_app.config["PARKED_PHOTOS_DIR"]) / digest


def park(files, submission_key, clean, limit):
    """Check and write up to ``limit`` of ``files`` under ``submission_key``; return how many are parked.

    ``clean`` turns raw bytes into ``(bytes, content_type, width, height)`` or
    raises; a file it refuses is not parked (the citizen is told when the form
    is sent again and checked in full). Never raises for a disk that is full
    or missing: the photos are then lost and the page says to add them again.
    """
    files = [f for f in files if f and f.filename]
    if not submission_key or not files:
        return 0
    folder = folder_for(submission_key)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        parked = len(list(folder.iterdir()))
        for upload in files:
            if parked >= limit:
                break
            upload.stream.seek(0)
            try:
                data, content_type, _width, _height = clean(upload.read())
            except ValueError:
                continue
            (folder / f"{parked}.{EXTENSIONS[content_type]}").write_bytes(data)
            parked += 1
        return parked
    except OSError as error:
        log.warning("could not park photos while the database was away: %s", type(error).__name__)
        return 0


def parked(submission_key):
    """``[(bytes, content_type)]`` parked under ``submission_key``, in the order they were sent."""
    if not submission_key:
        return []
    folder = folder_for(submission_key)
    if not folder.is_dir():
        return []
    files = sorted(folder.iterdir(), key=lambda path: int(path.stem) if path.stem.isdigit() else 0)
    return [(path.read_bytes(), TYPES[path.suffix[1:]]) for path in files if path.suffix[1:] in TYPES]


def forget(submission_key):
    """Delete what is parked under ``submission_key`` (call once it is committed to the database)."""
    if submission_key:
        shutil.rmtree(folder_for(submission_key), ignore_errors=True)


def forget_abandoned(older_than_seconds):
    """Delete parked folders untouched for ``older_than_seconds``; return how many."""
    root = Path(current_app.config["PARKED_PHOTOS_DIR"])
    if not root.is_dir():
        return 0
    cutoff = time.time() - older_than_seconds
    stale = [folder for folder in root.iterdir() if folder.is_dir() and folder.stat().st_mtime < cutoff]
    for folder in stale:
        shutil.rmtree(folder, ignore_errors=True)
    return len(stale)
