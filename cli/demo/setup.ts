import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { writeFileDurable } from '../../kiosk/src/state/durable-file.js';
import type { DeviceRole } from '../../protocol/schemas/common.js';
import type { OfficeInput } from '../../protocol/schemas/services-admin.js';
import type { AdminClient } from '../../provisioning/src/admin-client.js';
import { runLinli } from './child.js';

/** What the demo created, so a second `npm start` reuses it instead of creating it again. */
export interface DemoState {
  districtId?: string;
  streetId?: string;
  communityId?: string;
  welcomeNoticeId?: string;
  imageNoticeId?: string;
  /** The demo resident card, linked to three accounts of 阳光社区. */
  cardId?: string;
  /** 阳光社区's office, where the kiosk books appointments (issue #6). */
  officeId?: string;
}

/** The UID the kiosk page's "tap resident card (demo)" button makes the simulated reader read. */
export const DEMO_CARD_UID = '04A1B2C3D4E5F6';

export interface DemoDevice {
  name: string;
  role: DeviceRole;
  displayName: string;
  stateDir: string;
}

export function demoDevices(dataDir: string): DemoDevice[] {
  const dir = (n: string) => join(dataDir, 'devices', n);
  return [
    { name: 'kiosk', role: 'kiosk', displayName: '阳光社区服务大厅 自助终端 1', stateDir: dir('kiosk') },
    { name: 'lobby', role: 'lobby', displayName: '阳光社区 3号楼大堂屏', stateDir: dir('lobby') },
    { name: 'led', role: 'led', displayName: '阳光社区 东门 LED 屏', stateDir: dir('led') },
  ];
}

export function isEnrolled(d: DemoDevice): boolean {
  return existsSync(join(d.stateDir, 'identity.json'));
}

export function loadDemoState(path: string): DemoState {
  if (!existsSync(path)) return {};
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as DemoState;
  } catch {
    return {};
  }
}

async function saveDemoState(path: string, state: DemoState): Promise<void> {
  await writeFileDurable(path, `${JSON.stringify(state, null, 2)}\n`);
}

/**
 * Creates (once) the community under the city, an enrollment token per missing device, enrolls each device
 * through `linli enroll` over HTTP, and publishes the welcome notice.
 */
