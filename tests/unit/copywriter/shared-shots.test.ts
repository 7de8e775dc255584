import { describe, expect, it } from 'vitest';
import {
  applySharedShots,
  type ClaimShot,
  roleOfBeat,
  type SharedShot,
} from '../../../lambdas/copywriter/domain/shared-shots.js';
import { sceneCacheKeyFor } from '../../../lambdas/production/domain/renders.js';
import type { Scene } from '../../../lambdas/shared/contracts/index.js';

/** A campaign's shot list in memory, first writer wins (as the conditional write does). */
function shotList(): { claim: ClaimShot; shots: Map<string, SharedShot> } {
  const shots = new Map<string, SharedShot>();
  return {
    shots,
    claim: async (shot) => {
      if (!shots.has(shot.slot)) shots.set(shot.slot, shot);
      return shots.get(shot.slot) as SharedShot;
    },
  };
}

const PURPOSES = ['hook', 'problem', 'product reveal', 'proof', 'call to action'];

/** A variant's script as the Copywriter writes it: every prompt, line and text its own. */
function variant(tag: string, durations = [4, 4, 4, 4, 4]): { scene: Scene; purpose: string }[] {
  return PURPOSES.map((purpose, i) => ({
    purpose,
    scene: {
      scene_id: `${tag}-${i + 1}`,
      sequence: i + 1,
      duration_seconds: durations[i] ?? 4,
      visual_prompt: `${tag} variant, beat ${i + 1} (${purpose}): the can on an oak counter, slow dolly in, warm light`,
      voiceover_text: `${tag} line ${i + 1}`,
      on_screen_text: `${tag} text ${i + 1}`,
      visual_cues: {
        style: 'cinematic',
        color_palette: ['#2B1B17'],
        camera_movement: `${tag} camera`,
        lighting: `${tag} lighting`,
      },
      audio_cues: { music_style: `${tag} music`, sfx: [], voice_tone: `${tag} tone` },
    },
  }));
}

const SIZE = { width: 180, height: 320 };

describe('scene roles', () => {
  it('reads the role of a beat from its purpose', () => {
    expect(roleOfBeat('product reveal')).toBe('product');
    expect(roleOfBeat('Call to action')).toBe('product');
    expect(roleOfBeat('lifestyle')).toBe('establishing');
    expect(roleOfBeat('Establishing shot of the cafe')).toBe('establishing');
    expect(roleOfBeat('hook')).toBe('story');
    expect(roleOfBeat('social proof')).toBe('story');
  });
});

