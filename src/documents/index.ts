// Result documents: handlebars body templates (templates/documents/) in a small line markup, laid out per
// Decree 30/2020 on A4 with pdfkit, serif TTF fonts parsed once per process, vector QR to the verify page.
export { preloadFonts, serifFontDescription, serifFontFiles, type SerifFontFiles } from './fonts.js';
export { formatDateVN, formatDateWordsVN, placeDateLine } from './format.js';
export {
  findTemplatesDir,
  renderBody,
  renderResult,
  renderResultPdf,
  type RenderedResult,
  type ResultDocumentInput,
  type SignatureBox,
} from './render-result.js';
