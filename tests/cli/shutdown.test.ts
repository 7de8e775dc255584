import { afterEach, describe, expect, it, vi } from 'vitest';
import { exitCodeFor, Shutdown } from '../../cli/shutdown.js';

class Exited extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}
const exit = (code: number): never => {
  throw new Exited(code);
};

describe('signals in the bie process', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('exit at once (128 + the signal) while no runtime runs', () => {
    // Prepare
    const shutdown = new Shutdown(() => undefined, exit);

    // Act
    const act = () => shutdown.request('SIGINT');

    // Assess
    expect(act).toThrow(new Exited(130));
    shutdown.dispose();
  });

  it('become one clean-stop request while a runtime runs; the echo of the same signal counts once', async () => {
    // Prepare
    vi.useFakeTimers();
    const lines: string[] = [];
    const shutdown = new Shutdown((l) => lines.push(l), exit);
    shutdown.holding = true;

    // Act: the terminal's Ctrl-C and the launcher's forwarded copy, then a second Ctrl-C later.
    shutdown.request('SIGINT');
    shutdown.request('SIGINT');
    const reason = await shutdown.requested;
    vi.advanceTimersByTime(1500);
    const second = () => shutdown.request('SIGINT');

    // Assess
    expect(reason).toBe('SIGINT');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('stopping (SIGINT)');
    expect(second).toThrow(new Exited(130));
    expect(exitCodeFor('SIGTERM')).toBe(143);
    expect(exitCodeFor('launcher gone')).toBe(129);
    shutdown.dispose();
  });
});
