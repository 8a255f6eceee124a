// The staff pages moved to staff/ (one file per page); this re-export stays only until ./index.ts imports
// './staff/index.js' directly, then it goes.
export { staffPages } from './staff/index.js';
