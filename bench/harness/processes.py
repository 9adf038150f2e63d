"""The Procfile's processes (gunicorn, RQ workers, the scheduler), a PostgreSQL cluster and a redis-server of their
own, on loopback: started, killed and stopped as an operator's supervisor does."""
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    """A redis-server of the test's own, so stopping it disturbs nobody else."""

    def __init__(self):
        self.port = free_port()
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        wait_for(lambda: self.answers(), 10, "redis-server to start")
        return self

    def answers(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as connection:
                connection.sendall(b"PING\r\n")
                return connection.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)


class TandemProcess:
    """One process of the Procfile, configured through the environment, its log kept for a failing test."""

    name = "process"
    stop_seconds = 10

    def __init__(self, environment):
        self.environment = environment
        self.process = None

    def launch(self, command):
        self.log = open(Path(self.environment["MAILBOX_DIR"]).parent / f"{self.name}-{time.monotonic_ns()}.log", "wb")
        self.process = subprocess.Popen(
            command, cwd=ROOT, env={**os.environ, **self.environment}, stdout=self.log, stderr=subprocess.STDOUT,
            # its own process group, so a kill takes its children (RQ's scheduler) with it
            start_new_session=True,
        )
        return self

    def kill(self):
        """SIGKILL the process and its children: no clean-up, as when a machine dies."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self):
        self.ask_to_stop()
        self.wait_stopped()

    def ask_to_stop(self):
        """SIGTERM, as an operator's supervisor sends it: the process finishes what it is doing."""
        if self.process and self.process.poll() is None:
            self.process.terminate()

    def wait_stopped(self):
        """Wait for a process asked to stop; SIGKILL it after ``stop_seconds``."""
        if self.process and self.process.poll() is None:
            try:
                self.process.wait(self.stop_seconds)
            except subprocess.TimeoutExpired:
                self.kill()


def stop_all(processes):
    """Stop ``processes`` together (each finishes its work at the same time as the others), not one by one."""
    processes = list(processes)
    for process in processes:
        process.ask_to_stop()
    for process in processes:
        process.wait_stopped()


class Worker(TandemProcess):
    """``python worker.py QUEUE...``."""

    name = "worker"

    def __init__(self, environment, queues=("triage", "notifications")):
        super().__init__(environment)
        self.queues = queues

    def start(self):
        return self.launch([sys.executable, str(ROOT / "worker.py"), *self.queues])


def wait_for(condition, seconds, what, state=None):
    """Poll ``condition`` until true; fail after ``seconds`` saying what was awaited (and ``state()``)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {seconds} s waiting for {what}" + (f"; state: {state()}" if state else ""))


class Scheduler(TandemProcess):
    """``flask --app wsgi scheduler``, as the Procfile starts it."""

    name = "scheduler"

    def start(self):
        return self.launch([sys.executable, "-m", "flask", "--app", "wsgi", "scheduler"])


def as_postgres(command):
    """``command`` run as the postgres user (PostgreSQL refuses to run as root)."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


class PostgresCluster:
    """A PostgreSQL cluster of the test's own (initdb in a temporary folder), so restarting it disturbs nobody."""

    def __init__(self, folder):
        self.folder = Path(folder)
        self.data = self.folder / "data"
        self.port = free_port()
        binaries = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
        self.bin = binaries[-1] if binaries else Path(shutil.which("pg_ctl") or "pg_ctl").parent

    @property
    def url(self):
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/tandem"

    def run(self, *command, check=True):
        return subprocess.run(as_postgres([str(self.bin / command[0]), *command[1:]]), check=check,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)

    def start(self):
        self.folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        if not self.data.exists():
            self.run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")
        self.run("pg_ctl", "-D", str(self.data), "-l", str(self.folder / "postgres.log"), "-w", "-o",
                 f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off", "start")
        self.run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "tandem", check=False)
        return self

    def restart(self):
        """A fast restart, as an upgrade or a failover does: every connection is cut."""
        # (the server's output must go to the log: a pipe held open by it would never reach EOF)
        self.run("pg_ctl", "-D", str(self.data), "-l", str(self.folder / "postgres.log"), "-m", "fast", "-w",
                 "restart", "-o", f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off")

    def stop(self, mode="immediate"):
        self.run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop", check=False)


class Web(TandemProcess):
    """gunicorn serving ``wsgi:app`` as the Procfile starts it (two workers)."""

    name = "web"
    stop_seconds = 15

    def __init__(self, environment):
        super().__init__(environment)
        self.port = free_port()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        self.launch([sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{self.port}", "--workers", "2",
                     "wsgi:app"])
        wait_for(self.answers, 60, "gunicorn to answer")
        return self

    def answers(self):
        """The app answers its liveness probe, as a load balancer checks before sending traffic (gunicorn
        listens as soon as it starts, but its workers take seconds to load the app)."""
        try:
            with urllib.request.urlopen(f"{self.url}/healthz", timeout=1) as response:
                return response.status == 200
        except OSError:
            return False
