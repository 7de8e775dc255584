import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { InputError, readRequestFile } from '../../../cli/run.js';
import { brandConflicts } from '../../../lambdas/api/campaign-request.js';
import { MODELS } from '../../../lambdas/shared/config/index.js';
import {
  BriefDraft,
  BUDGET_USD,
  CampaignRequest,
  CreateCampaignBody,
  Email,
  leastVideoCostUsd,
  SCRIPT_SECONDS,
} from '../../../lambdas/shared/contracts/index.js';
import { parseFeed } from '../../../lambdas/shared/feeds/rss-atom.js';
import { fieldIssues } from '../../../lambdas/shared/validation.js';
import { loadBrandBible } from '../../../lambdas/strategist/domain/brand-bible.js';
import { toStoredTrends } from '../../../lambdas/strategist/domain/scrape.js';
import { replayDownstream } from './downstream-replay.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const BRANDS = [
  loadBrandBible(readFileSync(path.join(ROOT, 'examples/brands/lumen-coffee.md'), 'utf8')),
  loadBrandBible(readFileSync(path.join(ROOT, 'examples/brands/northwind-fitness.json'), 'utf8')),
];
const trendDir = path.join(ROOT, 'examples/trends');
const TRENDS = toStoredTrends(
  readdirSync(trendDir)
    .filter((f) => /\.(xml|rss|atom)$/i.test(f))
    .flatMap((f) => parseFeed(readFileSync(path.join(trendDir, f), 'utf8'), f)),
  undefined,
);

/** The edge's verdict: the one schema, then the brand's restricted terms (the handler's two checks). */
function edge(body: unknown) {
  const parsed = CreateCampaignBody.safeParse(body);
  if (!parsed.success) return { accepted: false as const, issues: fieldIssues(parsed.error) };
  const brand = BRANDS.find((b) => b.brand_id === parsed.data.campaign_request.brand_id);
  const issues = brand ? brandConflicts(parsed.data.campaign_request, brand) : [];
  return issues.length
    ? { accepted: false as const, issues }
    : { accepted: true as const, body: parsed.data };
}

// ------------------------------------------------------------------------------------------------
// Requests generated from the schema's own constraints (its JSON Schema), so a bound added to or
// removed from the schema changes what is generated without touching this test.

interface JsonSchema {
  type?: string;
  enum?: unknown[];
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  multipleOf?: number;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  anyOf?: JsonSchema[];
  propertyNames?: JsonSchema;
  additionalProperties?: JsonSchema;
}

/** Words a marketer types, in several scripts, and punctuation. */
const WORDS = [
  'coffee',
  'morning',
  'class',
  'Lumen',
  'the',
  'for',
  'your',
  'today',
  '25-40',
  '!',
  '?',
  '.',
  '—',
  'café',
  'über',
  '東京の朝',
  '🙂',
];
/** The brands' restricted terms and evasions of them: what the edge must refuse in copy fields. */
const RESTRICTED = [...BRANDS.flatMap((b) => b.restricted_keywords), 'ch3ap', 'j1tters'];

/**
 * Text of min–max characters: mostly sentences (now and then with a restricted term), then ASCII, any
 * Unicode and raw code points (control characters and lone surrogates too), and the longest allowed.
 */
