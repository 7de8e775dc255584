import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

interface EspeakEvent {
  type: string;
  text_position: number;
  word_length: number;
  audio_position: number;
}
interface EspeakWorker {
  set_voice(v: string): void;
  set_rate(r: number): void;
  set_pitch(p: number): void;
  get_samplerate(): number;
  synthesize(text: string, cb: (samples: Int16Array, events: EspeakEvent[]) => boolean): void;
}
interface EspeakModule {
  eSpeakNGWorker: new () => EspeakWorker;
}

let worker: Promise<EspeakWorker> | undefined;
let queue: Promise<unknown> = Promise.resolve();

/** espeak-ng compiled to WASM: loaded once per process (≈60 ms), calls serialized (one synthesizer). */
async function espeak(): Promise<EspeakWorker> {
  worker ??= (async () => {
    const pkgDir = path.dirname(require.resolve('@echogarden/espeak-ng-emscripten'));
    const mod = (await import('@echogarden/espeak-ng-emscripten')) as {
      default: (o: { locateFile: (f: string) => string }) => Promise<EspeakModule>;
    };
    const m = await mod.default({ locateFile: (f: string) => path.join(pkgDir, f) });
    return new m.eSpeakNGWorker();
  })();
  return worker;
}

export interface SpeechOptions {
  text: string;
  voice?: string;
  wordsPerMinute?: number;
  pitch?: number;
}

export interface Speech {
  wav: Uint8Array;
  sampleRate: number;
  durationSeconds: number;
  /** Word timings from espeak's word events (audio position of each word start). */
  words: { text: string; startSeconds: number; endSeconds: number }[];
}

export function wav16(samples: Int16Array, sampleRate: number): Uint8Array {
  const header = Buffer.alloc(44);
  const bytes = samples.length * 2;
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + bytes, 4);
  header.write('WAVE', 8);
  header.write('fmt ', 12);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(bytes, 40);
  return new Uint8Array(Buffer.concat([header, Buffer.from(samples.buffer, samples.byteOffset, bytes)]));
}

export async function synthesizeSpeech(o: SpeechOptions): Promise<Speech> {
  const run = async (): Promise<Speech> => {
    const w = await espeak();
    w.set_voice(o.voice ?? 'en-us');
    w.set_rate(o.wordsPerMinute ?? 165);
    w.set_pitch(o.pitch ?? 50);
    const chunks: Int16Array[] = [];
    const events: EspeakEvent[] = [];
    w.synthesize(o.text, (samples, evs) => {
      chunks.push(samples);
      events.push(...evs);
      return false;
    });
    const total = chunks.reduce((n, c) => n + c.length, 0);
    const all = new Int16Array(total);
    let at = 0;
    for (const c of chunks) {
      all.set(c, at);
      at += c.length;
    }
    const sampleRate = w.get_samplerate();
    const durationSeconds = total / sampleRate;
    const wordEvents = events.filter((e) => e.type === 'word');
    const words = wordEvents.map((e, i) => {
      const start = e.audio_position / 1000;
      const next = wordEvents[i + 1];
      const end = next ? next.audio_position / 1000 : durationSeconds;
      // text_position is 1-based into the UTF-16 text espeak was given.
      const text = o.text.slice(e.text_position - 1, e.text_position - 1 + e.word_length);
      return { text, startSeconds: start, endSeconds: Math.max(start + 0.05, end - 0.02) };
    });
    return { wav: wav16(all, sampleRate), sampleRate, durationSeconds, words };
  };
  const result = queue.then(run, run);
  queue = result.catch(() => undefined);
  return result;
}
