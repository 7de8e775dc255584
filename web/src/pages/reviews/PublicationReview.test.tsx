// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { publicationReview } from '../../test/fixtures';
import { PublicationReview } from './PublicationReview';

afterEach(cleanup);

describe('the publication review', () => {
  it('refuses a caption with a restricted term as the reviewer types, and blocks publishing', () => {
    const decide = vi.fn(async () => undefined);
    render(<PublicationReview review={publicationReview} decide={decide} busy={false} pending />);

    fireEvent.change(screen.getByLabelText('Caption'), { target: { value: 'Cheap tune-ups, guaranteed!' } });

    expect(screen.getAllByText(/restricted term "cheap"/).length).toBeGreaterThan(0);
    expect(screen.getByText(/restricted term "guaranteed"/)).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Publish' }) as HTMLButtonElement).disabled).toBe(true);
    expect(decide).not.toHaveBeenCalled();
  });

  it('publishes with the edited caption and hashtags of each changed platform', () => {
    const decide = vi.fn(async () => undefined);
    render(<PublicationReview review={publicationReview} decide={decide} busy={false} pending />);

    fireEvent.change(screen.getByLabelText('Caption'), {
      target: { value: 'Tune-up season is here. Book now!' },
    });
    fireEvent.change(screen.getByLabelText(/Hashtags/), { target: { value: 'bikerepair #tuneup' } });
    fireEvent.click(screen.getByRole('button', { name: 'Publish' }));

    expect(decide).toHaveBeenCalledWith(
      expect.objectContaining({
        decision: 'approve',
        edits: {
          tiktok: { caption: 'Tune-up season is here. Book now!', hashtags: ['#bikerepair', '#tuneup'] },
        },
      }),
    );
  });

  it('shows each rendition in its aspect with the safe zone of the platform', () => {
    const { container } = render(
      <PublicationReview review={publicationReview} decide={vi.fn()} busy={false} pending />,
    );
    const figure = container.querySelector('figure.preview') as HTMLElement;
    const zone = container.querySelector('.safe-zone') as HTMLElement;

    expect(figure.style.aspectRatio).toBe('1080 / 1920');
    expect(zone.style.top).toBe('10.42%');
    expect(zone.style.right).toBe('15.74%');
  });
});
