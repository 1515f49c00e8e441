/**
 * Renders docs/api.md from the contract in core (the one place endpoints are written).
 * `npx tsx scripts/api-doc.ts > docs/api.md`; scripts/api-doc.test.ts fails when the file is stale.
 */
import { HTTP_STATUS, PERMISSIONS, ROLES, api, type EndpointName } from '@labelport/core'

export function renderApiDoc(): string {
  const lines = [
    '# HTTP API',
    '',
    'Generated from `packages/core/src/api/endpoints.ts` by `npx tsx scripts/api-doc.ts > docs/api.md`; do not edit by hand.',
    '',
    'Every `/v1` call but sign-in needs `Authorization: Bearer <api key>` or the session cookie (see',
    '"Who may call what" below). JSON bodies are `application/json`.',
    'Errors are JSON `{"error": {"code", "message", "path"?, "issues"?, "requestId"}}`; `path` points into',
    'the request (`["body", "items", 3, "globalKey"]`). Import lines report the same codes per line in',
    'their status lines (see [import-errors.md](import-errors.md)).',
    '',
    "Labelbox's Python SDK talks to `POST /graphql` and `POST /_gql` instead (GraphQL, the same keys and",
    'services; see "Coming from Labelbox" in the README). Those are not part of this contract.',
    '',
    '| method | path | success | answers | what |',
    '|---|---|---|---|---|',
  ]
  for (const endpoint of Object.values(api)) {
    const answers =
      endpoint.responseKind === 'json'
        ? 'JSON'
        : endpoint.responseKind === 'ndjson'
          ? 'NDJSON stream'
          : endpoint.responseKind === 'binary'
            ? 'bytes'
            : 'nothing'
    lines.push(
      `| ${endpoint.method} | \`${endpoint.path}\` | ${endpoint.successStatus} | ${answers} | ${endpoint.summary} |`,
    )
  }
  lines.push(
    '',
    '## Who may call what',
    '',
    'One table in code (`packages/core/src/api/permissions.ts`), enforced by the server on every endpoint:',
    'a role without ✓ gets 403 `forbidden`. Nothing of another organization is visible: an allowed call',
    "naming another organization's resource answers 404. Sign in with `POST /v1/sessions` (the web app",
    'does) or send an API key; a key acts as its user, with that user’s role. Calls that change something',
    'with the session cookie must send the header `x-labelport-csrf: 1` (and a same-origin `Origin`).',
    'Failed authentications are throttled per client address, per key prefix and per email: 429',
    '`too_many_requests` with `Retry-After`.',
    '',
    `| endpoint | method | path | ${ROLES.join(' | ')} | rule |`,
    `|---|---|---|${ROLES.map(() => '---|').join('')}---|`,
  )
  for (const name of Object.keys(api) as EndpointName[]) {
    const permission = PERMISSIONS[name]
    const cells = ROLES.map((role) =>
      permission.roles === 'public' ? 'public' : permission.roles.includes(role) ? '✓' : '403',
    )
    lines.push(
      `| ${name} | ${api[name].method} | \`${api[name].path}\` | ${cells.join(' | ')} | ${permission.note ?? ''} |`,
    )
  }
  lines.push('', '## Error codes and their HTTP status', '', '| code | status |', '|---|---|')
  for (const [code, status] of Object.entries(HTTP_STATUS))
    lines.push(`| \`${code}\` | ${status} |`)
  return `${lines.join('\n')}\n`
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) process.stdout.write(renderApiDoc())
