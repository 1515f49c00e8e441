/**
 * The GraphQL layer in-process (app.request), on SQLite and PostgreSQL: answers are always HTTP 200
 * with the error shapes Labelbox's SDK maps to its exceptions, never a 500; signed file URLs open
 * without a key, and refuse a changed, expired or missing signature; two servers on one database
 * share the signing secret.
 */
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import sharp from 'sharp'
import { GraphqlStateRepository, connect } from '@labelport/db'
import { freshSchemaUrl, postgres } from '@labelport/testkit'
import { readConfig } from '../config.ts'
import { composeServer, type ComposedServer } from '../compose.ts'
import { DEFAULT_ORGANIZATION_ID, systemCaller } from '../services/auth-service.ts'
import { FileSigner } from './file-urls.ts'

const KEY = 'gql-key-9b3f6d1a7e24c8'
const pgNeed = postgres()

interface Wire {
  data?: Record<string, unknown> | null
  errors?: { message: string; extensions: Record<string, unknown> }[]
}

function suite(dialect: 'sqlite' | 'postgres', skip: string | false) {
  void describe(`GraphQL over HTTP (${dialect})`, { skip }, () => {
    let server: ComposedServer
    let dataDir: string
    let databaseUrl: string | null = null
    let drop: () => Promise<void> = () => Promise.resolve()

    const gql = async (
      query: string,
      variables: unknown = {},
      key: string | null = KEY,
    ): Promise<{ status: number; body: Wire }> => {
      const res = await server.app.request('/graphql', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(key ? { authorization: `Bearer ${key}` } : {}),
        },
        body: JSON.stringify({ query, variables }),
      })
      return { status: res.status, body: (await res.json()) as Wire }
    }

    before(async () => {
      dataDir = mkdtempSync(join(tmpdir(), 'labelport-gql-'))
      if (dialect === 'postgres') {
        const schema = await freshSchemaUrl(pgNeed.value)
        databaseUrl = schema.url
        drop = schema.drop
      }
      server = await composeServer({
        ...readConfig(['--data-dir', dataDir], {}),
        databaseUrl,
        bootstrapApiKey: KEY,
      })
    })
    after(async () => {
      await server?.close()
      await drop()
      rmSync(dataDir, { recursive: true, force: true })
    })

    void it('a missing or wrong key is AUTHENTICATION_ERROR with HTTP 200', async () => {
      for (const key of [null, 'wrong']) {
        const { status, body } = await gql('query GetUserPyApi{user{id}}', {}, key)
        assert.equal(status, 200)
        assert.equal(body.errors?.[0]?.extensions['code'], 'AUTHENTICATION_ERROR')
      }
    })

    void it('an unknown operation names itself as not supported by Labelport', async () => {
      const { status, body } = await gql(
        'query GetModelsPyApi{models(skip: 0 first: 100){id name}}',
        null,
      )
      assert.equal(status, 200)
      assert.equal(body.errors?.[0]?.extensions['code'], 'GRAPHQL_VALIDATION_FAILED')
      assert.match(body.errors?.[0]?.message ?? '', /GetModelsPyApi is not supported by Labelport/)
    })

    void it('variables of the wrong shape are answered the same way, not with a 500', async () => {
      const { status, body } = await gql(
        'mutation CreateDatasetPyApi($name: String!){createDataset(data: {name: $name}) {id}}',
        { name: { nested: true } },
      )
      assert.equal(status, 200)
      assert.equal(body.errors?.[0]?.extensions['code'], 'GRAPHQL_VALIDATION_FAILED')
    })

    void it('text that is not GraphQL is GRAPHQL_PARSE_FAILED; a body that is not JSON MALFORMED_REQUEST', async () => {
      const parsed = await gql('mutation {', {})
      assert.equal(parsed.body.errors?.[0]?.extensions['code'], 'GRAPHQL_PARSE_FAILED')
      const res = await server.app.request('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
        body: '{"query": ',
      })
      assert.equal(res.status, 200)
      const body = (await res.json()) as Wire
      assert.equal(body.errors?.[0]?.extensions['code'], 'MALFORMED_REQUEST')
    })

    void it('bad input is a coded error naming the field (same rule as the REST API)', async () => {
      const { body } = await gql(
        'mutation CreateDatasetPyApi($name: String!){createDataset(data: {name: $name}) {id}}',
        { name: '' },
      )
      const error = body.errors?.[0]
      assert.equal(error?.extensions['code'], 'INTERNAL_SERVER_ERROR')
      assert.deepEqual(error?.extensions['exception'], { status: 400 }) // → InvalidQueryError
      assert.equal(error?.extensions['labelportCode'], 'validation_failed')
      assert.deepEqual(error?.extensions['path'], ['data', 'name'])
    })

    void it('roles hold here as over REST: a labeler may read but not create a dataset', async () => {
      const admin = systemCaller(DEFAULT_ORGANIZATION_ID)
      const labeler = await server.auth.createUser(admin, {
        email: `labeler-${dialect}@gql.example`,
        name: 'Labeler',
        role: 'labeler',
        password: 'a long labeler password',
      })
      const { key } = await server.auth.createApiKey(
        { ...admin, userId: labeler.id, role: 'labeler' },
        'labeler key',
      )
      const created = await gql(
        'mutation CreateDatasetPyApi($name: String!){createDataset(data: {name: $name}) {id}}',
        { name: 'not for labelers' },
        key,
      )
      assert.equal(created.body.errors?.[0]?.extensions['labelportCode'], 'forbidden')
      assert.equal(created.body.data?.['createDataset'] ?? null, null)
      const who = await gql('query GetUserPyApi{user{id}}', {}, key)
      assert.equal(who.body.errors, undefined)
    })

    void it('a dataset deleted over GraphQL goes as over REST: nothing orphaned, blobs gone, audited', async () => {
      const rest = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
        const res = await server.app.request(path, {
          method,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        })
        assert.ok(res.status < 300, `${method} ${path}: ${res.status} ${await res.clone().text()}`)
        return (await res.json()) as T
      }
      const count = (table: 'data_row' | 'data_row_metadata' | 'batch_data_row' | 'annotation') =>
        server.repositories.deletions.countRows(table)
      const before = {
        rows: await count('data_row'),
        metadata: await count('data_row_metadata'),
        batchRows: await count('batch_data_row'),
        annotations: await count('annotation'),
      }
      const dataset = await rest<{ id: string }>('POST', '/v1/datasets', { name: 'gql doomed' })
      const png = await sharp({
        create: { width: 12, height: 9, channels: 3, background: '#345678' },
      })
        .png()
        .toBuffer()
      const uploadRes = await server.app.request('/v1/uploads', {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'image/png' },
        body: new Uint8Array(png),
      })
      const upload = (await uploadRes.json()) as { id: string; uri: string }
      const task = await rest<{ id: string }>('POST', `/v1/datasets/${dataset.id}/data-rows`, {
        items: [
          {
            rowData: upload.uri,
            globalKey: `gql-doomed-${dialect}`,
            metadataFields: [{ name: 'site', value: 'north' }],
          },
        ],
      })
      await server.catalog.drain()
      const done = await rest<{ createdDataRows: { id: string }[] }>('GET', `/v1/tasks/${task.id}`)
      const dataRowId = done.createdDataRows[0]?.id ?? ''
      assert.ok(dataRowId)
      const ontology = await rest<{ id: string }>('POST', '/v1/ontologies', {
        name: 'gql doomed',
        normalized: { tools: [{ tool: 'rectangle', name: 'box' }], classifications: [] },
      })
      const project = await rest<{ id: string }>('POST', '/v1/projects', { name: 'gql doomed' })
      await rest('PUT', `/v1/projects/${project.id}/ontology`, { ontologyId: ontology.id })
      await rest('POST', `/v1/projects/${project.id}/batches`, {
        name: 'b',
        dataRowIds: [dataRowId],
      })
      await rest('POST', `/v1/projects/${project.id}/imports`, {
        name: 'gql doomed',
        kind: 'mal',
        source: {
          lines: [
            {
              name: 'box',
              bbox: { top: 1, left: 1, height: 4, width: 4 },
              dataRow: { id: dataRowId },
            },
          ],
        },
      })
      await server.importWorker.whenIdle()
      assert.equal(await count('annotation'), before.annotations + 1)
      assert.equal(await count('data_row_metadata'), before.metadata + 1)
      const uploadBlob = join(dataDir, 'blobs', 'uploads', DEFAULT_ORGANIZATION_ID, upload.id)
      assert.ok(existsSync(uploadBlob), uploadBlob)

      const { body } = await gql(
        'mutation DeleteDatasetPyApi($id: ID!){updateDataset(where: {id: $id}, data: {deleted: true}) {id}}',
        { id: dataset.id },
      )
      assert.equal(body.errors, undefined, JSON.stringify(body.errors))
      assert.deepEqual(
        {
          rows: await count('data_row'),
          metadata: await count('data_row_metadata'),
          batchRows: await count('batch_data_row'),
          annotations: await count('annotation'),
        },
        before,
      )
      assert.equal(existsSync(uploadBlob), false, 'the upload no row uses any more is removed')
      const audit = await rest<{
        items: { action: string; subjectType: string; subjectId: string }[]
      }>('GET', '/v1/audit-events')
      assert.ok(
        audit.items.some((e) => e.subjectType === 'dataset' && e.subjectId === dataset.id),
        JSON.stringify(audit.items),
      )
    })

    void it('timestamps carry milliseconds and every selected field is present', async () => {
      const { body } = await gql(
        'mutation CreateProjectPyApi($name: String!, $allowedMediaType: MediaType!){createProject(data: {name: $name allowedMediaType: $allowedMediaType}) {autoAuditNumberOfLabels autoAuditPercentage createdAt dataRowCount description editorTaskType isBenchmarkEnabled isConsensusEnabled lastActivityTime allowedMediaType modelSetupComplete name queueMode setupComplete id updatedAt uploadType}}',
        { name: 'p', allowedMediaType: 'IMAGE' },
      )
      const project = body.data?.['createProject'] as Record<string, unknown>
      assert.equal(Object.keys(project).length, 17)
      assert.match(String(project['createdAt']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
      assert.equal(project['queueMode'], 'BATCH')
      assert.equal(project['allowedMediaType'], 'IMAGE')
    })

    void it('signed import file URLs: open without a key; changed, expired or missing signatures are refused', async () => {
      const project = await server.app.request('/v1/projects', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
        body: JSON.stringify({ name: 'files' }),
      })
      const projectId = ((await project.json()) as { id: string }).id
      // an import without an ontology cannot start; use the store to make a finished job instead
      const { body } = await gql(
        'query getLabelImportPyApi($projectId : ID!, $name: String!) { labelImport(where: {projectId: $projectId, name: $name}){ id } }',
        { projectId, name: 'nope' },
      )
      assert.equal(body.errors?.[0]?.extensions['code'], 'RESOURCE_NOT_FOUND')

      // on PostgreSQL a second connection to the same database, as another server would have: same
      // secret (a SQLite folder serves one server, which is locked; there the server's own state)
      const conn = databaseUrl ? await connect({ postgresUrl: databaseUrl }) : null
      const state = conn ? new GraphqlStateRepository(conn.db) : server.graphqlState
      const signer = await FileSigner.load(state)
      const url = new URL(signer.url('http://x', 'cnosuchimport000000000000', 'statuses'))
      const path = `${url.pathname}${url.search}`
      // the server accepts this signature (404: no such import, rather than 403)
      const missingJob = await server.app.request(path)
      assert.equal(missingJob.status, 404)
      const tampered = await server.app.request(
        path.replace(/signature=[^&]*/, 'signature=not-the-signature'),
      )
      assert.equal(tampered.status, 403)
      assert.equal(((await tampered.json()) as { error: { code: string } }).error.code, 'forbidden')
      const unsigned = await server.app.request(url.pathname)
      assert.equal(unsigned.status, 403)
      const late = await FileSigner.load(state, () => Date.now() - 2 * 86_400_000)
      const expired = new URL(late.url('http://x', 'cnosuchimport000000000000', 'statuses'))
      const expiredRes = await server.app.request(`${expired.pathname}${expired.search}`)
      assert.equal(expiredRes.status, 403)
      assert.match(
        ((await expiredRes.json()) as { error: { message: string } }).error.message,
        /expired/,
      )
      await conn?.close()
    })
  })
}

suite('sqlite', false)
suite('postgres', pgNeed.skip)
