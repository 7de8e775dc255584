import { synthesizeSpeech } from '../../media/tts.js';
import type { SpeechResult, Voice } from '../../ports/index.js';

/** OFFLINE STAND-IN for Amazon Polly (neural): espeak-ng compiled to WASM, word timings from its events. */
export class EspeakVoice implements Voice {
  readonly provider = 'offline';

  async synthesize(text: string, opts: { voice_tone: string }): Promise<SpeechResult> {
    const calm = /calm|warm|intimate|gentle/i.test(opts.voice_tone);
    const upbeat = /playful|upbeat|energetic/i.test(opts.voice_tone);
    const speech = await synthesizeSpeech({
      text,
      wordsPerMinute: upbeat ? 178 : calm ? 158 : 168,
      pitch: upbeat ? 58 : 48,
    });
    return {
      audio: speech.wav,
      format: 'wav',
      duration_seconds: speech.durationSeconds,
      words: speech.words.map((w) => ({
        text: w.text,
        start_seconds: w.startSeconds,
        end_seconds: w.endSeconds,
      })),
      usage: { model: 'offline-espeak-ng', provider: 'offline', units: text.length, unit: 'characters' },
    };
  }
}
