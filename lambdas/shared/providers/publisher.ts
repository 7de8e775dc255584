import { OutboxPublisher } from '../adapters/offline/outbox-publisher.js';
import { ApiKey, BlotatoPublisher, blotatoAuthHeader } from '../adapters/platforms/blotato.js';
import {
  type AccessToken,
  OAuthAccessToken,
  OAuthClient,
  PlatformAuthError,
  PlatformHttp,
  type PlatformName,
  safeJson,
} from '../adapters/platforms/http.js';
import { InstagramEngagement, InstagramPublisher, metaAuthFailure } from '../adapters/platforms/instagram.js';
import { LinkedInEngagement, LinkedInPublisher, linkedInHeaders } from '../adapters/platforms/linkedin.js';
import { OutboxEngagement } from '../adapters/platforms/outbox-engagement.js';
import { TikTokEngagement, TikTokPublisher } from '../adapters/platforms/tiktok.js';
import { YouTubeEngagement, YouTubePublisher } from '../adapters/platforms/youtube.js';
import { config, logger } from '../commons.js';
import { ConfigurationError, type EnvName } from '../config/index.js';
import type { Platform } from '../contracts/index.js';
import type { EngagementFetcher, Publisher, PublishRequest } from '../ports/index.js';
import { readSecret, SECRETS, type SecretName, secretSource, writeSecret } from '../secrets.js';
import { blobs } from '../services.js';
import { lazy } from './lazy.js';

/**
 * Which publisher serves each platform (`BIE_PUBLISH_<PLATFORM>` = api | blotato | outbox, default
 * outbox) and the engagement fetcher that goes with it. Clients, tokens and adapters are built once per
 * container and platform, when first used.
 */
export type PublishMode = 'api' | 'blotato' | 'outbox';

export const publishModeOf = (platform: Platform): PublishMode =>
  config[`BIE_PUBLISH_${platform.toUpperCase()}` as `BIE_PUBLISH_${Uppercase<Platform>}`];

const outbox = lazy(() => new OutboxPublisher(blobs()));

/** Per platform: the secret with its OAuth client, the local token variable, the token endpoint. */
const OAUTH: Record<Platform, { secret: SecretName; token: EnvName; tokenUrl: () => string }> = {
  youtube: {
    secret: 'youtubeOAuth',
    token: 'YOUTUBE_ACCESS_TOKEN',
    tokenUrl: () => config.YOUTUBE_TOKEN_URL,
  },
  tiktok: { secret: 'tiktokOAuth', token: 'TIKTOK_ACCESS_TOKEN', tokenUrl: () => config.TIKTOK_TOKEN_URL },
  instagram: {
    secret: 'instagramOAuth',
    token: 'INSTAGRAM_ACCESS_TOKEN',
    tokenUrl: () => config.INSTAGRAM_TOKEN_URL,
  },
  linkedin: {
    secret: 'linkedInOAuth',
    token: 'LINKEDIN_ACCESS_TOKEN',
    tokenUrl: () => config.LINKEDIN_TOKEN_URL,
  },
};

function oauthToken(platform: Platform): AccessToken {
  const o = OAUTH[platform];
  return new OAuthAccessToken(platform, {
    // With a secret ARN (AWS) the local token variable is not even read: the stack never sets it.
    accessToken: secretSource(o.secret) === 'arn' ? undefined : (config[o.token] as string | undefined),
    tokenUrl: o.tokenUrl(),
    client: async (opts) => {
      if (secretSource(o.secret) === 'none') return undefined;
      const parsed = OAuthClient.safeParse(safeJson(await readSecret(o.secret, opts)));
      if (!parsed.success) {
        throw new PlatformAuthError(
          platform,
          `the ${o.secret} secret is not JSON with client_id, client_secret and refresh_token`,
        );
      }
      return parsed.data;
    },
    store: async (client) => {
      // A rotated refresh token that is not stored is lost with this container: say so loudly, but the
      // publish at hand goes on with the access token it just got.
      try {
        const written = await writeSecret(o.secret, JSON.stringify(client));
        if (!written)
          logger.warn('the platform rotated its OAuth tokens; the configured value is now stale', {
            platform,
            variable: SECRETS[o.secret],
          });
      } catch (error) {
        logger.error('could not store the rotated OAuth tokens', { platform, secret: o.secret, error });
      }
    },
  });
}

