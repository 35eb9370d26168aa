import { defineConfig } from 'vitest/config'

/** Base config for each package: resolve workspace packages to their TypeScript source. */
export const sharedConfig = defineConfig({
  resolve: { conditions: ['@seasync/source'] },
  ssr: { resolve: { conditions: ['@seasync/source'] } },
  test: {
    environment: 'node',
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
})
