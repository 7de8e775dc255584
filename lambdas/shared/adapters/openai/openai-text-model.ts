import OpenAI from 'openai';
import { zodResponseFormat } from 'openai/helpers/zod';
import type { z } from 'zod';
import type { TextGenerationRequest, TextModel, Usage } from '../../ports/index.js';

export class ModelRefusalError extends Error {
  constructor(task: string, refusal: string) {
    super(`the model refused ${task}: ${refusal}`);
    this.name = 'ModelRefusalError';
  }
}

/**
 * OpenAI Chat Completions with structured outputs: the task's zod schema becomes a strict JSON Schema
 * response format, and the SDK parses the answer with the same schema. The client reads OPENAI_API_KEY
 * and OPENAI_BASE_URL from the environment like every SDK client here.
 */
export class OpenAiTextModel implements TextModel {
  readonly name = 'openai';
  private readonly client: OpenAI;

  constructor(
    private readonly modelFor: (task: string) => string,
    client?: OpenAI,
  ) {
    this.client = client ?? new OpenAI({ maxRetries: 2 });
  }

  async generate<S extends z.ZodType>(
    req: TextGenerationRequest<S>,
  ): Promise<{ value: z.infer<S>; usage: Usage }> {
    const model = this.modelFor(req.task);
    const completion = await this.client.chat.completions.parse({
      model,
      messages: [
        { role: 'system', content: req.system },
        { role: 'user', content: req.prompt },
      ],
      response_format: zodResponseFormat(req.schema as never, req.task),
      ...(req.seed !== undefined ? { seed: req.seed } : {}),
    });
    const message = completion.choices[0]?.message;
    if (message?.refusal) throw new ModelRefusalError(req.task, message.refusal);
    if (message?.parsed === undefined || message.parsed === null)
      throw new Error(`${model} returned no parsed ${req.task}`);
    // Parsed by the SDK with the schema already; parse again so refinements (superRefine) run too.
    const value = req.schema.parse(message.parsed) as z.infer<S>;
    return {
      value,
      usage: { model, provider: 'openai', units: completion.usage?.total_tokens ?? 0, unit: 'tokens' },
    };
  }
}
