// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiProblem } from '../api/client';
import { card } from '../test/fixtures';
import { ErrorNotice } from './common';
import { PillarStatus } from './PillarStatus';

afterEach(cleanup);

describe('campaign status', () => {
  it('says each pillar’s state in words, in pipeline order', () => {
    render(<PillarStatus pillars={card.pillars} />);
    const items = screen.getAllByRole('listitem').map((li) => li.textContent);

    expect(items).toEqual([
      'Strategistdone',
      'Copywriterdone',
      'Productionneeds your review',
      'Campaign Managerwaiting',
      'Broadcasterwaiting',
    ]);
  });

  it('announces what the API refused, naming every field', () => {
    render(
      <ErrorNotice
        error={
          new ApiProblem(400, 'Invalid input', 'approval decision is invalid', [
            { pointer: '/feedback', detail: 'a rejection needs feedback' },
          ])
        }
      />,
    );

    expect(screen.getByRole('alert').textContent).toContain('/feedback a rejection needs feedback');
  });
});
