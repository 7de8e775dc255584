import { z } from 'zod';
import { type ProviderJobStatus, ProviderRetryableError, type RenderFailureKind } from '../../ports/index.js';

/**
 * The fal queue REST protocol (docs.fal.ai "Queue"): `POST {queue}/{model_id}[?fal_webhook=url]` with
 * `Authorization: Key <FAL_KEY>` answers `{request_id, status_url, response_url, ...}`; the status
 * (`IN_QUEUE` | `IN_PROGRESS` | `COMPLETED`) is at `{queue}/{app}/requests/{id}/status`, the result at
 * `{queue}/{app}/requests/{id}`, where `{app}` is the model id's owner/alias (its first two segments):
 * nested ids such as `fal-ai/veo3.1/fast` are served under `fal-ai/veo3.1`.
 */
export interface FalQueueOptions {
  /** FAL_QUEUE_URL (https://queue.fal.run). */
  queueUrl: string;
  key: () => Promise<string>;
  fetchImpl?: typeof fetch;
  /** Per request; a provider that does not answer is retried later (default 30 s). */
  timeoutMs?: number;
}

/** A request fal will not run (validation, content policy): not retryable, the fallback takes over. */
export class FalRequestError extends Error {
  constructor(
    message: string,
    readonly kind: RenderFailureKind,
    readonly status: number,
  ) {
    super(message);
    this.name = 'FalRequestError';
  }
}

const Submitted = z.object({
  request_id: z.string().min(1).max(200),
  status_url: z.string().optional(),
  response_url: z.string().optional(),
});

const QueueStatus = z.object({
  status: z.enum(['IN_QUEUE', 'IN_PROGRESS', 'COMPLETED']),
  queue_position: z.number().optional(),
  /** Present on a request that ended in an error. */
  error: z.string().nullish(),
  error_type: z.string().nullish(),
});
export type FalQueueStatus = z.infer<typeof QueueStatus>;

/** The owner/alias part of a model id: where its requests live in the queue. */
export function appPath(modelId: string): string {
  const parts = modelId.split('/').filter(Boolean);
  // `workflows/owner/alias/...` carries a namespace.
  const n = parts[0] === 'workflows' ? 3 : 2;
  return parts.slice(0, n).join('/');
}

const REFUSAL = /content[_ ]policy|safety|flagged|nsfw|moderation|prohibited|sensitive/i;

/** fal error bodies: `{detail: "text"}` or `{detail: [{loc, msg, type, ...}]}` (FastAPI style). */
export function describeFalError(
  status: number,
  body: unknown,
): { message: string; kind: RenderFailureKind } {
  const detail = (body as { detail?: unknown } | undefined)?.detail;
  const items = Array.isArray(detail) ? (detail as { msg?: unknown; type?: unknown; loc?: unknown }[]) : [];
  const text =
    typeof detail === 'string'
      ? detail
      : items.length > 0
        ? items
            .map(
              (d) => `${Array.isArray(d.loc) ? `${d.loc.join('.')}: ` : ''}${String(d.msg ?? d.type ?? '')}`,
            )
            .join('; ')
        : typeof body === 'string' && body
          ? body
          : `HTTP ${status}`;
  const types = items.map((d) => String(d.type ?? ''));
  const refused = types.includes('content_policy_violation') || REFUSAL.test(text);
  const kind: RenderFailureKind = refused
    ? 'refused'
    : status === 400 || status === 422
      ? 'invalid_request'
      : 'provider_error';
  return { message: `fal: ${text}`.slice(0, 1000), kind };
}

/** Seconds from a Retry-After header (seconds or an HTTP date). */
function retryAfter(res: Response): number | undefined {
  const h = res.headers.get('retry-after');
  if (!h) return undefined;
  const n = Number(h);
  if (Number.isFinite(n)) return Math.max(0, n);
  const at = Date.parse(h);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

const readBody = async (res: Response): Promise<unknown> => {
  const text = await res.text();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text.slice(0, 500);
  }
};

export class FalQueue {
  private readonly fetch: typeof fetch;

  constructor(private readonly opts: FalQueueOptions) {
    this.fetch = opts.fetchImpl ?? fetch;
  }

  private url(path: string): string {
    return `${this.opts.queueUrl.replace(/\/+$/, '')}/${path}`;
  }

