import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { seededRandom } from '../ids.js';
import { runFfmpeg } from './tools.js';

export type Mood = 'upbeat' | 'calm' | 'cinematic' | 'corporate';

export interface MusicPlan {
  mood: Mood;
  bpm: number;
  /** MIDI note of the key's tonic (around C3). */
  tonic: number;
  key: string;
  minor: boolean;
  /** One chord per bar, repeating: root offset from the tonic and whether it is a minor triad. */
  progression: { root: number; minor: boolean }[];
  layers: { pad: number; bass: number; arp: number; kick: number; hats: number; clap: number; boom: number };
  /** Arpeggio notes per beat (1, 2 or 4). */
  arpRate: number;
  padAttack: number;
}

const NOTE_NAMES = ['C', 'C#', 'D', 'Eb', 'E', 'F', 'F#', 'G', 'Ab', 'A', 'Bb', 'B'];
const MAJOR_PROGRESSIONS: [number, boolean][][] = [
  [
    [0, false],
    [7, false],
    [9, true],
    [5, false],
  ], // I V vi IV
  [
    [0, false],
    [9, true],
    [5, false],
    [7, false],
  ], // I vi IV V
  [
    [9, true],
    [5, false],
    [0, false],
    [7, false],
  ], // vi IV I V
  [
    [0, false],
    [5, false],
    [9, true],
    [7, false],
  ], // I IV vi V
];
const MINOR_PROGRESSIONS: [number, boolean][][] = [
  [
    [0, true],
    [8, false],
    [3, false],
    [10, false],
  ], // i VI III VII
  [
    [0, true],
    [5, true],
    [8, false],
    [7, false],
  ], // i iv VI V
  [
    [0, true],
    [10, false],
    [8, false],
    [10, false],
  ], // i VII VI VII
];

/** Mood from the words of a music style ("upbeat acoustic", "calm lo-fi", "epic cinematic"…). */
export function moodOf(style: string): Mood {
  const s = style.toLowerCase();
  if (
    /upbeat|energetic|energy|playful|fun\b|bouncy|pop\b|happy|dance|electro|hype|driving|party|summer/.test(s)
  )
    return 'upbeat';
  if (/cinematic|epic|dramatic|emotional|orchestral|trailer|tension|suspense|piano|documentary|moody/.test(s))
    return 'cinematic';
  if (
    /calm|ambient|warm|acoustic|gentle|lo-?fi|chill|relax|soft|peaceful|mellow|intimate|cozy|morning/.test(s)
  )
    return 'calm';
  return 'corporate';
}

/** Tempo, key, chords and instrumentation for a style, varied (deterministically) by the seed. */
export function planMusic(style: string, seed: number): MusicPlan {
  const rand = seededRandom(seed ^ 0x5eed);
  const mood = moodOf(style);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length) % xs.length] as T;
  const minor = mood === 'cinematic';
  const tonic = 48 + pick([0, 2, 3, 5, 7, 9, 10]);
  const progression = pick(minor ? MINOR_PROGRESSIONS : MAJOR_PROGRESSIONS).map(([root, m]) => ({
    root,
    minor: m,
  }));
  const lofi = /lo-?fi|hip-?hop|beat/.test(style.toLowerCase());
  const base = {
    upbeat: {
      bpm: [112, 124],
      layers: { pad: 0.5, bass: 0.8, arp: 0.55, kick: 0.8, hats: 0.35, clap: 0.4, boom: 0 },
      arpRate: 4,
      padAttack: 0.15,
    },
    corporate: {
      bpm: [96, 108],
      layers: { pad: 0.6, bass: 0.7, arp: 0.5, kick: 0.55, hats: 0.25, clap: 0, boom: 0 },
      arpRate: 2,
      padAttack: 0.3,
    },
    calm: {
      bpm: [72, 84],
      layers: {
        pad: 0.8,
        bass: 0.5,
        arp: 0.4,
        kick: lofi ? 0.45 : 0,
        hats: lofi ? 0.18 : 0,
        clap: 0,
        boom: 0,
      },
      arpRate: 1,
      padAttack: 0.8,
    },
    cinematic: {
      bpm: [64, 76],
      layers: { pad: 0.85, bass: 0.6, arp: 0.45, kick: 0, hats: 0, clap: 0, boom: 0.8 },
      arpRate: 2,
      padAttack: 1.0,
    },
  }[mood];
  const bpm = Math.round(base.bpm[0] + rand() * (base.bpm[1] - base.bpm[0]));
  return {
    mood,
    bpm,
    tonic,
    key: `${NOTE_NAMES[tonic % 12]} ${minor ? 'minor' : 'major'}`,
    minor,
    progression,
    layers: base.layers,
    arpRate: base.arpRate,
    padAttack: base.padAttack,
  };
}

