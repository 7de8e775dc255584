import { useRef, useState } from 'react';
import { money, Score, Section } from '../../components/common';
import { DecisionBar, type ReviewProps } from '../Review';

const clock = (s: number) => `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, '0')}`;

/** The master with scene markers; each scene can be sent back with its own feedback and re-rendered alone. */
export function VideoReview({ review, decide, busy, pending }: ReviewProps) {
  const v = review.video;
  const player = useRef<HTMLVideoElement>(null);
  const [redo, setRedo] = useState<Record<string, string>>({});
  const [missing, setMissing] = useState<string[]>([]);
  if (!v)
    return (
      <Section title="Video">
        <p>The video is not available.</p>
      </Section>
    );
  const chosen = Object.keys(redo);
  const unrendered = v.scenes.filter((s) => s.unrendered);
  const regenerate = () => {
    const empty = chosen.filter((id) => !redo[id]?.trim());
    setMissing(empty);
    if (empty.length || chosen.length === 0) return;
    const scenes = chosen.map((scene_id) => ({ scene_id, feedback: redo[scene_id] as string }));
    void decide({
      decision: 'reject',
      decided_by: 'reviewer',
      feedback: scenes.map((s) => s.feedback).join(' / '),
      scenes,
    });
  };
  return (
    <>
      <Section title="Master video">
        <div className="player" style={{ aspectRatio: '9 / 16' }}>
          {/* biome-ignore lint/a11y/useMediaCaption: the captions are burned into the picture (the WebVTT file is linked below; a cross-origin <track> needs CORS on the media bucket) */}
          <video ref={player} src={v.master_url} controls preload="metadata" aria-label="master video" />
        </div>
        {v.captions_url ? (
          <p>
            <a href={v.captions_url}>Captions (WebVTT)</a>
          </p>
        ) : null}
        <p>
          <Score label="Quality" value={v.quality_score} /> · {v.assets.master_duration_seconds.toFixed(1)} s
          · {money(v.assets.metadata.total_cost_usd)}
        </p>
      </Section>
      <Section title="Scenes">
        <ol className="scene-markers">
          {v.scenes.map((s) => (
            <li key={s.scene_id} className="scene-marker">
              <button
                type="button"
                className="link"
                onClick={() => {
                  if (player.current) {
                    player.current.currentTime = s.start_seconds;
                    void player.current.play().catch(() => undefined);
                  }
                }}
              >
                Scene {s.sequence} · {clock(s.start_seconds)}–{clock(s.end_seconds)}
              </button>
              <p className="voiceover">“{s.voiceover_text}”</p>
              {s.unrendered ? (
                <p className="notice error" data-testid={`unrendered-${s.sequence}`}>
                  <strong>Not rendered</strong> (a slate holds its seconds): {s.unrendered.reason}
                </p>
              ) : (
                <small>
                  {s.model} via {s.provider}
                  {s.cache_hit ? ' (from the scene cache)' : ''} · {money(s.cost_usd)}
                </small>
              )}
              {pending ? (
                <div className="regenerate">
                  <label>
                    <input
                      type="checkbox"
                      checked={s.scene_id in redo}
                      onChange={(e) =>
                        setRedo((r) => {
                          const next = { ...r };
                          if (e.target.checked) next[s.scene_id] = '';
                          else delete next[s.scene_id];
                          return next;
                        })
                      }
                    />{' '}
                    Regenerate scene {s.sequence}
                  </label>
                  {s.scene_id in redo ? (
                    <>
                      <label htmlFor={`fb-${s.scene_id}`}>What should change in scene {s.sequence}?</label>
                      <input
                        id={`fb-${s.scene_id}`}
                        value={redo[s.scene_id]}
                        aria-invalid={missing.includes(s.scene_id)}
                        onChange={(e) => setRedo((r) => ({ ...r, [s.scene_id]: e.target.value }))}
                      />
                      {missing.includes(s.scene_id) ? (
                        <p className="field-error">Feedback is needed for this scene.</p>
                      ) : null}
                    </>
                  ) : null}
                </div>
              ) : null}
            </li>
          ))}
        </ol>
        {pending ? (
          <div className="buttons">
            <button type="button" disabled={busy || chosen.length === 0} onClick={regenerate}>
              Regenerate {chosen.length || ''} selected scene{chosen.length === 1 ? '' : 's'}
            </button>
          </div>
        ) : null}
      </Section>
      <Section title="Decision">
        <DecisionBar
          decide={decide}
          busy={busy}
          pending={pending}
          approveLabel="Approve the video"
          rejectLabel="Re-render the whole video"
          approveBlocked={
            unrendered.length
              ? `Scene ${unrendered.map((s) => s.sequence).join(', ')} could not be rendered: regenerate ${unrendered.length === 1 ? 'it' : 'them'} with feedback before the video can be approved.`
              : undefined
          }
        />
      </Section>
    </>
  );
}
