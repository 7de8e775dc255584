import { PollyClient, SynthesizeSpeechCommand, type VoiceId } from '@aws-sdk/client-polly';
import { wav16 } from '../../media/tts.js';
import type { SpeechResult, Voice } from '../../ports/index.js';

const polly = new PollyClient({});
const SAMPLE_RATE = 16_000;

/** Voice per tone: warm and calm lines get Ruth, upbeat Matthew, the rest Joanna (all neural, en-US). */
const voiceFor = (tone: string): VoiceId =>
  /playful|upbeat|energetic/i.test(tone)
    ? 'Matthew'
    : /warm|calm|intimate|gentle/i.test(tone)
      ? 'Ruth'
      : 'Joanna';

/**
 * Amazon Polly (neural): 16 kHz PCM wrapped as WAV, plus word speech marks for caption timing. Audio and
 * marks are two calls with the same text and voice; a word ends where the next begins (marks have no end).
 * Speech-mark offsets are byte offsets into the UTF-8 text.
 */
export class PollyVoice implements Voice {
  readonly provider = 'polly';

  constructor(private readonly client: PollyClient = polly) {}

  async synthesize(text: string, opts: { voice_tone: string }): Promise<SpeechResult> {
    const VoiceId = voiceFor(opts.voice_tone);
    const base = { Text: text, VoiceId, Engine: 'neural', TextType: 'text' } as const;
    const [audio, marks] = await Promise.all([
      this.client.send(
        new SynthesizeSpeechCommand({ ...base, OutputFormat: 'pcm', SampleRate: String(SAMPLE_RATE) }),
      ),
      this.client.send(
        new SynthesizeSpeechCommand({ ...base, OutputFormat: 'json', SpeechMarkTypes: ['word'] }),
      ),
    ]);
    if (!audio.AudioStream || !marks.AudioStream) throw new Error('Polly returned no audio stream');
    const pcm = await audio.AudioStream.transformToByteArray();
    const samples = new Int16Array(pcm.buffer, pcm.byteOffset, Math.floor(pcm.byteLength / 2));
    const duration = samples.length / SAMPLE_RATE;
    const bytes = Buffer.from(text, 'utf8');
    const parsed = new TextDecoder()
      .decode(await marks.AudioStream.transformToByteArray())
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as { time: number; type: string; start: number; end: number; value: string })
      .filter((m) => m.type === 'word');
    const words = parsed.map((m, i) => ({
      text: m.value || bytes.subarray(m.start, m.end).toString('utf8'),
      start_seconds: m.time / 1000,
      end_seconds: Math.max(m.time / 1000 + 0.05, (parsed[i + 1]?.time ?? duration * 1000) / 1000 - 0.02),
    }));
    return {
      audio: wav16(new Int16Array(samples), SAMPLE_RATE),
      format: 'wav',
      duration_seconds: duration,
      words,
      usage: {
        model: 'polly-neural',
        provider: 'polly',
        units: audio.RequestCharacters ?? text.length,
        unit: 'characters',
      },
    };
  }
}
