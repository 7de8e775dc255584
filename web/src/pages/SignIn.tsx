import { type FormEvent, useState } from 'react';
import type { SiteConfig } from '../api/client';
import { type Session, setNewPassword, signIn } from '../auth';
import { ErrorNotice, Section } from '../components/common';

/** Sign-in with the dashboard's user pool; an invited reviewer sets a password the first time. */
export function SignInPage({
  auth,
  onSignedIn,
}: {
  auth: NonNullable<SiteConfig['auth']>;
  onSignedIn: (s: Session) => void;
}) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [challenge, setChallenge] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      if (challenge) onSignedIn(await setNewPassword(auth, email, challenge, password));
      else {
        const r = await signIn(auth, email, password);
        if (r.kind === 'signed-in') onSignedIn(r.session);
        else {
          setChallenge(r.challengeSession);
          setPassword('');
        }
      }
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Section title="Sign in">
      <form onSubmit={submit} className="sign-in">
        <ErrorNotice error={error} />
        <label htmlFor="email">Email</label>
        <input
          id="email"
          type="email"
          autoComplete="username"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <label htmlFor="password">{challenge ? 'Choose a new password' : 'Password'}</label>
        <input
          id="password"
          type="password"
          autoComplete={challenge ? 'new-password' : 'current-password'}
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <button type="submit" className="primary" disabled={busy}>
          {challenge ? 'Set password and sign in' : 'Sign in'}
        </button>
      </form>
    </Section>
  );
}
