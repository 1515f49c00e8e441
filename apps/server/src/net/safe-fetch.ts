/**
 * Server-side fetches of user-supplied URLs (mask images, row data, import files by URL).
 *
 * A user URL must not reach into the server's own network (SSRF): only http(s), and every address
 * a host name resolves to must be public unless the host or address is allowlisted. The check runs
 * inside the socket's DNS lookup, so the address that is checked is the address that is connected
 * to (no second resolution an attacker's DNS could answer differently). Redirects are followed by
 * hand, each hop checked again. Size and time are bounded.
 */
import http from 'node:http'
import https from 'node:https'
import { BlockList, isIP } from 'node:net'
import { lookup as dnsLookup } from 'node:dns'
import type { LookupAddress, LookupOptions } from 'node:dns'
import { Readable } from 'node:stream'
import { AppError, issue } from '@labelport/core'
import type { Issue, IssuePath } from '@labelport/core'

export interface SafeFetchOptions {
  /** refuse bodies larger than this (by content-length, and by counting what arrives) */
  maxBytes: number
  /** whole request incl. redirects and body for `safeFetch`; headers and each body chunk for the stream */
  timeoutMs: number
  /** host names (exact, case-insensitive), IP addresses or CIDR ranges allowed even when private */
  allowHosts?: string[]
  /** the stream only: the whole transfer, headers to last byte, ends by then (a slow source cannot hold a worker) */
  deadlineMs?: number
}

export type SafeFetchResult =
  { ok: true; bytes: Uint8Array; contentType: string | null } | { ok: false; issue: Issue }

export type SafeFetchStreamResult =
  | {
      ok: true
      /** errors with an AppError (`fetch_too_large`, `fetch_timeout`, `fetch_failed`) when the limit or time runs out */
      stream: ReadableStream<Uint8Array>
      contentType: string | null
      /** content-length when the server sent one */
      size: number | null
    }
  | { ok: false; issue: Issue }

export type SafeFetch = (url: string, path: IssuePath) => Promise<SafeFetchResult>
export type SafeFetchStream = (url: string, path: IssuePath) => Promise<SafeFetchStreamResult>

const MAX_REDIRECTS = 5

const FORBIDDEN_V4: [string, number][] = [
  ['0.0.0.0', 8], // "this network", unspecified
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // CGNAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local (cloud metadata lives here)
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
]
const FORBIDDEN_V6: [string, number][] = [
  ['::', 96], // unspecified, loopback, IPv4-compatible (deprecated, refused whatever it embeds)
  ['100::', 64], // discard
  ['64:ff9b:1::', 48], // local-use NAT64 (RFC 8215): never a public destination
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique-local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
]

const forbidden = new BlockList()
for (const [net, prefix] of FORBIDDEN_V4) forbidden.addSubnet(net, prefix, 'ipv4')
for (const [net, prefix] of FORBIDDEN_V6) forbidden.addSubnet(net, prefix, 'ipv6')

/** The 16 bytes of an IPv6 address (with or without an embedded dotted IPv4 tail). */
function ipv6Bytes(address: string): Uint8Array {
  const bytes = new Uint8Array(16)
  let text = address.replace(/%.*$/, '')
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)
  if (dotted?.[1]) {
    const parts = dotted[1].split('.').map(Number)
    text = `${text.slice(0, -dotted[1].length)}${((parts[0]! << 8) | parts[1]!).toString(16)}:${((parts[2]! << 8) | parts[3]!).toString(16)}`
  }
  const [head = '', tail] = text.split('::')
  const headGroups = head ? head.split(':') : []
  const tailGroups = tail ? tail.split(':') : []
  const groups = [
    ...headGroups,
    ...new Array<string>(8 - headGroups.length - tailGroups.length).fill('0'),
    ...tailGroups,
  ]
  groups.forEach((group, i) => {
    const value = parseInt(group, 16)
    bytes[i * 2] = value >> 8
    bytes[i * 2 + 1] = value & 0xff
  })
  return bytes
}

const dotted = (b: Uint8Array, at: readonly number[]): string => at.map((i) => b[i]).join('.')

