import { useEffect, useState } from 'react';

/**
 * Hash routes (`#/campaigns/…`): the site is static files on S3 behind CloudFront, and a review link's
 * signature in the fragment never reaches a server log or a Referer header.
 */
export type Route =
  | { page: 'campaigns' }
  | { page: 'campaign'; id: string }
  | { page: 'approval'; id: string }
  | { page: 'review'; id: string; exp: number; sig: string }
  | { page: 'not-found'; path: string };

export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const q = new URLSearchParams(query);
  if (parts.length === 0 || (parts[0] === 'campaigns' && parts.length === 1)) return { page: 'campaigns' };
  if (parts[0] === 'campaigns' && parts[1]) return { page: 'campaign', id: parts[1] };
  if (parts[0] === 'approvals' && parts[1]) return { page: 'approval', id: parts[1] };
  if (parts[0] === 'review' && parts[1] && q.get('sig') && q.get('exp'))
    return { page: 'review', id: parts[1], exp: Number(q.get('exp')), sig: q.get('sig') ?? '' };
  return { page: 'not-found', path };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

export const href = {
  campaigns: () => '#/campaigns',
  campaign: (id: string) => `#/campaigns/${encodeURIComponent(id)}`,
  approval: (id: string) => `#/approvals/${encodeURIComponent(id)}`,
};
