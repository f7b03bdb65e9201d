/** Fastify, an optional peer of @bioscan5m/dna: only the identification service needs it (the CLI installs it). */
import { optionalPackage } from '@bioscan5m/core';

export const loadFastify = optionalPackage(
  'fastify',
  'the identification service (dna serve)',
  () => import('fastify'),
);
