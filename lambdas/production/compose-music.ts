import path from 'node:path';
import { z } from 'zod';
import { scripts } from '../shared/data/repositories.js';
import { stepHandler } from '../shared/handler.js';
import { hashSeed } from '../shared/ids.js';
import { generateMusicBed } from '../shared/media/music.js';
import { blobs } from '../shared/services.js';
import { withWorkDir } from '../shared/workdir.js';

const Input = z.object({
  campaign_id: z.uuid(),
  variant_id: z.uuid(),
  script_id: z.uuid(),
  execution: z.string(),
});

/** A music bed in the script's music style, as long as the script (ducked under the voice at assembly). */
export const handler = stepHandler('ComposeMusic', Input, async (input) => {
  const script = await scripts.latest(input.campaign_id, input.script_id);
  const key = `audio/${input.campaign_id}/${input.variant_id}/v${script.version}/music.m4a`;
  return withWorkDir(input.execution, async (dir) => {
    const out = path.join(dir, 'music.m4a');
    await generateMusicBed({
      outPath: out,
      durationSeconds: script.total_duration_seconds,
      style: script.scenes[0]?.audio_cues.music_style ?? 'warm',
      seed: hashSeed(script.script_id, script.version),
    });
    await blobs().putFile(key, out, 'audio/mp4');
    return { music_key: key };
  });
});
