import { ProceduralRenderer } from '../shared/adapters/offline/procedural-renderer.js';
import { OfflineRenderEvent } from '../shared/adapters/offline/procedural-video-model.js';
import { config } from '../shared/commons.js';
import { stepHandler } from '../shared/handler.js';
import { webhookSecret } from '../shared/secrets.js';
import { blobs } from '../shared/services.js';

let renderer: ProceduralRenderer | undefined;

/**
 * The offline video model's backend: invoked asynchronously by `ProceduralVideoModel.submit()` (from
 * SubmitRender), renders one scene into S3 and delivers the signed webhook before returning. An
 * exception (storage unreachable) makes Lambda retry the event; a failed render is a result, reported
 * through the webhook like a provider's `video.failed`.
 */
export const handler = stepHandler('RenderOfflineScene', OfflineRenderEvent, async (event) => {
  renderer ??= new ProceduralRenderer({ blobs: blobs(), webhookSecret, workDir: config.BIE_WORK_DIR });
  const status = await renderer.handle(event);
  return {
    provider_job_id: status.provider_job_id,
    state: status.state,
    webhook_delivered: status.webhook?.delivered ?? false,
  };
});
