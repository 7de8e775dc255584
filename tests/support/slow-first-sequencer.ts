import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Files that run whole campaigns start first. On two cores the suite's wall time is set by how its
 * longest files are packed: left for last (a clean clone has no timing cache, and vitest then orders
 * by file size), one of them runs alone at the end while the other worker idles.
 */
const SLOW_FIRST = [
  /\/tests\/deployed\/[^/]+\.e2e\.test\.ts$/,
  /\/tests\/e2e\/closed-loop\.test\.ts$/,
  /\/tests\/reliability\//,
  /\/tests\/e2e\//,
  /\/tests\/cli\/bie-resume\.test\.ts$/,
];

const rank = (spec: TestSpecification): number => {
  const i = SLOW_FIRST.findIndex((r) => r.test(spec.moduleId));
  return i < 0 ? SLOW_FIRST.length : i;
};

export default class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const base = await super.sort(files);
    return base
      .map((spec, order) => ({ spec, order }))
      .sort((a, b) => rank(a.spec) - rank(b.spec) || a.order - b.order)
      .map(({ spec }) => spec);
  }
}
