import { useMemo, useState } from 'react';
import { createApi, type SiteConfig } from './api/client';
import { currentSession, type Session, signOut } from './auth';
import { CampaignDetailPage } from './pages/CampaignDetail';
import { CampaignsPage } from './pages/Campaigns';
import { ReviewPage } from './pages/Review';
import { SignInPage } from './pages/SignIn';
import { href, useRoute } from './router';

/**
 * The review dashboard. A mailed review link opens its review page without signing in (the link's
 * signature is the authority); everything else needs a signed-in user when the site has a user pool.
 */
export function App({ config, fetchImpl }: { config: SiteConfig; fetchImpl?: typeof fetch }) {
  const route = useRoute();
  const [session, setSession] = useState<Session | undefined>(() =>
    config.auth ? currentSession() : undefined,
  );
  const api = useMemo(
    () => createApi(config.apiUrl, () => session?.idToken, fetchImpl),
    [config.apiUrl, session, fetchImpl],
  );
  const needsUser = route.page !== 'review' && config.auth && !session;
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <a href={href.campaigns()} className="brand">
          Brand Infinity Engine
        </a>
        {session ? (
          <span>
            {session.email}{' '}
            <button
              type="button"
              className="link"
              onClick={() => {
                signOut();
                setSession(undefined);
              }}
            >
              Sign out
            </button>
          </span>
        ) : null}
      </header>
      <main id="main">
        {needsUser && config.auth ? (
          <SignInPage auth={config.auth} onSignedIn={setSession} />
        ) : route.page === 'campaigns' ? (
          <CampaignsPage api={api} />
        ) : route.page === 'campaign' ? (
          <CampaignDetailPage api={api} id={route.id} />
        ) : route.page === 'approval' ? (
          <ReviewPage key={route.id} api={api} source={{ kind: 'user', id: route.id }} />
        ) : route.page === 'review' ? (
          <ReviewPage
            key={route.id}
            api={api}
            source={{ kind: 'link', id: route.id, exp: route.exp, sig: route.sig }}
          />
        ) : (
          <p>
            Nothing at <code>{route.path}</code>. <a href={href.campaigns()}>All campaigns</a>
          </p>
        )}
      </main>
    </>
  );
}
