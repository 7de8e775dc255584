import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { OpenAiEmbedder } from '../../lambdas/shared/adapters/openai/openai-embedder.js';
import { OpenAiTextModel } from '../../lambdas/shared/adapters/openai/openai-text-model.js';
import { BriefDraft, HookDrafts, OutlineDraft, SceneDraft } from '../../lambdas/shared/contracts/index.js';
import { FakeOpenAi } from './fakes/openai-server.js';

const fake = new FakeOpenAi();
let client: OpenAI;

beforeAll(async () => {
  client = new OpenAI({ apiKey: 'sk-test', baseURL: await fake.start(), maxRetries: 2, timeout: 5000 });
});
afterAll(() => fake.stop());

const Answer = z.object({ headline: z.string(), score: z.number().min(0).max(1) });

describe('the OpenAI text model adapter', () => {
  it('asks for a strict json_schema response and returns the parsed value with token usage', async () => {
    fake.queueChat({ headline: 'Mornings, rewritten', score: 0.9 });
    const model = new OpenAiTextModel(() => 'gpt-4o', client);
    const { value, usage } = await model.generate({
      task: 'headline',
      schema: Answer,
      system: 'sys',
      prompt: 'write',
      context: {},
      seed: 7,
    });
    expect(value).toEqual({ headline: 'Mornings, rewritten', score: 0.9 });
    expect(usage).toEqual({ model: 'gpt-4o', provider: 'openai', units: 200, unit: 'tokens' });
    const sent = fake.requests.at(-1)?.body as {
      model: string;
      seed: number;
      messages: { role: string }[];
      response_format: {
        type: string;
        json_schema: {
          name: string;
          strict: boolean;
          schema: { required: string[]; additionalProperties: boolean };
        };
      };
    };
    expect(sent.model).toBe('gpt-4o');
    expect(sent.seed).toBe(7);
    expect(sent.messages.map((m) => m.role)).toEqual(['system', 'user']);
    expect(sent.response_format.type).toBe('json_schema');
    expect(sent.response_format.json_schema).toMatchObject({ name: 'headline', strict: true });
    expect(sent.response_format.json_schema.schema.required.sort()).toEqual(['headline', 'score']);
    expect(sent.response_format.json_schema.schema.additionalProperties).toBe(false);
  });

  it('rejects an answer that breaks the schema', async () => {
    fake.queueChat({ headline: 'x', score: 7 });
    await expect(
      new OpenAiTextModel(() => 'gpt-4o', client).generate({
        task: 'headline',
        schema: Answer,
        system: '',
        prompt: '',
        context: {},
      }),
    ).rejects.toThrow();
  });

  it('surfaces a refusal as a named error', async () => {
    fake.queueChat(null, { refusal: 'I cannot help with that' });
    await expect(
      new OpenAiTextModel(() => 'gpt-4o', client).generate({
        task: 'headline',
        schema: Answer,
        system: '',
        prompt: '',
        context: {},
      }),
    ).rejects.toMatchObject({ name: 'ModelRefusalError' });
  });

  it('retries a rate-limited call', async () => {
    const before = fake.requests.length;
    fake.queueChat(null, { status: 429, error: 'Rate limit reached' });
    fake.queueChat({ headline: 'again', score: 0.5 });
    const { value } = await new OpenAiTextModel(() => 'gpt-4o', client).generate({
      task: 'headline',
      schema: Answer,
      system: '',
      prompt: '',
      context: {},
    });
    expect(value.headline).toBe('again');
    expect(fake.requests.length - before).toBe(2);
  });

  it('accepts every creative draft schema as a strict response format', async () => {
    const { zodResponseFormat } = await import('openai/helpers/zod');
    for (const [name, schema] of Object.entries({ BriefDraft, HookDrafts, OutlineDraft, SceneDraft })) {
      expect(() => zodResponseFormat(schema as never, name), name).not.toThrow();
    }
  });
});

describe('the OpenAI embedder adapter', () => {
  it('decodes base64 float32 embeddings in input order', async () => {
    const e = new OpenAiEmbedder('text-embedding-3-small', 8, client);
    const { vectors, usage } = await e.embed(['a', 'longer text']);
    expect(vectors).toHaveLength(2);
    expect(vectors[0]?.length).toBe(8);
    expect(vectors[1]?.[0]).toBeCloseTo(Math.sin(12), 5);
    expect(usage).toMatchObject({ provider: 'openai', units: 10 });
    expect(fake.requests.at(-1)?.body).toMatchObject({
      model: 'text-embedding-3-small',
      dimensions: 8,
      input: ['a', 'longer text'],
    });
  });

  it('fails clearly on a bad key', async () => {
    const bad = new OpenAI({ apiKey: 'sk-wrong', baseURL: fake.url, maxRetries: 0 });
    await expect(new OpenAiEmbedder('text-embedding-3-small', 8, bad).embed(['x'])).rejects.toMatchObject({
      status: 401,
    });
  });
});
