import type { RootConfigService as Config } from '@backstage/backend-plugin-api';
import { SHELLS } from '@internal/plugin-container-cloud-common';

/** @public */
export type ShellName = (typeof SHELLS)[number];

/** The user a web shell switches to when the container runs as root. */
export interface NonRootUser {
  uid: number;
  gid: number;
}

/** 65534 is `nobody` in Debian, Alpine and most base images. */
export const DEFAULT_NON_ROOT_USER: NonRootUser = { uid: 65534, gid: 65534 };

/**
 * `containerCloud.services.shell.nonRoot`: `false` keeps the container's user; else the uid and
 * gid to switch to (each default 65534). A uid of 0 or a value that is no user id is refused at
 * start, naming the key.
 */
export function readNonRootUser(
  config: Config | undefined,
): NonRootUser | false {
  const key = 'containerCloud.services.shell.nonRoot';
  if (!config?.has('nonRoot')) return DEFAULT_NON_ROOT_USER;
  if (config.getOptional('nonRoot') === false) return false;
  const section = config.getConfig('nonRoot');
  const id = (name: 'uid' | 'gid') => {
    const value =
      section.getOptionalNumber(name) ?? DEFAULT_NON_ROOT_USER[name];
    if (!Number.isInteger(value) || value < 1 || value > 2147483647) {
      throw new Error(
        `${key}.${name} must be a whole number from 1 to 2147483647 (not root), got ${value}`,
      );
    }
    return value;
  };
  return { uid: id('uid'), gid: id('gid') };
}

/**
 * The exit code of a command the wrapper refused to run, or a file read it refused (EX_NOPERM);
 * its stderr says why.
 */
export const WRAPPER_REFUSED = 77;

/**
 * The part of the non-root wrapper the shell and the file download share, POSIX sh with `$1` and
 * `$2` the uid and gid to switch to. It fails closed when `id` is missing or says nothing: the
 * portal cannot tell which user the container runs as, so it runs nothing. `can_setpriv_` and
 * `can_su_ SHELL` probe whether the switch works (`setpriv ... true`, `su ... -c true`) before
 * anything is replaced, so a refused switch never ends the session; `name_` is the account with
 * that uid in /etc/passwd, for su.
 */
const SWITCH_PRELUDE = [
  'uid_=$(id -u 2>/dev/null)',
  'case "$uid_" in',
  "  ''|*[!0-9]*)",
  '    echo "container-cloud: this image has no working id command, so the portal cannot tell which user the container runs as; refused" >&2',
  `    exit ${WRAPPER_REFUSED};;`,
  'esac',
  'can_setpriv_() {',
  '  command -v setpriv >/dev/null 2>&1 && setpriv --reuid="$1" --regid="$2" --clear-groups true 2>/dev/null',
  '}',
  'name_=',
  'if [ -r /etc/passwd ]; then',
  '  while IFS=: read -r n_ p_ u_ rest_; do',
  '    if [ "$u_" = "$1" ]; then name_=$n_; break; fi',
  '  done < /etc/passwd',
  'fi',
  'can_su_() {',
  '  [ -n "$name_" ] && command -v su >/dev/null 2>&1 && su -s "$1" "$name_" -c true 2>/dev/null',
  '}',
];

/**
 * A POSIX sh script, run as `sh -c SCRIPT <shell> <uid> <gid>`: a container that already runs as
 * another user gets the shell as it is; one that runs as root gets it as uid:gid through
 * `setpriv` (util-linux, busybox), else through `su` to the account with that uid; an image with
 * neither (or without the capability to switch) gets a root shell and a line that says so. An
 * image without `id` gets no shell (see SWITCH_PRELUDE).
 */
const NON_ROOT_SCRIPT = [
  ...SWITCH_PRELUDE,
  'sh_=$(command -v "$0" || echo "$0")',
  'if [ "$uid_" != 0 ]; then exec "$sh_"; fi',
  'if can_setpriv_ "$1" "$2"; then',
  '  echo "container-cloud: the container runs as root; this shell runs as uid $1" >&2',
  '  exec setpriv --reuid="$1" --regid="$2" --clear-groups "$sh_"',
  'fi',
  'if can_su_ "$sh_"; then',
  '  echo "container-cloud: the container runs as root; this shell runs as $name_" >&2',
  '  exec su -s "$sh_" "$name_"',
  'fi',
  'echo "container-cloud: this image can switch to no other user (no setpriv or su), so this shell runs as root" >&2',
  'exec "$sh_"',
].join('\n');

