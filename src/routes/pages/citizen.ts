// The citizen pages moved to citizen/ (one file per page group); this re-export stays only until ./index.ts imports
// './citizen/index.js' directly, then it goes.
export { citizenPages } from './citizen/index.js';
