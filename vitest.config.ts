import { defineConfig } from 'vitest/config'

// One config, one project per suite; the file suffix picks the suite (see STYLE: test suffixes).
const suffixed = ['**/*.redis.test.ts', '**/*.contract.test.ts', '**/*.e2e.test.ts', '**/*.browser.test.ts']
const project = (name: string, include: string[], extra: object = {}) => ({
  extends: true as const,
  test: { name, include, exclude: name === 'unit' ? [...suffixed, '**/node_modules/**', 'dist/**'] : ['**/node_modules/**', 'dist/**'], ...extra },
})

export default defineConfig({
  test: {
    testTimeout: 20_000,
    hookTimeout: 30_000,
    projects: [
      // The fast lane (npm run test:unit). Each file keeps its own module graph: sharing one was faster,
      // but a test of process-wide state (young-garbage's forced collections) then saw another's.
      project('unit', ['src/**/*.test.ts', 'test/**/*.test.ts', 'scripts/**/*.test.ts']),
      project('redis', ['**/*.redis.test.ts']),
      project('contract', ['**/*.contract.test.ts']),
      project('e2e', ['**/*.e2e.test.ts'], { testTimeout: 60_000 }),
      project('browser', ['**/*.browser.test.ts'], { testTimeout: 60_000 }),
    ],
  },
})
