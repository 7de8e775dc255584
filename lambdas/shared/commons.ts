import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { loadConfig } from './config/index.js';

/** Created once per container and shared by every handler (never per invocation). */
export const config = loadConfig();
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'brand-infinity' });
// Metrics warnings go through the logger, so its level (POWERTOOLS_LOG_LEVEL) governs them too.
export const metrics = new Metrics({
  logger,
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'BrandInfinity',
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'brand-infinity',
});
