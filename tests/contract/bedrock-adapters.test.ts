import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BedrockTextModel } from '../../lambdas/shared/adapters/bedrock/bedrock-text-model.js';
import { TitanEmbedder } from '../../lambdas/shared/adapters/bedrock/titan-embedder.js';
import { FakeBedrock } from './fakes/bedrock-server.js';

const fake = new FakeBedrock();
let bedrock: BedrockRuntimeClient;

beforeAll(async () => {
  bedrock = new BedrockRuntimeClient({
    region: 'us-east-1',
    endpoint: await fake.start(),
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
    maxAttempts: 2,
  });
});
afterAll(() => fake.stop());

const Beat = z.object({ beat: z.string(), seconds: z.number().min(3).max(5) });
const claude = () => 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';

describe('the Bedrock Converse adapter', () => {
  it('forces the task tool with the JSON Schema of the zod contract and parses its input', async () => {
    fake.queueToolUse('script_beat', { beat: 'reveal', seconds: 4 });
    const { value, usage } = await new BedrockTextModel(claude, bedrock).generate({
      task: 'script_beat',
      schema: Beat,
      system: 'be brief',
      prompt: 'one beat',
      context: {},
    });
    expect(value).toEqual({ beat: 'reveal', seconds: 4 });
    expect(usage).toEqual({ model: claude(), provider: 'bedrock', units: 450, unit: 'tokens' });
    const call = fake.calls.at(-1);
    expect(call?.modelId).toBe(claude());
    expect(call?.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDTEST\//);
    expect(call?.body).toMatchObject({
      system: [{ text: 'be brief' }],
      messages: [{ role: 'user', content: [{ text: 'one beat' }] }],
      toolConfig: {
        toolChoice: { tool: { name: 'script_beat' } },
        tools: [
          {
            toolSpec: {
              name: 'script_beat',
              inputSchema: { json: { type: 'object', required: ['beat', 'seconds'] } },
            },
          },
        ],
      },
    });
  });

  it('rejects tool input that breaks the contract', async () => {
    fake.queueToolUse('script_beat', { beat: 'too long', seconds: 9 });
    await expect(
      new BedrockTextModel(claude, bedrock).generate({
        task: 'script_beat',
        schema: Beat,
        system: '',
        prompt: '',
        context: {},
      }),
    ).rejects.toThrow();
  });

  it('retries throttling and surfaces validation errors by name', async () => {
    fake.queueError(429, 'ThrottlingException', 'Too many requests');
    fake.queueToolUse('script_beat', { beat: 'ok', seconds: 3 });
    await expect(
      new BedrockTextModel(claude, bedrock).generate({
        task: 'script_beat',
        schema: Beat,
        system: '',
        prompt: '',
        context: {},
      }),
    ).resolves.toBeDefined();
    fake.queueError(400, 'ValidationException', 'The provided model identifier is invalid.');
    await expect(
      new BedrockTextModel(() => 'nope', bedrock).generate({
        task: 'script_beat',
        schema: Beat,
        system: '',
        prompt: '',
        context: {},
      }),
    ).rejects.toMatchObject({ name: 'ValidationException' });
  });
});

describe('the Titan embeddings adapter', () => {
  it('embeds one text per InvokeModel call and returns unit vectors', async () => {
    const before = fake.calls.length;
    const { vectors, usage } = await new TitanEmbedder(256, bedrock).embed(['slow mornings', 'craft']);
    expect(fake.calls.length - before).toBe(2);
    expect(fake.calls.at(-1)?.body).toEqual({ inputText: 'craft', dimensions: 256, normalize: true });
    expect(vectors.map((v) => v.length)).toEqual([256, 256]);
    expect(Math.sqrt((vectors[0] as Float32Array).reduce((t, x) => t + x * x, 0))).toBeCloseTo(1, 4);
    expect(usage).toMatchObject({ model: 'amazon.titan-embed-text-v2:0', provider: 'bedrock', units: 3 });
  });
});
