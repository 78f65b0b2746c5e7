#!/bin/bash
# Regenerates the real tool outputs the failure classifier's table test reads (the *.txt beside
# this script). Run from anywhere with node, npm, tsc (the repo's), git, javac, go, python3, pytest
# and buildah on PATH; each fixture is what the tool printed (stdout and stderr), with the temp
# folder's path replaced by /tmp/build so the files do not change from run to run.
# Maven and Gradle are not run here (no ~/.m2 and no gradle on the machine): their fixtures
# (maven-*.txt, gradle-*.txt, and the sample-*.txt of older npm, BuildKit and
# a registry's 403) are samples in the format their documentation shows, written by hand.
set -u
out="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
keep() {
  sed -e "s#$work#/tmp/build#g" -e 's/[0-9]\+\(\.[0-9]\+\)\?m\?s\b/0ms/g' \
    -e 's/\(duration_ms:\?\) [0-9.]\+/\1 1/' -e 's/^\(Time: *\).*/\11 s/' \
    -e 's/([0-9]\+ ms)/(1 ms)/' -e 's/Killed \+sh/Killed sh/' -e 's/line 1: [0-9]\+ Killed/line 1: 4242 Killed/' >"$out/$1"
}
jest="$(cd "$out/../../../../.." && pwd)/node_modules/.bin/jest"
cd "$work"

# node --test with one failing test of three
mkdir node-test && cat >node-test/app.test.mjs <<'JS'
import test from 'node:test';
import assert from 'node:assert/strict';
test('adds', () => assert.equal(1 + 1, 2));
test('greets', () => assert.equal('hello'.toUpperCase(), 'HELLO'));
test('totals the basket', () => assert.equal(0.1 + 0.2, 0.3));
JS
(cd node-test && node --test --test-reporter=tap 2>&1) | keep node-test-fail.txt

# tsc on a file with two type errors
mkdir tsc && cat >tsc/index.ts <<'TS'
const port: number = '8080';
export function greet(name: string) { return name.toUpperCase(1); }
TS
(cd tsc && tsc --noEmit --strict index.ts 2>&1) | keep tsc-errors.txt

# npm run build whose build script fails
mkdir npm-build && cat >npm-build/package.json <<'JSON'
{ "name": "shop", "version": "1.0.0", "scripts": { "build": "node -e \"require('./missing-module')\"" } }
JSON
(cd npm-build && npm run build 2>&1) | keep npm-build-fail.txt

# npm run build whose build script is tsc, failing on the file above
mkdir npm-tsc && cp tsc/index.ts npm-tsc/ && cat >npm-tsc/package.json <<'JSON'
{ "name": "shop", "version": "1.0.0", "scripts": { "build": "tsc --noEmit --strict index.ts" } }
JSON
(cd npm-tsc && npm run build 2>&1) | keep npm-tsc-fail.txt

# Jest with two failing tests of three
mkdir jest && echo '{"name":"shop"}' >jest/package.json && cat >jest/shop.test.js <<'JS'
test('adds', () => expect(1 + 1).toBe(2));
test('totals', () => expect([2, 3].length).toBe(5));
test('greets', () => expect('hi').toBe('hello'));
JS
(cd jest && "$jest" --rootDir . --ci 2>&1) | keep jest-fail.txt

