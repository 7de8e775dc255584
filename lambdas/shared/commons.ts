import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { lazyConfig } from './config/index.js';

/**
 * Created once per container and shared by every handler (never per invocation). `config` reads each
 * variable when first used; Powertools reads its own POWERTOOLS_* variables (set by the stack).
 */
export const config = lazyConfig();
export const logger = new Logger();
// Metrics warnings go through the logger, so its level (POWERTOOLS_LOG_LEVEL) governs them too.
export const metrics = new Metrics({ logger });
