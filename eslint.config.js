// @ts-check
/**
 * The one lint policy (STYLE.md, tooling): type-checked typescript-eslint rules through the project
 * service, type-only imports spelled `import type`, no `@ts-ignore`, and no deep imports into
 * another package's `src` (STYLE.md §1: a package's only door is its `src/index.ts`).
 * Formatting is Prettier's job, so no stylistic rules live here.
 */
import js from '@eslint/js'
import { defineConfig } from 'eslint/config'
import tseslint from 'typescript-eslint'

export default defineConfig(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      '**/coverage/**',
      // STYLE.md §14: generated code is written only by `pnpm generate` and never linted.
      'packages/proto/src/gen/**',
      '**/test-results/**',
      '**/playwright-report/**',
    ],
  },

  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,

  {
    languageOptions: {
      parserOptions: {
        // Each file is checked against the tsconfig.json that owns it (the packages' own configs).
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { prefer: 'type-imports', fixStyle: 'inline-type-imports' },
      ],
      '@typescript-eslint/ban-ts-comment': [
        'error',
        {
          'ts-expect-error': 'allow-with-description',
          'ts-ignore': true,
          'ts-nocheck': true,
          'ts-check': false,
          minimumDescriptionLength: 5,
        },
      ],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@seasync/*/src', '@seasync/*/src/**'],
              message:
                'Import the package itself: its only public door is src/index.ts (STYLE.md §1).',
            },
          ],
        },
      ],
      // Numbers and booleans in templates read fine (ports, byte counts, flags).
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
      // `_`-prefixed names are deliberately unused (callback arity, destructuring to omit).
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      // `void promise` marks a deliberately detached promise (signal handlers, fire-and-forget).
      '@typescript-eslint/no-floating-promises': ['error', { ignoreVoid: true }],
      // Callbacks may be async where the caller ignores the result (event emitters, grpc handlers);
      // checking arguments would flag every such handler.
      '@typescript-eslint/no-misused-promises': [
        'error',
        { checksVoidReturn: { arguments: false } },
      ],
      // An async function without await is fine: it implements an async interface and turns a
      // synchronous throw into a rejection, which is what callers of a Promise API expect.
      '@typescript-eslint/require-await': 'off',
    },
  },

  // Tests: assertions after a lookup are the point of the test, and mocks are loosely typed.
  {
    files: ['**/test/**/*.ts', '**/*.test.ts', '**/*.spec.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },

  // Config files (eslint/prettier/vitest/playwright) belong to no tsconfig: lint them without types.
  {
    files: ['*.{js,mjs,cjs,ts}', '**/*.config.{js,mjs,cjs,ts}'],
    ignores: ['{apps,packages}/*/{src,test,scripts,bench}/**'],
    extends: [tseslint.configs.disableTypeChecked],
  },
)
