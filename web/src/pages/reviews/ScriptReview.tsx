import { useState } from 'react';
import { Score, Section } from '../../components/common';
import { DecisionBar, type ReviewProps } from '../Review';

/** The script under review next to the other variants; another of its top-3 hooks rewrites it. */
export function ScriptReview({ review, decide, busy, pending }: ReviewProps) {
  const scripts = review.scripts ?? [];
  const subject = scripts[0];
  const choices = review.approval.choices ?? [];
  const [hook, setHook] = useState<string>();
  if (!subject)
    return (
      <Section title="Script">
        <p>The script is not available.</p>
      </Section>
    );
  const current = choices.find((h) => h.text === subject.hook.text)?.hook_id;
  const chosen = hook && hook !== current ? choices.find((h) => h.hook_id === hook) : undefined;
  return (
    <>
      <Section title="Hooks">
        <p>
          Chosen hook: <q>{subject.hook.text}</q>{' '}
          <Score label="quality" value={subject.hook.quality_score} gate={0.75} />
        </p>
        {choices.length > 1 ? (
          <fieldset disabled={!pending}>
            <legend>Top hooks — choosing another rewrites the script around it</legend>
            {choices.map((h) => (
              <label key={h.hook_id} className="choice">
                <input
                  type="radio"
                  name="hook"
                  value={h.hook_id}
                  checked={(hook ?? current) === h.hook_id}
                  onChange={() => setHook(h.hook_id)}
                />
                <span>
                  {h.text} <small>({h.quality_score.toFixed(2)})</small>
                </span>
              </label>
            ))}
          </fieldset>
        ) : null}
      </Section>
      <div className="side-by-side">
        {scripts.map((s) => (
          <Section key={s.script_id} title={`${s.variant_tag} variant · v${s.version}`}>
            <p>
              <Score label="Compliance" value={s.brand_compliance_score} gate={0.9} /> ·{' '}
              {s.total_duration_seconds} s
            </p>
            <ol className="scenes">
              {s.scenes.map((sc) => (
                <li key={sc.scene_id}>
                  <p className="voiceover">“{sc.voiceover_text}”</p>
                  <p className="prompt">
                    <span className="swatches" aria-hidden="true">
                      {sc.visual_cues.color_palette.map((c) => (
                        <span key={c} className="swatch" style={{ background: c }} />
                      ))}
                    </span>
                    {sc.visual_prompt}
                  </p>
                  <small>
                    {sc.duration_seconds} s · {sc.visual_cues.style} · {sc.visual_cues.camera_movement}
                  </small>
                </li>
              ))}
            </ol>
          </Section>
        ))}
      </div>
      <Section title="Decision">
        {chosen && pending ? (
          <div className="buttons">
            <button
              type="button"
              className="primary"
              disabled={busy}
              onClick={() =>
                void decide({
                  decision: 'reject',
                  decided_by: 'reviewer',
                  chosen_hook_id: chosen.hook_id,
                  feedback: `Rewrite the script around the hook: ${chosen.text}`,
                })
              }
            >
              Rewrite the script with this hook
            </button>
          </div>
        ) : null}
        <DecisionBar decide={decide} busy={busy} pending={pending} approveLabel="Approve the script" />
      </Section>
    </>
  );
}
