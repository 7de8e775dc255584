import { x264Preset } from './tools.js';

/** H.264 video settings shared by scenes, masters and renditions: yuv420p, BT.709-tagged. */
export function h264Args(o: { preset?: string; crf?: number } = {}): string[] {
  return [
    '-c:v',
    'libx264',
    '-preset',
    x264Preset(o.preset),
    '-crf',
    String(o.crf ?? 20),
    '-pix_fmt',
    'yuv420p',
    '-colorspace',
    'bt709',
    '-color_primaries',
    'bt709',
    '-color_trc',
    'bt709',
  ];
}

/**
 * The output of a scene clip (a procedural scene, a slate): exactly `frames` frames at `fps`, no audio,
 * {@link h264Args}. Clips made with the same arguments are joined into a master without re-encoding.
 */
export const sceneClipOutputArgs = (
  frames: number,
  fps: number,
  o: { preset?: string; crf?: number } = {},
): string[] => [
  '-an',
  '-frames:v',
  String(frames),
  '-r',
  String(fps),
  ...h264Args(o),
  '-movflags',
  '+faststart',
];

/** AAC stereo at 48 kHz (what the platforms ingest). */
export const AAC_ARGS: readonly string[] = ['-c:a', 'aac', '-b:a', '160k', '-ar', '48000', '-ac', '2'];

/** Muxer settings for MP4 outputs: moov atom first (progressive playback), room for complex graphs. */
export const MP4_ARGS: readonly string[] = ['-max_muxing_queue_size', '4096', '-movflags', '+faststart'];

/** {@link MP4_ARGS} that also write arbitrary `-metadata` keys (mdta atoms, read back by ffprobe). */
export const MP4_META_ARGS: readonly string[] = [
  '-max_muxing_queue_size',
  '4096',
  '-movflags',
  '+faststart+use_metadata_tags',
];
