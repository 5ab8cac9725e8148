import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { API } from '../../../../protocol/api.js';
import { ServiceCategory } from '../../../../protocol/schemas/services.js';
import {
  CategoryIdParams,
  CategoryListResponse,
  CategoryUpdate,
  CategoryView,
  MatterIdParams,
  MatterInput,
  MatterListQuery,
  MatterListResponse,
  MatterView,
  OfficeIdParams,
  OfficeInput,
  OfficeListQuery,
  OfficeListResponse,
  OfficeView,
} from '../../../../protocol/schemas/services-admin.js';
import { adminOf } from '../../plugins/auth.js';
import type { TypeBoxProvider } from '../../type-provider.js';
import { BEARER, ERRORS, routeOf } from '../common.js';

const Deleted = Type.Null({ description: 'deleted' });

/**
 * The service catalogue: categories (city admins), matters and offices (admins of the owning node's branch).
 * Every write is audited and makes the kiosks it reaches sync their signed manifest.
 */
export const serviceCatalogueRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxProvider>();
  const cat = () => app.services.catalogue;
  const tags = ['admin'];
  const security = BEARER;

  // --- categories
  app.get(
    API.adminServiceCategories,
    {
      config: { permission: 'catalogue.read' },
      schema: {
        tags,
        security,
        summary: 'Every service category, with how many matters use it',
        response: { 200: CategoryListResponse, ...ERRORS },
      },
    },
    async () => ({ categories: await cat().listCategories() }),
  );
  app.post(
    API.adminServiceCategories,
    {
      config: { permission: 'catalogue.write' },
      schema: {
        tags,
        security,
        summary: 'Create a category (city admins; the id is a stable slug such as "elderly")',
        body: ServiceCategory,
        response: { 201: CategoryView, ...ERRORS },
      },
    },
    async (req, reply) => reply.code(201).send(await cat().createCategory(adminOf(req), req.body)),
  );
  app.get(
    routeOf(API.adminServiceCategory),
    {
      config: { permission: 'catalogue.read' },
      schema: {
        tags,
        security,
        summary: 'One category',
        params: CategoryIdParams,
        response: { 200: CategoryView, ...ERRORS },
      },
    },
    async (req) => cat().getCategory(req.params.id),
  );
  app.put(
    routeOf(API.adminServiceCategory),
    {
      config: { permission: 'catalogue.write' },
      schema: {
        tags,
        security,
        summary: 'Rename, re-order or re-icon a category (city admins)',
        params: CategoryIdParams,
        body: CategoryUpdate,
        response: { 200: CategoryView, ...ERRORS },
      },
    },
    async (req) => cat().updateCategory(adminOf(req), req.params.id, req.body),
  );
  app.delete(
    routeOf(API.adminServiceCategory),
    {
      config: { permission: 'catalogue.write' },
      schema: {
        tags,
        security,
        summary: 'Delete an unused category (city admins); one with matters is refused',
        params: CategoryIdParams,
        response: { 204: Deleted, ...ERRORS },
      },
    },
    async (req, reply) => {
      await cat().deleteCategory(adminOf(req), req.params.id);
      return reply.code(204).send(null);
    },
  );

  // --- matters
  app.get(
    API.adminMatters,
    {
      config: { permission: 'catalogue.read' },
      schema: {
        tags,
        security,
        summary: 'Matters owned at a node and below it (default: your node)',
        querystring: MatterListQuery,
        response: { 200: MatterListResponse, ...ERRORS },
      },
    },
    async (req) => ({ matters: await cat().listMatters(adminOf(req), req.query) }),
  );
  app.post(
    API.adminMatters,
    {
      config: { permission: 'catalogue.write' },
      schema: {
        tags,
        security,
        summary: 'Publish a service matter at a node of your branch; its pinyin initials are computed',
        body: MatterInput,
        response: { 201: MatterView, ...ERRORS },
      },
    },
    async (req, reply) => reply.code(201).send(await cat().createMatter(adminOf(req), req.body)),
  );
  app.get(
    routeOf(API.adminMatter),
    {
      config: { permission: 'catalogue.read' },
      schema: {
        tags,
        security,
        summary: 'One matter',
        params: MatterIdParams,
        response: { 200: MatterView, ...ERRORS },
      },
    },
    async (req) => cat().getMatter(adminOf(req), req.params.id),
  );
  app.put(
    routeOf(API.adminMatter),
    {
      config: { permission: 'catalogue.write' },
      schema: {
        tags,
        security,
        summary: 'Replace a matter (the whole text); kiosks in reach sync the change',
        params: MatterIdParams,
        body: MatterInput,
        response: { 200: MatterView, ...ERRORS },
      },
    },
    async (req) => cat().updateMatter(adminOf(req), req.params.id, req.body),
  );
  app.delete(
    routeOf(API.adminMatter),
    {
      config: { permission: 'catalogue.write' },
      schema: {
        tags,
        security,
        summary: 'Withdraw a matter from kiosks (booked appointments keep their slips)',
        params: MatterIdParams,
        response: { 204: Deleted, ...ERRORS },
      },
    },
    async (req, reply) => {
      await cat().deleteMatter(adminOf(req), req.params.id);
      return reply.code(204).send(null);
    },
  );

  // --- offices
  app.get(
    API.adminOffices,
    {
      config: { permission: 'catalogue.read' },
      schema: {
        tags,
        security,
        summary: 'Offices of communities at a node and below it (default: your node)',
        querystring: OfficeListQuery,
        response: { 200: OfficeListResponse, ...ERRORS },
      },
    },
    async (req) => ({ offices: await cat().listOffices(adminOf(req), req.query.nodeId) }),
  );
  app.post(
    API.adminOffices,
    {
      config: { permission: 'catalogue.write' },
      schema: {
        tags,
        security,
        summary: 'Create a community office with its hours and appointment slot rules',
        body: OfficeInput,
        response: { 201: OfficeView, ...ERRORS },
      },
    },
    async (req, reply) => reply.code(201).send(await cat().createOffice(adminOf(req), req.body)),
  );
  app.get(
    routeOf(API.adminOffice),
    {
      config: { permission: 'catalogue.read' },
      schema: {
        tags,
        security,
        summary: 'One office',
        params: OfficeIdParams,
        response: { 200: OfficeView, ...ERRORS },
      },
    },
    async (req) => cat().getOffice(adminOf(req), req.params.id),
  );
  app.put(
    routeOf(API.adminOffice),
    {
      config: { permission: 'catalogue.write' },
      schema: {
        tags,
        security,
        summary: 'Replace an office (hours, slot rules, closed days); booked appointments stand',
        params: OfficeIdParams,
        body: OfficeInput,
        response: { 200: OfficeView, ...ERRORS },
      },
    },
    async (req) => cat().updateOffice(adminOf(req), req.params.id, req.body),
  );
  app.delete(
    routeOf(API.adminOffice),
    {
      config: { permission: 'catalogue.write' },
      schema: {
        tags,
        security,
        summary: 'Delete an office no matter names and with no appointments to come',
        params: OfficeIdParams,
        response: { 204: Deleted, ...ERRORS },
      },
    },
    async (req, reply) => {
      await cat().deleteOffice(adminOf(req), req.params.id);
      return reply.code(204).send(null);
    },
  );
};

export default serviceCatalogueRoutes;
