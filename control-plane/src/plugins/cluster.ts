import fp from 'fastify-plugin';
import type { ClusterBus } from '../cluster/cluster-bus.js';
import { ClusterNode } from '../cluster/cluster-node.js';
import { leaseTiming } from '../cluster/instance-lease.js';
import { LocalBus } from '../cluster/local-bus.js';
import { PgBus } from '../cluster/pg-bus.js';
import { PgCluster } from '../storage/pg/pg-cluster.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** This process as a member of the cluster: its notifier is what services use to reach devices. */
    cluster: ClusterNode;
  }
}

export interface ClusterPluginOptions {
  /** Another bus (tests share one LocalBus between apps on one SQLite file); default from the store. */
  bus?: ClusterBus;
}

/**
 * Several instances on one store: PostgreSQL's LISTEN/NOTIFY when the store is PostgreSQL, the in-process
 * bus otherwise. The lease is renewed twice per device heartbeat, so a dead instance's devices are offline
 * for everyone after 1.25 heartbeats, about when the devices themselves notice and reconnect elsewhere.
 */
export const clusterPlugin = fp<ClusterPluginOptions>(
  async (fastify, opts) => {
    const store = fastify.repo.cluster;
    const bus =
      opts.bus ??
      (store instanceof PgCluster
        ? new PgBus({
            url: store.db.url,
            publisher: store.db,
            prefix: `linli_${store.db.schema}`,
            log: fastify.log,
          })
        : new LocalBus());
    const node = new ClusterNode({
      store,
      bus,
      hub: fastify.hub,
      now: fastify.now,
      log: fastify.log,
      timing: leaseTiming(fastify.config.heartbeatSec * 500),
      sessions: fastify.repo.deviceSessions,
    });
    fastify.decorate('cluster', node);
    fastify.addHook('onReady', async () => {
      await node.start();
      fastify.log.info({ instance: node.id }, 'control-plane instance joined the cluster');
    });
    fastify.addHook('preClose', async () => node.stop());
  },
  { name: 'linli-cluster', dependencies: ['linli-storage', 'linli-config', 'linli-hub'] },
);

export default clusterPlugin;
