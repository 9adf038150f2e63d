"""Finding an export's services, departments and queues among Tandem's, and making the ones the mapping allows.

A name is looked up as the mapping renames it, then as a service's code or
name (case and spacing aside). What is to be made is planned first (a dry
run lists it) and written by ``make_planned`` in the import's transaction.
"""
import re

from casework.models import Queue
from core.extensions import db
from intake.models import Department, Service

DEFAULT_QUEUE = "{department}: imported"


def key_of(name):
    return re.sub(r"\s+", " ", name.strip()).lower()


def code_of(name, taken):
    """A service or department code from a name ("Needle Pickup" -> needle_pickup), unique among ``taken``."""
    base = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")[:36] or "imported"
    code, number = base, 1
    while code in taken:
        number += 1
        code = f"{base[:36 - len(str(number))]}_{number}"
    return code


class Catalogue:
    """Tandem's services, departments and queues, and those an import plans to make."""

    def __init__(self, mapping):
        self.mapping = mapping
        self.services = {}
        for service in db.session.scalars(db.select(Service)):
            self.services[key_of(service.code)] = service.id
            self.services.setdefault(key_of(service.name), service.id)
        self.service_department = dict(db.session.execute(db.select(Service.id, Service.department_id)).all())
        self.departments = {}
        for department in db.session.scalars(db.select(Department)):
            self.departments[key_of(department.code)] = department.id
            self.departments.setdefault(key_of(department.name), department.id)
        self.queues = {key_of(name): queue_id for queue_id, name in db.session.execute(
            db.select(Queue.id, Queue.name))}
        self.defaults = dict(db.session.execute(db.select(Queue.department_id, Queue.id)
                                                .where(Queue.is_department_default.is_(True))).all())
        self.codes = {key_of(code) for code in db.session.scalars(db.select(Service.code))} | \
            {key_of(code) for code in db.session.scalars(db.select(Department.code))}
        # planned: name -> a placeholder ("new:<name>") until made
        self.new_services, self.new_departments, self.new_queues = {}, {}, {}

    def service(self, name, department_name):
        """The service id (or placeholder) of ``name``, or None when the mapping refuses unknown services."""
        rule = self.mapping.services
        wanted = key_of(rule["map"].get(name, name))
        if wanted in self.services:
            return self.services[wanted]
        if wanted in self.new_services:
            return wanted
        if rule["unknown"] != "create":
            return None
        self.new_services[wanted] = (rule["map"].get(name, name).strip()[:120],
                                     self.department(department_name or rule["department"]))
        return wanted

    def department(self, name):
        wanted = key_of(name)
        if wanted in self.departments:
            return self.departments[wanted]
        self.new_departments.setdefault(wanted, name.strip()[:120])
        return ("department", wanted)

    def queue(self, name, service):
        """The queue of ``name`` (or of the service's department when there is none), or None when refused."""
        if not name:
            department = self.department_of(service)
            if department in self.defaults:
                return self.defaults[department]
            return self.plan_queue(DEFAULT_QUEUE.format(department=self.department_name(department)), department,
                                   default=True)
        rule = self.mapping.queues
        wanted = key_of(rule["map"].get(name, name))
        if wanted in self.queues:
            return self.queues[wanted]
        if wanted in self.new_queues:
            return wanted
        if rule["unknown"] != "create":
            return None
        return self.plan_queue(rule["map"].get(name, name).strip()[:120], self.department_of(service))

    def plan_queue(self, name, department, default=False):
        wanted = key_of(name)
        if wanted in self.queues:
            return self.queues[wanted]
        self.new_queues.setdefault(wanted, (name, department, default))
        return wanted

    def department_of(self, service):
        if service in self.new_services:
            return self.new_services[service][1]
        return self.service_department[service]

    def department_name(self, department):
        if isinstance(department, tuple):
            return self.new_departments[department[1]]
        return db.session.get(Department, department).name

    def planned(self):
        """``{"departments": [...], "services": [...], "queues": [...]}``: the names an import would make."""
        return {"departments": sorted(self.new_departments.values()),
                "services": sorted(name for name, _department in self.new_services.values()),
                "queues": sorted(name for name, _department, _default in self.new_queues.values())}

    def make_planned(self):
        """Make what is planned (departments, then services, then queues) and learn their ids. Flushes."""
        made_departments = {}
        for wanted, name in self.new_departments.items():
            code = code_of(name, self.codes)
            self.codes.add(code)
            department = Department(code=code, name=name)
            db.session.add(department)
            db.session.flush()
            self.departments[wanted] = made_departments[("department", wanted)] = department.id
        for wanted, (name, department) in self.new_services.items():
            code = code_of(name, self.codes)
            self.codes.add(code)
            department_id = made_departments.get(department, department)
            # (withdrawn: an imported service is history; an admin offers it on the form if it should be)
            service = Service(code=code, name=name, group=self.mapping.services["group"], department_id=department_id,
                              active=False, translations={})
            db.session.add(service)
            db.session.flush()
            self.services[wanted] = service.id
            self.service_department[service.id] = department_id
        for wanted, (name, department, default) in self.new_queues.items():
            department_id = made_departments.get(department, department)
            queue = Queue(name=name, department_id=department_id,
                          is_department_default=default or department_id not in self.defaults)
            db.session.add(queue)
            db.session.flush()
            self.queues[wanted] = queue.id
            if queue.is_department_default:
                self.defaults[department_id] = queue.id
        self.new_departments, self.new_services, self.new_queues = {}, {}, {}

    def resolve(self, placeholder, kind):
        """The id a placeholder came to have once made (ids pass through)."""
        if isinstance(placeholder, int):
            return placeholder
        return (self.services if kind == "service" else self.queues)[placeholder]
