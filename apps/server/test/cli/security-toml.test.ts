import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startEmbeddedFiler, type EmbeddedFiler } from '@seasync/embedded-filer'
import { afterEach, describe, expect, it } from 'vitest'
import { main } from '../../src/cli/main.js'
import {
  describeSecurity,
  loadSecurity,
  loadSidesSecurity,
  parseSecurityToml,
  SecurityConfigError,
  type SecurityIo,
} from '../../src/cli/security-toml.js'
import { recordingIo } from '../support/cli-io.js'

const FIXTURES = new URL('../../../../fixtures/tls/', import.meta.url).pathname

const cleanups: (() => unknown)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** A file system of `files` (path → text); everything else is ENOENT. */
function memoryIo(files: Record<string, string>, cwd = '/work', home = '/home/u'): SecurityIo {
  return {
    cwd,
    home,
    readFile: (path) =>
      path in files
        ? Promise.resolve(files[path]!)
        : Promise.reject(Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' })),
  }
}

describe('parseSecurityToml', () => {
  it('reads the subset weed scaffold writes: tables, strings, booleans, integers, comments', () => {
    const values = parseSecurityToml(
      [
        '# all grpc tls authentications are mutual',
        '[jwt.signing]',
        'key = ""',
        'expires_after_seconds = 10           # seconds',
        '[grpc]',
        'ca = "/etc/ssl/ca.pem"',
        '[ grpc.client ]',
        "cert = '/etc/ssl/c:\\client.pem'",
        'key  = "/etc/ssl/\\u0063lient.key"',
        '[https.client]',
        'enabled = true',
      ].join('\n'),
      'security.toml',
    )
    expect(Object.fromEntries(values)).toEqual({
      'jwt.signing.key': '',
      'jwt.signing.expires_after_seconds': 10,
      'grpc.ca': '/etc/ssl/ca.pem',
      'grpc.client.cert': '/etc/ssl/c:\\client.pem',
      'grpc.client.key': '/etc/ssl/client.key',
      'https.client.enabled': true,
    })
  })

  it('refuses what it does not support, naming file and line', () => {
    const refused: [string, RegExp][] = [
      ['a = [1, 2]', /f:1: unsupported value/],
      ['[grpc]\nca = { path = "x" }', /f:2: unsupported value/],
      ['x = """multi', /f:1: multi-line strings are not supported/],
      ['grpc.ca = "x"', /f:1: unsupported line/],
      ['"quoted" = 1', /f:1: unsupported line/],
      ['[[array.table]]', /f:1: unsupported table header/],
      ['[grpc]\n[grpc]', /f:2: table \[grpc\] defined twice/],
      ['a = 1\na = 2', /f:2: key a defined twice/],
      ['a = "open', /f:1: unterminated string/],
      ['a = "x" y', /f:1: unexpected text after the value/],
      ['a = 1.5', /f:1: unsupported value/],
      ['a = "\\q"', /f:1: unsupported escape/],
    ]
    for (const [text, message] of refused) {
      expect(() => parseSecurityToml(text, 'f'), text).toThrow(message)
    }
  })
})

describe('loadSecurity', () => {
  const toml = [
    '[grpc]',
    'ca = "certs/ca.pem"',
    '[grpc.client]',
    'cert = "certs/client.pem"',
    'key = "/abs/client.key"',
    '[https.client]',
    'enabled = true',
    'ca = "certs/https-ca.pem"',
    'insecure_skip_verify = true',
  ].join('\n')

  it('an explicit file: PEM paths relative to the file, gRPC needs ca+cert+key, HTTPS when enabled', async () => {
    const io = memoryIo({
      '/etc/a/security.toml': toml,
      '/etc/a/certs/ca.pem': 'CA',
      '/etc/a/certs/client.pem': 'CERT',
      '/abs/client.key': 'KEY',
      '/etc/a/certs/https-ca.pem': 'HTTPS-CA',
    })
    const loaded = await loadSecurity('/etc/a/security.toml', io)
    expect(loaded).toEqual({
      file: '/etc/a/security.toml',
      tls: {
        grpc: { ca: 'CA', cert: 'CERT', key: 'KEY' },
        https: { ca: 'HTTPS-CA', insecureSkipVerify: true },
      },
    })
    expect(describeSecurity('a', loaded)).toBe(
      'filer A: TLS from /etc/a/security.toml: gRPC mutual TLS, HTTPS (insecure_skip_verify)',
    )
  })

  it('without a file: the first of ./security.toml, ~/.seaweedfs/, /etc/seaweedfs/; none is plaintext', async () => {
    const scaffold =
      '[grpc]\nca = ""\n[grpc.client]\ncert = ""\nkey = ""\n[https.client]\nenabled = false\n'
    expect(await loadSecurity('', memoryIo({}))).toBeUndefined()
    const home = await loadSecurity(
      '',
      memoryIo({
        '/home/u/.seaweedfs/security.toml': scaffold,
        '/etc/seaweedfs/security.toml': 'not = toml = at all',
      }),
    )
    expect(home).toEqual({ file: '/home/u/.seaweedfs/security.toml', tls: undefined })
    expect(describeSecurity('b', home)).toBe(
      'filer B: /home/u/.seaweedfs/security.toml configures no TLS: plaintext gRPC and HTTP',
    )
    // Global file: paths as written, relative to the working directory (Go's global config).
    const cwd = await loadSecurity(
      '',
      memoryIo({
        '/work/security.toml':
          '[grpc]\nca = "ca.pem"\n[grpc.client]\ncert = "c.pem"\nkey = "k.pem"',
        '/work/ca.pem': 'CA',
        '/work/c.pem': 'C',
        '/work/k.pem': 'K',
      }),
    )
    expect(cwd?.tls).toEqual({ grpc: { ca: 'CA', cert: 'C', key: 'K' } })
  })

  it('an explicit file that is missing, malformed or names a missing PEM fails; never plaintext', async () => {
    await expect(loadSecurity('/nope.toml', memoryIo({}))).rejects.toThrow(
      /cannot read \/nope\.toml/,
    )
    await expect(loadSecurity('/s.toml', memoryIo({ '/s.toml': 'a = [' }))).rejects.toThrow(
      SecurityConfigError,
    )
    await expect(
      loadSecurity('/s.toml', memoryIo({ '/s.toml': '[grpc]\nca = "missing.pem"' })),
    ).rejects.toThrow(/grpc\.ca = missing\.pem: cannot read \/missing\.pem/)
    await expect(
      loadSidesSecurity({ a: '', b: '/s.toml' }, memoryIo({ '/s.toml': 'x = 1.5' })),
    ).rejects.toMatchObject({ flag: 'b.security', message: /^-b\.security: \/s\.toml:1: / })
  })
})

describe('seasync filer.sync with -a.security / -b.security', () => {
  it(
    'replicates between two mutual-TLS filers, each side with its own file',
    { timeout: 60_000 },
    async () => {
      const pem = (name: string) => readFile(join(FIXTURES, name), 'utf8')
      const serverTls = {
        ca: await pem('ca.pem'),
        cert: await pem('server.pem'),
        key: await pem('server.key'),
      }
      const filers: EmbeddedFiler[] = []
      for (let i = 0; i < 2; i++) {
        const f = await startEmbeddedFiler({ maxMB: 1, tls: serverTls })
        cleanups.push(() => f.close())
        filers.push(f)
      }
      const [a, b] = filers as [EmbeddedFiler, EmbeddedFiler]
      const dir = await mkdtemp(join(tmpdir(), 'seasync-security-'))
      cleanups.push(() => rm(dir, { recursive: true, force: true }))
      const file = join(dir, 'security.toml')
      await writeFile(
        file,
        `[grpc]\nca = "${FIXTURES}ca.pem"\n[grpc.client]\ncert = "${FIXTURES}client.pem"\n` +
          `key = "${FIXTURES}client.key"\n[https.client]\nenabled = true\nca = "${FIXTURES}ca.pem"\n` +
          `cert = "${FIXTURES}client.pem"\nkey = "${FIXTURES}client.key"\n`,
      )

      const io = recordingIo()
      const exit = main(
        [
          'filer.sync',
          '-a',
          a.address,
          '-b',
          b.address,
          '-isActivePassive',
          '-a.security',
          file,
          '-b.security',
          file,
        ],
        io,
      )
      cleanups.push(async () => {
        io.stop()
        await exit
      })
      const { request } = await import('node:https')
      const call = (url: string, method = 'GET', body?: string) =>
        new Promise<{ status: number; text: string }>((resolve, reject) => {
          const req = request(
            url,
            { method, ca: serverTls.ca, agent: false, cert: serverTls.cert, key: serverTls.key },
            (res) => {
              const pieces: Buffer[] = []
              res.on('data', (p: Buffer) => pieces.push(p))
              res.on('end', () =>
                resolve({ status: res.statusCode ?? 0, text: Buffer.concat(pieces).toString() }),
              )
            },
          )
          req.on('error', reject)
          req.end(body)
        })
      const big = 'y'.repeat(1.5 * 2 ** 20)
      expect((await call(`https://${a.httpAddress}/big.txt`, 'PUT', big)).status).toBe(201)
      await expect
        .poll(async () => (await call(`https://${b.httpAddress}/big.txt`)).text, {
          timeout: 15_000,
        })
        .toBe(big)
      io.stop('SIGTERM')
      expect(await exit).toBe(0)
      const err = io.err.join('')
      expect(err).toContain(`info filer A: TLS from ${file}: gRPC mutual TLS, HTTPS\n`)
      expect(err).not.toMatch(/ (warn|error) /)
      expect(err).not.toContain('PRIVATE KEY')
    },
  )

  it('a malformed -b.security file is exit 2 naming the flag, file and line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'seasync-security-'))
    cleanups.push(() => rm(dir, { recursive: true, force: true }))
    const file = join(dir, 'bad.toml')
    await writeFile(file, '[grpc]\nca = ["a", "b"]\n')
    const io = recordingIo()
    expect(
      await main(['filer.sync', '-a', 'h1:8888', '-b', 'h2:8888', '-b.security', file], io),
    ).toBe(2)
    expect(io.err.join('')).toContain(`-b.security: ${file}:2: unsupported value`)
  })
})
