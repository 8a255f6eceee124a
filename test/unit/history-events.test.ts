// Every history event has a Vietnamese label. Workflow actions take their transition's label from the pinned
// definition; every other event name is written by a known writer from a table in services/history-events.ts.
// A new writer of dossier_events fails here until its names are labelled and it is listed below.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEffectRegistry } from '../../src/effects/index.js';
import {
  ASSIGNMENT_EVENTS, commentForCitizen, ADMISSION_EVENTS, CHOICES_EVENTS, eventLabel, handoverResultForCitizen, INTAKE_EVENTS, NON_WORKFLOW_EVENTS, REMARKING_EVENTS, TRACKING_TOKEN_EVENTS,
} from '../../src/services/history-events.js';
import { SLA_ACTIONS } from '../../src/services/processing/clock-actions.js';
import { loadWorkflowDir } from '../../src/workflow/loader.js';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? sourceFiles(full) : full.endsWith('.ts') ? [full] : [];
  });
}

const read = (file: string) => readFileSync(file, 'utf8');
const literals = (text: string) => [...text.matchAll(/'([a-z][a-z0-9_]*)'/g)].map((m) => m[1]!);

/**
 * Who writes history events, and which names each may write: 'workflow' = a transition of the dossier's definition
 * (labelled from it); otherwise the table the writer's names come from, with how to read those names in its source.
 */
const WRITERS: Record<string, 'workflow' | { table: Record<string, string>; written: (source: string) => string[] }> = {
  'src/services/processing/perform-action.ts': 'workflow',
  'src/services/processing/assign-dossier.ts': {
    table: ASSIGNMENT_EVENTS,
    written: (source) => literals(/const action\b[^=]*=([^;]+);/.exec(source)?.[1] ?? ''),
  },
  'src/services/processing/clock-actions.ts': {
    table: SLA_ACTIONS,
    // The action is a parameter typed by the table's keys: the compiler keeps it inside the table.
    written: (source) => (/action: keyof typeof SLA_ACTIONS/.test(source) ? Object.keys(SLA_ACTIONS) : ['<untyped action>']),
  },
  'src/services/processing/change-tracking-token.ts': {
    table: TRACKING_TOKEN_EVENTS,
    written: (source) => literals(/const action\b[^=]*=([^;]+);/.exec(source)?.[1] ?? ''),
  },
  'src/services/admissions/remarking.ts': {
    table: REMARKING_EVENTS,
    // Each use-case names its event in a `const action: RemarkingEvent = '...'` (the request, the answer).
    written: (source) => [...source.matchAll(/const action: RemarkingEvent = '([a-z_]+)';/g)].map((m) => m[1]!),
  },
  'src/services/admissions/enrolment.ts': {
    table: ADMISSION_EVENTS,
    written: (source) => [...source.matchAll(/const action: AdmissionEvent = '([a-z_]+)';/g)].map((m) => m[1]!),
  },
  'src/services/admissions/adjustment.ts': {
    table: CHOICES_EVENTS,
    written: (source) => [...source.matchAll(/const action: ChoicesEvent = '([a-z_]+)';/g)].map((m) => m[1]!),
  },
  'src/services/admissions/supplementary.ts': {
    table: ADMISSION_EVENTS,
    written: (source) => [...source.matchAll(/const action: AdmissionEvent = '([a-z_]+)';/g)].map((m) => m[1]!),
  },
  'src/db/repositories/dossiers.ts': {
    table: INTAKE_EVENTS,
    // Intake writes its event inside one constant SQL statement.
    written: (source) => [...source.matchAll(/insert into dossier_events[^)]*\)\s*select[^;]*?'([a-z_]+)'/g)].map((m) => m[1]!),
  },
};

