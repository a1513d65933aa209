import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
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


def child_running(parent, command, deadline, other_than=None):
    """The pid of `parent`'s child whose command line holds `command` (other than `other_than`), once there is one."""
    while True:
        for pid in open(f"/proc/{parent}/task/{parent}/children").read().split():
            try:
                cmdline = open(f"/proc/{pid}/cmdline", "rb").read().decode().replace("\0", " ")
            except FileNotFoundError:
                continue
            if command in cmdline and int(pid) != other_than:
                return int(pid)
        assert time.monotonic() < deadline, f"no {command} child"
        time.sleep(0.3)


# The RQ queue of this test: a Redis database of its own (the cluster's is 7), emptied first.
TEST_REDIS_URL = "redis://127.0.0.1:6379/11"


def redis_ready():
    """Whether RQ can be tested here: the rq extra installed and Redis answering."""
    try:
        import django_tasks_rq  # noqa: F401
        import redis
    except ImportError:
        return False
    try:
        redis.Redis.from_url(TEST_REDIS_URL, socket_timeout=2).flushdb()
    except redis.RedisError:
        return False
    return True


@pytest.mark.slow
@pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="runs its own SQLite server; once per suite is enough")
@pytest.mark.parametrize("backend, worker_command", [("database", "db_worker"), ("rq", "rqworker")])
def test_serve_answers_and_stops_on_sigterm(tmp_path, backend, worker_command):
    """gunicorn, the task worker and the scheduler start, static files and pages answer, the scheduled jobs run
    (the scheduler enqueues them, the worker runs them: django-tasks' database worker, or an RQ worker on Redis),
    a killed task worker is started again, SIGTERM stops everything."""
    if backend == "rq" and not redis_ready():
        pytest.skip("RQ needs Redis at 127.0.0.1:6379 and the rq extra (pip install -e '.[rq,redis]')")
    port = free_port()
    env = {**os.environ, "GRIDCARE_VAR_DIR": str(tmp_path), "DATABASE_URL": "", "TASK_BACKEND": backend}
    env["REDIS_URL"] = TEST_REDIS_URL
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
        assert server.poll() is None

        # The task worker dies (django-tasks' worker exits when the database goes away under it): it is started
        # again, the site answering meanwhile, and the jobs go on running.
        worker = child_running(server.pid, worker_command, deadline)
        os.kill(worker, signal.SIGKILL)
        status, _body = get(f"http://127.0.0.1:{port}/accounts/login/", deadline)
        assert status == 200
        assert child_running(server.pid, worker_command, time.monotonic() + 30, other_than=worker)
        assert server.poll() is None
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0
    with pytest.raises(OSError):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=2)


PRODUCTION_ENV = {
    "SECRET_KEY": "k3Jf9-QvT2pX7mZ0aW8rL5nB1cY4hD6sE-gU3iO9pA2sD5fG8hJ",
    "ALLOWED_HOSTS": "127.0.0.1",
    "TLS": "1",
    "DEBUG": "",
}


def fetch(url, deadline, **headers):
    """(status, headers, body) of a GET that follows no redirect, retried until the server answers."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    while True:
        try:
            with opener.open(urllib.request.Request(url, headers=headers), timeout=5) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def test_serve_prod_refuses_to_start_without_a_key_and_hosts(tmp_path):
    env = {**os.environ, "GRIDCARE_VAR_DIR": str(tmp_path), "SECRET_KEY": "", "ALLOWED_HOSTS": "", "DEBUG": ""}
    gridcare = [sys.executable, "-c", "import sys; from gridcare.cli import main; sys.exit(main())"]
    done = subprocess.run([*gridcare, "serve", "--prod"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert "cannot serve in production" in done.stderr
    assert "SECRET_KEY is not set" in done.stderr and "ALLOWED_HOSTS is not set" in done.stderr


@pytest.mark.slow
@pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="runs its own SQLite server; once per suite is enough")
def test_serve_prod_serves_hashed_compressed_static_files_over_tls_only(tmp_path):
    """Production behind a TLS proxy: DEBUG off, plain HTTP redirected to HTTPS, the security headers and HSTS on
    every page, static files by their hashed names with a year's caching and gzip, request lines on stdout."""
    port = free_port()
    env = {
        **os.environ,
        **PRODUCTION_ENV,
        "GRIDCARE_VAR_DIR": str(tmp_path),
        "DATABASE_URL": "",
        "TASK_BACKEND": "database",
    }
    gridcare = [sys.executable, "-c", "import sys; from gridcare.cli import main; sys.exit(main())"]
    subprocess.run([*gridcare, "migrate", "-v0"], env=env, check=True)
    log = open(tmp_path / "stdout.log", "wb")
    server = subprocess.Popen(
        [*gridcare, "serve", f"127.0.0.1:{port}", "--prod", "--workers", "2"], env=env, stdout=log
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        status, headers, _ = fetch(f"{base}/accounts/login/", deadline)
        assert status == 301 and headers["Location"] == f"https://127.0.0.1:{port}/accounts/login/"
        status, headers, body = fetch(f"{base}/accounts/login/", deadline, **{"X-Forwarded-Proto": "https"})
        assert status == 200 and b"password" in body
        assert headers["Strict-Transport-Security"] == "max-age=31536000"
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        assert headers["X-Frame-Options"] == "DENY" and headers["X-Content-Type-Options"] == "nosniff"
        assert "secure" in headers["Set-Cookie"].lower()  # the CSRF cookie
        css = re.search(rb'href="(/static/gridcare/site\.[0-9a-f]{12}\.css)"', body)
        assert css, "the page links the hashed stylesheet"
        static_headers = {"X-Forwarded-Proto": "https", "Accept-Encoding": "gzip"}
        status, headers, _ = fetch(base + css[1].decode(), deadline, **static_headers)
        assert status == 200 and headers["Content-Encoding"] == "gzip"
        assert "immutable" in headers["Cache-Control"] and "max-age=315360000" in headers["Cache-Control"]
        status, _, body = fetch(f"{base}/no-such-page/", deadline, **{"X-Forwarded-Proto": "https"})
        assert status == 404 and b"Traceback" not in body and b"DEBUG" not in body  # no debug page
        assert server.poll() is None
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0
        log.close()
    lines = (tmp_path / "stdout.log").read_text()
    assert "production, 2 workers" in lines
    assert '"GET /accounts/login/ HTTP/1.1" 200' in lines  # gunicorn's access log, on stdout
