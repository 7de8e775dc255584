// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { publicationReview } from '../../test/fixtures';
import { HookReview } from './HookReview';

afterEach(cleanup);

const hooks = [
  {
    hook_id: '00000000-0000-4000-8000-00000000000a',
    text: 'Is your chain begging for help?',
    quality_score: 0.71,
  },
  {
    hook_id: '00000000-0000-4000-8000-00000000000b',
    text: 'Ride into spring without the squeak.',
    quality_score: 0.7,
  },
];
const review = {
  ...publicationReview,
  posts: undefined,
  approval: { ...publicationReview.approval, checkpoint: 'hook_review' as const, choices: hooks },
};

describe('the hook review', () => {
  it('writes the script with the hook the reviewer picks', () => {
    const decide = vi.fn(async () => undefined);
    render(<HookReview review={review} decide={decide} busy={false} pending />);

    fireEvent.click(screen.getByLabelText(/Ride into spring/));
    fireEvent.click(screen.getByRole('button', { name: 'Write the script with this hook' }));

    expect(decide).toHaveBeenCalledWith(
      expect.objectContaining({ decision: 'approve', chosen_hook_id: hooks[1]?.hook_id }),
    );
  });

  it('offers the best hook first', () => {
    render(<HookReview review={review} decide={vi.fn()} busy={false} pending />);
    expect((screen.getByLabelText(/chain begging/) as HTMLInputElement).checked).toBe(true);
  });
});
