import type { CampaignCard, ReviewView } from '../api/client';

const ID = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

export const card: CampaignCard = {
  campaign_id: ID(1),
  campaign_name: 'Spokes & Co spring tune-up',
  brand_id: ID(2),
  status: 'awaiting_approval',
  budget_usd: 150,
  spent_usd: 12.5,
  pillars: [
    { pillar: 'strategist', state: 'done', cost_usd: 0.5, list_price_usd: 0.5 },
    { pillar: 'copywriter', state: 'done', cost_usd: 1, list_price_usd: 1 },
    { pillar: 'production', state: 'awaiting_approval', cost_usd: 11, list_price_usd: 11 },
    { pillar: 'campaign_manager', state: 'waiting', cost_usd: 0, list_price_usd: 0 },
    { pillar: 'broadcaster', state: 'waiting', cost_usd: 0, list_price_usd: 0 },
  ],
  pending_approvals: [{ approval_id: 'appr-video', checkpoint: 'video' }],
  variants: 1,
  created_at: '2026-11-29T10:00:00.000Z',
  updated_at: '2026-11-29T10:05:00.000Z',
};

const approval = (checkpoint: ReviewView['approval']['checkpoint']): ReviewView['approval'] => ({
  approval_id: `appr-${checkpoint}`,
  campaign_id: ID(1),
  checkpoint,
  subject_id: ID(3),
  summary: `${checkpoint} summary`,
  status: 'pending',
  expires_at: '2026-12-06T10:00:00.000Z',
  created_at: '2026-11-29T10:00:00.000Z',
});

export const publicationReview: ReviewView = {
  approval: approval('publication'),
  campaign: card,
  media: [],
  restricted_terms: ['cheap', 'guaranteed'],
  posts: [
    {
      platform: 'tiktok',
      label: 'TikTok',
      aspect_ratio: '9:16',
      width: 1080,
      height: 1920,
      caption: 'Spring tune-ups are open. Book yours today!',
      hashtags: ['#bikerepair', '#spring'],
      rendition_url: 'https://media.example/tiktok.mp4',
      thumbnail_url: 'https://media.example/tiktok.jpg',
      safe_zone: { top: 200, bottom: 420, left: 60, right: 170 },
      caption_max: 2200,
      hashtags_max: 5,
    },
  ],
};

export const videoReview: ReviewView = {
  approval: approval('video'),
  campaign: card,
  media: [],
  restricted_terms: [],
  video: {
    assets: {
      video_id: ID(3),
      script_id: ID(4),
      campaign_id: ID(1),
      variant_id: ID(5),
      master_mp4_url: 's3://bie-media/master.mp4',
      clean_master_mp4_url: 's3://bie-media/clean.mp4',
      captions_url: 's3://bie-media/captions.vtt',
      master_duration_seconds: 16,
      scene_clips: [
        {
          scene_id: ID(6),
          sequence: 1,
          clip_url: 's3://bie-media/1.mp4',
          duration_seconds: 4,
          model_used: 'veo3',
          provider: 'offline',
          generation_job_id: 'job-1',
          cost_usd: 0,
        },
      ],
      audio_assets: { voiceover_url: 'v', background_music_url: 'm', sfx_urls: [], synced_audio_url: 's' },
      metadata: {
        generation_started_at: '2026-11-29T10:00:00.000Z',
        generation_completed_at: '2026-11-29T10:02:00.000Z',
        total_cost_usd: 0.8,
        models_used: ['veo3'],
        quality_score: 0.97,
      },
      approval_status: 'pending',
    },
    master_url: 'https://media.example/master.mp4',
    quality_score: 0.97,
    scenes: [
      {
        scene_id: ID(6),
        sequence: 1,
        start_seconds: 0,
        end_seconds: 4,
        voiceover_text: 'Your bike deserves a spring tune-up.',
        visual_prompt: 'A mechanic truing a wheel on a stand, warm workshop light, close-up.',
        model: 'veo3',
        provider: 'offline',
        cache_hit: false,
        cost_usd: 0.2,
      },
      {
        scene_id: ID(7),
        sequence: 2,
        start_seconds: 4,
        end_seconds: 8,
        voiceover_text: 'Book a slot this week.',
        visual_prompt: 'A rider collecting a gleaming bike at the counter, smiling, daylight.',
        model: 'veo3',
        provider: 'offline',
        cache_hit: true,
        cost_usd: 0,
      },
    ],
  },
};
