// Server-rendered pages: handlebars templates (templates/pages, partials in templates/pages/partials, every page
// inside layout.hbs) drawn by `reply.page(name, data)`, and the few static assets under public/. Handlebars escapes
// every {{value}}.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import Handlebars from 'handlebars';
import { vnDateText } from '../calendar/vn-time.js';
import { PROJECT_ROOT } from '../paths.js';

declare module 'fastify' {
  interface FastifyReply {
    /** Sends templates/pages/<name>.hbs drawn with `data` inside layout.hbs, as text/html unless a type is set. */
    page(name: string, data: Record<string, unknown>): FastifyReply;
  }
}

export const viewsPlugin = fp(async (app: FastifyInstance, opts: { templatesDir: string; production: boolean }) => {
  const templates = pageTemplates(path.join(opts.templatesDir, 'pages'));
  app.decorateReply('page', function page(this: FastifyReply, name: string, data: Record<string, unknown>) {
    // In development every page is read and compiled again, so a template edit shows on reload.
    if (!opts.production) templates.reload();
    // The compiled templates called directly: @fastify/view's layers (async steps, the data copied into a new object
    // for the page and again for the layout) cost about half as much again as Handlebars itself on the citizen's
    // dossier page (issue 15). An error thrown here reaches the route's error handler like any other.
    const html = templates.get('layout')({ ...data, body: templates.get(name)(data) });
    if (!this.hasHeader('content-type')) this.type('text/html; charset=utf-8');
    return this.send(html);
  });
  // public/assets/x is served as /assets/x (the layout links /assets/site.css).
  await app.register(fastifyStatic, { root: path.join(PROJECT_ROOT, 'public', 'assets'), prefix: '/assets/', decorateReply: false, maxAge: opts.production ? '1d' : 0 });
});

/** The page templates of `dir` (<name>.hbs, each compiled on first use) with the partials of `dir`/partials and the helpers. */
function pageTemplates(dir: string) {
  const engine = Handlebars.create();
  registerHelpers(engine);
  const compiled = new Map<string, Handlebars.TemplateDelegate>();
  const reload = () => {
    compiled.clear();
    const partialsDir = path.join(dir, 'partials');
    for (const file of readdirSync(partialsDir).filter((f) => f.endsWith('.hbs'))) {
      engine.registerPartial(file.slice(0, -4), engine.compile(readFileSync(path.join(partialsDir, file), 'utf8')));
    }
  };
  reload();
  return {
    reload,
    get(name: string): Handlebars.TemplateDelegate {
      let template = compiled.get(name);
      if (!template) {
        template = engine.compile(readFileSync(path.join(dir, `${name}.hbs`), 'utf8'));
        compiled.set(name, template);
      }
      return template;
    },
  };
}

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
