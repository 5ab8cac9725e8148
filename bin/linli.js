#!/usr/bin/env node
// Runs the TypeScript sources directly (tsx), so `npm install` leaves the project runnable without a build.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
