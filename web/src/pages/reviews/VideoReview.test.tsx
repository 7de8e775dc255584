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

describe('the video review of a video with an unrendered scene', () => {
  const base = videoReview.video as NonNullable<typeof videoReview.video>;
  const reason = 'no model could render it: veo31_fast (fal): refused: flagged by a content checker';
  const withUnrendered = {
    ...videoReview,
    video: {
      ...base,
      scenes: base.scenes.map((s) =>
        s.sequence === 2
          ? {
              ...s,
              provider: 'slate',
              cost_usd: 0,
              unrendered: {
                reason,
                attempts: [
                  {
                    model: 'veo31_fast',
                    provider: 'fal',
                    status: 'failed' as const,
                    error_kind: 'refused' as const,
                  },
                ],
              },
            }
          : s,
      ),
    },
  };

  it('marks the unrendered scene with why and disables approve, saying what to do', () => {
    const decide = vi.fn(async () => undefined);
    render(<VideoReview review={withUnrendered} decide={decide} busy={false} pending />);

    expect(screen.getByTestId('unrendered-2').textContent).toContain(
      `Not rendered (a slate holds its seconds): ${reason}`,
    );
    expect(screen.queryByTestId('unrendered-1')).toBeNull();
    const approve = screen.getByRole('button', { name: 'Approve the video' }) as HTMLButtonElement;
    expect(approve.disabled).toBe(true);
    expect(approve.getAttribute('aria-describedby')).toBe('approve-blocked');
    expect(screen.getByText(/Scene 2 could not be rendered: regenerate it with feedback/)).toBeTruthy();
    fireEvent.click(approve);
    expect(decide).not.toHaveBeenCalled();
  });

  it('still sends that scene back with feedback', () => {
    const decide = vi.fn(async () => undefined);
    render(<VideoReview review={withUnrendered} decide={decide} busy={false} pending />);

    fireEvent.click(screen.getByLabelText('Regenerate scene 2'));
    fireEvent.change(screen.getByLabelText('What should change in scene 2?'), {
      target: { value: 'Show the bike at the counter, no logos' },
    });
    fireEvent.click(screen.getByRole('button', { name: /Regenerate 1 selected scene/ }));

    expect(decide).toHaveBeenCalledWith(
      expect.objectContaining({
        decision: 'reject',
        scenes: [{ scene_id: base.scenes[1]?.scene_id, feedback: 'Show the bike at the counter, no logos' }],
      }),
    );
  });

  it('leaves approve enabled when every scene was rendered', () => {
    render(<VideoReview review={videoReview} decide={vi.fn()} busy={false} pending />);
    expect((screen.getByRole('button', { name: 'Approve the video' }) as HTMLButtonElement).disabled).toBe(
      false,
    );
  });
});
