import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

/** One event of the espeak-ng WASM build (`@echogarden/espeak-ng-emscripten`, see its `synthesize`). */
interface EspeakEvent {
  type:
    | 'list_terminated'
    | 'word'
    | 'sentence'
    | 'mark'
    | 'play'
    | 'end'
    | 'msg_terminated'
    | 'phoneme'
    | 'samplerate';
  /** 1-based position in the text, counted in Unicode code points. */
  text_position: number;
  word_length: number;
  /** Milliseconds from the start of the utterance. */
  audio_position: number;
  /** Phoneme events: the phoneme ('' for a pause); word/sentence events: their number. */
  id?: string | number;
}

interface EspeakWorker {
  /** 0 on success. */
  set_voice(name: string): number;
  set_rate(wordsPerMinute: number): void;
  set_pitch(pitch: number): void;
  get_samplerate(): number;
  /** Calls back with each audio chunk and its events; returning true aborts. */
  synthesize(text: string, cb: (samples: Int16Array, events: EspeakEvent[]) => boolean): void;
}

interface EspeakModule {
  eSpeakNGWorker: new () => EspeakWorker;
}

let worker: Promise<EspeakWorker> | undefined;
let queue: Promise<unknown> = Promise.resolve();

/** espeak-ng compiled to WASM, loaded once per process (a few hundred ms) and reused. */
function espeak(): Promise<EspeakWorker> {
  worker ??= (async () => {
    const pkgDir = path.dirname(require.resolve('@echogarden/espeak-ng-emscripten'));
    const factory = (await import('@echogarden/espeak-ng-emscripten')).default;
    const mod = (await factory({ locateFile: (f: string) => path.join(pkgDir, f) })) as Partial<EspeakModule>;
    if (typeof mod.eSpeakNGWorker !== 'function') throw new Error('espeak-ng module has no eSpeakNGWorker');
    return new mod.eSpeakNGWorker();
  })().catch((e: unknown) => {
    worker = undefined; // let a later call retry
    throw e;
  });
  return worker;
}

export interface SpeechOptions {
  text: string;
  /** Writes a 16-bit mono PCM WAV here when given (the bytes are returned either way). */
  outPath?: string;
  /** espeak voice: `en-us` (default), `en` (British), `en-us+f3` (a female variant)… */
  voice?: string;
  /** Speaking rate in words per minute (espeak's scale, 80…450; default 165). */
  ratePerMinute?: number;
  /** @deprecated use `ratePerMinute`. */
  wordsPerMinute?: number;
  /** 0…99, default 50. */
  pitch?: number;
}

export interface WordTiming {
  text: string;
  startSeconds: number;
  endSeconds: number;
}

export interface SpeechResult {
  /** The WAV file's bytes. */
  wav: Uint8Array;
  sampleRate: number;
  durationSeconds: number;
  /** Every word of the text in order, with the punctuation attached to it, timed against the audio. */
  words: WordTiming[];
  /** `events`: from espeak's word/phoneme events; `estimated`: spread by character length (no usable events). */
  timing: 'events' | 'estimated';
  outPath?: string;
}

/** @deprecated the former name of {@link SpeechResult}. */
export type Speech = SpeechResult;

/** Wraps 16-bit mono PCM samples as a WAV file. */
export function wav16(samples: Int16Array, sampleRate: number): Uint8Array {
  const header = Buffer.alloc(44);
  const bytes = samples.length * 2;
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + bytes, 4);
  header.write('WAVE', 8);
  header.write('fmt ', 12);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(bytes, 40);
  return new Uint8Array(Buffer.concat([header, Buffer.from(samples.buffer, samples.byteOffset, bytes)]));
}

/**
 * Speaks `text` with espeak-ng (WASM, in process; calls are serialized because there is one
 * synthesizer) and times every word from espeak's own events.
 */
