// Listen addresses are "host:port" strings in the config file and on the CLI
// (what operators type), and {host, port} inside the host (what net.listen
// takes). IPv6 hosts are bracketed: "[::1]:9090". Port 0 asks the OS for a
// free port, which tests and side-by-side hosts rely on.
import { isIPv6 } from 'node:net';

export interface ListenAddress {
  host: string;
  port: number;
}

const ADDRESS = /^(?:\[([0-9A-Fa-f:.]+)\]|([^\s:[\]/]+)):(\d{1,5})$/;

export function parseListenAddress(text: string): ListenAddress | undefined {
  const match = ADDRESS.exec(text.trim());
  if (!match) return undefined;
  const port = Number(match[3]);
  if (port > 65_535) return undefined;
  // Brackets hold an IPv6 address and nothing else ("[:]" or "[1.2.3.4]" would pass the pattern, then fail to listen).
  if (match[1] !== undefined && !isIPv6(match[1])) return undefined;
  return { host: (match[1] ?? match[2]) as string, port };
}

export function isListenAddress(text: string): boolean {
  return parseListenAddress(text) !== undefined;
}

/** The form a person reads and a URL takes ("[::1]:9090" for IPv6). */
export function formatListenAddress({ host, port }: ListenAddress): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

export const LISTEN_EXPECTATION = 'must be host:port, e.g. 127.0.0.1:9090 or [::1]:9090';
