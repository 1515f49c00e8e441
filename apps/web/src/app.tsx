/** The shell: sign-in gate, top bar with the organization, and the page for the current hash route. */
import { useEffect, useMemo, useState } from 'react'
import { api } from '@labelport/core'
import type { WhoAmI } from '@labelport/core'
import { ApiClient } from './api-client.ts'
import { ClientContext, MeContext } from './client-context.ts'
import { readApiKey, storeApiKey } from './session.ts'
import { href, useRoute } from './router.ts'
import type { Route } from './router.ts'
import { SignInPage } from './pages/sign-in-page.tsx'
import { ProjectsPage } from './pages/projects-page.tsx'
import { ProjectPage } from './pages/project-page.tsx'
import { DataRowRoute } from './pages/data-row-route.tsx'
import { ReviewPage } from './pages/review-page.tsx'
import { LabelQueuePage } from './pages/label-queue-page.tsx'
import { ImportPage } from './pages/import-page.tsx'
import { DatasetsPage } from './pages/datasets-page.tsx'
import { DatasetPage } from './pages/dataset-page.tsx'
import { UsersPage } from './pages/users-page.tsx'
import { ApiKeysPage } from './pages/api-keys-page.tsx'
import { OntologiesPage } from './pages/ontologies-page.tsx'
import { OntologyEditorPage } from './pages/ontology-editor-page.tsx'
import { EvaluationPage, EvaluationRowPage } from './pages/evaluation-page.tsx'
import { ApiReferencePage } from './pages/api-reference-page.tsx'
import { Empty, Loading } from './components/ui.tsx'

type Auth = { kind: 'key'; key: string } | { kind: 'session' } | null

export function App() {
  const [auth, setAuth] = useState<Auth | 'checking'>(() => {
    const key = readApiKey()
    return key ? { kind: 'key', key } : 'checking'
  })
  const [me, setMe] = useState<WhoAmI | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const route = useRoute()

  const signOut = (message: string | null) => {
    storeApiKey(null)
    setAuth(null)
    setMe(null)
    setNotice(message)
  }
  const client = useMemo(
    () =>
      auth && auth !== 'checking'
        ? new ApiClient(auth.kind === 'key' ? auth.key : null, () =>
            signOut(
              auth.kind === 'key'
                ? 'Your API key was not accepted. Sign in again.'
                : 'Your session has ended. Sign in again.',
            ),
          )
        : null,
    [auth],
  )

  // a session cookie from an earlier sign-in (httpOnly: only the server can tell)
  useEffect(() => {
    if (auth !== 'checking') return
    new ApiClient(null, () => undefined).json(api.whoAmI).then(
      (who) => {
        setMe(who)
        setAuth({ kind: 'session' })
      },
      () => setAuth(null),
    )
  }, [auth])

  useEffect(() => {
    if (!client) return
    let live = true
    client.json(api.whoAmI).then(
      (who) => live && setMe(who),
      () => undefined, // 401 signs out through the client; other errors show on the pages
    )
    return () => {
      live = false
    }
  }, [client])

  if (auth === 'checking') return <Loading what="your session" />
  if (!client) {
    return (
      <SignInPage
        notice={notice}
        onSignedIn={(signedIn, who) => {
          storeApiKey(signedIn.kind === 'key' ? signedIn.key : null)
          setNotice(null)
          setMe(who)
          setAuth(signedIn)
        }}
      />
    )
  }
  const leave = () => {
    if (auth?.kind === 'session')
      void client.send(api.signOut).then(
        () => signOut(null),
        () => signOut(null),
      )
    else signOut(null)
  }
  return (
    <ClientContext.Provider value={client}>
      <MeContext.Provider value={me}>
        <div
          className={
            route.page === 'data-row' || route.page === 'review' ? 'lp-app lp-app--full' : 'lp-app'
          }
        >
          <header className="lp-topbar">
            <a className="lp-brand" href={href.projects()}>
              <span className="lp-brand__mark" aria-hidden />
              Labelport
            </a>
            <nav className="lp-nav">
              <a
                className={isProjects(route) ? 'lp-nav__link lp-nav__link--active' : 'lp-nav__link'}
                href={href.projects()}
              >
                Projects
              </a>
              <a
                className={
                  route.page === 'datasets' || route.page === 'dataset'
                    ? 'lp-nav__link lp-nav__link--active'
                    : 'lp-nav__link'
                }
                href={href.datasets()}
              >
                Datasets
              </a>
              <a
                className={navClass(route.page === 'ontologies' || route.page === 'ontology')}
                href={href.ontologies()}
              >
                Ontologies
              </a>
              {me?.role === 'admin' && (
                <a
                  className={navClass(route.page === 'users')}
                  href={href.users()}
                  data-testid="nav-users"
                >
                  Users
                </a>
              )}
              <a className={navClass(route.page === 'api-keys')} href={href.apiKeys()}>
                API keys
              </a>
              <a
                className={navClass(route.page === 'api')}
                href={href.apiReference()}
                data-testid="nav-api"
              >
                API reference
              </a>
            </nav>
            <div className="lp-topbar__org" data-testid="organization">
              {me ? (
                <>
                  <span className="lp-org-avatar" aria-hidden>
                    {me.organization.name.slice(0, 1).toUpperCase()}
                  </span>
                  <span>
                    <span className="lp-org-name">{me.organization.name}</span>
                    <span className="lp-org-key" data-testid="signed-in-as">
                      {me.user.name} · {me.role}
                    </span>
                  </span>
                </>
              ) : (
                <span className="lp-muted">…</span>
              )}
              <button
                type="button"
                className="lp-button lp-button--ghost lp-button--small"
                onClick={leave}
                data-testid="sign-out"
              >
                Sign out
              </button>
            </div>
          </header>
          <main className="lp-main">
            <Page route={route} />
          </main>
        </div>
      </MeContext.Provider>
    </ClientContext.Provider>
  )
}

