"""The service's tests: python3 -m unittest -v (standard library only)."""

import json
import threading
import unittest
from urllib.error import HTTPError
from urllib.request import urlopen

import app


class ServerTestCase(unittest.TestCase):
    """The app on a free port of 127.0.0.1 for each test."""

    # the environment the app reads its middleware from: none unless a test class gives one
    env = {}

    def setUp(self):
        # port 0: the system picks a free port
        self.server = app.create_server(
            0, host="127.0.0.1", version="test", env=self.env
        )
        self.base = "http://127.0.0.1:%d" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever)
        self.thread.start()

    def tearDown(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()

    def get(self, path):
        try:
            with urlopen(self.base + path, timeout=5) as res:
                return res.status, json.loads(res.read())
        except HTTPError as error:
            return error.code, json.loads(error.read())


class AppTest(ServerTestCase):
    def test_healthz_answers_200_while_running(self):
        self.assertEqual(self.get("/healthz"), (200, {"status": "ok"}))

    def test_healthz_answers_503_once_shutting_down(self):
        self.server.begin_shutdown()
        self.assertEqual(self.get("/healthz")[0], 503)

    def test_root_names_the_service_and_its_version(self):
        self.assertEqual(
            self.get("/"), (200, {"service": app.SERVICE, "version": "test"})
        )

    def test_unknown_path_is_404(self):
        self.assertEqual(self.get("/nope")[0], 404)


class MiddlewareTest(ServerTestCase):
    """The app with the variables the app store's attach sets (the password from a Secret)."""

    env = {
        "REDIS_HOST": "cache-redis.payments.svc",
        "REDIS_PORT": "6379",
        "REDIS_PASSWORD": "from-the-secret",
        "MYSQL_HOST": "db-mysql.payments.svc",
        "MYSQL_PORT": "3306",
        "MYSQL_USER": "app",
    }

    def test_healthz_says_which_middleware_is_configured_never_a_password(self):
        status, body = self.get("/healthz")
        self.assertEqual(status, 200)
        self.assertEqual(
            body,
            {
                "status": "ok",
                "middleware": {
                    "redis": {
                        "host": "cache-redis.payments.svc",
                        "port": 6379,
                        "passwordSet": True,
                    },
                    "mysql": {
                        "host": "db-mysql.payments.svc",
                        "port": 3306,
                        "user": "app",
                        "passwordSet": False,
                    },
                },
            },
        )
        self.assertNotIn("from-the-secret", json.dumps(body))

    def test_no_host_is_no_middleware(self):
        self.assertEqual(
            app.configured_middleware({"REDIS_PORT": "6379", "MYSQL_PASSWORD": "x"}),
            {},
        )


if __name__ == "__main__":
    unittest.main()
