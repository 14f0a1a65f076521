// The sandbox process's side of its IPC channel to the host. The host is
// gone when the channel closes ('disconnect') or when a write to it fails
// (EPIPE: the host died before this process saw the close). Both take the
// same path, once. Without a callback, process.send reports a failed write
// as an 'error' event on the process, which nothing handles: the sandbox then
// died of an uncaught exception, through Node's exit teardown, where
// isolated-vm can abort on worker threads holding live isolates.

/** What hostChannel needs of `process` (a test passes a fake). */
export interface IpcProcess {
  readonly connected: boolean;
  send?(message: unknown, handle: undefined, options: undefined, callback: (error: Error | null) => void): boolean;
  once(event: 'disconnect', listener: () => void): unknown;
}

/** Returns the sender; `onGone` runs once, at the first sign that the host is gone. */
export function hostChannel<Message>(proc: IpcProcess, onGone: () => void): (message: Message) => void {
  let gone = false;
  const end = (): void => {
    if (gone) return;
    gone = true;
    onGone();
  };
  proc.once('disconnect', end);
  const written = (error: Error | null): void => {
    if (error !== null) end();
  };
  return (message) => {
    if (proc.connected) proc.send?.(message, undefined, undefined, written);
  };
}