const hz = (midi: number): number => 440 * 2 ** ((midi - 69) / 12);
const TAU = Math.PI * 2;

/** Adds a note into a buffer: `voice(tLocal)` from `start` for `length` s, plus a short release. */
function addNote(
  buf: Float32Array,
  sampleRate: number,
  start: number,
  length: number,
  voice: (t: number) => number,
  gain: number,
) {
  const from = Math.max(0, Math.round(start * sampleRate));
  const to = Math.min(buf.length, Math.round((start + length) * sampleRate));
  for (let i = from; i < to; i++) {
    const t = i / sampleRate - start;
    // 5 ms fade at both ends: a note never starts or stops with a click.
    const edge = Math.min(1, t / 0.005, (length - t) / 0.005);
    buf[i] = (buf[i] ?? 0) + voice(t) * gain * Math.max(0, edge);
  }
}

/** A small Schroeder reverb (4 combs + 2 allpasses), for the pad and arpeggio send. */
function reverb(input: Float32Array, sampleRate: number, spread: number): Float32Array {
  const out = new Float32Array(input.length);
  const scale = sampleRate / 44100;
  const combs = [1557, 1617, 1491, 1422].map((n) => ({
    buf: new Float32Array(Math.round((n + spread) * scale)),
    i: 0,
    store: 0,
  }));
  const allpasses = [556, 441].map((n) => ({
    buf: new Float32Array(Math.round((n + spread) * scale)),
    i: 0,
  }));
  for (let s = 0; s < input.length; s++) {
    const x = (input[s] ?? 0) * 0.25;
    let y = 0;
    for (const c of combs) {
      const out0 = c.buf[c.i] ?? 0;
      c.store = out0 * 0.6 + c.store * 0.4; // damping
      c.buf[c.i] = x + c.store * 0.8;
      c.i = (c.i + 1) % c.buf.length;
      y += out0;
    }
    for (const a of allpasses) {
      const b = a.buf[a.i] ?? 0;
      a.buf[a.i] = y + b * 0.5;
      a.i = (a.i + 1) % a.buf.length;
      y = b - y;
    }
    out[s] = y;
  }
  return out;
}

/** One-pole low-pass in place. */
function lowpass(buf: Float32Array, sampleRate: number, cutoff: number) {
  const a = 1 - Math.exp((-TAU * cutoff) / sampleRate);
  let y = 0;
  for (let i = 0; i < buf.length; i++) {
    y += a * ((buf[i] ?? 0) - y);
    buf[i] = y;
  }
}

/**
 * Renders a plan to stereo samples (−1…1): pad chords, bass, a plucked (FM) arpeggio with a stereo
 * delay, light drums for the upbeat moods, low booms for cinematic, a shared reverb, then levelled to
 * about −20 dBFS RMS with equal-power fades in and out.
 */
