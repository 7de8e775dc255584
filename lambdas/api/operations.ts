import { RedriveExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import type { Campaign } from '../shared/contracts/index.js';
import { audit, campaigns } from '../shared/data/repositories.js';
import { doc, isConditionalFailure, tableName, UpdateCommand } from '../shared/data/table.js';
import { ConflictError, NotFoundError } from '../shared/errors.js';
import { nowIso } from '../shared/ids.js';
import { apiHandler, json, pathUuid } from './http.js';

/** The orchestrator's executions, as the redrive needs them (Step Functions' RedriveExecution). */
export interface ExecutionRedriver {
  /** Throws an error named ExecutionNotRedrivable or ExecutionDoesNotExist when it cannot. */
  redrive(executionArn: string): Promise<{ redriveDate?: Date }>;
}

/** Moves the campaign's status (and its status index) from `from` to `to`; false when it was not `from`. */
async function moveStatus(
  campaign: Campaign,
  from: Campaign['status'],
  to: Campaign['status'],
  failure?: Campaign['failure'],
): Promise<boolean> {
  try {
    await doc.send(
      new UpdateCommand({
        TableName: tableName(),
        Key: { pk: `CAMPAIGN#${campaign.campaign_id}`, sk: 'META' },
        UpdateExpression: failure
          ? 'SET #s = :to, #g = :g, #u = :u, #f = :f'
          : 'SET #s = :to, #g = :g, #u = :u REMOVE #f',
        ConditionExpression: '#s = :from',
        ExpressionAttributeNames: { '#s': 'status', '#g': 'gsi2pk', '#u': 'updated_at', '#f': 'failure' },
        ExpressionAttributeValues: {
          ':to': to,
          ':from': from,
          ':g': `STATUS#${to}`,
          ':u': nowIso(),
          ...(failure ? { ':f': failure } : {}),
        },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionalFailure(error)) return false;
    throw error;
  }
}

/**
 * Resumes a failed campaign from the step that failed, as Step Functions' RedriveExecution does: the
 * orchestrator execution keeps its ARN and input, its successful steps are not run (or charged) again.
 * The campaign is back in production before the redrive (so a step that fails again records its
 * failure over it), and put back as it was when the execution cannot be redriven.
 */
export async function redriveCampaign(
  campaignId: string,
  deps: { executions: ExecutionRedriver; actor: string },
): Promise<{ campaign_id: string; execution_arn: string; status: Campaign['status']; redrive_date: string }> {
  const campaign = await campaigns.get(campaignId);
  if (!campaign) throw new NotFoundError('campaign', campaignId);
  if (campaign.status !== 'failed')
    throw new ConflictError(
      `campaign ${campaignId} is ${campaign.status}; only a failed campaign can be redriven`,
    );
  if (!campaign.execution_arn)
    throw new ConflictError(`campaign ${campaignId} has no orchestrator execution to redrive`);
  if (!(await moveStatus(campaign, 'failed', 'in_production')))
    throw new ConflictError(`campaign ${campaignId} changed meanwhile; look at it again`);
  let redriveDate: Date | undefined;
  try {
    ({ redriveDate } = await deps.executions.redrive(campaign.execution_arn));
  } catch (error) {
    await moveStatus(campaign, 'in_production', 'failed', campaign.failure);
    const name = (error as { name?: string }).name;
    if (name === 'ExecutionNotRedrivable' || name === 'ExecutionDoesNotExist')
      throw new ConflictError(
        `campaign ${campaignId} cannot be redriven now: ${(error as Error).message || name}`,
      );
    throw error;
  }
  await audit.append(campaignId, 'campaign_redriven', deps.actor, {
    previous_state: { status: 'failed', failure: campaign.failure },
    new_state: { status: 'in_production', execution_arn: campaign.execution_arn },
  });
  return {
    campaign_id: campaignId,
    execution_arn: campaign.execution_arn,
    status: 'in_production',
    redrive_date: (redriveDate ?? new Date()).toISOString(),
  };
}

const sfn = new SFNClient({});
const stepFunctions: ExecutionRedriver = {
  redrive: (executionArn) => sfn.send(new RedriveExecutionCommand({ executionArn })),
};

/** Operator actions on campaigns (IAM routes). */
export const handler = apiHandler({
  'POST /campaigns/{id}/redrive': async (event) => {
    const id = pathUuid(event);
    const caller = (event.requestContext as { authorizer?: { iam?: { userArn?: string } } }).authorizer?.iam
      ?.userArn;
    return json(202, await redriveCampaign(id, { executions: stepFunctions, actor: caller ?? 'api' }));
  },
});
