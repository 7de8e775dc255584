import { describe, expect, it } from 'vitest';
import { HookSet, pinnedHookSet } from '../../../lambdas/copywriter/domain/hooks.js';

const choices = [
  {
    hook_id: '00000000-0000-4000-8000-000000000001',
    text: 'What if mornings felt calm again?',
    quality_score: 0.82,
  },
  { hook_id: '00000000-0000-4000-8000-000000000002', text: 'Slow mornings start here.', quality_score: 0.79 },
  { hook_id: '00000000-0000-4000-8000-000000000003', text: 'Your commute, but better.', quality_score: 0.77 },
];

describe('a hook the reviewer chose at the script review', () => {
  it('becomes the selection of the rewrite, the other choices after it, and passes the gate as a human choice', () => {
    const set = pinnedHookSet('set-2', choices[2] as (typeof choices)[number], choices);

    expect(HookSet.parse(set)).toEqual(set);
    expect(set.selected).toMatchObject({ hook_id: choices[2]?.hook_id, text: 'Your commute, but better.' });
    expect(set.top.map((h) => h.hook_id)).toEqual(
      [choices[2], choices[0], choices[1]].map((h) => h?.hook_id),
    );
    expect(set.gate).toMatchObject({ passed: true, rounds: 0 });
  });

  it('keeps a question a question', () => {
    expect(pinnedHookSet('s', choices[0] as (typeof choices)[number], choices).selected.hook_type).toBe(
      'question',
    );
  });
});
