#!/usr/bin/env node
// The vendor command line (package.json "bin"). The CLI is TypeScript, run through tsx like the service.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/gpu-compliance.ts');
