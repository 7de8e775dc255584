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

/**
 * The dashboard next to the API on one origin, as CloudFront serves it on AWS: `/` and `/assets/…` from
 * the build, and `config.json` written here (what the deploy writes there). The API's routes never use
 * these paths; anything else is left to the API.
 */
export function siteRequestHandler(dir: string, config: Record<string, unknown>) {
  const configJson = JSON.stringify(config);
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (pathname === '/config.json') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : configJson);
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
