// Dependency direction: one rule per row of the "may import" column in docs/architecture.md ("The parts"),
// written as allow-lists, so a new folder or file is forbidden until the page allows it. Runs in
// `npm run deps` (part of `npm run check`, which `npm test` and CI call).
//
// Test code (*.test.ts beside the code, helpers in a test-support/ or testing/ folder, the storage contract
// suite in control-plane/src/storage/contract/, and the folders tests/ and bench/) may import anything, as the
// page says for tests/ and bench/; product code imports none of it.
const OURS =
  '^(protocol|notice-render|control-plane|kiosk|signage|device-drivers|provisioning|cli|tests|bench|bin|systemd)/';
const TEST_CODE = '\\.test\\.ts$|(^|/)(test-support|testing)/|^control-plane/src/storage/contract/';

/** `from` may import, of our folders, only `allowed` (regex alternatives matched from the repo root). */
function mayImport(name, from, allowed, comment) {
  return {
    name,
    severity: 'error',
    comment,
    from: { path: from, pathNot: TEST_CODE },
    to: { path: OURS, pathNot: `^(${allowed.join('|')})` },
  };
}

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Circular imports make start-up order and testing fragile.',
      from: {},
      to: { circular: true },
    },
    mayImport('protocol-imports-nothing-of-ours', '^protocol/', ['protocol/'], 'protocol/: nothing of ours.'),
    mayImport(
      'notice-render-imports-only-protocol',
      '^notice-render/',
      ['notice-render/', 'protocol/'],
      'notice-render/: protocol/. How a notice looks on a lobby screen and an LED panel, shared by the device (which draws it) and the control plane (whose console previews a draft with the same code); so it knows nothing of either.',
    ),
    mayImport(
      'control-plane-imports-only-protocol-and-notice-render',
      '^control-plane/',
      ['control-plane/', 'protocol/', 'notice-render/'],
      'control-plane/: protocol/, and notice-render/ for the console preview (the control plane and device code share only these two).',
    ),
    {
      name: 'only-the-simulators-plugin-imports-sim',
      severity: 'error',
      comment:
        'control-plane/src/sim/ (simulated biller, acquirer, wallet, their store and pages) is registered by plugins/simulators.ts alone; no other product code knows it exists.',
      from: {
        path: '^control-plane/',
        pathNot: `^control-plane/src/(sim/|plugins/simulators\\.ts$)|${TEST_CODE}`,
      },
      to: { path: '^control-plane/src/sim/' },
    },
    mayImport(
      'sim-imports-adapter-interfaces-and-sqlite-helpers',
      '^control-plane/src/sim/',
      [
        'control-plane/src/sim/',
        'control-plane/src/adapters/(billers/biller-adapter|gateway/payment-gateway|wallet/wallet-provider|wallet/wallet-signature)\\.ts$',
        'control-plane/src/storage/sqlite/(database|group-commit|migrate)\\.ts$',
        'control-plane/src/(simulator-config|type-provider)\\.ts$',
        'protocol/',
      ],
      'control-plane/src/sim/: the adapter interfaces it implements, the SQLite helpers for its own store, protocol/.',
    ),
    mayImport(
      'kiosk-imports-protocol-signage-and-driver-interfaces',
      '^kiosk/',
      [
        'kiosk/',
        'protocol/',
        'notice-render/',
        'signage/',
        'device-drivers/contracts/',
        'device-drivers/index\\.ts$',
      ],
      'kiosk/: protocol/, notice-render/, signage/, device-drivers/contracts, device-drivers/index.ts (factory).',
    ),
    mayImport(
      'signage-imports-protocol-and-driver-contracts',
      '^signage/',
      ['signage/', 'protocol/', 'notice-render/', 'device-drivers/contracts/'],
      'signage/: protocol/, notice-render/, device-drivers/contracts (not the factory: the runtime composes signage).',
    ),
    mayImport(
      'device-drivers-import-nothing-of-ours',
      '^device-drivers/',
      ['device-drivers/'],
      'device-drivers/: nothing of ours (drivers know nothing above them).',
    ),
    mayImport(
      'provisioning-imports-only-protocol',
      '^provisioning/',
      ['provisioning/', 'protocol/'],
      'provisioning/: protocol/.',
    ),
    mayImport(
      'cli-imports-product-code-only',
      '^cli/',
      [
        'cli/',
        'protocol/',
        'notice-render/',
        'control-plane/',
        'kiosk/',
        'signage/',
        'device-drivers/',
        'provisioning/',
      ],
      'cli/: anything of the product (composition root), never tests/ or bench/.',
    ),
    {
      name: 'product-code-never-imports-test-code',
      severity: 'error',
      comment:
        'Tests, their helpers and benchmarks are not shipped behaviour: product code imports none of them.',
      from: { path: OURS, pathNot: `${TEST_CODE}|^(tests|bench)/` },
      to: { path: `${TEST_CODE}|^(tests|bench)/` },
    },
    {
      name: 'contracts-have-no-dependencies',
      severity: 'error',
      comment: 'device-drivers/contracts holds interfaces only: no runtime dependency, no other module.',
      from: { path: '^device-drivers/contracts/', pathNot: TEST_CODE },
      to: {
        pathNot: '^device-drivers/contracts/|^node:|^(events|buffer)$',
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'drivers-never-import-hardware-libraries',
      severity: 'error',
      comment: 'A driver depends only on a Transport passed in; serialport and usb live in the transports.',
      from: { path: '^device-drivers/(?!transports/|discovery/|factory|index)', pathNot: TEST_CODE },
      to: { path: 'node_modules/(serialport|@serialport|usb)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)node_modules/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      extensions: ['.ts', '.js', '.json'],
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
