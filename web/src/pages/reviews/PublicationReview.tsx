import { useState } from 'react';
import type { ReviewView } from '../../api/client';
import { Section } from '../../components/common';
import { checkPost, parseHashtags } from '../../validation';
import { DecisionBar, type ReviewProps } from '../Review';

type Post = NonNullable<ReviewView['posts']>[number];

/** Each platform's rendition in its aspect with the platform's UI safe zone, and its editable post text. */
export function PublicationReview({ review, decide, busy, pending }: ReviewProps) {
  const posts = review.posts ?? [];
  const [edits, setEdits] = useState<Record<string, { caption: string; hashtags: string }>>(() =>
    Object.fromEntries(
      posts.map((p) => [p.platform, { caption: p.caption, hashtags: p.hashtags.join(' ') }]),
    ),
  );
  const [when, setWhen] = useState('');
  const issues = Object.fromEntries(
    posts.map((p) => {
      const e = edits[p.platform] ?? { caption: p.caption, hashtags: '' };
      return [
        p.platform,
        checkPost({ ...p, caption: e.caption, hashtags: parseHashtags(e.hashtags) }, review.restricted_terms),
      ];
    }),
  );
  const blocked = Object.values(issues).some((list) => list.length > 0);
  const changed = posts.filter((p) => {
    const e = edits[p.platform];
    return e && (e.caption !== p.caption || parseHashtags(e.hashtags).join(' ') !== p.hashtags.join(' '));
  });
  return (
    <>
      <div className="renditions">
        {posts.map((p) => (
          <Section key={p.platform} title={`${p.label} · ${p.aspect_ratio}`}>
            <Preview post={p} />
            <label htmlFor={`caption-${p.platform}`}>Caption</label>
            <textarea
              id={`caption-${p.platform}`}
              rows={4}
              disabled={!pending}
              value={edits[p.platform]?.caption ?? ''}
              aria-invalid={issues[p.platform]?.some((i) => i.field === 'caption')}
              onChange={(e) =>
                setEdits((x) => ({
                  ...x,
                  [p.platform]: { caption: e.target.value, hashtags: x[p.platform]?.hashtags ?? '' },
                }))
              }
            />
            <label htmlFor={`hashtags-${p.platform}`}>
              Hashtags (space separated, at most {p.hashtags_max})
            </label>
            <input
              id={`hashtags-${p.platform}`}
              disabled={!pending}
              value={edits[p.platform]?.hashtags ?? ''}
              aria-invalid={issues[p.platform]?.some((i) => i.field === 'hashtags')}
              onChange={(e) =>
                setEdits((x) => ({
                  ...x,
                  [p.platform]: { caption: x[p.platform]?.caption ?? '', hashtags: e.target.value },
                }))
              }
            />
            <ul className="field-errors" aria-live="polite">
              {(issues[p.platform] ?? []).map((i) => (
                <li key={i.message} className="field-error">
                  {i.field}: {i.message}
                </li>
              ))}
            </ul>
          </Section>
        ))}
      </div>
      <Section title="Publish">
        <label htmlFor="publish-at">Publish at (leave empty to publish now)</label>
        <input
          id="publish-at"
          type="datetime-local"
          value={when}
          disabled={!pending}
          onChange={(e) => setWhen(e.target.value)}
        />
        {blocked ? <p className="field-error">Fix the posts above before publishing.</p> : null}
        <DecisionBar
          decide={decide}
          busy={busy || blocked}
          pending={pending}
          approveLabel={when ? 'Schedule' : 'Publish'}
          rejectLabel="Request changes"
          extra={() =>
            ({
              ...(changed.length
                ? {
                    edits: Object.fromEntries(
                      changed.map((p) => [
                        p.platform,
                        {
                          caption: edits[p.platform]?.caption ?? p.caption,
                          hashtags: parseHashtags(edits[p.platform]?.hashtags ?? ''),
                        },
                      ]),
                    ),
                  }
                : {}),
              ...(when ? { publish_at: new Date(when).toISOString() } : {}),
            }) as object
          }
        />
      </Section>
    </>
  );
}

/** The rendition at its aspect ratio, with the platform UI's covered margins shaded. */
function Preview({ post }: { post: Post }) {
  const z = post.safe_zone;
  const pct = (v: number, of: number) => `${((v / of) * 100).toFixed(2)}%`;
  return (
    <figure className="preview" style={{ aspectRatio: `${post.width} / ${post.height}` }}>
      {post.rendition_url ? (
        // biome-ignore lint/a11y/useMediaCaption: captions are burned into the rendition
        <video
          src={post.rendition_url}
          poster={post.thumbnail_url}
          controls
          preload="none"
          aria-label={`${post.label} rendition`}
        />
      ) : (
        <div className="placeholder" />
      )}
      <div
        className="safe-zone"
        aria-hidden="true"
        style={{
          top: pct(z.top, post.height),
          bottom: pct(z.bottom, post.height),
          left: pct(z.left, post.width),
          right: pct(z.right, post.width),
        }}
      />
      <figcaption>
        {post.width}×{post.height}; the dashed box is the area the platform's buttons and text leave free
      </figcaption>
    </figure>
  );
}
