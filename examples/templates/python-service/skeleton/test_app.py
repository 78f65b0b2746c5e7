"""The service's tests: python3 -m unittest -v (standard library only)."""

import json
import threading
import unittest
from urllib.error import HTTPError
from urllib.request import urlopen

import app


class AppTest(unittest.TestCase):
    def setUp(self):
        # port 0: the system picks a free port
        self.server = app.create_server(0, host="127.0.0.1", version="test")
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


if __name__ == "__main__":
    unittest.main()