export function synthesizeSpeech(o: SpeechOptions): Promise<SpeechResult> {
  const run = async (): Promise<SpeechResult> => {
    const w = await espeak();
    const voice = o.voice ?? 'en-us';
    if (w.set_voice(voice) !== 0) throw new Error(`espeak-ng has no voice ${JSON.stringify(voice)}`);
    w.set_rate(Math.round(Math.min(450, Math.max(80, o.ratePerMinute ?? o.wordsPerMinute ?? 165))));
    w.set_pitch(Math.round(Math.min(99, Math.max(0, o.pitch ?? 50))));
    const chunks: Int16Array[] = [];
    const events: EspeakEvent[] = [];
    w.synthesize(o.text, (samples, evs) => {
      chunks.push(samples);
      events.push(...evs);
      return false;
    });
    const total = chunks.reduce((n, c) => n + c.length, 0);
    const samples = new Int16Array(total);
    let at = 0;
    for (const c of chunks) {
      samples.set(c, at);
      at += c.length;
    }
    const sampleRate = w.get_samplerate();
    const durationSeconds = total / sampleRate;
    const { words, timing } = timeWords(o.text, events, durationSeconds, speechSpan(samples, sampleRate));
    const wav = wav16(samples, sampleRate);
    if (o.outPath) await writeFile(o.outPath, wav);
    return { wav, sampleRate, durationSeconds, words, timing, ...(o.outPath && { outPath: o.outPath }) };
  };
  const result = queue.then(run, run);
  queue = result.catch(() => undefined);
  return result;
}

interface Token {
  text: string;
  /** UTF-16 range in the text. */
  from: number;
  to: number;
  start?: number;
}

/** Whitespace-separated words; a token without letters or digits ("—", "🎉") joins the previous word. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  for (const m of text.matchAll(/\S+/gu)) {
    const from = m.index;
    const token = { text: m[0], from, to: from + m[0].length };
    const prev = tokens[tokens.length - 1];
    if (!/[\p{L}\p{N}&%$€£@#+]/u.test(m[0]) && prev) {
      prev.text += ` ${m[0]}`;
      prev.to = token.to;
    } else if (prev && !/[\p{L}\p{N}&%$€£@#+]/u.test(prev.text)) {
      // A leading punctuation-only token joins the next word.
      prev.text += ` ${m[0]}`;
      prev.to = token.to;
    } else tokens.push(token);
  }
  return tokens;
}

/** First and last sample above a small threshold, in seconds (the speech inside leading/trailing silence). */
function speechSpan(samples: Int16Array, sampleRate: number): [number, number] {
  const threshold = 300;
  let first = 0;
  while (first < samples.length && Math.abs(samples[first] ?? 0) < threshold) first++;
  let last = samples.length - 1;
  while (last > first && Math.abs(samples[last] ?? 0) < threshold) last--;
  return first >= samples.length
    ? [0, samples.length / sampleRate]
    : [first / sampleRate, (last + 1) / sampleRate];
}

/**
 * Word timings from espeak's events. A word starts at the earliest `word` event inside it (espeak
 * reports its text position in code points, and one written word can be several spoken ones: "3.5",
 * "crème—naïve"); it ends at the first pause (a `phoneme` event without a phoneme, or a clause `end`)
 * before the next word starts, else where the next word starts. Words espeak did not report get times
 * interpolated by character length; with no usable word events at all, every word is spread over the
 * speech by character length (`estimated`).
 */
