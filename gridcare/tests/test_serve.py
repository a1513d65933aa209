import os
import signal
import socket
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


@pytest.mark.slow
@pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="runs its own SQLite server; once per suite is enough")
def test_serve_answers_and_stops_on_sigterm(tmp_path):
    """gunicorn and the task worker start, static files and pages answer, SIGTERM stops everything."""
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
        assert server.poll() is None  # the task worker is still up, or serve would have ended
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0
    with pytest.raises(OSError):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=2)
