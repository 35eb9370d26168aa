/**
 * `pnpm bench:profile <file.cpuprofile> [--top N]`: what a V8 CPU profile (as `BENCH_CPU_PROF`
 * writes them, one per child process) spent its time on, as text: time by area (grpc-js, node's
 * HTTP client, protobuf, our packages, GC…), then the functions with the most self and inclusive
 * time. For a flame graph, open the same file in Chrome DevTools (Performance) or speedscope.
 *
 * Caveat when reading it: samples are taken on a wall clock, so time a process spent descheduled
 * inside a syscall (a loopback write that woke the other side) counts as that native function;
 * the CPU shares in the bench results come from /proc and are the CPU truth.
 */
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'

interface CallFrame {
  functionName: string
  url: string
  lineNumber: number
}
interface ProfileNode {
  id: number
  callFrame: CallFrame
  children?: number[]
}
interface CpuProfile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
}

/** The area a frame belongs to, for the first table. */
export function area({ functionName, url }: CallFrame): string {
  if (['(idle)', '(program)', '(garbage collector)', '(root)'].includes(functionName)) {
    return functionName
  }
  if (url.includes('@grpc/grpc-js')) return 'grpc-js'
  if (url.includes('protobufjs') || /\$(encode|decode|fromObject|toObject)$/.test(functionName)) {
    return 'protobuf'
  }
  if (url.includes('/long/')) return 'long (64-bit ints)'
  if (url.includes('better-sqlite3')) return 'better-sqlite3'
  if (url.includes('node:internal/http2')) return 'node http2'
  if (url.includes('_http_') || url === 'node:http' || url === 'node:https') return 'node http'
  if (/event_target|abort_controller|abort_listener/.test(url)) return 'AbortSignal/EventTarget'
  if (/node:internal\/(modules|source_map)|\/tsx\//.test(url)) return 'module loading'
  if (
    url.startsWith('node:internal/streams') ||
    url.includes('stream_base') ||
    url === 'node:net'
  ) {
    return 'node streams/net'
  }
  if (url.startsWith('node:')) return `node ${url.replace(/^node:(internal\/)?/, '')}`
  const ours = /\/(packages|apps|bench)\/([^/]+)\//.exec(url)
  if (ours && !url.includes('node_modules')) return `${ours[1]}/${ours[2]}`
  if (url === '') return `native ${functionName}`
  return 'other'
}

function label({ functionName, url, lineNumber }: CallFrame): string {
  const file = url.split('/').slice(-2).join('/')
  return `${functionName || '(anonymous)'} ${file}:${lineNumber + 1}`
}

export function summarize(profile: CpuProfile, top = 25): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const parent = new Map<number, number>()
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const selfUs = new Map<number, number>()
  profile.samples.forEach((id, i) => {
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0))
  })
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0)
  const areas = new Map<string, number>()
  const self = new Map<string, number>()
  const inclusive = new Map<string, number>()
  for (const [id, us] of selfUs) {
    const node = byId.get(id)!
    const add = (m: Map<string, number>, k: string): void => void m.set(k, (m.get(k) ?? 0) + us)
    add(areas, area(node.callFrame))
    add(self, label(node.callFrame))
    // Each function once per stack, however often it recurses.
    const seen = new Set<string>()
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const name = label(byId.get(at)!.callFrame)
      if (!seen.has(name)) {
        seen.add(name)
        add(inclusive, name)
      }
    }
  }
  const table = (title: string, m: Map<string, number>, n: number): string[] => [
    '',
    title,
    ...[...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(
        ([k, us]) =>
          `${(us / 1000).toFixed(0).padStart(8)} ms ${((100 * us) / total).toFixed(1).padStart(5)}%  ${k}`,
      ),
  ]
  return [
    `${(total / 1000).toFixed(0)} ms sampled`,
    ...table('time by area', areas, 30),
    ...table(`self time, top ${top}`, self, top),
    ...table(`inclusive time, top ${top}`, inclusive, top),
  ].join('\n')
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values, positionals } = parseArgs({
    options: { top: { type: 'string', default: '25' } },
    allowPositionals: true,
  })
  if (positionals.length === 0) {
    process.stderr.write('usage: pnpm bench:profile <file.cpuprofile> [--top N]\n')
    process.exit(2)
  }
  for (const file of positionals) {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile
    process.stdout.write(`# ${file}\n${summarize(profile, Number(values.top))}\n\n`)
  }
}
