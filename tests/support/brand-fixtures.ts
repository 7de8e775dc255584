import { readFileSync } from 'node:fs';
import path from 'node:path';
import type {
  BrandProfile,
  CampaignRequest,
  CreativeBrief,
  Script,
} from '../../lambdas/shared/contracts/index.js';
import { stableUuid } from '../../lambdas/shared/ids.js';
import { loadBrandBible } from '../../lambdas/strategist/domain/brand-bible.js';

const root = path.resolve(import.meta.dirname, '../..');

export interface LabelledSample {
  label: 'on' | 'off';
  why?: string;
  copy: string;
}
export interface LabelledBrand {
  bible: string;
  category: string;
  request: Pick<
    CampaignRequest,
    'product_category' | 'product_name' | 'target_demographic' | 'call_to_action'
  >;
  samples: LabelledSample[];
}

/** The labelled copy of tests/fixtures/brand-copy/labelled.json, each with its parsed bible. */
export function labelledBrands(): (LabelledBrand & { brand: BrandProfile; request: CampaignRequest })[] {
  const file = JSON.parse(
    readFileSync(path.join(root, 'tests/fixtures/brand-copy/labelled.json'), 'utf8'),
  ) as {
    brands: LabelledBrand[];
  };
  return file.brands.map((b) => ({
    ...b,
    brand: loadBrandBible(readFileSync(path.join(root, b.bible), 'utf8')),
    request: {
      campaign_objective: 'awareness',
      budget_tier: 'volume',
      brand_id: stableUuid('fixture-brand', b.bible),
      ...b.request,
    } as CampaignRequest,
  }));
}

/** A brief whose creative copy is the sample; the brand facts copied from the bible as the pipeline does. */
export function briefWithCopy(brand: BrandProfile, request: CampaignRequest, copy: string): CreativeBrief {
  const [first = copy] = copy.split(/(?<=[.!?])\s+/);
  return {
    brief_id: stableUuid('fixture-brief', copy),
    campaign_id: stableUuid('fixture-campaign', copy),
    brand_id: brand.brand_id,
    target_audience: {
      demographics: { summary: request.target_demographic },
      psychographics: [],
      pain_points: [],
    },
    core_message: {
      primary_hook: first,
      value_proposition: copy,
      call_to_action: request.call_to_action ?? 'Find out more',
    },
    trending_insights: {
      trending_topics: [],
      trending_audio: [],
      competitor_analysis: {},
      viral_patterns: [],
    },
    brand_guidelines_ref: {
      tone: brand.voice_tone,
      color_palette: brand.color_palette,
      restricted_keywords: brand.restricted_keywords,
      visual_style: brand.visual_style,
    },
    variant_suggestions: [
      { variant_type: 'emotional', rationale: 'Fits the audience', expected_audience_response: 'saves' },
    ],
    brand_alignment_score: 0,
    guideline_chunk_ids: [],
    sources: [],
    generated_at: new Date(0).toISOString(),
    approval_status: 'pending',
  } as CreativeBrief;
}

/** A script whose voiceover is the sample, one sentence a scene, the call to action last; visuals in the brand's style. */
export function scriptWithCopy(
  brand: BrandProfile,
  request: CampaignRequest,
  copy: string,
): Pick<Script, 'hook' | 'scenes' | 'voiceover_full_text'> {
  const lines = [
    ...copy.split(/(?<=[.!?])\s+/).filter(Boolean),
    `${request.call_to_action ?? 'Find out more'}.`,
  ];
  const scenes = lines.map((line, i) => ({
    scene_id: stableUuid('fixture-scene', copy, i),
    sequence: i + 1,
    duration_seconds: 4,
    visual_prompt: `${request.product_name ?? request.product_category} in a real setting. Colour palette strictly ${brand.color_palette.join(', ')}. Brand visual style: ${brand.visual_style}.`,
    voiceover_text: line,
    on_screen_text: line.split(/[.?!]/)[0]?.slice(0, 60) ?? '',
    visual_cues: {
      style: 'cinematic' as const,
      color_palette: brand.color_palette,
      camera_movement: 'slow dolly in',
      lighting: 'daylight',
    },
    audio_cues: { music_style: 'warm acoustic', sfx: [], voice_tone: 'warm' },
  }));
  return {
    hook: {
      text: lines[0] as string,
      hook_type: 'statement',
      quality_score: 0.8,
      variations_generated: 50,
      selected_rationale: 'fixture',
    },
    scenes,
    voiceover_full_text: lines.join(' '),
  };
}
