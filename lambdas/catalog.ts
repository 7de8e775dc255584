/**
 * The one list of functions, state machines and API routes. The CDK app builds a NodejsFunction per
 * entry and substitutes the same `${Placeholder}` names into the ASL files that the embedded runtime
 * maps to in-process handlers — so both runtimes are driven by this file and cannot drift apart.
 * Plain data only: importing it must not import any handler.
 */

export type PillarFolder =
  | 'strategist'
  | 'copywriter'
  | 'production'
  | 'campaign-manager'
  | 'broadcaster'
  | 'approvals'
  | 'api';

export interface FunctionSpec {
  /** Logical id; the ASL placeholder is `${id}FunctionArn`. */
  id: string;
  /** Handler file relative to the repository root; it exports `handler`. */
  entry: string;
  pillar: PillarFolder;
  description: string;
  timeoutSeconds: number;
  memoryMb: number;
  /** Needs ffmpeg/ffprobe (the layer from layers/ffmpeg) — runs on x86_64 because the binaries are. */
  ffmpeg?: boolean;
  /** Calls SendTaskSuccess/Failure/Heartbeat on the state machines. */
  sendsTaskResults?: boolean;
  /** Starts executions of the campaign state machine. */
  startsExecutions?: boolean;
  /** Redrives (RedriveExecution) failed executions of the campaign state machine. */
  redrivesExecutions?: boolean;
  /** Scheduled (EventBridge rule) instead of invoked by a state machine or the API. */
  schedule?: string;
  /**
   * npm packages the function loads from disk at run time (WASM data, font files): left out of the
   * bundle and copied next to it. Only the functions that use one carry it (espeak's data is 24 MB).
   */
  packages?: readonly RuntimePackage[];
  /** Invoked asynchronously (Lambda `Event`) by this catalog function instead of a state machine or the API. */
  invokedBy?: string;
}

export const RUNTIME_PACKAGES = {
  /** espeak-ng compiled to WASM: the offline voice. */
  espeak: '@echogarden/espeak-ng-emscripten',
  /** DejaVu fonts: on-screen text, burned captions, thumbnails. */
  fonts: 'dejavu-fonts-ttf',
} as const;
/**
 * The files of a runtime package a function needs, when not all of it: the media code draws with DejaVu
 * Sans (regular and bold) only, not the package's 9.8 MB of other faces.
 */
export const RUNTIME_PACKAGE_FILES: Partial<Record<RuntimePackage, readonly string[]>> = {
  fonts: ['package.json', 'LICENSE', 'ttf/DejaVuSans.ttf', 'ttf/DejaVuSans-Bold.ttf'],
};
export type RuntimePackage = keyof typeof RUNTIME_PACKAGES;

const fn = (
  pillar: PillarFolder,
  id: string,
  file: string,
  description: string,
  extra: Partial<FunctionSpec> = {},
): FunctionSpec => ({
  id,
  entry: `lambdas/${pillar}/${file}.ts`,
  pillar,
  description,
  timeoutSeconds: 60,
  memoryMb: 512,
  ...extra,
});

const media = { ffmpeg: true, timeoutSeconds: 900, memoryMb: 3008 } as const;

