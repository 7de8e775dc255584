import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { seededRandom as prng } from '../ids.js';
import { ffColor, fontPath, runFfmpeg } from './tools.js';

export interface SceneRenderOptions {
  outPath: string;
  width: number;
  height: number;
  fps: number;
  durationSeconds: number;
  palette: string[];
  cameraMovement: string;
  lighting: string;
  style: 'hyper_realistic' | 'abstract' | 'cinematic';
  onScreenText?: string;
  seed: number;
  preset?: string;
}

/** Greedy word wrap for drawtext, which does not wrap by itself. */
export function wrapText(text: string, maxChars: number): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && `${line} ${word}`.length > maxChars) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.join('\n');
}

export type Motion =
  | 'zoom_in'
  | 'zoom_out'
  | 'pan_left'
  | 'pan_right'
  | 'tilt_up'
  | 'tilt_down'
  | 'orbit'
  | 'handheld'
  | 'static';

/** Reads free-text camera directions ("slow dolly in", "whip pan left") as one motion. */
export function parseCameraMovement(text: string): Motion {
  const t = text.toLowerCase();
  if (/pull(ing)? (back|out)|zoom(ing)? out|dolly out|reveal/.test(t)) return 'zoom_out';
  if (/push(ing)? in|dolly(ing)? in|zoom(ing)? in|close in|crash zoom/.test(t)) return 'zoom_in';
  if (/pan(ning)? left|track(ing)? left|truck left/.test(t)) return 'pan_left';
  if (/pan|track(ing)?|truck|slide/.test(t)) return 'pan_right';
  if (/tilt(ing)? up|crane up|rise|rising|pedestal up/.test(t)) return 'tilt_up';
  if (/tilt|crane|descend/.test(t)) return 'tilt_down';
  if (/orbit|arc|circl|360/.test(t)) return 'orbit';
  if (/handheld|hand-held|shaky|documentary/.test(t)) return 'handheld';
  return 'static';
}

const brightnessFor = (lighting: string): number => {
  const l = lighting.toLowerCase();
  if (/night|moody|low[- ]key|dark|noir/.test(l)) return -0.08;
  if (/bright|high[- ]key|daylight|sunlit|airy/.test(l)) return 0.06;
  return 0;
};

/**
 * Renders a procedural stand-in for a generated clip: a canvas larger than the frame filled with the
 * brand palette and moving shapes, framed by a virtual camera that follows the scene's camera movement,
 * with the scene's on-screen text. Exactly `durationSeconds` long, H.264, no audio.
 */
