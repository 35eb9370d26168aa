import { activeActiveScenario } from './active-active.js'
import { dataScenario } from './data.js'
import { manyEdgesScenario } from './many-edges.js'
import { memoryScenario } from './memory.js'
import { metadataScenario } from './metadata.js'
import { steadyScenario } from './steady.js'
import type { Scenario } from './types.js'

/** Every scenario, in the order `pnpm bench` runs them. */
export const scenarios: Scenario[] = [
  metadataScenario,
  dataScenario,
  steadyScenario,
  memoryScenario,
  manyEdgesScenario,
  activeActiveScenario,
]
