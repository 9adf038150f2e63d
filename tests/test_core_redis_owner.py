"""Two Tandems on one machine never run each other's jobs: each claims its Redis database, by its own database."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from redis import Redis

from core.queues import OWNER_KEY, RedisTakenByAnother, claim_redis, owner_identity
from tests.conftest import DATABASE_URL

ROOT = Path(__file__).resolve().parent.parent


def test_the_identity_names_the_database_and_never_its_password():
    identity = owner_identity({"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://tandem:s3cret@db.example:5433/city"})
    assert identity == "postgresql://db.example:5433/city" and "s3cret" not in identity
    assert owner_identity({"SQLALCHEMY_DATABASE_URI": "sqlite:////srv/a/instance/tandem.db"}) != \
        owner_identity({"SQLALCHEMY_DATABASE_URI": "sqlite:////srv/b/instance/tandem.db"})


def test_a_redis_database_claimed_by_one_tandem_is_refused_to_another(redis_server):
    connection = Redis.from_url(redis_server.url)
    claim_redis(connection, "postgresql://:/first")
    claim_redis(connection, "postgresql://:/first")  # its own processes, again and again
    with pytest.raises(RedisTakenByAnother, match="set REDIS_URL to a database of its own"):
        claim_redis(connection, "postgresql://:/second")
    assert connection.get(OWNER_KEY) == b"postgresql://:/first"


def test_a_second_tandems_worker_refuses_to_start_on_the_first_ones_redis(redis_server, tmp_path):
    Redis.from_url(redis_server.url).set(OWNER_KEY, "sqlite:///another/tandem.db")
    environment = {**os.environ, "DATABASE_URL": DATABASE_URL, "REDIS_URL": redis_server.url,
                   "MAILBOX_DIR": str(tmp_path)}
    worker = subprocess.run([sys.executable, str(ROOT / "worker.py"), "triage"], cwd=ROOT, env=environment,
                            capture_output=True, text=True, timeout=60)
    assert worker.returncode == 1
    assert "holds the queues of another Tandem" in worker.stdout + worker.stderr


def test_bin_run_finds_a_database_of_its_own(app, runner, redis_server):
    base = redis_server.url.rsplit("/", 1)[0]
    Redis.from_url(f"{base}/0").set(OWNER_KEY, "sqlite:///another/tandem.db")
    Redis.from_url(f"{base}/1").set("someone-elses-key", "1")
    chosen = runner.invoke(args=["redis-database", base])
    assert chosen.exit_code == 0 and chosen.output.strip() == f"{base}/2"
    again = runner.invoke(args=["redis-database", base])
    assert again.output.strip() == f"{base}/2"  # the same Tandem finds the same database next time
