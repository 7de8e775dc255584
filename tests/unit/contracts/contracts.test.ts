import { describe, expect, it } from 'vitest';
import {
  CampaignRequest,
  CreateCampaignBody,
  CreativeBrief,
  PublicationPackage,
  Scene,
  Script,
} from '../../../lambdas/shared/contracts/index.js';
import { fieldIssues } from '../../../lambdas/shared/validation.js';

const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const ts = '2026-11-24T10:00:00.000Z';

const request = {
  product_category: 'specialty coffee',
  target_demographic: 'urban professionals 25-40',
  campaign_objective: 'awareness',
  budget_tier: 'standard',
  brand_id: uuid(1),
};

const scene = (sequence: number, duration = 5) => ({
  scene_id: uuid(100 + sequence),
  sequence,
  duration_seconds: duration,
  visual_prompt:
    'A slow dolly-in on a ceramic cup of coffee on an oak counter at golden hour, palette #2B1B17 #C8A27A',
  voiceover_text: 'Mornings, rewritten.',
  visual_cues: {
    style: 'cinematic',
    color_palette: ['#2B1B17'],
    camera_movement: 'dolly in',
    lighting: 'golden hour',
  },
  audio_cues: { music_style: 'warm acoustic', sfx: ['pour'], voice_tone: 'warm' },
});

const script = (scenes = [1, 2, 3, 4].map((i) => scene(i))) => ({
  script_id: uuid(2),
  brief_id: uuid(3),
  campaign_id: uuid(4),
  variant_id: uuid(5),
  version: 1,
  hook: {
    text: 'What if your coffee woke up before you?',
    hook_type: 'question',
    quality_score: 0.82,
    variations_generated: 50,
    selected_rationale: 'highest curiosity gap',
  },
  top_hooks: [],
  scenes,
  voiceover_full_text: 'Mornings, rewritten.',
  total_duration_seconds: scenes.reduce((t, s) => t + s.duration_seconds, 0),
  variant_tag: 'emotional',
  brand_compliance_score: 0.95,
  generated_at: ts,
  approval_status: 'pending',
});

describe('campaign_request', () => {
  it('accepts the seed fields', () => {
    expect(CampaignRequest.safeParse(request).success).toBe(true);
  });

  it('names every bad field of an invalid request', () => {
    const result = CampaignRequest.safeParse({
      ...request,
      campaign_objective: 'virality',
      brand_id: 'acme',
      budget_tier: undefined,
    });
    expect(result.success).toBe(false);
    const paths = result.success ? [] : fieldIssues(result.error).map((i) => i.path);
    expect(paths.sort()).toEqual(['brand_id', 'budget_tier', 'campaign_objective']);
  });

  it('rejects unknown fields instead of silently dropping them', () => {
    expect(CampaignRequest.safeParse({ ...request, budgte_tier: 'premium' }).success).toBe(false);
  });

  it('rejects repeated variants', () => {
    expect(CampaignRequest.safeParse({ ...request, variants: ['humorous', 'humorous'] }).success).toBe(false);
  });

  it('reports nested paths for the API body', () => {
    const result = CreateCampaignBody.safeParse({ campaign_request: { ...request, brand_id: 'x' } });
    expect(result.success ? [] : fieldIssues(result.error).map((i) => i.path)).toEqual([
      'campaign_request.brand_id',
    ]);
  });
});

describe('script', () => {
  it('accepts four 5-second scenes totalling 20 seconds', () => {
    expect(Script.safeParse(script()).success).toBe(true);
  });

  it('rejects a scene shorter than 3 seconds', () => {
    expect(Scene.safeParse(scene(1, 2)).success).toBe(false);
  });

  it('rejects a scene longer than 5 seconds', () => {
    expect(Scene.safeParse(scene(1, 6)).success).toBe(false);
  });

  it('rejects a script shorter than 15 seconds', () => {
    expect(Script.safeParse(script([scene(1), scene(2)])).success).toBe(false);
  });

  it('rejects a script longer than 60 seconds', () => {
    const scenes = Array.from({ length: 13 }, (_, i) => scene(i + 1));
    expect(Script.safeParse(script(scenes)).success).toBe(false);
  });

  it('rejects a total that is not the sum of its scenes', () => {
    const s = { ...script(), total_duration_seconds: 19 };
    const result = Script.safeParse(s);
    expect(result.success ? [] : fieldIssues(result.error).map((i) => i.path)).toEqual([
      'total_duration_seconds',
    ]);
  });

  it('rejects scenes out of sequence', () => {
    const result = Script.safeParse(script([scene(1), scene(3), scene(2), scene(4)]));
    expect(result.success).toBe(false);
  });

  it('rejects a compliance score above 1', () => {
    expect(Script.safeParse({ ...script(), brand_compliance_score: 1.2 }).success).toBe(false);
  });
});

describe('creative_brief', () => {
  it('requires a #RRGGBB palette', () => {
    const brief = {
      brief_id: uuid(1),
      campaign_id: uuid(2),
      brand_id: uuid(3),
      target_audience: { demographics: {}, psychographics: [], pain_points: [] },
      core_message: { primary_hook: 'h', value_proposition: 'v', call_to_action: 'c' },
      trending_insights: {
        trending_topics: [],
        trending_audio: [],
        competitor_analysis: {},
        viral_patterns: [],
      },
      brand_guidelines_ref: {
        tone: 'warm',
        color_palette: ['brown'],
        restricted_keywords: [],
        visual_style: 'film',
      },
      variant_suggestions: [{ variant_type: 'serious', rationale: 'r' }],
      brand_alignment_score: 0.9,
      guideline_chunk_ids: [],
      sources: [],
      generated_at: ts,
      approval_status: 'pending',
    };
    const result = CreativeBrief.safeParse(brief);
    expect(result.success ? [] : fieldIssues(result.error).map((i) => i.path)).toEqual([
      'brand_guidelines_ref.color_palette[0]',
    ]);
  });
});

describe('publication_package', () => {
  it('rejects a platform outside the four', () => {
    const pkg = {
      publication_id: uuid(1),
      campaign_id: uuid(2),
      variant_id: uuid(3),
      platform_posts: [
        {
          platform: 'myspace',
          formatted_video_url: 's3://b/k',
          post_id: 'p1',
          caption: 'c',
          hashtags: [],
          metadata: { aspect_ratio: '9:16', duration_seconds: 20, thumbnail_url: 's3://b/t' },
          publication_status: 'published',
          engagement_metrics: { views: 0, likes: 0, shares: 0, comments: 0 },
        },
      ],
      scheduled_posts: [],
      created_at: ts,
    };
    const result = PublicationPackage.safeParse(pkg);
    expect(result.success ? [] : fieldIssues(result.error).map((i) => i.path)).toEqual([
      'platform_posts[0].platform',
    ]);
  });
});
