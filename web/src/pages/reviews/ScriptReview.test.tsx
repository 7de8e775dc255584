// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ReviewView } from '../../api/client';
import { publicationReview } from '../../test/fixtures';
import { ScriptReview } from './ScriptReview';

afterEach(cleanup);

const choices = [
  {
    hook_id: '00000000-0000-4000-8000-00000000000a',
    text: 'Is your chain begging for help?',
    quality_score: 0.81,
  },
  {
    hook_id: '00000000-0000-4000-8000-00000000000b',
    text: 'Ride into spring without the squeak.',
    quality_score: 0.8,
  },
];
const script = {
  script_id: '00000000-0000-4000-8000-0000000000c1',
  brief_id: '00000000-0000-4000-8000-0000000000c2',
  campaign_id: publicationReview.campaign.campaign_id,
  variant_id: '00000000-0000-4000-8000-0000000000c3',
  version: 1,
  hook: {
    text: choices[0]?.text ?? '',
    hook_type: 'question',
    quality_score: 0.81,
    variations_generated: 60,
    selected_rationale: 'best',
  },
  top_hooks: choices,
  scenes: [],
  voiceover_full_text: 'x',
  total_duration_seconds: 15,
  variant_tag: 'emotional',
  brand_compliance_score: 0.95,
  generated_at: '2026-11-29T10:00:00.000Z',
  approval_status: 'pending',
} as unknown as NonNullable<ReviewView['scripts']>[number];
const review: ReviewView = {
  ...publicationReview,
  posts: undefined,
  scripts: [script],
  approval: { ...publicationReview.approval, checkpoint: 'script', choices },
};

describe('the script review', () => {
  it('sends the script back to be rewritten around another of its top hooks', () => {
    const decide = vi.fn(async () => undefined);
    render(<ScriptReview review={review} decide={decide} busy={false} pending />);

    expect(screen.queryByRole('button', { name: 'Rewrite the script with this hook' })).toBeNull();
    fireEvent.click(screen.getByLabelText(/Ride into spring/));
    fireEvent.click(screen.getByRole('button', { name: 'Rewrite the script with this hook' }));

    expect(decide).toHaveBeenCalledWith(
      expect.objectContaining({ decision: 'reject', chosen_hook_id: choices[1]?.hook_id }),
    );
  });
});
