import { z } from 'zod';
import { SCENE_SECONDS, SCRIPT_SECONDS, Scene, type SceneRole } from '../../shared/contracts/index.js';

/**
 * Shared shots: the establishing and product shots of a campaign are one picture for all its variants,
 * so the Production House renders each once (the scene cache key is the same) while every variant keeps
 * its own voiceover, hook and story scenes.
 *
 * The variants are written side by side, so there is no "first variant" to copy from in advance: the
 * first variant to finalize a shot claims its slot (a conditional write, first writer wins) and every
 * other variant adopts the claimed shot. A slot is the beat's purpose and role ("product reveal",
 * "call to action"), so a variant's call-to-action end card never takes another's product reveal.
 *
 * What is adopted is everything the render request carries about the picture: visual prompt, duration,
 * style, palette, camera, lighting, and the on-screen text, because the renderer burns the on-screen
 * text into the clip (the offline procedural renderer draws it; the key must then include it, see
 * sceneCacheKeyFor). Drawing supers at assembly with the captions instead would let variants keep
 * their own text on shared shots; that is a Production House change, not made here.
 */

const ESTABLISHING = /\b(establish\w*|setting|location|lifestyle|opening shot|wide shot)\b/i;
const PRODUCT = /\b(product|pack ?shot|hero shot|end card|call to action|cta)\b/i;

/** The role of a beat, from the purpose the outline gives it. */
export function roleOfBeat(purpose: string): SceneRole {
  if (PRODUCT.test(purpose)) return 'product';
  if (ESTABLISHING.test(purpose)) return 'establishing';
  return 'story';
}

/** A campaign's shot for one slot: the picture every variant renders for that beat. */
export const SharedShot = z.object({
  slot: z.string().min(1),
  visual_prompt: Scene.shape.visual_prompt,
  duration_seconds: Scene.shape.duration_seconds,
  on_screen_text: Scene.shape.on_screen_text,
  visual_cues: Scene.shape.visual_cues,
  from: z.object({ variant_id: z.string(), scene_id: z.string() }),
});
export type SharedShot = z.infer<typeof SharedShot>;

/** Stores the shot unless its slot is taken; returns the slot's shot (the first writer's). */
export type ClaimShot = (shot: SharedShot) => Promise<SharedShot>;

type ShotScene = Pick<
  Scene,
  'scene_id' | 'visual_prompt' | 'duration_seconds' | 'on_screen_text' | 'visual_cues' | 'role'
>;

const slotOf = (role: SceneRole, purpose: string, nth: number): string =>
  `${role}:${purpose.trim().toLowerCase().replace(/\s+/g, ' ')}:${nth}`;

/**
 * Gives each scene its role (from its beat's purpose) and replaces the picture of the establishing
 * and product scenes with the campaign's shot for their slot. A shot that would take the script under
 * 15 s is still adopted when the variant's own story scenes can grow to make up the difference (each up
 * to 5 s; a longer scene only gains room for its line); one that would take it over 60 s, or under 15 s
 * beyond that room, is not (the variant keeps its own, rendered separately). Returns the scenes and the
 * slots this variant adopted from another.
 */
export async function applySharedShots<S extends ShotScene>(
  scenes: { scene: S; purpose: string }[],
  variantId: string,
  claim: ClaimShot,
): Promise<{ scenes: S[]; adopted: string[] }> {
  const roles = scenes.map((s) => roleOfBeat(s.purpose));
  // What the story scenes can grow by, in all.
  const room = scenes.reduce(
    (r, s, i) => r + (roles[i] === 'story' ? Math.max(0, SCENE_SECONDS.max - s.scene.duration_seconds) : 0),
    0,
  );
  const seen = new Map<string, number>();
  const adopted: string[] = [];
  let total = scenes.reduce((t, s) => t + s.scene.duration_seconds, 0);
  // The length the script must keep: 15 s (or its own, were it shorter: only what adopting took away is made up).
  const floor = Math.min(SCRIPT_SECONDS.min, total);
  const out: S[] = [];
  for (const [i, { scene, purpose }] of scenes.entries()) {
    const role = roles[i] as SceneRole;
    if (role === 'story') {
      out.push({ ...scene, role });
      continue;
    }
    const base = `${role}:${purpose}`;
    const nth = (seen.get(base) ?? 0) + 1;
    seen.set(base, nth);
    const shot = await claim(
      SharedShot.parse({
        slot: slotOf(role, purpose, nth),
        visual_prompt: scene.visual_prompt,
        duration_seconds: scene.duration_seconds,
        on_screen_text: scene.on_screen_text,
        visual_cues: scene.visual_cues,
        from: { variant_id: variantId, scene_id: scene.scene_id },
      }),
    );
    const next = total - scene.duration_seconds + shot.duration_seconds;
    if (next > SCRIPT_SECONDS.max || floor - next > room) {
      out.push({ ...scene, role });
      continue;
    }
    total = next;
    if (shot.from.variant_id !== variantId) adopted.push(shot.slot);
    out.push({
      ...scene,
      role,
      visual_prompt: shot.visual_prompt,
      duration_seconds: shot.duration_seconds,
      on_screen_text: shot.on_screen_text,
      visual_cues: shot.visual_cues,
    });
  }
  return { scenes: lengthenStory(out, floor - total), adopted };
}

/**
 * The story scenes, in order, each lengthened up to 5 s until `seconds` more are in the script; the
 * "N-second shot" of their prompt follows.
 */
function lengthenStory<S extends ShotScene>(scenes: S[], seconds: number): S[] {
  let left = Math.max(0, seconds);
  return scenes.map((scene) => {
    if (left <= 0 || scene.role !== 'story') return scene;
    const add = Math.min(left, Math.max(0, SCENE_SECONDS.max - scene.duration_seconds));
    if (add <= 0) return scene;
    left -= add;
    const duration = scene.duration_seconds + add;
    return {
      ...scene,
      duration_seconds: duration,
      visual_prompt: scene.visual_prompt.replace(
        new RegExp(`\\b${scene.duration_seconds}-second shot\\b`),
        `${duration}-second shot`,
      ),
    };
  });
}