export const FUNCTIONS: readonly FunctionSpec[] = [
  // Campaign manager (also hosts the orchestrator's own steps)
  fn(
    'campaign-manager',
    'PrepareCampaign',
    'prepare-campaign',
    'Marks a campaign in production and creates its variants',
  ),
  fn(
    'campaign-manager',
    'RecordFailure',
    'record-failure',
    'Records a failed step on the campaign and its audit log',
  ),
  fn(
    'campaign-manager',
    'RegisterVariantAssets',
    'register-variant-assets',
    'Registers brief, script and video assets and the ledger entry of a variant',
  ),
  fn(
    'campaign-manager',
    'SettleLedger',
    'settle-ledger',
    'Totals the ledger per pillar and raises budget alerts',
  ),
  fn(
    'campaign-manager',
    'PackageCampaign',
    'package-campaign',
    'Builds the campaign_package of each variant',
  ),
  fn(
    'campaign-manager',
    'CompleteCampaign',
    'complete-campaign',
    'Marks the campaign published and emits the completion event',
  ),
  fn(
    'campaign-manager',
    'RequestBudgetRaise',
    'request-budget-raise',
    'Budget checkpoint: pauses a step the budget cannot cover until an operator raises it or cancels',
    { sendsTaskResults: true },
  ),
  fn(
    'approvals',
    'RequestApproval',
    'request-approval',
    'Stores an approval with its task token and mails signed links',
    {
      sendsTaskResults: true,
    },
  ),
  // Strategist
  fn(
    'strategist',
    'LoadBrandContext',
    'load-brand-context',
    'Retrieves the top-5 brand guideline chunks for the campaign (cached)',
  ),
  fn('strategist', 'GatherTrends', 'gather-trends', 'Ranks stored trends for the campaign'),
  fn('strategist', 'SynthesizeBrief', 'synthesize-brief', 'Writes the creative brief', {
    timeoutSeconds: 300,
  }),
  fn('strategist', 'ScoreAlignment', 'score-alignment', 'Scores brand alignment of the brief'),
  fn(
    'strategist',
    'ScrapeTrends',
    'scrape-trends',
    "Fetches every brand's trend feeds into the trend store",
    {
      schedule: 'rate(1 hour)',
      timeoutSeconds: 120,
    },
  ),
  // Copywriter
  fn(
    'copywriter',
    'GenerateHooks',
    'generate-hooks',
    'Generates, scores and ranks at least 50 hook variations',
    { timeoutSeconds: 600 },
  ),
  fn('copywriter', 'OutlineScript', 'outline-script', 'Breaks the script into 3–5 s scene beats', {
    timeoutSeconds: 300,
  }),
  fn('copywriter', 'WriteScene', 'write-scene', 'Writes one scene: visual prompt, voiceover and cues', {
    timeoutSeconds: 300,
  }),
  fn(
    'copywriter',
    'FinalizeScript',
    'finalize-script',
    'Assembles the script, checks compliance and saves a version',
    { timeoutSeconds: 120 },
  ),
  // Production house
  fn(
    'production',
    'PlanRenders',
    'plan-renders',
    'Routes each scene to a video model and looks up the scene cache',
  ),
  fn(
    'production',
    'SubmitRender',
    'submit-render',
    'Submits a scene render and parks its task token on the job',
    {
      sendsTaskResults: true,
      timeoutSeconds: 120,
    },
  ),
  fn(
    'production',
    'PollRenders',
    'poll-renders',
    'Polls providers without webhooks and sends the task tokens',
    {
      sendsTaskResults: true,
      schedule: 'rate(1 minute)',
    },
  ),
  fn(
    'production',
    'RenderOfflineScene',
    'render-offline-scene',
    'Offline stand-in video model: renders one scene into S3 and calls the render webhook',
    // A 5 s 1080x1920 scene takes about 5 s of ffmpeg on two vCPUs (3008 MB); the rest of the
    // timeout covers the webhook's retries (about 90 s).
    { ...media, timeoutSeconds: 300, packages: ['fonts'], invokedBy: 'SubmitRender' },
  ),
  fn('production', 'SynthesizeVoiceover', 'synthesize-voiceover', 'Voices the script scene by scene', {
    ...media,
    timeoutSeconds: 300,
    packages: ['espeak'],
  }),
  fn('production', 'ComposeMusic', 'compose-music', 'Generates the music bed and the delivered mix', {
    ...media,
    timeoutSeconds: 300,
  }),
  fn('production', 'AssembleMaster', 'assemble-master', 'Concatenates clips, mixes audio, burns captions', {
    ...media,
    packages: ['fonts'],
  }),
  fn('production', 'CheckQuality', 'check-quality', 'ffprobe quality gate on the master', {
    ...media,
    timeoutSeconds: 120,
  }),
  // Broadcaster
  fn(
    'broadcaster',
    'PlanDistribution',
    'plan-distribution',
    'Plans platforms, captions and hashtags of a variant',
  ),
  fn(
    'broadcaster',
    'FormatRendition',
    'format-rendition',
    'Renders every platform rendition of a variant from one decode, with captions and thumbnails',
    // Three 1080p encodes at once (one per distinct frame): 5120 MB buys ~3 vCPUs, one per encoder.
    { ...media, memoryMb: 5120, packages: ['fonts'] },
  ),
  fn('broadcaster', 'PublishPost', 'publish-post', 'Publishes or schedules one platform post', {
    timeoutSeconds: 300,
  }),
  fn(
    'broadcaster',
    'AssemblePublication',
    'assemble-publication',
    'Writes the publication_package of a variant',
  ),
  fn(
    'broadcaster',
    'CollectEngagement',
    'collect-engagement',
    'Collects engagement of published posts (hourly for 48 h, then daily for 30 days) and updates brand priors',
    { schedule: 'rate(1 hour)', timeoutSeconds: 300 },
  ),
  // API
  fn('api', 'CampaignsApi', 'campaigns', 'POST/GET /campaigns', { startsExecutions: true }),
  fn('api', 'OperationsApi', 'operations', 'POST /campaigns/{id}/redrive: a failed campaign resumes', {
    redrivesExecutions: true,
  }),
  fn('api', 'BrandsApi', 'brands', 'Brand bibles and trend sources', { timeoutSeconds: 120 }),
  fn(
    'api',
    'ApprovalsApi',
    'approvals',
    'GET/POST /approvals/{id} (signed links), /operator/approvals (IAM)',
    {
      sendsTaskResults: true,
    },
  ),
  fn('api', 'WebhooksApi', 'webhooks', 'POST /webhooks/{provider}: provider render callbacks', {
    sendsTaskResults: true,
  }),
  fn('api', 'PerformanceApi', 'performance', 'GET /campaigns/{id}/performance|ab-report (IAM)'),
  fn(
    'api',
    'SchedulesApi',
    'post-schedules',
    'DELETE|PATCH /campaigns/{id}/posts/{post_id}/schedule: cancel or move a scheduled post (IAM)',
  ),
  fn(
    'api',
    'BudgetsApi',
    'budgets',
    'POST /operator/campaigns/{id}/budget|cancel: raise a budget or cancel (IAM)',
    {
      sendsTaskResults: true,
    },
  ),
];

