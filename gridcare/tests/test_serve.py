import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request

import pytest


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url, deadline):
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.status, response.read()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def job_runs(database, name, deadline):
    """How often the scheduled job `name` has run, once it has (the scheduler fires every new job at start)."""
    while True:
        with sqlite3.connect(database, timeout=10) as db:
            row = db.execute("SELECT runs FROM core_scheduledjob WHERE name = ?", [name]).fetchone()
        if row and row[0]:
            return row[0]
        assert time.monotonic() < deadline, f"{name} did not run"
        time.sleep(0.5)


@pytest.mark.slow
@pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="runs its own SQLite server; once per suite is enough")
def test_serve_answers_and_stops_on_sigterm(tmp_path):
    """gunicorn, the task worker and the scheduler start, static files and pages answer, the scheduled jobs run
    (the scheduler enqueues them, the worker runs them), SIGTERM stops everything."""
    port = free_port()
    env = {**os.environ, "GRIDCARE_VAR_DIR": str(tmp_path), "DATABASE_URL": "", "TASK_BACKEND": "database"}
    gridcare = [sys.executable, "-c", "import sys; from gridcare.cli import main; sys.exit(main())"]
    subprocess.run([*gridcare, "migrate", "-v0"], env=env, check=True)
    server = subprocess.Popen(
        [*gridcare, "serve", f"127.0.0.1:{port}", "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        status, body = get(f"http://127.0.0.1:{port}/static/gridcare/site.css", deadline)
        assert status == 200 and body
        status, body = get(f"http://127.0.0.1:{port}/accounts/login/", deadline)
        assert status == 200 and b"password" in body
        assert job_runs(tmp_path / "gridcare.sqlite3", "care.help_request_escalate", deadline) >= 1
        assert server.poll() is None  # the task worker and the scheduler are still up, or serve would have ended
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0
    with pytest.raises(OSError):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=2)
