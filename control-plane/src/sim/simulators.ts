import type { FastifyBaseLogger } from 'fastify';
import type { SimFaults as SimFaultsConfig } from '../simulator-config.js';
import { bulkAccounts, SEED_ACCOUNTS } from './biller/seed-accounts.js';
import { SimulatedBiller } from './biller/simulated-biller.js';
import { SimulatedGateway } from './gateway/simulated-gateway.js';
import { FaultDice, NO_FAULTS, type SimFaults } from './sim-faults.js';
import { SqliteSimStore } from './storage/sqlite-sim-store.js';
import { simWalletKey } from './wallet/sim-wallet-key.js';
import { SimulatedWallet } from './wallet/simulated-wallet.js';

export interface SimulatorsOptions {
  /** The simulators' own SQLite file (config `simLedgerFile`, default `<dataDir>/simulators.sqlite`). */
  file: string;
  now: () => number;
  publicUrl: () => string;
  faults?: SimFaultsConfig;
  /** Extra accounts per biller (config `simAccounts`). */
  accounts: number;
  log?: FastifyBaseLogger;
}

/** The simulated biller, acquirer and wallet provider, on one store, with the fault dice they share. */
export interface Simulators {
  readonly store: SqliteSimStore;
  readonly biller: SimulatedBiller;
  readonly gateway: SimulatedGateway;
  readonly wallet: SimulatedWallet;
  readonly faults: SimFaults;
  close(): Promise<void>;
}

export async function openSimulators(o: SimulatorsOptions): Promise<Simulators> {
  const f = o.faults;
  const faults: SimFaults = {
    ...(f?.seed !== undefined ? { seed: f.seed } : {}),
    biller: { ...NO_FAULTS.biller, ...f?.biller },
    gateway: { ...NO_FAULTS.gateway, ...f?.gateway },
    wallet: { ...NO_FAULTS.wallet, ...f?.wallet },
  };
  // One seeded sequence across all three, so a chaos run with a seed replays the same faults.
  const dice = new FaultDice(f?.seed);
  const store = SqliteSimStore.open(o.file);
  try {
    const wallet = new SimulatedWallet({
      ledger: store,
      now: o.now,
      publicUrl: o.publicUrl,
      key: await simWalletKey(store.wallet),
      faults: faults.wallet,
      dice,
      ...(o.log ? { log: o.log } : {}),
    });
    return {
      store,
      biller: new SimulatedBiller({
        ledger: store,
        now: o.now,
        faults: faults.biller,
        accounts: [...SEED_ACCOUNTS, ...bulkAccounts(o.accounts)],
        dice,
      }),
      gateway: new SimulatedGateway({ ledger: store, now: o.now, faults: faults.gateway, dice }),
      wallet,
      faults,
      async close() {
        await wallet.stop();
        await store.close();
      },
    };
  } catch (err) {
    await store.close();
    throw err;
  }
}