/** One HTTP client per platform per container: the access token it holds is reused until refused. */
const clients = new Map<PlatformName, PlatformHttp>();
function httpFor(platform: Platform): PlatformHttp {
  let http = clients.get(platform);
  if (!http) {
    http = new PlatformHttp(platform, oauthToken(platform), {
      ...(platform === 'instagram' ? { authFailure: metaAuthFailure } : {}),
      ...(platform === 'linkedin' ? { headers: linkedInHeaders(config.LINKEDIN_VERSION) } : {}),
    });
    clients.set(platform, http);
  }
  return http;
}

const blotatoHttp = lazy(
  () =>
    new PlatformHttp('blotato', new ApiKey(() => readSecret('blotatoApiKey')), {
      authHeader: blotatoAuthHeader,
    }),
);

const need = <T>(value: T | undefined, name: EnvName, why: string): T => {
  if (value === undefined) throw new ConfigurationError(`${name} is not set: ${why}`);
  return value;
};

function apiPublisher(platform: Platform): Publisher {
  const http = httpFor(platform);
  switch (platform) {
    case 'youtube':
      return new YouTubePublisher(http, {
        baseUrl: config.YOUTUBE_API_URL,
        privacyStatus: config.YOUTUBE_PRIVACY_STATUS,
      });
    case 'tiktok':
      return new TikTokPublisher(http, {
        baseUrl: config.TIKTOK_API_URL,
        privacyLevel: config.TIKTOK_PRIVACY_LEVEL,
      });
    case 'instagram':
      return new InstagramPublisher(http, blobs(), {
        graphUrl: config.INSTAGRAM_GRAPH_URL,
        userId: need(
          config.INSTAGRAM_USER_ID,
          'INSTAGRAM_USER_ID',
          'BIE_PUBLISH_INSTAGRAM=api posts as this account',
        ),
      });
    case 'linkedin':
      return new LinkedInPublisher(http, {
        baseUrl: config.LINKEDIN_API_URL,
        author: need(
          config.LINKEDIN_AUTHOR_URN,
          'LINKEDIN_AUTHOR_URN',
          'BIE_PUBLISH_LINKEDIN=api posts as this author',
        ),
      });
  }
}

const blotato = lazy(() => {
  const raw = safeJson(config.BLOTATO_ACCOUNT_IDS ?? '{}');
  if (typeof raw !== 'object' || raw === null) {
    throw new ConfigurationError('BLOTATO_ACCOUNT_IDS must be a JSON object of platform → account id');
  }
  return new BlotatoPublisher(blotatoHttp(), blobs(), {
    baseUrl: config.BLOTATO_API_URL,
    accountIds: Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, String(v)])),
    tiktokPrivacy: config.TIKTOK_PRIVACY_LEVEL,
    youtubePrivacy: config.YOUTUBE_PRIVACY_STATUS,
  });
});

const publishers = new Map<Platform, Publisher>();

/** The publisher configured for one platform. */
export function publisherFor(platform: Platform): Publisher {
  let p = publishers.get(platform);
  if (!p) {
    const mode = publishModeOf(platform);
    p = mode === 'api' ? apiPublisher(platform) : mode === 'blotato' ? blotato() : outbox();
    publishers.set(platform, p);
  }
  return p;
}

/** Publishes each request with its platform's publisher (for callers that hold no platform). */
export const publisher = lazy<Publisher>(() => ({
  provider: 'platforms',
  publish: (req: PublishRequest) => publisherFor(req.platform).publish(req),
}));

const fetchers = new Map<Platform, EngagementFetcher>();

/**
 * The engagement fetcher of one platform: its metrics API when publishing through it, the seeded
 * outbox metrics offline. Blotato offers no metrics API, so posts made through it report nothing.
 */
export function engagementFetcher(platform: Platform): EngagementFetcher {
  let f = fetchers.get(platform);
  if (!f) {
    const mode = publishModeOf(platform);
    if (mode === 'outbox') f = new OutboxEngagement(platform, blobs());
    // The ids Blotato hands back are its submission ids, which no platform API knows.
    else if (mode === 'blotato') f = { platform, fetch: async () => [] };
    else {
      const http = httpFor(platform);
      f =
        platform === 'youtube'
          ? new YouTubeEngagement(http, config.YOUTUBE_API_URL)
          : platform === 'tiktok'
            ? new TikTokEngagement(http, config.TIKTOK_API_URL)
            : platform === 'instagram'
              ? new InstagramEngagement(http, config.INSTAGRAM_GRAPH_URL)
              : new LinkedInEngagement(http, config.LINKEDIN_API_URL);
    }
    fetchers.set(platform, f);
  }
  return f;
}

/** Tests only: forget built publishers and clients (the environment changed). */
export function resetPublishers(): void {
  publishers.clear();
  fetchers.clear();
  clients.clear();
}