describe('history event labels', () => {
  it('knows every writer of dossier_events', () => {
    const writers = sourceFiles('src')
      .filter((file) => /\binsertEvent\(|insert into dossier_events/i.test(read(file)))
      .map((file) => file.split(path.sep).join('/'))
      .sort();
    expect(writers).toEqual(Object.keys(WRITERS).sort());
  });

  it.each(Object.entries(WRITERS).filter(([, w]) => w !== 'workflow'))('%s writes only labelled names', (file, writer) => {
    if (writer === 'workflow') return;
    const written = writer.written(read(file));
    expect(written.length).toBeGreaterThan(0);
    for (const name of written) {
      expect(Object.keys(writer.table), `${file} writes "${name}"`).toContain(name);
      expect(NON_WORKFLOW_EVENTS[name]).toBe(writer.table[name]);
    }
  });

  it('labels every non-workflow event in Vietnamese', () => {
    for (const [name, label] of Object.entries(NON_WORKFLOW_EVENTS)) {
      expect(label.trim(), name).not.toBe('');
      expect(label, name).not.toBe(name);
      expect(label, name).toMatch(/[^\x00-\x7f]/);
      expect(eventLabel({ states: {} } as never, { action: name, fromStatus: null })).toBe(label);
      expect(eventLabel({ states: {} } as never, { action: name, fromStatus: 'processing' })).toBe(label);
    }
  });

  it('labels every transition of every shipped workflow from the definition, never shadowing the table', () => {
    const workflows = loadWorkflowDir('workflows', { templatesDir: 'templates', effects: createEffectRegistry().names });
    expect(workflows.length).toBeGreaterThan(0);
    for (const { definition } of workflows) {
      for (const [status, state] of Object.entries(definition.states)) {
        for (const [action, transition] of Object.entries(state.on)) {
          expect(eventLabel(definition, { action, fromStatus: status })).toBe(transition.label);
          expect(Object.keys(NON_WORKFLOW_EVENTS), `${definition.id}: ${status}.${action}`).not.toContain(action);
        }
      }
      // Intake has no state to leave.
      expect(eventLabel(definition, { action: 'submit', fromStatus: null })).toBe('Nộp hồ sơ');
    }
  });
});

describe('comments for the citizen', () => {
  const { definition } = loadWorkflowDir('workflows', { templatesDir: 'templates', effects: createEffectRegistry().names })
    .find((w) => w.definition.id === 'diploma-copy')!;
  const staff = (action: string, fromStatus: string | null, comment: string | null = 'ghi chú') => ({ action, fromStatus, actorKind: 'staff', comment });

  it('shows what staff wrote on a supplement request, a refusal, the returned result, an extension or an apology', () => {
    expect(commentForCitizen(definition, staff('request_supplement', 'submitted'))).toBe('ghi chú');
    expect(commentForCitizen(definition, staff('request_supplement', 'checking'))).toBe('ghi chú');
    expect(commentForCitizen(definition, staff('refuse', 'submitted'))).toBe('ghi chú');
    expect(commentForCitizen(definition, staff('refuse', 'checking'))).toBe('ghi chú');
    expect(commentForCitizen(definition, staff('return_result', 'result_ready'))).toBe('ghi chú');
    expect(commentForCitizen(definition, staff('extend', 'checking'))).toBe('ghi chú');
    expect(commentForCitizen(definition, staff('apologise', 'checking'))).toBe('ghi chú');
  });

  it('keeps internal notes internal: receiving, checking, approval, sending back, claims, assignments and transfers', () => {
    for (const [action, from] of [['receive', 'submitted'], ['verify', 'checking'], ['approve', 'awaiting_approval'], ['send_back', 'awaiting_approval'],
      ['claim', 'checking'], ['assign', 'checking'], ['transfer_unit', 'checking'], ['made_up', 'checking'], ['receive', 'nowhere']] as const) {
      expect(commentForCitizen(definition, staff(action, from)), `${from}.${action}`).toBeNull();
    }
  });

  it('strips the internal note from a hand-over the citizen reads on the control slip', () => {
    const events = [
      { ...staff('transfer_unit', 'checking', 'chuyển cho phòng khác xử lý nội bộ'), dossierVersion: 3 },
      { ...staff('refuse', 'checking', 'không có trong sổ gốc'), dossierVersion: 4 },
    ];
    expect(handoverResultForCitizen(definition, events, { result: 'Chuyển đơn vị xử lý: chuyển cho phòng khác xử lý nội bộ', dossierVersion: 3 }))
      .toBe('Chuyển đơn vị xử lý');
    expect(handoverResultForCitizen(definition, events, { result: 'Không đủ điều kiện giải quyết: không có trong sổ gốc', dossierVersion: 4 }))
      .toBe('Không đủ điều kiện giải quyết: không có trong sổ gốc');
    expect(handoverResultForCitizen(definition, events, { result: 'Nhãn: ghi chú', dossierVersion: 9 })).toBe('Nhãn');
  });

  it("shows the citizen's own comments and nothing for an event without one", () => {
    expect(commentForCitizen(definition, { action: 'resubmit', fromStatus: 'awaiting_supplement', actorKind: 'citizen', comment: 'đã bổ sung' })).toBe('đã bổ sung');
    expect(commentForCitizen(definition, staff('refuse', 'submitted', null))).toBeNull();
  });
});
