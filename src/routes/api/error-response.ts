// The error body every JSON endpoint answers with (plugins/errors.ts), as the routes declare it for OpenAPI.
import { z } from 'zod';

export const errorResponse = z.object({ error: z.object({ code: z.string(), message: z.string(), fields: z.record(z.string(), z.string()).optional() }) });
