import { createHash } from 'node:crypto';

/**
 * Deterministic ids: the same logical step (execution, state, item) always yields the same id, so a
 * replayed or retried step finds what its first run wrote instead of paying again.
 */
export function stableUuid(...parts: (string | number | undefined)[]): string {
  const h = createHash('sha256')
    .update(parts.map((p) => String(p ?? '')).join('\u241f'))
    .digest();
  h[6] = ((h[6] ?? 0) & 0x0f) | 0x40;
  h[8] = ((h[8] ?? 0) & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

export function shortHash(...parts: (string | number | undefined)[]): string {
  return createHash('sha256')
    .update(parts.map((p) => String(p ?? '')).join('\u241f'))
    .digest('hex')
    .slice(0, 16);
}

export const nowIso = (): string => new Date().toISOString();

/** A brand bible without an id gets one from its name, so re-ingesting the same bible updates the same brand. */
export const brandIdFor = (name: string): string => stableUuid('brand', name.trim().toLowerCase());

/** A 32-bit seed from strings (FNV-1a), for deterministic offline generation. */
export const hashSeed = (...parts: (string | number)[]): number => {
  let h = 2166136261;
  for (const c of parts.join('|')) {
    h ^= c.charCodeAt(0);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
};

/** mulberry32: a small deterministic PRNG, so the same seed draws the same scene, hook or layout. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0 || 1;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
