import { describe, expect, it } from 'vitest';
import {
  aspectOf,
  normalizePrompt,
  type ShotRequest,
  sceneCacheKeyFor,
} from '../../../lambdas/production/domain/renders.js';

const PROMPT =
  'The Lumen Nitro Cold Brew hero shot on a warm oak counter, label facing camera. ' +
  'Camera: slow dolly in, 35mm anamorphic lens, shallow depth of field, 4-second shot, vertical 9:16 framing. ' +
  'Lighting: soft window light. Colour palette strictly #2B1B17, #C8A27A; grade toward these tones. ' +
  'Negative: no text artifacts, no distorted hands.';

const shot = (over: Partial<ShotRequest> = {}): ShotRequest => ({
  visual_prompt: PROMPT,
  duration_seconds: 4,
  on_screen_text: 'Meet Lumen',
  visual_cues: {
    style: 'cinematic',
    color_palette: ['#2B1B17', '#C8A27A'],
    camera_movement: 'slow dolly in',
    lighting: 'soft window light',
  },
  ...over,
});
const SIZE = { width: 1080, height: 1920 };
const key = (s: ShotRequest, model = 'veo3', size = SIZE) => sceneCacheKeyFor(s, model, size);

describe('prompt normalization', () => {
  it('ignores case, whitespace, punctuation and Unicode forms', () => {
    // Prepare
    const variant =
      'the  ＬＵＭＥＮ nitro cold-brew hero shot on a warm oak counter , label facing camera\n' +
      'camera: slow dolly in, 35mm anamorphic lens, shallow depth of field, 4 second shot, vertical 9:16 framing!\n' +
      'LIGHTING: soft window light. Colour palette strictly #2b1b17, #c8a27a; grade toward these tones. ' +
      'Negative: no text artifacts, no distorted hands';
    // Act / Assess
    expect(normalizePrompt(variant)).toBe(normalizePrompt(PROMPT));
  });

  it('drops function words but keeps negations', () => {
    expect(normalizePrompt('A can on the counter with a glass')).toBe(normalizePrompt('can counter glass'));
    expect(normalizePrompt('a kitchen with no people')).not.toBe(normalizePrompt('a kitchen with people'));
    expect(normalizePrompt('a street without cars')).not.toBe(normalizePrompt('a street with cars'));
  });

  it('treats the comma-separated descriptors of a sentence as a set', () => {
    expect(normalizePrompt('Camera: 35mm lens, slow dolly in, shallow depth of field.')).toBe(
      normalizePrompt('Camera: shallow depth of field, slow dolly in, 35mm lens'),
    );
  });

  it('keeps the word order inside a descriptor and the order of sentences', () => {
    expect(normalizePrompt('a dog chasing a cat')).not.toBe(normalizePrompt('a cat chasing a dog'));
    expect(normalizePrompt('A door opens. A woman walks in.')).not.toBe(
      normalizePrompt('A woman walks in. A door opens.'),
    );
  });

  it('does not split decimals or aspect ratios', () => {
    expect(normalizePrompt('a 1.5x slow motion shot, 9:16')).toBe('1 5x slow motion shot, 9 16');
  });
});

describe('the scene cache key', () => {
  it('collides for near-identical prompts of the same shot', () => {
    // Prepare
    const reworded = shot({
      visual_prompt: PROMPT.replace(
        'Camera: slow dolly in, 35mm anamorphic lens',
        'camera: 35MM anamorphic lens, slow dolly-in',
      )
        .replaceAll('  ', ' ')
        .toUpperCase(),
    });
    // Act / Assess
    expect(key(reworded)).toBe(key(shot()));
  });

  it('collides across variants whose scenes differ only in ids, voiceover or seed', () => {
    const a = { ...shot(), scene_id: 'a', voiceover_text: 'Meet Lumen.' };
    const b = { ...shot(), scene_id: 'b', voiceover_text: 'Enter Lumen. Dramatic pause.' };
    expect(key(a)).toBe(key(b));
  });

  it('separates different shots', () => {
    const base = key(shot());
    const others = [
      shot({ visual_prompt: PROMPT.replace('hero shot', 'close-up') }),
      shot({ visual_prompt: PROMPT.replace('no distorted hands', 'distorted hands') }),
      shot({ visual_prompt: PROMPT.replace('warm oak counter', 'cold steel counter') }),
      shot({ duration_seconds: 5 }),
      shot({ on_screen_text: 'Enter Lumen' }),
      shot({ on_screen_text: 'MEET LUMEN' }),
      shot({ visual_cues: { ...shot().visual_cues, style: 'abstract' } }),
      shot({ visual_cues: { ...shot().visual_cues, color_palette: ['#000000'] } }),
      shot({ visual_cues: { ...shot().visual_cues, camera_movement: 'gentle orbit' } }),
      shot({ visual_cues: { ...shot().visual_cues, lighting: 'moody low-key light' } }),
    ].map((s) => key(s));
    expect(new Set([base, ...others]).size).toBe(others.length + 1);
  });

  it('separates models, aspects and sizes', () => {
    const base = key(shot());
    expect(key(shot(), 'sora')).not.toBe(base);
    expect(key(shot(), 'veo3', { width: 1920, height: 1080 })).not.toBe(base);
    expect(key(shot(), 'veo3', { width: 180, height: 320 })).not.toBe(base);
  });

  it('reads on-screen text literally apart from surrounding and repeated whitespace', () => {
    expect(key(shot({ on_screen_text: '  Meet   Lumen ' }))).toBe(key(shot()));
  });
});

describe('aspect', () => {
  it('reduces a size to its ratio', () => {
    expect(aspectOf({ width: 1080, height: 1920 })).toBe('9:16');
    expect(aspectOf({ width: 180, height: 320 })).toBe('9:16');
    expect(aspectOf({ width: 1280, height: 720 })).toBe('16:9');
  });
});
