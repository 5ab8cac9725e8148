/**
 * The exit code with which the device runtime asks to be started again: the remote `reboot` command stops
 * the runtime cleanly and exits with it. systemd restarts it (`systemd/units/linli-device.service` has
 * `Restart=always`; `RestartForceExitStatus=75` would keep that true whatever `Restart=` becomes). Each such
 * restart counts toward the unit's StartLimitBurst (5 in 300 s). The demo's supervisor (cli/demo/child.ts)
 * respawns on it too.
 * 75 is EX_TEMPFAIL in sysexits.h: "try again".
 */
export const RESTART_EXIT_CODE = 75;
