import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';

type Json = Record<string, any>;

interface Operation {
  method: string;
  template: string;
  pattern: RegExp;
  responses: Json;
}

/**
 * Checks answers against the hub's own OpenAPI document: the status must be listed for its operation and
 * the body must match the listed schema. Every integration test's requests go through it (the `api`
 * helper), so the document cannot drift from what the API answers.
 */
export function createResponseChecker(document: Json) {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  const operations: Operation[] = [];
  for (const [template, item] of Object.entries(document.paths as Json)) {
    for (const [method, operation] of Object.entries(item as Json)) {
      // Literal segments before parameters, so /queries/summary is not taken for /queries/{id}.
      const pattern = new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`);
      operations.push({
        method: method.toUpperCase(),
        template,
        pattern,
        responses: (operation as Json).responses ?? {},
      });
    }
  }
  operations.sort((a, b) => a.template.split('{').length - b.template.split('{').length);
  const validators = new Map<string, ValidateFunction>();

  const validatorFor = (key: string, schema: Json) => {
    let validate = validators.get(key);
    if (!validate) {
      // References point into the document's components: compile each schema with them at hand.
      validate = ajv.compile({ ...schema, components: document.components });
      validators.set(key, validate);
    }
    return validate;
  };

  /** What is wrong with an answer, or undefined when the document describes it. */
  return function disagreement(method: string, url: string, status: number, body: unknown): string | undefined {
    const path = new URL(url).pathname;
    const operation = operations.find((op) => op.method === method && op.pattern.test(path));
    const what = `${method} ${path} → ${status}`;
    if (!operation) return status < 300 ? `${what}: no operation in the OpenAPI document` : undefined;
    const response = operation.responses[String(status)] ?? operation.responses.default;
    if (!response) return `${what}: status not listed for ${method} ${operation.template}`;
    const schema = response.content?.['application/json']?.schema;
    if (!schema) return undefined;
    const validate = validatorFor(`${method} ${operation.template} ${status}`, schema);
    if (validate(body)) return undefined;
    const errors = (validate.errors ?? []).slice(0, 5).map((e) => `${e.instancePath || '/'} ${e.message}`);
    return `${what}: body disagrees with ${method} ${operation.template} ${status}: ${errors.join('; ')}`;
  };
}