/**
 * The IPv4 addresses an IPv6 one carries, each checked like the IPv4 address it stands for:
 * `::a.b.c.d` (IPv4-compatible, ::/96), `::ffff:a.b.c.d` (mapped, ::ffff:0:0/96),
 * `::ffff:0:a.b.c.d` (translated, ::ffff:0:0:0/96), `64:ff9b::a.b.c.d` (NAT64, 64:ff9b::/96),
 * `64:ff9b:1::a.b.c.d` (local-use NAT64; the whole 64:ff9b:1::/48 is refused anyway, since an
 * operator may embed the address at any RFC 6052 position inside it),
 * `2002:aabb:ccdd::` (6to4, 2002::/16) and Teredo (2001::/32, client address inverted).
 * Empty for an address that embeds none.
 */
function embeddedIpv4(address: string): string[] {
  const b = ipv6Bytes(address)
  const zeros = (from: number, to: number): boolean => b.subarray(from, to).every((v) => v === 0)
  const tail = dotted(b, [12, 13, 14, 15])
  if (zeros(0, 12)) return [tail]
  if (zeros(0, 10) && b[10] === 0xff && b[11] === 0xff) return [tail]
  if (zeros(0, 8) && b[8] === 0xff && b[9] === 0xff && zeros(10, 12)) return [tail]
  if (b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b) {
    if (zeros(4, 12)) return [tail]
    if (b[4] === 0x00 && b[5] === 0x01) return [tail] // the /48 itself is refused whole below
  }
  if (b[0] === 0x20 && b[1] === 0x02) return [dotted(b, [2, 3, 4, 5])]
  if (b[0] === 0x20 && b[1] === 0x01 && b[2] === 0x00 && b[3] === 0x00)
    return [dotted(b, [4, 5, 6, 7]), [12, 13, 14, 15].map((i) => (b[i] ?? 0) ^ 0xff).join('.')]
  return []
}

/** True when the address is an ordinary public unicast address. */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address)
  if (family === 4) return !forbidden.check(address, 'ipv4')
  if (family === 6) {
    if (embeddedIpv4(address).some((v4) => forbidden.check(v4, 'ipv4'))) return false
    return !forbidden.check(address.replace(/%.*$/, ''), 'ipv6')
  }
  return false
}

interface Allowlist {
  hosts: Set<string>
  addresses: BlockList
}

function buildAllowlist(entries: readonly string[]): Allowlist {
  const hosts = new Set<string>()
  const addresses = new BlockList()
  for (const entry of entries) {
    const [net = '', prefixText] = entry.split('/')
    const bare = net.replace(/^\[|\]$/g, '')
    const family = isIP(bare)
    if (family === 0) {
      hosts.add(entry.toLowerCase())
      continue
    }
    const type = family === 4 ? 'ipv4' : 'ipv6'
    if (prefixText === undefined) addresses.addAddress(bare, type)
    else addresses.addSubnet(bare, Number(prefixText), type)
  }
  return { hosts, addresses }
}

function isAllowedAddress(address: string, allow: Allowlist): boolean {
  const family = isIP(address)
  if (family === 0) return false
  if (isPublicAddress(address)) return true
  if (allow.addresses.check(address, family === 4 ? 'ipv4' : 'ipv6')) return true
  const inner = family === 6 ? embeddedIpv4(address) : []
  return inner.length > 0 && inner.every((v4) => allow.addresses.check(v4, 'ipv4'))
}

/** Raised inside the socket's lookup; turned into an Issue by the caller. */
class ForbiddenAddressError extends Error {
  readonly address: string
  constructor(host: string, address: string) {
    super(`${host} resolves to ${address}, which is not a public address`)
    this.address = address
  }
}

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void

/** A `lookup` for http.request that resolves every address and refuses the host if any is private. */
function checkedLookup(allow: Allowlist) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses) => {
      if (err) return callback(err, [])
      if (!allow.hosts.has(hostname.toLowerCase())) {
        const bad = addresses.find((a) => !isAllowedAddress(a.address, allow))
        if (bad) return callback(new ForbiddenAddressError(hostname, bad.address), [])
      }
      const wanted =
        options.family === 4 || options.family === 'IPv4'
          ? 4
          : options.family === 6 || options.family === 'IPv6'
            ? 6
            : 0
      const usable = wanted === 0 ? addresses : addresses.filter((a) => a.family === wanted)
      const first = usable[0]
      if (!first)
        return callback(
          Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }),
          [],
        )
      if (options.all) callback(null, usable)
      else callback(null, first.address, first.family)
    })
  }
}

