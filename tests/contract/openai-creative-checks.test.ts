import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { checkScriptCompliance } from '../../lambdas/copywriter/domain/compliance.js';
import { finalizeScenes } from '../../lambdas/copywriter/domain/finalize.js';
import { OpenAiTextModel } from '../../lambdas/shared/adapters/openai/openai-text-model.js';
import { logger } from '../../lambdas/shared/commons.js';
import { SceneDraft } from '../../lambdas/shared/contracts/index.js';
import { brandContext, generateFromTemplate, PROMPTS } from '../../lambdas/shared/prompts/creative.js';
import { labelledBrands } from '../support/brand-fixtures.js';
import { FakeOpenAi } from './fakes/openai-server.js';

const fake = new FakeOpenAi();
let client: OpenAI;
beforeAll(async () => {
  client = new OpenAI({ apiKey: 'sk-test', baseURL: await fake.start(), maxRetries: 0, timeout: 5000 });
});
afterAll(() => fake.stop());

const bike = labelledBrands().find((b) => b.category === 'cycling');
if (!bike) throw new Error('cycling fixture');

describe('a real text model behind the versioned prompt templates', () => {
  it('is sent the brand context, logged with model, prompt version and a redacted answer, and judged like the offline engine', async () => {
    // Prepare: the model answers a scene in another brand's words, with a restricted term and a contact.
    const answer = {
      visual_prompt: 'A barista pouring espresso on an oak counter, steam rising, golden hour, 35mm lens.',
      voiceover_text: 'Slow brewed, because rushing is overrated. Mail owner@example.com for more.',
      on_screen_text: 'Slower mornings',
      camera_movement: 'dolly in',
      lighting: 'golden hour',
      style: 'cinematic',
      music_style: 'acoustic',
      sfx: ['pour'],
      voice_tone: 'warm',
    };
    fake.queueChat(answer);
    const info = vi.spyOn(logger, 'info').mockImplementation(() => undefined);
    const model = new OpenAiTextModel(() => 'gpt-4o', client);

    // Act
    const { value, prompt_version } = await generateFromTemplate(
      model,
      PROMPTS.scene,
      brandContext(bike.brand, bike.request),
      { sequence: 1, seconds: 4, purpose: 'hook', last: false },
      { schema: SceneDraft, context: {}, seed: 1 },
    );
    const calls = [...info.mock.calls];
    info.mockRestore();

    // Assess: the prompt carried the bible's rules.
    const sent = fake.requests.at(-1)?.body as { messages: { role: string; content: string }[] };
    const system = sent.messages.find((m) => m.role === 'system')?.content ?? '';
    expect(system).toContain('Spoke & Sprocket');
    expect(system).toContain('slow; dangerous');
    expect(system).toContain(bike.brand.claims_policy);
    expect(system).toContain('Write only about bicycle repair');
    // …the call was logged with model, version and a redacted answer.
    expect(calls).toContainEqual([
      'text model call',
      expect.objectContaining({
        task: 'scene',
        model: 'gpt-4o',
        provider: 'openai',
        prompt_version: 'scene@2',
      }),
    ]);
    const logged = (calls.at(-1)?.[1] ?? {}) as { response?: string };
    expect(logged.response).toContain('[email]');
    expect(logged.response).not.toContain('owner@example.com');
    expect(prompt_version).toBe('scene@2');
    // …and the same checks ran on its output: the sentence goes whole, the picture fails compliance.
    const scenes = finalizeScenes([{ scene_id: 's1', duration_seconds: 4, draft: value }], bike.brand, {
      product: 'Spring Tune-Up',
      callToAction: 'Book your tune-up this week',
    });
    expect(scenes[0]?.voiceover_text).toBe('Mail owner@example.com for more.');
    expect(scenes[0]?.on_screen_text).toBe('');
    const report = checkScriptCompliance(
      {
        hook: {
          text: 'Squeaky brakes?',
          hook_type: 'question',
          quality_score: 0.8,
          variations_generated: 50,
          selected_rationale: 'r',
        },
        scenes,
        voiceover_full_text: scenes.map((s) => s.voiceover_text).join(' '),
      },
      bike.brand,
      'Book your tune-up this week',
      bike.request,
    );
    expect(report.passed).toBe(false);
    expect(report.findings.filter((f) => f.startsWith('off_category:'))).not.toEqual([]);
  });
});
