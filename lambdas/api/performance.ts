import { abReportOf, performanceOf } from '../broadcaster/engagement-service.js';
import { AbReport, PerformanceReport } from '../shared/contracts/index.js';
import { type ApiEvent, apiHandler, json, pathUuid } from './http.js';

const performance = async (event: ApiEvent) =>
  json(200, PerformanceReport.parse(await performanceOf(pathUuid(event))));
const abReport = async (event: ApiEvent) => json(200, AbReport.parse(await abReportOf(pathUuid(event))));

/** Engagement time series and the A/B report of a campaign (IAM; the dashboard's signed-in users). */
export const handler = apiHandler({
  'GET /campaigns/{id}/performance': performance,
  'GET /campaigns/{id}/ab-report': abReport,
  'GET /dashboard/campaigns/{id}/performance': performance,
  'GET /dashboard/campaigns/{id}/ab-report': abReport,
});