export function renderMusic(
  plan: MusicPlan,
  durationSeconds: number,
  sampleRate: number,
  seed: number,
): [Float32Array, Float32Array] {
  const n = Math.max(1, Math.round(durationSeconds * sampleRate));
  const rand = seededRandom(seed ^ 0xb0a7);
  const beat = 60 / plan.bpm;
  const bar = beat * 4;
  const bars = Math.ceil(durationSeconds / bar) + 1;
  const L = plan.layers;
  const pad = new Float32Array(n);
  const padR = new Float32Array(n);
  const bass = new Float32Array(n);
  const arpL = new Float32Array(n);
  const arpR = new Float32Array(n);
  const drums = new Float32Array(n);
  const chordAt = (b: number) =>
    plan.progression[b % plan.progression.length] as { root: number; minor: boolean };
  for (let b = 0; b < bars; b++) {
    const start = b * bar;
    if (start >= durationSeconds) break;
    const chord = chordAt(b);
    const root = plan.tonic + chord.root;
    const tones = [root, root + (chord.minor ? 3 : 4), root + 7, root + 12];
    // Pad: detuned soft-saw voices with a slow swell, overlapping into the next bar.
    const release = Math.min(1.2, bar * 0.5);
    const padEnv = (t: number) =>
      Math.min(1, t / plan.padAttack) * Math.min(1, Math.max(0, (bar + release - t) / release));
    for (const [k, m] of tones.entries()) {
      for (const [side, cents] of [
        [pad, -5],
        [padR, 5],
      ] as const) {
        const f = hz(m) * 2 ** (cents / 1200);
        const phase = rand() * TAU;
        addNote(
          side,
          sampleRate,
          start,
          bar + release,
          (t) => {
            const p = TAU * f * t + phase;
            return (Math.sin(p) + 0.3 * Math.sin(2 * p) + 0.12 * Math.sin(3 * p)) * padEnv(t);
          },
          (0.09 * L.pad) / (k === 3 ? 2 : 1),
        );
      }
    }
    // Bass: root an octave down; quarters (upbeat/corporate) or one long note per bar.
    if (L.bass > 0) {
      const f = hz(root - 12);
      const hits = plan.mood === 'upbeat' ? 8 : plan.mood === 'corporate' ? 4 : 1;
      const len = bar / hits;
      for (let h = 0; h < hits; h++) {
        addNote(
          bass,
          sampleRate,
          start + h * len,
          len * 0.95,
          (t) =>
            (Math.sin(TAU * f * t) + 0.25 * Math.sin(2 * TAU * f * t)) * Math.exp(-t * (hits > 1 ? 5 : 1.2)),
          0.28 * L.bass * (h % 2 === 0 ? 1 : 0.8),
        );
      }
    }
    // Arpeggio: FM pluck through the chord an octave up, alternating sides.
    if (L.arp > 0) {
      const step = beat / plan.arpRate;
      const steps = Math.round(bar / step);
      const order = [0, 1, 2, 3, 2, 1];
      for (let s = 0; s < steps; s++) {
        const m = (tones[order[(s + b) % order.length] as number] as number) + 12;
        const f = hz(m);
        const decay = plan.mood === 'cinematic' ? 1.6 : plan.mood === 'calm' ? 2.5 : 6;
        const vel = 0.8 + rand() * 0.2;
        addNote(
          s % 2 ? arpR : arpL,
          sampleRate,
          start + s * step + (rand() - 0.5) * 0.004,
          Math.min(step * 3, 1.5),
          (t) =>
            Math.sin(TAU * f * t + 1.6 * Math.exp(-t * 12) * Math.sin(TAU * f * t)) * Math.exp(-t * decay),
          0.1 * L.arp * vel,
        );
      }
    }
    // Drums.
    for (let q = 0; q < 4; q++) {
      const t0 = start + q * beat;
      if (L.kick > 0 && (plan.mood === 'upbeat' || q % 2 === 0))
        addNote(
          drums,
          sampleRate,
          t0,
          0.35,
          (t) => Math.sin(TAU * (45 * t + (75 / 28) * (1 - Math.exp(-28 * t)))) * Math.exp(-t * 9),
          0.5 * L.kick,
        );
      if (L.hats > 0) {
        let prev = 0;
        addNote(
          drums,
          sampleRate,
          t0 + beat / 2,
          0.08,
          (t) => {
            const x = rand() * 2 - 1;
            const y = x - prev; // first difference: a crude high-pass
            prev = x;
            return y * Math.exp(-t * 55);
          },
          0.09 * L.hats,
        );
      }
      if (L.clap > 0 && q % 2 === 1)
        addNote(drums, sampleRate, t0, 0.2, (t) => (rand() * 2 - 1) * Math.exp(-t * 22), 0.12 * L.clap);
    }
    if (L.boom > 0 && b % 2 === 0)
      addNote(
        bass,
        sampleRate,
        start,
        Math.min(3, bar * 2),
        (t) => Math.sin(TAU * (38 * t + (30 / 3) * (1 - Math.exp(-3 * t)))) * Math.exp(-t * 1.4),
        0.45 * L.boom,
      );
  }
  lowpass(pad, sampleRate, plan.mood === 'cinematic' ? 1400 : 2600);
  lowpass(padR, sampleRate, plan.mood === 'cinematic' ? 1400 : 2600);
  lowpass(bass, sampleRate, 900);
  // Stereo delay on the arpeggio (a dotted eighth, ping-pong).
  const delay = Math.round(beat * 0.75 * sampleRate);
  for (let i = delay; i < n; i++) {
    arpL[i] = (arpL[i] ?? 0) + 0.28 * (arpR[i - delay] ?? 0);
    arpR[i] = (arpR[i] ?? 0) + 0.28 * (arpL[i - delay] ?? 0);
  }
  const sendL = new Float32Array(n);
  const sendR = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    sendL[i] = (pad[i] ?? 0) + (arpL[i] ?? 0);
    sendR[i] = (padR[i] ?? 0) + (arpR[i] ?? 0);
  }
  const wet = plan.mood === 'upbeat' ? 0.18 : 0.35;
  const revL = reverb(sendL, sampleRate, 0);
  const revR = reverb(sendR, sampleRate, 23);
  const left = new Float32Array(n);
  const right = new Float32Array(n);
  let energy = 0;
  for (let i = 0; i < n; i++) {
    const c = (bass[i] ?? 0) + (drums[i] ?? 0);
    left[i] = (sendL[i] ?? 0) + c + wet * (revL[i] ?? 0);
    right[i] = (sendR[i] ?? 0) + c + wet * (revR[i] ?? 0);
    energy += (left[i] ?? 0) ** 2 + (right[i] ?? 0) ** 2;
  }
  // Level to about −20 dBFS RMS, soft-limit peaks, fade in and out (equal power).
  const rms = Math.sqrt(energy / (2 * n)) || 1;
  const gain = 0.1 / rms;
  const fadeIn = Math.min(1, durationSeconds / 4) * sampleRate;
  const fadeOut = Math.min(2, durationSeconds / 4) * sampleRate;
  for (let i = 0; i < n; i++) {
    const f = Math.min(1, i / fadeIn, (n - 1 - i) / fadeOut);
    const g = gain * Math.sin((Math.max(0, f) * Math.PI) / 2);
    left[i] = Math.tanh((left[i] ?? 0) * g * 1.1) / 1.1;
    right[i] = Math.tanh((right[i] ?? 0) * g * 1.1) / 1.1;
  }
  return [left, right];
}

