import { useState } from 'react';
import { Section } from '../../components/common';
import { DecisionBar, type ReviewProps } from '../Review';

/**
 * No hook cleared the quality gate after the regenerations: the reviewer picks one of the top 3 (the
 * script is written around it) or sends the set back.
 */
export function HookReview({ review, decide, busy, pending }: ReviewProps) {
  const choices = review.approval.choices ?? [];
  const [hook, setHook] = useState(choices[0]?.hook_id);
  return (
    <Section title="Choose the hook">
      <pre className="summary">{review.approval.summary}</pre>
      <fieldset disabled={!pending}>
        <legend>Top hooks (quality gate 0.75)</legend>
        {choices.map((h) => (
          <label key={h.hook_id} className="choice">
            <input
              type="radio"
              name="hook"
              value={h.hook_id}
              checked={hook === h.hook_id}
              onChange={() => setHook(h.hook_id)}
            />
            <span>
              {h.text} <small>({h.quality_score.toFixed(2)})</small>
            </span>
          </label>
        ))}
      </fieldset>
      <DecisionBar
        decide={decide}
        busy={busy}
        pending={pending}
        approveLabel="Write the script with this hook"
        rejectLabel="Generate new hooks"
        extra={() => (hook ? { chosen_hook_id: hook } : {})}
      />
    </Section>
  );
}
