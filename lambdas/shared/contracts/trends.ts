import { z } from 'zod';

/**
 * A brand's trend sources: public RSS/Atom feeds the hourly scraper reads. HTTPS only, and no address
 * literals, so a configured source can never point the scraper at a private network or a local file.
 */
export const TrendSourceUrl = z
  .url({ protocol: /^https$/, hostname: z.regexes.domain })
  .max(2048)
  .refine((u) => !new URL(u).username && !new URL(u).password, 'must not carry credentials');

export const TrendSource = z.object({
  url: TrendSourceUrl,
  name: z.string().trim().min(1).max(80).optional(),
  /** Category the items are filed under when the feed names none. */
  category: z.string().trim().min(1).max(40).optional(),
});
export type TrendSource = z.infer<typeof TrendSource>;

export const TrendSourcesBody = z.object({
  sources: z
    .array(TrendSource)
    .max(20)
    .refine((s) => new Set(s.map((x) => x.url)).size === s.length, 'each url may appear once'),
});
export type TrendSourcesBody = z.infer<typeof TrendSourcesBody>;

/** What the scraper remembers per source: validators for conditional GET and the last outcome. */
export const TrendSourceState = z.object({
  url: z.string(),
  etag: z.string().optional(),
  last_modified: z.string().optional(),
  last_fetched_at: z.string().optional(),
  last_status: z.enum(['fetched', 'not-modified', 'failed']).optional(),
  last_error: z.string().max(500).optional(),
  items_stored: z.number().int().min(0).optional(),
});
export type TrendSourceState = z.infer<typeof TrendSourceState>;