export interface StateMachineSpec {
  /** Logical id; the ASL placeholder is `${id}StateMachineArn`. */
  id: 'Campaign' | 'Strategist' | 'Copywriter' | 'Production' | 'CampaignManager' | 'Broadcaster';
  file: string;
  /** Whether the orchestrator starts it as a nested `.sync:2` execution. */
  nested: boolean;
}

export const STATE_MACHINES: readonly StateMachineSpec[] = [
  { id: 'Campaign', file: 'state-machines/campaign.asl.json', nested: false },
  { id: 'Strategist', file: 'state-machines/strategist.asl.json', nested: true },
  { id: 'Copywriter', file: 'state-machines/copywriter.asl.json', nested: true },
  { id: 'Production', file: 'state-machines/production.asl.json', nested: true },
  { id: 'CampaignManager', file: 'state-machines/campaign-manager.asl.json', nested: true },
  { id: 'Broadcaster', file: 'state-machines/broadcaster.asl.json', nested: true },
];

/**
 * Who may call a route. `iam`: AWS credentials (SigV4), checked by API Gateway — operators, the CLI,
 * scripts. `link`: anyone holding a signed, expiring link from an approval mail, checked by the handler.
 * `webhook`: a render provider, whose Standard Webhooks signature the handler checks. `user`: a person
 * signed in to the review dashboard (a Cognito JWT, checked by API Gateway's JWT authorizer). A route is
 * `iam` unless it says otherwise.
 */
