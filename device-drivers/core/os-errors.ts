import { DeviceError, DeviceErrorCode } from '../contracts/device-error.js';

/**
 * Turns what serialport, usb and net throw into DeviceErrors whose message says what to do. Permission errors
 * carry the udev fix because that is what a technician at a kiosk needs, not an errno.
 */
export function udevHint(address: string): string {
  return (
    `Install the Linli udev rules (sudo cp systemd/udev/99-linli-devices.rules /etc/udev/rules.d/ && ` +
    `sudo udevadm control --reload && sudo udevadm trigger), then add the service user to the "linli" group ` +
    `(sudo usermod -aG linli $USER) and log in again; do not run the kiosk as root. Device: ${address}.`
  );
}

export function mapOpenError(err: unknown, address: string): DeviceError {
  if (err instanceof DeviceError) return err;
  const e = err as { code?: unknown; errno?: unknown; message?: unknown };
  const code = typeof e?.code === 'string' ? e.code : '';
  const errno = typeof e?.errno === 'number' ? e.errno : undefined;
  const msg = typeof e?.message === 'string' ? e.message : String(err);
  const details = { address, cause: msg };
  if (
    code === 'EACCES' ||
    code === 'EPERM' ||
    /permission denied|LIBUSB_ERROR_ACCESS/i.test(msg) ||
    errno === -3
  ) {
    return new DeviceError(
      DeviceErrorCode.PERMISSION_DENIED,
      `Permission denied opening ${address}. ${udevHint(address)}`,
      details,
      { cause: err },
    );
  }
  if (code === 'ENOENT' || /no such file|LIBUSB_ERROR_NO_DEVICE|LIBUSB_ERROR_NOT_FOUND/i.test(msg)) {
    return new DeviceError(
      DeviceErrorCode.NOT_FOUND,
      `${address} is not present: check the cable and power, and that the path names a /dev/serial/by-id or udev symlink.`,
      details,
      { cause: err },
    );
  }
  if (code === 'EBUSY' || /cannot lock port|resource temporarily unavailable|LIBUSB_ERROR_BUSY/i.test(msg)) {
    return new DeviceError(
      DeviceErrorCode.BUSY,
      `${address} is locked by another process (ModemManager, a second kiosk runtime or a terminal program); stop it or install the udev rules that make ModemManager ignore the port.`,
      details,
      { cause: err },
    );
  }
  if (code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ETIMEDOUT' || code === 'ENETUNREACH') {
    return new DeviceError(
      DeviceErrorCode.OFFLINE,
      `${address} does not answer (${code}): check that the device is powered and on the network.`,
      details,
      { cause: err },
    );
  }
  return new DeviceError(DeviceErrorCode.HARDWARE, `Opening ${address} failed: ${msg}`, details, {
    cause: err,
  });
}