function text(min: number, max: number): fc.Arbitrary<string> {
  // The schema counts UTF-16 code units; cut on whole code points so an emoji is not split in two.
  const clip = (t: string) => {
    let out = '';
    for (const c of t) {
      if (out.length + c.length > max) break;
      out += c;
    }
    return out;
  };
  const word = fc.oneof(
    { weight: 24, arbitrary: fc.constantFrom(...WORDS) },
    { weight: 8, arbitrary: fc.string({ minLength: 1, maxLength: 12, unit: 'grapheme-ascii' }) },
    { weight: 4, arbitrary: fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme' }) },
    { weight: 1, arbitrary: fc.constantFrom(...RESTRICTED) },
  );
  const sentence = fc.array(word, { minLength: 1, maxLength: 60 }).map((w) => clip(w.join(' ')));
  return fc.oneof(
    { weight: 12, arbitrary: sentence },
    {
      weight: 2,
      arbitrary: fc.string({ minLength: min, maxLength: max, unit: 'grapheme-ascii', size: 'max' }),
    },
    { weight: 2, arbitrary: fc.string({ minLength: max, maxLength: max, unit: 'grapheme' }).map(clip) },
    { weight: 1, arbitrary: fc.string({ minLength: min, maxLength: max, unit: 'binary' }).map(clip) },
  );
}

function arbitraryOf(s: JsonSchema): fc.Arbitrary<unknown> {
  if (s.enum) return fc.constantFrom(...s.enum);
  if (s.anyOf) return fc.oneof(...s.anyOf.map(arbitraryOf));
  switch (s.type) {
    case 'string':
      if (s.format === 'uuid') return fc.constantFrom(...BRANDS.map((b) => b.brand_id));
      // Times (publish_at): around the scheduling horizon, some past, some too far ahead.
      if (s.format === 'date-time')
        return fc
          .integer({ min: -86_400, max: 70 * 86_400 })
          .map((sec) => new Date(Date.now() + sec * 1000).toISOString());
      if (s.pattern) return fc.stringMatching(new RegExp(s.pattern));
      return text(s.minLength ?? 0, s.maxLength ?? 2000);
    case 'integer':
      return fc.integer({ min: s.minimum ?? -1e6, max: s.maximum ?? 1e6 });
    case 'number': {
      const min = s.minimum ?? s.exclusiveMinimum ?? 0;
      const max = s.maximum ?? 1e9;
      if (!s.multipleOf) return fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
      const per = Math.round(1 / s.multipleOf);
      return fc.integer({ min: Math.ceil(min * per), max: Math.floor(max * per) }).map((n) => n / per);
    }
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.uniqueArray(arbitraryOf(s.items ?? {}), {
        minLength: s.minItems ?? 0,
        maxLength: s.maxItems ?? 8,
      });
    case 'object':
      if (s.additionalProperties && s.propertyNames)
        return fc.dictionary(
          arbitraryOf(s.propertyNames) as fc.Arbitrary<string>,
          arbitraryOf(s.additionalProperties),
          { maxKeys: 4 },
        );
      return fc.record(
        Object.fromEntries(Object.entries(s.properties ?? {}).map(([k, v]) => [k, arbitraryOf(v)])),
        { requiredKeys: s.required ?? [] },
      );
    default:
      throw new Error(`no generator for ${JSON.stringify(s)}`);
  }
}

const bodySchema = z.toJSONSchema(CreateCampaignBody, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
/** publish_at belongs to publish_mode scheduled: kept only there, so most requests stay acceptable. */
const bodies = arbitraryOf(bodySchema).map((b) => {
  const r = (b as { campaign_request?: Record<string, unknown> }).campaign_request;
  if (r && r.publish_mode !== 'scheduled') delete r.publish_at;
  return b;
});

describe('the campaign request accepted at the edge', () => {
  it('passes every downstream parse step of the pillars (generated from the schema)', async () => {
    // Prepare
    let tried = 0;
    let accepted = 0;
    // Act / Assess: whatever the edge accepts, the pillars accept.
    await fc.assert(
      fc.asyncProperty(bodies, async (raw) => {
        tried++;
        const verdict = edge(JSON.parse(JSON.stringify(raw)));
        if (!verdict.accepted) return;
        accepted++;
        const body = verdict.body;
        const brand = BRANDS.find((b) => b.brand_id === body.campaign_request.brand_id);
        await replayDownstream(body, brand as (typeof BRANDS)[number], TRENDS);
      }),
      { numRuns: 300, seed: 20261129, endOnFailure: true },
    );
    // Not vacuous: most generated requests get through the edge and run the whole replay.
    expect(accepted / tried).toBeGreaterThan(0.3);
  }, 120_000);

  it('refuses an empty key message and a two-letter call to action, naming both fields', () => {
    const result = edge({
      campaign_request: {
        product_category: 'specialty coffee',
        target_demographic: 'urban professionals 25-40',
        campaign_objective: 'awareness',
        budget_tier: 'standard',
        brand_id: BRANDS[0]?.brand_id,
        key_message: '',
        call_to_action: 'ab',
      },
    });
    expect(result.accepted).toBe(false);
    expect(result.issues?.map((i) => i.path).sort()).toEqual([
      'campaign_request.call_to_action',
      'campaign_request.key_message',
    ]);
  });

  it('is the schema bie run validates a request file with', () => {
    // Prepare
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'bie-request-')), 'request.json');
    const request = JSON.parse(
      readFileSync(path.join(ROOT, 'examples/requests/lumen-coffee-launch.json'), 'utf8'),
    ) as { campaign_request: Record<string, unknown> };
    writeFileSync(
      file,
      JSON.stringify({
        campaign_request: { ...request.campaign_request, key_message: '', call_to_action: 'ab' },
      }),
    );
    // Act
    const error = (() => {
      try {
        readRequestFile(file);
      } catch (e) {
        return e;
      }
    })();
    // Assess
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).issues.map((i) => i.path).sort()).toEqual([
      'campaign_request.call_to_action',
      'campaign_request.key_message',
    ]);
  });

  it('is at least as strict as the brief contract on the fields the brief copies verbatim', () => {
    const json = (s: z.ZodType) => z.toJSONSchema(s, { io: 'input' }) as JsonSchema;
    const request = json(CampaignRequest).properties ?? {};
    const core = json(BriefDraft).properties?.core_message?.properties ?? {};
    expect(request.key_message?.minLength).toBeGreaterThanOrEqual(core.value_proposition?.minLength ?? 0);
    expect(request.call_to_action?.minLength).toBeGreaterThanOrEqual(core.call_to_action?.minLength ?? 0);
  });

  it('allows exactly the seed script durations', () => {
    const duration = (n: number) => CampaignRequest.shape.target_duration_seconds.safeParse(n).success;
    expect(
      [SCRIPT_SECONDS.min - 1, SCRIPT_SECONDS.min, SCRIPT_SECONDS.max, SCRIPT_SECONDS.max + 1].map(duration),
    ).toEqual([false, true, true, false]);
  });
});

