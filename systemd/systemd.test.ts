import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseDeviceConfig } from '../kiosk/src/config.js';
import { hasCommand, missing } from '../tests/helpers/requirements.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const UNITS = readdirSync(join(here, 'units')).filter((f) => f.endsWith('.service'));

function sh(cmd: string, args: string[]): { code: number | null; out: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return { code: r.status, out: `${r.stdout}${r.stderr}`.trim() };
}

/**
 * The units as shipped, except for the two executables that cannot exist on a CI machine: `verify` checks
 * that every ExecStart= binary is there, so /opt/linli/bin/linli.js points at this checkout and cage at a stub.
 */
function unitsForVerify(): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'linli-units-'));
  const cage = join(dir, 'cage');
  writeFileSync(cage, '#!/bin/sh\nexit 0\n');
  chmodSync(cage, 0o755);
  return UNITS.map((u) => {
    const text = readFileSync(join(here, 'units', u), 'utf8')
      .replaceAll('/opt/linli/bin/linli.js', join(root, 'bin', 'linli.js'))
      .replaceAll('/usr/bin/cage', cage);
    writeFileSync(join(dir, u), text);
    return join(dir, u);
  });
}

describe.skipIf(missing('systemd', hasCommand('systemd-analyze')))('systemd units', () => {
  it('ships the three units', () => {
    expect(UNITS.sort()).toEqual([
      'linli-control-plane.service',
      'linli-device.service',
      'linli-screen.service',
    ]);
  });

  it('pass systemd-analyze verify without a single warning', () => {
    const r = sh('systemd-analyze', ['verify', '--man=no', ...unitsForVerify()]);
    expect(r.out).toBe('');
    expect(r.code).toBe(0);
  });

  it('keep the runtime and the control plane at exposure "OK" or better', () => {
    const files = unitsForVerify();
    for (const name of ['linli-device.service', 'linli-control-plane.service']) {
      const r = sh('systemd-analyze', ['security', '--offline=yes', files.find((f) => f.endsWith(name))!]);
      const level = Number(/Overall exposure level for \S+: ([\d.]+)/.exec(r.out)?.[1]);
      expect(level, `${name}\n${r.out.split('\n').slice(-3).join('\n')}`).toBeLessThan(5);
    }
  });

  it('the runtime is Type=notify with a watchdog, restarts forever; the screen exposes DevTools on loopback only', () => {
    const device = readFileSync(join(here, 'units/linli-device.service'), 'utf8');
    expect(device).toMatch(/^Type=notify$/m);
    expect(device).toMatch(/^NotifyAccess=main$/m);
    expect(device).toMatch(/^WatchdogSec=\d+s$/m);
    expect(device).toMatch(/^Restart=always$/m);
    expect(device).toMatch(/^StartLimitIntervalSec=0$/m);
    expect(device).not.toMatch(/^StartLimitBurst=/m);
    const screen = readFileSync(join(here, 'units/linli-screen.service'), 'utf8');
    const exec = /^ExecStart=(.*)$/m.exec(screen)![1]!;
    expect(exec).toContain('--remote-debugging-port=9222');
    expect(exec).toContain('--remote-debugging-address=127.0.0.1');
    expect(exec).toMatch(/--user-data-dir=\S+/);
    // The runtime's default DevTools endpoint is that port, so screenshots need no hand edit.
    expect(parseDeviceConfig({}).screen.cdpEndpoint).toBe('http://127.0.0.1:9222');
  });

  it('run the device runtime as linli from /var/lib/linli, the screen as its own user after it', () => {
    const device = readFileSync(join(here, 'units/linli-device.service'), 'utf8');
    expect(device).toMatch(/^User=linli$/m);
    expect(device).toMatch(/^ExecStart=\/opt\/linli\/bin\/linli\.js device --state \/var\/lib\/linli$/m);
    expect(device).not.toMatch(/^(PrivateDevices=yes|MemoryDenyWriteExecute=yes)$/m);
    expect(device).not.toMatch(/^(After|Wants|Requires)=.*(time-sync|network-online)/m);
    const screen = readFileSync(join(here, 'units/linli-screen.service'), 'utf8');
    expect(screen).toMatch(/^User=linli-screen$/m);
    expect(screen).toMatch(/^After=.*linli-device\.service/m);
    expect(screen).toMatch(/^ExecStart=\/usr\/bin\/cage -d -- \/usr\/bin\/chromium --kiosk /m);
  });

  it.skipIf(process.getuid?.() !== 0 && process.env.CI !== 'true')(
    'tmpfiles create the directories with their owners and modes',
    () => {
      const fake = mkdtempSync(join(tmpdir(), 'linli-root-'));
      mkdirSync(join(fake, 'etc'));
      writeFileSync(
        join(fake, 'etc/passwd'),
        'root:x:0:0::/root:/bin/sh\nlinli:x:990:990::/var/lib/linli:/usr/sbin/nologin\nlinli-cp:x:991:991::/var/lib/linli-control-plane:/usr/sbin/nologin\n',
      );
      writeFileSync(join(fake, 'etc/group'), 'root:x:0:\nlinli:x:990:\nlinli-cp:x:991:\n');
      const confs = ['linli-device.conf', 'linli-control-plane.conf'].map((f) => join(here, 'tmpfiles', f));
      const r = sh('systemd-tmpfiles', ['--create', `--root=${fake}`, ...confs]);
      expect(r.out).toBe('');
      const mode = (p: string) => {
        const s = statSync(join(fake, p));
        return [(s.mode & 0o777).toString(8), s.uid];
      };
      expect(mode('etc/linli')).toEqual(['755', 0]);
      expect(mode('var/lib/linli')).toEqual(['750', 990]);
      expect(mode('var/lib/linli-control-plane')).toEqual(['700', 991]);
    },
  );
});

describe('install.sh', () => {
  const install = join(here, 'install.sh');
  const dry = (role: string) => sh('bash', [install, '--role', role, '--dry-run']);

  it('is valid bash and refuses an unknown role with a message', () => {
    expect(sh('bash', ['-n', install]).code).toBe(0);
    const r = sh('bash', [install, '--role', 'toaster', '--dry-run']);
    expect(r.code).toBe(2);
    expect(r.out).toContain('--role must be kiosk, lobby, led or control-plane');
  });

  it('for a kiosk: users, udev rules, tmpfiles, runtime and screen units, screen on /kiosk', () => {
    const r = dry('kiosk');
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/useradd --system --gid linli .*linli$|usermod --append --groups dialout linli/m);
    expect(r.out).toContain(
      'ln -sf /opt/linli/systemd/udev/99-linli-devices.rules /etc/udev/rules.d/99-linli-devices.rules',
    );
    expect(r.out).toContain('/etc/tmpfiles.d/linli-device.conf');
    expect(r.out).toContain('/etc/systemd/system/linli-device.service');
    expect(r.out).toContain('/etc/systemd/system/linli-screen.service');
    expect(r.out).toMatch(/udevadm trigger/);
  });

  it('for an LED sign: no screen; for the control plane: its own user and unit, no udev', () => {
    const led = dry('led');
    expect(led.code, led.out).toBe(0);
    expect(led.out).not.toContain('linli-screen');
    const cp = dry('control-plane');
    expect(cp.code, cp.out).toBe(0);
    expect(cp.out).toContain('/etc/systemd/system/linli-control-plane.service');
    expect(cp.out).not.toContain('udev');
    expect(cp.out).not.toContain('linli-device');
  });
});
