#!/usr/bin/env node
// Lints Cypher statements with Neo4j's own analyser (@neo4j-cypher/language-support:
// an ANTLR parser plus the Neo4j query front end compiled to JavaScript), as Cypher 5.
//
// usage: node lint.mjs statements.json [--no-registry]
//        node lint.mjs [--no-registry] < statements.json
// input: a JSON array [{"name": "...", "cypher": "..."}, ...]
// output: one line per diagnostic, `name: severity: message (line:col)`, 1-based.
// exit: 0 no errors, 1 at least one error, 2 bad input, 3 the analyser is not working.
//
// Not reported: "Parameter $x is not defined." (values are bound at run time) and
// warnings about unknown labels, relationship types or properties (no schema is given).
// Functions and procedures are checked against the built-in ones of Neo4j 5 (names,
// arity, YIELD columns), taken from the registry the package ships for its own tests;
// --no-registry turns that check off.

import { readFileSync } from 'node:fs';
import {
  isNotParamError,
  lintCypherQuery,
  parseStatementsStrs,
  testData,
} from '@neo4j-cypher/language-support';

const CYPHER_VERSION = 'CYPHER 5';
const SEVERITY = { 1: 'Error', 2: 'Warning', 3: 'Information', 4: 'Hint' };
const ERROR = 1;
const WARNING = 2;
// Procedures of Neo4j itself; apoc.*, gds.* are plugins the neo4j:5 image does not have.
const NEO4J_PROCEDURE = /^(db|dbms|tx)\./;
// A statement's own version clause, after any leading comments.
const VERSION_CLAUSE = /^(?:\s|\/\/[^\n]*|\/\*[\s\S]*?\*\/)*CYPHER\s+(\d+)\b/i;

function usageError(message) {
  console.error(`lint.mjs: ${message}`);
  process.exit(2);
}

function readStatements(source) {
  let text;
  try {
    text = readFileSync(source === '-' ? 0 : source, 'utf8');
  } catch (err) {
    usageError(`cannot read ${source === '-' ? 'stdin' : source}: ${err.message}`);
  }
  let items;
  try {
    items = JSON.parse(text);
  } catch (err) {
    usageError(`input is not JSON: ${err.message}`);
  }
  if (!Array.isArray(items)) usageError('input must be a JSON array of {name, cypher}');
  if (items.length === 0) usageError('no statements to lint (the input array is empty)');
  items.forEach((item, i) => {
    if (item === null || typeof item.name !== 'string' || typeof item.cypher !== 'string') {
      usageError(`item ${i} is not {"name": string, "cypher": string}`);
    }
  });
  return items;
}

function buildSchema(useRegistry) {
  const schema = { defaultLanguage: CYPHER_VERSION };
  if (!useRegistry) return schema;
  const mock = testData.mockSchema;
  const functions = Object.fromEntries(
    Object.entries(mock.functions[CYPHER_VERSION]).filter(([, fn]) => fn.isBuiltIn),
  );
  const procedures = Object.fromEntries(
    Object.entries(mock.procedures[CYPHER_VERSION]).filter(([name]) =>
      NEO4J_PROCEDURE.test(name),
    ),
  );
  schema.functions = { [CYPHER_VERSION]: functions };
  schema.procedures = { [CYPHER_VERSION]: procedures };
  return schema;
}

function isIgnored(diagnostic) {
  if (!isNotParamError(diagnostic)) return true;
  // unknown label, relationship type or property (errors of this form, about
  // functions and procedures, are kept)
  return (
    diagnostic.severity === WARNING &&
    diagnostic.message.includes(' is not present in the database.')
  );
}

// Checks the library cannot make: what the driver and a Neo4j 5 server will refuse.
function ownDiagnostics(cypher) {
  const found = [];
  const at = { start: { line: 0, character: 0 } };
  if (cypher.trim() === '') {
    found.push({ severity: ERROR, message: 'The statement is empty.', range: at });
    return found;
  }
  const count = parseStatementsStrs(cypher).length;
  if (count > 1) {
    found.push({
      severity: ERROR,
      message: `The text holds ${count} statements; the driver runs one statement at a time.`,
      range: at,
    });
  }
  const version = VERSION_CLAUSE.exec(cypher);
  if (version && `CYPHER ${version[1]}` !== CYPHER_VERSION) {
    found.push({
      severity: ERROR,
      message: `The statement selects CYPHER ${version[1]}; the server is Neo4j 5 (${CYPHER_VERSION}).`,
      range: at,
    });
  }
  return found;
}

function oneLine(message) {
  return message.trim().replace(/\s*\n\s*/g, ' ');
}

function context(cypher, range) {
  const line = cypher.split('\n')[range.start.line] ?? '';
  return `    | ${line}\n    | ${' '.repeat(range.start.character)}^`;
}

// The analyser swallows its own exceptions; make sure it really reports semantic errors.
function checkAnalyser(schema) {
  const { diagnostics } = lintCypherQuery('RETURN x', schema, { consoleCommandsEnabled: false });
  if (!diagnostics.some((d) => d.severity === ERROR && /Variable `x` not defined/.test(d.message))) {
    console.error('lint.mjs: the Cypher analyser did not report an undefined variable; it is broken');
    process.exit(3);
  }
}

function main() {
  const args = process.argv.slice(2);
  const useRegistry = !args.includes('--no-registry');
  const unknown = args.filter((a) => a.startsWith('--') && a !== '--no-registry');
  if (unknown.length) usageError(`unknown option ${unknown.join(' ')}`);
  const files = args.filter((a) => !a.startsWith('--'));
  if (files.length > 1) usageError('give one input file (or none to read stdin)');

  const statements = readStatements(files[0] ?? '-');
  const schema = buildSchema(useRegistry);
  checkAnalyser(schema);

  let errors = 0;
  let warnings = 0;
  let ignored = 0;
  for (const { name, cypher } of statements) {
    let diagnostics = ownDiagnostics(cypher);
    if (cypher.trim() !== '') {
      // consoleCommandsEnabled: false, since :param and the like cannot go through a driver
      const result = lintCypherQuery(cypher, schema, { consoleCommandsEnabled: false });
      diagnostics = diagnostics.concat(result.diagnostics);
    }
    for (const d of diagnostics) {
      if (isIgnored(d)) {
        ignored += 1;
        continue;
      }
      const severity = SEVERITY[d.severity] ?? `Severity${d.severity}`;
      const { line, character } = d.range.start;
      console.log(`${name}: ${severity}: ${oneLine(d.message)} (${line + 1}:${character + 1})`);
      if (d.severity === ERROR) {
        errors += 1;
        console.log(context(cypher, d.range));
      } else if (d.severity === WARNING) {
        warnings += 1;
      }
    }
  }
  console.log(
    `cypher-lint: ${statements.length} statements as ${CYPHER_VERSION}` +
      `${useRegistry ? '' : ' (no function/procedure registry)'}: ` +
      `${errors} errors, ${warnings} warnings, ${ignored} parameter/schema notes ignored`,
  );
  // exitCode rather than exit(): let stdout drain when it is a pipe
  process.exitCode = errors > 0 ? 1 : 0;
}

main();
