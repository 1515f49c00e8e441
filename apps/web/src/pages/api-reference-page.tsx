/**
 * The HTTP API reference, rendered from the server's OpenAPI document (GET /v1/openapi.json,
 * generated from the contract): every operation with its roles, parameters, body and answer.
 */
import { useMemo, useState } from 'react'
import { api } from '@labelport/core'
import { useClient } from '../client-context.ts'
import { useAsync } from '../use-async.ts'
import { AsyncStatus, Empty, PageHeader } from '../components/ui.tsx'

type Json = Record<string, unknown>

export interface ApiOperation {
  operationId: string
  method: string
  path: string
  summary: string
  /** 'public' or the roles allowed */
  roles: string[] | 'public'
  parameters: { name: string; in: string; required: boolean; type: string }[]
  body: unknown
  status: string
  media: string | null
  answer: unknown
}

function typeOf(schema: unknown): string {
  if (schema === null || typeof schema !== 'object') return 'any'
  const s = schema as Json
  if (Array.isArray(s['enum'])) return (s['enum'] as unknown[]).map((v) => String(v)).join(' | ')
  if (typeof s['type'] === 'string') return s['type']
  if (Array.isArray(s['type'])) return (s['type'] as unknown[]).join(' | ')
  return 'any'
}

/** The document's operations in its path order (the contract's order). */
export function operationsOf(doc: {
  paths: Record<string, Record<string, unknown>>
}): ApiOperation[] {
  const out: ApiOperation[] = []
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, raw] of Object.entries(item)) {
      const op = raw as Json
      const responses = (op['responses'] ?? {}) as Record<string, Json>
      const status = Object.keys(responses).find((s) => /^2\d\d$/.test(s)) ?? ''
      const content = (responses[status]?.['content'] ?? null) as Record<string, Json> | null
      const media = content ? (Object.keys(content)[0] ?? null) : null
      const answer =
        media && content
          ? (content[media]?.['x-line-schema'] ?? content[media]?.['schema'])
          : undefined
      const security = op['security']
      out.push({
        operationId: String(op['operationId']),
        method: method.toUpperCase(),
        path,
        summary: typeof op['summary'] === 'string' ? op['summary'] : '',
        roles:
          Array.isArray(security) && security.length === 0
            ? 'public'
            : ((op['x-labelport-roles'] ?? []) as string[]),
        parameters: ((op['parameters'] ?? []) as Json[]).map((p) => ({
          name: String(p['name']),
          in: String(p['in']),
          required: p['required'] === true,
          type: typeOf(p['schema']),
        })),
        body: (
          (op['requestBody'] as Json | undefined)?.['content'] as Record<string, Json> | undefined
        )?.['application/json']?.['schema'],
        status,
        media,
        answer,
      })
    }
  }
  return out
}

function Schema({ label, schema }: { label: string; schema: unknown }) {
  if (
    schema === undefined ||
    (typeof schema === 'object' && schema !== null && Object.keys(schema).length === 0)
  )
    return null
  return (
    <details className="lp-api-schema">
      <summary>{label}</summary>
      <pre className="lp-mono">{JSON.stringify(schema, null, 2)}</pre>
    </details>
  )
}

export function ApiReferencePage() {
  const client = useClient()
  const doc = useAsync((signal) => client.json(api.getOpenApi, {}, undefined, signal), [client])
  const [filter, setFilter] = useState('')
  const operations = useMemo(() => (doc.data ? operationsOf(doc.data) : []), [doc.data])
  const needle = filter.trim().toLowerCase()
  const shown = operations.filter(
    (o) =>
      needle === '' ||
      `${o.operationId} ${o.method} ${o.path} ${o.summary}`.toLowerCase().includes(needle),
  )
  return (
    <div className="lp-page">
      <PageHeader
        title="API reference"
        meta={
          <>
            {doc.data ? `${doc.data.info.title} API ${doc.data.info.version}, ` : ''}
            {operations.length} operations, from the server&apos;s{' '}
            <a href={api.getOpenApi.path} data-testid="openapi-link">
              OpenAPI 3.1 document
            </a>{' '}
            (generate a client in any language). Authenticate with{' '}
            <code className="lp-mono">Authorization: Bearer &lt;API key&gt;</code>.
          </>
        }
      />
      <label className="lp-field">
        <span className="lp-field__label">Filter operations</span>
        <input
          className="lp-input lp-input--search"
          type="search"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          placeholder="imports, POST, /v1/projects…"
        />
      </label>
      <AsyncStatus state={doc} what="the API reference" />
      {doc.data && shown.length === 0 && <Empty>No operation matches “{filter}”.</Empty>}
      <div className="lp-api-list" data-testid="api-operations">
        {shown.map((o) => (
          <section
            key={o.operationId}
            className="lp-card lp-api-op"
            data-testid="api-operation"
            data-operation={o.operationId}
            aria-labelledby={`op-${o.operationId}`}
          >
            <h2 className="lp-api-op__title" id={`op-${o.operationId}`}>
              <span className={`lp-badge lp-api-method lp-api-method--${o.method.toLowerCase()}`}>
                {o.method}
              </span>{' '}
              <code className="lp-mono" data-testid="api-path">
                {o.path}
              </code>
            </h2>
            <p>{o.summary}</p>
            <p className="lp-muted">
              <code className="lp-mono">{o.operationId}</code> · answers {o.status}
              {o.media ? ` ${o.media}` : ''} · who:{' '}
              <span data-testid="api-roles">
                {o.roles === 'public' ? 'anyone (no key)' : o.roles.join(', ')}
              </span>
            </p>
            {o.parameters.length > 0 && (
              <table className="lp-table lp-table--compact">
                <thead>
                  <tr>
                    <th>Parameter</th>
                    <th>In</th>
                    <th>Type</th>
                    <th>Required</th>
                  </tr>
                </thead>
                <tbody>
                  {o.parameters.map((p) => (
                    <tr key={`${p.in}-${p.name}`}>
                      <td className="lp-mono">{p.name}</td>
                      <td>{p.in}</td>
                      <td className="lp-mono">{p.type}</td>
                      <td>{p.required ? 'yes' : 'no'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            <Schema label="Request body (JSON Schema)" schema={o.body} />
            <Schema
              label={
                o.media === 'application/x-ndjson'
                  ? 'Each line (JSON Schema)'
                  : 'Answer (JSON Schema)'
              }
              schema={o.answer}
            />
          </section>
        ))}
      </div>
    </div>
  )
}
