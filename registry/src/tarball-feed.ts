// Hands a tarball to tar's Parser without inflating more of it than is read.
// The parser inflates each write synchronously and whole: a tarball given in
// one write (`parser.end(buffer)`) is inflated at once in memory, and a few MB
// of gzip declare a file of gigabytes (gzip expands up to ~1000x). One rule
// for everyone who reads a package tarball (the registry on publish, the host
// on install): feed it in slices, let the reader stop it at its first problem
// (`parser.abort`, which stops the inflater at once), and stop at the
// end-of-archive marker, since whatever follows it is never unpacked.
import type { Parser } from 'tar';

/**
 * Slice size: at most ~1000x as much comes out of one, and a turn of the
 * event loop between slices lets other work (requests, events) run while a
 * large tarball is read.
 */
export const FEED_BYTES = 16 * 1024;

/**
 * Feeds `bytes` to `parser` in FEED_BYTES slices until the archive ends, its
 * end-of-archive marker is seen, or `failed()` (the reader's own refusal, after
 * which it calls `parser.abort`). Resolves once the parser is done; rejects
 * with the parser's error (an abort's error included). The parser must be new:
 * its 'error', 'end' and 'eof' events are listened to here.
 */
export async function feedTarball(parser: Parser, bytes: Uint8Array, failed: () => boolean): Promise<void> {
  let sawEof = false;
  parser.on('eof', () => {
    sawEof = true;
  });
  const done = new Promise<void>((resolve, reject) => {
    parser.on('error', (err: Error) => {
      // Input cut off after the end-of-archive blocks only upsets the inflater: the archive was whole.
      if (sawEof && !failed()) resolve();
      else reject(err);
    });
    parser.on('end', () => resolve());
  });
  done.catch(() => {}); // awaited below; this only keeps an error during the feed from being reported as unhandled
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stop = () => sawEof || failed();
  for (let offset = 0; offset < buffer.length && !stop(); offset += FEED_BYTES) {
    const more = parser.write(buffer.subarray(offset, offset + FEED_BYTES));
    if (!more && !stop()) await Promise.race([new Promise<void>((resolve) => parser.once('drain', resolve)), done]);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  parser.end();
  await done;
}
