import { constants } from 'node:os';
import { markStopping } from '../local/engine/lock.js';

/** Why the CLI was asked to stop: a signal, or the launcher (bin/bie.mjs) going away. */
export type StopReason = 'SIGINT' | 'SIGTERM' | 'SIGHUP' | 'launcher gone';

export const exitCodeFor = (reason: StopReason): number =>
  128 + (reason === 'launcher gone' ? constants.signals.SIGHUP : constants.signals[reason]);

/**
 * Turns SIGINT/SIGTERM/SIGHUP (and the launcher's IPC channel closing) into one stop request the
 * commands await, so they stop cleanly instead of dying mid-write. A terminal's Ctrl-C reaches both the
 * launcher and this process, and the launcher forwards it too: the same signal within a second counts
 * once. A later second signal means "now": the process exits at once, which is as safe as a kill
 * (journals, atomic files, the lock dies with the process), just not as tidy.
 */
export class Shutdown {
  readonly requested: Promise<StopReason>;
  reason: StopReason | undefined;
  /**
   * Whether a runtime is starting or running in this process: only then is a signal a clean-stop
   * request; a command that runs none (approvals, status through a running runtime) just exits.
   */
  holding = false;
  private resolve!: (reason: StopReason) => void;
  private firstAt = 0;
  private readonly listeners = new Map<string, () => void>();

  constructor(
    private readonly log: (line: string) => void,
    private readonly exit: (code: number) => never = (code) => process.exit(code),
  ) {
    this.requested = new Promise((r) => {
      this.resolve = r;
    });
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      const listener = () => this.request(signal);
      this.listeners.set(signal, listener);
      process.on(signal, listener);
    }
    if (process.channel) {
      // The channel must not keep the process alive; its closing is a stop request.
      process.channel.unref();
      process.once('disconnect', () => this.request('launcher gone'));
    }
  }

  request(reason: StopReason): void {
    const now = Date.now();
    if (!this.holding) this.exit(exitCodeFor(reason));
    if (this.reason === undefined) {
      this.reason = reason;
      this.firstAt = now;
      markStopping();
      this.log(
        `bie: stopping (${reason}): finishing the steps in flight; nothing is lost, the same command resumes. Signal again to stop at once.`,
      );
      this.resolve(reason);
      return;
    }
    if (reason === this.reason && now - this.firstAt < 1000) return;
    this.log(`bie: stopping at once (${reason})`);
    this.exit(exitCodeFor(reason));
  }

  dispose(): void {
    for (const [signal, listener] of this.listeners) process.off(signal, listener);
  }
}
