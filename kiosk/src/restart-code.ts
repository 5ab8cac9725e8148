/**
 * The exit code with which the device runtime asks to be started again: the remote `reboot` command stops
 * the runtime cleanly and exits with it. systemd restarts it (`linli-runtime.service`: `Restart=on-failure`
 * restarts any non-zero exit; `RestartForceExitStatus=75` keeps that true whatever `Restart=` says, and
 * `SuccessExitStatus` must not list it). The demo's supervisor (cli/demo/child.ts) respawns on it too.
 * 75 is EX_TEMPFAIL in sysexits.h: "try again".
 */
export const RESTART_EXIT_CODE = 75;
