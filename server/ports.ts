/** Ports and addresses as a person deals with them: who holds a port, where this machine reaches a server. */
import { ConfigError } from './config.js';

/** A port someone else holds, said as a person fixes it: which variable moves it. */
export function portTaken(error: unknown, variable: string, host: string, port: number): unknown {
  if ((error as NodeJS.ErrnoException)?.code !== 'EADDRINUSE') return error;
  return new ConfigError(`${variable}: port ${port} on ${host} is already in use (another server, or this one started twice); stop it or set ${variable} to a free port`);
}

/** Where a process on this machine reaches a server listening on `host` (a wildcard address is reached on loopback). */
export function localUrl(host: string, port: number): string {
  const reachable = host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}
