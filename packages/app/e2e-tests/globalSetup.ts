import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';

// moto on 127.0.0.1:5001 for the portal's Lambda target (app-config.yaml mlops.targets.lambda),
// started through scripts/engines.sh, which builds .venvs/aws on first use and creates the IAM role
// that deployments create functions with. The same lock as the backend's engine tests, so a jest
// run that starts moto at the same time does not race this one. A moto this setup started is
// stopped after the tests; one that already ran (./synth start, another test run) is left alone.

const root = path.resolve(__dirname, '..', '..', '..');
const engines = path.join(root, 'scripts', 'engines.sh');

function engine(action: 'start' | 'stop' | 'status') {
  return [
    '-o',
    '/tmp/synth-engines-moto.lock',
    'bash',
    engines,
    action,
    'moto',
  ];
}

export default function globalSetup() {
  const wasRunning = spawnSync('flock', engine('status')).status === 0;
  execFileSync('flock', engine('start'), {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
    timeout: 15 * 60_000,
  });
  return () => {
    if (!wasRunning) {
      execFileSync('flock', engine('stop'), {
        cwd: root,
        stdio: ['ignore', 'inherit', 'inherit'],
      });
    }
  };
}
