import { Score, Section } from '../../components/common';
import { DecisionBar, type ReviewProps } from '../Review';

/** The script under review next to the other variants, with its top-3 hooks. */
export function ScriptReview({ review, decide, busy, pending }: ReviewProps) {
  const scripts = review.scripts ?? [];
  const subject = scripts[0];
  if (!subject)
    return (
      <Section title="Script">
        <p>The script is not available.</p>
      </Section>
    );
  return (
    <>
      <Section title="Hooks">
        <p>
          Chosen hook: <q>{subject.hook.text}</q>{' '}
          <Score label="quality" value={subject.hook.quality_score} gate={0.75} />
        </p>
        {subject.top_hooks.length ? (
          <>
            <h3>Top hooks</h3>
            <ol>
              {subject.top_hooks.map((h) => (
                <li key={h.hook_id}>
                  {h.text} <small>({h.quality_score.toFixed(2)})</small>
                </li>
              ))}
            </ol>
            <p className="note">
              To build the script around another hook, request changes naming it; when no hook clears the
              quality gate, the hook review asks you to choose one.
            </p>
          </>
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
        <DecisionBar decide={decide} busy={busy} pending={pending} approveLabel="Approve the script" />
      </Section>
    </>
  );
}