describe('shared shots', () => {
  it('gives every variant the first variant’s product shots and keeps their own story scenes', async () => {
    // Prepare
    const { claim } = shotList();
    // Act
    const a = await applySharedShots(variant('emotional'), 'v-a', claim);
    const b = await applySharedShots(variant('humorous', [5, 3, 5, 4, 3]), 'v-b', claim);
    // Assess
    expect(a.adopted).toEqual([]);
    expect(b.adopted).toEqual(['product:product reveal:1', 'product:call to action:1']);
    expect(b.scenes.map((s) => s.role)).toEqual(['story', 'story', 'product', 'story', 'product']);
    for (const i of [2, 4]) {
      const [sa, sb] = [a.scenes[i] as Scene, b.scenes[i] as Scene];
      expect(sb).toMatchObject({
        visual_prompt: sa.visual_prompt,
        duration_seconds: sa.duration_seconds,
        on_screen_text: sa.on_screen_text,
        visual_cues: sa.visual_cues,
      });
      expect(sb.voiceover_text).toBe(`humorous line ${i + 1}`);
      expect(sb.audio_cues.voice_tone).toBe('humorous tone');
      expect(sb.scene_id).toBe(`humorous-${i + 1}`);
      expect(sceneCacheKeyFor(sb, 'veo3', SIZE)).toBe(sceneCacheKeyFor(sa, 'veo3', SIZE));
    }
    for (const i of [0, 1, 3]) {
      expect(b.scenes[i]?.visual_prompt).toContain('humorous variant');
      expect(sceneCacheKeyFor(b.scenes[i] as Scene, 'veo3', SIZE)).not.toBe(
        sceneCacheKeyFor(a.scenes[i] as Scene, 'veo3', SIZE),
      );
    }
  });

  it('gives the same answer when a variant is finalized again (a replay)', async () => {
    const { claim } = shotList();
    await applySharedShots(variant('emotional'), 'v-a', claim);
    const first = await applySharedShots(variant('serious'), 'v-c', claim);
    const again = await applySharedShots(variant('serious'), 'v-c', claim);
    expect(again).toEqual(first);
  });

  it('shares a slot only between beats of the same purpose', async () => {
    // Prepare: the second variant's only product beat is its call to action.
    const { claim, shots } = shotList();
    await applySharedShots(variant('emotional'), 'v-a', claim);
    const short = variant('serious').filter((s) => s.purpose !== 'product reveal');
    // Act
    const b = await applySharedShots(short, 'v-b', claim);
    // Assess
    expect(b.adopted).toEqual(['product:call to action:1']);
    expect(b.scenes.at(-1)?.on_screen_text).toBe(shots.get('product:call to action:1')?.on_screen_text);
  });

  it('adopts a shorter shot and lengthens its own story scenes when the script would fall under 15 s', async () => {
    // Prepare: the campaign's product reveal is 3 s; this variant is exactly 15 s with a 4 s reveal.
    const { claim } = shotList();
    await applySharedShots(variant('emotional', [3, 3, 3, 3, 3]), 'v-a', claim);
    const fourBeats = variant('serious', [4, 4, 4, 4, 3]).filter((s) => s.purpose !== 'proof');
    const hook = fourBeats[0]?.scene as Scene;
    hook.visual_prompt += ' Camera: 4-second shot.';
    // Act
    const b = await applySharedShots(fourBeats, 'v-b', claim);
    // Assess: 15 - 4 + 3 = 14 s; the hook (a story scene) grows to 5 s and says so in its prompt.
    expect(b.adopted).toEqual(['product:product reveal:1', 'product:call to action:1']);
    expect(b.scenes.map((sc) => sc.duration_seconds)).toEqual([5, 4, 3, 3]);
    expect(b.scenes[0]?.visual_prompt).toContain('5-second shot');
    expect(b.scenes[2]?.visual_prompt).toContain('emotional variant');
    expect(b.scenes.reduce((t, sc) => t + sc.duration_seconds, 0)).toBe(15);
  });

  it('keeps a variant’s own shot when its story scenes cannot grow enough to stay at 15 s', async () => {
    // Prepare: story scenes already at 5 s leave no room for the 2 s a 3 s reveal would take away.
    const { claim } = shotList();
    await applySharedShots(variant('emotional', [3, 3, 3, 3, 3]), 'v-a', claim);
    const tight = variant('serious', [5, 5, 5, 5, 3]).filter((s) => s.purpose !== 'proof');
    // Act
    const b = await applySharedShots(tight, 'v-b', claim);
    // Assess: 18 - 5 + 3 = 16 s is fine for the reveal; the call to action (3 s for 3 s) too.
    expect(b.scenes.reduce((t, sc) => t + sc.duration_seconds, 0)).toBe(16);
    const shortest = variant('serious', [5, 5, 5, 5, 5]).filter((s) =>
      ['hook', 'product reveal', 'call to action'].includes(s.purpose),
    );
    const c = await applySharedShots(shortest, 'v-c', claim);
    // 15 - 5 + 3 = 13 s, and the one story scene is already 5 s: the reveal stays its own; the call to
    // action (5 s → 3 s) would take it to 13 s too, so it stays its own as well.
    expect(c.adopted).toEqual([]);
    expect(c.scenes.map((sc) => sc.duration_seconds)).toEqual([5, 5, 5]);
  });

  it('leaves story-only scripts untouched', async () => {
    const { claim, shots } = shotList();
    const story = variant('emotional').filter((s) => roleOfBeat(s.purpose) === 'story');
    const out = await applySharedShots(story, 'v-a', claim);
    expect(out.scenes).toEqual(story.map((s) => ({ ...s.scene, role: 'story' })));
    expect(shots.size).toBe(0);
  });
});
