import { z } from 'zod';

/** A scene still failing the clip check after its reworks (production.asl.json VideoReady `quality_issues`). */
export const QualityIssue = z.object({
  scene_id: z.string(),
  sequence: z.number().int(),
  issues: z.array(z.string()),
});
export type QualityIssue = z.infer<typeof QualityIssue>;

/**
 * How a video checkpoint is asked when scenes failed the clip check: the reason comes first in the
 * summary (every scene and what is wrong with it), and the auto-approve policy does not apply — such a
 * video is never shipped without a human deciding. Without issues nothing changes.
 */
export function qualityReview(
  issues: readonly QualityIssue[],
  autoApprove: boolean,
): { summaryPrefix: string; autoApprove: boolean } {
  if (!issues.length) return { summaryPrefix: '', autoApprove };
  const lines = issues.map((i) => `- scene ${i.sequence} (${i.scene_id}): ${i.issues.join('; ')}`);
  return {
    summaryPrefix: `NEEDS HUMAN REVIEW: ${issues.length} scene(s) failed the clip check after two re-renders.\n${lines.join('\n')}\nApprove to ship as is, or reject those scenes (scenes: [{ scene_id, feedback }]).\n\n`,
    autoApprove: false,
  };
}
