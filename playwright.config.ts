import { defineConfig } from '@playwright/test';
import { generateProjects } from '@backstage/e2e-test-utils/playwright';

// End-to-end tests run against the quick-start portal (started here unless one already answers) in
// Debian's Chromium: Playwright's own browser download cannot work on our machines.
const chromium = process.env.SYNTH_CHROMIUM ?? '/usr/bin/chromium';
const frontendUrl = process.env.PLAYWRIGHT_URL ?? 'http://localhost:3000';

export default defineConfig({
  timeout: 90_000,
  expect: { timeout: 30_000 },
  // The portal is started once and shared; tests are independent of each other's data.
  workers: 1,
  forbidOnly: !!process.env.CI,
  // moto for the portal's Lambda target (deployments.test.ts); stopped again if it started it.
  globalSetup: './packages/app/e2e-tests/globalSetup.ts',
  retries: 0,
  reporter: [
    ['list'],
    ['json'],
    ['html', { open: 'never', outputFolder: 'e2e-test-report' }],
  ],
  webServer: [
    {
      // The same start path as the README's first command, minus the interactive checks.
      command:
        'yarn start --config ../../app-config.yaml --config ../../app-config.e2e.yaml',
      url: 'http://127.0.0.1:7007/.backstage/health/v1/readiness',
      reuseExistingServer: !process.env.CI,
      timeout: 300_000,
      stdout: 'ignore',
      stderr: 'pipe',
    },
    {
      command: 'node scripts/wait-for-url.js http://localhost:3000',
      url: frontendUrl,
      reuseExistingServer: true,
      timeout: 300_000,
    },
  ],
  use: {
    baseURL: frontendUrl,
    actionTimeout: 30_000,
    screenshot: 'on',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: chromium,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  // Screenshots and traces are test artefacts (gitignored).
  outputDir: 'e2e-test-results',
  projects: generateProjects().map(project => ({
    ...project,
    use: { ...project.use, channel: undefined },
  })),
});
