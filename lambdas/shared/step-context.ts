import { AsyncLocalStorage } from 'node:async_hooks';
import { FUNCTIONS, type PillarFolder } from '../catalog.js';

/**
 * The state-machine step running in this async context (set by `stepHandler`), so a budget refusal
 * or a ledger row can name the step that paid without every caller passing it along.
 */
const current = new AsyncLocalStorage<string>();

export const inStep = <T>(name: string, fn: () => T): T => current.run(name, fn);

const PILLAR_TITLES: Record<PillarFolder, string> = {
  strategist: 'Strategist',
  copywriter: 'Copywriter',
  production: 'Production',
  'campaign-manager': 'CampaignManager',
  broadcaster: 'Broadcaster',
  approvals: 'Approvals',
  api: 'Api',
};

/** `Production/SubmitRender` for the catalog function `SubmitRender`; the bare name for anything else. */
export function stepLabel(name: string): string {
  const spec = FUNCTIONS.find((f) => f.id === name);
  return spec ? `${PILLAR_TITLES[spec.pillar]}/${name}` : name;
}

/** The label of the step running now, if any. */
export function currentStep(): string | undefined {
  const name = current.getStore();
  return name ? stepLabel(name) : undefined;
}