/** 16-bit PCM WAV from channel buffers (−1…1). */
export function encodeWav(channels: readonly Float32Array[], sampleRate: number): Buffer {
  const n = channels[0]?.length ?? 0;
  const ch = channels.length;
  const data = Buffer.alloc(n * ch * 2);
  for (let i = 0; i < n; i++)
    for (let c = 0; c < ch; c++) {
      const v = Math.max(-1, Math.min(1, channels[c]?.[i] ?? 0));
      data.writeInt16LE(Math.round(v * 32767), (i * ch + c) * 2);
    }
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8);
  header.write('fmt ', 12);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(ch, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * ch * 2, 28);
  header.writeUInt16LE(ch * 2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

export interface MusicBedOptions {
  /** `.wav` is written directly; any other extension (`.m4a`, `.aac`, `.mp4`) is AAC-encoded by ffmpeg. */
  outPath: string;
  durationSeconds: number;
  /** Free text: upbeat/energetic/playful, calm/ambient/lo-fi, cinematic/epic/emotional, corporate… */
  style: string;
  seed: number;
  /** Default 48000 (the masters' rate). */
  sampleRate?: number;
}

export interface MusicBedResult {
  outPath: string;
  durationSeconds: number;
  plan: MusicPlan;
}

/**
 * A procedural music bed synthesised in process (a few hundred ms for a minute of stereo audio; no
 * expression-evaluating ffmpeg sources). Deterministic for a style and seed. It sits under a voice, so
 * it is kept at about −20 dBFS RMS; assembly measures it and ducks it under the voice.
 */
export async function generateMusicBed(o: MusicBedOptions): Promise<MusicBedResult> {
  if (!(o.durationSeconds > 0)) throw new Error('generateMusicBed: durationSeconds must be > 0');
  const sampleRate = o.sampleRate ?? 48000;
  const plan = planMusic(o.style, o.seed);
  const wav = encodeWav(renderMusic(plan, o.durationSeconds, sampleRate, o.seed), sampleRate);
  if (path.extname(o.outPath).toLowerCase() === '.wav') {
    await writeFile(o.outPath, wav);
  } else {
    const tmp = `${o.outPath}.${process.pid}.tmp.wav`;
    await writeFile(tmp, wav);
    try {
      const mp4 = /\.(m4a|mp4|mov)$/i.test(o.outPath) ? ['-movflags', '+faststart'] : [];
      await runFfmpeg([
        '-i',
        tmp,
        '-c:a',
        'aac',
        '-b:a',
        '160k',
        '-ar',
        String(sampleRate),
        ...mp4,
        o.outPath,
      ]);
    } finally {
      await rm(tmp, { force: true });
    }
  }
  return { outPath: o.outPath, durationSeconds: o.durationSeconds, plan };
}
