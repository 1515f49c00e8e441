/**
 * Renders docs/api.md from the contract in core (the one place endpoints are written).
 * `npx tsx scripts/api-doc.ts > docs/api.md`; scripts/api-doc.test.ts fails when the file is stale.
 */
import { HTTP_STATUS, api } from '@labelport/core'

export function renderApiDoc(): string {
  const lines = [
    '# HTTP API',
    '',
    'Generated from `packages/core/src/api/endpoints.ts` by `npx tsx scripts/api-doc.ts > docs/api.md`; do not edit by hand.',
    '',
    'Every `/v1` call needs `Authorization: Bearer <api key>`. JSON bodies are `application/json`.',
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
  lines.push('', '## Error codes and their HTTP status', '', '| code | status |', '|---|---|')
  for (const [code, status] of Object.entries(HTTP_STATUS))
    lines.push(`| \`${code}\` | ${status} |`)
  return `${lines.join('\n')}\n`
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) process.stdout.write(renderApiDoc())