function navClass(active: boolean): string {
  return active ? 'lp-nav__link lp-nav__link--active' : 'lp-nav__link'
}

function isProjects(route: Route): boolean {
  return (
    route.page === 'projects' ||
    route.page === 'project' ||
    route.page === 'data-row' ||
    route.page === 'import' ||
    route.page === 'evaluation' ||
    route.page === 'evaluation-row' ||
    route.page === 'label' ||
    route.page === 'review'
  )
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'projects':
      return <ProjectsPage />
    case 'project':
      return (
        <ProjectPage
          key={route.projectId}
          projectId={route.projectId}
          tab={route.tab}
          status={route.status}
        />
      )
    case 'data-row':
      return (
        <DataRowRoute
          key={`${route.projectId}/${route.dataRowId}/${route.mode ?? ''}`}
          projectId={route.projectId}
          dataRowId={route.dataRowId}
          focusImportId={route.importId}
          focusLine={route.line}
          mode={route.mode}
        />
      )
    case 'import':
      return <ImportPage key={route.importId} importId={route.importId} />
    case 'evaluation':
      return (
        <EvaluationPage
          key={route.evaluationId}
          evaluationId={route.evaluationId}
          cell={route.cell}
        />
      )
    case 'evaluation-row':
      return (
        <EvaluationRowPage
          key={`${route.evaluationId}/${route.dataRowId}`}
          evaluationId={route.evaluationId}
          dataRowId={route.dataRowId}
        />
      )
    case 'datasets':
      return <DatasetsPage />
    case 'dataset':
      return <DatasetPage key={route.datasetId} datasetId={route.datasetId} />
    case 'users':
      return <UsersPage />
    case 'api-keys':
      return <ApiKeysPage />
    case 'api':
      return <ApiReferencePage />
    case 'ontologies':
      return <OntologiesPage />
    case 'ontology':
      return <OntologyEditorPage key={route.ontologyId} ontologyId={route.ontologyId} />
    case 'label':
      return <LabelQueuePage key={route.projectId} projectId={route.projectId} />
    case 'review':
      return <ReviewPage key={route.projectId} projectId={route.projectId} />
    case 'not-found':
      return (
        <div className="lp-page">
          <Empty>
            Nothing lives at <code>{route.hash}</code>. <a href={href.projects()}>Go to projects</a>
            .
          </Empty>
        </div>
      )
  }
}
