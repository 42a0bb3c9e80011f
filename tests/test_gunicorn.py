"""gunicorn as make serve runs it: no control socket at a shared path, HEAD without warnings."""

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from taskforce.faults import free_port
from tests.conftest import BASE_DIR, PRODUCTION_ENV


def test_gunicorn_answers_head_cleanly_and_opens_no_shared_control_socket(tmp_path):
    port = free_port()
    env = {
        **PRODUCTION_ENV,
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "ENV_FILE": os.devnull,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "off",
        "CACHE_URL": "locmemcache://",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'site.sqlite3'}",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "1",
    }
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "--config", "python:taskforce.gunicorn",
         "taskforce.wsgi"],
        cwd=BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                request = urllib.request.Request(f"http://127.0.0.1:{port}/healthz", method="HEAD")
                with urllib.request.urlopen(request, timeout=2) as response:
                    assert response.status == 200
                    assert response.read() == b""
                break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        for _ in range(3):
            request = urllib.request.Request(f"http://127.0.0.1:{port}/robots.txt", method="HEAD")
            with urllib.request.urlopen(request, timeout=5) as response:
                assert int(response.headers["Content-Length"]) > 0
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert "body bytes on a no-body response" not in output
    assert not (tmp_path / ".gunicorn").exists()
    assert "control socket" not in output.lower() or "disabled" in output.lower()