export function timeWords(
  text: string,
  events: readonly EspeakEvent[],
  durationSeconds: number,
  span: [number, number] = [0, durationSeconds],
): { words: WordTiming[]; timing: 'events' | 'estimated' } {
  const tokens = tokenize(text);
  if (!tokens.length) return { words: [], timing: 'events' };
  // Code point (1-based, as espeak counts) → UTF-16 index.
  const cpToUnit: number[] = [0];
  for (let i = 0; i < text.length; ) {
    cpToUnit.push(i);
    i += (text.codePointAt(i) ?? 0) > 0xffff ? 2 : 1;
  }
  cpToUnit.push(text.length);
  let placed = 0;
  for (const e of events) {
    if (e.type !== 'word') continue;
    const unit = cpToUnit[e.text_position];
    if (unit === undefined || !Number.isFinite(e.audio_position)) continue;
    // Inside a token, else (an event on whitespace is the tail of the previous word) the one before.
    let k = tokens.findIndex((t) => unit >= t.from && unit < t.to);
    if (k < 0) k = tokens.findLastIndex((t) => t.to <= unit);
    if (k < 0) k = 0;
    const tok = tokens[k] as Token;
    const s = e.audio_position / 1000;
    if (tok.start === undefined || s < tok.start) {
      if (tok.start === undefined) placed++;
      tok.start = s;
    }
  }
  const timing = placed > 0 ? 'events' : 'estimated';
  const chars = (t: Token) => Math.max(1, t.text.replace(/[^\p{L}\p{N}]/gu, '').length);
  if (timing === 'estimated') {
    // No usable events: spread over the audible part by character length.
    const total = tokens.reduce((n, t) => n + chars(t) + 1, 0);
    let at = span[0];
    const per = (span[1] - span[0]) / total;
    return {
      words: tokens.map((t) => {
        const start = at;
        at += (chars(t) + 1) * per;
        return { text: t.text, startSeconds: round3(start), endSeconds: round3(at - per) };
      }),
      timing,
    };
  }
  // Fill words without an event between their timed neighbours, by character length.
  for (let i = 0; i < tokens.length; ) {
    if (tokens[i]?.start !== undefined) {
      i++;
      continue;
    }
    let j = i;
    while (j < tokens.length && tokens[j]?.start === undefined) j++;
    const from = i > 0 ? (tokens[i - 1]?.start ?? span[0]) : span[0];
    const to = j < tokens.length ? (tokens[j]?.start ?? span[1]) : span[1];
    const run = tokens.slice(i - (i > 0 ? 1 : 0), j);
    const weights = run.map(chars);
    const sum = weights.reduce((a, b) => a + b, 0);
    let acc = i > 0 ? (weights[0] ?? 0) : 0;
    for (let k = i; k < j; k++) {
      (tokens[k] as Token).start = from + ((to - from) * acc) / sum;
      acc += weights[k - i + (i > 0 ? 1 : 0)] ?? 0;
    }
    i = j;
  }
  const pauses = events
    .filter((e) => (e.type === 'phoneme' && !String(e.id ?? '').trim()) || e.type === 'end')
    .map((e) => e.audio_position / 1000)
    .sort((a, b) => a - b);
  const end = Math.min(durationSeconds, span[1]);
  const words = tokens.map((t, i) => {
    const start = Math.max(0, t.start ?? 0);
    const next = Math.max(start, tokens[i + 1]?.start ?? end);
    const pause = pauses.find((p) => p > start + 0.08 && p <= next);
    return { text: t.text, startSeconds: start, endSeconds: Math.max(start + 0.05, pause ?? next) };
  });
  // Monotonic and non-overlapping.
  for (let i = 1; i < words.length; i++) {
    const prev = words[i - 1] as WordTiming;
    const w = words[i] as WordTiming;
    if (w.startSeconds < prev.startSeconds) w.startSeconds = prev.startSeconds;
    if (prev.endSeconds > w.startSeconds) prev.endSeconds = Math.max(prev.startSeconds, w.startSeconds);
    if (w.endSeconds < w.startSeconds) w.endSeconds = w.startSeconds;
  }
  return {
    words: words.map((w) => ({
      ...w,
      startSeconds: round3(w.startSeconds),
      endSeconds: round3(w.endSeconds),
    })),
    timing,
  };
}

const round3 = (s: number): number => Math.round(s * 1000) / 1000;
