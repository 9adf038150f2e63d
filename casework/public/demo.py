"""The demo city in the open: three areas its cases lie in, its process change published, its arrivals counted."""
from sqlalchemy import update

from casework.agency_setup import District
from casework.insight.models import ProcessChange
from casework.models import Case
from casework.public import arrivals, figures
from core.extensions import db
from core.timeutil import utcnow

# the demo's areas, by postcode; its cases are spread over them in turn
DISTRICTS = (("North", "N1 N2"), ("Centre", "C1 C2"), ("South", "S1 S2"))


def seed_areas():
    """The three areas, and each case (made before measuring) placed in one of them. Commits."""
    ids = []
    for name, postcodes in DISTRICTS:
        found = db.session.scalar(db.select(District).filter_by(name=name))
        if found is None:
            found = District(name=name, postcodes=postcodes)
            db.session.add(found)
            db.session.flush()
        ids.append(found.id)
    for index, district_id in enumerate(ids):
        db.session.execute(update(Case).where(Case.district_id.is_(None), Case.id % len(ids) == index)
                           .values(district_id=district_id).execution_options(synchronize_session=False))
    db.session.commit()


def publish(echo=print):
    """Publish the demo's process changes and count every day's arrivals. Commits."""
    db.session.execute(update(ProcessChange).where(ProcessChange.published_at.is_(None)).values(published_at=utcnow()))
    db.session.commit()
    written = arrivals.recount()
    figures.forget()
    echo(f"performance page: {written:,} day counts of arrivals")
