import { abReportOf, performanceOf } from '../broadcaster/engagement-service.js';
import { AbReport, PerformanceReport } from '../shared/contracts/index.js';
import { apiHandler, json, pathUuid } from './http.js';

/** Engagement time series and the A/B report of a campaign (IAM). */
export const handler = apiHandler({
  'GET /campaigns/{id}/performance': async (event) =>
    json(200, PerformanceReport.parse(await performanceOf(pathUuid(event)))),
  'GET /campaigns/{id}/ab-report': async (event) =>
    json(200, AbReport.parse(await abReportOf(pathUuid(event)))),
});
