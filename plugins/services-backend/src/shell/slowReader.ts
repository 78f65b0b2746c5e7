import type { Writable } from 'node:stream';

/**
 * Output one reader of a shell may leave unread (bytes held for its connection) before it is
 * dropped. The page reconnects from the offset it has, and gets what the shell's buffer still
 * holds; a reader that cannot keep up with `yes` costs at most this much memory, not all of it.
 */
export const MAX_UNREAD_OUTPUT_BYTES = 1024 * 1024;

/**
 * A writer for one reader's response that drops the reader (destroys the connection, calls
 * `onDrop` once, writes nothing more) as soon as more than `maxUnread` bytes wait for it.
 */
export function slowReaderGuard(
  res: Writable,
  maxUnread: number,
  onDrop: () => void,
): (text: string) => void {
  let dropped = false;
  return text => {
    if (dropped) return;
    if (res.writableLength > maxUnread) {
      dropped = true;
      onDrop();
      res.destroy();
      return;
    }
    res.write(text);
    // the compression middleware (when there is one) holds bytes back without a flush
    (res as unknown as { flush?: () => void }).flush?.();
  };
}