# git fetch of a ref the repository does not have, and of a repository nobody answers for
git init -q --bare repo.git
git -C repo.git symbolic-ref HEAD refs/heads/main
git init -q clone
(cd clone && git fetch "file://$work/repo.git" refs/heads/release-9 2>&1) | keep git-missing-ref.txt
(cd clone && GIT_TERMINAL_PROMPT=0 git fetch http://127.0.0.1:9/shop.git main 2>&1) | keep git-connection-refused.txt
(cd clone && GIT_TERMINAL_PROMPT=0 git fetch http://no-such-host.invalid/shop.git main 2>&1) | keep git-dns.txt

# javac on a file with one error
mkdir javac && cat >javac/App.java <<'JAVA'
public class App { public static void main(String[] args) { int port = "8080"; } }
JAVA
(cd javac && javac App.java 2>&1) | keep javac-error.txt

# go build with a compile error, go test with a failing test
mkdir gobuild && (cd gobuild && go mod init example.com/shop >/dev/null 2>&1 && cat >main.go <<'GO'
package main

func main() {
	var port int = "8080"
	_ = port
}
GO
GOFLAGS=-mod=mod go build ./... 2>&1) | keep go-build-error.txt
mkdir gotest && (cd gotest && go mod init example.com/shop >/dev/null 2>&1 && cat >shop.go <<'GO'
package shop

func Total(prices []int) int { return len(prices) }
GO
cat >shop_test.go <<'GO'
package shop

import "testing"

func TestTotal(t *testing.T) {
	if got := Total([]int{2, 3}); got != 5 {
		t.Errorf("Total = %d, want 5", got)
	}
}
GO
go test ./... 2>&1) | keep go-test-fail.txt

# python: a syntax error, and pytest with two failing tests of three
mkdir py && cat >py/app.py <<'PY'
def handler(event)
    return event
PY
(cd py && python3 app.py 2>&1) | keep python-syntax-error.txt
mkdir pyt && cat >pyt/test_shop.py <<'PY'
def test_adds():
    assert 1 + 1 == 2

def test_totals():
    assert sum([2, 3]) == 6

def test_discount():
    assert round(10 * 0.9) == 8
PY
(cd pyt && pytest -p no:cacheprovider -q 2>&1) | keep pytest-fail.txt

# a process the kernel (here: a SIGKILL) kills, as bash reports it; exit 137
(bash -c 'sh -c "kill -9 \$\$"; echo "exit $?"' 2>&1) | keep killed.txt

# a loopback server answering as a registry or git host that refuses: 404 for /missing.git,
# else 401 with a Basic challenge (the registry's JSON error body for /v2/)
node -e '
const http = require("http");
const s = http.createServer((q, r) => {
  if (q.url.startsWith("/missing.git")) { r.writeHead(404); r.end("Not Found"); return; }
  r.writeHead(401, {"WWW-Authenticate": "Basic realm=\"Registry Realm\"", "Docker-Distribution-Api-Version": "registry/2.0", "Content-Type": "application/json"});
  r.end(JSON.stringify({errors: [{code: "UNAUTHORIZED", message: "authentication required", detail: null}]}));
});
s.listen(15999, "127.0.0.1", () => setTimeout(() => s.close(), 60000));
' &
server=$!
sleep 1

# git fetch without credentials (no prompt), with wrong ones, and of a repository that is not there
(cd clone && GIT_TERMINAL_PROMPT=0 git fetch http://127.0.0.1:15999/shop.git main 2>&1) | keep git-no-credentials.txt
(cd clone && GIT_TERMINAL_PROMPT=0 git fetch http://bot:wrong@127.0.0.1:15999/shop.git main 2>&1) | keep git-auth-failed.txt
(cd clone && GIT_TERMINAL_PROMPT=0 git fetch http://127.0.0.1:15999/missing.git main 2>&1) | keep git-repository-missing.txt

# buildah push with wrong credentials
root="$work/buildah"
ctr=$(buildah --root "$root/storage" --runroot "$root/run" --storage-driver vfs from scratch 2>/dev/null)
buildah --root "$root/storage" --runroot "$root/run" --storage-driver vfs commit "$ctr" shop:1 >/dev/null 2>&1
(buildah --root "$root/storage" --runroot "$root/run" --storage-driver vfs push --tls-verify=false --creds wrong:wrong shop:1 docker://127.0.0.1:15999/codeflow/shop:1 2>&1) | sed -e 's/Getting image source signatures//' | keep buildah-push-401.txt
kill $server

# a build step the kernel kills (SIGKILL, as the OOM killer does) inside buildah's chroot
base=$(buildah --root "$root/storage" --runroot "$root/run" --storage-driver vfs from scratch 2>/dev/null)
buildah --root "$root/storage" --runroot "$root/run" --storage-driver vfs copy "$base" /usr/bin/busybox /bin/busybox >/dev/null
buildah --root "$root/storage" --runroot "$root/run" --storage-driver vfs run --isolation chroot "$base" /bin/busybox --install -s /bin
buildah --root "$root/storage" --runroot "$root/run" --storage-driver vfs commit --quiet "$base" localhost/busybox:1 >/dev/null
mkdir killed-build && printf 'FROM localhost/busybox:1\nRUN ["sh", "-c", "kill -9 $$"]\n' >killed-build/Dockerfile
(buildah --root "$root/storage" --runroot "$root/run" --storage-driver vfs bud --isolation chroot killed-build 2>&1) | keep buildah-run-killed.txt
