import { PollyClient } from '@aws-sdk/client-polly';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PollyVoice } from '../../lambdas/shared/adapters/aws/polly-voice.js';
import { FakePolly } from './fakes/polly-server.js';

const fake = new FakePolly();
let client: PollyClient;

beforeAll(async () => {
  client = new PollyClient({
    region: 'us-east-1',
    endpoint: await fake.start(),
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
  });
});
afterAll(() => fake.stop());

describe('the Polly voice adapter', () => {
  it('returns WAV audio with word timings from the speech marks', async () => {
    const speech = await new PollyVoice(client).synthesize('Mornings, rewritten — café style.', {
      voice_tone: 'warm, intimate',
    });
    expect(Buffer.from(speech.audio.subarray(0, 4)).toString()).toBe('RIFF');
    expect(speech.format).toBe('wav');
    expect(speech.duration_seconds).toBeCloseTo(1.5, 3);
    expect(speech.words.map((w) => w.text)).toEqual(['Mornings,', 'rewritten', '—', 'café', 'style.']);
    expect(speech.words.map((w) => w.start_seconds)).toEqual([0, 0.3, 0.6, 0.9, 1.2]);
    expect(speech.words.every((w) => w.end_seconds > w.start_seconds)).toBe(true);
    expect(speech.usage).toEqual({ model: 'polly-neural', provider: 'polly', units: 33, unit: 'characters' });
  });

  it('asks for neural PCM at 16 kHz and word marks with the same voice', async () => {
    await new PollyVoice(client).synthesize('Stop scrolling.', { voice_tone: 'playful, upbeat' });
    const [marks, audio] = fake.calls
      .slice(-2)
      .sort((a, b) => String(a.OutputFormat).localeCompare(String(b.OutputFormat)));
    expect(marks).toMatchObject({
      OutputFormat: 'json',
      SpeechMarkTypes: ['word'],
      VoiceId: 'Matthew',
      Engine: 'neural',
    });
    expect(audio).toMatchObject({
      OutputFormat: 'pcm',
      SampleRate: '16000',
      VoiceId: 'Matthew',
      Engine: 'neural',
    });
  });

  it('surfaces Polly errors by name', async () => {
    await expect(
      new PollyVoice(client).synthesize('x'.repeat(3001), { voice_tone: 'calm' }),
    ).rejects.toMatchObject({ name: 'TextLengthExceededException' });
  });
});
