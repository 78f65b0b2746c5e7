"""The build: the app into dist/, which the codeflow copies into the image as /app.

No dependencies and nothing to compile: the image runs exactly these files with
`python3 app.py`.
"""

import json
import os
import shutil

ROOT = os.path.dirname(os.path.abspath(__file__))
DIST = os.path.join(ROOT, "dist")
FILES = ["app.py"]

shutil.rmtree(DIST, ignore_errors=True)
os.makedirs(DIST)
for name in FILES:
    shutil.copy2(os.path.join(ROOT, name), os.path.join(DIST, name))
print(json.dumps({"level": "info", "msg": "built", "out": "dist", "files": FILES}))
