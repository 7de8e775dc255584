import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';

/** Generated from docs/openapi.json (`npm run web:client`): the API's own contracts, nothing hand-typed. */
export type Schemas = components['schemas'];

type Ok<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  responses: { 200: { content: { 'application/json': infer T } } };
}
  ? T
  : never;

export type ReviewView = Ok<'/dashboard/approvals/{id}', 'get'>;
export type CampaignCards = Ok<'/dashboard/campaigns', 'get'>;
export type CampaignCard = CampaignCards['campaigns'][number];
export type CampaignDetail = Ok<'/dashboard/campaigns/{id}', 'get'>;
export type PerformanceReport = Ok<'/dashboard/campaigns/{id}/performance', 'get'>;
export type AbReport = Ok<'/dashboard/campaigns/{id}/ab-report', 'get'>;
export type DecisionBody = NonNullable<
  paths['/dashboard/approvals/{id}/decision']['post']['requestBody']
>['content']['application/json'];

/** Where the API and the user pool are: `config.json` next to the page (written by the deploy). */
export interface SiteConfig {
  apiUrl: string;
  auth: null | { region: string; userPoolId: string; clientId: string; endpoint?: string };
}

export async function loadConfig(): Promise<SiteConfig> {
  const res = await fetch('config.json', { cache: 'no-store' });
  if (!res.ok) return { apiUrl: '', auth: null };
  return (await res.json()) as SiteConfig;
}

/** An RFC 9457 problem the API answered with, kept whole so a page can show every field error. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly errors: { pointer?: string; detail?: string }[] = [],
  ) {
    super(`${title}: ${detail}`);
    this.name = 'ApiProblem';
  }
}

function problemOf(status: number, body: unknown): ApiProblem {
  const p = (body ?? {}) as { title?: string; detail?: string; message?: string; errors?: unknown };
  const errors = Array.isArray(p.errors) ? (p.errors as { pointer?: string; detail?: string }[]) : [];
  return new ApiProblem(
    status,
    p.title ?? (status === 401 ? 'Not signed in' : `HTTP ${status}`),
    p.detail ?? p.message ?? 'the API refused the request',
    errors,
  );
}

export type Api = ReturnType<typeof createApi>;

/** The typed client; `token()` adds the signed-in user's bearer token to dashboard calls. */
export function createApi(baseUrl: string, token: () => string | undefined, fetchImpl?: typeof fetch) {
  const client = createClient<paths>({ baseUrl, ...(fetchImpl ? { fetch: fetchImpl } : {}) });
  const auth: Middleware = {
    onRequest({ request }) {
      const t = token();
      if (t && new URL(request.url).pathname.includes('/dashboard/'))
        request.headers.set('authorization', `Bearer ${t}`);
      return request;
    },
  };
  client.use(auth);
  const unwrap = <T>(r: { data?: T; error?: unknown; response: Response }): T => {
    if (r.error !== undefined || !r.response.ok || r.data === undefined)
      throw problemOf(r.response.status, r.error);
    return r.data;
  };
  return {
    campaigns: async () => unwrap(await client.GET('/dashboard/campaigns')),
    campaign: async (id: string) =>
      unwrap(await client.GET('/dashboard/campaigns/{id}', { params: { path: { id } } })),
    performance: async (id: string) =>
      unwrap(await client.GET('/dashboard/campaigns/{id}/performance', { params: { path: { id } } })),
    abReport: async (id: string) =>
      unwrap(await client.GET('/dashboard/campaigns/{id}/ab-report', { params: { path: { id } } })),
    review: async (id: string) =>
      unwrap(await client.GET('/dashboard/approvals/{id}', { params: { path: { id } } })),
    reviewByLink: async (id: string, link: { exp: number; sig: string }) =>
      unwrap(
        await client.GET('/approvals/{id}/review', {
          params: { path: { id }, query: link },
        }),
      ) as ReviewView,
    decide: async (id: string, body: DecisionBody) =>
      unwrap(await client.POST('/dashboard/approvals/{id}/decision', { params: { path: { id } }, body })),
    decideByLink: async (id: string, body: DecisionBody, link: { exp: number; sig: string }) =>
      unwrap(
        await client.POST('/approvals/{id}', {
          params: { path: { id } },
          body: { ...body, exp: link.exp, sig: link.sig, link: 'review' },
        }),
      ),
  };
}
