import { run } from './tools.js';

export interface MediaInfo {
  durationSeconds: number;
  video?: { width: number; height: number; codec: string; fps: number };
  audio?: { codec: string; sampleRate: number; channels: number };
}

interface ProbeJson {
  format?: { duration?: string };
  streams?: {
    codec_type?: string;
    codec_name?: string;
    width?: number;
    height?: number;
    r_frame_rate?: string;
    sample_rate?: string;
    channels?: number;
    duration?: string;
  }[];
}

export async function probeMedia(file: string): Promise<MediaInfo> {
  const json = JSON.parse(
    await run('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', file]),
  ) as ProbeJson;
  const v = json.streams?.find((s) => s.codec_type === 'video');
  const a = json.streams?.find((s) => s.codec_type === 'audio');
  const [num, den] = (v?.r_frame_rate ?? '0/1').split('/').map(Number);
  return {
    durationSeconds: Number(json.format?.duration ?? v?.duration ?? a?.duration ?? 0),
    ...(v
      ? {
          video: {
            width: v.width ?? 0,
            height: v.height ?? 0,
            codec: v.codec_name ?? '',
            fps: den ? (num ?? 0) / den : 0,
          },
        }
      : {}),
    ...(a
      ? {
          audio: {
            codec: a.codec_name ?? '',
            sampleRate: Number(a.sample_rate ?? 0),
            channels: a.channels ?? 0,
          },
        }
      : {}),
  };
}
