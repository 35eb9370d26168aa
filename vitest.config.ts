import { defineConfig } from 'vitest/config'

/** Runs every package's own Vitest project, so `pnpm test` covers the whole workspace. */
export default defineConfig({
  test: {
    projects: ['packages/*/vitest.config.ts', 'apps/*/vitest.config.ts', 'bench/vitest.config.ts'],
  },
})
