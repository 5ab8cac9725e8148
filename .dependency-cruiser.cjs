// Dependency direction (DEVELOPERS.md "The shape"). Runs in `npm run check`, which `npm test` and CI call.
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
    {
      name: 'protocol-is-a-leaf',
      severity: 'error',
      comment: 'protocol/ is the only code both sides share; it depends on no other part.',
      from: { path: '^protocol/' },
      to: { path: '^(control-plane|kiosk|signage|device-drivers|provisioning|cli|tests|bench)/' },
    },
    {
      name: 'contracts-have-no-dependencies',
      severity: 'error',
      comment: 'device-drivers/contracts holds interfaces only: no runtime dependency, no other module.',
      from: { path: '^device-drivers/contracts/' },
      to: {
        pathNot: '^device-drivers/contracts/|^node:|^(events|buffer)$',
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'drivers-know-nothing-above-them',
      severity: 'error',
      comment: 'Drivers know nothing of kiosk, signage, control plane or provisioning.',
      from: { path: '^device-drivers/' },
      to: { path: '^(control-plane|kiosk|signage|provisioning|cli|protocol)/' },
    },
    {
      name: 'drivers-never-import-hardware-libraries',
      severity: 'error',
      comment: 'A driver depends only on a Transport passed in; serialport and usb live in the transports.',
      from: { path: '^device-drivers/(?!transports/|discovery/|factory|index)' },
      to: { path: 'node_modules/(serialport|@serialport|usb)/' },
    },
    {
      name: 'control-plane-shares-only-protocol',
      severity: 'error',
      comment: 'The control plane and device code share only protocol/.',
      from: { path: '^control-plane/' },
      to: { path: '^(kiosk|signage|device-drivers|provisioning|cli)/' },
    },
    {
      name: 'device-code-never-imports-control-plane',
      severity: 'error',
      from: { path: '^(kiosk|signage|device-drivers|provisioning)/' },
      to: { path: '^control-plane/' },
    },
    {
      name: 'signage-is-below-kiosk',
      severity: 'error',
      comment: 'The device runtime (kiosk/) composes signage; signage takes what it needs by injection.',
      from: { path: '^signage/' },
      to: { path: '^(kiosk|provisioning)/' },
    },
    {
      name: 'provisioning-uses-only-protocol',
      severity: 'error',
      from: { path: '^provisioning/' },
      to: { path: '^(kiosk|signage|device-drivers)/' },
    },
    {
      name: 'apps-use-drivers-through-interfaces',
      severity: 'error',
      comment:
        'kiosk and signage import drivers only through device-drivers/contracts and the factory (device-drivers/index.ts).',
      from: { path: '^(kiosk|signage)/' },
      to: { path: '^device-drivers/', pathNot: '^device-drivers/(contracts/|index\\.ts$)' },
    },
    {
      name: 'product-code-never-imports-test-helpers',
      severity: 'error',
      comment:
        'Test helpers (control-plane/src/testing, kiosk/src/testing, device-drivers/testing, tests/helpers) are for tests only: nothing that ships imports them (docs/architecture.md "Test helpers").',
      from: { pathNot: '(^|/)testing/' },
      to: { path: '(^|/)testing/|^tests/' },
    },
  ],
  options: {
    // tests/helpers is a leaf here (its own imports are not cruised) so that the rule above sees product code
    // importing it; every other test file and folder stays out of the graph.
    doNotFollow: { path: 'node_modules|^tests/helpers/' },
    exclude: { path: '(^|/)node_modules/|\\.test\\.ts$|(^|/)tests?/(?!helpers/)|(^|/)bench/' },
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
