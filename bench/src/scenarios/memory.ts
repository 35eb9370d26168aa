/**
 * 4. Memory: peak RSS of the replicating process while one large file copies, minus its idle RSS
 * (replicator started and caught up, nothing to copy). The peak is the kernel's VmHWM, reset after
 * the idle reading (`/proc/<pid>/clear_refs`), cross-checked by sampling VmRSS every 50 ms.
 */
import { evaluate, mustBeZero } from '../report.js'
import { ReplicatorProcess, putLarge, verify } from '../lib.js'
import { CpuWindow, memoryBytes, resetPeakRss, round2, sleep, startFilers } from '../procs.js'
import type { Scenario } from './types.js'

const MiB = 2 ** 20

export const memoryScenario: Scenario = {
  id: 'memory',
  title: 'memory',
  async run(ctx) {
    const sizeMiB = ctx.quick ? 256 : 2048
    const [a, b] = await startFilers(['mem-a', 'mem-b'])
    const fa = a!
    const fb = b!
    let replicator: ReplicatorProcess | undefined
    try {
      replicator = await ReplicatorProcess.start('replicator-memory', [
        {
          sourceAddress: fa.info.address,
          targetAddress: fb.info.address,
          sourcePath: '/big',
          targetPath: '/big',
        },
      ])
      const pid = replicator.child.pid
      await replicator.until((s) => s.dirs[0]!.state === 'streaming', 30_000)
      await sleep(3000) // startup garbage collected, caught up
      const idle = memoryBytes(pid)
      const hwmReset = resetPeakRss(pid)
      let sampled = idle
      const sampler = setInterval(() => (sampled = Math.max(sampled, memoryBytes(pid))), 50)
      ctx.log(
        `memory: writing a ${sizeMiB} MiB file on A, replicator idle at ${Math.round(idle / MiB)} MiB`,
      )
      await putLarge(fa.info.http, '/big/file.bin', sizeMiB * MiB, 1)
      const cpu = new CpuWindow(
        new Map([
          ['filerA', fa.child.pid],
          ['filerB', fb.child.pid],
          ['replicator', pid],
        ]),
      )
      const t = performance.now()
      await replicator.until(
        (s) => s.dirs[0]!.applied >= 1 && s.dirs[0]!.backlog === 0 && s.dirs[0]!.failures === 0,
        300_000,
      )
      const seconds = (performance.now() - t) / 1000
      clearInterval(sampler)
      const hwm = memoryBytes(pid, 'VmHWM')
      const peak = hwmReset ? Math.max(hwm, sampled) : sampled
      const summary = await verify(fa.info.address, fb.info.address, '/big')
      const above = (peak - idle) / MiB
      return {
        checks: [
          evaluate({
            name: `peak RSS above idle, ${sizeMiB} MiB file`,
            value: above,
            unit: 'MiB',
            op: '<=',
            threshold: 200,
          }),
          mustBeZero('verify differences', summary.totalErrors),
        ],
        details: {
          fileMiB: sizeMiB,
          idleRssMiB: round2(idle / MiB),
          peakRssMiB: round2(peak / MiB),
          peakFrom: hwmReset ? 'VmHWM after clear_refs, and 50 ms samples' : '50 ms samples',
          sampledPeakMiB: round2(sampled / MiB),
          copySeconds: round2(seconds),
          mibPerSecond: round2(sizeMiB / seconds),
          cpu: cpu.shares(),
        },
      }
    } finally {
      await replicator?.stop()
      await Promise.all([fa.stop(), fb.stop()])
    }
  },
}
