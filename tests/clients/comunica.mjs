// Run one SPARQL SELECT with Comunica over Linked Data documents and print the bindings
// as JSON: node comunica.mjs QUERY SOURCE [SOURCE…]. Each source is a URL Comunica
// dereferences as any client does (content negotiation, redirects).
import { QueryEngine } from '@comunica/query-sparql';

const [query, ...sources] = process.argv.slice(2);
const engine = new QueryEngine();
const bindings = await engine.queryBindings(query, { sources, lenient: false });
const rows = (await bindings.toArray()).map(
  (b) => Object.fromEntries([...b].map(([variable, term]) => [variable.value, term.value])),
);
process.stdout.write(JSON.stringify(rows) + '\n');
