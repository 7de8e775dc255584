import path from 'node:path';
import { ProceduralVideoModel } from '../adapters/offline/procedural-video-model.js';
import { config } from '../commons.js';
import type { VideoModel } from '../ports/index.js';
import { lazy } from './lazy.js';

/** The video model provider (BIE_VIDEO_PROVIDER). */
export const videoModel = lazy<VideoModel>(
  () =>
    new ProceduralVideoModel({
      outputDir: path.join(config.BIE_WORK_DIR, 'provider-renders'),
      webhookSecret: config.WEBHOOK_SECRET ?? '',
    }),
);
