#!/usr/bin/env bash
# Installs Linli's systemd units, udev rules and tmpfiles on this machine, for one role.
#
#   sudo systemd/install.sh --role kiosk|lobby|led|control-plane [--prefix /opt/linli] [--enable] [--dry-run]
#
# It creates the service users (linli, linli-screen, linli-cp), links the code to the prefix, links the units,
# the udev rules and the tmpfiles config from this checkout (so a `git pull` updates them; run again after),
# creates the directories and reloads systemd and udev. It never overwrites a config file you edited.
# --dry-run prints every command instead of running it (no root needed).
set -euo pipefail

role=""
prefix=/opt/linli
enable=no
dry=no
usage() { sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --role) role="${2:-}"; shift 2 ;;
    --prefix) prefix="${2:-}"; shift 2 ;;
    --enable) enable=yes; shift ;;
    --dry-run) dry=yes; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$role" in
  kiosk|lobby|led|control-plane) ;;
  *) echo "install.sh: --role must be kiosk, lobby, led or control-plane (got '${role}')" >&2; exit 2 ;;
esac

src="$(cd "$(dirname "$0")/.." && pwd)"
run() {
  if [ "$dry" = yes ]; then
    printf '+'
    printf ' %q' "$@"
    printf '\n'
  else
    "$@"
  fi
}
have() { command -v "$1" >/dev/null 2>&1; }
systemd_running() { [ -d /run/systemd/system ]; }

if [ "$dry" = no ] && [ "$(id -u)" -ne 0 ]; then
  echo "install.sh: run as root (sudo), or add --dry-run to see what it would do" >&2
  exit 1
fi

# Node >= 20.17 on the service PATH: the units run bin/linli.js through `#!/usr/bin/env node`.
if ! node_version="$(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin node -p 'process.versions.node' 2>/dev/null)"; then
  echo "install.sh: node is not on the system PATH (/usr/local/bin or /usr/bin); install Node 20.17+ first" >&2
  exit 1
fi
if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=17)?0:1)'; then
  echo "install.sh: Node ${node_version} is too old; Linli needs 20.17 or later" >&2
  exit 1
fi
if [ ! -d "$src/node_modules" ]; then
  echo "install.sh: $src/node_modules is missing; run \`npm ci --omit=dev\` in $src first" >&2
  exit 1
fi

# The code: the units expect it at the prefix. A checkout elsewhere is linked there.
if [ "$src" != "$prefix" ]; then
  if [ -e "$prefix" ] && [ ! -L "$prefix" ]; then
    echo "install.sh: $prefix exists and is not a link to this checkout; move it or pass --prefix" >&2
    exit 1
  fi
  run ln -sfn "$src" "$prefix"
fi
if [ "$prefix" != /opt/linli ]; then
  echo "install.sh: note: the units run /opt/linli/bin/linli.js; with --prefix $prefix add a drop-in overriding ExecStart" >&2
fi

add_group() { getent group "$1" >/dev/null || run groupadd --system "$1"; }
# add_user NAME HOME EXTRA-GROUPS: a system user with no shell and no login, in its own group.
add_user() {
  local name="$1" home="$2" groups="" g
  for g in $3; do getent group "$g" >/dev/null && groups="${groups:+$groups,}$g"; done
  if id "$name" >/dev/null 2>&1; then
    if [ -n "$groups" ]; then run usermod --append --groups "$groups" "$name"; fi
  else
    run useradd --system --gid "$name" ${groups:+--groups "$groups"} --home-dir "$home" --no-create-home \
      --shell /usr/sbin/nologin --comment "Linli $name" "$name"
  fi
}

link() { run ln -sf "$1" "$2"; }
units=()
tmpfiles=""
case "$role" in
  control-plane)
    add_group linli-cp
    add_user linli-cp /var/lib/linli-control-plane ""
    tmpfiles=linli-control-plane.conf
    units=(linli-control-plane.service)
    ;;
  *)
    # The udev rules give group linli the peripherals (GROUP="linli", MODE="0660").
    add_group linli
    add_user linli /var/lib/linli "dialout"
    if [ "$role" != led ]; then
      add_group linli-screen
      add_user linli-screen /var/lib/linli-screen "video input render"
    fi
    tmpfiles=linli-device.conf
    link "$prefix/systemd/udev/99-linli-devices.rules" /etc/udev/rules.d/99-linli-devices.rules
    units=(linli-device.service)
    if [ "$role" != led ]; then
      units+=(linli-screen.service)
      page=/kiosk
      [ "$role" = lobby ] && page=/screen
      if [ ! -e /etc/linli/screen.env ]; then
        run mkdir -p /etc/linli
        if [ "$dry" = yes ]; then
          echo "+ write /etc/linli/screen.env: LINLI_SCREEN_URL=http://127.0.0.1:8090$page"
        else
          printf '# Which page the screen shows (the device runtime serves it).\nLINLI_SCREEN_URL=http://127.0.0.1:8090%s\n' "$page" >/etc/linli/screen.env
        fi
      fi
    fi
    ;;
esac

# Linked, not copied: the files stay those of this checkout.
link "$prefix/systemd/tmpfiles/$tmpfiles" "/etc/tmpfiles.d/$tmpfiles"
for u in "${units[@]}"; do link "$prefix/systemd/units/$u" "/etc/systemd/system/$u"; done

if have systemd-tmpfiles; then run systemd-tmpfiles --create "/etc/tmpfiles.d/$tmpfiles"; fi
if [ "$role" != control-plane ] && have udevadm; then
  run udevadm control --reload
  run udevadm trigger --subsystem-match=tty --subsystem-match=usb --subsystem-match=usbmisc
fi
if systemd_running || [ "$dry" = yes ]; then
  run systemctl daemon-reload
  if [ "$enable" = yes ]; then
    run systemctl enable --now "${units[@]}"
    if [ "$role" = kiosk ] || [ "$role" = lobby ]; then run systemctl set-default graphical.target; fi
  fi
else
  echo "install.sh: systemd is not running here; units are linked, enable them on the target system" >&2
fi

case "$role" in
  control-plane) next="systemctl enable --now linli-control-plane; journalctl -u linli-control-plane | grep 'First start'" ;;
  *) next="sudo -u linli $prefix/bin/linli.js enroll --server URL --token T --state /var/lib/linli --role $role; systemctl enable --now ${units[*]}" ;;
esac
echo "Linli ($role) installed. Next: $next"
