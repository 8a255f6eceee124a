// `npm run import:register -- file.csv`: imports a master register (sổ gốc) CSV into DATABASE_URL (or the embedded
// PGlite). Header columns: diplomaType, holderName, holderBirthDate, school, graduationYear, registerBookNumber,
// entryNumber, diplomaNumber, issuedDate, classification (optional). Nothing is imported if any row is invalid.
import { readFile } from 'node:fs/promises';
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/client.js';
import { importRegisterCsv } from '../services/processing/master-register.js';

const file = process.argv[2];
if (!file) {
  console.error('usage: npm run import:register -- <file.csv>');
  process.exit(2);
}
const config = loadConfig();
const database = await openDatabase(config.database, { migrate: true });
try {
  const outcome = await importRegisterCsv(database.db, await readFile(file));
  if (outcome.errors.length > 0) {
    for (const e of outcome.errors) console.error(`${file}:${e.line}: ${e.message}`);
    console.error(`nothing imported: ${outcome.errors.length} invalid row(s)`);
    process.exitCode = 1;
  } else {
    console.log(`${outcome.imported} register entries imported or updated (${database.kind})`);
  }
} finally {
  await database.close();
}
