import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { API } from '../../../../protocol/api.js';
import { DeviceIdParams } from '../../../../protocol/schemas/admin.js';
import { IdSchema } from '../../../../protocol/schemas/common.js';
import {
  ConfigPutBody,
  DeviceConfigView,
  NodeConfigView,
} from '../../../../protocol/schemas/config-admin.js';
import { adminOf } from '../../plugins/auth.js';
import type { TypeBoxProvider } from '../../type-provider.js';
import { BEARER, ERRORS, routeOf } from '../common.js';

const NodeIdParams = Type.Object({ id: IdSchema('node') }, { additionalProperties: false });

/**
 * Remote device settings (issue 12): per node (inherited down the tree) and per device (its own overrides).
 * A PUT body maps setting keys to values, `null` clearing a key; the whole body is validated against the
 * catalogue before anything is stored (services/config/settings-patch.ts).
 */
export const configAdminRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxProvider>();

  app.get(
    routeOf(API.nodeConfig),
    {
      config: { permission: 'config.read' },
      schema: {
        tags: ['admin'],
        summary: 'The device settings set on a node and what it inherits from above, with sources',
        security: BEARER,
        params: NodeIdParams,
        response: { 200: NodeConfigView, ...ERRORS },
      },
    },
    async (req) => app.services.config.nodeConfig(adminOf(req), req.params.id),
  );

  app.put(
    routeOf(API.nodeConfig),
    {
      config: { permission: 'config.write' },
      schema: {
        tags: ['admin'],
        summary:
          'Set (value) or clear (null) device settings on a node; its connected devices are told to sync',
        security: BEARER,
        params: NodeIdParams,
        body: ConfigPutBody,
        response: { 200: NodeConfigView, ...ERRORS },
      },
    },
    async (req) => app.services.config.putNodeConfig(adminOf(req), req.params.id, req.body),
  );

  app.get(
    routeOf(API.deviceConfigAdmin),
    {
      config: { permission: 'config.read' },
      schema: {
        tags: ['admin'],
        summary:
          "A device's effective settings with sources, its overrides, its last reports and whether it is in step",
        security: BEARER,
        params: DeviceIdParams,
        response: { 200: DeviceConfigView, ...ERRORS },
      },
    },
    async (req) => app.services.config.deviceConfig(adminOf(req), req.params.id),
  );

  app.put(
    routeOf(API.deviceConfigAdmin),
    {
      config: { permission: 'config.write' },
      schema: {
        tags: ['admin'],
        summary: "Set (value) or clear (null) a device's own setting overrides; the device is told to sync",
        security: BEARER,
        params: DeviceIdParams,
        body: ConfigPutBody,
        response: { 200: DeviceConfigView, ...ERRORS },
      },
    },
    async (req) => app.services.config.putDeviceConfig(adminOf(req), req.params.id, req.body),
  );
};

export default configAdminRoutes;
