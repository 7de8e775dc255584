import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Approval } from '../../../lambdas/shared/contracts/index.js';
import { type ApiHarness, exampleRequest, ingestExampleBrand, startApi } from './harness.js';

/**
 * A reviewer may replace a publication's captions and hashtags when approving it
 * (`POST /operator/approvals/{id}/decision` with `edits`): the edits go through the same restricted-term
 * check as generated copy, a hit is a field-level 400 that decides and changes nothing, and clean edits
 * are what PublishPost posts.
 */
let api: ApiHarness;
let approvalId: string;
let campaignId: string;
const PUBLICATION = 'pub-edits-1';

beforeAll(async () => {
  api = await startApi('approval-edits');
  const brandId = await ingestExampleBrand(api.url);
  const res = await fetch(`${api.url}/campaigns`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ campaign_request: exampleRequest(brandId) }),
  });
  campaignId = ((await res.json()) as { campaign_id: string }).campaign_id;
  // What the broadcaster left before its publication checkpoint: the copy and the formatted post.
  const { approvals, workDocs } = await import('../../../lambdas/shared/data/repositories.js');
  await workDocs.put(campaignId, 'platform_copy', PUBLICATION, {
    tiktok: { caption: 'Cold brew for the commute.', hashtags: ['#LumenCoffee'] },
  });
  await workDocs.put(campaignId, 'formatted', `${PUBLICATION}:tiktok`, {
    platform: 'tiktok',
    rendition_key: 'renditions/tiktok/x.mp4',
    thumbnail_key: 'thumbnails/tiktok/x.jpg',
    captions_key: 'captions/x.vtt',
    caption: 'Cold brew for the commute.',
    hashtags: ['#LumenCoffee'],
    duration_seconds: 15,
    aspect_ratio: '9:16',
  });
  approvalId = '00000000-0000-4000-8000-00000000e001';
  const now = new Date();
  const approval: Approval = {
    approval_id: approvalId,
    campaign_id: campaignId,
    checkpoint: 'publication',
    subject_id: PUBLICATION,
    summary: 'Publication',
    task_token: 'a-token-no-execution-waits-for',
    status: 'pending',
    expires_at: new Date(now.getTime() + 3_600_000).toISOString(),
    created_at: now.toISOString(),
  };
  await approvals.create(approval);
}, 60_000);

afterAll(async () => {
  await api?.stop();
});

const decide = (body: unknown) =>
  fetch(`${api.url}/operator/approvals/${approvalId}/decision`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('human edits of captions and hashtags', () => {
  it('are refused field by field when they carry a restricted term in any form, and nothing changes', async () => {
    const before = await api.snapshot();
    const res = await decide({
      decision: 'approve',
      edits: { tiktok: { caption: 'Ch3aper than your latte.', hashtags: ['#NoJittersHere'] } },
    });
    expect(res.status).toBe(400);
    const problem = (await res.json()) as { errors: { pointer: string; detail: string }[] };
    expect(problem.errors).toEqual([
      { pointer: 'edits.tiktok.caption', detail: 'restricted term "cheap" as "Ch3aper" (obfuscation) at 0' },
      {
        pointer: 'edits.tiktok.hashtags.0',
        detail: 'restricted term "jitters" in #NoJittersHere (exact)',
      },
    ]);
    expect(await api.snapshot()).toEqual(before);
  });

  it('are what the post carries when clean', async () => {
    const res = await decide({
      decision: 'approve',
      edits: {
        tiktok: { caption: 'Steeped overnight, ready for your commute.', hashtags: ['#SlowMornings'] },
      },
    });
    expect(res.status).toBe(200);
    const { workDocs } = await import('../../../lambdas/shared/data/repositories.js');
    const { Formatted } = await import('../../../lambdas/broadcaster/context.js');
    const post = await workDocs.get(campaignId, 'formatted', `${PUBLICATION}:tiktok`, Formatted);
    expect(post).toMatchObject({
      caption: 'Steeped overnight, ready for your commute.',
      hashtags: ['#SlowMornings'],
    });
    const { S3BlobStore } = await import('../../../lambdas/shared/data/blob-store.js');
    const caption = new TextDecoder().decode(
      await new S3BlobStore('bie-media').get('renditions/tiktok/x.caption.txt'),
    );
    expect(caption).toBe('Steeped overnight, ready for your commute.\n');
  });
});
