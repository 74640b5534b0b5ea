// Go and Debian's golang.org/x/mod for the interop tests: where they are, why a suite skips
// without them, and building interop/go/verifylog offline (GOPATH mode, no module proxy).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '../..');
const goSrc = join(repoRoot, 'interop/go/verifylog');
const gocode = '/usr/share/gocode';

/** The go binary: $PHASELINE_GO, else Debian's golang-1.19-go, else `go` on the PATH. */
function findGo(): string | undefined {
  const candidates = [process.env.PHASELINE_GO, '/usr/lib/go-1.19/bin/go'];
  for (const dir of (process.env.PATH ?? '').split(delimiter)) if (dir) candidates.push(join(dir, 'go'));
  return candidates.find((c): c is string => c !== undefined && c !== '' && existsSync(c));
}

const goBin = findGo();
const xmodPresent = ['note/note.go', 'tlog/tlog.go', 'tlog/tile.go'].every((f) =>
  existsSync(join(gocode, 'src/golang.org/x/mod/sumdb', f)),
);

/** Why the Go suites cannot run here, or undefined when they can. */
export const skipReason =
  goBin === undefined
    ? 'no Go toolchain (apt-get install golang-1.19-go)'
    : !xmodPresent
      ? `golang.org/x/mod sources not under ${gocode} (apt-get install golang-golang-x-mod-dev)`
      : undefined;
if (skipReason !== undefined) {
  if (process.env.PHASELINE_REQUIRE_GO_INTEROP === '1')
    throw new Error(`Go interop is required (PHASELINE_REQUIRE_GO_INTEROP=1) but ${skipReason}`);
  console.warn(`skipping Go interop: ${skipReason}`);
}

export interface Run {
  status: number | null;
  out: string;
}

export function run(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Run {
  const r = spawnSync(cmd, args, {
    cwd: opts.cwd ?? repoRoot,
    env: opts.env ?? process.env,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (r.error) throw r.error;
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** Builds verifylog into `tmp` and returns its path. */
export function buildVerifylog(tmp: string): string {
  const out = join(tmp, 'verifylog');
  const build = run(goBin!, ['build', '-o', out, '.'], {
    cwd: goSrc,
    env: {
      ...process.env,
      GO111MODULE: 'off',
      GOPATH: `${gocode}${delimiter}${join(tmp, 'gopath')}`,
      GOCACHE: join(tmp, 'gocache'),
      GOPROXY: 'off',
      GOFLAGS: '',
      CGO_ENABLED: '0',
    },
  });
  if (build.status !== 0) throw new Error(`go build failed:\n${build.out}`);
  return out;
}
