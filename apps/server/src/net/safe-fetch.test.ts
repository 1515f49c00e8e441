import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { createSafeFetch, createSafeFetchStream, isPublicAddress } from './safe-fetch.ts'

let server: http.Server
let base = ''

before(async () => {
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    switch (url.pathname) {
      case '/small':
        res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.from('hello'))
        return
      case '/big-declared':
        res.writeHead(200, { 'content-length': '100000' }).end(Buffer.alloc(100_000))
        return
      case '/big-chunked': {
        // no content-length: the limit must come from counting
        res.writeHead(200)
        for (let i = 0; i < 20; i++) res.write(Buffer.alloc(10_000))
        res.end()
        return
      }
      case '/slow':
        res.writeHead(200)
        res.write('a')
        setTimeout(() => res.end('b'), 2_000).unref()
        return
      case '/drip': {
        // one byte every 100 ms for 5 s: never idle, never done in time
        res.writeHead(200)
        const drip = setInterval(() => res.write('x'), 100)
        setTimeout(() => {
          clearInterval(drip)
          res.end()
        }, 5_000).unref()
        res.once('close', () => clearInterval(drip))
        return
      }
      case '/hang':
        return // never answers
      case '/missing':
        res.writeHead(404).end()
        return
      case '/redirect-ok':
        res.writeHead(302, { location: '/small' }).end()
        return
      case '/redirect-metadata':
        res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end()
        return
      case '/redirect-mapped':
        res
          .writeHead(301, {
            location: `http://[::ffff:127.0.0.2]:${(server.address() as AddressInfo).port}/small`,
          })
          .end()
        return
      case '/redirect-file':
        res.writeHead(302, { location: 'file:///etc/passwd' }).end()
        return
      case '/loop':
        res.writeHead(302, { location: '/loop' }).end()
        return
      default:
        res.writeHead(500).end()
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

after(() => {
  server.closeAllConnections()
  server.close()
})

const allowed = createSafeFetch({ maxBytes: 50_000, timeoutMs: 500, allowHosts: ['127.0.0.1'] })
const strict = createSafeFetch({ maxBytes: 50_000, timeoutMs: 500 })

void test('an allowlisted local server answers with its bytes and content type', async () => {
  const result = await allowed(`${base}/small`, ['mask', 'url'])
  assert.ok(result.ok)
  assert.equal(Buffer.from(result.bytes).toString(), 'hello')
  assert.equal(result.contentType, 'image/png')
})

void test('the same server is refused when not allowlisted, by literal address and by host name', async () => {
  for (const url of [`${base}/small`, base.replace('127.0.0.1', 'localhost') + '/small']) {
    const result = await strict(url, ['mask', 'url'])
    assert.ok(!result.ok)
    assert.equal(result.issue.code, 'fetch_address_forbidden')
    assert.deepEqual(result.issue.path, ['mask', 'url'])
  }
})

void test('literal IPv6 URLs that embed a private IPv4 address are refused before connecting', async () => {
  const port = new URL(base).port
  for (const host of [
    '[::ffff:0:127.0.0.1]',
    '[::ffff:7f00:1]',
    '[64:ff9b::7f00:1]',
    '[64:ff9b:1::a9fe:a9fe]',
    '[2002:7f00:1::]',
    '[::127.0.0.1]',
  ]) {
    const result = await strict(`http://${host}:${port}/small`, ['source', 'url'])
    assert.ok(!result.ok, host)
    assert.equal(result.issue.code, 'fetch_address_forbidden', host)
    assert.deepEqual(result.issue.path, ['source', 'url'])
  }
})

void test('a CIDR allowlist entry and a host name entry both admit the local server', async () => {
  const byCidr = createSafeFetch({ maxBytes: 1000, timeoutMs: 500, allowHosts: ['127.0.0.0/8'] })
  assert.ok((await byCidr(`${base}/small`, [])).ok)
  const byName = createSafeFetch({ maxBytes: 1000, timeoutMs: 500, allowHosts: ['localhost'] })
  assert.ok((await byName(base.replace('127.0.0.1', 'localhost') + '/small', [])).ok)
})

void test('too large: by content-length and by counting streamed bytes', async () => {
  for (const name of ['/big-declared', '/big-chunked']) {
    const result = await allowed(`${base}${name}`, [])
    assert.ok(!result.ok)
    assert.equal(result.issue.code, 'fetch_too_large')
  }
})

void test('timeout: a server that never answers and one that stalls mid-body', async () => {
  for (const name of ['/hang', '/slow']) {
    const result = await allowed(`${base}${name}`, [])
    assert.ok(!result.ok)
    assert.equal(result.issue.code, 'fetch_timeout', name)
  }
})

void test('non-2xx and unresolvable hosts are fetch_failed', async () => {
  const missing = await allowed(`${base}/missing`, [])
  assert.ok(!missing.ok)
  assert.equal(missing.issue.code, 'fetch_failed')
  const nowhere = await strict('http://no-such-host.invalid/x.png', [])
  assert.ok(!nowhere.ok)
  assert.equal(nowhere.issue.code, 'fetch_failed')
  const bad = await strict('not a url', [])
  assert.ok(!bad.ok)
  assert.equal(bad.issue.code, 'fetch_failed')
})

void test('redirects: followed when allowed, each hop checked again, at most 5', async () => {
  const ok = await allowed(`${base}/redirect-ok`, [])
  assert.ok(ok.ok)
  for (const name of ['/redirect-metadata', '/redirect-mapped', '/redirect-file']) {
    const result = await allowed(`${base}${name}`, [])
    assert.ok(!result.ok)
    assert.equal(result.issue.code, 'fetch_address_forbidden', name)
  }
  const loop = await allowed(`${base}/loop`, [])
  assert.ok(!loop.ok)
  assert.equal(loop.issue.code, 'fetch_failed')
})

void test('only http and https', async () => {
  for (const url of ['file:///etc/passwd', 'ftp://example.com/x', 'data:image/png;base64,AAAA']) {
    const result = await strict(url, [])
    assert.ok(!result.ok)
    assert.equal(result.issue.code, 'fetch_address_forbidden')
  }
})

void test('address classification covers IPv4, IPv6 and IPv4 inside IPv6', () => {
  const refused = [
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::',
    '::1',
    'fe80::1',
    'fd00::1',
    'fc00::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:10.0.0.1',
    '64:ff9b::a00:1',
    '2002:c0a8:101::1',
    // IPv4-embedded IPv6 forms, judged by the IPv4 address they carry
    '::ffff:0:7f00:1', // translated ::ffff:0:0:0/96 → 127.0.0.1
    '::ffff:0:10.1.2.3', // translated, dotted tail
    '::ffff:0:0', // mapped 0.0.0.0
    '::ffff:a9fe:a9fe', // mapped 169.254.169.254 (cloud metadata)
    '::127.0.0.1', // IPv4-compatible ::/96
    '::8.8.8.8', // IPv4-compatible is deprecated: refused whatever it embeds
    '64:ff9b::127.0.0.1', // NAT64 well-known prefix
    '64:ff9b::c0a8:101', // NAT64 → 192.168.1.1
    '64:ff9b:1::a9fe:a9fe', // local-use NAT64 /96 → 169.254.169.254
    '64:ff9b:1:7f00:1::', // local-use NAT64 /48 → 127.0.0.1 (RFC 6052 layout)
    '64:ff9b:1::808:808', // local-use NAT64 is never public, even around 8.8.8.8
    '2002:7f00:1::', // 6to4 → 127.0.0.1
    '2002:a9fe:a9fe::1', // 6to4 → 169.254.169.254
    '2001:0:4136:e378:8000:63bf:80ff:fffe', // Teredo, client 127.0.0.1 (inverted)
  ]
  for (const address of refused) assert.equal(isPublicAddress(address), false, address)
  const admitted = [
    '8.8.8.8',
    '1.1.1.1',
    '172.32.0.1',
    '100.128.0.1',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8',
    '2a00:1450:4001::200e',
    '::ffff:0:8.8.8.8', // translated, public inside
    '64:ff9b::808:808', // NAT64 → 8.8.8.8
    '2002:808:808::1', // 6to4 → 8.8.8.8
  ]
  for (const address of admitted) assert.equal(isPublicAddress(address), true, address)
  assert.equal(isPublicAddress('example.com'), false)
})

void test('stream variant: delivers the body, refuses forbidden hosts, errors past the limit', async () => {
  const streamFetch = createSafeFetchStream({
    maxBytes: 50_000,
    timeoutMs: 500,
    allowHosts: ['127.0.0.1'],
  })
  const small = await streamFetch(`${base}/small`, [])
  assert.ok(small.ok)
  assert.equal(await new Response(small.stream).text(), 'hello')

  const declared = await streamFetch(`${base}/big-declared`, [])
  assert.ok(!declared.ok)
  assert.equal(declared.issue.code, 'fetch_too_large')

  const chunked = await streamFetch(`${base}/big-chunked`, [])
  assert.ok(chunked.ok)
  await assert.rejects(new Response(chunked.stream).arrayBuffer(), { code: 'fetch_too_large' })

  const slow = await streamFetch(`${base}/slow`, [])
  assert.ok(slow.ok)
  await assert.rejects(new Response(slow.stream).arrayBuffer(), { code: 'fetch_timeout' })

  const refused = await createSafeFetchStream({ maxBytes: 1000, timeoutMs: 500 })(
    `${base}/small`,
    [],
  )
  assert.ok(!refused.ok)
  assert.equal(refused.issue.code, 'fetch_address_forbidden')
})

void test('stream variant: a total deadline ends a source that sends a byte at a time', async () => {
  const streamFetch = createSafeFetchStream({
    maxBytes: 50_000,
    timeoutMs: 500,
    deadlineMs: 800,
    allowHosts: ['127.0.0.1'],
  })
  const drip = await streamFetch(`${base}/drip`, ['source', 'url'])
  assert.ok(drip.ok)
  await assert.rejects(new Response(drip.stream).arrayBuffer(), (err: unknown) => {
    const e = err as { code?: string; message?: string }
    assert.equal(e.code, 'fetch_timeout')
    assert.match(e.message ?? '', /did not finish within 800 ms/)
    return true
  })
})
