/**
 * Every custom metric the handlers publish, and the alarms on them: one definition, read by the
 * handlers (`recordMetric`) and by the CDK app (infra/constructs/observability.ts). Plain data.
 *
 * Powertools adds one dimension to every metric: `service` = POWERTOOLS_SERVICE_NAME, which the stack
 * sets to the publishing function's pillar. No handler adds another dimension: an alarm must name the
 * exact dimension set of the metric it watches, or it watches a metric nobody writes.
 */
export const METRICS_NAMESPACE = 'BrandInfinity';
export const METRIC_DIMENSIONS = ['service'] as const;

export interface AlarmDefinition {
  id: string;
  statistic: 'Sum' | 'Maximum' | 'Average';
  threshold: number;
  description: string;
}

export interface CustomMetricDefinition {
  unit: 'Count' | 'Percent' | 'Seconds';
  /** Catalog id of the one function that publishes it (its pillar is the `service` dimension). */
  publisher: string;
  alarm?: AlarmDefinition;
}

export const CUSTOM_METRICS = {
  BrandAlignmentScore: { unit: 'Count', publisher: 'ScoreAlignment' },
  HookQualityScore: { unit: 'Count', publisher: 'GenerateHooks' },
  BrandComplianceScore: { unit: 'Count', publisher: 'FinalizeScript' },
  BudgetUsedPercent: {
    unit: 'Percent',
    publisher: 'SettleLedger',
    alarm: {
      id: 'BudgetOver90Percent',
      statistic: 'Maximum',
      threshold: 90,
      description: 'A campaign has used 90 % of its budget',
    },
  },
  PublishFailures: {
    unit: 'Count',
    publisher: 'PublishPost',
    alarm: {
      id: 'PublishFailures',
      statistic: 'Sum',
      threshold: 1,
      description: 'Publishing to a platform failed',
    },
  },
} as const satisfies Record<string, CustomMetricDefinition>;

export type CustomMetricName = keyof typeof CUSTOM_METRICS;
