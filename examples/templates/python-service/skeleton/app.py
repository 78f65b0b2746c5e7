"""${{ values.name }}: an HTTP service on Python's standard library only.

GET /healthz answers the readiness and liveness probes (503 once shutting down, so the Service
stops sending traffic before the process ends) and says which middleware is configured, if any;
GET / says which service and version answer.
Logs are JSON lines on stdout. On SIGTERM it stops taking connections, lets open requests
finish and exits 0.
"""

import json
import os
import signal
import sys
import threading
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

SERVICE = "${{ values.name }}"
DEFAULT_PORT = ${{ values.port }}

# The middleware the app store may attach to this service, by the variables' prefix: the
# template's optional Redis sets REDIS_HOST, REDIS_PORT and REDIS_PASSWORD, its optional MySQL
# MYSQL_HOST, MYSQL_PORT, MYSQL_USER and MYSQL_PASSWORD (each password a reference to the
# instance's Secret).
MIDDLEWARE = (("redis", "REDIS_"), ("mysql", "MYSQL_"))


def configured_middleware(env):
    """What middleware `env` configures: host, port, user, and whether a password is set.

    This app has no client library: it only reports what is configured (on /healthz and in its
    first log line), never the password itself.
    """
    configured = {}
    for name, prefix in MIDDLEWARE:
        host = env.get(prefix + "HOST")
        if not host:
            continue
        entry = {"host": host}
        port = env.get(prefix + "PORT", "")
        if port.isdigit() and int(port) > 0:
            entry["port"] = int(port)
        if env.get(prefix + "USER"):
            entry["user"] = env[prefix + "USER"]
        entry["passwordSet"] = bool(env.get(prefix + "PASSWORD"))
        configured[name] = entry
    return configured


def log(level, msg, **fields):
    """One JSON object per line on stdout: what the cluster's log collection reads."""
    line = {
        "time": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
        "level": level,
        "msg": msg,
    }
    line.update(fields)
    sys.stdout.write(json.dumps(line) + "\n")
    sys.stdout.flush()


class Handler(BaseHTTPRequestHandler):
    server_version = SERVICE

    def do_GET(self):
        started = time.monotonic()
        path = urlsplit(self.path).path
        if path == "/healthz":
            if self.server.shutting_down:
                status, body = 503, {"status": "shutting-down"}
            else:
                status, body = 200, {"status": "ok"}
                if self.server.middleware:
                    body["middleware"] = self.server.middleware
        elif path == "/":
            status, body = 200, {"service": SERVICE, "version": self.server.version}
        else:
            status, body = 404, {"error": "not found"}
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        log(
            "info",
            "request",
            method=self.command,
            path=self.path,
            status=status,
            ms=round((time.monotonic() - started) * 1000, 3),
        )

    def log_request(self, code="-", size="-"):
        # do_GET writes the access line itself, as JSON with the time it took
        pass

    def log_message(self, format, *args):
        # what else the base class reports (bad requests, errors), as JSON
        log("warn", "http", client=self.address_string(), detail=format % args)


class Server(ThreadingHTTPServer):
    # server_close() waits for the open requests' threads: a graceful stop lets them finish
    daemon_threads = False
    block_on_close = True

    def __init__(self, address, version="dev", env=None):
        super().__init__(address, Handler)
        self.version = version
        self.shutting_down = False
        self.middleware = configured_middleware(os.environ if env is None else env)

    def begin_shutdown(self):
        self.shutting_down = True


def create_server(port, host="", version=None, env=None):
    """`env`: where the middleware's variables are read (default: the process's environment)."""
    return Server((host, port), version or os.environ.get("APP_VERSION", "dev"), env)


def main():
    port = int(os.environ.get("PORT", DEFAULT_PORT))
    server = create_server(port)

    # Kubernetes sends SIGTERM, waits terminationGracePeriodSeconds, then SIGKILL. shutdown()
    # waits for serve_forever() to return, so it runs in a thread of its own, not in the handler.
    def stop(signum, _frame):
        if server.shutting_down:
            return
        log("info", "shutting down", signal=signal.Signals(signum).name)
        server.begin_shutdown()
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    log(
        "info",
        "listening",
        service=SERVICE,
        port=server.server_address[1],
        # the middleware configured (e.g. ["redis"]); /healthz says where
        middleware=sorted(server.middleware),
    )
    server.serve_forever()
    server.server_close()
    log("info", "stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