describe('a campaign budget', () => {
  const budget = (v: unknown) => CampaignRequest.shape.budget_limit_usd.safeParse(v).success;

  it('refuses absurd amounts: the smallest double, fractions of a cent, infinity, over the maximum', () => {
    for (const v of [5e-324, 0, -1, 0.99, 1.005, 19.999, Number.POSITIVE_INFINITY, 100_000.01, 1e308])
      expect(budget(v), String(v)).toBe(false);
    expect(JSON.parse('{"b":1e400}').b).toBe(Number.POSITIVE_INFINITY);
  });

  it('takes whole cents from $1 to $100,000', () => {
    for (const v of [1, 1.1, 19.99, 150, 12_345.67, 99_999.99, 100_000])
      expect(budget(v), String(v)).toBe(true);
  });

  it("covers the requested seconds of every variant at the tier's cheapest video model, or names the least", () => {
    // Prepare: 4 variants × 60 s at $0.052/s (Seedance, allowed in every tier) = $12.48.
    const request = {
      product_category: 'specialty coffee',
      target_demographic: 'urban professionals 25-40',
      campaign_objective: 'awareness',
      budget_tier: 'premium',
      brand_id: BRANDS[0]?.brand_id,
      variants: ['humorous', 'serious', 'emotional', 'educational'],
      target_duration_seconds: 60,
    };
    // Act
    const short = CampaignRequest.safeParse({ ...request, budget_limit_usd: 12.47 });
    const enough = CampaignRequest.safeParse({ ...request, budget_limit_usd: 12.48 });
    // Assess
    expect(short.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      [
        'budget_limit_usd',
        'must be at least $12.48: 4 variants of 60 s at $0.052/s, the cheapest video model of the premium tier',
      ],
    ]);
    expect(enough.success).toBe(true);
    expect(leastVideoCostUsd({ budget_tier: 'volume' }).usd).toBe(1.56);
  });

  it('is at least one render of the shortest script with the cheapest video model', () => {
    const cheapest = Math.min(...Object.values(MODELS.video_models).map((m) => m.usd_per_second));
    expect(BUDGET_USD.min).toBeGreaterThanOrEqual(cheapest * SCRIPT_SECONDS.min);
  });
});

describe('an e-mail address', () => {
  const ok = (s: string) => Email.safeParse(s).success;
  const label = (n: number) => 'a'.repeat(n);

  it('may have a 64-character local part, not 65 (RFC 5321)', () => {
    expect(ok(`${label(64)}@example.com`)).toBe(true);
    expect(ok(`${label(65)}@example.com`)).toBe(false);
    expect(ok(`${label(300)}@example.com`)).toBe(false);
  });

  it('may be 254 characters in all, not 255, with domain labels of at most 63', () => {
    // 64 + '@' + 63 + '.' + 63 + '.' + 57 + '.com' = 254
    const longest = `${label(64)}@${label(63)}.${label(63)}.${label(57)}.com`;
    expect(longest).toHaveLength(254);
    expect(ok(longest)).toBe(true);
    expect(ok(`${label(64)}@${label(63)}.${label(63)}.${label(58)}.com`)).toBe(false);
    expect(ok(`${label(10)}@${label(64)}.com`)).toBe(false);
  });
});

describe('request text', () => {
  const field = (v: string) => CampaignRequest.shape.key_message.safeParse(v);

  it('refuses lone surrogates and control characters, naming why', () => {
    expect(field('Smooth \uD800 energy').error?.issues[0]?.message).toContain('Unicode');
    expect(field('Smooth\u0000energy').error?.issues[0]?.message).toContain('control');
    expect(field('Smooth\nenergy').success).toBe(false);
  });

  it('keeps emoji, accents and scripts without spaces; descriptions may have line breaks', () => {
    expect(field('Café au lait 🙂 東京の朝').success).toBe(true);
    expect(CampaignRequest.shape.product_description.safeParse('Line one.\nLine two.').success).toBe(true);
  });
});
