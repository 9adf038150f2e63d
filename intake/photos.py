"""Photos citizens attach: checked by content, size-limited, re-encoded without location metadata.

A photo is stored in the database with a random token for its address, and
shown only to the holder of the request's tracking link and to staff who may
see the case. Photos sent before the check-your-answers step wait under the
submission key and are attached when the request is sent.
"""
import io
import secrets
from datetime import datetime, timedelta

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db
from intake import parked_photos
from intake.schemas import _
from core.timeutil import UTCDateTime, utcnow

MAX_PHOTOS = 3
# phones take photos of 3 to 15 MB; every photo is made smaller (LARGEST_SIDE) once checked
MAX_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 40_000_000  # refuses "decompression bombs" long before they fill memory
LARGEST_SIDE = 2000
# a form left at the check step for a day is not coming back
ABANDONED_AFTER = timedelta(days=1)
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


class PhotoRejected(ValueError):
    """The file is not a photo we accept; the message says why, for the citizen."""


class RequestPhoto(db.Model):
    __tablename__ = "request_photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("service_request.id", name="fk_request_photo_request"),
                                                   index=True)
    # photos uploaded before the request exists wait under the form's submission key
    submission_key: Mapped[str | None] = mapped_column(String(80), index=True)
    token: Mapped[str] = mapped_column(String(40), unique=True, default=lambda: secrets.token_urlsafe(24))
    content_type: Mapped[str] = mapped_column(String(20))
    width: Mapped[int]
    height: Mapped[int]
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def clean_photo(raw):
    """Return ``(bytes, content_type, width, height)`` of ``raw`` re-encoded without metadata.

    Raises ``PhotoRejected`` for anything that is not a JPEG, PNG or WebP image
    of a sane size, whatever its file name says.
    """
    if len(raw) > MAX_BYTES:
        raise PhotoRejected(_("Each photo must be 20 MB or smaller"))
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with Image.open(io.BytesIO(raw)) as probe:
            probe.verify()
        image = Image.open(io.BytesIO(raw))
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError, ValueError):
        raise PhotoRejected(_("Choose a photo in JPEG, PNG or WebP format")) from None
    if image.format not in FORMATS:
        raise PhotoRejected(_("Choose a photo in JPEG, PNG or WebP format"))
    fmt = image.format
    # turn it upright as the camera meant, then drop every tag (GPS, camera, time) by re-encoding
    image = ImageOps.exif_transpose(image)
    image.thumbnail((LARGEST_SIDE, LARGEST_SIDE))
    if fmt == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, format=fmt, **({"quality": 85} if fmt in ("JPEG", "WEBP") else {}))
    return out.getvalue(), FORMATS[fmt], image.width, image.height


def keep_uploads(files, submission_key):
    """Check and store uploaded ``files`` under ``submission_key``; return how many. Raises PhotoRejected,
    having stored none.

    Photos parked on disk under the same key while the database was away are
    taken in too. Commits, then forgets the parked copies.
    """
    files = [f for f in files if f and f.filename]
    parked = parked_photos.parked(submission_key)
    if not files and not parked:
        return 0
    waiting = db.session.scalar(db.select(db.func.count(RequestPhoto.id)).filter_by(submission_key=submission_key))
    if len(files) + len(parked) + (waiting or 0) > MAX_PHOTOS:
        raise PhotoRejected(_("You can send up to 3 photos"))
    cleaned = [clean_photo(data) for data, _content_type in parked]
    cleaned += [clean_photo(f.read(MAX_BYTES + 1)) for f in files]
    for data, content_type, width, height in cleaned:
        db.session.add(RequestPhoto(submission_key=submission_key, data=data, content_type=content_type,
                                    width=width, height=height))
    db.session.commit()
    parked_photos.forget(submission_key)  # in the database now
    return len(cleaned)


def park_when_unavailable(request):
    """Park the photos of a form post the database could not take; return how many (``core.errors`` hook)."""
    if request.endpoint != "intake.submit" or not request.files:
        return 0
    return parked_photos.park(request.files.getlist("photos"), request.form.get("submission_key"),
                              clean_photo, MAX_PHOTOS)


def attach_waiting(submission_key, request_id):
    """Give the photos waiting under ``submission_key`` to the request. Does not commit."""
    if submission_key:
        db.session.execute(db.update(RequestPhoto).where(RequestPhoto.submission_key == submission_key,
                                                         RequestPhoto.request_id.is_(None))
                           .values(request_id=request_id))


def photos_of(request_id):
    return db.session.scalars(db.select(RequestPhoto).filter_by(request_id=request_id).order_by(RequestPhoto.id)).all()


def waiting_count(submission_key):
    if not submission_key:
        return 0
    return db.session.scalar(db.select(db.func.count(RequestPhoto.id)).filter_by(submission_key=submission_key))


def photo_for(request_id, token):
    """The photo ``token`` of request ``request_id``, or None."""
    return db.session.scalar(db.select(RequestPhoto).filter_by(request_id=request_id, token=token))


def discard_abandoned(older_than=ABANDONED_AFTER):
    """Delete photos uploaded on a form that was never sent, once ``older_than`` has passed (periodic).

    Returns how many were deleted. They belong to no request, so nobody can
    see them, and keeping them would keep a stranger's picture for no purpose.
    """
    cutoff = utcnow() - older_than
    deleted = db.session.execute(db.delete(RequestPhoto).where(RequestPhoto.request_id.is_(None),
                                                               RequestPhoto.created_at < cutoff)).rowcount
    db.session.commit()
    return deleted + parked_photos.forget_abandoned(older_than.total_seconds())
