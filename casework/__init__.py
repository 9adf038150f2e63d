"""Casework: the staff side, in rooms.

The root holds what every room shares: the models, what cases tell people,
business transitions, the read-only lookups and the RQ entry points
(``root.py`` wires them). The rooms, each wiring its own pages, handlers and
periodic jobs through its ``init_app``:

- ``clock/``: business time, due dates and the watch that warns before a breach;
- ``triage/``: routes each new request to a queue, with priority, duplicates and assignee;
- ``console/``: where caseworkers find, take and work cases, and what citizens send lands;
- ``desk/``: the contact desk, where staff take requests for callers (phone, counter, email);
- ``admin/``: the catalogue, routing rules, queues and absences, calendar, wording and API keys;
- ``supervision/``: backlog, workload, rebalancing and forecasts;
- ``insight/``: the service blueprint, process changes and the staff pulse;
- ``voice/``: what citizens said about a person's and a team's cases, their own figures, a digest by email;
- ``ideas/``: staff ideas, "me too", comments, the supervisors' answers, done ideas as process changes;
- ``public/``: what the public sees of it all: the performance page, published standards and changes, open data;
- ``history/``: a legacy system's export brought in as requests and cases;
- ``api/``: the staff API over all of them.
"""
from importlib import import_module

# in wiring order: the staff API goes last, since it documents every room's endpoints
ROOMS = ("clock", "triage", "console", "desk", "admin", "supervision", "insight", "voice", "ideas", "public", "history", "api")


def init_app(app):
    from casework import root

    root.init_app(app)
    for room in ROOMS:
        import_module(f"casework.{room}").init_app(app)
