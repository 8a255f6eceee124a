// The citizen's dossier page view model: timeline, filed data and documents, the supplement form and the survey.
// Labels, the intake form and the document rules come from the definition the dossier is pinned to, through
// services/viewing/dossier-view.ts.
import { RATINGS, SURVEY_CRITERIA, type SurveyState } from '../../../services/reporting/survey.js';
import type { DossierDetails } from '../../../services/viewing/dossier-view.js';
import { formLinks } from '../downloads.js';
import { documentViews, formDataRows } from '../form-view.js';
import { enc } from './shared.js';

export interface CitizenDossierExtra extends Record<string, unknown> {
  flash?: string;
  /** The tracking token just changed: shown once, on the answer to the change. */
  newToken?: string;
  supplementError?: string;
  errors?: Record<string, string>;
}

export function citizenDossierModel(code: string, details: DossierDetails, survey: SurveyState, asStaff: boolean, extra: CitizenDossierExtra = {}) {
  const { view, intakeForm, documents } = details;
  // The citizen's supplement: the action that carries documents (or, without any, the resubmission).
  const resubmit = view.actions.find((a) => a.documents.length > 0 || a.name === 'resubmit');
  const lastRequest = [...view.history].reverse().find((h) => h.to === view.status && h.comment);
  const base = `/ho-so/${enc(code)}`;
  return {
    title: `Hồ sơ ${code}`, dossier: view, base,
    timeline: [...view.history].reverse(),
    dataRows: formDataRows(intakeForm, view.formData),
    documents: view.documents.map((d) => ({ ...d, url: `${base}/tep/${enc(d.id)}` })),
    resultUrl: view.result ? `${base}/ket-qua` : null,
    verifyUrl: view.result?.verifyUrl ?? null,
    // Only the citizen changes their token here; staff revoke it from their own page.
    changeTokenUrl: asStaff ? null : `${base}/doi-ma-tra-cuu`,
    forms: formLinks(view, base),
    supplement: resubmit ? {
      action: resubmit.name, label: resubmit.label, needsComment: resubmit.needsComment, request: lastRequest?.comment,
      documents: documentViews(documents, resubmit.documents, extra.errors ?? {}),
    } : null,
    survey: survey.open && !survey.answered && !asStaff ? { ratings: RATINGS, criteria: SURVEY_CRITERIA } : null,
    surveyDone: survey.answered ? RATINGS.find((r) => r.value === survey.rating)?.label : null,
    scripts: ['form.js', 'track.js'],
    ...extra,
  };
}
