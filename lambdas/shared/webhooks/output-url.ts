import { isIP } from 'node:net';
import { ValidationError } from '../errors.js';

/** Loopback, private, link-local (the instance metadata service) and unspecified addresses. */
const INTERNAL_V4 = [/^127\./, /^10\./, /^192\.168\./, /^172\.(1[6-9]|2\d|3[01])\./, /^169\.254\./, /^0\./];
const INTERNAL_V6 = [/^::1?$/, /^f[cd]/i, /^fe[89ab]/i, /^::ffff:/i];

function internalHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  const version = isIP(host);
  if (version === 4) return INTERNAL_V4.some((r) => r.test(host));
  if (version === 6) return INTERNAL_V6.some((r) => r.test(host));
  return false;
}

/** The S3 endpoint the SDK is pointed at when one is configured (the embedded runtime's emulator). */
function emulatorOrigins(env: NodeJS.ProcessEnv): string[] {
  return [env.AWS_ENDPOINT_URL_S3, env.AWS_ENDPOINT_URL]
    .filter((u): u is string => Boolean(u))
    .flatMap((u) => {
      try {
        return [new URL(u).origin];
      } catch {
        return [];
      }
    });
}

/**
 * Whether a provider-reported output URL may be downloaded: HTTPS to a public host only, so a
 * callback can never make a function read its own disk (`file:`), the instance metadata service or
 * another internal address. The one exception is a configured local S3 emulator (plain HTTP on
 * loopback), which only exists when AWS_ENDPOINT_URL_S3 points at it.
 */
export function assertFetchableOutputUrl(raw: string, env: NodeJS.ProcessEnv = process.env): URL {
  const refuse = (message: string) =>
    new ValidationError('invalid output_url', [{ path: 'data.output_url', message }]);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refuse('is not a URL');
  }
  if (emulatorOrigins(env).includes(url.origin)) return url;
  if (url.protocol !== 'https:') throw refuse(`${url.protocol} URLs are never fetched; use https:`);
  if (url.username || url.password) throw refuse('carries credentials');
  if (internalHost(url.hostname)) throw refuse(`${url.hostname} is an internal address`);
  return url;
}
