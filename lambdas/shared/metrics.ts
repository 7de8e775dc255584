import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { metrics } from './commons.js';
import { CUSTOM_METRICS, type CustomMetricName } from './metric-definitions.js';

/**
 * Publishes one of the defined custom metrics (EMF through Powertools). Details such as the platform
 * go in as metadata, never as dimensions (see metric-definitions.ts).
 */
export function recordMetric(
  name: CustomMetricName,
  value: number,
  metadata: Record<string, string> = {},
  to: Metrics = metrics,
): void {
  to.addMetric(name, MetricUnit[CUSTOM_METRICS[name].unit], value);
  for (const [k, v] of Object.entries(metadata)) to.addMetadata(k, v);
}
