import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../cli/run.js';
import { MEDIA_PROFILES } from '../../lambdas/shared/config/index.js';
import { SCENE_SECONDS, SCRIPT_SECONDS } from '../../lambdas/shared/contracts/common.js';
import type { Embedded } from '../../local/embedded.js';
import type { SceneCacheFigures } from '../support/scene-cache.js';

// Two variants side by side on the embedded default: their shared shots are rendered and paid once.
const dataDir = mkdtempSync(path.join(tmpdir(), 'bie-e2e-cache-'));
Object.assign(process.env, MEDIA_PROFILES.preview);
const ROOT = path.resolve(import.meta.dirname, '../..');

let app: Embedded;
let result: RunResult;
let figures: SceneCacheFigures;
let view: import('../../lambdas/campaign-manager/domain/campaign-view.js').CampaignView;

beforeAll(async () => {
  // Prepare
  const { startEmbedded } = await import('../../local/embedded.js');
  const cli = await import('../../cli/run.js');
  app = await startEmbedded({ dataDir, retryIntervalMs: 0 });
  // Act
  result = await cli.runCampaign(app, {
    brandText: readFileSync(path.join(ROOT, 'examples/brands/lumen-coffee.md'), 'utf8'),
    request: {
      ...cli.readRequestFile(path.join(ROOT, 'examples/requests/lumen-coffee-launch.json')),
      variants: ['emotional', 'humorous'],
      target_platforms: ['tiktok'],
      target_duration_seconds: 15,
    },
    autoApprove: true,
    out: path.join(dataDir, 'out'),
  });
  const { sceneCacheFigures } = await import('../support/scene-cache.js');
  const { campaignView } = await import('../../lambdas/campaign-manager/domain/campaign-view.js');
  figures = await sceneCacheFigures(result.campaign_id);
  view = await campaignView(result.campaign_id);
}, 240_000);

afterAll(async () => {
  await app?.stop();
});

/** Each variant's script as rendered: its latest version (a gate may have written a second one). */
const latestScripts = () => [
  ...new Map(
    [...view.scripts].sort((x, y) => x.version - y.version).map((s) => [s.variant_id, s] as const),
  ).values(),
];

describe('the scene cache on a two-variant campaign', () => {
  it('publishes both variants', () => {
    expect(result.failure).toBeUndefined();
    expect(result.status).toBe('published');
    expect(view.videos).toHaveLength(2);
  });

  it('gives both scripts the same call-to-action shot, each with its own scene and voiceover', () => {
    const scripts = latestScripts();
    expect(scripts).toHaveLength(2);
    const [a, b] = scripts.map((s) => s.scenes.at(-1));
    expect(a?.role).toBe('product');
    // One variant may keep its own end card only when adopting the other's would take it under 15 s
    // beyond what its story scenes (each up to 5 s) can make up (lambdas/copywriter/domain/shared-shots.ts).
    const couldNotAdopt = (mine: (typeof scripts)[number], shot: typeof a) => {
      const own = mine.scenes.at(-1)?.duration_seconds ?? 0;
      const next = mine.total_duration_seconds - own + (shot?.duration_seconds ?? 0);
      const room = mine.scenes
        .filter((sc) => sc.role === 'story')
        .reduce((r, sc) => r + Math.max(0, SCENE_SECONDS.max - sc.duration_seconds), 0);
      return SCRIPT_SECONDS.min - next > room;
    };
    const shared = b?.visual_prompt === a?.visual_prompt;
    if (!shared)
      expect(
        couldNotAdopt(scripts[0] as (typeof scripts)[number], b) ||
          couldNotAdopt(scripts[1] as (typeof scripts)[number], a),
        'the end cards differ though either variant could have adopted the other’s',
      ).toBe(true);
    else
      expect(b).toMatchObject({
        role: 'product',
        visual_prompt: a?.visual_prompt,
        duration_seconds: a?.duration_seconds,
        on_screen_text: a?.on_screen_text,
        visual_cues: a?.visual_cues,
      });
    expect(b?.scene_id).not.toBe(a?.scene_id);
    expect(scripts[1]?.voiceover_full_text).not.toBe(scripts[0]?.voiceover_full_text);
  });

  it('renders fewer clips than it was asked for, and charges each distinct shot once', () => {
    // Fewer, unless no shot could be shared (a CI run had both variants' shared slots blocked by the
    // 15 s rule, checked on the end card above): then exactly as many, never more.
    const [a, b] = latestScripts().map((sc) => sc.scenes.at(-1));
    if (a?.visual_prompt === b?.visual_prompt) expect(figures.rendered).toBeLessThan(figures.requested);
    else expect(figures.rendered).toBeLessThanOrEqual(figures.requested);
    expect(figures.charged).toBe(figures.rendered);
    expect(figures.distinctShotsCharged).toBe(figures.charged);
    expect(figures.listPriceSavedUsd > 0).toBe(figures.rendered < figures.requested);
  });

  it('puts the one clip of a shared shot into both masters, and other clips into one', () => {
    const [first, second] = latestScripts();
    const clipOf = (variant: string | undefined, sceneId: string) =>
      view.videos.find((v) => v.variant_id === variant)?.scene_clips.find((c) => c.scene_id === sceneId)
        ?.clip_url;
    let shared = 0;
    for (const sa of first?.scenes ?? [])
      for (const sb of second?.scenes ?? []) {
        const same = sa.visual_prompt === sb.visual_prompt && sa.duration_seconds === sb.duration_seconds;
        if (same) shared++;
        expect(clipOf(second?.variant_id, sb.scene_id) === clipOf(first?.variant_id, sa.scene_id)).toBe(same);
      }
    expect(shared > 0).toBe(figures.rendered < figures.requested);
    expect(shared).toBe(figures.requested - figures.rendered);
  });
});