  /** One call; 429, 5xx, timeouts and network errors become ProviderRetryableError. */
  private async call(method: 'GET' | 'POST', url: string, body?: unknown): Promise<Response> {
    let res: Response;
    try {
      res = await this.fetch(url, {
        method,
        headers: {
          authorization: `Key ${await this.opts.key()}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 30_000),
      });
    } catch (error) {
      const e = error as Error & { cause?: { code?: string } };
      throw new ProviderRetryableError(
        `fal ${method} ${new URL(url).pathname}: ${e.cause?.code ?? e.name}: ${e.message}`,
      );
    }
    // A key problem is configuration, not the render's fault: neither retried nor a failed render.
    if (res.status === 401 || res.status === 403) {
      await res.body?.cancel();
      throw new Error(`fal refused the API key (HTTP ${res.status}): check the FAL_KEY secret`);
    }
    if (res.status === 429 || res.status === 408)
      throw new ProviderRetryableError(`fal: HTTP ${res.status} (rate limited)`, retryAfter(res) ?? 30);
    return res;
  }

  /** Queues a request; the webhook URL (if any) is called when it ends. */
  async submit(modelId: string, input: Record<string, unknown>, webhookUrl?: string): Promise<string> {
    const query = webhookUrl ? `?fal_webhook=${encodeURIComponent(webhookUrl)}` : '';
    const res = await this.call('POST', this.url(`${modelId}${query}`), input);
    const body = await readBody(res);
    if (res.status >= 500)
      throw new ProviderRetryableError(`fal submit: HTTP ${res.status}`, retryAfter(res));
    if (!res.ok) {
      const { message, kind } = describeFalError(res.status, body);
      throw new FalRequestError(message, kind, res.status);
    }
    return Submitted.parse(body).request_id;
  }

  /** The request's queue status; undefined when fal does not know it. */
  async status(modelId: string, requestId: string): Promise<FalQueueStatus | undefined> {
    const res = await this.call(
      'GET',
      this.url(`${appPath(modelId)}/requests/${encodeURIComponent(requestId)}/status`),
    );
    if (res.status === 404) {
      await res.body?.cancel();
      return undefined;
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new ProviderRetryableError(`fal status: HTTP ${res.status}`, retryAfter(res));
    }
    return QueueStatus.parse(await res.json());
  }

  /**
   * The result of a completed request: its output, or the failure fal reports for it (a 4xx/5xx with a
   * `detail` body). A gateway error without a fal body (502/503/504) is retryable.
   */
  async result(
    modelId: string,
    requestId: string,
  ): Promise<{ ok: true; output: unknown } | { ok: false; message: string; kind: RenderFailureKind }> {
    const res = await this.call(
      'GET',
      this.url(`${appPath(modelId)}/requests/${encodeURIComponent(requestId)}`),
    );
    const body = await readBody(res);
    if (res.ok) return { ok: true, output: body };
    const hasDetail = typeof body === 'object' && body !== null && 'detail' in body;
    if (res.status >= 500 && !hasDetail)
      throw new ProviderRetryableError(`fal result: HTTP ${res.status}`, retryAfter(res));
    return { ok: false, ...describeFalError(res.status, body) };
  }
}

const VideoOutput = z.object({ video: z.object({ url: z.string().min(1) }) });

/** A fal video result as a job status: the CDN URL, or the failure fal reports. */
export function videoOutcome(output: unknown, hasAudio?: boolean): ProviderJobStatus {
  const parsed = VideoOutput.safeParse(output);
  if (!parsed.success)
    return { state: 'failed', error: 'fal: the result has no video.url', kind: 'provider_error' };
  return { state: 'completed', output_url: parsed.data.video.url, ...(hasAudio ? { has_audio: true } : {}) };
}

/** fal's webhook body (docs.fal.ai "Webhooks"). */
export const FalWebhookBody = z.object({
  request_id: z.string().min(1).max(200),
  gateway_request_id: z.string().max(200).nullish(),
  status: z.enum(['OK', 'ERROR']),
  payload: z.unknown().optional(),
  error: z.string().max(4000).nullish(),
  payload_error: z.string().max(4000).nullish(),
});
export type FalWebhookBody = z.infer<typeof FalWebhookBody>;

/** What a fal webhook reports about its request. */
export function webhookOutcome(body: FalWebhookBody, hasAudio?: boolean): ProviderJobStatus {
  if (body.status === 'OK') return videoOutcome(body.payload, hasAudio);
  const described = describeFalError(422, body.payload ?? body.error ?? undefined);
  const message =
    body.error && !described.message.includes(body.error)
      ? `${described.message} (${body.error})`
      : described.message;
  const refused = described.kind === 'refused' || REFUSAL.test(body.error ?? '');
  return { state: 'failed', error: message.slice(0, 1000), kind: refused ? 'refused' : 'provider_error' };
}
