import { type ChildProcess, spawn } from 'node:child_process';

/** Two linked pseudo-terminals from `socat -d -d pty,raw,echo=0 pty,raw,echo=0`: a real serial path each side. */
export interface PtyPair {
  readonly host: string;
  readonly device: string;
  close(): Promise<void>;
}

export function openPtyPair(): Promise<PtyPair> {
  return new Promise((resolve, reject) => {
    const proc: ChildProcess = spawn('socat', ['-d', '-d', 'pty,raw,echo=0', 'pty,raw,echo=0'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const paths: string[] = [];
    let err = '';
    const timer = setTimeout(() => {
      proc.kill();
      reject(new Error(`socat did not report two ptys: ${err}`));
    }, 5000);
    proc.stderr?.setEncoding('utf8');
    proc.stderr?.on('data', (s: string) => {
      err += s;
      for (const m of s.matchAll(/PTY is (\S+)/g)) paths.push(m[1]!);
      if (paths.length === 2 && /starting data transfer loop/.test(err)) {
        clearTimeout(timer);
        resolve({
          host: paths[0]!,
          device: paths[1]!,
          close: () =>
            new Promise<void>((done) => {
              if (proc.exitCode !== null) return done();
              proc.once('exit', () => done());
              proc.kill();
            }),
        });
      }
    });
    proc.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}