interface Opened {
  response: http.IncomingMessage
  url: URL
}

/** Why a request failed, as an Issue. */
function describeError(err: unknown, url: string, path: IssuePath): Issue {
  if (err instanceof ForbiddenAddressError)
    return issue('fetch_address_forbidden', err.message, path)
  if (err instanceof AppError) return { code: err.code, message: err.message, path }
  const code = (err as { code?: unknown } | null)?.code
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return issue('fetch_failed', `could not resolve the host of ${url}`, path)
  const message = err instanceof Error ? err.message : String(err)
  return issue('fetch_failed', `could not fetch ${url}: ${message}`, path)
}

/** Checks a URL before any connection: scheme, credentials-free, literal addresses. */
function checkUrl(
  raw: string,
  allow: Allowlist,
  path: IssuePath,
): { ok: true; url: URL } | { ok: false; issue: Issue } {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return { ok: false, issue: issue('fetch_failed', 'not a valid URL', path) }
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return {
      ok: false,
      issue: issue(
        'fetch_address_forbidden',
        `only http and https URLs can be fetched, not ${url.protocol}`,
        path,
      ),
    }
  }
  const host = url.hostname.replace(/^\[|\]$/g, '')
  if (isIP(host) !== 0 && !allow.hosts.has(host.toLowerCase()) && !isAllowedAddress(host, allow)) {
    return {
      ok: false,
      issue: issue('fetch_address_forbidden', `${host} is not a public address`, path),
    }
  }
  return { ok: true, url }
}

/** Opens the URL, following redirects by hand; resolves with a 2xx response or an Issue. */
async function open(
  raw: string,
  allow: Allowlist,
  signal: AbortSignal,
  path: IssuePath,
): Promise<{ ok: true; opened: Opened } | { ok: false; issue: Issue }> {
  let current = raw
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const checked = checkUrl(current, allow, path)
    if (!checked.ok) return checked
    const url = checked.url
    let response: http.IncomingMessage
    try {
      response = await new Promise<http.IncomingMessage>((resolve, reject) => {
        const transport = url.protocol === 'https:' ? https : http
        const request = transport.request(url, {
          method: 'GET',
          agent: false, // no pooled socket checked under another allowlist
          lookup: checkedLookup(allow),
          signal,
          headers: { 'user-agent': 'labelport', accept: '*/*' },
        })
        request.once('response', resolve)
        request.once('error', reject)
        request.end()
      })
    } catch (err) {
      if (signal.aborted) return { ok: false, issue: describeError(signal.reason, current, path) }
      return { ok: false, issue: describeError(err, current, path) }
    }
    const status = response.statusCode ?? 0
    if (status >= 300 && status < 400 && status !== 304 && response.headers.location) {
      response.resume()
      if (hop === MAX_REDIRECTS)
        return {
          ok: false,
          issue: issue('fetch_failed', `more than ${MAX_REDIRECTS} redirects`, path),
        }
      current = new URL(response.headers.location, url).href
      continue
    }
    if (status < 200 || status >= 300) {
      response.resume()
      return {
        ok: false,
        issue: issue('fetch_failed', `${url.href} answered HTTP ${status}`, path),
      }
    }
    return { ok: true, opened: { response, url } }
  }
  return { ok: false, issue: issue('fetch_failed', `more than ${MAX_REDIRECTS} redirects`, path) }
}

function declaredLength(response: http.IncomingMessage): number | null {
  const header = response.headers['content-length']
  if (header === undefined) return null
  const value = Number(header)
  return Number.isSafeInteger(value) && value >= 0 ? value : null
}

function tooLarge(maxBytes: number, path: IssuePath): Issue {
  return issue('fetch_too_large', `the response is larger than ${maxBytes} bytes`, path)
}

