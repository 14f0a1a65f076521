// A file-system error that only says the file or folder is not there: the
// storage's readers answer "none" for it, and rethrow every other error.
export function isNotFound(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 'ENOENT';
}
