import { describe, expect, it } from 'vitest';
import { generateApiTypes, readDocument, typeCheckAgainst } from '../../scripts/api-types.mjs';

describe('the API types generated from the OpenAPI document', () => {
  it('describe the schemas the designer reads', async () => {
    const text = await generateApiTypes(readDocument());
    expect(text).toContain('InstanceView: {');
    expect(text).toMatch(/status: components\["schemas"\]\["InstanceStatus"\];/);
    expect(text).toContain('"/api/mcp/tools/call"');
  });

  it('refuse a document that is not OpenAPI', async () => {
    await expect(generateApiTypes({ swagger: '2.0' })).rejects.toThrow('Not an OpenAPI document');
  });

  it('type-check the designer against the server document as it is', async () => {
    expect(await typeCheckAgainst(readDocument())).toEqual([]);
  }, 120_000);

  it('fail the type check when the server stops sending something the designer reads', async () => {
    // The server renames InstanceView.status to state; the designer still reads instance.status.
    const changed = readDocument();
    const instance = changed.components.schemas.InstanceView;
    instance.properties.state = instance.properties.status;
    delete instance.properties.status;
    instance.required = instance.required.map((name: string) => (name === 'status' ? 'state' : name));

    const problems = await typeCheckAgainst(changed);

    expect(problems.some((p) => p.includes("Property 'status' does not exist"))).toBe(true);
  }, 120_000);
});
