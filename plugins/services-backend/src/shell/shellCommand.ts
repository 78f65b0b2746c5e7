import type { RootConfigService as Config } from '@backstage/backend-plugin-api';

/** The shells a page may ask for; the command is never free text. */
export const SHELLS = ['sh', 'bash'] as const;

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
 * A POSIX sh script, run as `sh -c SCRIPT <shell> <uid> <gid>`: a container that already runs as
 * another user gets the shell as it is; one that runs as root gets it as uid:gid through
 * `setpriv` (util-linux, busybox), else through `su` to the account with that uid; an image with
 * neither (or without the capability to switch) gets a root shell and a line that says so. The
 * probes (`setpriv ... true`, `su ... -c true`) find out whether the switch works before the
 * shell is replaced, so a refused switch never ends the session.
 */
const NON_ROOT_SCRIPT = [
  'sh_=$(command -v "$0" || echo "$0")',
  'if [ "$(id -u 2>/dev/null)" != 0 ]; then exec "$sh_"; fi',
  'if command -v setpriv >/dev/null 2>&1 && setpriv --reuid="$1" --regid="$2" --clear-groups true 2>/dev/null; then',
  '  echo "container-cloud: the container runs as root; this shell runs as uid $1" >&2',
  '  exec setpriv --reuid="$1" --regid="$2" --clear-groups "$sh_"',
  'fi',
  'name_=',
  'if [ -r /etc/passwd ]; then',
  '  while IFS=: read -r n_ p_ u_ rest_; do',
  '    if [ "$u_" = "$1" ]; then name_=$n_; break; fi',
  '  done < /etc/passwd',
  'fi',
  'if [ -n "$name_" ] && command -v su >/dev/null 2>&1 && su -s "$sh_" "$name_" -c true 2>/dev/null; then',
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
