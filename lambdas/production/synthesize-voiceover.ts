import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { VoicePlan } from '../shared/contracts/index.js';

export { VoicePlan };

import { chargeUsage } from '../shared/charges.js';
import { scripts, workDocs } from '../shared/data/repositories.js';
import { stepHandler } from '../shared/handler.js';
import { composeVoiceTrack } from '../shared/media/assemble.js';
import { voice } from '../shared/providers/voice.js';
import { blobs } from '../shared/services.js';
import { withWorkDir } from '../shared/workdir.js';
import { planVoiceover } from './domain/voiceover-plan.js';

const Input = z.object({
  campaign_id: z.uuid(),
  variant_id: z.uuid(),
  script_id: z.uuid(),
  execution: z.string(),
});

/** Voices every scene line and places it inside its scene on one track as long as the script. */
export const handler = stepHandler('SynthesizeVoiceover', Input, async (input) => {
  const script = await scripts.latest(input.campaign_id, input.script_id);
  const key = `audio/${input.campaign_id}/${input.variant_id}/v${script.version}/voiceover.wav`;
  return withWorkDir(input.execution, async (dir) => {
    const lines: { file: string; speech: Awaited<ReturnType<ReturnType<typeof voice>['synthesize']>> }[] = [];
    for (const scene of script.scenes) {
      const speech = await voice().synthesize(scene.voiceover_text, {
        voice_tone: scene.audio_cues.voice_tone,
      });
      const file = path.join(dir, `line-${scene.sequence}.wav`);
      writeFileSync(file, speech.audio);
      lines.push({ file, speech });
      await chargeUsage({
        campaignId: input.campaign_id,
        variantId: input.variant_id,
        pillar: 'production',
        key: `${input.execution}:voice:${scene.scene_id}`,
        usage: speech.usage,
        description: `voiceover scene ${scene.sequence}`,
      });
    }
    const plan = planVoiceover(
      script.scenes,
      lines.map((l) => ({ duration_seconds: l.speech.duration_seconds, words: l.speech.words })),
    );
    const track = path.join(dir, 'voiceover.wav');
    await composeVoiceTrack({
      lines: plan.placements.map((p, i) => ({
        wavPath: lines[i]?.file as string,
        offsetSeconds: p.offset_seconds,
        tempo: p.tempo,
        maxSeconds: p.placed_seconds * p.tempo,
      })),
      totalSeconds: plan.total_seconds,
      outPath: track,
    });
    await blobs().putFile(key, track, 'audio/wav');
    await workDocs.put(input.campaign_id, 'voice', `${input.script_id}-v${script.version}`, {
      voiceover_key: key,
      total_seconds: plan.total_seconds,
      words: plan.words,
      placements: plan.placements,
    });
    return { voiceover_key: key, duration_seconds: plan.total_seconds };
  });
});
