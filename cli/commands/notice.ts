import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ErrorCode, LinliError } from '../../protocol/errors.js';
import type { CreateNoticeRequest, NoticeView } from '../../protocol/schemas/notice-admin.js';
import { AdminClient } from '../../provisioning/src/admin-client.js';
import { type Command, wantsHelp } from '../command.js';

const HELP = `Usage: linli notice <command> [options]

Notices through the admin API (the same calls an admin console makes). Log in with --server, --user and
--password, or LINLI_SERVER, LINLI_USER, LINLI_PASSWORD.

  publish   --node ID --title T --body B [--title-en T] [--body-en B] [--category utility|safety|event|civic|election|general]
            [--priority normal|important] [--start ISO] [--end ISO] [--window HH:MM-HH:MM]... [--weekdays 1,2,...]
            [--timezone Asia/Shanghai] [--expires ISO] [--display-sec 15] [--image FILE.png]... [--role lobby|led|kiosk]...
            [--tag T]... [--draft]
            an admin's notice is published at once (--draft: only drafted); staff drafts, then \`submit\`
  emergency --node ID --title T --body B [--ttl 1800] [...]
            district-or-higher admins: on every targeted screen now, for --ttl seconds unless renewed
  submit ID | approve ID | reject ID [--reason R] | withdraw ID [--reason R] | renew ID [--ttl S]
  list [--status draft|pending|published|rejected|withdrawn]
  show ID | audit [ID] | plays ID
  screenshot DEVICE_ID [--out DIR]   what a lobby screen or LED sign shows now, saved as PNG

Every duration and size is checked by the control plane; a bad one is refused with a LINLI_ERR code.
`;

function print(n: NoticeView): string {
  const v = n.published ? ` v${n.published.version}` : '';
  const e = n.emergency?.live ? ` EMERGENCY until ${n.emergency.liveUntil}` : '';
  return `${n.id}  ${n.status}${v}  rev ${n.revision}  ${n.content.priority}  ${n.content.title.zh}${e}`;
}

