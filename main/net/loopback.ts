/**
 * This machine, by name or address: localhost, 127.0.0.0/8, ::1 (or ::ffff:127.x.x.x). The one
 * place that decides it, for the rules that rest on it: plain http is accepted only for loopback
 * (credentials never travel in clear text over a network), and loopback is always connected to
 * directly, whatever the proxy settings (through a proxy, "localhost" would be the proxy's own
 * machine, and the proxy would see what plain http carries).
 */
export function isLoopbackHostname(hostname: string): boolean {
  const name = hostname.toLowerCase();
  if (name === 'localhost' || name === 'localhost.') return true;
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name)) return true;
  if (name === '[::1]' || name === '::1') return true;
  // IPv4-mapped 127.x.y.z, as the URL parser writes it: [::ffff:7fxx:xxxx].
  return /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(name);
}

/** Whether `url` names this machine. The WHATWG URL parser has already turned 127.1, 0x7f000001 and [0:0::1] into their plain forms. */
export function isLoopbackUrl(url: string): boolean {
  try {
    return isLoopbackHostname(new URL(url).hostname);
  } catch {
    return false;
  }
}
