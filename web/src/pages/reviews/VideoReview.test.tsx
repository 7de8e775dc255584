// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { videoReview } from '../../test/fixtures';
import { VideoReview } from './VideoReview';

afterEach(cleanup);

describe('the video review', () => {
  it('asks for feedback before it regenerates a chosen scene', () => {
    const decide = vi.fn(async () => undefined);
    render(<VideoReview review={videoReview} decide={decide} busy={false} pending />);

    fireEvent.click(screen.getByLabelText('Regenerate scene 2'));
    fireEvent.click(screen.getByRole('button', { name: /Regenerate 1 selected scene/ }));

    expect(screen.getByText('Feedback is needed for this scene.')).toBeTruthy();
    expect(decide).not.toHaveBeenCalled();
  });

  it('sends back only the chosen scenes, each with its feedback', () => {
    const decide = vi.fn(async () => undefined);
    render(<VideoReview review={videoReview} decide={decide} busy={false} pending />);

    fireEvent.click(screen.getByLabelText('Regenerate scene 2'));
    fireEvent.change(screen.getByLabelText('What should change in scene 2?'), {
      target: { value: 'Show the rider outdoors' },
    });
    fireEvent.click(screen.getByRole('button', { name: /Regenerate 1 selected scene/ }));

    expect(decide).toHaveBeenCalledWith(
      expect.objectContaining({
        decision: 'reject',
        scenes: [{ scene_id: videoReview.video?.scenes[1]?.scene_id, feedback: 'Show the rider outdoors' }],
      }),
    );
  });

  it('marks every scene on the timeline with its model, cost and cache use', () => {
    render(<VideoReview review={videoReview} decide={vi.fn()} busy={false} pending={false} />);

    expect(screen.getByRole('button', { name: 'Scene 1 · 0:00–0:04' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Scene 2 · 0:04–0:08' })).toBeTruthy();
    expect(screen.getByText(/from the scene cache/)).toBeTruthy();
    expect(screen.queryByLabelText('Regenerate scene 1')).toBeNull();
  });
});
