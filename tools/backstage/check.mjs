// Checks what `pac export --backstage` wrote with Backstage's own packages.
//
//   node check.mjs SITE [--corpus CASES.json --into REPO]
//
// 1. Every entity the Location lists (and the Location) passes @backstage/catalog-model's
//    entity policies and kind validators; every Template passes the scaffolder's v1beta3
//    schema (@backstage/plugin-scaffolder-common).
// 2. Every template's parameter pages render in @rjsf/core (server-side, react-dom/server)
//    with the @rjsf/validator-ajv8 validator, as Backstage's frontend splits them.
// 3. With --corpus: each case ({template, parameters}) is validated page by page with
//    validator-ajv8 after rjsf's defaults, then the template's fetch:template step is run
//    the way the scaffolder runs it (nunjucks, `${{ }}` tags, no autoescape) and the
//    request file written under REPO, so pac validate can give its verdict on the same case.
// Prints a JSON report on stdout; exits 1 when an entity or a template fails.
import fs from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import React from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import YAML from 'yaml';
import nunjucks from 'nunjucks';
import {
  EntityPolicies,
  DefaultNamespaceEntityPolicy,
  FieldFormatEntityPolicy,
  NoForeignRootFieldsEntityPolicy,
  SchemaValidEntityPolicy,
  locationEntityV1alpha1Validator,
  resourceEntityV1alpha1Validator,
} from '@backstage/catalog-model';
import { templateEntityV1beta3Validator } from '@backstage/plugin-scaffolder-common';
import rjsfCore from '@rjsf/core';
import validator from '@rjsf/validator-ajv8';
import { getDefaultFormState } from '@rjsf/utils';

const Form = rjsfCore.default ?? rjsfCore;

// The policies the catalog applies to every entity it ingests (CatalogBuilder's defaults).
const policy = EntityPolicies.allOf([
  new SchemaValidEntityPolicy(),
  new DefaultNamespaceEntityPolicy(),
  new NoForeignRootFieldsEntityPolicy(),
  new FieldFormatEntityPolicy(),
]);
const kindValidators = {
  Location: [locationEntityV1alpha1Validator],
  Resource: [resourceEntityV1alpha1Validator],
  Template: [templateEntityV1beta3Validator],
};

async function checkEntity(entity, file) {
  const checked = await policy.enforce(entity);
  if (!checked) throw new Error(`${file}: rejected by the entity policies`);
  const validators = kindValidators[entity.kind];
  if (!validators) throw new Error(`${file}: unexpected kind ${entity.kind}`);
  for (const v of validators) {
    if (!(await v.check(entity))) throw new Error(`${file}: not a valid ${entity.kind}`);
  }
}

// Backstage reads `ui:*` keys out of each parameters page (extractSchemaFromStep).
function extract(step) {
  const schema = {};
  const uiSchema = {};
  for (const [key, value] of Object.entries(step)) {
    if (key.startsWith('ui:')) uiSchema[key] = value;
    else if (key === 'properties') {
      schema.properties = {};
      for (const [name, sub] of Object.entries(value)) {
        const inner = extract(sub);
        schema.properties[name] = inner.schema;
        if (Object.keys(inner.uiSchema).length) uiSchema[name] = inner.uiSchema;
      }
    } else schema[key] = value;
  }
  return { schema, uiSchema };
}

function pages(template) {
  return template.spec.parameters.map(step => {
    const { schema, uiSchema } = extract(step);
    return { schema: { type: 'object', ...schema }, uiSchema };
  });
}

function renderPage(page, file) {
  const html = renderToStaticMarkup(
    React.createElement(Form, { schema: page.schema, uiSchema: page.uiSchema, validator }),
  );
  if (!html.includes('<form')) throw new Error(`${file}: rjsf rendered no form`);
  for (const name of Object.keys(page.schema.properties ?? {})) {
    if (!html.includes(`root_${name}`)) throw new Error(`${file}: rjsf left out ${name}`);
  }
  return html.length;
}

const env = new nunjucks.Environment(null, {
  autoescape: false,
  tags: { variableStart: '${{', variableEnd: '}}' },
});

