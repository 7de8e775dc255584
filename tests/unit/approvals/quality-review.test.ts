import { describe, expect, it } from 'vitest';
import { qualityReview } from '../../../lambdas/approvals/domain/quality-review.js';

describe('a video with scenes that failed the clip check', () => {
  it('waits for a human even under the auto-approve policy, with every scene and issue named first', () => {
    const out = qualityReview(
      [
        { scene_id: 'a1', sequence: 2, issues: ['black for 3.8 s of 4.0 s'] },
        {
          scene_id: 'b2',
          sequence: 4,
          issues: ['2.10 s long, the scene needs 4 s', 'frozen for 2.1 s of 2.1 s'],
        },
      ],
      true,
    );
    expect(out.autoApprove).toBe(false);
    expect(out.summaryPrefix).toMatch(/^NEEDS HUMAN REVIEW: 2 scene\(s\) failed the clip check/);
    expect(out.summaryPrefix).toContain('- scene 2 (a1): black for 3.8 s of 4.0 s');
    expect(out.summaryPrefix).toContain(
      '- scene 4 (b2): 2.10 s long, the scene needs 4 s; frozen for 2.1 s of 2.1 s',
    );
  });

  it('changes nothing when every clip passed', () => {
    expect(qualityReview([], true)).toEqual({ summaryPrefix: '', autoApprove: true });
    expect(qualityReview([], false)).toEqual({ summaryPrefix: '', autoApprove: false });
  });
});
