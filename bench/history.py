"""History in at scale: a Boston-like export of N rows brought in through the example mapping, timed.

Usage (from the repository root, PostgreSQL running):

    .venv/bin/python bench/history.py [--rows 200000]

1. Write an export of ``--rows`` rows in the columns of Boston's 311 export
   (``tests/data/boston311-100.csv`` repeated with new ids, its dates moved
   day by day over the years before now), to a temporary file.
2. Import it into a database of its own (``DATABASE_URL``, default
   ``tandem_history_bench``), with the catalogue a city starts with, through
   ``docs/examples/boston311-mapping.yaml``, as ``flask history import
   --no-measure`` does: rows a second, as the command's progress shows them.
3. Import the same file again: every row found already there, rows a second.

Prints figures; asserts nothing.
"""
import argparse
import csv
import os
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/tandem_history_bench")
DATABASE_URL = os.environ["DATABASE_URL"]

from bench import common  # noqa: E402
from casework.history.loading import import_file  # noqa: E402
from casework.history.mapping import load_mapping  # noqa: E402
from core import create_app  # noqa: E402
from core.extensions import db  # noqa: E402

SAMPLE = ROOT / "tests" / "data" / "boston311-100.csv"
MAPPING = ROOT / "docs" / "examples" / "boston311-mapping.yaml"
STAMP = "%Y-%m-%d %H:%M:%S"


def say(message):
    print(message, flush=True)


def write_export(path, rows):
    """``rows`` rows like Boston's, each with its own id, spread back over the years from now."""
    with open(SAMPLE, encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        columns, sample = reader.fieldnames, list(reader)
    start = datetime.now().replace(microsecond=0) - timedelta(days=max(1, rows // 1500))
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, columns)
        writer.writeheader()
        for number in range(rows):
            row = dict(sample[number % len(sample)])
            shift = start + timedelta(minutes=number * 1440 // 1500) - datetime.strptime(
                sample[0]["open_dt"], STAMP)
            for name in ("open_dt", "target_dt", "closed_dt"):
                if row[name]:
                    row[name] = (datetime.strptime(row[name], STAMP) + shift).strftime(STAMP)
            row["case_enquiry_id"] = str(200000000000 + number)
            writer.writerow(row)


class Progress:
    """Prints rows read and the rate every 5 seconds, as the command's progress bar moves."""

    def __init__(self, started):
        self.started = self.last = started

    def __call__(self, report):
        now = time.perf_counter()
        if now - self.last > 5:
            self.last = now
            say(f"  {report.read:>9,} rows read ({report.read / (now - self.started):,.0f} rows/s)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    arguments = parser.parse_args()
    common.recreate_database(DATABASE_URL)
    app = create_app({"SQLALCHEMY_DATABASE_URI": DATABASE_URL, "SECRET_KEY": "bench", "SMTP_URL": None,
                      "REDIS_URL": common.BENCH_REDIS_URL, "MAILBOX_DIR": "/tmp/tandem-bench-mailbox"})
    with app.app_context():
        db.create_all()
        from casework.demo import seed_demo

        seed_demo(weeks=0, echo=lambda _line: None)
    export = Path(tempfile.mkdtemp()) / "boston-like.csv"
    started = time.perf_counter()
    write_export(export, arguments.rows)
    say(f"wrote {arguments.rows:,} rows ({export.stat().st_size / 1e6:.0f} MB) in "
        f"{time.perf_counter() - started:.1f} s")
    mapping = load_mapping(MAPPING.read_text())
    for attempt in ("first import", "the same file again"):
        with app.app_context():
            started = time.perf_counter()
            report = import_file(export, mapping, progress=Progress(started))
            seconds = time.perf_counter() - started
            say(f"{attempt}: {report.read:,} rows in {seconds:.1f} s ({report.read / seconds:,.0f} rows/s): "
                f"{report.made:,} made, {report.already:,} already there, {len(report.refused):,} refused")


if __name__ == "__main__":
    main()
