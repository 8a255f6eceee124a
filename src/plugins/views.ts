// Server-rendered pages: handlebars through @fastify/view (templates/pages, partials in templates/pages/partials,
// every page inside layout.hbs) and the few static assets under public/. Handlebars escapes every {{value}}.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import view from '@fastify/view';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import Handlebars from 'handlebars';
import { vnDateText } from '../calendar/vn-time.js';
import { PROJECT_ROOT } from '../paths.js';

export const viewsPlugin = fp(async (app: FastifyInstance, opts: { templatesDir: string; production: boolean }) => {
  const pagesDir = path.join(opts.templatesDir, 'pages');
  const partialsDir = path.join(pagesDir, 'partials');
  const partials = Object.fromEntries(readdirSync(partialsDir).filter((f) => f.endsWith('.hbs')).map((f) => [f.slice(0, -4), `partials/${f}`]));
  const engine = Handlebars.create();
  registerHelpers(engine);
  await app.register(view, {
    engine: { handlebars: engine },
    root: pagesDir,
    layout: 'layout.hbs',
    viewExt: 'hbs',
    options: { partials },
    // Compiled templates are cached in production; in development a template edit shows on reload.
    production: opts.production,
  });
  // public/assets/x is served as /assets/x (the layout links /assets/site.css).
  await app.register(fastifyStatic, { root: path.join(PROJECT_ROOT, 'public', 'assets'), prefix: '/assets/', decorateReply: false, maxAge: opts.production ? '1d' : 0 });
});

function registerHelpers(engine: typeof Handlebars): void {
  const vn = new Intl.DateTimeFormat('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh', day: '2-digit', month: '2-digit', year: 'numeric' });
  const vnTime = new Intl.DateTimeFormat('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh', hour: '2-digit', minute: '2-digit', day: '2-digit', month: '2-digit', year: 'numeric' });
  // The arithmetic text first (calendar/vn-time.ts: the same text, without ICU's cost on every page view); Intl for
  // what it does not cover (before 1976, invalid dates: Intl's RangeError stays the answer).
  const format = (value: unknown, withTime: boolean) => {
    if (!value) return '';
    const at = new Date(String(value));
    return vnDateText(at, withTime) ?? (withTime ? vnTime : vn).format(at);
  };
  engine.registerHelper('date', (value: unknown) => format(value, false));
  engine.registerHelper('dateTime', (value: unknown) => format(value, true));
  engine.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  engine.registerHelper('json', (value: unknown) => new engine.SafeString(JSON.stringify(value).replaceAll('<', '\\u003c')));
}