export async function renderScene(o: SceneRenderOptions): Promise<void> {
  const rand = prng(o.seed);
  const W = o.width;
  const H = o.height;
  const D = o.durationSeconds;
  const CW = Math.round((W * 1.3) / 2) * 2;
  const CH = Math.round((H * 1.3) / 2) * 2;
  const palette = o.palette.length ? o.palette : ['#222222', '#DDDDDD'];
  const colour = (i: number) => ffColor(palette[i % palette.length] as string);
  const shapes = o.style === 'abstract' ? 5 : 3;
  const inputs = ['-f', 'lavfi', '-i', `color=c=${colour(0)}:s=${CW}x${CH}:r=${o.fps}:d=${D}`];
  const graph: string[] = [];
  let last = '0';
  for (let i = 0; i < shapes; i++) {
    const sw = Math.round((CW * (0.2 + rand() * 0.45)) / 2) * 2;
    const sh = Math.round((CH * (0.12 + rand() * 0.35)) / 2) * 2;
    inputs.push(
      '-f',
      'lavfi',
      '-i',
      `color=c=${colour(i + 1)}@${(0.55 + rand() * 0.4).toFixed(2)}:s=${sw}x${sh}:r=${o.fps}:d=${D}`,
    );
    const x0 = Math.round(rand() * (CW - sw));
    const y0 = Math.round(rand() * (CH - sh));
    const ax = Math.round(CW * (0.05 + rand() * 0.15));
    const ay = Math.round(CH * (0.05 + rand() * 0.12));
    const fx = (0.3 + rand() * 0.9).toFixed(2);
    const fy = (0.2 + rand() * 0.8).toFixed(2);
    graph.push(`[${i + 1}]format=yuva420p[s${i}]`);
    graph.push(
      `[${last}][s${i}]overlay=x='${x0}+${ax}*sin(t*${fx})':y='${y0}+${ay}*cos(t*${fy})':format=auto[l${i}]`,
    );
    last = `l${i}`;
  }
  const motion = parseCameraMovement(o.cameraMovement);
  const frames = Math.max(1, Math.round(D * o.fps));
  const cx = `(iw-ow)/2`;
  const cy = `(ih-oh)/2`;
  let camera: string;
  switch (motion) {
    case 'zoom_in':
    case 'zoom_out': {
      const z = motion === 'zoom_in' ? `1+0.25*on/${frames}` : `1.25-0.25*on/${frames}`;
      camera = `zoompan=z='${z}':x='iw/2-(iw/zoom/2)':y='ih/2-(ih/zoom/2)':d=1:s=${W}x${H}:fps=${o.fps}`;
      break;
    }
    case 'pan_left':
      camera = `crop=w=${W}:h=${H}:x='(iw-ow)*(1-t/${D})':y='${cy}'`;
      break;
    case 'pan_right':
      camera = `crop=w=${W}:h=${H}:x='(iw-ow)*t/${D}':y='${cy}'`;
      break;
    case 'tilt_up':
      camera = `crop=w=${W}:h=${H}:x='${cx}':y='(ih-oh)*(1-t/${D})'`;
      break;
    case 'tilt_down':
      camera = `crop=w=${W}:h=${H}:x='${cx}':y='(ih-oh)*t/${D}'`;
      break;
    case 'orbit':
      camera = `crop=w=${W}:h=${H}:x='(iw-ow)/2*(1+0.9*sin(2*PI*t/${D}))':y='(ih-oh)/2*(1+0.9*cos(2*PI*t/${D}))'`;
      break;
    case 'handheld':
      camera = `crop=w=${W}:h=${H}:x='${cx}+${Math.round(W * 0.012)}*sin(t*7.3)+${Math.round(W * 0.006)}*sin(t*13.1)':y='${cy}+${Math.round(H * 0.008)}*cos(t*6.1)'`;
      break;
    default:
      camera = `crop=w=${W}:h=${H}:x='${cx}':y='${cy}'`;
  }
  const look: string[] = [camera];
  const brightness = brightnessFor(o.lighting);
  if (brightness !== 0) look.push(`eq=brightness=${brightness}`);
  if (o.style === 'abstract') look.push(`hue=h='t*36'`);
  if (o.style === 'hyper_realistic') look.push('noise=alls=6:allf=t');
  if (o.style === 'cinematic') {
    const bar = Math.round(H * 0.06);
    look.push(
      `drawbox=x=0:y=0:w=iw:h=${bar}:color=black:t=fill`,
      `drawbox=x=0:y=ih-${bar}:w=iw:h=${bar}:color=black:t=fill`,
    );
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'bie-scene-'));
  try {
    if (o.onScreenText?.trim()) {
      const textFile = path.join(dir, 'text.txt');
      const size = Math.round(Math.min(W, H) * 0.07);
      writeFileSync(
        textFile,
        wrapText(o.onScreenText.trim(), Math.max(8, Math.floor((W * 0.86) / (size * 0.6)))),
      );
      look.push(
        `drawtext=fontfile='${fontPath()}':textfile='${textFile}':expansion=none:fontsize=${size}:fontcolor=white:borderw=${Math.max(2, Math.round(size / 18))}:bordercolor=black@0.55:x=(w-tw)/2:y=h*0.2:alpha='min(1,t/0.5)'`,
      );
    }
    look.push('format=yuv420p');
    graph.push(`[${last}]${look.join(',')}[v]`);
    await runFfmpeg([
      ...inputs,
      '-filter_complex',
      graph.join(';'),
      '-map',
      '[v]',
      '-an',
      '-c:v',
      'libx264',
      '-preset',
      o.preset ?? process.env.BIE_X264_PRESET ?? 'veryfast',
      '-crf',
      '22',
      '-r',
      String(o.fps),
      '-t',
      String(D),
      '-movflags',
      '+faststart',
      o.outPath,
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
