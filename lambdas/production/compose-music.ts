import path from 'node:path';
import { z } from 'zod';
import { scripts } from '../shared/data/repositories.js';
import { stepHandler } from '../shared/handler.js';
import { hashSeed } from '../shared/ids.js';
import { deliveredMix } from '../shared/media/assemble.js';
import { generateMusicBed } from '../shared/media/music.js';
import { blobs } from '../shared/services.js';
import { withWorkDir } from '../shared/workdir.js';

const Input = z.object({
  campaign_id: z.uuid(),
  variant_id: z.uuid(),
  script_id: z.uuid(),
  execution: z.string(),
  /** The voice-over of this script version: with it the delivered mix is made here too. */
  voiceover_key: z.string().min(1).optional(),
});

/**
 * A music bed in the script's music style, as long as the script; with the voice-over, also the
 * delivered mix (the voice over the ducked bed at −14 LUFS, AAC), which AssembleMaster uses as is when
 * provider audio is muted — made here, while the scenes still render.
 */
export const handler = stepHandler('ComposeMusic', Input, async (input) => {
  const script = await scripts.latest(input.campaign_id, input.script_id);
  const base = `audio/${input.campaign_id}/${input.variant_id}/v${script.version}`;
  return withWorkDir(input.execution, async (dir) => {
    const store = blobs();
    const music = path.join(dir, 'music.m4a');
    await generateMusicBed({
      outPath: music,
      durationSeconds: script.total_duration_seconds,
      style: script.scenes[0]?.audio_cues.music_style ?? 'warm',
      seed: hashSeed(script.script_id, script.version),
    });
    const music_key = await putAt(store, `${base}/music.m4a`, music);
    if (!input.voiceover_key) return { music_key };
    const voice = await store.download(input.voiceover_key, path.join(dir, 'voice.wav'));
    const mix = path.join(dir, 'mix.m4a');
    await deliveredMix({
      voiceoverPath: voice,
      musicPath: music,
      targetDurationSeconds: script.total_duration_seconds,
      outPath: mix,
    });
    return { music_key, mix_key: await putAt(store, `${base}/mix.m4a`, mix) };
  });
});

const putAt = async (store: ReturnType<typeof blobs>, key: string, file: string): Promise<string> => {
  await store.putFile(key, file, 'audio/mp4');
  return key;
};