export type RouteAuth = 'iam' | 'link' | 'webhook' | 'user';

export interface RouteSpec {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  functionId: string;
  /** Default `iam`. */
  auth?: RouteAuth;
}

export const routeAuth = (r: RouteSpec): RouteAuth => r.auth ?? 'iam';

export const ROUTES: readonly RouteSpec[] = [
  { method: 'POST', path: '/campaigns', functionId: 'CampaignsApi' },
  { method: 'GET', path: '/campaigns', functionId: 'CampaignsApi' },
  { method: 'GET', path: '/campaigns/{id}', functionId: 'CampaignsApi' },
  { method: 'POST', path: '/campaigns/{id}/redrive', functionId: 'OperationsApi', auth: 'iam' },
  { method: 'POST', path: '/brands', functionId: 'BrandsApi' },
  { method: 'PUT', path: '/brands/{id}/guidelines', functionId: 'BrandsApi' },
  { method: 'PUT', path: '/brands/{id}/trend-sources', functionId: 'BrandsApi' },
  { method: 'GET', path: '/brands/{id}/trend-sources', functionId: 'BrandsApi' },
  { method: 'GET', path: '/approvals/{id}', functionId: 'ApprovalsApi', auth: 'link' },
  { method: 'POST', path: '/approvals/{id}', functionId: 'ApprovalsApi', auth: 'link' },
  { method: 'GET', path: '/operator/approvals', functionId: 'ApprovalsApi', auth: 'iam' },
  { method: 'GET', path: '/operator/approvals/{id}', functionId: 'ApprovalsApi', auth: 'iam' },
  { method: 'POST', path: '/operator/approvals/{id}/decision', functionId: 'ApprovalsApi', auth: 'iam' },
  { method: 'GET', path: '/approvals/{id}/review', functionId: 'ApprovalsApi', auth: 'link' },
  { method: 'POST', path: '/webhooks/{provider}', functionId: 'WebhooksApi', auth: 'webhook' },
  { method: 'GET', path: '/dashboard/campaigns', functionId: 'CampaignsApi', auth: 'user' },
  { method: 'GET', path: '/dashboard/campaigns/{id}', functionId: 'CampaignsApi', auth: 'user' },
  {
    method: 'GET',
    path: '/dashboard/campaigns/{id}/performance',
    functionId: 'PerformanceApi',
    auth: 'user',
  },
  { method: 'GET', path: '/dashboard/campaigns/{id}/ab-report', functionId: 'PerformanceApi', auth: 'user' },
  { method: 'GET', path: '/dashboard/approvals', functionId: 'ApprovalsApi', auth: 'user' },
  { method: 'GET', path: '/dashboard/approvals/{id}', functionId: 'ApprovalsApi', auth: 'user' },
  { method: 'POST', path: '/dashboard/approvals/{id}/decision', functionId: 'ApprovalsApi', auth: 'user' },
  { method: 'POST', path: '/operator/campaigns/{id}/budget', functionId: 'BudgetsApi', auth: 'iam' },
  { method: 'POST', path: '/operator/campaigns/{id}/cancel', functionId: 'BudgetsApi', auth: 'iam' },
  { method: 'GET', path: '/campaigns/{id}/performance', functionId: 'PerformanceApi', auth: 'iam' },
  { method: 'GET', path: '/campaigns/{id}/ab-report', functionId: 'PerformanceApi', auth: 'iam' },
  {
    method: 'DELETE',
    path: '/campaigns/{id}/posts/{post_id}/schedule',
    functionId: 'SchedulesApi',
    auth: 'iam',
  },
  {
    method: 'PATCH',
    path: '/campaigns/{id}/posts/{post_id}/schedule',
    functionId: 'SchedulesApi',
    auth: 'iam',
  },
];

export const functionPlaceholder = (id: string): string => `${id}FunctionArn`;
export const stateMachinePlaceholder = (id: string): string => `${id}StateMachineArn`;
