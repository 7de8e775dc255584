import type { HookType, HookVariation } from '../../shared/contracts/index.js';

/** A ranked hook set, as the ranking (domain/hooks.ts) returns it. */
export interface Ranked {
  variations: HookVariation[];
  top: HookVariation[];
  selected: HookVariation;
  rationale: string;
}

/**
 * The closed loop (issue 8): the brand's past A/B winners re-rank the hooks. Each hook's rank key is
 * its quality plus its type's prior boost (campaign-manager/domain/priors.ts `hookTypeBoosts`:
 * positive for types that won, negative for types that lost); quality scores themselves are unchanged,
 * so the quality gate still judges the hook on its own merit. No boosts: the ranking as it was.
 */
export function applyHookPriors<R extends Ranked>(ranked: R, boosts: Partial<Record<HookType, number>>): R {
  if (!Object.values(boosts).some((b) => b !== 0)) return ranked;
  const key = (h: HookVariation) => h.quality_score + (boosts[h.hook_type] ?? 0);
  const order = ranked.variations.map((h, i) => ({ h, i })).sort((a, b) => key(b.h) - key(a.h) || a.i - b.i);
  const selectedIndex = order[0]?.i;
  const variations = ranked.variations.map((h, i) => ({ ...h, selected: i === selectedIndex }));
  const top = order.slice(0, 3).map(({ i }) => variations[i] as HookVariation);
  const selected = top[0] as HookVariation;
  const favoured = Object.entries(boosts)
    .filter(([, b]) => (b ?? 0) !== 0)
    .sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0))
    .map(([t, b]) => `${t} ${(b ?? 0) > 0 ? '+' : ''}${(b ?? 0).toFixed(3)}`)
    .join(', ');
  return {
    ...ranked,
    variations,
    top,
    selected,
    rationale: `${ranked.rationale} Ranked with the brand's A/B priors by hook type (${favoured}).`,
  };
}
