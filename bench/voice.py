"""What citizens said, at scale: a caseworker's own page and a team's, over a million cases and 200 staff.

Usage (from the repository root, PostgreSQL running), on the database bench/published.py loaded and measured:

    .venv/bin/python bench/voice.py [--repeat 20]

Signs in as caseworkers (those with the most steps, and a typical one) and
times ``/console/voice/`` for the last 30 and 90 days and 12 months, then
each one's team page; then, with 5,000 ideas over the 30 teams (written
once, a quarter of them answered), the ideas list as a caseworker and as a
supervisor (with the loop's health) and one idea with its figures: p50/p95
in ms, server time in this process. Prints figures; asserts nothing.
"""
import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/tandem_public_bench")

from bench import city, common, published  # noqa: E402
from core.extensions import db  # noqa: E402

say = city.say
IDEAS = 5000


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    arguments = parser.parse_args()
    app = published.build_app()
    with app.app_context():
        db.create_all()  # the tables a later version added (the digest's choice), on a database loaded before
        steps = db.session.execute(db.text(
            "SELECT staff_id, count(*) FROM step GROUP BY staff_id ORDER BY count(*) DESC")).all()
        busiest, typical = steps[0], steps[len(steps) // 2]
        answers = db.session.scalar(db.text("SELECT count(*) FROM feedback"))
        people = []
        for staff_id, count in (busiest, typical):
            email = db.session.scalar(db.text("SELECT email FROM staff WHERE id = :id"), {"id": staff_id})
            queue_id = db.session.scalar(db.text("SELECT queue_id FROM queue_member WHERE staff_id = :id LIMIT 1"),
                                         {"id": staff_id})
            people.append((email, count, queue_id))
        if db.session.scalar(db.text("SELECT count(*) FROM idea")) < IDEAS:
            db.session.execute(db.text(
                "INSERT INTO idea (queue_id, service_id, step_type_id, hurts, change, helps, author_id, proposed_on, "
                "status, answer, answered_at, supporters) SELECT q.id, st.service_id, st.id, 'It takes too long', "
                "'Idea ' || n, 'both', CASE WHEN n % 3 = 0 THEN NULL ELSE 1 + n % 200 END, "
                "current_date - (n % 120), CASE n % 4 WHEN 0 THEN 'planned' ELSE 'open' END, "
                "CASE n % 4 WHEN 0 THEN 'Soon' END, CASE n % 4 WHEN 0 THEN now() - (n % 100) * interval '1 day' END, "
                "n % 7 FROM generate_series(1, :ideas) AS n "
                "JOIN LATERAL (SELECT id FROM queue ORDER BY id OFFSET (n % 30) LIMIT 1) q ON true "
                "JOIN LATERAL (SELECT id, service_id FROM step_type ORDER BY id OFFSET (n % 36) LIMIT 1) st ON true"),
                {"ideas": IDEAS})
            db.session.commit()
        idea_id = db.session.scalar(db.text("SELECT max(id) FROM idea"))
        supervisor = db.session.scalar(db.text("SELECT email FROM staff WHERE role = 'supervisor' LIMIT 1"))
        if supervisor is None:  # the console bench's city has caseworkers only: its last one becomes a supervisor
            supervisor = db.session.scalar(db.text(
                "UPDATE staff SET role = 'supervisor' WHERE id = (SELECT max(id) FROM staff) RETURNING email"))
            db.session.commit()
    say(f"{answers:,} survey answers; caseworkers with {busiest[1]:,} (the most) and {typical[1]:,} steps")
    say(f"{'page':<44} {'runs':>4} {'p50':>7} {'p95':>7} {'KB':>6}")
    for email, count, queue_id in people:
        client = app.test_client()
        signed_in = client.post("/staff/login", data={"email": email, "password": city.PASSWORD})
        assert signed_in.status_code in (302, 303), email
        for label, url in ((f"own page, 30 days ({count:,} steps)", "/console/voice/?period=30d"),
                           (f"own page, 90 days ({count:,} steps)", "/console/voice/?period=90d"),
                           (f"own page, 12 months ({count:,} steps)", "/console/voice/?period=365d"),
                           ("team page, 90 days", f"/console/voice/teams/{queue_id}?period=90d"),
                           ("team page, 12 months", f"/console/voice/teams/{queue_id}?period=365d")):
            times, size, status = common.timed(client, "get", url, arguments.repeat)
            assert status == 200, (label, status)
            say(f"{label:<44} {arguments.repeat:>4} {common.percentile(times, 0.5):>7.1f} "
                f"{common.percentile(times, 0.95):>7.1f} {size / 1024:>6.1f}")
        time_ideas(client, "caseworker", idea_id, arguments.repeat)
    client = app.test_client()
    assert client.post("/staff/login", data={"email": supervisor, "password": city.PASSWORD}).status_code in (302,
                                                                                                                  303)
    time_ideas(client, "supervisor", idea_id, arguments.repeat)


def time_ideas(client, who, idea_id, repeat):
    for label, url in ((f"ideas list, as a {who}", "/console/ideas/"), (f"an idea, as a {who}",
                                                                        f"/console/ideas/{idea_id}")):
        times, size, status = common.timed(client, "get", url, repeat)
        if status == 403:
            say(f"{label:<44} (not in its team: refused, as it should be)")
            continue
        assert status == 200, (label, status)
        say(f"{label:<44} {repeat:>4} {common.percentile(times, 0.5):>7.1f} "
            f"{common.percentile(times, 0.95):>7.1f} {size / 1024:>6.1f}")


if __name__ == "__main__":
    main()
