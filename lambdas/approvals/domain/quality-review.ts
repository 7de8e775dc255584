import { z } from 'zod';

/** A scene still failing the clip check after its reworks (production.asl.json VideoReady `quality_issues`). */
export const QualityIssue = z.object({
  scene_id: z.string(),
  sequence: z.number().int(),
  issues: z.array(z.string()),
  /** No model could render the scene: the master holds a slate, and the video cannot be approved as is. */
  unrendered: z.boolean().optional(),
});
export type QualityIssue = z.infer<typeof QualityIssue>;

/**
 * How a video checkpoint is asked when scenes failed the clip check: the reason comes first in the
 * summary (every scene and what is wrong with it), and the auto-approve policy does not apply — such a
 * video is never shipped without a human deciding. A scene no model could render cannot be shipped at
 * all: the reviewer is told to send it back with feedback. Without issues nothing changes.
 */
export function qualityReview(
  issues: readonly QualityIssue[],
  autoApprove: boolean,
): { summaryPrefix: string; autoApprove: boolean } {
  if (!issues.length) return { summaryPrefix: '', autoApprove };
  const line = (i: QualityIssue) => `- scene ${i.sequence} (${i.scene_id}): ${i.issues.join('; ')}`;
  const unrendered = issues.filter((i) => i.unrendered);
  const failing = issues.filter((i) => !i.unrendered);
  const blocks: string[] = [];
  if (unrendered.length)
    blocks.push(
      `NEEDS HUMAN REVIEW: ${unrendered.length} scene(s) could not be rendered by any model after two re-renders; a slate holds their seconds in the master.\n${unrendered.map(line).join('\n')}\nThis video cannot be approved as is: reject those scenes with feedback (scenes: [{ scene_id, feedback }]) and only they render again.`,
    );
  if (failing.length)
    blocks.push(
      `NEEDS HUMAN REVIEW: ${failing.length} scene(s) failed the clip check after two re-renders.\n${failing.map(line).join('\n')}\n${unrendered.length ? 'Reject' : 'Approve to ship as is, or reject'} those scenes (scenes: [{ scene_id, feedback }]).`,
    );
  return { summaryPrefix: `${blocks.join('\n')}\n\n`, autoApprove: false };
}
