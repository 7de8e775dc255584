import { z } from 'zod';
import { logger } from '../shared/commons.js';
import { SceneDraft, Script, VariantType } from '../shared/contracts/index.js';
import { scripts, variants, workDocs } from '../shared/data/repositories.js';
import { RestrictedTermError } from '../shared/errors.js';
import { stepHandler } from '../shared/handler.js';
import { nowIso, stableUuid } from '../shared/ids.js';
import { recordMetric } from '../shared/metrics.js';
import { parseOrThrow } from '../shared/validation.js';
import { loadCreativeContext } from './context.js';
import { checkScriptCompliance } from './domain/compliance.js';
import { finalizeScenes, type SceneRewrite } from './domain/finalize.js';
import { HookSet, HooksState, resolveHook } from './domain/hooks.js';
import { applySharedShots, SharedShot } from './domain/shared-shots.js';
import { Outline } from './outline-script.js';

const Input = z.object({
  campaign_id: z.uuid(),
  brief_id: z.uuid(),
  variant_id: z.uuid(),
  variant_type: VariantType,
  feedback: z.string().default(''),
  hook_set_id: z.string(),
  hooks: HooksState,
  outline_id: z.string(),
  scenes: z.array(z.object({ scene_id: z.string(), sequence: z.number().int() })).min(1),
  execution: z.string(),
});

const StoredScene = z.object({
  scene_id: z.string(),
  sequence: z.number().int(),
  duration_seconds: z.number(),
  draft: SceneDraft,
});

/**
 * Assembles the script (sentences with restricted terms rewritten whole, the hook the reviewer chose
 * when the hook gate sent the set to review), then runs the hard compliance check: a restricted term in
 * any form anywhere fails the step (no reviewer can approve it). The script is saved as a new version.
 */
export const handler = stepHandler('FinalizeScript', Input, async (input) => {
  const ctx = await loadCreativeContext(input.campaign_id, input.brief_id);
  const hookSet = await workDocs.get(input.campaign_id, 'hookset', input.hook_set_id, HookSet);
  const stored = await Promise.all(
    [...input.scenes]
      .sort((a, b) => a.sequence - b.sequence)
      .map((s) => workDocs.get(input.campaign_id, 'scene', s.scene_id, StoredScene)),
  );
  const hook = resolveHook(hookSet, input.hooks.review?.chosen_hook_id);
  const request = ctx.campaign.request;
  const rewrites: SceneRewrite[] = [];
  const written = finalizeScenes(
    stored,
    ctx.brand,
    {
      product: request.product_name ?? request.product_category,
      callToAction: ctx.brief.core_message.call_to_action,
    },
    (r) => rewrites.push(r),
  );
  if (rewrites.length) logger.info('restricted terms rewritten out of the script', { rewrites });
  // Establishing and product shots are the campaign's, shared by its variants (rendered once); a
  // revision with reviewer feedback keeps its own pictures, as the feedback may be about them.
  const outline = await workDocs.get(input.campaign_id, 'outline', input.outline_id, Outline);
  const purposes = new Map(outline.beats.map((b) => [b.sequence, b.purpose]));
  const { scenes } = await applySharedShots(
    written.map((scene, i) => ({ scene, purpose: purposes.get(stored[i]?.sequence ?? 0) ?? '' })),
    input.variant_id,
    (shot) =>
      input.feedback
        ? Promise.resolve(shot)
        : workDocs.putFirst(
            input.campaign_id,
            'shared_shot',
            `${input.brief_id}:${shot.slot}`,
            shot,
            SharedShot,
          ),
  );
  const scriptId = stableUuid('script', input.campaign_id, input.variant_id);
  const existing = await scripts.versions(input.campaign_id, scriptId);
  const sameRun = existing.find(
    (s) =>
      s.feedback_applied === (input.feedback || undefined) && s.scenes[0]?.scene_id === scenes[0]?.scene_id,
  );
  const version = sameRun?.version ?? existing.length + 1;
  const draft = {
    script_id: scriptId,
    brief_id: input.brief_id,
    campaign_id: input.campaign_id,
    variant_id: input.variant_id,
    version,
    hook: {
      text: hook.text,
      hook_type: hook.hook_type,
      quality_score: hook.quality_score,
      variations_generated: hookSet.count,
      selected_rationale: hookSet.rationale,
    },
    top_hooks: hookSet.top,
    scenes,
    voiceover_full_text: scenes.map((s) => s.voiceover_text).join(' '),
    total_duration_seconds: scenes.reduce((t, s) => t + s.duration_seconds, 0),
    variant_tag: input.variant_type,
    brand_compliance_score: 0,
    feedback_applied: input.feedback || undefined,
    generated_at: sameRun?.generated_at ?? nowIso(),
    approval_status: 'pending' as const,
  };
  const report = checkScriptCompliance(draft, ctx.brand, ctx.brief.core_message.call_to_action, request);
  if (report.violations.length) {
    throw new RestrictedTermError(
      [...new Set(report.violations.map((v) => v.term))],
      report.violations.map((v) => `${v.field_path} ("${v.form}", ${v.rule}, at ${v.index})`).join(', '),
    );
  }
  const script = parseOrThrow(
    Script,
    {
      ...draft,
      brand_compliance_score: report.score,
      compliance_breakdown: report.breakdown,
      compliance_findings: [
        ...rewrites.map(
          (r) =>
            `rewritten: ${r.field_path}: ${r.hits.join('; ')}: removed ${r.removed.map((x) => `"${x}"`).join(' ')}`,
        ),
        ...report.findings,
      ],
    },
    'script',
  );
  await scripts.putVersion(script);
  const variant = await variants.get(input.campaign_id, input.variant_id);
  await variants.put({ ...variant, script_id: scriptId, updated_at: nowIso() });
  recordMetric('BrandComplianceScore', report.score);
  return { script_id: scriptId, version, compliance_score: report.score };
});
