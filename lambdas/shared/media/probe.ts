import { runFfprobe } from './tools.js';

export interface VideoStreamInfo {
  width: number;
  height: number;
  codec: string;
  /** Frames per second from the stream's frame rate (`r_frame_rate`), e.g. 30 or 29.97. */
  fps: number;
  pixelFormat: string;
  /** Frame count when the container states it (MP4 does). */
  frames?: number;
  /** Codec profile and level (e.g. `High`, 40): streams to be joined without re-encoding must agree. */
  profile?: string;
  level?: number;
}

export interface AudioStreamInfo {
  codec: string;
  sampleRate: number;
  channels: number;
}

export interface MediaInfo {
  /** Container duration (0 for a still image). */
  durationSeconds: number;
  formatName: string;
  sizeBytes: number;
  video?: VideoStreamInfo;
  audio?: AudioStreamInfo;
  /** Container metadata tags (keys lower-cased). */
  tags: Record<string, string>;
}

interface ProbeStream {
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  r_frame_rate?: string;
  avg_frame_rate?: string;
  pix_fmt?: string;
  nb_frames?: string;
  profile?: string;
  level?: number;
  sample_rate?: string;
  channels?: number;
  duration?: string;
  disposition?: { attached_pic?: number };
}

interface ProbeJson {
  format?: { duration?: string; format_name?: string; size?: string; tags?: Record<string, string> };
  streams?: ProbeStream[];
}

const rate = (r: string | undefined): number => {
  const [n, d] = (r ?? '0/1').split('/').map(Number);
  return n && d ? n / d : 0;
};

const finite = (v: string | number | undefined): number | undefined => {
  const n = Number(v);
  return v !== undefined && Number.isFinite(n) ? n : undefined;
};

/** Reads duration, the first video stream and the first audio stream of a media file with ffprobe. */
export async function probeMedia(file: string): Promise<MediaInfo> {
  const { stdout } = await runFfprobe(['-print_format', 'json', '-show_format', '-show_streams', file]);
  const json = JSON.parse(stdout) as ProbeJson;
  const streams = json.streams ?? [];
  const v = streams.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  const a = streams.find((s) => s.codec_type === 'audio');
  const frames = finite(v?.nb_frames);
  return {
    durationSeconds: finite(json.format?.duration) ?? finite(v?.duration) ?? finite(a?.duration) ?? 0,
    formatName: json.format?.format_name ?? '',
    sizeBytes: finite(json.format?.size) ?? 0,
    tags: Object.fromEntries(Object.entries(json.format?.tags ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
    ...(v && {
      video: {
        width: v.width ?? 0,
        height: v.height ?? 0,
        codec: v.codec_name ?? '',
        fps: rate(v.r_frame_rate) || rate(v.avg_frame_rate),
        pixelFormat: v.pix_fmt ?? '',
        ...(frames !== undefined && { frames }),
        ...(v.profile && { profile: v.profile }),
        ...(v.level !== undefined && { level: v.level }),
      },
    }),
    ...(a && {
      audio: {
        codec: a.codec_name ?? '',
        sampleRate: finite(a.sample_rate) ?? 0,
        channels: a.channels ?? 0,
      },
    }),
  };
}
