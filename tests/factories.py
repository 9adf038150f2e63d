"""Plain factory functions for test records.

Each commits what it makes and returns it loaded, so a test can read its
columns after the app context that made it has closed.
"""
from dataclasses import dataclass

from werkzeug.security import generate_password_hash

from casework.agency_setup import RoutingRule
from casework.models import Queue, StepType
from core.extensions import db
from core.accounts.models import Staff
from intake.models import Department, Service

PASSWORD = "correct horse battery staple"


def loaded(*records):
    """Reload ``records`` after a commit expired them; return the first."""
    for record in records:
        db.session.refresh(record)
    return records[0]


# the fixtures' staff sign in with PASSWORD, checked against a hash made once with one round: scrypt's 0.07 s
# per account was most of a test's set-up. Tests that set or check a password themselves still hash for real.
PASSWORD_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1")


def new_staff(name="Casey Worker", email=None, role="caseworker", queues=()):
    """A staff member signing in with PASSWORD, in the session (not committed)."""
    staff = Staff(name=name, email=email or f"{name.split()[0].lower()}@city.example", role=role)
    staff.password_hash = PASSWORD_HASH
    for queue in queues:
        queue.members.append(staff)
    db.session.add(staff)
    return staff


def make_staff(name="Casey Worker", email=None, role="caseworker", queues=()):
    staff = new_staff(name, email, role, queues)
    db.session.commit()
    return loaded(staff)


@dataclass
class City:
    roads: Department
    parks: Department
    pothole: Service
    graffiti: Service
    roads_queue: Queue
    urgent_queue: Queue
    parks_queue: Queue
    caseworker: Staff
    parks_worker: Staff
    supervisor: Staff
    admin: Staff


def make_city():
    """Two departments, two services, three queues, one rule, and staff of every role."""
    roads = Department(code="roads", name="Roads and Streets")
    parks = Department(code="parks", name="Parks")
    pothole = Service(code="pothole", name="Pothole", group="Streets", department=roads,
                      keywords="hole road crack", first_response_hours=24, resolution_hours=72)
    graffiti = Service(code="graffiti", name="Graffiti", group="Clean city", department=parks)
    roads_queue = Queue(name="Road repairs", department=roads, is_department_default=True)
    urgent_queue = Queue(name="Road emergencies", department=roads)
    parks_queue = Queue(name="Parks team", department=parks, is_department_default=True)
    db.session.add_all([
        roads, parks, pothole, graffiti, roads_queue, urgent_queue, parks_queue,
        StepType(service=pothole, name="Inspect the site", position=1, standard_minutes=20),
        StepType(service=pothole, name="Schedule the repair", position=2, standard_minutes=10),
        RoutingRule(name="Sinkholes are emergencies", position=1, service=pothole,
                    keywords="sinkhole collapse", queue=urgent_queue, priority="urgent"),
    ])
    city = City(
        roads=roads, parks=parks, pothole=pothole, graffiti=graffiti,
        roads_queue=roads_queue, urgent_queue=urgent_queue, parks_queue=parks_queue,
        caseworker=new_staff("Casey Worker", queues=[roads_queue, urgent_queue]),
        parks_worker=new_staff("Pat Parks", queues=[parks_queue]),
        supervisor=new_staff("Sam Supervisor", role="supervisor"),
        admin=new_staff("Alex Admin", role="admin"),
    )
    # one commit for the whole city: most tests start with one, and five commits were most of its 70 ms
    db.session.commit()
    loaded(*vars(city).values())
    return city
