import { stemmer } from 'stemmer';
import { brandCategories, CATEGORY_LEXICON, type JudgedBrand } from '../../shared/brand-safety/copy-judge.js';
import { normaliseForMatching } from '../../shared/brand-safety/restricted-terms.js';
import type { BrandProfile, CampaignRequest } from '../../shared/contracts/index.js';
import type { TrendItem } from '../../shared/ports/index.js';

export { decodeXml, parseFeed } from '../../shared/feeds/rss-atom.js';

export interface RankedTrend extends TrendItem {
  relevance: number;
  /** False when the trend is about something else: it never reaches the brief. */
  relevant: boolean;
  reason: string;
}

/** Who the trends are for: the brand's category and products, and its audience. */
export interface TrendAudience {
  /** Category, product, description, key message and what the brand sells (weighs 1 a word). */
  core: string;
  /** The audience of the request and the bible (weighs ½ a word). */
  audience?: string;
  brand?: JudgedBrand;
  request?: Partial<CampaignRequest>;
}

const STOP = new Set(
  'the a an and or but for with from into onto over under your you our their they them this that these those what why how when who whom which where there here is are was were be been being has have had do does did not no nor so than too very can will just about after before again more most some such only own same other each few both all any new now get got make made use used way ways year years week weeks day days people person aged age adults adult city based via per its it we us out up off on in at by of to as if then also like want wants looking look audience audiences brand brands content trend trends trending video videos build start'.split(
    ' ',
  ),
);
const stem = (w: string) => (w.length > 2 ? stemmer(w) : w);
const stems = (text: string): Set<string> =>
  new Set(
    normaliseForMatching(text)
      .split(' ')
      .filter((w) => w.length > 2 && !STOP.has(w) && !/^\d+$/.test(w))
      .map(stem),
  );

/** Trends about formats and platforms (sound-off viewing, captions, creators) fit every brand. */
const FORMAT_TREND =
  /\b(short[- ]form|video|captions?|on[- ]screen text|sound[- ]off|creators?|behind[- ]the[- ]scenes|hooks?|reels|tiktok|shorts|ugc|feed)\b/i;
const FORMAT_CATEGORY = /^(marketing|social|platforms?|video|creators?|formats?)$/i;

/** Everything a brand and a request say about what is sold and to whom. */
export function trendAudience(brand: BrandProfile, request: CampaignRequest): TrendAudience {
  const offering = brand.guidelines
    .filter((g) => g.category === 'general' || g.category === 'audience')
    .map((g) => `${g.heading} ${g.content}`);
  return {
    core: [
      request.product_category,
      request.product_name,
      request.product_description,
      request.key_message,
      ...offering,
    ]
      .filter(Boolean)
      .join(' '),
    audience: [request.target_demographic, brand.audience].filter(Boolean).join(' '),
    brand,
    request,
  };
}

const LEXICON_STEMS = Object.entries(CATEGORY_LEXICON).map(
  ([category, words]) => [category, new Set(words.filter((w) => !w.includes(' ')).map(stem))] as const,
);

/**
 * Relevance to the brand, its category and its audience: product and category words the trend shares
 * (1 each) and audience words (½ each), two or more make it fully relevant; format trends (captions,
 * sound-off viewing, creators) count half for every brand. A trend in the vocabulary of a category the
 * brand is not in (a gym routine for a bicycle shop) is irrelevant unless it also shares two product
 * words. Irrelevant trends are ranked last and flagged; the ranking weighs relevance 60 %, recency
 * over 30 days 25 % and engagement 15 %.
 */
export function rankTrends(
  items: TrendItem[],
  context: TrendAudience | string,
  now = Date.now(),
): RankedTrend[] {
  const ctx: TrendAudience = typeof context === 'string' ? { core: context } : context;
  const core = stems(ctx.core);
  const audience = stems(ctx.audience ?? '');
  const mine = new Set(ctx.brand ? brandCategories(ctx.brand, ctx.request) : []);
  const own = new Set([...core, ...audience]);
  return items
    .map((t) => {
      const words = stems(`${t.title} ${t.summary} ${t.category ?? ''}`);
      const coreHits = [...words].filter((w) => core.has(w));
      const audienceHits = [...words].filter((w) => audience.has(w) && !core.has(w));
      const shared = coreHits.length + 0.5 * audienceHits.length;
      const format = FORMAT_CATEGORY.test(t.category ?? '') || FORMAT_TREND.test(t.title);
      const offCategory = LEXICON_STEMS.filter(
        ([cat, lex]) => !mine.has(cat) && [...words].some((w) => lex.has(w) && !own.has(w)),
      ).map(([cat]) => cat);
      let keyword = Math.min(1, shared / 2);
      if (format) keyword = Math.max(keyword, 0.5);
      const elsewhere = offCategory.length > 0 && coreHits.length < 2;
      const relevant = !elsewhere && keyword >= 0.5;
      const ageDays = t.published_at ? (now - Date.parse(t.published_at)) / 86_400_000 : 60;
      const recency = Math.max(0, 1 - Math.max(0, ageDays) / 30);
      const engagement = Math.min(
        1,
        (t.engagement_score ?? 0.5) > 1 ? (t.engagement_score ?? 0) / 100 : (t.engagement_score ?? 0.5),
      );
      const reason = elsewhere
        ? `about ${offCategory.join(', ')}, not this brand's category`
        : relevant
          ? `shares ${[...coreHits, ...audienceHits].join(', ') || 'a video format'} with the brand`
          : 'shares too little with the brand, its category and audience';
      return {
        ...t,
        relevance:
          Math.round(((relevant ? 0.6 * keyword : 0) + 0.25 * recency + 0.15 * engagement) * 1000) / 1000,
        relevant,
        reason,
      };
    })
    .sort(
      (a, b) =>
        Number(b.relevant) - Number(a.relevant) ||
        b.relevance - a.relevance ||
        a.title.localeCompare(b.title),
    );
}

/** The trends that may reach the brief: relevant ones only, best first. */
export const relevantTrends = (ranked: RankedTrend[], max = 5): RankedTrend[] =>
  ranked.filter((t) => t.relevant).slice(0, max);
