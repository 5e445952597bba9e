import type { Sql } from '../db/client.js';
import {
  getProduct,
  listAllProducts,
  listProductVersions,
  retireProduct,
  saveProductVersion,
  type ProductTerms,
} from '../db/catalog.js';
import { HubError } from '../workflows/errors.js';
import type { Actor } from '../workflows/process-records.js';
import { auditChange, auditedWork, requireAdmin } from './admin-access.js';

/**
 * The product shelf. Every edit is a new version; applications keep the terms of the version they started
 * with (their catalog snapshot), and a retired product is offered to no new application.
 */
export function createAdminProducts(sql: Sql) {
  const subject = (id: string | null) => ({ type: 'product' as const, id });

  async function productOrThrow(id: string) {
    const product = await getProduct(sql, id);
    if (!product) throw new HubError('PRODUCT_NOT_FOUND', `No product ${id}`);
    return product;
  }

  return {
    async list(actor: Actor) {
      await requireAdmin(sql, actor, 'manage_products', subject(null), { operation: 'list' });
      return listAllProducts(sql);
    },

    async get(actor: Actor, id: string) {
      await requireAdmin(sql, actor, 'manage_products', subject(id), { operation: 'get' });
      return auditedWork(sql, actor, 'get_product', subject(id), async () => ({
        ...(await productOrThrow(id)),
        versions: await listProductVersions(sql, id),
      }));
    },

    async create(actor: Actor, id: string, terms: ProductTerms) {
      await requireAdmin(sql, actor, 'manage_products', subject(id), { operation: 'create' });
      return auditedWork(sql, actor, 'create_product', subject(id), () =>
        sql.begin(async (tx) => {
          if (await getProduct(tx, id))
            throw new HubError('CONFLICT', `id: a product ${id} exists already`, { field: 'id' });
          await saveProductVersion(tx, id, terms, actor.user_id);
          const after = (await getProduct(tx, id))!;
          await auditChange(tx, actor, 'create_product', subject(id), null, after);
          return after;
        }),
      );
    },

    async update(actor: Actor, id: string, change: Partial<ProductTerms>) {
      await requireAdmin(sql, actor, 'manage_products', subject(id), { operation: 'update' });
      return auditedWork(sql, actor, 'update_product', subject(id), async () => {
        const before = await productOrThrow(id);
        if (!before.active) throw new HubError('CONFLICT', 'A retired product is not edited; create a new one');
        return sql.begin(async (tx) => {
          const { id: _id, version: _version, active: _active, retired_at: _retired, ...current } = before;
          await saveProductVersion(tx, id, { ...current, ...change }, actor.user_id);
          const after = (await getProduct(tx, id))!;
          await auditChange(tx, actor, 'update_product', subject(id), before, after);
          return after;
        });
      });
    },

    async retire(actor: Actor, id: string) {
      await requireAdmin(sql, actor, 'manage_products', subject(id), { operation: 'retire' });
      return auditedWork(sql, actor, 'retire_product', subject(id), async () => {
        const before = await productOrThrow(id);
        if (!before.active) throw new HubError('CONFLICT', 'The product is retired already');
        return sql.begin(async (tx) => {
          await retireProduct(tx, id);
          const after = (await getProduct(tx, id))!;
          await auditChange(
            tx,
            actor,
            'retire_product',
            subject(id),
            { active: true },
            { active: false, retired_at: after.retired_at },
          );
          return after;
        });
      });
    },
  };
}
