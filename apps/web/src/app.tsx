/** The shell: sign-in gate, top bar with the organization, and the page for the current hash route. */
import { useEffect, useMemo, useState } from 'react'
import { api } from '@labelport/core'
import type { WhoAmI } from '@labelport/core'
import { ApiClient } from './api-client.ts'
import { ClientContext } from './client-context.ts'
import { readApiKey, storeApiKey } from './session.ts'
import { href, useRoute } from './router.ts'
import type { Route } from './router.ts'
import { SignInPage } from './pages/sign-in-page.tsx'
import { ProjectsPage } from './pages/projects-page.tsx'
import { ProjectPage } from './pages/project-page.tsx'
import { DataRowPage } from './pages/data-row-page.tsx'
import { ImportPage } from './pages/import-page.tsx'
import { DatasetsPage } from './pages/datasets-page.tsx'
import { DatasetPage } from './pages/dataset-page.tsx'
import { Empty } from './components/ui.tsx'

export function App() {
  const [apiKey, setApiKey] = useState(readApiKey)
  const [me, setMe] = useState<WhoAmI | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const route = useRoute()

  const signOut = (message: string | null) => {
    storeApiKey(null)
    setApiKey(null)
    setMe(null)
    setNotice(message)
  }
  const client = useMemo(
    () =>
      apiKey
        ? new ApiClient(apiKey, () => signOut('Your API key was not accepted. Sign in again.'))
        : null,
    [apiKey],
  )

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

  if (!client) {
    return (
      <SignInPage
        notice={notice}
        onSignedIn={(key, who) => {
          storeApiKey(key)
          setNotice(null)
          setMe(who)
          setApiKey(key)
        }}
      />
    )
  }
  return (
    <ClientContext.Provider value={client}>
      <div className={route.page === 'data-row' ? 'lp-app lp-app--full' : 'lp-app'}>
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
              onClick={() => signOut(null)}
            >
              Sign out
            </button>
          </div>
        </header>
        <main className="lp-main">
          <Page route={route} />
        </main>
      </div>
    </ClientContext.Provider>
  )
}

function isProjects(route: Route): boolean {
  return (
    route.page === 'projects' ||
    route.page === 'project' ||
    route.page === 'data-row' ||
    route.page === 'import'
  )
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'projects':
      return <ProjectsPage />
    case 'project':
      return <ProjectPage key={route.projectId} projectId={route.projectId} tab={route.tab} />
    case 'data-row':
      return (
        <DataRowPage
          key={`${route.projectId}/${route.dataRowId}`}
          projectId={route.projectId}
          dataRowId={route.dataRowId}
          focusImportId={route.importId}
          focusLine={route.line}
        />
      )
    case 'import':
      return <ImportPage key={route.importId} importId={route.importId} />
    case 'datasets':
      return <DatasetsPage />
    case 'dataset':
      return <DatasetPage key={route.datasetId} datasetId={route.datasetId} />
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