export const command: Command = {
  name: 'notice',
  summary: 'draft, approve, publish, put up emergencies and read proof of play (admin API)',
  help: HELP,
  async run(argv) {
    if (wantsHelp(argv) || argv.length === 0) {
      process.stdout.write(HELP);
      return argv.length === 0 ? 2 : 0;
    }
    const [sub, ...rest] = argv;
    const { values, positionals } = parseArgs({
      args: rest,
      strict: true,
      allowPositionals: true,
      options: {
        server: { type: 'string' },
        user: { type: 'string' },
        password: { type: 'string' },
        node: { type: 'string', multiple: true },
        title: { type: 'string' },
        body: { type: 'string' },
        'title-en': { type: 'string' },
        'body-en': { type: 'string' },
        category: { type: 'string' },
        priority: { type: 'string' },
        start: { type: 'string' },
        end: { type: 'string' },
        window: { type: 'string', multiple: true },
        weekdays: { type: 'string' },
        timezone: { type: 'string' },
        expires: { type: 'string' },
        'display-sec': { type: 'string' },
        image: { type: 'string', multiple: true },
        role: { type: 'string', multiple: true },
        tag: { type: 'string', multiple: true },
        ttl: { type: 'string' },
        draft: { type: 'boolean' },
        reason: { type: 'string' },
        status: { type: 'string' },
        out: { type: 'string' },
        json: { type: 'boolean' },
      },
    });
    const server = values.server ?? process.env.LINLI_SERVER ?? 'http://127.0.0.1:8080';
    const user = values.user ?? process.env.LINLI_USER ?? 'admin';
    const password = values.password ?? process.env.LINLI_PASSWORD;
    if (!password) {
      throw new LinliError(
        ErrorCode.UNAUTHORIZED,
        'give --password (or LINLI_PASSWORD); the demo prints the admin password',
      );
    }
    const admin = await AdminClient.login(server, user, password);
    const say = (l: string) => process.stdout.write(`${l}\n`);
    const id = positionals[0];
    const need = (what: string) => {
      if (!id) throw new LinliError(ErrorCode.BAD_REQUEST, `linli notice ${sub} needs ${what}`);
      return id;
    };
    // The server's bounds produce the range error, not a local guess; but text that is no number at all
    // would reach it as null (JSON has no NaN), so that is refused here, naming the flag and the value.
    const num = (v: string | undefined, flag: string) => {
      if (v === undefined) return undefined;
      const n = Number(v);
      if (v.trim() === '' || !Number.isFinite(n)) {
        throw new LinliError(
          ErrorCode.BAD_REQUEST,
          `${flag} must be a number of seconds, got ${JSON.stringify(v)}`,
          {
            field: flag.replace(/^--/, ''),
          },
        );
      }
      return n;
    };

    if (sub === 'publish' || sub === 'emergency') {
      if (!values.node?.length || !values.title || !values.body) {
        throw new LinliError(ErrorCode.BAD_REQUEST, `linli notice ${sub} needs --node, --title and --body`);
      }
      const images = [];
      for (const file of values.image ?? []) {
        const bytes = await readFile(resolve(file));
        const type = /\.png$/i.test(file) ? 'image/png' : /\.webp$/i.test(file) ? 'image/webp' : 'image/jpeg';
        images.push({ mediaId: (await admin.uploadMedia(bytes, type)).mediaId });
      }
      const windows = (values.window ?? []).map((w) => {
        const [from, to] = w.split('-');
        return { from: from ?? '', to: to ?? '' };
      });
      const req: CreateNoticeRequest = {
        title: { zh: values.title, ...(values['title-en'] ? { en: values['title-en'] } : {}) },
        body: { zh: values.body, ...(values['body-en'] ? { en: values['body-en'] } : {}) },
        targets: {
          nodeIds: values.node,
          ...(values.role?.length ? { roles: values.role as ('lobby' | 'led' | 'kiosk')[] } : {}),
          ...(values.tag?.length ? { tags: values.tag } : {}),
        },
        category: (values.category ?? (sub === 'emergency' ? 'safety' : 'general')) as NonNullable<
          CreateNoticeRequest['category']
        >,
        priority:
          sub === 'emergency' ? 'emergency' : ((values.priority ?? 'normal') as 'normal' | 'important'),
        ...(images.length ? { images } : {}),
        schedule: {
          ...(values.start ? { start: values.start } : {}),
          ...(values.end ? { end: values.end } : {}),
          ...(windows.length ? { windows } : {}),
          ...(values.weekdays ? { weekdays: values.weekdays.split(',').map(Number) } : {}),
          ...(values.timezone ? { timezone: values.timezone } : {}),
        },
        ...(values.expires ? { expiresAt: values.expires } : {}),
        ...(values['display-sec'] ? { displaySec: num(values['display-sec'], '--display-sec')! } : {}),
        ...(values.ttl ? { emergencyTtlSec: num(values.ttl, '--ttl')! } : {}),
        publish: !values.draft,
      };
      const res = await admin.createNotice(req);
      say(print(res.notice));
      say(`targeted ${res.targetedDevices} device(s); ${res.notifiedDevices} connected were told at once`);
      return 0;
    }
    if (sub === 'submit') say(print((await admin.submitNotice(need('a notice id'))).notice));
    else if (sub === 'approve') {
      const n = await admin.getNotice(need('a notice id'));
      say(print((await admin.approveNotice(n.id, n.revision)).notice));
    } else if (sub === 'reject')
      say(print((await admin.rejectNotice(need('a notice id'), values.reason)).notice));
    else if (sub === 'withdraw')
      say(print((await admin.withdrawNotice(need('a notice id'), values.reason)).notice));
    else if (sub === 'renew') {
      say(
        print(
          (
            await admin.renewEmergency(
              need('a notice id'),
              values.ttl ? { ttlSec: num(values.ttl, '--ttl')! } : {},
            )
          ).notice,
        ),
      );
    } else if (sub === 'list') {
      const list = await admin.listNotices(
        values.status ? { status: values.status as NoticeView['status'] } : {},
      );
      for (const n of list) say(print(n));
    } else if (sub === 'show') say(JSON.stringify(await admin.getNotice(need('a notice id')), null, 2));
    else if (sub === 'audit') {
      for (const e of await admin.noticeAudit(id ? { noticeId: id } : {})) {
        say(
          `${e.at}  ${e.noticeId}  ${e.action.padEnd(16)} rev ${e.revision}  by ${e.actor.username}${e.detail ? `  ${JSON.stringify(e.detail)}` : ''}`,
        );
      }
    } else if (sub === 'plays') {
      const p = await admin.noticePlays(need('a notice id'));
      if (values.json) say(JSON.stringify(p, null, 2));
      for (const d of p.devices) {
        say(
          `${d.name} (${d.role}, ${d.deviceId}): ${d.plays} showing(s), ${Math.round(d.totalMs / 1000)} s, ${d.firstAt} … ${d.lastAt}`,
        );
      }
      if (p.devices.length === 0) say('no showings reported yet');
    } else if (sub === 'screenshot') {
      const shot = await admin.screenshot(need('a device id'));
      const dir = resolve(values.out ?? '.');
      for (const img of shot.images) {
        const file = join(dir, `${shot.deviceId}-${img.kind}.png`);
        await writeFile(file, Buffer.from(img.png, 'base64'));
        say(`saved ${file}`);
      }
      for (const e of shot.errors) say(`${e.kind}: ${e.code} ${e.message}`);
    } else {
      process.stderr.write(`linli notice: unknown command "${sub}"\n\n${HELP}`);
      return 2;
    }
    return 0;
  },
};
