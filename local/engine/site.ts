import { createReadStream, existsSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/** The built review dashboard (`npm run build:web`), if there is one. */
export const WEB_DIST = path.resolve(import.meta.dirname, '../../web/dist');
export const siteBuilt = (dir = WEB_DIST): boolean => existsSync(path.join(dir, 'index.html'));

/** `config.json`, or how to get it once it is known (as-deployed: the local user pool's endpoint). */
export type SiteConfig = Record<string, unknown> | (() => Record<string, unknown> | undefined);

/**
 * The dashboard next to the API on one origin, as CloudFront serves it on AWS: `/` and `/assets/…` from
 * the build, and `config.json` written here (what the deploy writes there). The API's routes never use
 * these paths; anything else is left to the API.
 */
export function siteRequestHandler(site: string | (() => string | undefined), config: SiteConfig) {
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    // As deployed, the site is what the stack's deployment copied, known once the runtime has started.
    const dir = typeof site === 'function' ? site() : site;
    if (!dir) return false;
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (pathname === '/config.json') {
      // A config known only once the runtime has started is left to the API (503 while it starts).
      const current = typeof config === 'function' ? config() : config;
      if (!current) return false;
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : JSON.stringify(current));
      return true;
    }
    const rel = pathname === '/' ? 'index.html' : pathname.slice(1);
    if (!(rel === 'index.html' || rel.startsWith('assets/'))) return false;
    const file = path.resolve(dir, rel);
    if (!file.startsWith(`${dir}${path.sep}`) || !existsSync(file) || !statSync(file).isFile()) return false;
    res.writeHead(200, {
      'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
      'cache-control': rel === 'index.html' ? 'no-cache' : 'public, max-age=31536000, immutable',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
    return true;
  };
}