export async function setUpDemo(opts: {
  admin: AdminClient;
  serverUrl: string;
  statePath: string;
  devices: DemoDevice[];
  logDir: string;
  say: (line: string) => void;
}): Promise<DemoState> {
  const { admin, devices, say } = opts;
  const state = loadDemoState(opts.statePath);
  const save = () => saveDemoState(opts.statePath, state);

  if (!state.communityId) {
    const [city] = await admin.listNodes();
    if (!city) throw new Error('the control plane has no city node');
    const district = await admin.createNode({ parentId: city.id, name: '和平区', level: 'district' });
    const street = await admin.createNode({ parentId: district.id, name: '幸福街道', level: 'street' });
    const community = await admin.createNode({ parentId: street.id, name: '阳光社区', level: 'community' });
    Object.assign(state, { districtId: district.id, streetId: street.id, communityId: community.id });
    await save();
    say(`Created ${community.path.join(' › ')}`);
  }

  for (const d of devices) {
    if (isEnrolled(d)) continue;
    mkdirSync(join(d.stateDir, '..'), { recursive: true });
    const token = await admin.createToken({
      nodeId: state.communityId!,
      role: d.role,
      expiresInSec: 600,
      maxUses: 1,
    });
    await runLinli(
      `enroll-${d.name}`,
      [
        'enroll',
        '--server',
        opts.serverUrl,
        '--token',
        token.token,
        '--state',
        d.stateDir,
        '--role',
        d.role,
        '--name',
        d.displayName,
        '--force',
      ],
      opts.logDir,
    );
    say(`Enrolled the ${d.role} "${d.displayName}" with a one-time token`);
    if (d.role === 'lobby' && existsSync('/usr/bin/chromium')) {
      // The demo's lobby screen runs its own headless Chromium: proof of play and screenshots work
      // without a browser open. On a real screen a separate Chromium kiosk process does this.
      await writeFileDurable(
        join(d.stateDir, 'device.json'),
        `${JSON.stringify({ screen: { launchChromium: true, width: 1920, height: 1080 }, content: { playsUploadIntervalMs: 10_000 } }, null, 2)}\n`,
      );
    }
    if (d.role === 'kiosk' && existsSync('/usr/bin/chromium')) {
      // Likewise the kiosk UI, portrait: the remote screenshot and identify commands reach it over DevTools.
      await writeFileDurable(
        join(d.stateDir, 'device.json'),
        `${JSON.stringify({ screen: { launchChromium: true, width: 1080, height: 1920 } }, null, 2)}\n`,
      );
    }
  }

  if (!state.cardId) {
    const card = await admin.linkCard({
      nodeId: state.communityId!,
      cardUid: DEMO_CARD_UID,
      label: '3号楼2单元501 王家',
      accounts: [
        { billerId: 'water', account: '1001000001' },
        { billerId: 'electricity', account: '2002000001' },
        { billerId: 'property', account: '4004000001' },
      ],
    });
    state.cardId = card.id;
    await save();
    say(`Linked the resident card ${DEMO_CARD_UID} to three accounts (water, electricity, property)`);
  }

  if (!state.officeId) {
    // A data dir from an earlier demo may already have it (state saved before a crash): reuse, never duplicate.
    const office =
      (await admin.listOffices(state.communityId!)).find((o) => o.nodeId === state.communityId) ??
      (await admin.createOffice(demoOffice(state.communityId!)));
    state.officeId = office.id;
    await save();
    say(`Opened ${office.name.zh} for appointments (Mon–Fri, 30-minute slots, 3 per slot)`);
  }

  if (!state.welcomeNoticeId) {
    const published = await admin.publishNotice({
      targets: { nodeIds: [state.communityId!] },
      title: { zh: '社区志愿者服务日', en: 'Community volunteer day' },
      body: {
        zh: '本周六上午九点，阳光社区邀请居民到中心广场参加志愿者服务：清洁楼道、陪伴老人、整理图书角。欢迎报名！',
        en: 'This Saturday at 9:00, join us on the central square: cleaning stairwells, visiting elderly neighbours and tidying the book corner.',
      },
      category: 'event',
      priority: 'normal',
    });
    state.welcomeNoticeId = published.notice.id;
    await save();
    say(`Published the welcome notice to ${published.targetedDevices} device(s)`);
  }
  if (!state.imageNoticeId) {
    const media = await admin.uploadMedia(await posterPng(), 'image/png');
    const published = await admin.publishNotice({
      targets: { nodeIds: [state.streetId!] },
      title: { zh: '垃圾分类宣传周', en: 'Waste sorting week' },
      body: {
        zh: '幸福街道垃圾分类宣传周开始啦！每天早上七点到九点，志愿者在各小区投放点指导分类。可回收物、厨余垃圾、有害垃圾、其他垃圾，分好类，家园更美。',
        en: 'Every morning 7:00–9:00 volunteers help at the bins: recyclables, food waste, hazardous waste, other waste.',
      },
      category: 'civic',
      images: [{ mediaId: media.mediaId, alt: { zh: '垃圾分类四色垃圾桶', en: 'Four sorting bins' } }],
      schedule: { windows: [{ from: '06:00', to: '23:00' }] },
    });
    state.imageNoticeId = published.notice.id;
    await save();
    say('Published a street-wide notice with an image (daily 06:00–23:00)');
  }
  return state;
}

/** 阳光社区's service centre: Mon–Fri 09:00–12:00 and 14:00–17:30, 30-minute slots for 3, a week ahead. */
export function demoOffice(nodeId: string): OfficeInput {
  return {
    nodeId,
    name: { zh: '阳光社区党群服务中心', en: 'Sunshine Community Service Centre' },
    address: { zh: '幸福街道阳光路18号 一楼服务大厅', en: 'Service hall, 1F, 18 Yangguang Road' },
    hours: {
      zh: '周一至周五 上午 09:00–12:00，下午 14:00–17:30（法定节假日除外）',
      en: 'Mon–Fri 09:00–12:00 and 14:00–17:30 (closed on public holidays)',
    },
    phone: '021-5555 0101',
    timezone: 'Asia/Shanghai',
    slots: {
      weekdays: [1, 2, 3, 4, 5],
      windows: [
        { start: '09:00', end: '12:00' },
        { start: '14:00', end: '17:30' },
      ],
      slotMinutes: 30,
      capacityPerSlot: 3,
      daysAhead: 7,
      closedDates: [],
    },
  };
}

/** A poster for the demo's image notice: four bins in the sorting colours. */
async function posterPng(): Promise<Buffer> {
  const bins = [
    ['#2f6fb5', '可回收物'],
    ['#3f8f4f', '厨余垃圾'],
    ['#c0392b', '有害垃圾'],
    ['#6b6b6b', '其他垃圾'],
  ]
    .map(
      ([c, t], i) =>
        `<g transform="translate(${40 + i * 235},120)"><rect width="200" height="300" rx="24" fill="${c}"/><rect x="-10" y="-30" width="220" height="40" rx="12" fill="${c}"/><text x="100" y="180" font-size="40" text-anchor="middle" fill="#fff" font-family="Noto Sans CJK SC">${t}</text></g>`,
    )
    .join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1000" height="480"><rect width="1000" height="480" fill="#f4efe3"/>${bins}</svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}
