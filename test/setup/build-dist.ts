// Tests that start the real command as a user would (pipes, kill campaigns, the README's first
// command) run the compiled program in dist/, not the sources through tsx: a start then costs
// no TypeScript compilation, which decides how many starts a campaign can afford. `npm ci`
// builds dist/ (the `prepare` script); this rebuilds it once, before any test, when a source
// is newer than it.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

export default function setup(): void {
  let built = 0;
  try {
    built = statSync(join(root, 'dist/cli/main.js')).mtimeMs;
  } catch {}
  if (built > 0 && built >= newest(join(root, 'src'))) return;
  const r = spawnSync('npm', ['run', 'build'], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`npm run build failed:\n${r.stdout}\n${r.stderr}`);
}
