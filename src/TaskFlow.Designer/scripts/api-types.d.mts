/** The designer's copy of the server's OpenAPI document (openapi.json), parsed. */
export function readDocument(file?: string): any;
/** The TypeScript declarations of an OpenAPI document. */
export function generateApiTypes(document: unknown): Promise<string>;
/** Reads the document at `from` and writes its declarations to `to`. */
export function writeApiTypes(from: string, to: string): Promise<string>;
/** Type-checks the designer's sources against the types generated from `document`; every problem as text. */
export function typeCheckAgainst(document: unknown): Promise<string[]>;
