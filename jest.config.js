// ts-jest in ESM mode: @kubernetes/client-node 2.x ships only ES modules.
// Type checking is `npm run build`'s job (tsc over the whole project), so the
// transform only transpiles (tsconfig isolatedModules), which keeps the 2 MB of generated imports fast.
const transform = {
  '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }],
};

const common = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform,
};

export default {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      // The GitOps suite needs Argo CD built (npm run argocd): opt-in, npm run test:gitops.
      testPathIgnorePatterns: ['/test/integration/gitops\\.test\\.ts$'],
      // Counts failures so that a suite keeps its control plane's logs.
      testEnvironment: '<rootDir>/test/support/integration-environment.js',
      setupFilesAfterEnv: ['<rootDir>/test/support/integration-setup.ts'],
    },
    {
      ...common,
      displayName: 'gitops',
      testMatch: ['<rootDir>/test/integration/gitops.test.ts'],
      testEnvironment: '<rootDir>/test/support/integration-environment.js',
      setupFilesAfterEnv: ['<rootDir>/test/support/integration-setup.ts'],
    },
  ],
};
