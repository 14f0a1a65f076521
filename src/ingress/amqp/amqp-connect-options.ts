// The amqplib connect options of a source: host, port and vhost from the
// URL; credentials from the config's username/password (usually `${ENV}`
// references), else the URL's userinfo. Passed as an object, never as a URL
// string, so no error message amqplib builds can echo a password.
import type { Options } from 'amqplib';
import type { AmqpSourceConfig } from '../broker-config.ts';

export function amqpConnectOptions(config: AmqpSourceConfig): Options.Connect {
  const url = new URL(config.url);
  const tls = url.protocol === 'amqps:';
  // "amqp://host" and "amqp://host/" both mean the default vhost "/"; "/%2f" spells it out.
  const vhost = url.pathname.length > 1 ? decodeURIComponent(url.pathname.slice(1)) : '/';
  const options: Options.Connect = {
    protocol: tls ? 'amqps' : 'amqp',
    hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port === '' ? (tls ? 5671 : 5672) : Number(url.port),
    vhost,
    heartbeat: config.heartbeatSec,
  };
  const username = config.username ?? (url.username === '' ? undefined : decodeURIComponent(url.username));
  const password = config.password ?? (url.password === '' ? undefined : decodeURIComponent(url.password));
  if (username !== undefined) options.username = username;
  if (password !== undefined) options.password = password;
  return options;
}
