import { BedrockRuntimeClient, ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { z } from 'zod';
import type { TextGenerationRequest, TextModel, Usage } from '../../ports/index.js';

const client = new BedrockRuntimeClient({});

/**
 * Bedrock Converse (Claude, Nova, DeepSeek) with structured output by forced tool use: the task's zod
 * schema is the one tool's input schema and `toolChoice` names it, which every Converse model with tool
 * use supports (native json_schema output only covers the newest models). The tool input is parsed with
 * the same zod schema.
 */
export class BedrockTextModel implements TextModel {
  readonly name = 'bedrock';

  constructor(
    private readonly modelFor: (task: string) => string,
    private readonly bedrock: BedrockRuntimeClient = client,
  ) {}

  async generate<S extends z.ZodType>(
    req: TextGenerationRequest<S>,
  ): Promise<{ value: z.infer<S>; usage: Usage }> {
    const modelId = this.modelFor(req.task);
    const toolName = req.task.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 64);
    const res = await this.bedrock.send(
      new ConverseCommand({
        modelId,
        system: [{ text: req.system }],
        messages: [{ role: 'user', content: [{ text: req.prompt }] }],
        inferenceConfig: { maxTokens: 4096, temperature: 0.7 },
        toolConfig: {
          tools: [
            {
              toolSpec: {
                name: toolName,
                description: `Return the ${req.task} as structured data.`,
                inputSchema: {
                  json: z.toJSONSchema(req.schema, { io: 'input', unrepresentable: 'any' }) as never,
                },
              },
            },
          ],
          toolChoice: { tool: { name: toolName } },
        },
      }),
    );
    const block = res.output?.message?.content?.find((c) => c.toolUse?.name === toolName);
    if (!block?.toolUse)
      throw new Error(`${modelId} did not call ${toolName} (stopReason ${res.stopReason})`);
    const value = req.schema.parse(block.toolUse.input) as z.infer<S>;
    return {
      value,
      usage: { model: modelId, provider: 'bedrock', units: res.usage?.totalTokens ?? 0, unit: 'tokens' },
    };
  }
}