/**
 * The command a web shell runs: the shell itself, or, when `nonRoot` is given, the shell as that
 * user where the container runs as root and the image allows it (Kubernetes' exec cannot choose a
 * user; the container's own tools switch).
 */
export function shellCommand(
  shell: ShellName,
  nonRoot: NonRootUser | undefined,
): string[] {
  if (!nonRoot) return [shell];
  return [
    'sh',
    '-c',
    NON_ROOT_SCRIPT,
    shell,
    String(nonRoot.uid),
    String(nonRoot.gid),
  ];
}

/**
 * Reads one file, run as `sh -c SCRIPT reader <path> <folder>...`: resolves the path in the
 * container (`realpath`, else `readlink -f`; neither: refused), and reads the resolved file only
 * when it lies under one of the folders, matched on whole path segments (`/var/log` holds
 * `/var/log/a.log`, not `/var/logs-x/a.log`). Folders come without a trailing `/`.
 */
const FILE_READ_SCRIPT = [
  'p_=$1; shift',
  'if command -v realpath >/dev/null 2>&1; then r_=$(realpath "$p_" 2>&1) || { echo "$r_" >&2; exit 1; }',
  'elif command -v readlink >/dev/null 2>&1; then r_=$(readlink -f "$p_" 2>&1) || { echo "$r_" >&2; exit 1; }',
  `else echo "container-cloud: this image has neither realpath nor readlink, so the portal cannot tell where $p_ leads; refused" >&2; exit ${WRAPPER_REFUSED}`,
  'fi',
  'for d_ in "$@"; do',
  '  case "$r_" in "$d_"/*) exec cat -- "$r_";; esac',
  'done',
  `echo "container-cloud: $p_ leads to $r_, outside the folders files may be downloaded from; refused" >&2`,
  `exit ${WRAPPER_REFUSED}`,
].join('\n');

/**
 * The non-root wrapper for a command that is no shell, run as
 * `sh -c SCRIPT container-cloud <uid> <gid> <script> <args>...`: `sh -c <script> sh <args>...` as it
 * is in a container that runs as another user, else as uid:gid through setpriv or su, else (an
 * image that can switch to no one) as root, as the shell would be.
 */
const NON_ROOT_COMMAND_SCRIPT = [
  ...SWITCH_PRELUDE,
  'script_=$3; to_uid_=$1; to_gid_=$2; shift 3',
  'sh_=$(command -v sh)',
  'if [ "$uid_" != 0 ]; then exec "$sh_" -c "$script_" sh "$@"; fi',
  'if can_setpriv_ "$to_uid_" "$to_gid_"; then',
  '  exec setpriv --reuid="$to_uid_" --regid="$to_gid_" --clear-groups "$sh_" -c "$script_" sh "$@"',
  'fi',
  'if can_su_ "$sh_"; then exec su -s "$sh_" "$name_" -c "$script_" sh "$@"; fi',
  'exec "$sh_" -c "$script_" sh "$@"',
].join('\n');

/**
 * The command that downloads a file: FILE_READ_SCRIPT, through the shell's non-root wrapper
 * unless `nonRoot` is undefined (the container's user). `folders` are the allowed folders as
 * configured; they are passed without their trailing `/`.
 */
export function fileReadCommand(
  filePath: string,
  folders: string[],
  nonRoot: NonRootUser | undefined,
): string[] {
  const args = [filePath, ...folders.map(withoutTrailingSlash)];
  if (!nonRoot) return ['sh', '-c', FILE_READ_SCRIPT, 'sh', ...args];
  return [
    'sh',
    '-c',
    NON_ROOT_COMMAND_SCRIPT,
    'container-cloud',
    String(nonRoot.uid),
    String(nonRoot.gid),
    FILE_READ_SCRIPT,
    ...args,
  ];
}

/** `/var/log/` and `/var/log` name the same folder; `/` stays the root (as the empty prefix). */
export function withoutTrailingSlash(folder: string): string {
  return folder.replace(/\/+$/, '');
}
