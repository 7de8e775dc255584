import { MODELS } from '../../shared/config/index.js';
import type { BudgetTier, VideoModelName } from '../../shared/contracts/index.js';
import { DomainError } from '../../shared/errors.js';
import { stableUuid } from '../../shared/ids.js';
import type { ProviderRetryableError } from '../../shared/ports/index.js';
import { fallbackChain, type SceneNeeds } from './router.js';

/**
 * Attempts per scene and rework round: the routed model, then the fallback chain. production.asl.json
 * loops RenderScene while `render_attempt` is below this (CanRenderAgain); keep the two equal.
 */
export const MAX_RENDER_ATTEMPTS = 3;

/**
 * A scene's render failed on every model of its chain: the scene ends unrendered (production.asl.json
 * SceneUnrendered), the clip check names why from its attempts' render jobs, and a human decides.
 */
export class RenderChainExhaustedError extends DomainError {
  constructor(message: string) {
    super('RenderChainExhaustedError', message);
  }
}

/**
 * The models that may render a scene, in order, without repeats: the routed model, then the router's
 * fallback chain for the campaign's tier (models that fit the scene, never a retired one, only enabled
 * providers).
 */
export function renderChain(
  primary: VideoModelName,
  tier: BudgetTier,
  scene: Partial<SceneNeeds> = {},
): VideoModelName[] {
  return [...new Set([primary, ...fallbackChain(primary, tier, scene)])];
}

/** The model of attempt `attemptIndex` (0 = the routed model), or undefined when the chain is spent. */
export function nextModel(
  chain: readonly VideoModelName[],
  attemptIndex: number,
): VideoModelName | undefined {
  return attemptIndex < MAX_RENDER_ATTEMPTS ? chain[attemptIndex] : undefined;
}

/**
 * The render job id of one attempt: stable per execution, scene, model and rework round, so a replayed
 * SubmitRender finds its job again. Round 0 keeps the id the engine always used.
 */
export const renderJobIdFor = (execution: string, sceneId: string, model: string, reworkRound = 0): string =>
  reworkRound === 0
    ? stableUuid('render', execution, sceneId, model)
    : stableUuid('render', execution, sceneId, model, `rework-${reworkRound}`);

/** Without a configured `max_render_seconds`, a render may take 45 min (real providers: 5–30 min, plus queueing). */
export const DEFAULT_RENDER_TIMEOUT_SECONDS = 2700;

/**
 * How long a model may take before its job counts as timed out and the next model of the chain takes
 * over: models.json `max_render_seconds` when a model sets it, else 45 minutes.
 */
export function renderTimeoutSeconds(model: VideoModelName): number {
  const configured = (MODELS.video_models[model] as { max_render_seconds?: unknown }).max_render_seconds;
  return typeof configured === 'number' && configured > 0 ? configured : DEFAULT_RENDER_TIMEOUT_SECONDS;
}

export interface BackoffOptions {
  /** Calls in all (the first and the retries). */
  tries: number;
  baseMs: number;
  /** No single wait is longer; a provider asking for more is left to the caller's own retry (the ASL's). */
  maxMs: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/** In a Lambda: three calls, waits of about 1 s and 2 s, never more than 20 s (the task times out at 60 s). */
export const SUBMIT_BACKOFF: BackoffOptions = { tries: 3, baseMs: 1000, maxMs: 20_000 };

/**
 * The wait before retry `retry` (1-based): the provider's Retry-After when it sent one, else exponential
 * with full jitter (base × 2^(retry−1) × random), capped at `maxMs`.
 */
export function backoffMs(
  retry: number,
  retryAfterSeconds: number | undefined,
  o: Pick<BackoffOptions, 'baseMs' | 'maxMs' | 'random'>,
): number {
  if (retryAfterSeconds !== undefined && retryAfterSeconds >= 0) return retryAfterSeconds * 1000;
  const ceiling = Math.min(o.maxMs, o.baseMs * 2 ** (retry - 1));
  return Math.round(ceiling * (o.random ?? Math.random)());
}

/** By name, not class: the error may come from another bundle's copy of the ports module. */
export const isRetryable = (e: unknown): e is ProviderRetryableError =>
  (e as { name?: string } | undefined)?.name === 'ProviderRetryableError';

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Calls `fn`, retrying a ProviderRetryableError (429, 5xx, network) with {@link backoffMs}, at most
 * `tries` calls. A Retry-After longer than `maxMs` is not waited out here: the error goes up at once, and
 * the state machine retries the task later (its Retry on ProviderRetryableError). Other errors go up at once.
 */
export async function withProviderRetries<T>(
  fn: () => Promise<T>,
  o: BackoffOptions = SUBMIT_BACKOFF,
): Promise<T> {
  for (let call = 1; ; call++) {
    try {
      return await fn();
    } catch (error) {
      if (!isRetryable(error) || call >= o.tries) throw error;
      const wait = backoffMs(call, error.retryAfterSeconds, o);
      if (wait > o.maxMs) throw error;
      await (o.sleep ?? realSleep)(wait);
    }
  }
}