/** A fetch for user URLs that buffers the whole (bounded) body. */
export function createSafeFetch(options: SafeFetchOptions): SafeFetch {
  const allow = buildAllowlist(options.allowHosts ?? [])
  return async (url, path) => {
    const controller = new AbortController()
    const timer = setTimeout(() => {
      controller.abort(
        new AppError(
          'fetch_timeout',
          `no complete answer from ${url} within ${options.timeoutMs} ms`,
        ),
      )
    }, options.timeoutMs)
    try {
      const opened = await open(url, allow, controller.signal, path)
      if (!opened.ok) return opened
      const { response } = opened.opened
      const length = declaredLength(response)
      if (length !== null && length > options.maxBytes) {
        response.destroy()
        return { ok: false, issue: tooLarge(options.maxBytes, path) }
      }
      const chunks: Uint8Array[] = []
      let received = 0
      try {
        for await (const chunk of response as AsyncIterable<Uint8Array>) {
          received += chunk.byteLength
          if (received > options.maxBytes) {
            response.destroy()
            return { ok: false, issue: tooLarge(options.maxBytes, path) }
          }
          chunks.push(chunk)
        }
      } catch (err) {
        return {
          ok: false,
          issue: describeError(
            controller.signal.aborted ? controller.signal.reason : err,
            url,
            path,
          ),
        }
      }
      if (controller.signal.aborted)
        return { ok: false, issue: describeError(controller.signal.reason, url, path) }
      const bytes = new Uint8Array(received)
      let offset = 0
      for (const chunk of chunks) {
        bytes.set(chunk, offset)
        offset += chunk.byteLength
      }
      return { ok: true, bytes, contentType: response.headers['content-type'] ?? null }
    } finally {
      clearTimeout(timer)
    }
  }
}

/**
 * A fetch for big inputs (NDJSON import files by URL): the body is streamed, never buffered.
 * `timeoutMs` bounds the wait for the headers and for each chunk, not the whole transfer.
 */
export function createSafeFetchStream(options: SafeFetchOptions): SafeFetchStream {
  const allow = buildAllowlist(options.allowHosts ?? [])
  return async (url, path) => {
    const started = Date.now()
    const deadlineMs = options.deadlineMs ?? Number.POSITIVE_INFINITY
    const controller = new AbortController()
    let timer = setTimeout(() => {
      controller.abort(
        new AppError('fetch_timeout', `no answer from ${url} within ${options.timeoutMs} ms`),
      )
    }, options.timeoutMs)
    const opened = await open(url, allow, controller.signal, path)
    clearTimeout(timer)
    if (!opened.ok) return opened
    const { response } = opened.opened
    const length = declaredLength(response)
    if (length !== null && length > options.maxBytes) {
      response.destroy()
      return { ok: false, issue: tooLarge(options.maxBytes, path) }
    }
    let received = 0
    const idle = (): void => {
      clearTimeout(timer)
      const left = deadlineMs - (Date.now() - started)
      const overall = left < options.timeoutMs
      timer = setTimeout(
        () => {
          response.destroy(
            new AppError(
              'fetch_timeout',
              overall
                ? `${url} did not finish within ${deadlineMs} ms (LABELPORT_FETCH_DEADLINE_MS)`
                : `${url} sent nothing for ${options.timeoutMs} ms`,
              { path },
            ),
          )
        },
        Math.max(0, overall ? left : options.timeoutMs),
      )
    }
    async function* bounded(): AsyncGenerator<Uint8Array> {
      idle()
      try {
        for await (const chunk of response as AsyncIterable<Uint8Array>) {
          received += chunk.byteLength
          if (received > options.maxBytes) {
            throw new AppError(
              'fetch_too_large',
              `the response is larger than ${options.maxBytes} bytes`,
              { path },
            )
          }
          idle()
          yield chunk
        }
      } catch (err) {
        if (err instanceof AppError) throw err
        throw AppError.fromIssue(describeError(err, url, path))
      } finally {
        clearTimeout(timer)
        response.destroy()
      }
    }
    const stream = Readable.toWeb(
      Readable.from(bounded(), { objectMode: false }),
    ) as ReadableStream<Uint8Array>
    return { ok: true, stream, contentType: response.headers['content-type'] ?? null, size: length }
  }
}
