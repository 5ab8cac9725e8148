import { createReadStream } from 'node:fs';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { ReceiptPrinter } from '../../../device-drivers/contracts/receipt-printer.js';
import { ErrorCode, LinliError } from '../../../protocol/errors.js';
import { IdSchema } from '../../../protocol/schemas/common.js';
import { buildMaterialsJob } from '../services/materials-document.js';
import type { Lang } from '../services/print-text.js';
import type { ServiceCatalogueView } from '../services/service-catalogue.js';
import { MAX_SPEECH_CHARS, type Speech } from '../services/speech.js';
import type { KioskPageSettings } from './kiosk-page-settings.js';

export interface KioskServiceOptions {
  catalogue: ServiceCatalogueView;
  printer: ReceiptPrinter;
  speech: Speech;
  /** The page's settings view (device.json and remote settings, kiosk-page-settings.ts). */
  pageSettings: KioskPageSettings;
  timeZone: string;
}

const strict = { additionalProperties: false } as const;
const LangSchema = Type.Union([Type.Literal('zh'), Type.Literal('en')]);
const MatterParams = Type.Object({ id: IdSchema('svc') });
let printSeq = 0;

/**
 * Settings, the catalogue of service matters and voice prompts for the kiosk touch UI (issue #6; the
 * contract is docs/kiosk-local-api.md). Appointments are in kiosk-appointment-routes.ts.
 */
export async function kioskServiceRoutes(app: FastifyInstance, o: KioskServiceOptions): Promise<void> {
  app.get('/kiosk/api/settings', async (_req, reply) => {
    reply.header('cache-control', 'no-store');
    return o.pageSettings.view();
  });

  app.get<{ Querystring: { q?: string } }>(
    '/kiosk/api/services',
    { schema: { querystring: Type.Object({ q: Type.Optional(Type.String({ maxLength: 64 })) }, strict) } },
    async (req, reply) => {
      reply.header('cache-control', 'no-store');
      return o.catalogue.list(req.query.q);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/kiosk/api/services/:id',
    { schema: { params: MatterParams } },
    async (req, reply) => {
      reply.header('cache-control', 'no-store');
      return o.catalogue.detail(req.params.id);
    },
  );

  app.post<{ Params: { id: string }; Body: { lang?: Lang } }>(
    '/kiosk/api/services/:id/print',
    {
      schema: {
        params: MatterParams,
        body: Type.Optional(Type.Object({ lang: Type.Optional(LangSchema) }, strict)),
      },
    },
    async (req) => {
      const matter = o.catalogue.matter(req.params.id);
      const office = o.catalogue.officeOf(matter);
      const job = buildMaterialsJob(matter, office, {
        lang: req.body?.lang ?? 'zh',
        timeZone: o.timeZone,
        jobId: `mat-${Date.now().toString(36)}-${(printSeq++).toString(36)}`,
      });
      try {
        await o.printer.print(job);
      } catch (err) {
        const printerCode = (err as { code?: string }).code;
        throw new LinliError(
          ErrorCode.PRINTER_UNAVAILABLE,
          `打印机暂时无法打印，请查看屏幕上的材料清单。The printer cannot print now (${printerCode ?? 'printer error'}); the list stays on the screen.`,
          { matterId: matter.id, ...(printerCode ? { printerCode } : {}) },
        );
      }
      return { printed: true };
    },
  );

  app.post<{ Body: { text: string; lang?: Lang } }>(
    '/kiosk/api/speech',
    {
      schema: {
        body: Type.Object(
          {
            text: Type.String({ minLength: 1, maxLength: MAX_SPEECH_CHARS }),
            lang: Type.Optional(LangSchema),
          },
          strict,
        ),
      },
    },
    async (req) => {
      const sha = await o.speech.synthesize(req.body.text, req.body.lang ?? 'zh');
      return { url: `/kiosk/api/speech/${sha}.wav`, engine: 'espeak-ng' };
    },
  );

  app.get<{ Params: { file: string } }>('/kiosk/api/speech/:file', async (req, reply) => {
    const path = await o.speech.file(req.params.file);
    // Named by the hash of what it says: the same URL always means the same audio.
    return reply
      .type('audio/wav')
      .header('cache-control', 'public, max-age=86400, immutable')
      .send(createReadStream(path));
  });
}
