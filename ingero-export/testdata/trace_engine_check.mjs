// Parses a Chrome JSON trace with DevTools' trace engine (npm
// @paulirish/trace_engine) and prints what it understood, for
// TestTraceEngineParsesJSON. Usage: node trace_engine_check.mjs ENGINE_DIR TRACE
import fs from 'node:fs';
import path from 'node:path';
import {pathToFileURL} from 'node:url';

const [engineDir, file] = process.argv.slice(2);
// The engine expects a browser; DOMRect is the one global it touches.
globalThis.DOMRect ??= class DOMRect {
  constructor(x = 0, y = 0, width = 0, height = 0) { Object.assign(this, {x, y, width, height}); }
};
const Trace = await import(pathToFileURL(path.join(engineDir, 'models/trace/trace.js')).href);
const json = JSON.parse(fs.readFileSync(file, 'utf8'));
const model = Trace.TraceModel.Model.createWithAllHandlers();
await model.parse(json.traceEvents);
const data = model.parsedTrace(0).data;
const threads = {};
let entries = 0;
for (const [pid, proc] of data.Renderer.processes) {
  for (const [tid, thread] of proc.threads) {
    threads[`${pid}/${tid}`] = {name: thread.name, entries: thread.entries.length};
    entries += thread.entries.length;
  }
}
const processNames = {};
for (const [pid, ev] of data.Meta.processNames) processNames[pid] = ev.args?.name;
console.log(JSON.stringify({
  processes: data.Renderer.processes.size,
  processNames,
  threads,
  entries,
  flows: data.Flows.flows.length,
}));