// The scaffolder renders each step input string with the parameters; a string that is one
// expression keeps its type (it is dumped and parsed back as JSON).
function renderInput(value, context) {
  if (typeof value === 'string') {
    const wrapped = value.replace(/^\$\{\{(.+)\}\}$/s, '${{ ($1) | dump }}');
    const text = env.renderString(wrapped, context);
    if (wrapped === value) return text;
    return text === '' ? undefined : JSON.parse(text);
  }
  if (Array.isArray(value)) return value.map(v => renderInput(v, context));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, renderInput(v, context)]),
    );
  }
  return value;
}

function overlay(defaults, given) {
  if (!isObject(defaults) || !isObject(given)) return given === undefined ? defaults : given;
  const merged = { ...defaults };
  for (const [key, value] of Object.entries(given)) merged[key] = overlay(defaults[key], value);
  return merged;
}

function isObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function walk(folder) {
  return fs.readdirSync(folder, { withFileTypes: true }).flatMap(entry => {
    const full = path.join(folder, entry.name);
    return entry.isDirectory() ? walk(full) : [full];
  });
}

function runCase(templates, item, into) {
  const found = templates.get(item.template);
  if (!found) throw new Error(`corpus: no template ${item.template}`);
  const { entity, file } = found;
  const errors = [];
  let parameters = {};
  for (const page of pages(entity)) {
    const subset = {};
    for (const name of Object.keys(page.schema.properties ?? {})) {
      if (item.parameters[name] !== undefined) subset[name] = item.parameters[name];
    }
    // The page's defaults under what the user gave: rjsf's own merge may also replace a
    // value outside an enum, which a person cannot pick but a scaffolder API call can send.
    const filled = overlay(getDefaultFormState(validator, page.schema, {}), subset);
    const result = validator.validateFormData(filled, page.schema);
    errors.push(...result.errors.map(e => `${e.property} ${e.message}`));
    parameters = { ...parameters, ...filled };
  }
  const fetch = entity.spec.steps.find(s => s.action === 'fetch:template');
  const values = renderInput(fetch.input.values, { parameters });
  const content = path.join(path.dirname(file), fetch.input.url);
  const written = [];
  for (const source of walk(content)) {
    const relative = env.renderString(path.relative(content, source), { values });
    const text = env.renderString(fs.readFileSync(source, 'utf8'), { values });
    if (into) {
      const target = path.join(into, relative);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, text);
    }
    written.push(relative);
  }
  return { id: item.id, valid: errors.length === 0, errors, files: written };
}

async function main() {
  const args = process.argv.slice(2);
  const site = args[0];
  const option = name => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
  const location = path.join(site, 'backstage', 'catalog-info.yaml');
  const report = { entities: {}, renderedPages: 0, cases: [], templates: {} };
  const count = kind => (report.entities[kind] = (report.entities[kind] ?? 0) + 1);
  const root = YAML.parse(fs.readFileSync(location, 'utf8'));
  await checkEntity(root, location);
  count(root.kind);
  const templates = new Map();
  for (const target of root.spec.targets) {
    const file = path.join(path.dirname(location), target);
    for (const doc of YAML.parseAllDocuments(fs.readFileSync(file, 'utf8'))) {
      if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0].message}`);
      const entity = doc.toJS();
      await checkEntity(entity, file);
      count(entity.kind);
      if (entity.kind === 'Template') {
        for (const page of pages(entity)) {
          renderPage(page, file);
          report.renderedPages += 1;
        }
        templates.set(entity.metadata.name, { entity, file });
        report.templates[entity.metadata.name] = entity; // as Backstage's YAML reader sees it
      }
    }
  }
  const corpus = option('--corpus');
  if (corpus) {
    for (const item of JSON.parse(fs.readFileSync(corpus, 'utf8'))) {
      report.cases.push(runCase(templates, item, option('--into')));
    }
  }
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}

main().catch(error => {
  process.stderr.write(`backstage check failed: ${error.message}\n`);
  process.exit(1);
});
