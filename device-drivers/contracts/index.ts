export * from './card-reader.js';
export * from './device.js';
export * from './device-error.js';
export * from './led-controller.js';
export * from './payment-terminal.js';
export * from './receipt-printer.js';
export * from './transport.js';
