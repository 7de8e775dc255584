import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../cli/run.js';
import { MEDIA_PROFILES } from '../../lambdas/shared/config/index.js';
import type { Embedded } from '../../local/embedded.js';

// A brand in a category none of the examples has (pottery classes), run through every pillar on the
// embedded runtime with the offline stand-ins: its copy must be its own, clean and whole.
const dataDir = mkdtempSync(path.join(tmpdir(), 'bie-e2e-new-category-'));
Object.assign(process.env, MEDIA_PROFILES.preview);
const ROOT = path.resolve(import.meta.dirname, '../..');
const brandText = readFileSync(path.join(ROOT, 'tests/fixtures/brands/kiln-street-pottery.md'), 'utf8');

/** Words that belong to the example brands (coffee, fitness) and nothing of a pottery studio. */
let exampleVocabulary: string[] = [];

let app: Embedded;
let cli: typeof import('../../cli/run.js');
let safety: typeof import('../../lambdas/shared/brand-safety/restricted-terms.js');
let judge: typeof import('../../lambdas/shared/brand-safety/copy-judge.js');
let result: RunResult;

beforeAll(async () => {
  const { startEmbedded } = await import('../../local/embedded.js');
  app = await startEmbedded({ dataDir, retryIntervalMs: 0 });
  cli = await import('../../cli/run.js');
  safety = await import('../../lambdas/shared/brand-safety/restricted-terms.js');
  judge = await import('../../lambdas/shared/brand-safety/copy-judge.js');
  exampleVocabulary = [
    ...judge.CATEGORY_LEXICON.coffee,
    ...judge.CATEGORY_LEXICON.fitness,
    ...['lumen', 'northwind', 'cold brew', 'oak counter', 'cascade', 'morning drink', 'coach', 'training'],
  ];
  result = await cli.runCampaign(app, {
    brandText,
    request: {
      ...cli.readRequestFile(path.join(ROOT, 'tests/fixtures/requests/kiln-street-beginners.json')),
      target_duration_seconds: 15,
    },
    autoApprove: true,
    out: path.join(dataDir, 'out'),
  });
}, 240_000);

afterAll(async () => {
  await app?.stop();
});

/** Every text the run wrote for people to read (brief, script, captions, posts), restricted lists left out. */
function writtenTexts(): [string, string][] {
  const texts = [path.join(dataDir, 'out'), result.outbox].flatMap((dir) =>
    readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((f) => /\.(json|vtt|srt|txt)$/.test(f))
      .map((f): [string, string] => [path.join(dir, f), readFileSync(path.join(dir, f), 'utf8')]),
  );
  // Ids and hashes are hex, not words ("…-cafe-…" is an id, not coffee copy): they are left out.
  const words = (text: string) =>
    text
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, ' ')
      .replace(/\b[0-9a-f_]*[0-9][0-9a-f_]*\b/gi, ' ');
  // The brief keeps the bible's rules (tone, style, restricted list) by reference: those are the bible's words.
  return texts
    .map(([file, raw]): [string, string] => [file, words(raw)])
    .map(([file, text]) => [
      file,
      file.endsWith('brief.json')
        ? text
            .replace(/"brand_guidelines_ref": \{[^}]*\}/s, '')
            .replace(/"alignment_findings": \[[^\]]*\]/s, '')
        : text.replace(/"compliance_findings": \[[^\]]*\]/s, ''),
    ]);
}

interface ScriptFile {
  hook: { text: string; quality_score: number };
  top_hooks: { hook_id: string; text: string }[];
  voiceover_full_text: string;
  scenes: { voiceover_text: string; on_screen_text?: string; visual_prompt: string }[];
  brand_compliance_score: number;
}
const script = () => JSON.parse(readFileSync(result.script as string, 'utf8')) as ScriptFile;

describe('a campaign for a brand in a category none of the examples has', () => {
  it('is published', () => {
    expect(result.failure).toBeUndefined();
    expect(result.status).toBe('published');
  });

  it('uses no vocabulary of the example brands anywhere it writes', () => {
    const texts = writtenTexts();
    expect(texts.length).toBeGreaterThan(5);
    const offending = texts
      .map(
        ([file, text]) => [path.basename(file), safety.findRestrictedTerms(text, exampleVocabulary)] as const,
      )
      .filter(([, found]) => found.length);
    expect(offending).toEqual([]);
  });

  it('lets no restricted term of the bible through in any form', () => {
    const { brand } = { brand: ['messy', 'easy', 'cheap', 'perfect'] };
    const offending = writtenTexts()
      .map(
        ([file, text]) =>
          [path.basename(file), safety.scanRestricted(text, brand).map(safety.describeHit)] as const,
      )
      .filter(([, found]) => found.length);
    expect(offending).toEqual([]);
  });

  it('writes whole sentences, says the call to action once and names nothing of another category', async () => {
    const { loadBrandBible } = await import('../../lambdas/strategist/domain/brand-bible.js');
    const bible = loadBrandBible(brandText);
    const s = script();
    const cta = 'Book your first wheel night';
    const verdict = judge.judgeCopy(s.voiceover_full_text, bible, undefined, {
      prose: true,
      callToAction: cta,
    });
    expect(verdict.findings.filter((f) => f.check === 'structure' || f.check === 'off_category')).toEqual([]);
    for (const scene of s.scenes) expect(scene.voiceover_text).toMatch(/^[A-Z"“].*[.!?]["”]?$/s);
    expect(s.voiceover_full_text.split(cta).length - 1).toBe(1);
    expect(
      judge.offCategoryWords(s.scenes.map((x) => x.visual_prompt).join('\n'), bible),
      'the pictures are the brand’s own',
    ).toEqual([]);
  });

  it('opens with a hook that cleared the 0.75 gate or that a reviewer chose at hook review', async () => {
    const s = script();
    const { campaignView } = await import('../../lambdas/campaign-manager/domain/campaign-view.js');
    const view = await campaignView(result.campaign_id);
    const review = view.approvals.find((a) => a.checkpoint === 'hook_review');
    if (s.hook.quality_score >= 0.75) expect(review).toBeUndefined();
    else {
      expect(review?.status).toBe('approved');
      expect(review?.summary).toMatch(/below the 0\.75 quality gate/);
      expect(review?.choices?.length).toBe(3);
      expect(review?.choices?.find((c) => c.hook_id === review.chosen_hook_id)?.text).toBe(s.hook.text);
    }
  });
});
