/** @type {import('prettier').Config} The one formatting policy (TanStack style). */
export default {
  semi: false,
  singleQuote: true,
  trailingComma: 'all',
  printWidth: 100,
}
