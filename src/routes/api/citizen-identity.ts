// GET /api/me: the citizen signed in with VNeID (their session cookie), as the provider vouched for them, with their
// family. The sign-in itself is a browser flow (routes/pages/citizen/sign-in.ts); /api/me/dossiers is in me.ts.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { citizenProfile } from '../../services/citizens/profile.js';
import { errorResponse } from './error-response.js';

const familyMember = z.object({
  relation: z.enum(['child', 'parent', 'spouse', 'head_of_household']),
  personalId: z.string().describe('Số định danh cá nhân (12 chữ số)'),
  fullName: z.string(), birthDate: z.string().nullable().describe('YYYY-MM-DD'), gender: z.string().nullable().describe('male | female | other'),
});
const me = z.object({
  personalId: z.string().describe('Số định danh cá nhân (12 chữ số)'),
  fullName: z.string(),
  birthDate: z.string().nullable().describe('YYYY-MM-DD'),
  gender: z.string().nullable().describe('male | female | other'),
  email: z.string().nullable(), phone: z.string().nullable(),
  permanentAddress: z.string().nullable().describe('Nơi thường trú'),
  currentAddress: z.string().nullable().describe('Nơi ở hiện tại'),
  loa: z.string().nullable().describe('Mức độ bảo đảm xác thực của lần đăng nhập này (acr của VNeID)'),
  family: z.array(familyMember),
});

export const citizenIdentityRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get('/api/me', {
    schema: {
      tags: ['citizens'], summary: 'Công dân đang đăng nhập bằng VNeID: thông tin định danh và gia đình',
      description: 'Cookie phiên công dân (sau GET /auth/citizen/callback); không có phiên hoặc phiên đã hết: 401 UNAUTHENTICATED.',
      response: { 200: me, 401: errorResponse },
    },
  }, async (request) => citizenProfile(ctx.db, request.caller));
};
