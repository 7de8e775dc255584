import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../cli/args.js';

const SCENE = '00000000-0000-4000-8000-00000000000a';

describe('bie approvals reject', () => {
  it('takes scenes with their feedback, everything after the first = being the feedback', () => {
    const cmd = parseCommand([
      'approvals',
      'reject',
      'ap-1',
      '--scene',
      `${SCENE}=warmer light = more steam`,
    ]);
    expect(cmd).toMatchObject({
      kind: 'approvals-decide',
      decision: 'reject',
      scenes: [{ scene_id: SCENE, feedback: 'warmer light = more steam' }],
    });
  });

  it('takes several scenes and an overall feedback', () => {
    const cmd = parseCommand([
      'approvals',
      'reject',
      'ap-1',
      '--feedback',
      'close',
      '--scene',
      `${SCENE}=one`,
      '--scene',
      'other=two',
    ]);
    expect(cmd).toMatchObject({
      feedback: 'close',
      scenes: [{ feedback: 'one' }, { scene_id: 'other', feedback: 'two' }],
    });
  });

  it('refuses a scene without feedback, scenes on an approval, and a rejection with neither', () => {
    expect(() => parseCommand(['approvals', 'reject', 'ap-1', '--scene', SCENE])).toThrow(
      /--scene needs SCENE_ID=FEEDBACK/,
    );
    expect(() => parseCommand(['approvals', 'reject', 'ap-1', '--scene', `${SCENE}=`])).toThrow(
      /SCENE_ID=FEEDBACK/,
    );
    expect(() => parseCommand(['approvals', 'approve', 'ap-1', '--scene', `${SCENE}=x`])).toThrow(
      /goes with bie approvals reject/,
    );
    expect(() => parseCommand(['approvals', 'reject', 'ap-1'])).toThrow(/--feedback TEXT or --scene/);
  });

  it('keeps a whole rejection as it was', () => {
    expect(parseCommand(['approvals', 'reject', 'ap-1', '--feedback', 'redo'])).not.toHaveProperty('scenes');
  });
});
